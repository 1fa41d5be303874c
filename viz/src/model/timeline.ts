/**
 * viz/src/model/timeline.ts — snapshot timeline: which snapshot is current at a time, stepping,
 * and position interpolation between two snapshots that record x,y.
 */
import type { Snapshot } from '../../../results/schema.ts';

/** Index of the last snapshot with time_s ≤ t (snapshots sorted by time); -1 before the first. */
export function snapshotIndexAt(snaps: readonly Snapshot[], t: number): number {
  let lo = 0;
  let hi = snaps.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (snaps[mid]!.time_s <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Sorted copy (stable for equal times) so files written out of order still scrub forwards. */
export function sortSnapshots(snaps: readonly Snapshot[]): Snapshot[] {
  return snaps
    .map((s, i) => [s, i] as const)
    .sort((a, b) => a[0].time_s - b[0].time_s || a[1] - b[1])
    .map(([s]) => s);
}

/**
 * Step a timeline position by delta within [0, count - 1]; with wrap, stepping past the end goes
 * back to 0 (used by play).
 */
export function step(pos: number, delta: number, count: number, wrap = false): number {
  if (count <= 0) return 0;
  const next = pos + delta;
  if (wrap) return ((next % count) + count) % count;
  return Math.max(0, Math.min(count - 1, next));
}

/**
 * Positions between snapshot a and b at fraction f ∈ [0, 1]: linear for nodes present with x,y in
 * both, else the position from whichever snapshot has one. Map name → [x, y].
 */
export function interpolatePositions(
  a: Snapshot,
  b: Snapshot,
  f: number,
): Map<string, [number, number]> {
  const t = Math.max(0, Math.min(1, f));
  const out = new Map<string, [number, number]>();
  const fromA = new Map<string, [number, number]>();
  for (const n of a.nodes)
    if (n.x !== undefined && n.y !== undefined) fromA.set(n.name, [n.x, n.y]);
  for (const n of b.nodes) {
    const pa = fromA.get(n.name);
    if (n.x !== undefined && n.y !== undefined) {
      out.set(n.name, pa ? [pa[0] + (n.x - pa[0]) * t, pa[1] + (n.y - pa[1]) * t] : [n.x, n.y]);
    } else if (pa) out.set(n.name, pa);
  }
  for (const [name, p] of fromA) if (!out.has(name)) out.set(name, p);
  return out;
}
