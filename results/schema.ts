/**
 * results/schema.ts — the shape of a run's results folder, `results/<run-id>/`.
 *
 * This is the contract between the simulator (writer) and everything that reads runs: compare,
 * merge, sweeps and the viewer (viz/ imports these with `import type` only). Times in files are
 * virtual seconds (floating point) unless a field says otherwise. CSVs are tidy: one observation
 * per row, a header line, written with csv-stringify.
 *
 * Files:
 *   manifest.json    RunManifest     how the run was made (command, seed, options, versions, hash)
 *   summary.json     RunSummary      the headline figures (also what `pinelab run --json` prints)
 *   topology.json    TopologyFile    nodes (name, key, optional position) and links, for the viewer
 *   nodes.csv        NodeRow         final per-node state and per-node convergence times
 *   timeseries.csv   TimeseriesRow   long format: time_s, metric, value
 *   pairs.csv        PairRow         per routed pair and mode: hops, shortest hops, stretch, outcome
 *   paths.json       PathRecord[]    hop-by-hop paths with the rule that chose each hop
 *   snapshots.json   Snapshot[]      timeline of whole-network state (measurement points)
 *   events.jsonl     one TraceEvent per line (only with --events)
 */

/**
 * How stretch probes are routed (results/collector.ts; README "Stretch modes"):
 *   snek    every packet by SNEK: empty destination coordinates (§6.6)
 *   hybrid  as an application talks (§1.3, §7.2): a conversation S→D, D→S, S→D through the
 *           routers' own coordinates caches; the figure is S's second packet (the first goes by
 *           SNEK unless S's cache already knows D). Router option hybrid off: all SNEK
 *   given   the destination's current coordinates given to the source (what other measurements
 *           of Pinecone call hybrid stretch): tree routing, SNEK fallback at a dead end
 *   tree    the same coordinates, tree routing only (dropped at a dead end)
 * Before RunSummary.hybridStretch existed, `hybrid` was measured the way `given` is now; it tells
 * the two apart.
 */
export type RoutingMode = 'snek' | 'hybrid' | 'given' | 'tree';

/** Every RoutingMode in display order. */
export const ROUTING_MODES: readonly RoutingMode[] = ['snek', 'hybrid', 'given', 'tree'];

/** How a probe is routed: a RoutingMode, or 'auto' (the router's own choice, traffic actions). */
export type ProbeMode = RoutingMode | 'auto';

export interface RunManifest {
  readonly pinelab: string; // package version
  readonly command: string; // the command line as typed
  readonly seed: string;
  /**
   * Router + link + run options, resolved, as the simulator takes them: times in integer virtual
   * microseconds (keepaliveInterval 3000000 is 3 s), unlike summary.json and the CSVs, which use
   * seconds. `pinelab run --help` shows the same options as durations.
   */
  readonly options: Record<string, unknown>;
  readonly topology: {
    readonly source: string; // file path or generator spec
    readonly digest: string; // sha256 of the canonical sorted edge list
    readonly nodes: number;
    readonly links: number;
  };
  readonly scenario?: string;
  readonly crypto: 'node' | 'noble' | 'trust';
  readonly versions: { readonly node: string; readonly git: string | null };
  readonly traceHash: string;
  readonly wallSeconds: number;
  readonly peakRssBytes: number;
  readonly createdAt: string; // ISO date of the run (wall clock; not part of any hash)
}

export interface Distribution {
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/**
 * How far convergence had got, per node: the virtual second by which 50%, 90% and 99% of the
 * nodes present at the end had reached the state they kept to the end (the quantiles of nodes.csv
 * tree_converged_at / snake_converged_at, a node not correct at the end counting as never); null
 * where fewer nodes than that were correct at the end. Useful where the last nodes take long (a
 * snake's tail) or a run was stopped before it converged.
 */
export interface Reached {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

/**
 * How much of the snake held at the end, as fractions of nodes rather than per node: the first
 * sample time from which at least 99% (`at99`) and 99.9% (`at999`) of the nodes had the right
 * descending pointer at every later sample; null if the fraction was below at the end. Where a
 * large snake never holds everywhere at once (pointers keep expiring and coming back: see
 * `snakeLosses`), these say when it was as good as it got.
 */
export interface Held {
  readonly at99: number | null;
  readonly at999: number | null;
}

/**
 * One convergence episode (results/convergence-series.ts): it starts at t = 0 (start-up), at each
 * scenario action that changed the topology, at each change the routers made (links closed, by
 * reason; links or nodes coming back: re-peering) and at each root refresh (the root's sequence
 * went up, PROTOCOL.md §5.3.1, every 30 min), and ends where the next one starts. Times in virtual
 * seconds.
 */
export interface EpisodeSummary {
  readonly start: number;
  /** What started it: 'start-up', the scenario action(s), 'link drop: keepalive-timeout ×2', … */
  readonly cause: string;
  readonly kind: 'start-up' | 'scenario' | 'link-drop' | 'topology' | 'root-refresh';
  /** Seconds from `start` until every node was right and stayed right to the episode's end; null: never. */
  readonly tree: number | null;
  readonly snake: number | null;
  /** Lowest fraction of right nodes sampled during the episode (null: no sample in it). */
  readonly treeMin: number | null;
  readonly snakeMin: number | null;
  /** Right descending pointers lost during the episode (its share of the summary's snakeLosses). */
  readonly snakeLosses: number;
}

export interface StretchSummary extends Distribution {
  readonly pairs: number; // pairs measured (delivered to the right node)
  readonly sampled: boolean; // true when pairs is a seeded sample, not all ordered pairs
  readonly shortestShare: number; // fraction of pairs whose path was a shortest path
}

export interface DeliverySummary {
  readonly sent: number;
  readonly delivered: number;
  readonly misdelivered: number; // reached some other node's application
  readonly dropped: Readonly<Record<string, number>>; // by TrafficDropReason
  readonly lost: number; // neither delivered nor dropped when the run ended (e.g. in flight)
}

export interface RunSummary {
  /**
   * Present (true) when a signal stopped the run (Ctrl-C, SIGTERM, SIGHUP): the figures cover the
   * run up to there; manifest options.interrupted says the same. Absent for a complete run.
   */
  readonly interrupted?: true;
  /** Nodes present and links up at the end of the run (timeseries nodes_up, links_up over time). */
  readonly nodes: number;
  readonly links: number;
  readonly seed: string;
  readonly root: string | null; // node name of the greatest key of the largest component
  /**
   * Virtual seconds from which every node was right to the end of the run; a root refresh
   * (§5.3.1) after which every node was right again before the next episode does not count as a
   * break (it is an episode of its own in `episodes`), so a static run that converged at 100 s
   * reports 100 s however many 30-minute refreshes follow. Null: not right everywhere at the end.
   */
  readonly treeConvergedAt: number | null;
  readonly snakeConvergedAt: number | null;
  /** Every episode, the first being start-up (absent in results written before it existed). */
  readonly episodes?: readonly EpisodeSummary[];
  /**
   * Links the routers closed, by reason (PROTOCOL.md §4.4: keepalive-timeout, decode-error, …);
   * scenario actions' cuts are not counted. Absent in older results and when none were closed.
   */
  readonly linkDrops?: Readonly<Record<string, number>>;
  /** Absent in results written before these fields existed. */
  readonly treeReached?: Reached;
  readonly snakeReached?: Reached;
  readonly snakeHeld?: Held;
  /**
   * Right descending pointers lost: how many times a node that had its right pointer at one
   * convergence sample had a wrong one at the next (sim/convergence.ts snakeLosses). In a run
   * whose topology does not change, the snake's flicker.
   */
  readonly snakeLosses?: number;
  /**
   * Only in runs stopped by `pinelab run --until converged --snake-quorum q` with q < 1: q, and the
   * first sample time from which at least that share of the nodes held the snake ever since.
   */
  readonly snakeQuorum?: number;
  readonly snakeQuorumAt?: number | null;
  readonly framesByType: Readonly<Record<string, number>>; // keepalive, announcement, bootstrap, traffic, wakeup
  readonly bytesByType: Readonly<Record<string, number>>;
  readonly events: number;
  readonly virtualSeconds: number;
  readonly wallSeconds: number;
  readonly traceHash: string;
  readonly stretch?: Partial<Record<RoutingMode, StretchSummary>>;
  readonly delivery?: Partial<Record<RoutingMode, DeliverySummary>>;
  /**
   * What `stretch.hybrid` / `delivery.hybrid` measure: 'conversation' (see RoutingMode). Absent
   * in results written before it existed, whose `hybrid` had the destination's coordinates given
   * (now `given`): readers rename those (results/compare.ts, viz/src/model/run.ts).
   */
  readonly hybridStretch?: 'conversation';
  /**
   * Stretch of the hybrid conversations' FIRST packets (S→D before this exchange), which go
   * through S's cache as the measurement found it: SNEK without a fresh entry, tree with one
   * (§7.2: 60 s lifetime, clearing rules). Equals snek after a quiet run; shows stale or
   * fresh caches in changing networks. Over conversations whose first packet reached D.
   */
  readonly hybridFirst?: StretchSummary;
}

export interface TopologyFile {
  readonly nodes: readonly {
    readonly name: string;
    readonly key: string;
    readonly x?: number;
    readonly y?: number;
  }[];
  readonly links: readonly { readonly source: string; readonly target: string }[];
}

export interface NodeRow {
  readonly node: string;
  readonly key: string;
  readonly root: string; // root key hex
  readonly root_seq: number;
  readonly parent: string; // node name, '' for a root
  readonly coords: string; // e.g. "[1 2 3]"
  readonly depth: number; // coordinate length
  readonly bfs_depth: number; // hop distance to the root in the graph
  readonly descending: string; // node name or ''
  readonly table_size: number;
  readonly coords_cache_size: number;
  readonly tree_converged_at: number | ''; // virtual s when this node reached its final tree state
  readonly snake_converged_at: number | '';
  /**
   * How many times this node's right descending pointer was wrong at the next convergence sample
   * (summary snakeLosses, per node); '' in results written before the column existed.
   */
  readonly snake_losses: number | '';
  /**
   * Table entries this node installed for a key its table lacked (summary tableInstalls, per
   * node: hubs churn most); '' in results written before the column existed.
   */
  readonly table_installs: number | '';
}

/**
 * One observation. Metrics (results/collector.ts):
 *   tree_fraction, snake_fraction, nodes   per convergence sample (measure.interval); a node
 *       counts as converged only once it has started and its first link is up (before that it is
 *       "not converged", not a trivially converged isolated node). Tree: the node's root is its
 *       component's greatest key with that root's sequence; snake: its descending pointer is the
 *       next lower key of its component (sim/convergence.ts)
 *   coords_fraction                        stricter tree test: also coordinates = parent's + the
 *       parent's port towards the node (§5.2); lags tree_fraction only mid-transition
 *   frames_<type>, bytes_<type>            control overhead in frames (bytes) SENT PER VIRTUAL
 *       SECOND, by frame type (keepalive, announcement, bootstrap, traffic, wakeup): the row at
 *       time_s = t covers (t − 1, t]; the run's last row covers its final partial second and is
 *       scaled to per second. bytes_<type> only when the host counts bytes.
 *   table_installs                         table entries installed for keys a node's table lacked
 *       (§6.5 step 6), all nodes, PER VIRTUAL SECOND, binned like frames_<type>: the table churn
 *       of moving bootstrap paths (summary tableInstalls)
 *   nodes_up, links_up                     per convergence sample: nodes present and links up
 *       (host nodeNames().length, links().length); the summary's nodes and links are the end counts
 *   topology_change                        1 at each scenario action that changed the topology
 *   tree_convergence_s, snake_convergence_s  per episode (at its start time): seconds to converge
 *       (summary episodes: also what started it and the lowest fractions during it)
 *   stretch_<mode>_mean, stretch_<mode>_p95  earlier stretch measurements (the last is the summary):
 *       `stretch` actions and measure.stretchEvery
 *   delivery_<mode>                        their delivered / sent (a fraction; none sent: no row)
 *   stretch_hybrid_first_mean, _p95        their conversations' first packets (summary hybridFirst)
 */
export interface TimeseriesRow {
  readonly time_s: number;
  /** e.g. tree_fraction, snake_fraction, frames_<type>, bytes_<type>, topology_change */
  readonly metric: string;
  readonly value: number;
}

export interface PairRow {
  readonly mode: RoutingMode;
  readonly source: string;
  readonly destination: string;
  readonly shortest_hops: number;
  readonly hops: number | ''; // '' when not delivered
  readonly stretch: number | '';
  readonly outcome: 'delivered' | 'misdelivered' | 'dropped' | 'lost';
  readonly reached: string; // node whose application got it ('' if none)
}

export interface PathHop {
  readonly node: string; // the node that forwarded (or delivered, for the last hop)
  readonly port: number; // port it chose (0 = delivered locally)
  readonly next: string | null; // node at the other end of that port
  readonly reason: string; // the rule that chose this hop, in words
  /** SNEK paths of small runs: the §6.6 decision with every candidate (results/snek-decision.ts). */
  readonly decision?: HopDecision;
}

/** One candidate of a §6.6 next-hop search (for the viewer's "explain this hop"). */
export interface HopCandidate {
  readonly node: string | null; // the candidate key's node (null: no node of the run has it)
  readonly key?: string; // hex, only when node is null
  readonly via: string | null; // the neighbour the frame would leave to
  readonly step: string; // the §6.6 step that met it, e.g. "3 peer or its ancestor"
  readonly seq?: number; // the entry's watermark sequence (step 5), when not 0
  readonly relation: 'below' | 'destination' | 'above'; // the key compared with the destination
  readonly outcome: 'winner' | 'superseded' | 'excluded' | 'taken';
  readonly why: string;
}

export interface HopDecision {
  /** The frame's watermark on arrival: key as a node name (or FullMask), sequence. */
  readonly watermark: { readonly key: string; readonly seq: number };
  readonly candidates: readonly HopCandidate[];
  /** From the router's own nextHopSnek: the key chosen, the neighbour, the rule. */
  readonly winner: { readonly node: string; readonly via: string | null; readonly rule: string };
  /** The listing's walk ended on the router's choice (false would be a bug, shown as such). */
  readonly agrees: boolean;
}

export interface PathRecord {
  readonly mode: RoutingMode;
  readonly source: string;
  readonly destination: string;
  readonly outcome: PairRow['outcome'];
  readonly hops: readonly PathHop[];
  readonly shortest: readonly string[]; // one shortest path, node names, source first
}

export interface SnapshotNode {
  readonly name: string;
  readonly root: string; // root key hex
  readonly parent: string | null;
  readonly descending: string | null;
  readonly coords: readonly number[];
  readonly x?: number;
  readonly y?: number;
}

export interface Snapshot {
  readonly time_s: number;
  readonly label?: string; // e.g. "after remove-node n3"
  readonly nodes: readonly SnapshotNode[];
  readonly links: readonly (readonly [string, string])[];
}
