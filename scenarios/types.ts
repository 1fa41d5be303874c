/**
 * scenarios/types.ts — the scenario schema: what a scenario file (JSON, see README.md) becomes
 * after validation by load.ts, and what the builder (builder.ts) produces directly.
 *
 * All times are integer virtual microseconds (Micros), measured from the start of the run; in files
 * they are written as durations ("30s", "250ms"). Node and link names are the topology's names.
 */
import type { MeasureOptions } from '../results/measurement.ts';
import { type ProbeMode, ROUTING_MODES, type RoutingMode } from '../results/schema.ts';
import type { Micros } from '../router/types.ts';
import type { LinkProps } from '../sim/host-api.ts';
import type { Transport } from '../sim/link.ts';
import type { Repeer } from '../sim/peering.ts';
import type { ProcessingPreset } from '../sim/processing.ts';

// The measurement's own types (results/), re-exported for the callers that import them from here.
export type { MeasureOptions } from '../results/measurement.ts';
export type { ProbeMode } from '../results/schema.ts';

/** ed25519 backends (run/run-setup.ts createCrypto): the scenario file and `--crypto` name one. */
export const CRYPTO_NAMES = ['node', 'noble', 'trust'] as const;
export type CryptoName = (typeof CRYPTO_NAMES)[number];

/** A duration distribution for churn processes. */
export type Distribution =
  | { readonly kind: 'fixed'; readonly value: Micros }
  | { readonly kind: 'exponential'; readonly mean: Micros }
  | { readonly kind: 'uniform'; readonly min: Micros; readonly max: Micros }
  /** Pareto type I: scale x_m (minimum) and shape α > 0; mean = α·x_m/(α−1) for α > 1. */
  | { readonly kind: 'pareto'; readonly scale: Micros; readonly shape: number };

/** Frame classes an adversary can drop, PROTOCOL.md §3.3 (plus "overall" for every frame). */
export const DROP_CLASSES = [
  'overall',
  'keepalive',
  'announcement',
  'bootstrap',
  'traffic',
  'wakeup',
] as const;
export type DropClass = (typeof DROP_CLASSES)[number];
/** Fractions in [0, 1] per frame class. */
export type DropRates = Readonly<Partial<Record<DropClass, number>>>;

interface At {
  /** Virtual time the action starts. */
  readonly at: Micros;
}

export interface AddNodeAction extends At {
  readonly type: 'add-node';
  readonly node: string;
  /** Peers to link the new node to at once (with optional per-link properties). */
  readonly links: readonly {
    readonly peer: string;
    readonly props: Partial<LinkProps>;
    /** How the link comes back after a drop (sim/peering.ts); default: the scenario's. */
    readonly repeer?: Repeer;
  }[];
}
export interface RemoveNodeAction extends At {
  readonly type: 'remove-node';
  readonly node: string;
}
export interface AddLinkAction extends At {
  readonly type: 'add-link';
  readonly a: string;
  readonly b: string;
  readonly props: Partial<LinkProps>;
  /** How the link comes back after a drop (sim/peering.ts); default: the scenario's. */
  readonly repeer?: Repeer;
}
export interface RemoveLinkAction extends At {
  readonly type: 'remove-link';
  readonly a: string;
  readonly b: string;
}
export interface SetLinkAction extends At {
  readonly type: 'set-link';
  readonly a: string;
  readonly b: string;
  readonly props: Partial<LinkProps>;
}
/** The link goes down at `at` + k·period and comes back `down` later, `count` times. */
export interface FlapAction extends At {
  readonly type: 'flap';
  readonly a: string;
  readonly b: string;
  readonly period: Micros;
  readonly down: Micros;
  readonly count: number;
}
/**
 * Alternating up/down renewal process per element (node or link) from `at` until `until`: every
 * element stays up for a draw of `session`, then down for a draw of `downtime`. Elements are the
 * listed ones, or every node (every link) present at `at`, minus `exclude`.
 */
export interface ChurnAction extends At {
  readonly type: 'churn';
  readonly target: 'node' | 'link';
  readonly until: Micros | null;
  readonly session: Distribution;
  readonly downtime: Distribution;
  readonly nodes: readonly string[] | null;
  readonly exclude: readonly string[];
  /** Name of the seeded random stream (default "churn-<action index>"). */
  readonly stream: string;
}
/** Cut every link between different groups (nodes in no group form one more group). */
export interface PartitionAction extends At {
  readonly type: 'partition';
  readonly groups: readonly (readonly string[])[] | null;
  /** Or: cut exactly these links. */
  readonly cut: readonly (readonly [string, string])[] | null;
  /** Heal automatically at this time (else at a `heal` action, or never). */
  readonly until: Micros | null;
}
/** Restore every link cut by earlier partitions whose both ends still exist. */
export interface HealAction extends At {
  readonly type: 'heal';
}
export interface WaypointMobility extends At {
  readonly type: 'mobility';
  readonly model: 'random-waypoint';
  /** Nodes that move (default: every node present at `at`). */
  readonly nodes: readonly string[] | null;
  readonly area: readonly [number, number];
  /** Unit-disc peering radius, same unit as the area. */
  readonly radius: number;
  /** Speed range in units per second. */
  readonly speed: readonly [number, number];
  readonly pause: Micros;
  readonly interval: Micros;
  readonly until: Micros | null;
  readonly stream: string;
}
export interface TraceMobility extends At {
  readonly type: 'mobility';
  readonly model: 'trace';
  /** The trace file as given (resolved against the scenario file's folder) and its parsed rows. */
  readonly file: string;
  readonly radius: number;
  /** Rows sorted by time (stable): time relative to `at`. */
  readonly points: readonly {
    readonly time: Micros;
    readonly node: string;
    readonly x: number;
    readonly y: number;
  }[];
}
export type MobilityAction = WaypointMobility | TraceMobility;

export interface AdversaryAction extends At {
  readonly type: 'adversary';
  readonly node: string;
  /** Default drop fractions for every peer. */
  readonly drop: DropRates;
  /** Per-peer overrides (replace the defaults for that peer, like pineconesim). */
  readonly peers: Readonly<Record<string, DropRates>>;
  /** Which frames the filter sees: received by the adversary, sent by it, or both. */
  readonly direction: 'in' | 'out' | 'both';
  /** counter: deterministic gcd rule (pineconesim); random: seeded Bernoulli draws. */
  readonly rule: 'counter' | 'random';
  /** Extra one-way latency added to every link of the node (all frame types; see README). */
  readonly delay: Micros;
  readonly until: Micros | null;
  readonly stream: string;
}

export type TrafficAction =
  | (At & {
      readonly type: 'traffic';
      readonly kind: 'ping';
      readonly pairs: readonly (readonly [string, string])[];
      readonly mode: ProbeMode;
      readonly interval: Micros;
      readonly count: number;
    })
  | (At & {
      readonly type: 'traffic';
      readonly kind: 'all-pairs' | 'sample';
      /** For 'sample': how many ordered pairs (seeded). */
      readonly sample: number;
      readonly mode: ProbeMode;
      readonly stream: string;
    })
  | (At & {
      readonly type: 'traffic';
      readonly kind: 'flow';
      readonly source: string;
      readonly destination: string;
      /** Frames per second. */
      readonly rate: number;
      readonly until: Micros | null;
      readonly mode: ProbeMode;
    });

/** Snapshot the whole network state (→ snapshots.json). */
export interface SnapshotAction extends At {
  readonly type: 'snapshot';
  readonly label: string | null;
}
/** Measure path stretch with real probes at `at` (the last one feeds the summary and pairs.csv). */
export interface StretchAction extends At {
  readonly type: 'stretch';
  readonly modes: readonly RoutingMode[];
  /** All ordered pairs up to this many nodes, else a seeded sample of `sample` pairs. */
  readonly exactUpTo: number;
  readonly sample: number;
  readonly stream: string;
}

export type Action =
  | AddNodeAction
  | RemoveNodeAction
  | AddLinkAction
  | RemoveLinkAction
  | SetLinkAction
  | FlapAction
  | ChurnAction
  | PartitionAction
  | HealAction
  | MobilityAction
  | AdversaryAction
  | TrafficAction
  | SnapshotAction
  | StretchAction;

export type ActionType = Action['type'];

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** A topology file (resolved against the scenario's folder) or a generator spec ("ring:50"). */
  readonly topology: string;
  readonly topologyFormat: string | null;
  readonly seed: string;
  /** Defaults for every link (host defaults for the rest). */
  readonly links: Partial<LinkProps>;
  /** Router options, passed through to the host (validated by it). */
  readonly router: Readonly<Record<string, unknown>>;
  /** Per-node CPU model preset (sim/processing.ts); absent = 'off' (processing takes no time). */
  readonly processing?: ProcessingPreset;
  /** What link loss means (sim/link.ts); absent = 'stream' (Pinecone's TCP peerings). */
  readonly transport?: Transport;
  /** How dropped peerings come back by default (sim/peering.ts); absent = 'static'. */
  readonly repeer?: Repeer;
  /**
   * A variant module (router/variant.ts), resolved against the scenario's folder; the
   * caller loads it (scenarios/variant-load.ts) and passes it to the executor.
   */
  readonly variant?: string;
  /**
   * A keys file {"node": "64 hex seed"} fixing node identities (`pinelab run --keys`), resolved
   * against the scenario's folder (so a root-removal experiment can fix its root).
   */
  readonly keys?: string;
  /** Node start times uniform over [0, startSpread) (`pinelab run --start-spread`; host default 1 s). */
  readonly startSpread?: Micros;
  /** Encode every frame to bytes and decode it at the receiver (`--wire-encode`); absent = off. */
  readonly wireEncode?: boolean;
  /** The ed25519 backend (`--crypto`); absent = 'node'. */
  readonly crypto?: CryptoName;
  /**
   * 'converged' (`--until converged`): stop CONVERGED_GRACE after tree and snake hold, with
   * `duration` as the timeout; absent = run for `duration`.
   */
  readonly until?: 'converged';
  /** Share of the nodes whose snake must hold for `until: converged` (`--snake-quorum`; default 1). */
  readonly snakeQuorum?: number;
  readonly duration: Micros;
  readonly measure: MeasureOptions;
  /** Sorted by `at` (stable: file order among equal times). */
  readonly actions: readonly Action[];
  /** Where it came from (file path or "builder"), for messages and the manifest. */
  readonly source: string;
  /** Things an importer treated differently from the original (pineconesim). */
  readonly warnings: readonly string[];
}

export const DEFAULT_MEASURE: MeasureOptions = {
  interval: 100_000,
  stretchModes: ROUTING_MODES,
  exactUpTo: 60,
  sample: 2_000,
  probeTimeout: 5_000_000,
  paths: false,
};

/** Topology name for an empty start (the actions add every node). */
export const EMPTY_TOPOLOGY = 'none';
