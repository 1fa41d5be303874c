/**
 * viz/src/views/plot.ts — the viewer's figures, drawn with d3 scales and axes into SVG that stands
 * alone: every font, colour and stroke is an attribute, not page CSS, so an exported file (export.ts)
 * looks like the page. Line/step charts with an optional second y axis for a second unit, event
 * markers and episode bands; grouped histograms; box-and-strip plots.
 *
 * For print: text is 12 px or more; series differ by marker shape as well as colour (greyscale),
 * and a comparison run is dashed with hollow markers; lines drawn later are thinner, so equal
 * curves (hybrid and tree on a converged network) show as a thin line inside a wider one. Legends
 * sit under the plot area, never on the data. Every series path has class `series` (markers
 * `series-marker`). Each chart registers the table behind it (export.ts setPlotTable) for CSV.
 */
import {
  axisBottom,
  axisLeft,
  axisRight,
  format,
  line,
  max,
  min,
  quantileSorted,
  type Selection,
  scaleBand,
  scaleLinear,
  select,
  symbol,
  symbolCircle,
  symbolDiamond,
  symbolSquare,
  symbolStar,
  symbolTriangle,
  symbolWye,
} from 'd3';
import type { Point, SharedBin } from '../model/stats.ts';
import { setPlotTable } from './export.ts';

export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
  readonly colour: string;
  /** The comparison run (B): dashed line, hollow markers. */
  readonly dashed?: boolean;
  /** An explicit dash pattern (overrides `dashed`'s), e.g. a rate beside counts. */
  readonly dash?: string;
  readonly step?: boolean;
  /** Which y axis (a different unit goes right). */
  readonly axis?: 'left' | 'right';
  /** Marker shape index (same index = same shape, e.g. one per mode across runs A and B). */
  readonly shape?: number;
}

export interface Band {
  readonly x0: number;
  readonly x1: number;
  readonly label: string;
}

export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly markers?: readonly number[]; // vertical lines at these x (e.g. topology changes)
  readonly markerLabel?: string;
  /** Shaded spans behind the curves (e.g. convergence episodes), with a legend entry. */
  readonly bands?: readonly Band[];
  readonly bandLabel?: string;
  readonly yDomain?: readonly [number, number];
  /** Fixed x domain, to share a time axis between plots. */
  readonly xDomain?: readonly [number, number];
  /** Grey lines under the legend entries (e.g. what the plot leaves out). */
  readonly legendNotes?: readonly string[];
  /** Tick format of the y axis (d3-format specifier), e.g. '~s' for 1.2k. */
  readonly yFormat?: string;
  /** The right-hand axis (series with axis 'right'): its label, domain and tick format. */
  readonly yLabelRight?: string;
  readonly yDomainRight?: readonly [number, number];
  readonly yFormatRight?: string;
}

export const FONT = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';
/** Smallest text in a figure: 12 px, still legible when a paper scales the figure down. */
export const TEXT_PX = 12;
const TITLE_PX = 13;
const INK = '#222';
const MUTED = '#555';

const W = 460;
/** Bottom of the plot area; the x label and the legend go below it. */
const AREA_BOTTOM = 214;
const TOP = 30;
const LEFT = 60;
const LEGEND_ROW = 17;

/** Marker shapes, distinguishable without colour. */
const SHAPES = [
  symbolCircle,
  symbolSquare,
  symbolTriangle,
  symbolDiamond,
  symbolStar,
  symbolWye,
] as const;
const B_DASH = '7 4';
/** Markers per series along the x range (phase-shifted per series so equal curves show both). */
const MARKERS_PER_SERIES = 6;

type Root = Selection<SVGSVGElement, unknown, null, undefined>;
type G = Selection<SVGGElement, unknown, null, undefined>;

function frame(svg: SVGSVGElement, title: string, height: number): Root {
  const root = select(svg);
  root.selectAll('*').remove();
  root
    .attr('viewBox', `0 0 ${W} ${height}`)
    .attr('role', 'img')
    .attr('aria-label', title)
    .attr('font-family', FONT)
    .attr('font-size', TEXT_PX);
  root
    .append('rect')
    .attr('class', 'plot-background')
    .attr('width', W)
    .attr('height', height)
    .attr('fill', '#fff');
  root
    .append('text')
    .attr('class', 'plot-title')
    .attr('x', LEFT)
    .attr('y', 18)
    .attr('font-size', TITLE_PX)
    .attr('font-weight', 600)
    .attr('fill', INK)
    .text(title);
  return root;
}

/** A plot with nothing to draw: its title and a note (lines split at '\n'). */
function empty(svg: SVGSVGElement, title: string, note: string): void {
  const h = AREA_BOTTOM + 30;
  const text = frame(svg, title, h)
    .append('text')
    .attr('class', 'plot-empty')
    .attr('x', W / 2)
    .attr('y', h / 2)
    .attr('text-anchor', 'middle')
    .attr('fill', '#777');
  note.split('\n').forEach((line, i) => {
    text
      .append('tspan')
      .attr('x', W / 2)
      .attr('dy', i === 0 ? 0 : 18)
      .text(line);
  });
  setPlotTable(svg, ['note'], [[note.replace(/\n/g, ' ')]]);
}

/** Axis ticks and labels at the figure's text size (d3 sets 10 px on the axis group). */
function styleAxis(g: G): void {
  g.attr('font-size', TEXT_PX).attr('font-family', FONT);
  g.selectAll('text').attr('fill', INK);
  g.selectAll('line,path').attr('stroke', MUTED);
}

function axisLabel(root: Root, text: string, x: number, y: number, rotate = 0): void {
  root
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(${x},${y})${rotate ? ` rotate(${rotate})` : ''}`)
    .attr('text-anchor', 'middle')
    .attr('fill', MUTED)
    .text(text);
}

/** Legend entries under the plot: sample (line, dash, marker) and name; long names one per row. */
interface Entry {
  readonly name: string;
  readonly draw: (g: G) => void;
}

function legendHeight(entries: number, notes: number, oneColumn: boolean): number {
  const rows = oneColumn ? entries : Math.ceil(entries / 2);
  return (rows + notes) * LEGEND_ROW;
}

function drawLegend(
  root: Root,
  top: number,
  entries: readonly Entry[],
  notes: readonly string[],
  oneColumn: boolean,
): void {
  const legend = root
    .append('g')
    .attr('class', 'legend')
    .attr('transform', `translate(${LEFT - 40},${top})`);
  const colW = (W - LEFT + 30) / 2;
  entries.forEach((e, i) => {
    const col = oneColumn ? 0 : i % 2;
    const row = oneColumn ? i : Math.floor(i / 2);
    const g = legend
      .append('g')
      .attr('class', 'legend-entry')
      .attr('transform', `translate(${col * colW},${row * LEGEND_ROW})`);
    e.draw(g);
    const max = oneColumn ? 62 : 28;
    const shown = e.name.length > max ? `${e.name.slice(0, max - 1)}…` : e.name;
    const t = g.append('text').attr('x', 32).attr('y', 10).attr('fill', INK).text(shown);
    if (shown !== e.name) t.append('title').text(e.name);
  });
  const rows = oneColumn ? entries.length : Math.ceil(entries.length / 2);
  notes.forEach((text, i) => {
    legend
      .append('text')
      .attr('class', 'plot-note')
      .attr('x', 0)
      .attr('y', 10 + LEGEND_ROW * (rows + i))
      .attr('fill', '#777')
      .text(text);
  });
}

const shapeOf = (i: number) => SHAPES[i % SHAPES.length] ?? symbolCircle;

function seriesSample(s: Series, i: number, width: number): (g: G) => void {
  return (g) => {
    g.append('line')
      .attr('x1', 0)
      .attr('x2', 26)
      .attr('y1', 6)
      .attr('y2', 6)
      .attr('stroke', s.colour)
      .attr('stroke-width', width)
      .attr('stroke-dasharray', dashOf(s));
    drawSymbol(g, s, s.shape ?? i, 13, 6);
  };
}

function dashOf(s: Series): string | null {
  return s.dash ?? (s.dashed ? B_DASH : null);
}

function drawSymbol(g: G | Root, s: Series, shape: number, x: number, y: number): void {
  g.append('path')
    .attr('class', 'series-marker')
    .attr('transform', `translate(${x},${y})`)
    .attr('d', symbol(shapeOf(shape), 42)() ?? '')
    .attr('fill', s.dashed ? '#fff' : s.colour)
    .attr('stroke', s.colour)
    .attr('stroke-width', 1.3);
}

/** y of a series at x: linear between points, or the last step at or before x (CDFs). */
export function valueAt(points: readonly Point[], x: number, step: boolean): number | null {
  if (points.length === 0) return null;
  const first = points[0] as Point;
  const last = points[points.length - 1] as Point;
  if (x < first.x) return null;
  if (x >= last.x) return step || x === last.x ? last.y : null;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((points[mid] as Point).x <= x) lo = mid;
    else hi = mid;
  }
  const a = points[lo] as Point;
  const b = points[hi] as Point;
  if (step) return a.y;
  return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

export function lineChart(svg: SVGSVGElement, spec: LineChartSpec, emptyNote: string): void {
  const all = spec.series.flatMap((s) => s.points);
  if (all.length === 0) {
    empty(svg, spec.title, emptyNote);
    return;
  }
  const hasRight = spec.series.some((s) => s.axis === 'right' && s.points.length > 0);
  const right = W - (hasRight ? 60 : 18);
  const entries: Entry[] = spec.series.map((s, i) => ({
    name: s.name,
    draw: seriesSample(s, i, 2),
  }));
  if ((spec.markers ?? []).length > 0)
    entries.push({
      name: spec.markerLabel ?? 'event',
      draw: (g) => {
        g.append('line')
          .attr('x1', 13)
          .attr('x2', 13)
          .attr('y1', 0)
          .attr('y2', 12)
          .attr('stroke', '#888')
          .attr('stroke-dasharray', '3 2');
      },
    });
  if ((spec.bands ?? []).length > 0)
    entries.push({
      name: spec.bandLabel ?? 'episode',
      draw: (g) => {
        g.append('rect')
          .attr('x', 2)
          .attr('y', 0)
          .attr('width', 22)
          .attr('height', 12)
          .attr('fill', '#000')
          .attr('fill-opacity', 0.08);
      },
    });
  const notes = spec.legendNotes ?? [];
  const oneColumn = entries.some((e) => e.name.length > 28);
  const height = AREA_BOTTOM + 44 + legendHeight(entries.length, notes.length, oneColumn);
  const root = frame(svg, spec.title, height);
  const xs = [...all.map((p) => p.x), ...(spec.markers ?? [])];
  const x = scaleLinear()
    .domain(spec.xDomain ? [spec.xDomain[0], spec.xDomain[1]] : [min(xs) ?? 0, max(xs) ?? 1])
    .range([LEFT, right]);
  if (!spec.xDomain) x.nice();
  const left = spec.series.filter((s) => s.axis !== 'right').flatMap((s) => s.points);
  const rightPts = spec.series.filter((s) => s.axis === 'right').flatMap((s) => s.points);
  const domainOf = (pts: readonly Point[], fixed?: readonly [number, number]) =>
    fixed
      ? [fixed[0], fixed[1]]
      : [Math.min(0, min(pts, (p) => p.y) ?? 0), Math.max(1e-9, max(pts, (p) => p.y) ?? 1)];
  const y = scaleLinear()
    .domain(domainOf(left.length > 0 ? left : all, spec.yDomain))
    .range([AREA_BOTTOM, TOP]);
  if (!spec.yDomain) y.nice();
  const y2 = scaleLinear().domain(domainOf(rightPts, spec.yDomainRight)).range([AREA_BOTTOM, TOP]);
  if (!spec.yDomainRight) y2.nice();

  const bands = root.append('g').attr('class', 'bands');
  const [d0, d1] = x.domain() as [number, number];
  for (const b of spec.bands ?? []) {
    const x0 = x(Math.max(d0, b.x0));
    const x1 = x(Math.min(d1, b.x1));
    bands
      .append('rect')
      .attr('class', 'episode')
      .attr('x', x0)
      .attr('y', TOP)
      .attr('width', Math.max(1, x1 - x0))
      .attr('height', AREA_BOTTOM - TOP)
      .attr('fill', '#000')
      .attr('fill-opacity', 0.08)
      .append('title')
      .text(b.label);
  }
  styleAxis(
    root
      .append('g')
      .attr('class', 'axis x-axis')
      .attr('transform', `translate(0,${AREA_BOTTOM})`)
      .call(axisBottom(x).ticks(6)),
  );
  styleAxis(
    root
      .append('g')
      .attr('class', 'axis y-axis')
      .attr('transform', `translate(${LEFT},0)`)
      .call(
        spec.yFormat ? axisLeft(y).ticks(5).tickFormat(format(spec.yFormat)) : axisLeft(y).ticks(5),
      ),
  );
  axisLabel(root, spec.xLabel, (LEFT + right) / 2, AREA_BOTTOM + 34);
  axisLabel(root, spec.yLabel, 16, (TOP + AREA_BOTTOM) / 2, -90);
  if (hasRight) {
    styleAxis(
      root
        .append('g')
        .attr('class', 'axis y-axis-right')
        .attr('transform', `translate(${right},0)`)
        .call(
          spec.yFormatRight
            ? axisRight(y2).ticks(5).tickFormat(format(spec.yFormatRight))
            : axisRight(y2).ticks(5),
        ),
    );
    axisLabel(root, spec.yLabelRight ?? '', W - 10, (TOP + AREA_BOTTOM) / 2, 90);
  }
  const markers = root.append('g').attr('class', 'markers');
  for (const t of spec.markers ?? []) {
    if (t < d0 || t > d1) continue;
    markers
      .append('line')
      .attr('class', 'marker')
      .attr('x1', x(t))
      .attr('x2', x(t))
      .attr('y1', TOP)
      .attr('y2', AREA_BOTTOM)
      .attr('stroke', '#888')
      .attr('stroke-dasharray', '3 3')
      .append('title')
      .text(`${spec.markerLabel ?? 'event'} at ${t} s`);
  }
  const n = spec.series.length;
  spec.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const ys = s.axis === 'right' ? y2 : y;
    const pts: Point[] = s.step
      ? stepPoints(s.points, ys.domain()[0] ?? 0, x.domain()[1] ?? 0)
      : [...s.points];
    const d = line<Point>()
      .x((p) => x(p.x))
      .y((p) => ys(p.y))(pts);
    // Earlier series wider: a later equal curve shows as a thin line inside it.
    const width = n > 1 ? 2.8 - (1.4 * i) / (n - 1) : 2;
    root
      .append('path')
      .attr('class', 'series')
      .attr('data-series', s.name)
      .attr('fill', 'none')
      .attr('stroke', s.colour)
      .attr('stroke-width', width)
      .attr('stroke-linejoin', 'round')
      .attr('stroke-dasharray', dashOf(s))
      .attr('d', d ?? '');
    const g = root.append('g').attr('class', 'series-markers').attr('data-series', s.name);
    const shape = s.shape ?? i;
    if (s.points.length <= MARKERS_PER_SERIES) {
      for (const p of s.points) drawSymbol(g, s, shape, x(p.x), ys(p.y));
      return;
    }
    const lo = s.points[0]?.x ?? d0;
    const hi = s.step ? d1 : (s.points[s.points.length - 1]?.x ?? d1);
    const phase = (0.5 + i * 0.618) % 1;
    for (let k = 0; k < MARKERS_PER_SERIES; k++) {
      const at = lo + ((k + phase) * (hi - lo)) / MARKERS_PER_SERIES;
      const v = valueAt(s.points, at, s.step === true);
      if (v !== null) drawSymbol(g, s, shape, x(at), ys(v));
    }
  });
  drawLegend(root, AREA_BOTTOM + 46, entries, notes, oneColumn);
  setPlotTable(
    svg,
    ['series', 'x', 'y', 'x_axis', 'y_axis'],
    spec.series.flatMap((s) =>
      s.points.map((p) => [
        s.name,
        p.x,
        p.y,
        spec.xLabel,
        s.axis === 'right' ? (spec.yLabelRight ?? '') : spec.yLabel,
      ]),
    ),
  );
}

/**
 * CDF step: horizontal to each new x, then up. Starts at the floor before the first point and
 * continues flat to the right edge, so a mode whose pairs all have stretch 1 still shows a line.
 */
function stepPoints(points: readonly Point[], floor: number, right: number): Point[] {
  const out: Point[] = [];
  let prevY = floor;
  for (const p of points) {
    out.push({ x: p.x, y: prevY }, { x: p.x, y: p.y });
    prevY = p.y;
  }
  const last = points[points.length - 1];
  if (last && right > last.x) out.push({ x: right, y: last.y });
  return out;
}

export interface HistogramGroup {
  readonly name: string;
  readonly colour: string;
  /** Hollow bars (the comparison run). */
  readonly hollow?: boolean;
}

/** Histogram of one or more groups on shared bins, bars side by side within each bin. */
export function histogram(
  svg: SVGSVGElement,
  title: string,
  groups: readonly HistogramGroup[],
  bins: readonly SharedBin[],
  xLabel: string,
  yLabel: string,
  emptyNote: string,
): void {
  if (bins.length === 0) {
    empty(svg, title, emptyNote);
    return;
  }
  const entries: Entry[] = groups.map((g) => ({
    name: g.name,
    draw: (e) => {
      e.append('rect')
        .attr('x', 4)
        .attr('y', 0)
        .attr('width', 20)
        .attr('height', 12)
        .attr('fill', g.hollow ? '#fff' : g.colour)
        .attr('stroke', g.colour)
        .attr('stroke-width', 1.5);
    },
  }));
  const showLegend = groups.length > 1;
  const oneColumn = entries.some((e) => e.name.length > 28);
  const height = AREA_BOTTOM + 44 + (showLegend ? legendHeight(entries.length, 0, oneColumn) : 0);
  const root = frame(svg, title, height);
  const right = W - 18;
  const x = scaleLinear()
    .domain([(bins[0] as SharedBin).x0, (bins[bins.length - 1] as SharedBin).x1])
    .range([LEFT, right]);
  const y = scaleLinear()
    .domain([0, max(bins, (b) => max(b.counts)) ?? 1])
    .nice()
    .range([AREA_BOTTOM, TOP]);
  styleAxis(
    root
      .append('g')
      .attr('class', 'axis x-axis')
      .attr('transform', `translate(0,${AREA_BOTTOM})`)
      .call(axisBottom(x).ticks(Math.min(10, bins.length + 1))),
  );
  // Counts are whole nodes: integer ticks only.
  const yTicks = y.ticks(5).filter((t) => Number.isInteger(t));
  styleAxis(
    root
      .append('g')
      .attr('class', 'axis y-axis')
      .attr('transform', `translate(${LEFT},0)`)
      .call(axisLeft(y).tickValues(yTicks).tickFormat(format(',d'))),
  );
  const k = groups.length;
  const bars = root.append('g').attr('class', 'bars');
  for (const b of bins) {
    const bw = Math.max(1, x(b.x1) - x(b.x0) - 2);
    groups.forEach((g, j) => {
      const c = b.counts[j] ?? 0;
      bars
        .append('rect')
        .attr('class', j === 0 ? 'bar' : 'bar bar-b')
        .attr('data-group', g.name)
        .attr('x', x(b.x0) + 1 + (j * bw) / k)
        .attr('width', Math.max(0.5, bw / k - (k > 1 ? 0.5 : 0)))
        .attr('y', y(c))
        .attr('height', y(0) - y(c))
        .attr('fill', g.hollow ? '#fff' : g.colour)
        .attr('stroke', g.hollow ? g.colour : 'none')
        .attr('stroke-width', 1.2)
        .append('title')
        .text(`${g.name}: ${b.x0}–${b.x1 - 1}: ${c} nodes`);
    });
  }
  axisLabel(root, xLabel, (LEFT + right) / 2, AREA_BOTTOM + 34);
  axisLabel(root, yLabel, 16, (TOP + AREA_BOTTOM) / 2, -90);
  if (showLegend) drawLegend(root, AREA_BOTTOM + 46, entries, [], oneColumn);
  setPlotTable(
    svg,
    ['group', 'bin_start', 'bin_end_exclusive', 'count'],
    bins.flatMap((b) => groups.map((g, j) => [g.name, b.x0, b.x1, b.counts[j] ?? 0])),
  );
}

export interface BoxGroup {
  readonly name: string;
  readonly colour: string;
  readonly hollow?: boolean;
  /** One sample per category (e.g. one value per run of a sweep, per grid point). */
  readonly values: readonly (readonly number[])[];
}

/** Five figures of a box plot: quartiles (type 7) and whiskers at the extremes within 1.5 IQR. */
export function boxFigures(values: readonly number[]): {
  q1: number;
  median: number;
  q3: number;
  lo: number;
  hi: number;
} | null {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const q1 = quantileSorted(s, 0.25) as number;
  const median = quantileSorted(s, 0.5) as number;
  const q3 = quantileSorted(s, 0.75) as number;
  const fence = 1.5 * (q3 - q1);
  const lo = s.find((v) => v >= q1 - fence) as number;
  const hi = [...s].reverse().find((v) => v <= q3 + fence) as number;
  return { q1, median, q3, lo, hi };
}

/**
 * Box plots with every sample drawn over them as a dot (a strip), groups side by side within each
 * category. Dots spread sideways by their rank (no random jitter: the same data, the same picture).
 */
export function boxStrip(
  svg: SVGSVGElement,
  title: string,
  yLabel: string,
  categories: readonly string[],
  groups: readonly BoxGroup[],
  emptyNote: string,
): void {
  if (groups.every((g) => g.values.every((v) => v.length === 0))) {
    empty(svg, title, emptyNote);
    return;
  }
  const entries: Entry[] = groups.map((g, i) => ({
    name: g.name,
    draw: (e) => {
      e.append('rect')
        .attr('x', 4)
        .attr('y', 0)
        .attr('width', 20)
        .attr('height', 12)
        .attr('fill', g.hollow ? '#fff' : g.colour)
        .attr('fill-opacity', g.hollow ? 1 : 0.35)
        .attr('stroke', g.colour)
        .attr('stroke-width', 1.5)
        .attr('stroke-dasharray', g.hollow ? '4 2' : null);
      drawSymbol(
        e,
        { name: g.name, points: [], colour: g.colour, dashed: g.hollow === true },
        i,
        14,
        6,
      );
    },
  }));
  const oneColumn = entries.some((e) => e.name.length > 28);
  const height = AREA_BOTTOM + 44 + legendHeight(entries.length, 0, oneColumn);
  const root = frame(svg, title, height);
  const right = W - 18;
  const all = groups.flatMap((g) => g.values.flat());
  const y = scaleLinear()
    .domain([min(all) ?? 0, max(all) ?? 1])
    .nice()
    .range([AREA_BOTTOM, TOP]);
  if (y.domain()[0] === y.domain()[1]) {
    const v = y.domain()[0] as number;
    y.domain([v - 1, v + 1]);
  }
  const x = scaleBand<string>()
    .domain(categories.map((_, i) => String(i)))
    .range([LEFT, right])
    .paddingInner(0.2)
    .paddingOuter(0.1);
  const xAxis = axisBottom(x).tickFormat((i) => {
    const c = categories[Number(i)] ?? '';
    return c.length > 26 ? `${c.slice(0, 25)}…` : c;
  });
  styleAxis(
    root
      .append('g')
      .attr('class', 'axis x-axis')
      .attr('transform', `translate(0,${AREA_BOTTOM})`)
      .call(xAxis),
  );
  styleAxis(
    root
      .append('g')
      .attr('class', 'axis y-axis')
      .attr('transform', `translate(${LEFT},0)`)
      .call(axisLeft(y).ticks(5).tickFormat(format('~g'))),
  );
  const slot = x.bandwidth() / groups.length;
  categories.forEach((_, c) => {
    const cx0 = x(String(c)) ?? LEFT;
    groups.forEach((g, j) => {
      const vals = g.values[c] ?? [];
      const f = boxFigures(vals);
      if (f === null) return;
      const gx = cx0 + j * slot;
      const bw = Math.min(44, slot * 0.6);
      const mid = gx + slot / 2;
      const box = root
        .append('g')
        .attr('class', 'box')
        .attr('data-group', g.name)
        .attr('data-category', categories[c] ?? '');
      // Whiskers: from the box to the extremes within 1.5 IQR (not through the box).
      for (const [from, to] of [
        [f.lo, f.q1],
        [f.q3, f.hi],
      ] as const)
        box
          .append('line')
          .attr('class', 'whisker')
          .attr('x1', mid)
          .attr('x2', mid)
          .attr('y1', y(from))
          .attr('y2', y(to))
          .attr('stroke', g.colour)
          .attr('stroke-width', 1.2);
      box
        .append('rect')
        .attr('x', mid - bw / 2)
        .attr('width', bw)
        .attr('y', y(f.q3))
        .attr('height', Math.max(1, y(f.q1) - y(f.q3)))
        .attr('fill', g.hollow ? '#fff' : g.colour)
        .attr('fill-opacity', g.hollow ? 1 : 0.35)
        .attr('stroke', g.colour)
        .attr('stroke-width', 1.5)
        .attr('stroke-dasharray', g.hollow ? '4 2' : null);
      box
        .append('line')
        .attr('class', 'median')
        .attr('x1', mid - bw / 2)
        .attr('x2', mid + bw / 2)
        .attr('y1', y(f.median))
        .attr('y2', y(f.median))
        .attr('stroke', INK)
        .attr('stroke-width', 2);
      const sorted = [...vals].sort((a, b) => a - b);
      sorted.forEach((v, r) => {
        const off = sorted.length > 1 ? (r / (sorted.length - 1) - 0.5) * bw * 0.7 : 0;
        drawSymbol(
          box as unknown as G,
          { name: g.name, points: [], colour: g.colour, dashed: g.hollow === true },
          j,
          mid + off,
          y(v),
        );
      });
      box
        .append('title')
        .text(
          `${g.name}${categories[c] ? ` · ${categories[c]}` : ''}: n ${vals.length}, median ${format('~g')(f.median)}, IQR ${format('~g')(f.q1)}–${format('~g')(f.q3)}`,
        );
    });
  });
  axisLabel(root, yLabel, 16, (TOP + AREA_BOTTOM) / 2, -90);
  drawLegend(root, AREA_BOTTOM + 46, entries, [], oneColumn);
  setPlotTable(
    svg,
    ['group', 'category', 'value'],
    groups.flatMap((g) =>
      categories.flatMap((cat, c) => (g.values[c] ?? []).map((v) => [g.name, cat, v])),
    ),
  );
}
