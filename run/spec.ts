/**
 * run/spec.ts — a RunSpec: everything one run is, resolved once, from `pinelab run`'s flags
 * (run/simulation.ts) or a scenario file and `pinelab scenario run`'s flags (cli/scenario.ts):
 * the scenario (topology, seed, links, transport, re-peering, processing, router options, variant
 * and keys files, duration, measurements, actions), the crypto backend, wire encoding, the start
 * spread, the stop rule and the outputs. It is plain data (JSON-serialisable): the manifest's
 * options are this spec written out (manifestOptionsOf), with the router options and link defaults
 * as the run resolved them.
 */
import type { Micros } from '../base/index.ts';
import { MICROS_PER_SECOND } from '../router/types.ts';
import type { CryptoName, Scenario } from '../scenarios/types.ts';

/**
 * When the run stops: at the end of its duration, or CONVERGED_GRACE after tree and snake hold at
 * the spec's snake quorum (the duration is then the timeout).
 */
export type StopRule = { readonly kind: 'duration' } | { readonly kind: 'converged' };

/**
 * `pinelab run --until` as one stop rule, resolved once (stopRuleOf): a virtual duration, or
 * converged with its timeout. Everything else derives from it: the run's end (endOf), the driver's
 * rule (the spec's `stop`), the manifest's `until` and `timeout` (untilManifest) and whether a run
 * that did not converge timed out.
 */
export type Until =
  | { readonly kind: 'duration'; readonly at: Micros; readonly timeout: Micros }
  | { readonly kind: 'converged'; readonly timeout: Micros };

export function stopRuleOf(until: 'converged' | Micros, timeout: Micros): Until {
  return until === 'converged'
    ? { kind: 'converged', timeout }
    : { kind: 'duration', at: until, timeout };
}

/** Where the run ends in virtual time: its duration, or the converged rule's timeout. */
export function endOf(u: Until): Micros {
  return u.kind === 'converged' ? u.timeout : u.at;
}

/**
 * The manifest's `until` ('converged' or seconds) and `timeout` (seconds; written for duration
 * runs too, as older manifests have it).
 */
export function untilManifest(u: Until): { until: 'converged' | number; timeout: number } {
  const seconds = (t: Micros): number => Math.round(t) / MICROS_PER_SECOND;
  return {
    until: u.kind === 'converged' ? 'converged' : seconds(u.at),
    timeout: seconds(u.timeout),
  };
}

/** What the run writes beyond summary.json, and how its folder is named. */
export interface RunOutputs {
  /** events.jsonl. */
  readonly events: boolean;
  /** Automatic start/converged/end snapshots up to this many nodes. */
  readonly snapshotsUpTo: number;
  /** Dense snapshots every this many µs (`--snapshots every:1s`); null = off. */
  readonly snapshotEvery: Micros | null;
  /** Name the run after the topology (pinelab run) instead of the scenario. */
  readonly idFromTopology: boolean;
}

export interface RunSpec {
  readonly scenario: Scenario;
  readonly crypto: CryptoName;
  /** A keys file {"node": "64 hex seed"} (`--keys` over the scenario's `keys`), or null. */
  readonly keysFile: string | null;
  readonly wireEncode: boolean;
  /** Node start times uniform over [0, startSpread) µs. */
  readonly startSpread: Micros;
  readonly stop: StopRule;
  /** Share of the nodes whose snake must hold: for snakeQuorumAt and the converged rule. */
  readonly snakeQuorum: number;
  readonly outputs: RunOutputs;
  /** The command line, for the manifest. */
  readonly command: string;
  /** `pinelab run`'s flags as the manifest records them (until, timeout, sampling, stretch…). */
  readonly runFlags: Readonly<Record<string, unknown>>;
}

/** Automatic snapshots (start, converged, end) up to this many nodes (snapshots.json size). */
export const AUTO_SNAPSHOTS_UP_TO = 10_000;
/** The host's default start spread (sim/host.ts): node starts uniform over the first second. */
const DEFAULT_START_SPREAD: Micros = MICROS_PER_SECOND;

/** What a caller gives beside the scenario (flags); each wins over the scenario file's field. */
export interface RunFlags {
  readonly command?: string;
  readonly crypto?: CryptoName;
  readonly keysFile?: string;
  readonly wireEncode?: boolean;
  readonly startSpread?: Micros;
  readonly untilConverged?: boolean;
  readonly snakeQuorum?: number;
  readonly events?: boolean;
  readonly snapshotsUpTo?: number;
  readonly snapshotEvery?: Micros;
  readonly idFromTopology?: boolean;
  readonly manifestOptions?: Readonly<Record<string, unknown>>;
}

/** The one resolution of a run's settings: the flags, else the scenario file, else the defaults. */
export function resolveRunSpec(scenario: Scenario, flags: RunFlags): RunSpec {
  const converged = flags.untilConverged ?? scenario.until === 'converged';
  return {
    scenario,
    crypto: flags.crypto ?? scenario.crypto ?? 'node',
    keysFile: flags.keysFile ?? scenario.keys ?? null,
    wireEncode: flags.wireEncode ?? scenario.wireEncode ?? false,
    startSpread: flags.startSpread ?? scenario.startSpread ?? DEFAULT_START_SPREAD,
    stop: { kind: converged ? 'converged' : 'duration' },
    snakeQuorum: flags.snakeQuorum ?? scenario.snakeQuorum ?? 1,
    outputs: {
      events: flags.events === true,
      snapshotsUpTo: flags.snapshotsUpTo ?? AUTO_SNAPSHOTS_UP_TO,
      snapshotEvery: flags.snapshotEvery ?? null,
      idFromTopology: flags.idFromTopology === true,
    },
    command: flags.command ?? `pinelab scenario run ${scenario.source}`,
    runFlags: flags.manifestOptions ?? {},
  };
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * The manifest's options: the spec written out, in the order older manifests have (compare and
 * the viewer read them by name; byte-identical files for the same run). `resolved` holds what the
 * run resolved from the spec: router options, link defaults, the variant's path and hash.
 */
export function manifestOptionsOf(
  spec: RunSpec,
  resolved: {
    readonly router: unknown;
    readonly links: unknown;
    readonly variant?: unknown;
    readonly interrupted: boolean;
  },
): Record<string, unknown> {
  const s = spec.scenario;
  return {
    router: resolved.router,
    links: resolved.links,
    measure: s.measure,
    duration: round6(s.duration / MICROS_PER_SECOND),
    wireEncode: spec.wireEncode,
    processing: s.processing ?? 'off',
    transport: s.transport ?? 'stream',
    repeer: s.repeer ?? 'static',
    startSpread: round6(spec.startSpread / MICROS_PER_SECOND),
    keysFile: spec.keysFile,
    // The stop rule a scenario file names (absent in older manifests and in plain runs, whose
    // run flags below say it).
    ...(s.until === undefined ? {} : { until: s.until, snakeQuorum: spec.snakeQuorum }),
    ...spec.runFlags,
    ...(resolved.variant === undefined ? {} : { variant: resolved.variant }),
    interrupted: resolved.interrupted,
  };
}
