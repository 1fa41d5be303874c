/**
 * results/collector.ts — the measurement side of a scenario run (implements ScenarioCollector of
 * scenarios/runner.ts): samples convergence on a fixed virtual-time grid, sends real probes for
 * stretch and traffic through HostApi.sendProbe, counts frames seen by the filter, takes
 * snapshots, and at the end assembles the tidy rows of results/schema.ts.
 *
 * It is the one measurement path of every run: `pinelab run` is a scenario with no actions
 * (scenarios/execute.ts), so plain runs and scenarios produce the same files. With the real host
 * (CollectorOptions.counters) it also records frames and bytes per virtual second from the host's
 * wire counters, automatic snapshots (start, first convergence, end) and, when asked, an event log
 * (events.jsonl). Final state (nodes.csv, the summary's root, table sizes) is taken at the end of
 * the run, before the final stretch measurement, whose probes only observe.
 */
import { compareKeys, INITIAL_WATERMARK, toHex } from '../router/keys.ts';
import type { Micros, PublicKey, RouterView, Watermark } from '../router/types.ts';
import type { RandomFactory, Rng, ScenarioCollector } from '../scenarios/runner.ts';
import type { ProbeMode, Scenario } from '../scenarios/types.ts';
import { ApiSource, type ConvergenceSource, ConvergenceTracker } from '../sim/convergence.ts';
import { FRAME_TYPE_NAMES } from '../sim/host.ts';
import type { HostApi, ProbeRoute, TrafficOutcome } from '../sim/host-api.ts';
import {
  bridgeNode,
  type Change,
  type Episode,
  type EpisodeKind,
  episodes,
  finalConvergence,
  type Sample,
} from './convergence-series.ts';
import { buildCsr, type Csr, components } from './graph.ts';
import {
  DeliveryCounter,
  type DepthSummary,
  depthSummary,
  distribution,
  type ProbeResult,
  reached,
  round,
  stretchSummary,
} from './metrics.ts';
import type {
  DeliverySummary,
  Distribution,
  EpisodeSummary,
  Held,
  HopDecision,
  NodeRow,
  PairRow,
  PathHop,
  PathRecord,
  Reached,
  RoutingMode,
  Snapshot,
  StretchSummary,
  TimeseriesRow,
} from './schema.ts';
import { selectPairs } from './stretch.ts';

interface Probe {
  /** Id of the packet in flight (a conversation's packets each get one: see CONVERSATION). */
  id: number;
  /** Packets of the conversation sent so far, this one included (1 for single packets). */
  packet: number;
  /** Hops of a conversation's first packet once it reached D (hybridFirst), else −1. */
  firstHops: number;
  readonly mode: ProbeMode;
  readonly source: string;
  readonly destination: string;
  readonly shortest: number;
  readonly path: readonly string[] | null;
  /** Index of the stretch measurement, or −1 for traffic probes. */
  readonly measurement: number;
  result: ProbeResult | null;
  hops: number;
  reached: string;
}

interface Measurement {
  readonly time: Micros;
  readonly modes: readonly RoutingMode[];
  readonly sampled: boolean;
  readonly probes: Probe[];
}

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
  readonly timeseries: TimeseriesRow[];
  readonly pairs: PairRow[];
  readonly paths: PathRecord[];
  readonly snapshots: Snapshot[];
}

const s = (us: Micros): number => us / 1_000_000;

/**
 * Mode 'hybrid' is a conversation, as an application talks (PROTOCOL.md §1.3, §7.2): packet 1
 * S→D, on its delivery packet 2 D→S, on its delivery packet 3 S→D, each sent through the
 * routers' own coordinates caches (route 'auto'). D's router caches S's coordinates from packet 1
 * (§7.1 step 1), so packet 2 is tree-routed; S caches D's from packet 2, so packet 3 is: packet 3
 * is what the conversation measures (its steady state). With router option hybrid off nothing is
 * cached and all three go by SNEK. A packet that is dropped or reaches another node ends the
 * conversation with that outcome. Each packet is sent at the instant the previous one arrived (an
 * application that answers at once), as a host action, not from inside the delivering router.
 */
const CONVERSATION = 3;

/** The host route of a measurement mode ('hybrid': its conversation's packets use the cache). */
function probeRoute(mode: ProbeMode): ProbeRoute {
  return mode === 'hybrid' ? 'auto' : mode;
}

const hexCache = new WeakMap<PublicKey, string>();
/** Hex of a key, cached per key object (views hand out the same arrays again and again). */
function keyHex(key: PublicKey): string {
  let h = hexCache.get(key);
  if (h === undefined) {
    h = toHex(key);
    hexCache.set(key, h);
  }
  return h;
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

/** What the executor (scenarios/execute.ts) adds on top of the plain HostApi collector. */
export interface CollectorOptions {
  /**
   * The host's live wire counters by frame type (sim/host.ts framesSent / bytesSent): frames and
   * bytes per virtual second go to the time series and the totals to framesByType.
   */
  readonly counters?: {
    readonly frames: ArrayLike<number>;
    readonly bytes: ArrayLike<number>;
    /** Table entries installed so far, all nodes (sim/host.ts tableInstalls): table_installs. */
    readonly installs?: () => number;
  };
  /** Snapshots at the start (t = 0), at the first sample where tree and snake hold, and at the end. */
  readonly autoSnapshots?: boolean;
  /** Record events.jsonl lines (frames sent and received, state changes, probes, topology). */
  readonly events?: boolean;
  /**
   * Dense snapshots (`--snapshots every:1s`, issue 20): one more snapshot every this many µs from
   * t = 0 to the end, for the viewer's timeline. Off: no extra scheduled actions (hashes unchanged).
   */
  readonly snapshotEvery?: Micros;
  /**
   * Explain SNEK hops of recorded paths (results/snek-decision.ts): `node`'s §6.6 decision for a
   * frame to `destination` arriving with `watermark`, and the watermark it leaves with; null when
   * it cannot be told (a router variant replaced the decision). Called at the moment of the hop.
   */
  readonly decide?: (
    node: string,
    destination: string,
    watermark: Watermark,
  ) => { readonly decision: HopDecision; readonly next: Watermark } | null;
  /**
   * Where convergence samples read the network (sim/convergence.ts): the executor passes a
   * HostSource over the real host (no per-sample allocation); default: an ApiSource over the
   * HostApi given to attach() (views through snapshot(), for fakes and wrappers).
   */
  readonly source?: ConvergenceSource;
  /** Share of the nodes for CollectedResults.snakeQuorumAt (default 1: every node). */
  readonly snakeQuorum?: number;
  /** Called after every convergence sample with the fractions of correct nodes, of `nodes`. */
  readonly onSample?: (tree: number, snake: number, nodes: number) => void;
  /**
   * Start-up: the topology's links and the time by which every node has started (the host's
   * start spread). Until then a node with planned links none of which has come up yet has not
   * started (or its peers have not): it counts as NOT converged, instead of as a trivially
   * converged isolated node, so the convergence series starts at 0, not at a false 1.
   */
  readonly startUp?: {
    readonly links: readonly (readonly [string, string])[];
    readonly until: Micros;
  };
  /**
   * Links the routers closed so far, by reason (sim/host.ts linkDrops; scenario cuts are not
   * router closes): each new close opens a convergence episode, and the totals are warned about.
   */
  readonly linkDrops?: () => ReadonlyMap<string, number>;
}

/** Virtual second: the bin width of the frames_<type> / bytes_<type> series. */
const SECOND: Micros = 1_000_000;

/** One events.jsonl line: virtual time in seconds, event kind, and its fields. */
export type TraceEvent = { readonly t: number; readonly e: string } & Readonly<
  Record<string, string | number | null>
>;

export class RunCollector implements ScenarioCollector {
  private host: HostApi | null = null;
  private scenario: Scenario | null = null;
  private readonly samples: Sample[] = [];
  private readonly changes: Change[] = [{ time: 0, label: 'start-up', kind: 'start-up' }];
  /** Per change: the tracker's snakeLosses total when it happened (losses per episode). */
  private readonly changeLosses: number[] = [0];
  /** A scenario action changed the topology since the last sample (it owns what that sample sees). */
  private scenarioChanged = false;
  /** Links up and nodes present at the previous sample (−1 before the first). */
  private prevLinks = -1;
  private prevNodes = -1;
  /** Router closes by reason at the previous sample, and at the end of the run. */
  private prevDrops = new Map<string, number>();
  private endDrops: ReadonlyMap<string, number> | null = null;
  /** Links the routers closed and no re-dial has brought back yet (re-peer episodes). */
  private unrepaired = 0;
  /** The tracker's snakeLosses total before the sample being taken. */
  private lossesBefore = 0;
  /** The one convergence definition (sim/convergence.ts), created by attach(). */
  private tracker: ConvergenceTracker | null = null;
  private readonly positions = new Map<string, [number, number]>();
  private readonly snapshots: Snapshot[] = [];
  private readonly timeseries: TimeseriesRow[] = [];
  private readonly frames = new Float64Array(FRAME_TYPE_NAMES.length + 1);
  private readonly probes = new Map<number, Probe>();
  private readonly measurements: Measurement[] = [];
  private readonly traffic = new Map<ProbeMode, DeliveryCounter>();
  private readonly hops = new Map<number, PathHop[]>();
  private pending = 0;
  private nextId = 1;
  private recordPaths = false;
  private finished = false;
  private readonly random: RandomFactory;
  private readonly options: CollectorOptions;
  /** State at the end of the run (before the final measurement), taken by finish(). */
  private endState: { g: Csr; views: RouterView[] } | null = null;
  private endFrames: Float64Array | null = null;
  private endBytes: Float64Array | null = null;
  private convergedSnapshot = false;
  private readonly lastFrames = new Float64Array(FRAME_TYPE_NAMES.length);
  private readonly lastBytes = new Float64Array(FRAME_TYPE_NAMES.length);
  private lastInstalls = 0;
  /** events.jsonl lines (already serialised: one string per event keeps memory flat). */
  readonly eventLines: string[] = [];
  /** Previous (root, parent, descending) per node name, for state-change events. */
  private readonly lastState = new Map<string, string>();
  /** Set when the run was interrupted: finish() then skips the final stretch measurement. */
  interrupted = false;
  /** The run has ended (finish() took the end state): the final measurement is not sampled. */
  private ended = false;
  /** End of the last overhead bin, µs. */
  private lastBin: Micros = 0;

  /**
   * Frame counting through the filter (for hosts without their own counters).
   * Assigned only when asked for: an installed filter costs a call per frame.
   */
  countFrame?: (node: string, peer: string, frameType: number, direction: 'in' | 'out') => void;

  /**
   * `random(name)` gives the named seeded stream (sim/rng.ts RandomStreams.stream).
   * `countFrames`: count frames through the filter (hosts without counters, e.g. test fakes).
   */
  constructor(random: RandomFactory, countFrames = false, options: CollectorOptions = {}) {
    this.random = random;
    this.options = options;
    if (countFrames || options.events === true)
      this.countFrame = (n, p, t, d) => this.count(n, p, t, d);
  }

  /** SNEK probes' watermarks on the way (for decisions), by probe id. */
  private readonly watermarks = new Map<number, Watermark>();

  /** The §6.6 decision of a recorded SNEK-mode hop, when options.decide is given. */
  private decision(id: number, node: string): HopDecision | null {
    const decide = this.options.decide;
    const p = this.probes.get(id);
    if (decide === undefined || p === undefined || p.mode !== 'snek') return null;
    // §6.7: a frame leaves its origin with (FullMask, 0).
    const r = decide(node, p.destination, this.watermarks.get(id) ?? INITIAL_WATERMARK);
    if (r === null) return null;
    this.watermarks.set(id, r.next);
    return r.decision;
  }

  /** Append one event (only called when options.events is on). */
  private event(e: string, fields: Record<string, string | number | null>): void {
    this.eventLines.push(JSON.stringify({ t: s(this.h.now), e, ...fields }));
  }

  attach(host: HostApi, scenario: Scenario): void {
    this.host = host;
    this.scenario = scenario;
    host.onTraffic((o) => {
      if (this.options.events === true)
        this.event('probe', {
          id: o.id,
          source: o.source,
          destination: o.destination,
          reached: o.reached,
          hops: o.hops,
          drop: o.dropReason,
        });
      this.outcome(o);
    });
    host.onHop((id, node, port, next, reason) => {
      if (!this.recordPaths) return;
      const list = this.hops.get(id);
      if (list === undefined) return;
      const decision = this.decision(id, node);
      list.push(
        decision === null ? { node, port, next, reason } : { node, port, next, reason, decision },
      );
    });
    const interval = scenario.measure.interval;
    const tick = (): void => {
      // After the end of the run the final measurement's probes travel: not part of the series.
      if (this.ended) return;
      this.sample();
      const t = host.now + interval;
      if (t <= scenario.duration) host.at(t, tick);
    };
    if (this.options.autoSnapshots === true) host.at(0, () => this.snapshot('start'));
    const snapEvery = this.options.snapshotEvery ?? 0;
    if (snapEvery > 0) {
      // After the automatic start snapshot (same instant, scheduled later), so t = 0 is not doubled.
      const dense = (): void => {
        if (this.ended) return;
        if (host.now > 0 || this.options.autoSnapshots !== true) this.snapshot(null);
        const t = host.now + snapEvery;
        if (t < scenario.duration) host.at(t, dense);
      };
      host.at(0, dense);
    }
    host.at(0, tick);
    // measure.stretchEvery (issue 20): stretch and delivery at every multiple of the interval
    // before the end (the final measurement covers the end), each from its own named stream, so
    // a scenario without it schedules nothing and keeps its trace hash.
    const every = scenario.measure.stretchEvery ?? 0;
    if (every > 0 && scenario.measure.stretchModes.length > 0) {
      const m = scenario.measure;
      for (let k = 1; k * every < scenario.duration; k++)
        host.at(k * every, () => {
          if (!this.ended)
            this.measureStretch(
              m.stretchModes,
              m.exactUpTo,
              m.sample,
              this.random(`stretch-every-${k}`),
            );
        });
    }
    const startUp = this.options.startUp;
    const planned: string[] = [];
    if (startUp !== undefined) for (const [a, b] of startUp.links) if (a !== b) planned.push(a, b);
    this.tracker = new ConvergenceTracker(this.options.source ?? new ApiSource(host), {
      ...(startUp === undefined ? {} : { startUp: { nodes: planned, until: startUp.until } }),
    });
    // Control overhead: frames (and bytes, with host counters) sent per virtual second, one row
    // per frame type and second, zeros included so each series is continuous for the plots. The
    // row at time t covers (t − 1 s, t]; finish() adds the run's last partial second as a rate.
    if (this.options.counters !== undefined || this.countFrame !== undefined) {
      const perSecond = (): void => {
        if (this.ended) return;
        this.overheadBin();
        if (host.now + SECOND <= scenario.duration) host.at(host.now + SECOND, perSecond);
      };
      if (SECOND <= scenario.duration) host.at(SECOND, perSecond);
    }
  }

  /**
   * One overhead row per frame type for (lastBin, now], normalised to per virtual second (bins
   * are 1 s except the last one of a run). Sources: the host's wire counters, else the frames
   * counted through the filter (no bytes then).
   */
  private overheadBin(): void {
    const now = this.h.now;
    const width = now - this.lastBin;
    if (width <= 0) return;
    const scale = SECOND / width;
    const t = s(now);
    const counters = this.options.counters;
    for (let k = 0; k < FRAME_TYPE_NAMES.length; k++) {
      const name = FRAME_TYPE_NAMES[k] as string;
      const f = counters === undefined ? (this.frames[k] as number) : (counters.frames[k] ?? 0);
      this.timeseries.push({
        time_s: t,
        metric: `frames_${name}`,
        value: round((f - (this.lastFrames[k] as number)) * scale),
      });
      this.lastFrames[k] = f;
      if (counters !== undefined) {
        const b = counters.bytes[k] ?? 0;
        this.timeseries.push({
          time_s: t,
          metric: `bytes_${name}`,
          value: round((b - (this.lastBytes[k] as number)) * scale),
        });
        this.lastBytes[k] = b;
      }
    }
    const installs = counters?.installs?.();
    if (installs !== undefined) {
      this.timeseries.push({
        time_s: t,
        metric: 'table_installs',
        value: round((installs - this.lastInstalls) * scale),
      });
      this.lastInstalls = installs;
    }
    this.lastBin = now;
  }

  private get h(): HostApi {
    if (this.host === null) throw new Error('RunCollector used before attach()');
    return this.host;
  }

  topologyChanged(label: string): void {
    const now = this.h.now;
    this.changes.push({ time: now, label, kind: 'scenario' });
    this.changeLosses.push(this.t.snakeLosses);
    this.scenarioChanged = true;
    this.timeseries.push({ time_s: s(now), metric: 'topology_change', value: 1 });
    if (this.options.events === true) this.event('topology', { label });
  }

  private count(node: string, peer: string, frameType: number, direction: 'in' | 'out'): void {
    if (this.options.events === true)
      this.event(direction === 'out' ? 'send' : 'recv', {
        node,
        peer,
        frame: FRAME_TYPE_NAMES[frameType] ?? String(frameType),
      });
    // Each transmission is seen once on its way out (control overhead = frames sent).
    if (direction !== 'out') return;
    const k =
      frameType >= 0 && frameType < FRAME_TYPE_NAMES.length ? frameType : FRAME_TYPE_NAMES.length;
    this.frames[k] = (this.frames[k] as number) + 1;
  }

  setPosition(node: string, x: number, y: number): void {
    this.positions.set(node, [x, y]);
  }

  /** Views of every present node, in nodeNames() order, and the graph of up links. */
  private state(): { g: Csr; views: RouterView[] } {
    const names = [...this.h.nodeNames()];
    const g = buildCsr(names, this.h.links());
    return { g, views: names.map((n) => this.h.view(n)) };
  }

  private get t(): ConvergenceTracker {
    if (this.tracker === null) throw new Error('RunCollector used before attach()');
    return this.tracker;
  }

  /** A convergence sample now, unless the run has ended (one per instant, as always). */
  sampleNow(): void {
    if (!this.ended) this.sample();
  }

  /**
   * One convergence sample now (sim/convergence.ts: O(N), nothing allocated per node). Rows:
   * tree_fraction and snake_fraction (the headline definition, issue 4), coords_fraction (tree
   * correct AND coordinates consistent with the parent's, §5.2: a stricter diagnostic, not part
   * of "converged") and nodes.
   */
  private sample(): void {
    const now = this.h.now;
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && last.time === now) return;
    const tr = this.t;
    // Losses this sample sees belong to an episode it detects (detectChanges).
    this.lossesBefore = tr.snakeLosses;
    tr.sample(now);
    const n = tr.liveNodes;
    const sample: Sample = { time: now, tree: tr.treeFraction, snake: tr.snakeFraction };
    this.samples.push(sample);
    const t = s(now);
    this.timeseries.push({ time_s: t, metric: 'tree_fraction', value: round(sample.tree) });
    this.timeseries.push({ time_s: t, metric: 'snake_fraction', value: round(sample.snake) });
    this.timeseries.push({ time_s: t, metric: 'coords_fraction', value: round(tr.coordsFraction) });
    this.timeseries.push({ time_s: t, metric: 'nodes', value: n });
    this.timeseries.push({ time_s: t, metric: 'nodes_up', value: n });
    this.timeseries.push({ time_s: t, metric: 'links_up', value: tr.links });
    this.detectChanges(now, tr);
    if (this.options.events === true) {
      const { g, views } = this.state();
      this.stateEvents(g, views);
    }
    // Isolated nodes are trivially converged (each is its own component): the "converged"
    // snapshot waits for a network with at least one link up.
    const both = sample.tree === 1 && sample.snake === 1 && (n <= 1 || tr.links > 0);
    if (both && !this.convergedSnapshot && this.options.autoSnapshots === true) {
      this.convergedSnapshot = true;
      this.snapshot('converged');
    }
    this.options.onSample?.(sample.tree, sample.snake, n);
  }

  /**
   * Episodes no scenario action announced (results/convergence-series.ts), seen at the first
   * sample after them, so they start at that sample's time: links the routers closed (host
   * linkDrops, by reason), links re-dialled after such closes (re-peer), other changes in the
   * links up or nodes present, and root refreshes (sim/convergence.ts rootRefreshes, §5.3.1). A
   * change of links or nodes in a window in which a scenario action ran belongs to that action's
   * episode, and so do links coming up later with no router close to repair: the start-up's, or
   * a returning node's peerings re-dialled after it (§4.6).
   */
  private detectChanges(now: Micros, tr: ConvergenceTracker): void {
    const links = tr.links;
    const nodes = tr.liveNodes;
    const byScenario = this.scenarioChanged;
    this.scenarioChanged = false;
    const dropped = this.newDrops();
    const moved = this.prevLinks >= 0 && (links !== this.prevLinks || nodes !== this.prevNodes);
    const gained = links - this.prevLinks;
    if (dropped !== null) this.detected(now, `link drop: ${dropped}`, 'link-drop');
    else if (moved && !byScenario) {
      if (nodes === this.prevNodes && gained > 0) {
        // Links coming up: after router closes, re-dialled peerings (§4.6) are an episode of their
        // own; otherwise they are links the start-up or a scenario action asked for (a returning
        // node's peerings, re-dialled 0-5 s after it) and belong to that episode.
        if (this.unrepaired > 0)
          this.detected(now, `re-peer: links up ${this.prevLinks}→${links}`, 'topology');
        this.unrepaired = Math.max(0, this.unrepaired - gained);
      } else {
        const parts: string[] = [];
        if (nodes !== this.prevNodes) parts.push(`nodes ${this.prevNodes}→${nodes}`);
        if (links !== this.prevLinks) parts.push(`links up ${this.prevLinks}→${links}`);
        this.detected(now, parts.join(', '), 'topology');
      }
    }
    if (tr.rootRefreshes > 0)
      this.detected(
        now,
        tr.rootRefreshes === 1 ? 'root refresh' : `root refresh ×${tr.rootRefreshes}`,
        'root-refresh',
      );
    this.prevLinks = links;
    this.prevNodes = nodes;
  }

  private detected(now: Micros, label: string, kind: EpisodeKind): void {
    this.changes.push({ time: now, label, kind });
    this.changeLosses.push(this.lossesBefore);
    if (this.options.events === true) this.event('episode', { label, kind });
  }

  /**
   * Router closes since the previous sample, "keepalive-timeout ×2, …" (sorted), or null; adds
   * them to `unrepaired`.
   */
  private newDrops(): string | null {
    const drops = this.options.linkDrops?.();
    if (drops === undefined) return null;
    const parts: string[] = [];
    for (const reason of [...drops.keys()].sort()) {
      const n = (drops.get(reason) as number) - (this.prevDrops.get(reason) ?? 0);
      if (n > 0) {
        parts.push(`${reason} ×${n}`);
        this.unrepaired += n;
      }
    }
    if (parts.length === 0) return null;
    this.prevDrops = new Map(drops);
    return parts.join(', ');
  }

  /** Per-node root / parent / descending changes since the previous sample, as events. */
  private stateEvents(g: Csr, views: readonly RouterView[]): void {
    const nameOf = new Map<string, string>();
    views.forEach((v, i) => {
      nameOf.set(keyHex(v.key), g.names[i] as string);
    });
    views.forEach((v, i) => {
      const node = g.names[i] as string;
      const root = nameOf.get(keyHex(v.rootKey)) ?? keyHex(v.rootKey);
      const parent = v.parentKey === null ? null : (nameOf.get(keyHex(v.parentKey)) ?? null);
      const descending =
        v.descendingKey === null ? null : (nameOf.get(keyHex(v.descendingKey)) ?? null);
      const state = `${root}\u0000${v.rootSeq}\u0000${parent}\u0000${descending}`;
      if (this.lastState.get(node) !== state) {
        this.lastState.set(node, state);
        this.event('state', { node, root, rootSeq: v.rootSeq, parent, descending });
      }
    });
    if (this.lastState.size > g.names.length) {
      // Nodes left (churn): forget them so a returning node logs its state again.
      const present = new Set(g.names);
      for (const n of [...this.lastState.keys()]) if (!present.has(n)) this.lastState.delete(n);
    }
  }

  snapshot(label: string | null): void {
    const now = this.h.now;
    const names = [...this.h.nodeNames()];
    const nameOf = new Map<string, string>();
    const views = names.map((n) => this.h.view(n));
    views.forEach((v, i) => {
      nameOf.set(keyHex(v.key), names[i] as string);
    });
    const nodes = views.map((v, i) => {
      const name = names[i] as string;
      const pos = this.positions.get(name);
      return {
        name,
        root: keyHex(v.rootKey),
        parent: v.parentKey === null ? null : (nameOf.get(keyHex(v.parentKey)) ?? null),
        descending: v.descendingKey === null ? null : (nameOf.get(keyHex(v.descendingKey)) ?? null),
        coords: [...v.coords],
        ...(pos === undefined ? {} : { x: round(pos[0]), y: round(pos[1]) }),
      };
    });
    const links = this.h.links().map(([a, b]) => [a, b] as const);
    this.snapshots.push({ time_s: s(now), ...(label === null ? {} : { label }), nodes, links });
  }

  measureStretch(modes: readonly RoutingMode[], exactUpTo: number, sample: number, rng: Rng): void {
    const { g } = this.state();
    const withPaths = this.scenario?.measure.paths ?? false;
    const { pairs, sampled } = selectPairs(g, exactUpTo, sample, rng, withPaths);
    const m: Measurement = { time: this.h.now, modes, sampled, probes: [] };
    const index = this.measurements.length;
    this.measurements.push(m);
    if (withPaths) this.recordPaths = true;
    for (const mode of modes)
      for (const p of pairs) {
        const probe = this.newProbe(mode, p.source, p.destination, p.shortest, p.path, index);
        m.probes.push(probe);
        if (withPaths) this.hops.set(probe.id, []);
        this.h.sendProbe(p.source, p.destination, probe.id, probeRoute(mode));
      }
  }

  sendTraffic(source: string, destination: string, mode: ProbeMode): void {
    if (!this.h.hasNode(source) || !this.h.hasNode(destination)) return;
    const probe = this.newProbe(mode, source, destination, -1, null, -1);
    this.h.sendProbe(source, destination, probe.id, probeRoute(mode));
  }

  /**
   * The next packet of a conversation (CONVERSATION), under a new id: even packets go D→S. Hop
   * records follow the packet in flight, so paths.json shows the measured packet (or the one
   * that ended the conversation).
   */
  private nextPacket(p: Probe): void {
    if (p.result !== null) return;
    if (!this.h.hasNode(p.source) || !this.h.hasNode(p.destination)) {
      // An end left between two packets: the conversation never completes.
      this.resolve(p, { kind: 'lost' });
      return;
    }
    const previous = p.id;
    p.id = this.nextId++;
    p.packet++;
    this.probes.set(p.id, p);
    if (this.hops.delete(previous)) this.hops.set(p.id, []);
    const reply = p.packet % 2 === 0;
    const from = reply ? p.destination : p.source;
    const to = reply ? p.source : p.destination;
    this.h.sendProbe(from, to, p.id, 'auto');
  }

  private newProbe(
    mode: ProbeMode,
    source: string,
    destination: string,
    shortest: number,
    path: readonly string[] | null,
    measurement: number,
  ): Probe {
    const probe: Probe = {
      id: this.nextId++,
      packet: 1,
      firstHops: -1,
      mode,
      source,
      destination,
      shortest,
      path,
      measurement,
      result: null,
      hops: -1,
      reached: '',
    };
    this.probes.set(probe.id, probe);
    this.pending++;
    return probe;
  }

  private outcome(o: TrafficOutcome): void {
    const p = this.probes.get(o.id);
    // Not ours, a duplicate outcome, or a late one of an earlier packet of a conversation.
    if (p === undefined || p.result !== null || p.id !== o.id) return;
    this.probes.delete(o.id);
    const intended = p.packet % 2 === 0 ? p.source : p.destination;
    const conversing = p.mode === 'hybrid' && p.packet < CONVERSATION;
    if (conversing && o.dropReason === null && o.reached === intended) {
      // The receiving router has cached the sender's coordinates (§7.1 step 1); it answers.
      if (p.packet === 1) p.firstHops = o.hops;
      this.h.at(this.h.now, () => this.nextPacket(p));
      return;
    }
    p.reached = o.reached ?? '';
    if (o.dropReason === null) p.hops = o.hops;
    this.resolve(
      p,
      o.dropReason !== null
        ? { kind: 'dropped', reason: o.dropReason }
        : { kind: o.reached === intended ? 'delivered' : 'misdelivered' },
    );
  }

  private resolve(p: Probe, result: ProbeResult): void {
    this.pending--;
    p.result = result;
    if (p.measurement === -1) this.trafficCounter(p.mode).add(result);
  }

  private trafficCounter(mode: ProbeMode): DeliveryCounter {
    let c = this.traffic.get(mode);
    if (c === undefined) {
      c = new DeliveryCounter();
      this.traffic.set(mode, c);
    }
    return c;
  }

  /**
   * End of the scenario: the final stretch measurement (if configured), then run until every probe
   * is resolved or the probe timeout passes; probes still out then count as lost.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const sc = this.scenario;
    if (sc === null) return;
    this.sample();
    // The end of the run: final state and counters, before the measurement probes travel.
    if (this.options.counters !== undefined || this.countFrame !== undefined) this.overheadBin();
    this.ended = true;
    this.endState = this.state();
    const drops = this.options.linkDrops?.();
    if (drops !== undefined) this.endDrops = new Map(drops);
    const counters = this.options.counters;
    if (counters !== undefined) {
      this.endFrames = Float64Array.from(counters.frames);
      this.endBytes = Float64Array.from(counters.bytes);
    }
    if (this.options.autoSnapshots === true) this.snapshot('end');
    if (this.options.events === true) this.event('end', { nodes: this.endState.g.names.length });
    // Interrupted (SIGINT): what was measured so far is kept; no new probes, no waiting.
    if (this.interrupted) return;
    if (sc.measure.stretchModes.length > 0)
      this.measureStretch(
        sc.measure.stretchModes,
        sc.measure.exactUpTo,
        sc.measure.sample,
        this.random('final-stretch'),
      );
    if (this.pending > 0)
      this.h.runUntil(this.h.now + sc.measure.probeTimeout, () => this.pending === 0);
  }

  /** Assemble the results (call after finish()). */
  results(): CollectedResults {
    const { g, views } = this.endState ?? this.state();
    const n = g.names.length;
    const keys = views.map((v) => keyHex(v.key));
    // Components of the final graph and the greatest key of each (the true root, §1.2).
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
    // Root of the largest component (ties: the component met first).
    let best = -1;
    let bestSize = 0;
    for (let c = 0; c < ncomp; c++)
      if ((sizes[c] as number) > bestSize) {
        best = c;
        bestSize = sizes[c] as number;
      }
    const rootIndex = best === -1 ? -1 : (rootOfComponent[best] as number);
    const nameOfKey = new Map<string, string>();
    keys.forEach((k, i) => {
      nameOfKey.set(k, g.names[i] as string);
    });
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
    // Per-node convergence times from the tracker's last sample (taken at the end of the run by
    // finish()), matched by name: node indices there are the host's.
    const tr = this.t;
    const trackerIndex = new Map<string, number>();
    for (const i of tr.liveIndices()) trackerIndex.set(tr.nameAt(i), i);
    const eps: Episode[] = episodes(this.samples, this.changes);
    // A node right before a root refresh and right again within its episode counts from before.
    const refreshAt = new Map(tr.refreshes.map((r) => [r.time, r] as const));
    const since = (times: Float64Array, name: string): number | '' => {
      const i = trackerIndex.get(name);
      if (i === undefined) return '';
      const which = times === tr.treeOkSince ? 'treeOkSince' : 'snakeOkSince';
      const t = bridgeNode(times[i] as number, eps, (at) => refreshAt.get(at)?.[which][i]);
      return t < 0 ? '' : s(t);
    };
    const nodes: NodeRow[] = views.map((v, i) => {
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
    const timeseries = [...this.timeseries];
    for (const e of eps) {
      if (e.tree !== null)
        timeseries.push({ time_s: s(e.start), metric: 'tree_convergence_s', value: s(e.tree) });
      if (e.snake !== null)
        timeseries.push({ time_s: s(e.start), metric: 'snake_convergence_s', value: s(e.snake) });
    }
    // Stretch and delivery: the last measurement feeds the summary and pairs.csv; earlier ones
    // become timeseries points.
    const stretch: Partial<Record<RoutingMode, StretchSummary>> = {};
    const delivery: Partial<Record<RoutingMode, DeliverySummary>> = {};
    let hybridFirst: StretchSummary | null = null;
    const pairs: PairRow[] = [];
    const paths: PathRecord[] = [];
    this.measurements.forEach((m, k) => {
      const final = k === this.measurements.length - 1;
      for (const mode of m.modes) {
        const ps = m.probes.filter((p) => p.mode === mode);
        const summary = stretchSummary(
          ps
            .filter((p) => p.result?.kind === 'delivered')
            .map((p) => ({ hops: p.hops, shortest: p.shortest })),
          m.sampled,
        );
        const counter = new DeliveryCounter();
        for (const p of ps) counter.add(p.result ?? { kind: 'lost' });
        if (final) {
          stretch[mode] = summary;
          delivery[mode] = counter.summary();
        } else {
          timeseries.push({
            time_s: s(m.time),
            metric: `stretch_${mode}_mean`,
            value: summary.mean,
          });
          timeseries.push({ time_s: s(m.time), metric: `stretch_${mode}_p95`, value: summary.p95 });
          // Delivery beside stretch (issue 20: both over time): delivered / sent (none sent: no row).
          const d = counter.summary();
          if (d.sent > 0)
            timeseries.push({
              time_s: s(m.time),
              metric: `delivery_${mode}`,
              value: round(d.delivered / d.sent),
            });
        }
        if (mode !== 'hybrid') continue;
        // The conversations' first packets, S→D through S's cache as the measurement found it:
        // SNEK without a fresh entry, tree with one (§7.2: 60 s lifetime, clearing rules).
        const first = stretchSummary(
          ps
            .filter((p) => p.firstHops >= 0)
            .map((p) => ({ hops: p.firstHops, shortest: p.shortest })),
          m.sampled,
        );
        if (final) hybridFirst = first;
        else {
          const at = s(m.time);
          timeseries.push({ time_s: at, metric: 'stretch_hybrid_first_mean', value: first.mean });
          timeseries.push({ time_s: at, metric: 'stretch_hybrid_first_p95', value: first.p95 });
        }
      }
      if (!final) return;
      for (const p of m.probes) {
        const outcome = p.result?.kind ?? 'lost';
        const delivered = outcome === 'delivered' || outcome === 'misdelivered';
        pairs.push({
          mode: p.mode as RoutingMode,
          source: p.source,
          destination: p.destination,
          shortest_hops: p.shortest,
          hops: delivered ? p.hops : '',
          stretch: outcome === 'delivered' ? round(p.hops / p.shortest) : '',
          outcome,
          reached: p.reached,
        });
        const hops = this.hops.get(p.id);
        if (hops !== undefined)
          paths.push({
            mode: p.mode as RoutingMode,
            source: p.source,
            destination: p.destination,
            outcome,
            hops,
            shortest: p.path ?? [],
          });
      }
    });
    timeseries.sort((a, b) => a.time_s - b.time_s);
    const traffic: Partial<Record<ProbeMode, DeliverySummary>> = {};
    for (const mode of [...this.traffic.keys()].sort())
      traffic[mode] = (this.traffic.get(mode) as DeliveryCounter).summary();
    const framesByType: Record<string, number> = {};
    const bytesByType: Record<string, number> = {};
    const frames = this.endFrames ?? this.frames;
    FRAME_TYPE_NAMES.forEach((name, k) => {
      framesByType[name] = frames[k] as number;
      if (this.endBytes !== null) bytesByType[name] = this.endBytes[k] as number;
    });
    // From when the series held at `atLeast` or above to the end, in seconds (null: not at the end).
    const held = (metric: 'tree' | 'snake', atLeast = 1): number | null => {
      const t = finalConvergence(this.samples, metric, atLeast, eps);
      return t === null ? null : s(t);
    };
    const linkDrops: Record<string, number> = {};
    const drops = this.endDrops ?? this.options.linkDrops?.() ?? new Map<string, number>();
    for (const reason of [...drops.keys()].sort()) linkDrops[reason] = drops.get(reason) as number;
    const warnings = dropWarnings(linkDrops);
    // Right pointers lost per episode: the tracker's total between its start and the next one's.
    const lossesAt = new Map<Micros, number>();
    this.changes.forEach((c, k) => {
      if (!lossesAt.has(c.time)) lossesAt.set(c.time, this.changeLosses[k] as number);
    });
    const lossesIn = (k: number): number => {
      const next = eps[k + 1];
      const end = next === undefined ? tr.snakeLosses : (lossesAt.get(next.start) as number);
      return end - (lossesAt.get((eps[k] as Episode).start) as number);
    };
    return {
      treeConvergedAt: held('tree'),
      snakeConvergedAt: held('snake'),
      treeReached: reached(nodes.map((n) => n.tree_converged_at)),
      snakeReached: reached(nodes.map((n) => n.snake_converged_at)),
      snakeHeld: { at99: held('snake', 0.99), at999: held('snake', 0.999) },
      snakeQuorumAt: held('snake', this.options.snakeQuorum ?? 1),
      snakeLosses: this.t.snakeLosses,
      root: rootIndex === -1 ? null : (g.names[rootIndex] as string),
      stretch,
      delivery,
      hybridFirst,
      traffic,
      framesByType,
      bytesByType,
      episodes: eps.map((e, k) => ({
        start: s(e.start),
        cause: e.label,
        kind: e.kind,
        tree: e.tree === null ? null : s(e.tree),
        snake: e.snake === null ? null : s(e.snake),
        treeMin: e.treeMin === null ? null : round(e.treeMin),
        snakeMin: e.snakeMin === null ? null : round(e.snakeMin),
        snakeLosses: lossesIn(k),
      })),
      linkDrops,
      warnings,
      tableSize: distribution(views.map((v) => v.tableSize)),
      tableInstalls: views.reduce((sum, v) => sum + v.tableInstalls, 0),
      coordsCacheSize: distribution(views.map((v) => v.coordsCacheSize)),
      depth: depthSummary(
        views.map((v, i) => ({ depth: v.coords.length, bfsDepth: bfsDepth[i] as number })),
      ),
      nodes,
      timeseries,
      pairs,
      paths,
      snapshots: this.snapshots,
    };
  }
}
