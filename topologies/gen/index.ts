/**
 * topologies/gen/index.ts — seeded topology generators and their spec grammar.
 *
 * Grammar: `NAME:SIZE[,key=value]*`, SIZE is a node count, or `WxH` for grids.
 *   line:50          path n0–n1–…–n49
 *   ring:50          cycle (ring:2 is one link, ring:1 one node)
 *   star:20          n0 linked to n1..n19 (20 nodes in all)
 *   grid:7x7         7 columns × 7 rows, 4-neighbour; positions kept
 *   grid8:7x7        the same plus diagonals (8-neighbour)
 *   complete:10      every pair linked
 *   tree:100         uniformly random labelled tree (random Prüfer sequence)
 *   er:100,p=0.05    Erdős–Rényi G(n, p) (graphology-generators, sparse variant)
 *   regular:100,k=4  uniformly-ish random k-regular graph (Steger–Wormald pairing); n·k even, k < n
 *   ba:1000,m=2      Barabási–Albert preferential attachment, m links per new node
 *   geo:200,r=0.12   random geometric: uniform points in the unit square, link when distance ≤ r;
 *                    positions kept
 * Every generator accepts `,seed=S`, which replaces the run seed for the topology only. Randomness
 * comes from seedrandom(`${seed}/topology`) and nothing else, so a spec and a seed give the same
 * graph (and digest) everywhere. Nodes are named n0, n1, … and inserted in index order.
 */

import { createRequire } from 'node:module';
import { UndirectedGraph } from 'graphology';
import type { ErdosRenyiGeneratorOptions } from 'graphology-generators/random/erdos-renyi.js';
import seedrandom from 'seedrandom';
import { InputError } from '../../base/index.ts';
import { TopoBuilder, type TopoGraph } from '../graph.ts';

/**
 * graphology-generators is CommonJS with ESM-style typings (`export default`), which NodeNext
 * resolves to the wrong shape; require it and state the one function used.
 */
const erdosRenyiSparse = (
  createRequire(import.meta.url)('graphology-generators/random/erdos-renyi.js') as {
    sparse: (G: typeof UndirectedGraph, o: ErdosRenyiGeneratorOptions) => UndirectedGraph;
  }
).sparse;

export type Rng = () => number;

export interface GeneratorSpec {
  readonly name: string;
  /** Node count (for grids: width × height). */
  readonly n: number;
  readonly width?: number;
  readonly height?: number;
  readonly params: Readonly<Record<string, number>>;
  /** Explicit `seed=` of the spec, if any. */
  readonly seed?: string;
}

interface GeneratorDef {
  readonly usage: string;
  /** Required numeric parameters. */
  readonly params: readonly string[];
  readonly grid?: boolean;
  readonly random: boolean;
  readonly build: (spec: GeneratorSpec, rng: Rng, b: TopoBuilder) => void;
}

/** The most nodes any generator makes: far above the simulator's 100,000-router target. */
export const MAX_NODES = 2_000_000;
/** The most links a generator may be asked for (memory: graphology costs ~200 B per link). */
export const MAX_LINKS = 20_000_000;

const name = (i: number): string => `n${i}`;

function addNodes(b: TopoBuilder, n: number): void {
  for (let i = 0; i < n; i++) b.node(name(i));
}

function bad(spec: string, why: string): InputError {
  return new InputError(`topology spec ${JSON.stringify(spec)}: ${why}`);
}

const GENERATORS: Readonly<Record<string, GeneratorDef>> = {
  line: {
    usage: 'line:50',
    params: [],
    random: false,
    build: ({ n }, _rng, b) => {
      addNodes(b, n);
      for (let i = 1; i < n; i++) b.fresh(name(i - 1), name(i));
    },
  },
  ring: {
    usage: 'ring:50',
    params: [],
    random: false,
    build: ({ n }, _rng, b) => {
      addNodes(b, n);
      for (let i = 1; i < n; i++) b.fresh(name(i - 1), name(i));
      if (n > 2) b.fresh(name(n - 1), name(0));
    },
  },
  star: {
    usage: 'star:20',
    params: [],
    random: false,
    build: ({ n }, _rng, b) => {
      addNodes(b, n);
      for (let i = 1; i < n; i++) b.fresh(name(0), name(i));
    },
  },
  complete: {
    usage: 'complete:10',
    params: [],
    random: false,
    build: ({ n }, _rng, b) => {
      addNodes(b, n);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) b.fresh(name(i), name(j));
    },
  },
  grid: {
    usage: 'grid:7x7',
    params: [],
    grid: true,
    random: false,
    build: (spec, _rng, b) => buildGrid(spec, b, false),
  },
  grid8: {
    usage: 'grid8:7x7',
    params: [],
    grid: true,
    random: false,
    build: (spec, _rng, b) => buildGrid(spec, b, true),
  },
  tree: {
    usage: 'tree:100',
    params: [],
    random: true,
    build: ({ n }, rng, b) => buildPruferTree(n, rng, b),
  },
  er: {
    usage: 'er:100,p=0.05',
    params: ['p'],
    random: true,
    build: ({ n, params }, rng, b) => {
      // graphology-generators' sparse G(n,p) (geometric skipping, O(n + m)); its nodes are the
      // integers 0..n-1 in order, its edges come in (i, j>i) order: relabel to n0.. keeping both.
      const g = erdosRenyiSparse(UndirectedGraph, { order: n, probability: params['p']!, rng });
      addNodes(b, n);
      g.forEachEdge((_e, _a, s, t) => {
        b.fresh(name(Number(s)), name(Number(t)));
      });
    },
  },
  regular: {
    usage: 'regular:100,k=4',
    params: ['k'],
    random: true,
    build: ({ n, params }, rng, b) => buildRegular(n, params['k']!, rng, b),
  },
  ba: {
    usage: 'ba:1000,m=2',
    params: ['m'],
    random: true,
    build: ({ n, params }, rng, b) => buildBarabasiAlbert(n, params['m']!, rng, b),
  },
  geo: {
    usage: 'geo:200,r=0.12',
    params: ['r'],
    random: true,
    build: ({ n, params }, rng, b) => buildGeometric(n, params['r']!, rng, b),
  },
};

export const GENERATOR_NAMES: readonly string[] = Object.keys(GENERATORS);

/** Spec grammar help, one example per generator (for --help and error messages). */
export const GENERATOR_USAGE: readonly string[] = Object.values(GENERATORS).map((g) => g.usage);

/** True when `spec` names a known generator (`name:...`), whether or not the rest is valid. */
export function isGeneratorSpec(spec: string): boolean {
  const m = /^([a-z][a-z0-9]*):/.exec(spec);
  return m !== null && Object.hasOwn(GENERATORS, m[1]!);
}

const INT = /^[1-9]\d*$/;

export function parseGeneratorSpec(spec: string): GeneratorSpec {
  const m = /^([a-z][a-z0-9]*):(.*)$/s.exec(spec.trim());
  if (!m) throw bad(spec, `expected NAME:SIZE[,key=value…], e.g. ${GENERATOR_USAGE.join(', ')}`);
  const gname = m[1]!;
  const def = GENERATORS[gname];
  if (!def || !Object.hasOwn(GENERATORS, gname)) {
    throw bad(spec, `unknown generator "${gname}", expected one of ${GENERATOR_NAMES.join(', ')}`);
  }
  const [size = '', ...rest] = m[2]!.split(',');
  let n: number;
  let width: number | undefined;
  let height: number | undefined;
  if (def.grid) {
    const g = /^([1-9]\d*)x([1-9]\d*)$/.exec(size.trim());
    if (!g) throw bad(spec, `expected a size WIDTHxHEIGHT, e.g. ${def.usage}`);
    width = Number(g[1]);
    height = Number(g[2]);
    n = width * height;
  } else {
    if (!INT.test(size.trim())) throw bad(spec, `expected a node count ≥ 1, e.g. ${def.usage}`);
    n = Number(size.trim());
  }
  if (!Number.isSafeInteger(n) || n > MAX_NODES) {
    throw bad(spec, `${size} nodes is too many (at most ${MAX_NODES})`);
  }
  const params: Record<string, number> = {};
  let seed: string | undefined;
  for (const kv of rest) {
    const eq = kv.indexOf('=');
    const key = (eq < 0 ? kv : kv.slice(0, eq)).trim();
    const value = eq < 0 ? '' : kv.slice(eq + 1).trim();
    if (eq < 0 || value === '') throw bad(spec, `expected key=value, got ${JSON.stringify(kv)}`);
    if (key === 'seed') {
      seed = value;
      continue;
    }
    if (!def.params.includes(key)) {
      const allowed = [...def.params, 'seed'].join(', ');
      throw bad(spec, `unknown parameter "${key}" for ${gname} (allowed: ${allowed})`);
    }
    const v = Number(value);
    if (!Number.isFinite(v) || !/^[0-9.eE+-]+$/.test(value)) {
      throw bad(spec, `${key}=${value} is not a number`);
    }
    params[key] = v;
  }
  for (const p of def.params) {
    if (params[p] === undefined) throw bad(spec, `${gname} needs ${p}=…, e.g. ${def.usage}`);
  }
  checkParams(spec, gname, n, params);
  const out: GeneratorSpec = { name: gname, n, params };
  return {
    ...out,
    ...(width !== undefined && height !== undefined ? { width, height } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

function checkParams(spec: string, gname: string, n: number, params: Record<string, number>): void {
  const tooMany = (links: number) => {
    if (links > MAX_LINKS) {
      throw bad(spec, `about ${Math.round(links)} links is too many (at most ${MAX_LINKS})`);
    }
  };
  switch (gname) {
    case 'complete':
      tooMany((n * (n - 1)) / 2);
      break;
    case 'er': {
      const p = params['p']!;
      if (!(p >= 0 && p <= 1)) throw bad(spec, `p=${p} must be a probability in 0..1`);
      tooMany((p * n * (n - 1)) / 2);
      break;
    }
    case 'regular': {
      const k = params['k']!;
      if (!Number.isInteger(k) || k < 0 || k >= n) {
        throw bad(spec, `k=${k} must be an integer with 0 ≤ k < n (${n})`);
      }
      if ((n * k) % 2 !== 0) throw bad(spec, `n·k = ${n}·${k} must be even`);
      tooMany((n * k) / 2);
      break;
    }
    case 'ba': {
      const m = params['m']!;
      if (!Number.isInteger(m) || m < 1 || m >= n) {
        throw bad(spec, `m=${m} must be an integer with 1 ≤ m < n (${n})`);
      }
      tooMany(m * n);
      break;
    }
    case 'geo': {
      const r = params['r']!;
      if (!(r > 0)) throw bad(spec, `r=${r} must be a radius > 0 (unit square)`);
      tooMany((Math.min(Math.PI * r * r, 1) * n * n) / 2);
      break;
    }
  }
}

/** The normalized spec text for a parsed spec and the seed actually used (for Topology.source). */
export function formatSpec(spec: GeneratorSpec, seed: string): string {
  const def = GENERATORS[spec.name]!;
  const size = def.grid ? `${spec.width}x${spec.height}` : String(spec.n);
  const parts = [`${spec.name}:${size}`];
  for (const p of def.params) parts.push(`${p}=${spec.params[p]}`);
  if (def.random) parts.push(`seed=${seed}`);
  return parts.join(',');
}

/** Build the graph for a spec string; `seed` is the run seed (the spec's `seed=` wins). */
export function generate(specText: string, seed: string): { graph: TopoGraph; source: string } {
  const spec = parseGeneratorSpec(specText);
  const effective = spec.seed ?? seed;
  const rng: Rng = seedrandom(`${effective}/topology`);
  const b = new TopoBuilder(specText);
  GENERATORS[spec.name]!.build(spec, rng, b);
  return { graph: b.graph, source: formatSpec(spec, effective) };
}

// --- the hand-written generators -------------------------------------------------------------

function buildGrid(spec: GeneratorSpec, b: TopoBuilder, diagonals: boolean): void {
  const w = spec.width!;
  const h = spec.height!;
  const sx = w > 1 ? 1 / (w - 1) : 0;
  const sy = h > 1 ? 1 / (h - 1) : 0;
  // Row-major: node r*w + c. Positions in the unit square like geo, for the viewer.
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) b.node(name(r * w + c), undefined, { x: c * sx, y: r * sy });
  }
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      if (c + 1 < w) b.fresh(name(i), name(i + 1));
      if (r + 1 < h) b.fresh(name(i), name(i + w));
      if (diagonals && r + 1 < h) {
        if (c + 1 < w) b.fresh(name(i), name(i + w + 1));
        if (c > 0) b.fresh(name(i), name(i + w - 1));
      }
    }
  }
}

/** Uniform random labelled tree: decode a random Prüfer sequence in O(n). */
function buildPruferTree(n: number, rng: Rng, b: TopoBuilder): void {
  addNodes(b, n);
  if (n < 2) return;
  if (n === 2) {
    b.fresh(name(0), name(1));
    return;
  }
  const code = new Int32Array(n - 2);
  const degree = new Int32Array(n).fill(1);
  for (let i = 0; i < n - 2; i++) {
    const v = Math.floor(rng() * n);
    code[i] = v;
    degree[v]!++;
  }
  let ptr = 0;
  while (degree[ptr] !== 1) ptr++;
  let leaf = ptr;
  for (let i = 0; i < n - 2; i++) {
    const v = code[i]!;
    b.fresh(name(leaf), name(v));
    degree[v]!--;
    if (degree[v] === 1 && v < ptr) {
      leaf = v;
    } else {
      ptr++;
      while (degree[ptr] !== 1) ptr++;
      leaf = ptr;
    }
  }
  b.fresh(name(leaf), name(n - 1));
}

function shuffle(a: Int32Array, len: number, rng: Rng): void {
  for (let i = len - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/**
 * Random k-regular graph by the Steger–Wormald pairing (as networkx.random_regular_graph): pair
 * shuffled stubs, keep the pairs that are neither loops nor repeats, re-pair the rest; restart when
 * the leftovers cannot be paired.
 */
function buildRegular(n: number, k: number, rng: Rng, b: TopoBuilder): void {
  addNodes(b, n);
  if (k === 0) return;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const edges = tryRegular(n, k, rng);
    if (edges) {
      for (let i = 0; i < edges.length; i += 2) b.fresh(name(edges[i]!), name(edges[i + 1]!));
      return;
    }
  }
  throw new InputError(`regular:${n},k=${k}: could not build a simple graph in 1000 attempts`);
}

function tryRegular(n: number, k: number, rng: Rng): number[] | null {
  const seen = new Set<number>();
  const out: number[] = [];
  let stubs = new Int32Array(n * k);
  for (let i = 0; i < n * k; i++) stubs[i] = i % n;
  let len = stubs.length;
  while (len > 0) {
    shuffle(stubs, len, rng);
    const leftover = new Map<number, number>(); // node -> unpaired stubs (insertion order = stub order)
    for (let i = 0; i + 1 < len; i += 2) {
      let s = stubs[i]!;
      let t = stubs[i + 1]!;
      if (s > t) [s, t] = [t, s];
      const key = s * n + t;
      if (s !== t && !seen.has(key)) {
        seen.add(key);
        out.push(s, t);
      } else {
        leftover.set(s, (leftover.get(s) ?? 0) + 1);
        leftover.set(t, (leftover.get(t) ?? 0) + 1);
      }
    }
    if (leftover.size === 0) return out;
    // Suitable: some pair of leftover nodes can still be linked.
    const nodes = [...leftover.keys()];
    let ok = false;
    for (let i = 0; i < nodes.length && !ok; i++) {
      for (let j = 0; j < i; j++) {
        const a = Math.min(nodes[i]!, nodes[j]!);
        const c = Math.max(nodes[i]!, nodes[j]!);
        if (!seen.has(a * n + c)) {
          ok = true;
          break;
        }
      }
    }
    if (!ok) return null;
    const next: number[] = [];
    for (const [node, count] of leftover) for (let c = 0; c < count; c++) next.push(node);
    stubs = Int32Array.from(next);
    len = stubs.length;
  }
  return out;
}

/**
 * Barabási–Albert (as networkx' classic barabasi_albert_graph): nodes 0..m-1 start unlinked, node m
 * links to all of them, each later node links to m distinct nodes drawn from the list of link
 * endpoints (probability ∝ degree). n > m gives a connected graph with m·(n−m) links.
 */
function buildBarabasiAlbert(n: number, m: number, rng: Rng, b: TopoBuilder): void {
  addNodes(b, n);
  const repeated = new Int32Array(2 * m * (n - m));
  let rlen = 0;
  let targets: number[] = [];
  for (let i = 0; i < m; i++) targets.push(i);
  const chosen = new Uint8Array(n);
  for (let source = m; source < n; source++) {
    for (const t of targets) {
      b.fresh(name(source), name(t));
      repeated[rlen++] = t;
      repeated[rlen++] = source;
    }
    const next: number[] = [];
    while (next.length < m) {
      const x = repeated[Math.floor(rng() * rlen)]!;
      if (chosen[x] === 0) {
        chosen[x] = 1;
        next.push(x);
      }
    }
    for (const x of next) chosen[x] = 0;
    targets = next;
  }
}

/**
 * Random geometric graph in the unit square: points drawn in node order (x then y), links between
 * points at distance ≤ r, added per node i to its neighbours j > i in increasing j. Cell buckets
 * of side r keep it O(n + m).
 */
function buildGeometric(n: number, r: number, rng: Rng, b: TopoBuilder): void {
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = rng();
    ys[i] = rng();
    b.node(name(i), undefined, { x: xs[i]!, y: ys[i]! });
  }
  const cells = Math.max(1, Math.min(Math.floor(1 / r), Math.ceil(Math.sqrt(n)) * 2));
  const cellOf = (v: number) => Math.min(cells - 1, Math.floor(v * cells));
  // Bucket heads / next pointers (counting-sort style, no per-cell arrays).
  const head = new Int32Array(cells * cells).fill(-1);
  const next = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const c = cellOf(ys[i]!) * cells + cellOf(xs[i]!);
    next[i] = head[c]!;
    head[c] = i;
  }
  const r2 = r * r;
  const found: number[] = [];
  for (let i = 0; i < n; i++) {
    const cx = cellOf(xs[i]!);
    const cy = cellOf(ys[i]!);
    found.length = 0;
    for (let dy = -1; dy <= 1; dy++) {
      const y = cy + dy;
      if (y < 0 || y >= cells) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const x = cx + dx;
        if (x < 0 || x >= cells) continue;
        for (let j = head[y * cells + x]!; j >= 0; j = next[j]!) {
          if (j <= i) continue;
          const ddx = xs[i]! - xs[j]!;
          const ddy = ys[i]! - ys[j]!;
          if (ddx * ddx + ddy * ddy <= r2) found.push(j);
        }
      }
    }
    found.sort((a, c) => a - c);
    for (const j of found) b.fresh(name(i), name(j));
  }
}
