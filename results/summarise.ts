/**
 * results/summarise.ts — a run's figures from its end state, as a pure function: the root and
 * depths of the final graph, the nodes' rows, convergence per episode and per node, frame totals,
 * router closes, table sizes, plus what the probe ledger measured. Nothing here schedules or
 * changes the simulation; the observers (sampler, probe ledger, event log, snapshots) hand in
 * what they kept.
 */
import { compareKeys } from '../router/keys.ts';
import type { Micros, RouterView } from '../router/types.ts';
import type { ConvergenceTracker } from '../sim/convergence.ts';
import { FRAME_TYPE_NAMES } from '../sim/host.ts';
import type { HostApi } from '../sim/host-api.ts';
import type { CollectorOptions } from './collector-options.ts';
import {
  bridgeNode,
  type Change,
  type Episode,
  episodes,
  finalConvergence,
  type Sample,
} from './convergence-series.ts';
import { buildCsr, type Csr, components } from './graph.ts';
import { keyHex } from './key-hex.ts';
import { type DepthSummary, depthSummary, distribution, reached, round } from './metrics.ts';
import type { LedgerSummary } from './probe-ledger.ts';
import type { ConvergenceSampler, OverheadSampler } from './sampler.ts';
import type {
  DeliverySummary,
  Distribution,
  EpisodeSummary,
  Held,
  NodeRow,
  PairRow,
  PathRecord,
  ProbeMode,
  Reached,
  RoutingMode,
  Snapshot,
  StretchSummary,
  TimeseriesRow,
} from './schema.ts';
import type { Timeseries } from './timeseries.ts';

/** Everything a finished scenario run measured (the execute layer adds host-level figures). */
export interface CollectedResults {
  readonly treeConvergedAt: number | null;
  readonly snakeConvergedAt: number | null;
  /** Per-node convergence quantiles (schema.ts Reached), from the nodes' rows. */
  readonly treeReached: Reached;
  readonly snakeReached: Reached;
  readonly snakeHeld: Held;
  /** First sample from which the snake held at options.snakeQuorum ever since (= snakeConvergedAt at 1). */
  readonly snakeQuorumAt: number | null;
  readonly snakeLosses: number;
  readonly root: string | null;
  readonly stretch: Partial<Record<RoutingMode, StretchSummary>>;
  readonly delivery: Partial<Record<RoutingMode, DeliverySummary>>;
  /** The final measurement's conversations' first packets (RunSummary.hybridFirst), if any. */
  readonly hybridFirst: StretchSummary | null;
  /** Traffic-action probes by mode (incl. "auto"). */
  readonly traffic: Partial<Record<ProbeMode, DeliverySummary>>;
  readonly framesByType: Readonly<Record<string, number>>;
  /** Bytes by frame type (only with CollectorOptions.counters; else empty). */
  readonly bytesByType: Readonly<Record<string, number>>;
  /** Every convergence episode, start-up first (results/convergence-series.ts). */
  readonly episodes: readonly EpisodeSummary[];
  /** Links the routers closed by the end of the run, by reason (only with options.linkDrops). */
  readonly linkDrops: Readonly<Record<string, number>>;
  /** One line per problem worth a user's attention (links the routers dropped). */
  readonly warnings: readonly string[];
  readonly tableSize: Distribution;
  /** Sum of the nodes' RouterView.tableInstalls. */
  readonly tableInstalls: number;
  readonly coordsCacheSize: Distribution;
  readonly depth: DepthSummary;
  readonly nodes: NodeRow[];
  /**
   * timeseries.csv, streamed (results/timeseries.ts): write it with series.writeCsv(), or read it
   * into memory with series.rows() (tests and small runs).
   */
  readonly series: Timeseries;
  readonly pairs: PairRow[];
  readonly paths: PathRecord[];
  readonly snapshots: Snapshot[];
}

/** What the observers kept, at the end of the run (before the final measurement's probes). */
export interface EndState {
  /** Graph of up links and every present node's view, in the host's nodeNames() order. */
  readonly g: Csr;
  readonly views: readonly RouterView[];
  /** The convergence tracker after its last sample (taken at the end of the run). */
  readonly tracker: ConvergenceTracker;
  readonly samples: readonly Sample[];
  readonly changes: readonly Change[];
  /** Per change: the tracker's snakeLosses total when it happened. */
  readonly changeLosses: readonly number[];
  /** Router closes by reason at the end (empty without link-drop counting). */
  readonly drops: ReadonlyMap<string, number>;
  /** Frames sent by frame type, and bytes (null: not counted). */
  readonly frames: ArrayLike<number>;
  readonly bytes: ArrayLike<number> | null;
  /** Share of the nodes for snakeQuorumAt. */
  readonly snakeQuorum: number;
}

const s = (us: Micros): number => us / 1_000_000;

/** Views of every present node, in nodeNames() order, and the graph of up links. */
export function networkState(host: HostApi): { g: Csr; views: RouterView[] } {
  const names = [...host.nodeNames()];
  const g = buildCsr(names, host.links());
  return { g, views: names.map((n) => host.view(n)) };
}

/**
 * What the observers hold at the end of the run, as summarise() takes it: the host's counters are
 * copied (they keep counting through the final measurement); frames counted through the filter
 * are read live (the final measurement's count too, as always).
 */
export function endStateOf(
  state: { g: Csr; views: RouterView[] },
  sampler: ConvergenceSampler,
  overhead: OverheadSampler | null,
  options: CollectorOptions,
): EndState {
  const counters = options.counters;
  return {
    ...state,
    tracker: sampler.tracker,
    samples: sampler.samples,
    changes: sampler.changes,
    changeLosses: sampler.changeLosses,
    drops: new Map(options.linkDrops?.() ?? []),
    frames:
      counters === undefined
        ? (overhead?.filterCounts ?? new Float64Array(FRAME_TYPE_NAMES.length))
        : Float64Array.from(counters.frames),
    bytes: counters === undefined ? null : Float64Array.from(counters.bytes),
    snakeQuorum: options.snakeQuorum ?? 1,
  };
}

/**
 * The warning for links the routers closed (PROTOCOL.md §4.4), with the count per reason: a run
 * whose links die on their own (a lost keepalive, a bad frame) measures a different network than
 * the one it was given. Scenario actions' cuts are not router closes and never warn.
 */
export function dropWarnings(linkDrops: Readonly<Record<string, number>>): string[] {
  const parts = Object.entries(linkDrops)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`);
  if (parts.length === 0) return [];
  return [`links dropped by the routers (not by scenario actions): ${parts.join(', ')}`];
}

/**
 * Root of the largest component of `g` (the greatest key of its component, §1.2; ties: the
 * component met first), or −1, and each node's BFS distance from its component's root.
 */
function roots(g: Csr, views: readonly RouterView[]): { root: number; bfsDepth: Int32Array } {
  const n = g.names.length;
  const comp = components(g);
  let ncomp = 0;
  for (let i = 0; i < n; i++) ncomp = Math.max(ncomp, (comp[i] as number) + 1);
  const rootOfComponent = new Int32Array(ncomp).fill(-1);
  const sizes = new Int32Array(ncomp);
  for (let i = 0; i < n; i++) {
    const c = comp[i] as number;
    sizes[c] = (sizes[c] as number) + 1;
    const r = rootOfComponent[c] as number;
    if (r === -1 || compareKeys((views[i] as RouterView).key, (views[r] as RouterView).key) > 0)
      rootOfComponent[c] = i;
  }
  let best = -1;
  let bestSize = 0;
  for (let c = 0; c < ncomp; c++)
    if ((sizes[c] as number) > bestSize) {
      best = c;
      bestSize = sizes[c] as number;
    }
  // BFS depth from each component's root (multi-source: components are disjoint).
  const bfsDepth = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (const r of rootOfComponent) {
    bfsDepth[r] = 0;
    queue[tail++] = r;
  }
  while (head < tail) {
    const u = queue[head++] as number;
    for (let k = g.offsets[u] as number; k < (g.offsets[u + 1] as number); k++) {
      const v = g.targets[k] as number;
      if (bfsDepth[v] === -1) {
        bfsDepth[v] = (bfsDepth[u] as number) + 1;
        queue[tail++] = v;
      }
    }
  }
  return { root: best === -1 ? -1 : (rootOfComponent[best] as number), bfsDepth };
}

/** nodes.csv: one row per present node at the end, with its convergence times. */
function nodeRows(
  end: EndState,
  eps: readonly Episode[],
  bfsDepth: Int32Array,
  keys: readonly string[],
): NodeRow[] {
  const { g, views, tracker: tr } = end;
  const nameOfKey = new Map<string, string>();
  keys.forEach((k, i) => {
    nameOfKey.set(k, g.names[i] as string);
  });
  // Per-node convergence times from the tracker's last sample, matched by name: node indices
  // there are the host's.
  const trackerIndex = new Map<string, number>();
  for (const i of tr.liveIndices()) trackerIndex.set(tr.nameAt(i), i);
  // A node right before a root refresh and right again within its episode counts from before.
  const refreshAt = new Map(tr.refreshes.map((r) => [r.time, r] as const));
  const since = (times: Float64Array, name: string): number | '' => {
    const i = trackerIndex.get(name);
    if (i === undefined) return '';
    const which = times === tr.treeOkSince ? 'treeOkSince' : 'snakeOkSince';
    const t = bridgeNode(times[i] as number, eps, (at) => refreshAt.get(at)?.[which][i]);
    return t < 0 ? '' : s(t);
  };
  return views.map((v, i) => {
    const name = g.names[i] as string;
    return {
      node: name,
      key: keys[i] as string,
      root: keyHex(v.rootKey),
      root_seq: v.rootSeq,
      parent: v.parentKey === null ? '' : (nameOfKey.get(keyHex(v.parentKey)) ?? ''),
      coords: `[${v.coords.join(' ')}]`,
      depth: v.coords.length,
      bfs_depth: bfsDepth[i] as number,
      descending: v.descendingKey === null ? '' : (nameOfKey.get(keyHex(v.descendingKey)) ?? ''),
      table_size: v.tableSize,
      coords_cache_size: v.coordsCacheSize,
      tree_converged_at: since(tr.treeOkSince, name),
      snake_converged_at: since(tr.snakeOkSince, name),
      snake_losses: tr.snakeLossCount[trackerIndex.get(name) ?? -1] ?? 0,
      table_installs: v.tableInstalls,
    };
  });
}

/** Episode summaries, with the right pointers lost between each start and the next one's. */
function episodeSummaries(end: EndState, eps: readonly Episode[]): EpisodeSummary[] {
  const lossesAt = new Map<Micros, number>();
  end.changes.forEach((c, k) => {
    if (!lossesAt.has(c.time)) lossesAt.set(c.time, end.changeLosses[k] as number);
  });
  const lossesIn = (k: number): number => {
    const next = eps[k + 1];
    const last =
      next === undefined ? end.tracker.snakeLosses : (lossesAt.get(next.start) as number);
    return last - (lossesAt.get((eps[k] as Episode).start) as number);
  };
  return eps.map((e, k) => ({
    start: s(e.start),
    cause: e.label,
    kind: e.kind,
    tree: e.tree === null ? null : s(e.tree),
    snake: e.snake === null ? null : s(e.snake),
    treeMin: e.treeMin === null ? null : round(e.treeMin),
    snakeMin: e.snakeMin === null ? null : round(e.snakeMin),
    snakeLosses: lossesIn(k),
  }));
}

/** Per-episode convergence times as series rows (at each episode's start). */
export function episodeRows(eps: readonly Episode[]): TimeseriesRow[] {
  const rows: TimeseriesRow[] = [];
  for (const e of eps) {
    if (e.tree !== null)
      rows.push({ time_s: s(e.start), metric: 'tree_convergence_s', value: s(e.tree) });
    if (e.snake !== null)
      rows.push({ time_s: s(e.start), metric: 'snake_convergence_s', value: s(e.snake) });
  }
  return rows;
}

/**
 * The run's results from its end state, what the probes measured, the series sampled during the
 * run (closed here with the rows known only at the end) and the snapshots taken.
 */
export function summarise(
  end: EndState,
  probes: LedgerSummary,
  series: Timeseries,
  snapshots: Snapshot[],
): CollectedResults {
  const { g, views } = end;
  const keys = views.map((v) => keyHex(v.key));
  const { root, bfsDepth } = roots(g, views);
  const eps: Episode[] = episodes(end.samples, end.changes);
  const nodes = nodeRows(end, eps, bfsDepth, keys);
  // Rows known only at the end (episodes, earlier measurements) go after the sampled rows of
  // their instant (results/timeseries.ts).
  series.close([...episodeRows(eps), ...probes.rows]);
  const framesByType: Record<string, number> = {};
  const bytesByType: Record<string, number> = {};
  FRAME_TYPE_NAMES.forEach((name, k) => {
    framesByType[name] = end.frames[k] as number;
    if (end.bytes !== null) bytesByType[name] = end.bytes[k] as number;
  });
  // From when the series held at `atLeast` or above to the end, in seconds (null: not at the end).
  const held = (metric: 'tree' | 'snake', atLeast = 1): number | null => {
    const t = finalConvergence(end.samples, metric, atLeast, eps);
    return t === null ? null : s(t);
  };
  const linkDrops: Record<string, number> = {};
  for (const reason of [...end.drops.keys()].sort())
    linkDrops[reason] = end.drops.get(reason) as number;
  return {
    treeConvergedAt: held('tree'),
    snakeConvergedAt: held('snake'),
    treeReached: reached(nodes.map((n) => n.tree_converged_at)),
    snakeReached: reached(nodes.map((n) => n.snake_converged_at)),
    snakeHeld: { at99: held('snake', 0.99), at999: held('snake', 0.999) },
    snakeQuorumAt: held('snake', end.snakeQuorum),
    snakeLosses: end.tracker.snakeLosses,
    root: root === -1 ? null : (g.names[root] as string),
    stretch: probes.stretch,
    delivery: probes.delivery,
    hybridFirst: probes.hybridFirst,
    traffic: probes.traffic,
    framesByType,
    bytesByType,
    episodes: episodeSummaries(end, eps),
    linkDrops,
    warnings: dropWarnings(linkDrops),
    tableSize: distribution(views.map((v) => v.tableSize)),
    tableInstalls: views.reduce((sum, v) => sum + v.tableInstalls, 0),
    coordsCacheSize: distribution(views.map((v) => v.coordsCacheSize)),
    depth: depthSummary(
      views.map((v, i) => ({ depth: v.coords.length, bfsDepth: bfsDepth[i] as number })),
    ),
    nodes,
    series,
    pairs: probes.pairs,
    paths: probes.paths,
    snapshots,
  };
}
