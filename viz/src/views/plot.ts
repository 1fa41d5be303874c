/**
 * viz/src/views/plot.ts — small SVG charts with d3 scales and axes: line/step charts with a
 * legend and vertical event markers, and a bar chart. Every series path has class `series`.
 */
import { axisBottom, axisLeft, format, line, max, min, scaleLinear, select } from 'd3';
import type { Bar, Point } from '../model/stats.ts';

export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
  readonly colour: string;
  readonly dashed?: boolean;
  readonly step?: boolean;
}

export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly markers?: readonly number[]; // vertical lines at these x (e.g. topology changes)
  readonly markerLabel?: string;
  readonly yDomain?: readonly [number, number];
  readonly legendBottom?: boolean; // keep the legend off curves that rise at the top left (CDFs)
  /** Legend in a column right of the plot area (curves that fill the whole width). */
  readonly legendRight?: boolean;
  /** Grey lines under the legend entries (e.g. what the plot leaves out). */
  readonly legendNotes?: readonly string[];
  /** Tick format of the y axis (d3-format specifier), e.g. '~s' for 1.2k. */
  readonly yFormat?: string;
}

/** Width reserved for a right-hand legend. */
const LEGEND_W = 96;

const W = 460;
const H = 260;
const M = { top: 28, right: 16, bottom: 42, left: 56 };

function frame(svg: SVGSVGElement, title: string) {
  const root = select(svg);
  root.selectAll('*').remove();
  root.attr('viewBox', `0 0 ${W} ${H}`).attr('role', 'img').attr('aria-label', title);
  root.append('text').attr('class', 'plot-title').attr('x', M.left).attr('y', 16).text(title);
  return root;
}

function empty(svg: SVGSVGElement, title: string, note: string): void {
  frame(svg, title)
    .append('text')
    .attr('class', 'plot-empty')
    .attr('x', W / 2)
    .attr('y', H / 2)
    .attr('text-anchor', 'middle')
    .text(note);
}

export function lineChart(svg: SVGSVGElement, spec: LineChartSpec, emptyNote: string): void {
  const all = spec.series.flatMap((s) => s.points);
  if (all.length === 0) {
    empty(svg, spec.title, emptyNote);
    return;
  }
  const root = frame(svg, spec.title);
  const right = W - M.right - (spec.legendRight ? LEGEND_W : 0);
  const xs = [...all.map((p) => p.x), ...(spec.markers ?? [])];
  const x = scaleLinear()
    .domain([min(xs) ?? 0, max(xs) ?? 1])
    .nice()
    .range([M.left, right]);
  const y = scaleLinear()
    .domain(
      spec.yDomain
        ? [spec.yDomain[0], spec.yDomain[1]]
        : [Math.min(0, min(all, (p) => p.y) ?? 0), max(all, (p) => p.y) ?? 1],
    )
    .nice()
    .range([H - M.bottom, M.top]);
  root
    .append('g')
    .attr('class', 'axis x-axis')
    .attr('transform', `translate(0,${H - M.bottom})`)
    .call(axisBottom(x).ticks(6));
  root
    .append('g')
    .attr('class', 'axis y-axis')
    .attr('transform', `translate(${M.left},0)`)
    .call(
      spec.yFormat ? axisLeft(y).ticks(5).tickFormat(format(spec.yFormat)) : axisLeft(y).ticks(5),
    );
  root
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', (M.left + right) / 2)
    .attr('y', H - 6)
    .attr('text-anchor', 'middle')
    .text(spec.xLabel);
  root
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(spec.yLabel);
  const markers = root.append('g').attr('class', 'markers');
  for (const t of spec.markers ?? []) {
    markers
      .append('line')
      .attr('class', 'marker')
      .attr('x1', x(t))
      .attr('x2', x(t))
      .attr('y1', M.top)
      .attr('y2', H - M.bottom)
      .append('title')
      .text(`${spec.markerLabel ?? 'event'} at ${t} s`);
  }
  for (const s of spec.series) {
    if (s.points.length === 0) continue;
    const pts: Point[] = s.step
      ? stepPoints(s.points, y.domain()[0] ?? 0, x.domain()[1] ?? 0)
      : [...s.points];
    const d = line<Point>()
      .x((p) => x(p.x))
      .y((p) => y(p.y))(pts);
    root
      .append('path')
      .attr('class', 'series')
      .attr('data-series', s.name)
      .attr('fill', 'none')
      .attr('stroke', s.colour)
      .attr('stroke-width', 1.8)
      .attr('stroke-dasharray', s.dashed ? '5 3' : null)
      .attr('d', d ?? '');
  }
  const legendY = spec.legendBottom ? H - M.bottom - 8 - 14 * spec.series.length : M.top;
  const legendX = spec.legendRight ? right + 10 : W - M.right - 130;
  const legend = root
    .append('g')
    .attr('class', 'legend')
    .attr('transform', `translate(${legendX},${legendY})`);
  spec.series.forEach((s, i) => {
    const g = legend.append('g').attr('transform', `translate(0,${i * 14})`);
    g.append('line')
      .attr('x1', 0)
      .attr('x2', 16)
      .attr('y1', 5)
      .attr('y2', 5)
      .attr('stroke', s.colour)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', s.dashed ? '4 2' : null);
    g.append('text').attr('x', 20).attr('y', 9).text(s.name);
  });
  spec.legendNotes?.forEach((text, i) => {
    legend
      .append('text')
      .attr('class', 'plot-note')
      .attr('x', 0)
      .attr('y', 9 + 14 * (spec.series.length + i))
      .text(text);
  });
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

export function barChart(
  svg: SVGSVGElement,
  title: string,
  bars: readonly Bar[],
  xLabel: string,
  yLabel: string,
  emptyNote: string,
): void {
  if (bars.length === 0) {
    empty(svg, title, emptyNote);
    return;
  }
  const root = frame(svg, title);
  const x = scaleLinear()
    .domain([bars[0]!.x0, bars[bars.length - 1]!.x1])
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([0, max(bars, (b) => b.count) ?? 1])
    .nice()
    .range([H - M.bottom, M.top]);
  root
    .append('g')
    .attr('class', 'axis x-axis')
    .attr('transform', `translate(0,${H - M.bottom})`)
    .call(axisBottom(x).ticks(Math.min(10, bars.length + 1)));
  // Counts are whole nodes: integer ticks only.
  const yTicks = y.ticks(5).filter((t) => Number.isInteger(t));
  root
    .append('g')
    .attr('class', 'axis y-axis')
    .attr('transform', `translate(${M.left},0)`)
    .call(axisLeft(y).tickValues(yTicks).tickFormat(format(',d')));
  root
    .append('g')
    .selectAll('rect')
    .data(bars)
    .join('rect')
    .attr('class', 'bar')
    .attr('x', (b) => x(b.x0) + 1)
    .attr('width', (b) => Math.max(1, x(b.x1) - x(b.x0) - 2))
    .attr('y', (b) => y(b.count))
    .attr('height', (b) => y(0) - y(b.count))
    .append('title')
    .text((b) => `${b.x0}–${b.x1 - 1}: ${b.count} nodes`);
  root
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', (M.left + W - M.right) / 2)
    .attr('y', H - 6)
    .attr('text-anchor', 'middle')
    .text(xLabel);
  root
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(yLabel);
}
