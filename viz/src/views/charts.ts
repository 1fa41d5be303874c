/**
 * viz/src/views/charts.ts — the four plots: convergence fractions vs virtual time with topology
 * changes marked, stretch CDF per routing mode, control overhead by frame type, table sizes.
 * With a comparison run, its convergence and stretch curves are overlaid dashed.
 */
import { modeLabel } from '../model/modes.ts';
import type { RunData } from '../model/run.ts';
import {
  frameSeries,
  groupSeries,
  installSeries,
  splitSilent,
  stretchCdfs,
  tableSizeHistogram,
  topologyChanges,
} from '../model/stats.ts';
import { COLOURS } from './colours.ts';
import { barChart, lineChart, type Series } from './plot.ts';

function svgById(doc: Document, id: string): SVGSVGElement {
  const el = doc.getElementById(id);
  if (!(el instanceof SVGSVGElement)) throw new Error(`index.html lacks <svg id="${id}">`);
  return el;
}

export function renderCharts(doc: Document, run: RunData, compare: RunData | null): void {
  const a = groupSeries(run.timeseries);
  const b = compare ? groupSeries(compare.timeseries) : null;
  const tag = (name: string, run2: boolean): string =>
    compare ? `${name} (${run2 ? 'B' : 'A'})` : name;
  const conv: Series[] = [];
  for (const [metric, label, colour] of [
    ['tree_fraction', 'tree', COLOURS.tree],
    ['snake_fraction', 'snake', COLOURS.snake],
  ] as const) {
    conv.push({ name: tag(label, false), points: a.get(metric) ?? [], colour });
    if (b) conv.push({ name: tag(label, true), points: b.get(metric) ?? [], colour, dashed: true });
  }
  lineChart(
    svgById(doc, 'plot-convergence'),
    {
      title: 'Convergence',
      xLabel: 'virtual time (s)',
      yLabel: 'fraction of nodes converged',
      series: conv,
      markers: topologyChanges(run.timeseries),
      markerLabel: 'topology change',
      yDomain: [0, 1],
      legendBottom: true,
    },
    'no convergence data (timeseries.csv)',
  );

  const ca = stretchCdfs(run.pairs);
  const cb = compare ? stretchCdfs(compare.pairs) : null;
  const stretch: Series[] = [];
  for (const [mode, pts] of ca)
    stretch.push({
      name: tag(modeLabel(mode), false),
      points: pts,
      colour: COLOURS.modes[mode] ?? '#333',
      step: true,
    });
  if (cb) {
    for (const [mode, pts] of cb) {
      stretch.push({
        name: tag(modeLabel(mode), true),
        points: pts,
        colour: COLOURS.modes[mode] ?? '#333',
        step: true,
        dashed: true,
      });
    }
  }
  lineChart(
    svgById(doc, 'plot-stretch'),
    {
      title: 'Stretch CDF per routing mode',
      xLabel: 'stretch (hops / shortest hops)',
      yLabel: 'fraction of pairs ≤ x',
      series: stretch,
      yDomain: [0, 1],
      legendBottom: true,
    },
    'no delivered pairs (pairs.csv)',
  );

  renderOverhead(doc, run, 'frames');
  const unitSel = doc.getElementById('overhead-unit');
  if (unitSel instanceof HTMLSelectElement) {
    // Bytes only when the run recorded them (host wire counters).
    const hasBytes = frameSeries(a, 'bytes').length > 0;
    unitSel.disabled = !hasBytes;
    unitSel.title = hasBytes ? '' : 'this run has no bytes_<type> series';
    unitSel.addEventListener('change', () =>
      renderOverhead(doc, run, unitSel.value === 'bytes' ? 'bytes' : 'frames'),
    );
  }

  barChart(
    svgById(doc, 'plot-tables'),
    'Routing table size',
    tableSizeHistogram(run.nodes),
    'table size (entries)',
    'nodes',
    'no per-node table sizes (nodes.csv)',
  );
}

/**
 * Control overhead: frames (or bytes) sent per virtual second by frame type (results/schema.ts
 * TimeseriesRow). Types that sent nothing are left out of the plot and named under its legend.
 */
export function renderOverhead(doc: Document, run: RunData, unit: 'frames' | 'bytes'): void {
  const grouped = groupSeries(run.timeseries);
  const { active, silent } = splitSilent(frameSeries(grouped, unit));
  const overhead: Series[] = active.map(([type, pts]) => ({
    name: type,
    points: pts,
    colour: COLOURS.overhead[FRAME_ORDER.indexOf(type) % COLOURS.overhead.length] ?? '#333',
  }));
  // Beside the frames: table entries installed per second (dashed), the churn that moving
  // bootstrap paths cause (README "Large networks"). A count per second too, not bytes.
  const installs = unit === 'frames' ? installSeries(grouped) : null;
  if (installs !== null)
    overhead.push({
      name: 'table installs',
      points: installs,
      colour: '#111',
      dashed: true,
    });
  lineChart(
    svgById(doc, 'plot-overhead'),
    {
      title: `Control overhead by frame type (${unit})`,
      xLabel: 'virtual time (s)',
      yLabel: `${unit} per second (virtual)`,
      series: overhead,
      markers: topologyChanges(run.timeseries),
      markerLabel: 'topology change',
      legendRight: true,
      yFormat: '~s',
      legendNotes: silent.map((t) => `${t}: none sent`),
    },
    `no ${unit}_<type> series (timeseries.csv)`,
  );
}

/** Fixed colour per frame type, whichever types a run has. */
const FRAME_ORDER = ['announcement', 'bootstrap', 'keepalive', 'traffic', 'wakeup'];
