/**
 * results/metrics.ts — pure summary functions: distributions, stretch summaries, delivery counts.
 * No simulation state here: every function takes plain numbers or records (table-tested).
 */
import type { DeliverySummary, Distribution, Reached, StretchSummary } from './schema.ts';

/** Nearest-rank percentile of sorted values (p in [0, 100]); NaN for an empty list. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** mean / p50 / p95 / max of `values` (zeros for an empty list, so JSON stays numeric). */
export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { mean: 0, p50: 0, p95: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: round(sum / sorted.length),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] as number,
  };
}

/**
 * schema.ts Reached from per-node times ('' = not correct at the end): the nearest-rank
 * percentile (as `percentile`) over all n nodes, a node that never settled counting as +∞, so a
 * share fewer nodes ever reached is null.
 */
export function reached(times: readonly (number | '')[]): Reached {
  const sorted = Float64Array.from(times, (t) => (t === '' ? Number.POSITIVE_INFINITY : t)).sort();
  const at = (p: number): number | null => {
    const t = percentile(sorted, p);
    return Number.isFinite(t) ? t : null;
  };
  return { p50: at(50), p90: at(90), p99: at(99) };
}

/** Round to 9 significant decimals: stable JSON across platforms for means of many values. */
export function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1e9) / 1e9 : v;
}

export interface PathMeasure {
  readonly hops: number;
  readonly shortest: number;
}

/** Stretch summary over pairs delivered to the right node (shortest ≥ 1). */
export function stretchSummary(
  delivered: readonly PathMeasure[],
  sampled: boolean,
): StretchSummary {
  const stretches: number[] = [];
  let shortestCount = 0;
  for (const d of delivered) {
    if (d.shortest <= 0) continue;
    stretches.push(d.hops / d.shortest);
    if (d.hops === d.shortest) shortestCount++;
  }
  const dist = distribution(stretches);
  return {
    ...dist,
    p50: round(dist.p50),
    p95: round(dist.p95),
    max: round(dist.max),
    pairs: stretches.length,
    sampled,
    shortestShare: stretches.length === 0 ? 0 : round(shortestCount / stretches.length),
  };
}

export type ProbeResult =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'misdelivered' }
  | { readonly kind: 'dropped'; readonly reason: string }
  | { readonly kind: 'lost' };

/** Mutable delivery counter; `summary()` gives the schema's DeliverySummary. */
export class DeliveryCounter {
  sent = 0;
  delivered = 0;
  misdelivered = 0;
  readonly dropped = new Map<string, number>();
  add(r: ProbeResult): void {
    this.sent++;
    if (r.kind === 'delivered') this.delivered++;
    else if (r.kind === 'misdelivered') this.misdelivered++;
    else if (r.kind === 'dropped')
      this.dropped.set(r.reason, (this.dropped.get(r.reason) ?? 0) + 1);
  }
  summary(): DeliverySummary {
    let dropped = 0;
    const byReason: Record<string, number> = {};
    for (const k of [...this.dropped.keys()].sort()) {
      const v = this.dropped.get(k) as number;
      byReason[k] = v;
      dropped += v;
    }
    return {
      sent: this.sent,
      delivered: this.delivered,
      misdelivered: this.misdelivered,
      dropped: byReason,
      lost: this.sent - this.delivered - this.misdelivered - dropped,
    };
  }
}

/** Ratio statistics of tree depth (coordinate length) against BFS distance to the root. */
export interface DepthSummary {
  readonly depth: Distribution;
  readonly bfsDepth: Distribution;
  /** Mean of depth / bfsDepth over non-root nodes reached by BFS (1 = the tree is a BFS tree). */
  readonly ratioMean: number;
  /** Share of non-root nodes whose depth equals their BFS distance. */
  readonly shortestShare: number;
}

export function depthSummary(rows: readonly { depth: number; bfsDepth: number }[]): DepthSummary {
  const depths: number[] = [];
  const bfs: number[] = [];
  let ratio = 0;
  let n = 0;
  let eq = 0;
  for (const r of rows) {
    if (r.bfsDepth < 0) continue; // not in the root's component
    depths.push(r.depth);
    bfs.push(r.bfsDepth);
    if (r.bfsDepth > 0) {
      ratio += r.depth / r.bfsDepth;
      n++;
      if (r.depth === r.bfsDepth) eq++;
    }
  }
  return {
    depth: distribution(depths),
    bfsDepth: distribution(bfs),
    ratioMean: n === 0 ? 1 : round(ratio / n),
    shortestShare: n === 0 ? 1 : round(eq / n),
  };
}
