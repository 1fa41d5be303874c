/**
 * results/graph.ts — the measurement graph: a compressed adjacency (CSR) of the up links and
 * breadth-first search on it (hop distances for stretch, tree depth and components).
 */

export interface Csr {
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
}

/** Build from node names and links ([a, b] once each); neighbours in link order. */
export function buildCsr(
  names: readonly string[],
  links: readonly (readonly [string, string])[],
): Csr {
  const index = new Map<string, number>();
  for (let i = 0; i < names.length; i++) index.set(names[i] as string, i);
  const degree = new Int32Array(names.length + 1);
  for (const [a, b] of links) {
    const ia = index.get(a);
    const ib = index.get(b);
    if (ia === undefined || ib === undefined) continue;
    degree[ia + 1] = (degree[ia + 1] as number) + 1;
    degree[ib + 1] = (degree[ib + 1] as number) + 1;
  }
  for (let i = 1; i < degree.length; i++)
    degree[i] = (degree[i] as number) + (degree[i - 1] as number);
  const offsets = degree.slice();
  const fill = degree.slice(0, names.length);
  const targets = new Int32Array(offsets[names.length] as number);
  for (const [a, b] of links) {
    const ia = index.get(a);
    const ib = index.get(b);
    if (ia === undefined || ib === undefined) continue;
    const fa = fill[ia] as number;
    const fb = fill[ib] as number;
    targets[fa] = ib;
    targets[fb] = ia;
    fill[ia] = fa + 1;
    fill[ib] = fb + 1;
  }
  return { names, index, offsets, targets };
}

/** Hop distances from `source` (−1 = unreachable) and BFS predecessors (−1 = none). */
export function bfs(g: Csr, source: number): { dist: Int32Array; prev: Int32Array } {
  const n = g.names.length;
  const dist = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  dist[source] = 0;
  queue[tail++] = source;
  while (head < tail) {
    const u = queue[head++] as number;
    const du = (dist[u] as number) + 1;
    for (let k = g.offsets[u] as number, end = g.offsets[u + 1] as number; k < end; k++) {
      const v = g.targets[k] as number;
      if (dist[v] === -1) {
        dist[v] = du;
        prev[v] = u;
        queue[tail++] = v;
      }
    }
  }
  return { dist, prev };
}

/** The path source → target from BFS predecessors, as names (empty when unreachable). */
export function pathTo(g: Csr, prev: Int32Array, source: number, target: number): string[] {
  const out: string[] = [];
  let v = target;
  while (v !== -1) {
    out.push(g.names[v] as string);
    if (v === source) return out.reverse();
    v = prev[v] as number;
  }
  return [];
}

/** Connected component id per node (ids in order of first node). */
export function components(g: Csr): Int32Array {
  const n = g.names.length;
  const comp = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  let next = 0;
  for (let s = 0; s < n; s++) {
    if (comp[s] !== -1) continue;
    let top = 0;
    stack[top++] = s;
    comp[s] = next;
    while (top > 0) {
      const u = stack[--top] as number;
      for (let k = g.offsets[u] as number, end = g.offsets[u + 1] as number; k < end; k++) {
        const v = g.targets[k] as number;
        if (comp[v] === -1) {
          comp[v] = next;
          stack[top++] = v;
        }
      }
    }
    next++;
  }
  return comp;
}
