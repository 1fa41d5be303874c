/**
 * scripts/make-viz-fixture.ts — the viewer's test fixtures.
 *
 * `makeRunFixture` (the default of the command line) writes the results folder of a REAL small
 * run through the one executor (run/execute.ts): a 14-node Barabási–Albert network that
 * converges, loses node n3 at 15 s and re-converges, with hop-by-hop paths (recordReasons) and
 * snapshots (start, converged, after the removal, end). Wall-clock fields of the manifest and
 * summary are fixed so the fixture is byte-identical on every machine; everything else is the
 * run's own output.
 *
 * `makeFixture` writes a SYNTHETIC folder (tree, snake, paths and series derived from the graph
 * with simple rules, not simulated). It exists only for the viewer's scale tests (1,500 and
 * 10,000 nodes, recorded positions), where a real run would take minutes; the viewer reads only
 * the schema's fields either way.
 *
 *   node --import tsx scripts/make-viz-fixture.ts [outDir]                      real run (default)
 *   node --import tsx scripts/make-viz-fixture.ts [outDir] --synthetic [--nodes N] [--seed S] [--positions]
 *
 * Default outDir: test/fixtures/run-small.
 */
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { writeRunResults } from '../results/run-results.ts';
import type {
  NodeRow,
  PairRow,
  PathHop,
  PathRecord,
  RoutingMode,
  RunManifest,
  RunSummary,
  Snapshot,
  SnapshotNode,
  StretchSummary,
  TimeseriesRow,
  TopologyFile,
} from '../results/schema.ts';
import { executeScenario } from '../run/execute.ts';
import { Checker, validateScenario } from '../scenarios/load.ts';
import { shortestPathOn } from '../viz/src/model/paths.ts';

export interface FixtureOptions {
  readonly nodes: number;
  readonly seed: string;
  readonly positions: boolean;
}

type Adj = number[][];

interface Tree {
  parent: Int32Array; // -1 for the root / unreached
  depth: Int32Array; // -1 unreached
  coords: number[][];
  root: number;
}

const round = (v: number, d = 3): number => Math.round(v * 10 ** d) / 10 ** d;

function bfs(adj: Adj, from: number, skip?: (a: number, b: number) => boolean): Int32Array {
  const dist = new Int32Array(adj.length).fill(-1);
  dist[from] = 0;
  const queue = [from];
  for (let h = 0; h < queue.length; h++) {
    const u = queue[h]!;
    for (const v of adj[u]!) {
      if (dist[v] === -1 && !skip?.(u, v)) {
        dist[v] = dist[u]! + 1;
        queue.push(v);
      }
    }
  }
  return dist;
}

/** Spanning tree rooted at the greatest key: parent = the neighbour one hop closer with the greatest key. */
function buildTree(
  adj: Adj,
  keys: string[],
  ports: Map<string, number>[],
  skip?: (a: number, b: number) => boolean,
): Tree {
  let root = 0;
  for (let i = 1; i < keys.length; i++) if (keys[i]! > keys[root]!) root = i;
  const depth = bfs(adj, root, skip);
  const parent = new Int32Array(adj.length).fill(-1);
  const order = [...depth.keys()]
    .filter((i) => depth[i]! >= 0)
    .sort((a, b) => depth[a]! - depth[b]!);
  const coords: number[][] = adj.map(() => []);
  for (const i of order) {
    if (i === root) continue;
    let best = -1;
    for (const v of adj[i]!) {
      if (skip?.(i, v)) continue;
      if (depth[v] === depth[i]! - 1 && (best < 0 || keys[v]! > keys[best]!)) best = v;
    }
    parent[i] = best;
    coords[i] = [...coords[best]!, ports[best]!.get(String(i))!];
  }
  return { parent, depth, coords, root };
}

function treePath(tree: Tree, from: number, to: number): number[] {
  const up: number[] = [];
  const anc = new Set<number>();
  for (let u = to; u >= 0; u = tree.parent[u]!) anc.add(u);
  let u = from;
  while (!anc.has(u)) {
    up.push(u);
    u = tree.parent[u]!;
  }
  const down: number[] = [];
  for (let v = to; v !== u; v = tree.parent[v]!) down.push(v);
  return [...up, u, ...down.reverse()];
}

/** A synthetic results folder (not a simulation: for the viewer's scale tests only). */
export function makeFixture(outDir: string, opts: FixtureOptions): void {
  const rng = seedrandom(opts.seed);
  const n = opts.nodes;
  const names = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const keys = names.map(() => {
    let hex = '';
    for (let b = 0; b < 32; b++)
      hex += Math.floor(rng() * 256)
        .toString(16)
        .padStart(2, '0');
    return hex;
  });
  // Geometric-ish graph: each node links to its nearest earlier node, sometimes the second nearest.
  const xs = names.map(() => rng());
  const ys = names.map(() => rng());
  const adj: Adj = names.map(() => []);
  const edges: [number, number][] = [];
  const edgeSet = new Set<string>();
  const addEdge = (a: number, b: number): void => {
    const k = a < b ? `${a},${b}` : `${b},${a}`;
    if (a === b || edgeSet.has(k)) return;
    edgeSet.add(k);
    edges.push(a < b ? [a, b] : [b, a]);
    adj[a]!.push(b);
    adj[b]!.push(a);
  };
  for (let i = 1; i < n; i++) {
    let b1 = -1;
    let b2 = -1;
    let d1 = Infinity;
    let d2 = Infinity;
    for (let j = 0; j < i; j++) {
      const d = (xs[i]! - xs[j]!) ** 2 + (ys[i]! - ys[j]!) ** 2;
      if (d < d1) {
        b2 = b1;
        d2 = d1;
        b1 = j;
        d1 = d;
      } else if (d < d2) {
        b2 = j;
        d2 = d;
      }
    }
    addEdge(i, b1);
    if (b2 >= 0 && rng() < 0.45) addEdge(i, b2);
  }
  for (const a of adj) a.sort((p, q) => p - q);
  // Ports: 1..degree in neighbour order (port 0 is the local router).
  const ports = adj.map((a) => new Map(a.map((v, p) => [String(v), p + 1])));
  const tree = buildTree(adj, keys, ports);
  const byKey = [...names.keys()].sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
  const descending = new Int32Array(n).fill(-1);
  for (let r = 1; r < n; r++) descending[byKey[r]!] = byKey[r - 1]!;

  // Per-node convergence times: deeper nodes later; the snake after the tree.
  const treeAt = names.map((_, i) => round(0.2 + 0.35 * tree.depth[i]! + rng() * 0.3));
  const snakeAt = names.map((_, i) => round(treeAt[i]! + 0.4 + rng() * 1.2));
  const nodeRows: NodeRow[] = names.map((name, i) => ({
    node: name,
    key: keys[i]!,
    root: keys[tree.root]!,
    root_seq: 3,
    parent: tree.parent[i]! >= 0 ? names[tree.parent[i]!]! : '',
    coords: `[${tree.coords[i]!.join(' ')}]`,
    depth: tree.coords[i]!.length,
    bfs_depth: tree.depth[i]!,
    descending: descending[i]! >= 0 ? names[descending[i]!]! : '',
    table_size: 1 + Math.floor(rng() * 4) + Math.min(6, adj[i]!.length),
    coords_cache_size: adj[i]!.length + Math.floor(rng() * 3),
    tree_converged_at: treeAt[i]!,
    snake_converged_at: snakeAt[i]!,
    snake_losses: 0,
    table_installs: 0,
  }));

  // One link is cut at 5 s and restored at 7 s (the "scenario").
  const cut = edges[Math.floor(edges.length / 2)]!;
  const cutSkip = (a: number, b: number): boolean =>
    (a === cut[0] && b === cut[1]) || (a === cut[1] && b === cut[0]);
  const cutLabel = `${names[cut[0]]!} ${names[cut[1]]!}`;
  const treeConverged = Math.max(...treeAt);
  const snakeConverged = Math.max(...snakeAt);

  const ts: TimeseriesRow[] = [];
  const frameTypes = ['keepalive', 'announcement', 'bootstrap', 'wakeup', 'traffic'] as const;
  const frameBytes: Record<string, number> = {
    keepalive: 10,
    announcement: 120,
    bootstrap: 90,
    wakeup: 80,
    traffic: 140,
  };
  const framesByType: Record<string, number> = {};
  const bytesByType: Record<string, number> = {};
  for (const t of frameTypes) {
    framesByType[t] = 0;
    bytesByType[t] = 0;
  }
  const dip = (t: number): number => (t >= 5 && t < 6.2 ? 0.25 * (1 - (t - 5) / 1.2) : 0);
  for (let step = 0; step <= 20; step++) {
    const t = step * 0.5;
    const tf = names.filter((_, i) => treeAt[i]! <= t).length / n;
    const sf = names.filter((_, i) => snakeAt[i]! <= t).length / n;
    ts.push({ time_s: t, metric: 'tree_fraction', value: round(Math.max(0, tf - dip(t))) });
    ts.push({ time_s: t, metric: 'snake_fraction', value: round(Math.max(0, sf - dip(t - 0.3))) });
    let bootstrapFrames = 0;
    for (const ft of frameTypes) {
      const base =
        ft === 'keepalive'
          ? edges.length * 2
          : ft === 'announcement'
            ? edges.length * (t < 3 || (t >= 5 && t < 8) ? 3 : 0.5)
            : ft === 'bootstrap'
              ? n * (t < 4 || (t >= 5 && t < 8) ? 1 : 0.2)
              : ft === 'wakeup'
                ? t < 1
                  ? n
                  : 0
                : t > 8
                  ? n * 2
                  : 0;
      const frames = Math.round(base * (0.8 + rng() * 0.4));
      if (ft === 'bootstrap') bootstrapFrames = frames;
      framesByType[ft]! += frames;
      bytesByType[ft]! += frames * frameBytes[ft]!;
      ts.push({ time_s: t, metric: `frames_${ft}`, value: frames });
      ts.push({ time_s: t, metric: `bytes_${ft}`, value: frames * frameBytes[ft]! });
    }
    // Table churn: about a third of the bootstrap hops install an entry (README "Large networks").
    ts.push({ time_s: t, metric: 'table_installs', value: Math.round(bootstrapFrames / 3) });
    if (t === 5 || t === 7) ts.push({ time_s: t, metric: 'topology_change', value: 1 });
  }

  // Pairs: all ordered pairs for small graphs, a seeded sample for big ones.
  const pairList: [number, number][] = [];
  if (n <= 40) {
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) pairList.push([a, b]);
  } else {
    const want = Math.min(2000, n * 2);
    while (pairList.length < want) {
      const a = Math.floor(rng() * n);
      const b = Math.floor(rng() * n);
      if (a !== b) pairList.push([a, b]);
    }
  }
  const modes: RoutingMode[] = ['snek', 'hybrid', 'tree'];
  const pairRows: PairRow[] = [];
  const pathRecords: PathRecord[] = [];
  const distCache = new Map<number, Int32Array>();
  const distFrom = (a: number): Int32Array => {
    let d = distCache.get(a);
    if (!d) {
      d = bfs(adj, a);
      if (distCache.size < 64) distCache.set(a, d);
    }
    return d;
  };
  const reasonFor = (mode: RoutingMode, at: number, next: number, dest: number): string => {
    if (next === dest) return `${mode}: destination is a direct peer`;
    if (mode === 'tree') {
      return tree.parent[at] === next
        ? 'tree: parent is closer to the destination coordinates'
        : 'tree: child is closer to the destination coordinates';
    }
    if (mode === 'snek')
      return 'snek: bootstrapped path entry whose key is closest to the destination';
    return 'hybrid: peer with coordinates closest to the destination';
  };
  const recordedSources = new Set([0, 1, 2]);
  const stretchByMode: Record<string, number[]> = { snek: [], hybrid: [], tree: [] };
  for (const [a, b] of pairList) {
    const shortestHops = distFrom(a)[b]!;
    const tp = treePath(tree, a, b);
    const sp = shortestPathOn(adj, a, b);
    for (const mode of modes) {
      // snek follows the tree-built path; hybrid takes the shortest; tree the tree path.
      const path = mode === 'hybrid' ? sp : tp;
      const hops = path.length - 1;
      const stretch = round(hops / shortestHops, 4);
      stretchByMode[mode]!.push(stretch);
      pairRows.push({
        mode,
        source: names[a]!,
        destination: names[b]!,
        shortest_hops: shortestHops,
        hops,
        stretch,
        outcome: 'delivered',
        reached: names[b]!,
      });
      if (n <= 40 ? recordedSources.has(a) : pathRecords.length < 300) {
        const hopList: PathHop[] = path.map((u, h) => {
          const next = path[h + 1];
          return next === undefined
            ? {
                node: names[u]!,
                port: 0,
                next: null,
                reason: 'delivered: destination key is the local key',
              }
            : {
                node: names[u]!,
                port: ports[u]!.get(String(next))!,
                next: names[next]!,
                reason: reasonFor(mode, u, next, b),
              };
        });
        pathRecords.push({
          mode,
          source: names[a]!,
          destination: names[b]!,
          outcome: 'delivered',
          hops: hopList,
          shortest: sp.map((u) => names[u]!),
        });
      }
    }
  }

  // Snapshots: partial at 1 s, converged at 3 s, after the cut at 5.5 s, after the repair at 8 s.
  const cutTree = buildTree(adj, keys, ports, cutSkip);
  const linkPairs = (skip: boolean): [string, string][] =>
    edges.filter(([a, b]) => !(skip && cutSkip(a, b))).map(([a, b]) => [names[a]!, names[b]!]);
  // With --positions, nodes drift a little before the last snapshot (a mobility-like timeline);
  // the last snapshot and topology.json agree.
  const snapNodes = (tr: Tree, t: number, drift = 0): SnapshotNode[] =>
    names.map((name, i) => {
      const ok = treeAt[i]! <= t;
      const node: SnapshotNode = {
        name,
        root: ok ? keys[tr.root]! : keys[i]!,
        parent: ok && tr.parent[i]! >= 0 ? names[tr.parent[i]!]! : null,
        descending: snakeAt[i]! <= t && descending[i]! >= 0 ? names[descending[i]!]! : null,
        coords: ok ? tr.coords[i]! : [],
      };
      return opts.positions
        ? {
            ...node,
            x: round(xs[i]! * 1000 + drift * Math.cos(i), 1),
            y: round(ys[i]! * 1000 + drift * Math.sin(i), 1),
          }
        : node;
    });
  const snapshots: Snapshot[] = [
    { time_s: 1, label: 'bootstrapping', nodes: snapNodes(tree, 1, 60), links: linkPairs(false) },
    { time_s: 3, label: 'converged', nodes: snapNodes(tree, 99, 40), links: linkPairs(false) },
    {
      time_s: 5.5,
      label: `after remove-link ${cutLabel}`,
      nodes: snapNodes(cutTree, 99, 20),
      links: linkPairs(true),
    },
    {
      time_s: 8,
      label: `after add-link ${cutLabel}`,
      nodes: snapNodes(tree, 99),
      links: linkPairs(false),
    },
  ];

  const topology: TopologyFile = {
    nodes: names.map((name, i) =>
      opts.positions
        ? { name, key: keys[i]!, x: round(xs[i]! * 1000, 1), y: round(ys[i]! * 1000, 1) }
        : { name, key: keys[i]! },
    ),
    links: edges.map(([a, b]) => ({ source: names[a]!, target: names[b]! })),
  };
  const dist = (v: number[]): StretchSummary => {
    const s = [...v].sort((p, q) => p - q);
    const q = (f: number): number => s[Math.min(s.length - 1, Math.floor(f * s.length))]!;
    return {
      mean: round(s.reduce((x, y) => x + y, 0) / s.length, 4),
      p50: q(0.5),
      p95: q(0.95),
      max: s[s.length - 1]!,
      pairs: s.length,
      sampled: n > 40,
      shortestShare: round(s.filter((x) => x === 1).length / s.length, 4),
    };
  };
  const sent = pairList.length;
  const summary: RunSummary = {
    nodes: n,
    links: edges.length,
    seed: opts.seed,
    root: names[tree.root]!,
    treeConvergedAt: treeConverged,
    snakeConvergedAt: snakeConverged,
    framesByType,
    bytesByType,
    events: ts.length * 97,
    virtualSeconds: 10,
    wallSeconds: 0.5,
    traceHash: 'fixture-not-a-simulation',
    stretch: {
      snek: dist(stretchByMode['snek']!),
      hybrid: dist(stretchByMode['hybrid']!),
      tree: dist(stretchByMode['tree']!),
    },
    delivery: Object.fromEntries(
      modes.map((m) => [m, { sent, delivered: sent, misdelivered: 0, dropped: {}, lost: 0 }]),
    ),
  };
  const manifest: RunManifest = {
    pinelab: '0.1.0',
    command: `scripts/make-viz-fixture.ts --nodes ${n} --seed ${opts.seed}`,
    seed: opts.seed,
    options: { fixture: true, until: 10 },
    topology: {
      source: `fixture:geometric:${n}`,
      digest: 'fixture',
      nodes: n,
      links: edges.length,
    },
    scenario: `remove-link ${cutLabel} at 5s, add-link at 7s`,
    crypto: 'trust',
    versions: { node: 'fixture', git: null },
    traceHash: 'fixture-not-a-simulation',
    wallSeconds: 0.5,
    peakRssBytes: 0,
    createdAt: '2025-01-01T00:00:00.000Z', // fixed: the fixture must be byte-identical on every run
  };

  // The same writer as real runs, so the synthetic scale fixtures cannot drift from the schema.
  writeRunResults(outDir, {
    manifest,
    summary,
    topology,
    nodes: nodeRows,
    timeseries: ts,
    pairs: pairRows,
    paths: pathRecords,
    snapshots,
  });
}

/** The real run behind test/fixtures/run-small (see the header). */
export const RUN_FIXTURE_SCENARIO = {
  name: 'viz-fixture',
  description: '14-node BA network: converge, lose n3 at 15 s, re-converge.',
  topology: 'ba:14,m=2',
  seed: 'viz-fixture',
  duration: '30s',
  links: { latency: '5ms' },
  measure: { interval: '250ms', paths: true },
  actions: [
    { at: '15s', type: 'remove-node', node: 'n3' },
    { at: '15500ms', type: 'snapshot', label: 'after remove-node n3' },
  ],
} as const;

/** Run RUN_FIXTURE_SCENARIO on the real simulator and write its results folder to `outDir`. */
export function makeRunFixture(outDir: string): { traceHash: string; nodes: number } {
  const scenario = validateScenario(
    structuredClone(RUN_FIXTURE_SCENARIO),
    new Checker('scripts/make-viz-fixture.ts'),
  );
  const { data, summary } = executeScenario(scenario, {
    command: 'node --import tsx scripts/make-viz-fixture.ts',
  });
  // Wall-clock and machine fields fixed: the fixture must be byte-identical on every run.
  writeRunResults(outDir, {
    ...data,
    manifest: {
      ...data.manifest,
      versions: { node: 'v20', git: null },
      wallSeconds: 0,
      peakRssBytes: 0,
      createdAt: '2025-01-01T00:00:00.000Z',
    },
    summary: { ...summary, wallSeconds: 0 },
  });
  return { traceHash: summary.traceHash, nodes: summary.nodes };
}

if (import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  let out = join(import.meta.dirname, '..', 'test', 'fixtures', 'run-small');
  let nodes = 12;
  let seed = 'viz-fixture';
  let positions = false;
  let synthetic = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--nodes') nodes = Number(args[++i]);
    else if (a === '--seed') seed = String(args[++i]);
    else if (a === '--positions') positions = true;
    else if (a === '--synthetic') synthetic = true;
    else out = a;
  }
  if (synthetic) {
    if (!Number.isInteger(nodes) || nodes < 2) {
      process.stderr.write('make-viz-fixture: --nodes needs an integer >= 2\n');
      process.exit(2);
    }
    makeFixture(out, { nodes, seed, positions });
    process.stdout.write(`wrote ${out} (synthetic, ${nodes} nodes)\n`);
  } else {
    const r = makeRunFixture(out);
    process.stdout.write(
      `wrote ${out} (real run, ${r.nodes} nodes at the end, trace ${r.traceHash})\n`,
    );
  }
}
