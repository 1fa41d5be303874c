/**
 * results/stretch.ts — which pairs to probe for path stretch, with their BFS shortest hop counts.
 *
 * Exact: every ordered pair of connected distinct nodes when the network has at most `exactUpTo`
 * nodes. Above that a seeded sample: ⌈sample / 10⌉ sources drawn without replacement, one BFS each,
 * and 10 reachable destinations per source drawn with the same stream (the sample size actually
 * reached is what the summary records as `pairs`).
 */
import type { Rng } from '../base/index.ts';
import { bfs, type Csr, pathTo } from './graph.ts';

export interface ProbePair {
  readonly source: string;
  readonly destination: string;
  readonly shortest: number;
  /** One shortest path (names, source first) when asked for. */
  readonly path: readonly string[] | null;
}

export const DESTINATIONS_PER_SOURCE = 10;

export function selectPairs(
  g: Csr,
  exactUpTo: number,
  sample: number,
  rng: Rng,
  withPaths: boolean,
): { pairs: ProbePair[]; sampled: boolean } {
  const n = g.names.length;
  const pairs: ProbePair[] = [];
  if (n <= exactUpTo) {
    for (let s = 0; s < n; s++) {
      const { dist, prev } = bfs(g, s);
      for (let d = 0; d < n; d++) {
        const h = dist[d] as number;
        if (d === s || h <= 0) continue;
        pairs.push({
          source: g.names[s] as string,
          destination: g.names[d] as string,
          shortest: h,
          path: withPaths ? pathTo(g, prev, s, d) : null,
        });
      }
    }
    return { pairs, sampled: false };
  }
  const sources = Math.min(n, Math.ceil(sample / DESTINATIONS_PER_SOURCE));
  // Partial Fisher–Yates: the first `sources` entries are a uniform sample without replacement.
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < sources; k++) {
    const j = k + Math.floor(rng.next() * (n - k));
    const t = idx[k] as number;
    idx[k] = idx[j] as number;
    idx[j] = t;
  }
  for (let k = 0; k < sources && pairs.length < sample; k++) {
    const s = idx[k] as number;
    const { dist, prev } = bfs(g, s);
    let found = 0;
    for (
      let tries = 0;
      tries < DESTINATIONS_PER_SOURCE * 20 && found < DESTINATIONS_PER_SOURCE;
      tries++
    ) {
      const d = Math.floor(rng.next() * n);
      const h = dist[d] as number;
      if (d === s || h <= 0) continue;
      found++;
      pairs.push({
        source: g.names[s] as string,
        destination: g.names[d] as string,
        shortest: h,
        path: withPaths ? pathTo(g, prev, s, d) : null,
      });
      if (pairs.length >= sample) break;
    }
  }
  return { pairs, sampled: true };
}
