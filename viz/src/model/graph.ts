/**
 * viz/src/model/graph.ts — the topology as a view model: nodes with key order and a position,
 * links as index pairs, and the routing state (tree parents, snake descending neighbours) taken
 * either from the final nodes.csv or from one snapshot of snapshots.json.
 */
import {
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  hierarchy,
  tree as treeLayout,
} from 'd3';
import type { NodeRow, Snapshot, TopologyFile } from '../../../results/schema.ts';
import { parseCoords } from './csv.ts';

export interface VNode {
  readonly name: string;
  readonly key: string; // lower-case hex
  readonly index: number;
  /** 0 = smallest key; keys are fixed-length hex so string order is byte order (PROTOCOL.md §2). */
  keyRank: number;
  x: number;
  y: number;
}

export type Link = readonly [number, number];

export interface GraphModel {
  readonly nodes: VNode[];
  readonly index: ReadonlyMap<string, number>;
  readonly links: Link[];
}

/** Routing state per node, by node index: -1 where there is no parent / descending neighbour. */
export interface NetState {
  readonly parent: Int32Array;
  readonly descending: Int32Array;
  readonly depth: Int32Array; // coordinate length, -1 unknown
  readonly isRoot: Uint8Array; // 1 when the node's root key is its own key
  readonly present: Uint8Array; // 0 for nodes absent from a snapshot
  readonly links: Link[];
  readonly label: string;
  /**
   * Nodes of a snapshot that topology.json does not list (nodes removed before the end of the
   * run): they cannot be drawn or placed in key space. Pointers to them are UNKNOWN_NODE.
   */
  unknown: number;
}

/** descending / parent value for a node named in a snapshot but absent from topology.json. */
export const UNKNOWN_NODE = -2;

export class ModelError extends Error {
  override readonly name = 'ModelError';
}

export function buildGraph(topo: TopologyFile, file = 'topology.json'): GraphModel {
  const index = new Map<string, number>();
  const nodes: VNode[] = topo.nodes.map((n, i) => {
    if (index.has(n.name)) throw new ModelError(`${file}: node "${n.name}" is listed twice`);
    index.set(n.name, i);
    return {
      name: n.name,
      key: n.key.toLowerCase(),
      index: i,
      keyRank: 0,
      x: n.x ?? Number.NaN,
      y: n.y ?? Number.NaN,
    };
  });
  const order = nodes
    .map((_, i) => i)
    .sort((a, b) => {
      const ka = nodes[a]!.key;
      const kb = nodes[b]!.key;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  order.forEach((node, rank) => {
    nodes[node]!.keyRank = rank;
  });
  const links = resolveLinks(
    topo.links.map((l) => [l.source, l.target] as const),
    index,
    file,
  );
  return { nodes, index, links };
}

function resolveLinks(
  pairs: readonly (readonly [string, string])[],
  index: ReadonlyMap<string, number>,
  file: string,
): Link[] {
  return pairs.map(([s, t], i) => {
    const a = index.get(s);
    const b = index.get(t);
    if (a === undefined || b === undefined) {
      throw new ModelError(
        `${file}: link ${i + 1} names unknown node "${a === undefined ? s : t}"`,
      );
    }
    return [a, b] as const;
  });
}

function lookup(index: ReadonlyMap<string, number>, name: string | null | undefined): number {
  if (!name) return -1;
  return index.get(name) ?? -1;
}

/** Final state from nodes.csv. Nodes missing from the CSV are marked absent. */
export function stateFromNodes(g: GraphModel, rows: readonly NodeRow[]): NetState {
  const n = g.nodes.length;
  const st = emptyState(n, g.links, 'final state (nodes.csv)');
  for (const r of rows) {
    const i = g.index.get(r.node);
    if (i === undefined) continue;
    st.present[i] = 1;
    st.parent[i] = lookup(g.index, r.parent);
    st.descending[i] = lookup(g.index, r.descending);
    st.depth[i] = r.depth;
    st.isRoot[i] = r.root !== '' && r.root === g.nodes[i]!.key ? 1 : 0;
  }
  return st;
}

export function stateFromSnapshot(g: GraphModel, snap: Snapshot): NetState {
  const label = `t = ${snap.time_s} s${snap.label ? ` — ${snap.label}` : ''}`;
  const known = snap.links.filter(([a, b]) => g.index.has(a) && g.index.has(b));
  const st = emptyState(g.nodes.length, resolveLinks(known, g.index, 'snapshots.json'), label);
  for (const s of snap.nodes) {
    const i = g.index.get(s.name);
    if (i === undefined) {
      st.unknown++;
      continue;
    }
    st.present[i] = 1;
    st.parent[i] = lookup(g.index, s.parent);
    st.descending[i] =
      s.descending && !g.index.has(s.descending) ? UNKNOWN_NODE : lookup(g.index, s.descending);
    st.depth[i] = s.coords.length;
    st.isRoot[i] = s.root.toLowerCase() === g.nodes[i]!.key ? 1 : 0;
  }
  return st;
}

function emptyState(n: number, links: Link[], label: string): NetState {
  return {
    parent: new Int32Array(n).fill(-1),
    descending: new Int32Array(n).fill(-1),
    depth: new Int32Array(n).fill(-1),
    isRoot: new Uint8Array(n),
    present: new Uint8Array(n),
    links,
    label,
    unknown: 0,
  };
}

/** Tree links as [child, parent]. */
export function treeLinks(st: NetState): Link[] {
  const out: Link[] = [];
  for (let i = 0; i < st.parent.length; i++) if (st.parent[i]! >= 0) out.push([i, st.parent[i]!]);
  return out;
}

/**
 * Snake links as [node, descending]. Each node records only its descending neighbour in the
 * schema; the ascending relation is the same link seen from the other end (PROTOCOL.md §6), so
 * drawing every node→descending link draws both neighbour relations once.
 */
export function snakeLinks(st: NetState): Link[] {
  const out: Link[] = [];
  for (let i = 0; i < st.descending.length; i++) {
    if (st.descending[i]! >= 0) out.push([i, st.descending[i]!]);
  }
  return out;
}

export function maxDepth(st: NetState): number {
  let m = 0;
  for (const d of st.depth) if (d > m) m = d;
  return m;
}

/** Depth from a coords string when the CSV lacks a depth (kept for callers with raw rows). */
export const depthOf = (coords: string): number => parseCoords(coords).length;

/**
 * Positions: recorded x,y when every node has them, else a d3-force layout run synchronously for
 * a fixed number of ticks (deterministic: d3-force seeds its own LCG and places nodes on a
 * phyllotaxis spiral, so the same graph always gives the same picture). The tick count shrinks
 * with size to keep the first render of 10,000 nodes under 2 s.
 */
export function layout(g: GraphModel, ticks = layoutTicks(g.nodes.length)): void {
  if (g.nodes.every((n) => Number.isFinite(n.x) && Number.isFinite(n.y))) return;
  type SimNode = { index?: number; x?: number; y?: number; vx?: number; vy?: number };
  const seed = seedPositions(g);
  const sim: SimNode[] = g.nodes.map((_, i) => ({ x: seed[2 * i]!, y: seed[2 * i + 1]! }));
  const links = g.links.filter(([a, b]) => a !== b).map(([a, b]) => ({ source: a, target: b }));
  const simulation = forceSimulation(sim)
    .force(
      'charge',
      forceManyBody()
        .strength(-30)
        .theta(g.nodes.length > 2000 ? 1.5 : 1.2),
    )
    .force('link', forceLink(links).distance(30).strength(0.7).iterations(1))
    .force('x', forceX(0).strength(0.04))
    .force('y', forceY(0).strength(0.04))
    .stop();
  simulation.tick(ticks);
  sim.forEach((s, i) => {
    const n = g.nodes[i]!;
    n.x = s.x ?? 0;
    n.y = s.y ?? 0;
  });
}

/**
 * Starting positions: a radial tidy tree of a BFS spanning tree per component (from its node of
 * greatest degree). Close in the graph starts close on the page, so a few force ticks suffice for
 * big graphs, where d3-force's default spiral start would need hundreds. Components sit side by side.
 */
export function seedPositions(g: GraphModel): Float64Array {
  const n = g.nodes.length;
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of g.links) {
    if (a === b) continue;
    adj[a]!.push(b);
    adj[b]!.push(a);
  }
  const out = new Float64Array(2 * n);
  const seen = new Uint8Array(n);
  const byDegree = [...adj.keys()].sort((a, b) => adj[b]!.length - adj[a]!.length || a - b);
  let offset = 0;
  for (const start of byDegree) {
    if (seen[start]) continue;
    type T = { id: number; children: T[] };
    const rootT: T = { id: start, children: [] };
    const queue: T[] = [rootT];
    seen[start] = 1;
    for (let h = 0; h < queue.length; h++) {
      const t = queue[h]!;
      for (const v of adj[t.id]!) {
        if (!seen[v]) {
          seen[v] = 1;
          const c: T = { id: v, children: [] };
          t.children.push(c);
          queue.push(c);
        }
      }
    }
    const radius = 12 * Math.sqrt(queue.length);
    const laid = treeLayout<T>().size([2 * Math.PI, radius])(hierarchy(rootT));
    for (const d of laid.descendants()) {
      out[2 * d.data.id] = offset + radius + d.y * Math.cos(d.x);
      out[2 * d.data.id + 1] = d.y * Math.sin(d.x);
    }
    offset += 2 * radius + 20;
  }
  return out;
}

export function layoutTicks(n: number): number {
  if (n <= 500) return 300;
  return Math.max(10, Math.min(300, Math.round(120_000 / n)));
}

/** Bounding box of positions, padded; [x0, y0, x1, y1]. */
export function bounds(g: GraphModel): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of g.nodes) {
    if (n.x < x0) x0 = n.x;
    if (n.x > x1) x1 = n.x;
    if (n.y < y0) y0 = n.y;
    if (n.y > y1) y1 = n.y;
  }
  if (!Number.isFinite(x0)) return [0, 0, 1, 1];
  const pad = Math.max(x1 - x0, y1 - y0, 1) * 0.04;
  return [x0 - pad, y0 - pad, x1 + pad, y1 + pad];
}
