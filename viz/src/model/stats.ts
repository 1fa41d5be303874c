/**
 * viz/src/model/stats.ts — distributions and series for the plots: CDFs, time series grouped by
 * metric, the frame types present, histograms (shared bins for a comparison), stretch and
 * delivery over time, convergence episodes as spans.
 */
import { bin } from 'd3';
import type {
  NodeRow,
  PairRow,
  RoutingMode,
  RunSummary,
  TimeseriesRow,
} from '../../../results/schema.ts';
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

/** Bins shared by several groups (e.g. runs A and B): [x0, x1) and one count per group. */
export interface SharedBin {
  readonly x0: number;
  readonly x1: number;
  readonly counts: readonly number[];
}

/**
 * Integer-width bins over the union of the groups' values (one per value when the range is
 * small, at most about 40), so the groups' bars line up bin by bin. [] when every group is empty.
 */
export function sharedBins(groups: readonly (readonly number[])[]): SharedBin[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const g of groups)
    for (const v of g) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (lo > hi) return [];
  const width = Math.max(1, Math.ceil((hi - lo + 1) / 40));
  const n = Math.floor((hi - lo) / width) + 1;
  const counts = groups.map(() => new Array<number>(n).fill(0));
  groups.forEach((g, j) => {
    for (const v of g) (counts[j] as number[])[Math.floor((v - lo) / width)]! += 1;
  });
  return Array.from({ length: n }, (_, i) => ({
    x0: lo + i * width,
    x1: lo + (i + 1) * width,
    counts: counts.map((c) => c[i] ?? 0),
  }));
}

/** Stretch (mean) and delivery (fraction) of one mode over virtual time. */
export interface ModeOverTime {
  readonly stretch: Point[];
  readonly delivery: Point[];
}

/**
 * Stretch and delivery per mode over time: the earlier measurements (timeseries
 * stretch_<mode>_mean and delivery_<mode>: `stretch` actions, measure.stretchEvery) and the final
 * one (the summary, at the end of the run). Empty when the run measured nothing before its end:
 * one point per mode is not a curve.
 */
export function stretchOverTime(
  rows: readonly TimeseriesRow[],
  summary: RunSummary | null,
): Map<RoutingMode, ModeOverTime> {
  const series = groupSeries(rows);
  const out = new Map<RoutingMode, ModeOverTime>();
  const end = summary?.virtualSeconds;
  for (const mode of MODES) {
    const stretch = [...(series.get(`stretch_${mode}_mean`) ?? [])];
    const delivery = [...(series.get(`delivery_${mode}`) ?? [])];
    if (stretch.length === 0 && delivery.length === 0) continue;
    const s = summary?.stretch?.[mode];
    const d = summary?.delivery?.[mode];
    if (end !== undefined && s && s.pairs > 0) stretch.push({ x: end, y: s.mean });
    if (end !== undefined && d && d.sent > 0) delivery.push({ x: end, y: d.delivered / d.sent });
    out.set(mode, { stretch, delivery });
  }
  return out;
}

/** A convergence episode as a span of time: from its start until converged (or its end). */
export interface EpisodeSpan {
  readonly x0: number;
  readonly x1: number;
  readonly label: string;
}

/**
 * The summary's episodes (results/schema.ts EpisodeSummary) as spans from their start until the
 * snake (else the tree) converged; one that never did runs to the next episode or the run's end.
 * Start-up is left out (it is the whole left of the plot); so are root refreshes (no topology
 * change, README "The model").
 */
export function episodeSpans(summary: RunSummary | null): EpisodeSpan[] {
  const eps = summary?.episodes ?? [];
  const end = summary?.virtualSeconds ?? 0;
  return eps.flatMap((e, i) => {
    if (e.kind === 'start-up' || e.kind === 'root-refresh') return [];
    const next = eps[i + 1]?.start ?? end;
    const took = e.snake ?? e.tree;
    const x1 = took === null ? next : Math.min(next, e.start + took);
    const conv =
      took === null ? 'not converged before the next change' : `converged after ${took} s`;
    return [{ x0: e.start, x1, label: `${e.kind}: ${e.cause} at ${e.start} s — ${conv}` }];
  });
}
