/**
 * results/collector-options.ts — what the executor (run/execute.ts) gives the run's
 * measurement (results/collector.ts) beyond the plain HostApi: the host's counters, snapshot and
 * event-log switches, the convergence source and the start-up rule.
 */
import type { Micros } from '../router/types.ts';
import type { ConvergenceSource } from '../sim/convergence.ts';
import type { Decide } from './probe-ledger.ts';
import type { WireCounters } from './sampler.ts';

/** What the executor (run/execute.ts) adds on top of the plain HostApi collector. */
export interface CollectorOptions {
  /** The host's live wire counters: frames and bytes per virtual second, and the totals. */
  readonly counters?: WireCounters;
  /** Snapshots at the start (t = 0), at the first sample where tree and snake hold, and at the end. */
  readonly autoSnapshots?: boolean;
  /** Record events.jsonl lines (frames sent and received, state changes, probes, topology). */
  readonly events?: boolean;
  /**
   * Dense snapshots (`--snapshots every:1s`): one more snapshot every this many µs from
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
