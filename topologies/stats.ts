/**
 * topologies/stats.ts — topology statistics: counts, components, degrees, diameter, mean distance.
 *
 * Distances are hop counts by BFS over a CSR (compressed sparse row) copy of the graph in typed
 * arrays. Up to `exactLimit` nodes every node is a BFS source (exact all pairs); above it a seeded
 * sample of sources is used and the result says so (`exact: false`, `sources`): the diameter is
 * then a lower bound (the largest eccentricity seen) and the mean distance an unbiased estimate.
 * Distances only count connected pairs: on a disconnected graph they describe the components.
 */
import seedrandom from 'seedrandom';
import type { TopoGraph } from './graph.ts';

/** The reference router accepts at most 253 peerings (ports 1..253, PROTOCOL.md §4.1). */
export const MAX_PORTS = 253;

export interface Csr {
  readonly n: number;
  /** Neighbours of node i are targets[offsets[i] .. offsets[i+1]), in edge insertion order. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  /** Node names by index (graph insertion order). */
  readonly names: readonly string[];
}

export function buildCsr(graph: TopoGraph): Csr {
  const n = graph.order;
  const names: string[] = new Array(n);
  const index = new Map<string, number>();
  let i = 0;
  graph.forEachNode((key) => {
    names[i] = key;
    index.set(key, i);
    i++;
  });
  const offsets = new Int32Array(n + 1);
  const m = graph.size;
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  let e = 0;
  graph.forEachEdge((_k, _a, s, t) => {
    const a = index.get(s)!;
    const b = index.get(t)!;
    src[e] = a;
    dst[e] = b;
    e++;
    offsets[a + 1]!++;
    offsets[b + 1]!++;
  });
  for (let k = 0; k < n; k++) offsets[k + 1]! += offsets[k]!;
  const fill = offsets.slice(0, n);
  const targets = new Int32Array(2 * m);
  for (let k = 0; k < m; k++) {
    const a = src[k]!;
    const b = dst[k]!;
    targets[fill[a]!++] = b;
    targets[fill[b]!++] = a;
  }
  return { n, offsets, targets, names };
}

export interface DegreeStats {
  readonly min: number;
  readonly median: number;
  readonly mean: number;
  readonly max: number;
}

export interface TopologyStats {
  readonly nodes: number;
  readonly links: number;
  readonly components: number;
  /** Nodes in the largest component. */
  readonly largestComponent: number;
  readonly isolated: number;
  readonly degree: DegreeStats;
  /** Nodes with more links than a reference router accepts (it refuses the rest). */
  readonly overPortLimit: number;
  /** Largest hop distance between connected nodes (a lower bound when not exact). */
  readonly diameter: number;
  /** Mean hop distance over ordered pairs of distinct connected nodes. */
  readonly meanDistance: number;
  /** True when every node was a BFS source. */
  readonly exact: boolean;
  /** BFS sources used. */
  readonly sources: number;
}

export interface StatsOptions {
  /** Seed for the source sample (only used when sampling). */
  readonly seed?: string;
  /** Graphs with at most this many nodes get exact all-pairs distances (default 3000). */
  readonly exactLimit?: number;
  /** Sources sampled above exactLimit (default 1000). */
  readonly sampleSources?: number;
}

export const DEFAULT_EXACT_LIMIT = 3000;
export const DEFAULT_SAMPLE_SOURCES = 1000;

/** Median of sorted values; the mean of the two middle ones for an even count. */
function median(sorted: Int32Array): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function topologyStats(graph: TopoGraph, options: StatsOptions = {}): TopologyStats {
  const csr = buildCsr(graph);
  const { n, offsets } = csr;
  const degrees = new Int32Array(n);
  let overPortLimit = 0;
  let isolated = 0;
  for (let i = 0; i < n; i++) {
    const d = offsets[i + 1]! - offsets[i]!;
    degrees[i] = d;
    if (d > MAX_PORTS) overPortLimit++;
    if (d === 0) isolated++;
  }
  const sortedDeg = degrees.slice().sort();
  const degree: DegreeStats = {
    min: n > 0 ? sortedDeg[0]! : 0,
    median: median(sortedDeg),
    mean: n > 0 ? (2 * graph.size) / n : 0,
    max: n > 0 ? sortedDeg[n - 1]! : 0,
  };

  const { components, largest } = countComponents(csr);

  const exactLimit = options.exactLimit ?? DEFAULT_EXACT_LIMIT;
  const exact = n <= exactLimit;
  let sources: Int32Array;
  if (exact) {
    sources = new Int32Array(n);
    for (let i = 0; i < n; i++) sources[i] = i;
  } else {
    sources = sampleSources(n, options.sampleSources ?? DEFAULT_SAMPLE_SOURCES, options.seed ?? '');
  }
  const { diameter, meanDistance } = distances(csr, sources);
  return {
    nodes: n,
    links: graph.size,
    components,
    largestComponent: largest,
    isolated,
    degree,
    overPortLimit,
    diameter,
    meanDistance,
    exact,
    sources: sources.length,
  };
}

export function countComponents(csr: Csr): { components: number; largest: number } {
  const { n, offsets, targets } = csr;
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  let components = 0;
  let largest = 0;
  for (let s = 0; s < n; s++) {
    if (seen[s]) continue;
    components++;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    seen[s] = 1;
    while (head < tail) {
      const u = queue[head++]!;
      for (let k = offsets[u]!, end = offsets[u + 1]!; k < end; k++) {
        const v = targets[k]!;
        if (!seen[v]) {
          seen[v] = 1;
          queue[tail++] = v;
        }
      }
    }
    if (tail > largest) largest = tail;
  }
  return { components, largest };
}

/** `k` distinct node indices (all of them if k ≥ n), by a seeded partial Fisher–Yates shuffle. */
export function sampleSources(n: number, k: number, seed: string): Int32Array {
  const count = Math.min(n, Math.max(1, k));
  const rng = seedrandom(`${seed}/topology-stats`);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm.slice(0, count).sort();
}

/**
 * BFS from each source. `dist` is reused across sources with a generation stamp instead of being
 * cleared (saves an O(n) fill per source).
 */
export function distances(
  csr: Csr,
  sources: Int32Array,
): { diameter: number; meanDistance: number; pairs: number } {
  const { n, offsets, targets } = csr;
  const stamp = new Int32Array(n).fill(-1);
  const dist = new Int32Array(n);
  const queue = new Int32Array(n);
  let diameter = 0;
  let sum = 0;
  let pairs = 0;
  for (let si = 0; si < sources.length; si++) {
    const s = sources[si]!;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    stamp[s] = si;
    dist[s] = 0;
    let local = 0;
    while (head < tail) {
      const u = queue[head++]!;
      const du = dist[u]! + 1;
      for (let k = offsets[u]!, end = offsets[u + 1]!; k < end; k++) {
        const v = targets[k]!;
        if (stamp[v] !== si) {
          stamp[v] = si;
          dist[v] = du;
          queue[tail++] = v;
          local += du;
        }
      }
    }
    sum += local;
    pairs += tail - 1;
    const ecc = dist[queue[tail - 1]!]!;
    if (ecc > diameter) diameter = ecc;
  }
  return { diameter, meanDistance: pairs > 0 ? sum / pairs : 0, pairs };
}

/** Human-readable multi-line report (what `pinelab topo stats` prints without --json). */
export function formatStats(stats: TopologyStats, source: string, digest?: string): string {
  const f2 = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  const d = stats.degree;
  const how = stats.exact
    ? 'exact, all pairs'
    : `sampled: ${stats.sources} BFS sources, diameter is a lower bound`;
  const lines = [
    `topology     ${source}`,
    ...(digest ? [`digest       ${digest}`] : []),
    `nodes        ${stats.nodes}`,
    `links        ${stats.links}`,
    `components   ${stats.components} (largest ${stats.largestComponent} nodes${stats.isolated ? `, ${stats.isolated} isolated` : ''})`,
    `degree       min ${d.min}  median ${f2(d.median)}  mean ${d.mean.toFixed(2)}  max ${d.max}`,
    `diameter     ${stats.exact ? '' : '≥'}${stats.diameter} hops (${how})`,
    `mean dist    ${stats.meanDistance.toFixed(2)} hops`,
  ];
  if (stats.overPortLimit > 0) {
    lines.push(
      `port limit   ${stats.overPortLimit} node(s) have more than ${MAX_PORTS} links; a Pinecone router refuses the rest`,
    );
  }
  return `${lines.join('\n')}\n`;
}
