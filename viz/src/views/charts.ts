/**
 * viz/src/views/charts.ts — the four plots: convergence fractions vs virtual time with topology
 * changes marked, stretch CDF per routing mode, control overhead by frame type, table sizes.
 * With a comparison run, its convergence and stretch curves are overlaid dashed.
 */
import type { RunData } from '../model/run.ts';
import {
  frameSeries,
  groupSeries,
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
    },
    'no convergence data (timeseries.csv)',
  );

  const ca = stretchCdfs(run.pairs);
  const cb = compare ? stretchCdfs(compare.pairs) : null;
  const stretch: Series[] = [];
  for (const [mode, pts] of ca)
    stretch.push({
      name: tag(mode, false),
      points: pts,
      colour: COLOURS.modes[mode] ?? '#333',
      step: true,
    });
  if (cb) {
    for (const [mode, pts] of cb) {
      stretch.push({
        name: tag(mode, true),
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

  const overhead: Series[] = frameSeries(a).map(([type, pts], i) => ({
    name: type,
    points: pts,
    colour: COLOURS.overhead[i % COLOURS.overhead.length]!,
  }));
  lineChart(
    svgById(doc, 'plot-overhead'),
    {
      title: 'Control overhead by frame type',
      xLabel: 'virtual time (s)',
      yLabel: 'frames (per sample)',
      series: overhead,
      markers: topologyChanges(run.timeseries),
      markerLabel: 'topology change',
    },
    'no frames_<type> series (timeseries.csv)',
  );

  barChart(
    svgById(doc, 'plot-tables'),
    'Routing table size',
    tableSizeHistogram(run.nodes),
    'table size (entries)',
    'nodes',
    'no per-node table sizes (nodes.csv)',
  );
}
