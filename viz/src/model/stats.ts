/**
 * viz/src/model/stats.ts — distributions and series for the plots: CDFs, time series grouped by
 * metric, the frame types present, histograms.
 */
import { bin } from 'd3';
import type { NodeRow, PairRow, RoutingMode, TimeseriesRow } from '../../../results/schema.ts';
import { MODES } from './modes.ts';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * Empirical CDF as step points: for each distinct value v (ascending), y = fraction of samples
 * ≤ v. Non-finite samples are ignored.
 */
export function cdf(values: readonly number[]): Point[] {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const out: Point[] = [];
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (i + 1 < s.length && s[i + 1] === v) continue;
    out.push({ x: v, y: (i + 1) / s.length });
  }
  return out;
}

/** Stretch CDF per routing mode, from delivered pairs only (stretch is '' otherwise). */
export function stretchCdfs(pairs: readonly PairRow[]): Map<RoutingMode, Point[]> {
  const byMode = new Map<RoutingMode, number[]>();
  for (const p of pairs) {
    if (p.outcome !== 'delivered' || p.stretch === '') continue;
    let list = byMode.get(p.mode);
    if (!list) {
      list = [];
      byMode.set(p.mode, list);
    }
    list.push(p.stretch);
  }
  const out = new Map<RoutingMode, Point[]>();
  for (const mode of MODES) {
    const list = byMode.get(mode);
    if (list && list.length > 0) out.set(mode, cdf(list));
  }
  return out;
}

/** Long-format time series → one sorted series per metric. */
export function groupSeries(rows: readonly TimeseriesRow[]): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  for (const r of rows) {
    let s = out.get(r.metric);
    if (!s) {
      s = [];
      out.set(r.metric, s);
    }
    s.push({ x: r.time_s, y: r.value });
  }
  for (const s of out.values()) s.sort((a, b) => a.x - b.x);
  return out;
}

/** Times of topology_change rows (for markers), ascending, deduplicated. */
export function topologyChanges(rows: readonly TimeseriesRow[]): number[] {
  return [...new Set(rows.filter((r) => r.metric === 'topology_change').map((r) => r.time_s))].sort(
    (a, b) => a - b,
  );
}

/**
 * Control-overhead series keyed by frame type (metric `frames_<type>` or `bytes_<type>`: sent per
 * virtual second, results/schema.ts TimeseriesRow), type names sorted.
 */
export function frameSeries(
  series: ReadonlyMap<string, Point[]>,
  unit: 'frames' | 'bytes' = 'frames',
): [string, Point[]][] {
  const prefix = `${unit}_`;
  return [...series.entries()]
    .filter(([m]) => m.startsWith(prefix))
    .map(([m, s]): [string, Point[]] => [m.slice(prefix.length), s])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Table entries installed per virtual second (metric `table_installs`, results/schema.ts), the
 * table churn of moving bootstrap paths; null when the run has no such series or it is all zero.
 */
export function installSeries(series: ReadonlyMap<string, Point[]>): Point[] | null {
  const pts = series.get('table_installs');
  return pts?.some((p) => p.y !== 0) ? pts : null;
}

/** Split overhead series into those with any non-zero value and the names of all-zero ones. */
export function splitSilent(series: readonly [string, Point[]][]): {
  readonly active: [string, Point[]][];
  readonly silent: string[];
} {
  const active: [string, Point[]][] = [];
  const silent: string[] = [];
  for (const [name, pts] of series) {
    if (pts.some((p) => p.y !== 0)) active.push([name, pts]);
    else silent.push(name);
  }
  return { active, silent };
}

export interface Bar {
  readonly x0: number;
  readonly x1: number;
  readonly count: number;
}

/** Integer-width histogram of routing-table sizes (one bin per size when the range is small). */
export function tableSizeHistogram(nodes: readonly NodeRow[]): Bar[] {
  if (nodes.length === 0) return [];
  const values = nodes.map((n) => n.table_size);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const width = Math.max(1, Math.ceil((hi - lo + 1) / 40));
  const thresholds: number[] = [];
  for (let t = lo + width; t <= hi; t += width) thresholds.push(t);
  return bin()
    .domain([lo, hi + width])
    .thresholds(thresholds)(values)
    .map((b) => ({ x0: b.x0 ?? lo, x1: b.x1 ?? hi, count: b.length }));
}
