/**
 * viz/src/model/keyspace.ts — the snake seen in key space: each node's true predecessor (the
 * greatest smaller key in its connected component, PROTOCOL.md §6.1 and results/convergence.ts),
 * its descending pointer as an arc between key ranks, and which pointers are wrong.
 * Only nodes topology.json lists have keys; a snapshot's other nodes (removed before the end) are
 * left out, and pointers to them are counted as unresolved rather than judged.
 */
import { type GraphModel, type NetState, UNKNOWN_NODE } from './graph.ts';

export interface KeyArc {
  readonly from: number; // node index
  readonly to: number; // its descending neighbour
  readonly ranks: number; // |key-rank distance|, ≥ 1
  readonly wrong: boolean; // `to` is not the true predecessor of `from`
}

export interface KeyspaceModel {
  /** True predecessor per node index, -1 for the smallest key of a component or absent nodes. */
  readonly pred: Int32Array;
  readonly arcs: KeyArc[];
  /** Present nodes that have a true predecessor but no descending pointer. */
  readonly missing: number[];
  /** Present nodes whose pointer is wrong: a wrong arc, a missing pointer, or one that should be none. */
  readonly wrong: number;
  /** Present nodes pointing at a node topology.json does not list (not judged, not drawn). */
  readonly unresolved: number;
}

/** Component id per node index over the state's links among present nodes (absent: -1). */
export function componentsOf(n: number, st: NetState): Int32Array {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[x] !== r) {
      const next = parent[x]!;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  for (const [a, b] of st.links) {
    if (!st.present[a] || !st.present[b]) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra] = rb;
  }
  const comp = new Int32Array(n);
  for (let i = 0; i < n; i++) comp[i] = st.present[i] ? find(i) : -1;
  return comp;
}

export function keyspaceModel(g: GraphModel, st: NetState): KeyspaceModel {
  const n = g.nodes.length;
  const byRank = new Int32Array(n);
  for (const node of g.nodes) byRank[node.keyRank] = node.index;
  const comp = componentsOf(n, st);
  // Walk keys in ascending order; the last node seen in each component is the next one's predecessor.
  const lastIn = new Int32Array(n).fill(-1);
  const pred = new Int32Array(n).fill(-1);
  for (let r = 0; r < n; r++) {
    const i = byRank[r]!;
    const c = comp[i]!;
    if (c < 0) continue;
    pred[i] = lastIn[c]!;
    lastIn[c] = i;
  }
  const arcs: KeyArc[] = [];
  const missing: number[] = [];
  let wrong = 0;
  let unresolved = 0;
  for (let i = 0; i < n; i++) {
    if (!st.present[i]) continue;
    const d = st.descending[i]!;
    if (d === UNKNOWN_NODE) {
      unresolved++;
      continue;
    }
    const p = pred[i]!;
    if (d !== p) wrong++;
    if (d >= 0) {
      arcs.push({
        from: i,
        to: d,
        ranks: Math.max(1, Math.abs(g.nodes[i]!.keyRank - g.nodes[d]!.keyRank)),
        wrong: d !== p,
      });
    } else if (p >= 0) missing.push(i);
  }
  return { pred, arcs, missing, wrong, unresolved };
}

/**
 * Arc height in pixels for a key-rank distance: logarithmic, so a pointer to the adjacent key
 * (the converged snake) is still `min` pixels high and a pointer across all n keys reaches `max`.
 */
export function arcHeight(ranks: number, n: number, min: number, max: number): number {
  if (n <= 2) return min;
  const f = Math.log(Math.max(1, ranks)) / Math.log(n - 1);
  return min + (max - min) * Math.min(1, f);
}
