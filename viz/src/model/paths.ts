/**
 * viz/src/model/paths.ts — path explorer model: the recorded paths of a pair per mode, hop lines,
 * and a BFS shortest path when paths.json has no record for the pair.
 */
import type { PathHop, PathRecord } from '../../../results/schema.ts';
import type { GraphModel, Link } from './graph.ts';
import { MODES } from './modes.ts';

export { MODES };

export type PathIndex = ReadonlyMap<string, PathRecord[]>;

const pairKey = (s: string, d: string): string => `${s}\u0000${d}`;

export function indexPaths(records: readonly PathRecord[]): PathIndex {
  const out = new Map<string, PathRecord[]>();
  for (const r of records) {
    const k = pairKey(r.source, r.destination);
    let list = out.get(k);
    if (!list) {
      list = [];
      out.set(k, list);
    }
    list.push(r);
  }
  return out;
}

/** Recorded paths for (source, destination), in mode order (modes.ts MODES). */
export function pathsFor(idx: PathIndex, source: string, destination: string): PathRecord[] {
  const list = idx.get(pairKey(source, destination)) ?? [];
  return [...list].sort((a, b) => MODES.indexOf(a.mode) - MODES.indexOf(b.mode));
}

/**
 * One line per hop: "1. n1 → n3 (port 2): reason"; the delivering hop has no next. With `towards`
 * (the nodes the reason names by key, namesInReason) the names come first:
 * "1. n1 → n3 (port 2), towards n7: reason".
 */
export function formatHop(hop: PathHop, i: number, towards: readonly string[] = []): string {
  const where =
    hop.next === null
      ? `${hop.node} delivers locally`
      : `${hop.node} → ${hop.next} (port ${hop.port})`;
  const names = towards.length > 0 ? `, towards ${towards.join(', ')}` : '';
  return `${i + 1}. ${where}${names}: ${hop.reason}`;
}

/**
 * The nodes a hop reason names by key prefix ("6790…", as router/forward.ts explainSnek writes
 * them), in order; prefixes no node or several nodes share are left out.
 */
export function namesInReason(g: GraphModel, reason: string): string[] {
  const out: string[] = [];
  for (const m of reason.matchAll(/\b([0-9a-f]{4,})…/g)) {
    const prefix = m[1]!;
    let found = -1;
    for (const n of g.nodes) {
      if (!n.key.startsWith(prefix)) continue;
      found = found === -1 ? n.index : -2;
      if (found === -2) break;
    }
    if (found >= 0) out.push(g.nodes[found]!.name);
  }
  return out;
}

/** Node names visited by a recorded path, source first. */
export function pathNodes(rec: PathRecord): string[] {
  const out = rec.hops.map((h) => h.node);
  // A path that ended undelivered may stop on a forwarding hop: its `next` is the last node seen.
  const last = rec.hops[rec.hops.length - 1];
  if (last && last.next !== null) out.push(last.next);
  return out;
}

/** Consecutive name pairs → index links (unknown names skipped). */
export function namesToLinks(g: GraphModel, names: readonly string[]): Link[] {
  const out: Link[] = [];
  for (let i = 0; i + 1 < names.length; i++) {
    const a = g.index.get(names[i]!);
    const b = g.index.get(names[i + 1]!);
    if (a !== undefined && b !== undefined) out.push([a, b]);
  }
  return out;
}

/** BFS shortest path over the given links; [] when unreachable. */
export function bfsPath(g: GraphModel, links: readonly Link[], from: number, to: number): number[] {
  const adj: number[][] = Array.from({ length: g.nodes.length }, () => []);
  for (const [a, b] of links) {
    adj[a]!.push(b);
    adj[b]!.push(a);
  }
  return shortestPathOn(adj, from, to);
}

/** BFS shortest path over an adjacency list (node indices); [] when unreachable. */
export function shortestPathOn(
  adj: readonly (readonly number[])[],
  from: number,
  to: number,
): number[] {
  const prev = new Int32Array(adj.length).fill(-1);
  const seen = new Uint8Array(adj.length);
  seen[from] = 1;
  const queue = [from];
  for (let h = 0; h < queue.length && !seen[to]; h++) {
    const u = queue[h]!;
    for (const v of adj[u]!) {
      if (!seen[v]) {
        seen[v] = 1;
        prev[v] = u;
        queue.push(v);
      }
    }
  }
  if (!seen[to]) return [];
  const path = [to];
  while (path[path.length - 1] !== from) path.push(prev[path[path.length - 1]!]!);
  return path.reverse();
}
