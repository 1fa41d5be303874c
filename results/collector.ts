/**
 * results/collector.ts — the measurement side of a scenario run (implements ScenarioCollector of
 * scenarios/runner.ts). It only wires and schedules observers, each with one job:
 * - results/sampler.ts: convergence samples on a fixed virtual-time grid (episodes detected on the
 *   way) and control overhead per virtual second;
 * - results/probe-ledger.ts: stretch measurements and traffic probes, their outcomes and paths;
 * - results/event-log.ts: events.jsonl (when asked for);
 * - results/snapshots.ts: snapshots.json;
 * and at the end results/summarise.ts turns what they kept into the tidy rows of results/schema.ts.
 *
 * It is the one measurement path of every run: `pinelab run` is a scenario with no actions
 * (scenarios/execute.ts), so plain runs and scenarios produce the same files. Final state
 * (nodes.csv, the summary's root, table sizes) is taken at the end of the run, before the final
 * stretch measurement, whose probes only observe.
 */
import type { Micros, RouterView } from '../router/types.ts';
import type { RandomFactory, Rng, ScenarioCollector } from '../scenarios/runner.ts';
import type { ProbeMode, Scenario } from '../scenarios/types.ts';
import { ApiSource, type ConvergenceSource, ConvergenceTracker } from '../sim/convergence.ts';
import { FRAME_TYPE_NAMES } from '../sim/host.ts';
import type { HostApi } from '../sim/host-api.ts';
import { EventLog } from './event-log.ts';
import { buildCsr, type Csr } from './graph.ts';
import { type Decide, ProbeLedger } from './probe-ledger.ts';
import { ConvergenceSampler, OverheadSampler, SECOND, type WireCounters } from './sampler.ts';
import type { RoutingMode, TimeseriesRow } from './schema.ts';
import { Snapshots } from './snapshots.ts';
import { type CollectedResults, type EndState, summarise } from './summarise.ts';
import { Timeseries } from './timeseries.ts';

export type { TraceEvent } from './event-log.ts';
export { type CollectedResults, dropWarnings } from './summarise.ts';

/** What the executor (scenarios/execute.ts) adds on top of the plain HostApi collector. */
export interface CollectorOptions {
  /** The host's live wire counters: frames and bytes per virtual second, and the totals. */
  readonly counters?: WireCounters;
  /** Snapshots at the start (t = 0), at the first sample where tree and snake hold, and at the end. */
  readonly autoSnapshots?: boolean;
  /** Record events.jsonl lines (frames sent and received, state changes, probes, topology). */
  readonly events?: boolean;
  /**
   * Dense snapshots (`--snapshots every:1s`, issue 20): one more snapshot every this many µs from
   * t = 0 to the end, for the viewer's timeline. Off: no extra scheduled actions (hashes unchanged).
   */
  readonly snapshotEvery?: Micros;
  /** Explain SNEK hops of recorded paths (results/snek-decision.ts); see probe-ledger.ts Decide. */
  readonly decide?: Decide;
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

/** The observers, created by attach() once the host is known. */
interface Observers {
  readonly host: HostApi;
  readonly scenario: Scenario;
  readonly sampler: ConvergenceSampler;
  readonly overhead: OverheadSampler | null;
  readonly ledger: ProbeLedger;
}

export class RunCollector implements ScenarioCollector {
  private o: Observers | null = null;
  /** Rows sampled during the run, in time order, streamed (results/timeseries.ts). */
  private readonly series = new Timeseries();
  private readonly snaps = new Snapshots();
  private readonly log: EventLog | null;
  private readonly random: RandomFactory;
  private readonly options: CollectorOptions;
  private finished = false;
  private convergedSnapshot = false;
  /** The run has ended (finish() took the end state): the final measurement is not sampled. */
  private ended = false;
  /** State at the end of the run (before the final measurement), taken by finish(). */
  private end: EndState | null = null;
  /** Set when the run was interrupted: finish() then skips the final stretch measurement. */
  interrupted = false;

  /**
   * Frame counting through the filter (for hosts without their own counters, and the event log).
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
    this.log = options.events === true ? new EventLog(() => this.h.now) : null;
    if (countFrames || this.log !== null)
      this.countFrame = (node, peer, frameType, direction) => {
        this.log?.frame(node, peer, frameType, direction);
        if (direction === 'out') this.obs.overhead?.countOut(frameType);
      };
  }

  /** events.jsonl lines (empty unless options.events). */
  get eventLines(): readonly string[] {
    return this.log?.lines ?? [];
  }

  private get obs(): Observers {
    if (this.o === null) throw new Error('RunCollector used before attach()');
    return this.o;
  }

  private get h(): HostApi {
    return this.obs.host;
  }

  attach(host: HostApi, scenario: Scenario): void {
    const emit = (row: TimeseriesRow): void => {
      this.series.push(row);
    };
    const ledger = new ProbeLedger(host, this.options.decide);
    const startUp = this.options.startUp;
    const planned: string[] = [];
    if (startUp !== undefined) for (const [a, b] of startUp.links) if (a !== b) planned.push(a, b);
    const tracker = new ConvergenceTracker(this.options.source ?? new ApiSource(host), {
      ...(startUp === undefined ? {} : { startUp: { nodes: planned, until: startUp.until } }),
    });
    const log = this.log;
    const sampler = new ConvergenceSampler(
      tracker,
      emit,
      this.options.linkDrops,
      log === null ? undefined : (label, kind) => log.add('episode', { label, kind }),
    );
    const counted = this.options.counters !== undefined || this.countFrame !== undefined;
    const overhead = counted ? new OverheadSampler(emit, this.options.counters) : null;
    this.o = { host, scenario, sampler, overhead, ledger };
    host.onTraffic((o) => {
      log?.add('probe', {
        id: o.id,
        source: o.source,
        destination: o.destination,
        reached: o.reached,
        hops: o.hops,
        drop: o.dropReason,
      });
      ledger.outcome(o);
    });
    host.onHop((id, node, port, next, reason) => ledger.hop(id, node, port, next, reason));
    this.schedule(host, scenario, overhead);
  }

  /**
   * The observers' points in virtual time, in this order (the scheduler runs same-instant
   * actions in the order they were scheduled, so it is part of the trace): snapshots at t = 0,
   * the sampling grid, stretch measurements (measure.stretchEvery), overhead bins.
   */
  private schedule(host: HostApi, scenario: Scenario, overhead: OverheadSampler | null): void {
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
    // Control overhead per virtual second; finish() adds the run's last partial second.
    if (overhead !== null) {
      const perSecond = (): void => {
        if (this.ended) return;
        overhead.bin(host.now);
        if (host.now + SECOND <= scenario.duration) host.at(host.now + SECOND, perSecond);
      };
      if (SECOND <= scenario.duration) host.at(SECOND, perSecond);
    }
  }

  topologyChanged(label: string): void {
    this.obs.sampler.topologyChanged(this.h.now, label);
    this.log?.add('topology', { label });
  }

  setPosition(node: string, x: number, y: number): void {
    this.snaps.setPosition(node, x, y);
  }

  snapshot(label: string | null): void {
    this.snaps.take(this.h, label);
  }

  /** Views of every present node, in nodeNames() order, and the graph of up links. */
  private state(): { g: Csr; views: RouterView[] } {
    const names = [...this.h.nodeNames()];
    const g = buildCsr(names, this.h.links());
    return { g, views: names.map((n) => this.h.view(n)) };
  }

  /** A convergence sample now, unless the run has ended (one per instant, as always). */
  sampleNow(): void {
    if (!this.ended) this.sample();
  }

  private sample(): void {
    const { sampler } = this.obs;
    if (!sampler.sample(this.h.now)) return;
    if (this.log !== null) {
      const { g, views } = this.state();
      this.log.stateChanges(g, views);
    }
    const tr = sampler.tracker;
    const n = tr.liveNodes;
    const tree = tr.treeFraction;
    const snake = tr.snakeFraction;
    // Isolated nodes are trivially converged (each is its own component): the "converged"
    // snapshot waits for a network with at least one link up.
    const both = tree === 1 && snake === 1 && (n <= 1 || tr.links > 0);
    if (both && !this.convergedSnapshot && this.options.autoSnapshots === true) {
      this.convergedSnapshot = true;
      this.snapshot('converged');
    }
    this.options.onSample?.(tree, snake, n);
  }

  measureStretch(modes: readonly RoutingMode[], exactUpTo: number, sample: number, rng: Rng): void {
    const { g } = this.state();
    const withPaths = this.obs.scenario.measure.paths ?? false;
    this.obs.ledger.measure(g, modes, exactUpTo, sample, rng, withPaths);
  }

  sendTraffic(source: string, destination: string, mode: ProbeMode): void {
    this.obs.ledger.sendTraffic(source, destination, mode);
  }

  /**
   * End of the scenario: the final stretch measurement (if configured), then run until every probe
   * is resolved or the probe timeout passes; probes still out then count as lost.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.o === null) return;
    const { host, scenario, overhead, ledger } = this.o;
    this.sample();
    // The end of the run: final state and counters, before the measurement probes travel.
    overhead?.bin(host.now);
    this.ended = true;
    this.end = this.endState();
    if (this.options.autoSnapshots === true) this.snapshot('end');
    this.log?.add('end', { nodes: this.end.g.names.length });
    // Interrupted (SIGINT): what was measured so far is kept; no new probes, no waiting.
    if (this.interrupted) return;
    const m = scenario.measure;
    if (m.stretchModes.length > 0)
      this.measureStretch(m.stretchModes, m.exactUpTo, m.sample, this.random('final-stretch'));
    if (ledger.pending > 0) host.runUntil(host.now + m.probeTimeout, () => ledger.pending === 0);
  }

  /** What the observers hold now, as summarise() takes it (counters copied: they keep counting). */
  private endState(): EndState {
    const { sampler, overhead } = this.obs;
    const counters = this.options.counters;
    return {
      ...this.state(),
      tracker: sampler.tracker,
      samples: sampler.samples,
      changes: sampler.changes,
      changeLosses: sampler.changeLosses,
      drops: new Map(this.options.linkDrops?.() ?? []),
      // Frames counted through the filter are read live (the final measurement's count too).
      frames:
        counters === undefined
          ? (overhead?.filterCounts ?? new Float64Array(FRAME_TYPE_NAMES.length))
          : Float64Array.from(counters.frames),
      bytes: counters === undefined ? null : Float64Array.from(counters.bytes),
      snakeQuorum: this.options.snakeQuorum ?? 1,
    };
  }

  /** Assemble the results (call after finish()). */
  results(): CollectedResults {
    const end = this.end ?? this.endState();
    return summarise(end, this.obs.ledger.summary(), this.series, this.snaps.list);
  }
}
