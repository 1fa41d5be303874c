import type { RandomFactory, Rng } from '../base/index.ts';
import { ApiSource } from '../sim/convergence.ts';
import type { HostApi } from '../sim/host-api.ts';
import type { CollectorOptions } from './collector-options.ts';
import { EventLog } from './event-log.ts';
import type { MeasuredRun, ScenarioCollector } from './measurement.ts';
import { ProbeLedger } from './probe-ledger.ts';
import { ConvergenceSampler, OverheadSampler, startUpTracker } from './sampler.ts';
import type { ProbeMode, RoutingMode, TimeseriesRow } from './schema.ts';
import { Snapshots } from './snapshots.ts';
import {
  type CollectedResults,
  type EndState,
  endStateOf,
  networkState,
  summarise,
} from './summarise.ts';
import { Timeseries } from './timeseries.ts';

export type { CollectorOptions } from './collector-options.ts';
export type { CollectedResults } from './summarise.ts';

/** The observers, created by attach() once the host is known. */
interface Observers {
  readonly host: HostApi;
  readonly scenario: MeasuredRun;
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
  private options: CollectorOptions;
  private finished = false;
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

  attach(host: HostApi, scenario: MeasuredRun): void {
    const emit = (row: TimeseriesRow): void => {
      this.series.push(row);
    };
    const ledger = new ProbeLedger(host, this.options.decide);
    const log = this.log;
    // The start-up links are read here only: not kept for the run (an array per link, ~130 B of
    // each idle router's share of the heap).
    const { startUp, ...rest } = this.options;
    this.options = rest;
    const sampler = new ConvergenceSampler(
      startUpTracker(this.options.source ?? new ApiSource(host), startUp),
      emit,
      this.options.linkDrops,
      log === null ? undefined : (label, kind) => log.add('episode', { label, kind }),
    );
    const counted = this.options.counters !== undefined || this.countFrame !== undefined;
    const overhead = counted ? new OverheadSampler(emit, this.options.counters) : null;
    this.o = { host, scenario, sampler, overhead, ledger };
    host.onTraffic((o) => {
      log?.probe(o);
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
  private schedule(host: HostApi, scenario: MeasuredRun, overhead: OverheadSampler | null): void {
    const interval = scenario.measure.interval;
    const tick = (): void => {
      // After the end of the run the final measurement's probes travel: not part of the series.
      if (this.ended) return;
      this.sample();
      const t = host.now + interval;
      if (t <= scenario.duration) host.at(t, tick);
    };
    this.snaps.schedule(
      host,
      scenario.duration,
      this.options.autoSnapshots === true,
      this.options.snapshotEvery ?? 0,
      () => this.ended,
    );
    host.at(0, tick);
    // measure.stretchEvery: stretch and delivery at every multiple of the interval
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
    overhead?.schedule(host, scenario.duration, () => this.ended);
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

  /** A convergence sample now, unless the run has ended (one per instant, as always). */
  sampleNow(): void {
    if (!this.ended) this.sample();
  }

  private sample(): void {
    const { sampler } = this.obs;
    if (!sampler.sample(this.h.now)) return;
    if (this.log !== null) {
      const { g, views } = networkState(this.h);
      this.log.stateChanges(g, views);
    }
    const tr = sampler.tracker;
    const n = tr.liveNodes;
    const tree = tr.treeFraction;
    const snake = tr.snakeFraction;
    // Isolated nodes are trivially converged (each is its own component): the "converged"
    // snapshot waits for a network with at least one link up.
    const both = tree === 1 && snake === 1 && (n <= 1 || tr.links > 0);
    if (both && this.options.autoSnapshots === true) this.snaps.converged(this.h);
    this.options.onSample?.(tree, snake, n);
  }

  measureStretch(modes: readonly RoutingMode[], exactUpTo: number, sample: number, rng: Rng): void {
    const { g } = networkState(this.h);
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

  /** What the observers hold now, as summarise() takes it. */
  private endState(): EndState {
    const { host, sampler, overhead } = this.obs;
    return endStateOf(networkState(host), sampler, overhead, this.options);
  }

  /** Assemble the results (call after finish()). */
  results(): CollectedResults {
    const end = this.end ?? this.endState();
    return summarise(end, this.obs.ledger.summary(), this.series, this.snaps.list);
  }
}
