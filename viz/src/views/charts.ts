/**
 * viz/src/views/charts.ts — the plots: convergence fractions vs virtual time with topology
 * changes and convergence episodes marked; stretch and delivery over time on the same time axis;
 * stretch CDF per routing mode; control overhead by frame type with table installs on an axis of
 * their own; table sizes. With a comparison run every plot shows both runs (B dashed, hollow
 * markers, names in the legends) and a table of differences follows (compare.ts). Every plot
 * gets SVG / PNG / CSV export buttons (export.ts).
 */
import { modeLabel } from '../model/modes.ts';
import type { RunData } from '../model/run.ts';
import {
  episodeSpans,
  frameSeries,
  groupSeries,
  installSeries,
  sharedBins,
  splitSilent,
  stretchCdfs,
  stretchOverTime,
  topologyChanges,
} from '../model/stats.ts';
import { COLOURS } from './colours.ts';
import { renderDifferences } from './compare.ts';
import { addExportControls, fileStem } from './export.ts';
import { type Band, histogram, lineChart, type Series } from './plot.ts';

function svgById(doc: Document, id: string): SVGSVGElement {
  const el = doc.getElementById(id);
  if (!(el instanceof SVGSVGElement)) throw new Error(`index.html lacks <svg id="${id}">`);
  return el;
}

/** The plots, in page order (ids of index.html). */
export const PLOT_IDS = [
  'plot-convergence',
  'plot-stretch-time',
  'plot-stretch',
  'plot-overhead',
  'plot-tables',
] as const;

/** Marker shape per mode / frame type: the same in every plot and for both runs. */
const MODE_SHAPE: Readonly<Record<string, number>> = { snek: 0, hybrid: 1, given: 2, tree: 3 };
/** Fixed colour and shape per frame type, whichever types a run has. */
const FRAME_ORDER = ['announcement', 'bootstrap', 'keepalive', 'traffic', 'wakeup'];
/** Delivery beside stretch: dotted for A, dash-dot for B (the same mode's colour and shape). */
const DELIVERY_DASH = ['2 3', '9 3 2 3'] as const;

interface Runs {
  readonly list: readonly RunData[];
  /** Legend text of a series of run k: the run's name is added when there are two runs. */
  readonly tag: (label: string, k: number) => string;
  /** Time axis shared by the plots over virtual time (both runs' whole duration). */
  readonly time: readonly [number, number];
}

export function renderCharts(doc: Document, run: RunData, compare: RunData | null): void {
  const list = compare ? [run, compare] : [run];
  let end = 0;
  for (const r of list) {
    for (const t of r.timeseries) if (t.time_s > end) end = t.time_s;
    end = Math.max(end, r.summary?.virtualSeconds ?? 0);
  }
  const runs: Runs = {
    list,
    tag: (label, k) => (compare ? `${label} · ${list[k]?.name ?? ''}` : label),
    time: [0, end > 0 ? end : 1],
  };
  renderConvergence(doc, runs);
  renderStretchOverTime(doc, runs);
  renderStretchCdf(doc, runs);
  renderOverhead(doc, runs, 'frames');
  const unitSel = doc.getElementById('overhead-unit');
  if (unitSel instanceof HTMLSelectElement) {
    // Bytes only when the run recorded them (host wire counters).
    const hasBytes = frameSeries(groupSeries(run.timeseries), 'bytes').length > 0;
    unitSel.disabled = !hasBytes;
    unitSel.title = hasBytes ? '' : 'this run has no bytes_<type> series';
    unitSel.addEventListener('change', () =>
      renderOverhead(doc, runs, unitSel.value === 'bytes' ? 'bytes' : 'frames'),
    );
  }
  renderTables(doc, runs);
  const stem = compare ? `${run.name}-vs-${compare.name}` : run.name;
  for (const id of PLOT_IDS) {
    const svg = doc.getElementById(id);
    if (svg instanceof SVGSVGElement)
      addExportControls(doc, svg, fileStem(`${stem}-${id.replace(/^plot-/, '')}`));
  }
  renderDifferences(doc, run, compare);
}

/** Topology changes of every run (markers) and their convergence episodes (shaded spans). */
function changes(runs: Runs): { markers: number[]; bands: Band[] } {
  const markers = [...new Set(runs.list.flatMap((r) => topologyChanges(r.timeseries)))].sort(
    (a, b) => a - b,
  );
  const bands = runs.list.flatMap((r) =>
    episodeSpans(r.summary).map((e) => ({
      ...e,
      label: runs.list.length > 1 ? `${r.name}: ${e.label}` : e.label,
    })),
  );
  return { markers, bands };
}

function renderConvergence(doc: Document, runs: Runs): void {
  const conv: Series[] = [];
  for (const [metric, label, colour, shape] of [
    ['tree_fraction', 'tree', COLOURS.tree, 0],
    ['snake_fraction', 'snake', COLOURS.snake, 1],
  ] as const) {
    runs.list.forEach((r, k) => {
      conv.push({
        name: runs.tag(label, k),
        points: groupSeries(r.timeseries).get(metric) ?? [],
        colour,
        shape,
        dashed: k === 1,
      });
    });
  }
  const { markers, bands } = changes(runs);
  lineChart(
    svgById(doc, 'plot-convergence'),
    {
      title: 'Convergence',
      xLabel: 'virtual time (s)',
      yLabel: 'fraction of nodes converged',
      series: conv,
      markers,
      markerLabel: 'topology change',
      bands,
      bandLabel: 'episode until converged',
      yDomain: [0, 1],
      xDomain: runs.time,
    },
    'no convergence data (timeseries.csv)',
  );
}

function renderStretchOverTime(doc: Document, runs: Runs): void {
  const series: Series[] = [];
  runs.list.forEach((r, k) => {
    for (const [mode, { stretch, delivery }] of stretchOverTime(r.timeseries, r.summary)) {
      const colour = COLOURS.modes[mode] ?? '#333';
      const shape = MODE_SHAPE[mode] ?? 0;
      series.push({
        name: runs.tag(`${modeLabel(mode)} stretch`, k),
        points: stretch,
        colour,
        shape,
        dashed: k === 1,
      });
      series.push({
        name: runs.tag(`${modeLabel(mode)} delivered`, k),
        points: delivery,
        colour,
        shape,
        dashed: k === 1,
        dash: DELIVERY_DASH[k === 1 ? 1 : 0],
        axis: 'right',
      });
    }
  });
  const { markers, bands } = changes(runs);
  // Stretch is at least 1: its axis starts there, so it does not sit on delivery's 1.0 line.
  let top = 1.5;
  for (const s of series)
    if (s.axis !== 'right') for (const p of s.points) top = Math.max(top, p.y);
  lineChart(
    svgById(doc, 'plot-stretch-time'),
    {
      title: 'Stretch and delivery over time',
      xLabel: 'virtual time (s)',
      yLabel: 'mean stretch (hops / shortest)',
      yDomain: [1, Math.ceil(top * 4) / 4],
      yLabelRight: 'fraction delivered',
      yDomainRight: [0, 1],
      series,
      markers,
      markerLabel: 'topology change',
      bands,
      bandLabel: 'episode until converged',
      xDomain: runs.time,
    },
    'stretch was measured at the end of the run only:\na scenario with measure.stretchEvery measures it over time',
  );
}

function renderStretchCdf(doc: Document, runs: Runs): void {
  const stretch: Series[] = [];
  runs.list.forEach((r, k) => {
    for (const [mode, pts] of stretchCdfs(r.pairs))
      stretch.push({
        name: runs.tag(modeLabel(mode), k),
        points: pts,
        colour: COLOURS.modes[mode] ?? '#333',
        shape: MODE_SHAPE[mode] ?? 0,
        step: true,
        dashed: k === 1,
      });
  });
  lineChart(
    svgById(doc, 'plot-stretch'),
    {
      title: 'Stretch CDF per routing mode',
      xLabel: 'stretch (hops / shortest hops)',
      yLabel: 'fraction of pairs ≤ x',
      series: stretch,
      yDomain: [0, 1],
    },
    'no delivered pairs (pairs.csv)',
  );
}

/**
 * Control overhead: frames (or bytes) sent per virtual second by frame type (results/schema.ts
 * TimeseriesRow). Types that sent nothing are left out of the plot and named under its legend.
 * Table entries installed per second (the churn of moving bootstrap paths, README "Large
 * networks") are another unit: their own axis, right.
 */
function renderOverhead(doc: Document, runs: Runs, unit: 'frames' | 'bytes'): void {
  const overhead: Series[] = [];
  const silentNotes: string[] = [];
  runs.list.forEach((r, k) => {
    const grouped = groupSeries(r.timeseries);
    const { active, silent } = splitSilent(frameSeries(grouped, unit));
    for (const [type, pts] of active) {
      const i = FRAME_ORDER.indexOf(type);
      overhead.push({
        name: runs.tag(type, k),
        points: pts,
        colour: COLOURS.overhead[(i < 0 ? 7 : i) % COLOURS.overhead.length] ?? '#333',
        shape: i < 0 ? 5 : i,
        dashed: k === 1,
      });
    }
    if (silent.length > 0)
      silentNotes.push(
        `${runs.list.length > 1 ? `${r.name}: ` : ''}none sent: ${silent.join(', ')}`,
      );
    const installs = unit === 'frames' ? installSeries(grouped) : null;
    if (installs !== null)
      overhead.push({
        name: runs.tag('table installs', k),
        points: installs,
        colour: '#111',
        shape: 5,
        dashed: k === 1,
        dash: DELIVERY_DASH[k === 1 ? 1 : 0],
        axis: 'right',
      });
  });
  lineChart(
    svgById(doc, 'plot-overhead'),
    {
      title: `Control overhead by frame type (${unit})`,
      xLabel: 'virtual time (s)',
      yLabel: `${unit} per second (virtual)`,
      yLabelRight: 'table entries installed per second',
      yFormatRight: '~s',
      series: overhead,
      markers: changes(runs).markers,
      markerLabel: 'topology change',
      yFormat: '~s',
      xDomain: runs.time,
      legendNotes: silentNotes,
    },
    `no ${unit}_<type> series (timeseries.csv)`,
  );
}

function renderTables(doc: Document, runs: Runs): void {
  const groups = runs.list.map((r, k) => ({
    name: runs.list.length > 1 ? r.name : 'nodes',
    colour: k === 0 ? '#4a74b5' : '#c0612b',
    hollow: k === 1,
  }));
  histogram(
    svgById(doc, 'plot-tables'),
    'Routing table size',
    groups,
    sharedBins(runs.list.map((r) => r.nodes.map((n) => n.table_size))),
    'table size (entries)',
    'nodes',
    'no per-node table sizes (nodes.csv)',
  );
}
