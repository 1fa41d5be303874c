/**
 * api/index.ts — pinelab as a library (`import { simulate, loadTopology } from 'pinelab'`). It is what `pinelab run` does, without the command line: the same executor, the same
 * results and trace hash for the same inputs (a test checks this against runSimulation).
 *
 * Durations are strings with their unit ("30s", "250ms", "1.5s", "5m", "0") or objects that name
 * it ({ s: 30 }, { ms: 250 }, { us: 200 }): a bare number would leave the unit to guess (the
 * simulator counts µs, summaries say seconds). Times are virtual. Bad input throws an InputError
 * naming the option.
 *
 * The entry is TypeScript: run the importing program with `node --import tsx` (tsx is a
 * dependency of pinelab), or import it from TypeScript code run through tsx.
 */

import { InputError } from '../base/index.ts';
import type { RouterOptions } from '../router/options.ts';
import { MICROS_PER_SECOND, type Micros } from '../router/types.ts';
import {
  type DumpNode,
  type RunConfig,
  type RunResult,
  Simulation,
  writeResults,
} from '../run/simulation.ts';
import { parseDuration } from '../scenarios/duration.ts';
import type { Transport } from '../sim/link.ts';
import type { Repeer } from '../sim/peering.ts';
import { type ProcessingPreset, parseProcessing } from '../sim/processing.ts';
import { resolveTopology, type Topology } from '../topologies/index.ts';

export type { RunManifest, RunSummary } from '../results/schema.ts';
export type { ScenarioSummary } from '../run/execute.ts';
export type { DumpNode, RouterOptions, Topology };
export { InputError };

/** A virtual duration: "30s", "250ms", "1.5s", "5m", "0", or { s }, { ms }, { us }. */
export type Duration =
  | string
  | { readonly s: number }
  | { readonly ms: number }
  | { readonly us: number };

export interface SimulateOptions {
  /** A topology file (.txt, .edges, .graphml, .gexf, .json) or a generator spec ("ring:50"). */
  readonly topology: string;
  /** File format when the extension does not tell. */
  readonly format?: string;
  /** Run seed: node keys, start times, jitter, loss (default "1"). */
  readonly seed?: string | number;
  /** A keys file {"node": "64 hex seed"} fixing identities. */
  readonly keys?: string;
  /** 'converged' (default: 3 s after tree and snake hold) or a virtual duration. */
  readonly until?: 'converged' | Duration;
  /** Virtual-time limit for until 'converged' (default "10m"). */
  readonly timeout?: Duration;
  /** With until 'converged': the share of nodes whose snake must hold, in (0, 1] (default 1). */
  readonly snakeQuorum?: number;
  /** Default one-way link latency (default "1ms"); topology attributes override. */
  readonly latency?: Duration;
  /** Default extra uniform delay [0, jitter) (default "0"). */
  readonly jitter?: Duration;
  /** Default link bandwidth in bit/s; 0 = unlimited (default). */
  readonly bandwidth?: number;
  /** Default frame loss probability in [0, 1] (default 0). */
  readonly loss?: number;
  /** Node start times uniform over [0, startSpread) (default "1s"). */
  readonly startSpread?: Duration;
  readonly transport?: Transport;
  readonly repeer?: Repeer;
  readonly processing?: ProcessingPreset;
  /**
   * Router options over the reference's defaults (router/options.ts): hybrid, maxPorts, quirks,
   * and timers as durations ({ keepaliveInterval: "5s" }).
   */
  readonly router?: { readonly [K in keyof RouterOptions]?: RouterOptions[K] | string };
  /** Final stretch and delivery measurement (default true). */
  readonly stretch?: boolean;
  /** Sampled pairs above 60 nodes (default 2,000). */
  readonly stretchPairs?: number;
  /** Record hop-by-hop paths (default: up to 50 nodes). */
  readonly paths?: boolean;
  /** Keep every frame and state change for events.jsonl. */
  readonly events?: boolean;
  /** Write the results folder under this folder (<out>/<run-id>/); default: nothing written. */
  readonly out?: string;
  /** Stop the run early: what is complete is kept and the result is marked interrupted. */
  readonly signal?: AbortSignal;
}

export interface SimulateResult {
  /** `<topology>-s<seed>-<hash8>`, the results folder's name. */
  readonly runId: string;
  readonly summary: RunResult['summary'];
  readonly manifest: RunResult['manifest'];
  readonly converged: boolean;
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  /** The results folder written (options.out), else null. */
  readonly dir: string | null;
  /** Per-node final state: key, root, parent, coordinates, descending node, table size. */
  dumpState(): DumpNode[];
}

/** A Duration in µs; InputError naming `field` otherwise. */
export function toMicros(value: Duration, field: string): Micros {
  const fail = (): never => {
    throw new InputError(
      `${field}: expected a duration like "30s", "250ms" or { s: 30 }, got ${JSON.stringify(value)}`,
    );
  };
  if (typeof value === 'string') return parseDuration(value) ?? fail();
  if (typeof value !== 'object' || value === null) return fail();
  const units = Object.entries(value);
  if (units.length !== 1) return fail();
  const [unit, n] = units[0] as [string, unknown];
  const scale = { s: MICROS_PER_SECOND, ms: 1000, us: 1 }[unit];
  if (scale === undefined || typeof n !== 'number' || !Number.isFinite(n) || n < 0) return fail();
  return Math.round(n * scale);
}

/** Options → the run's configuration (every field checked, errors name it). */
export function runConfigOf(o: SimulateOptions): RunConfig {
  if (typeof o.topology !== 'string' || o.topology === '')
    throw new InputError('topology: expected a file or a generator spec like "ring:50"');
  const share = (v: number | undefined, field: string, zeroOk: boolean): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(zeroOk ? v >= 0 : v > 0) || v > 1)
      throw new InputError(`${field}: expected a number in ${zeroOk ? '[0, 1]' : '(0, 1]'}`);
    return v;
  };
  const bandwidth = o.bandwidth ?? 0;
  if (typeof bandwidth !== 'number' || !Number.isFinite(bandwidth) || bandwidth < 0)
    throw new InputError('bandwidth: expected bits per second, a number ≥ 0 (0 = unlimited)');
  const quorum = share(o.snakeQuorum, 'snakeQuorum', false);
  return {
    topology: o.topology,
    ...(o.format === undefined ? {} : { format: o.format }),
    seed: String(o.seed ?? '1'),
    ...(o.keys === undefined ? {} : { keysFile: o.keys }),
    until:
      o.until === undefined || o.until === 'converged' ? 'converged' : toMicros(o.until, 'until'),
    timeout: toMicros(o.timeout ?? '10m', 'timeout'),
    ...(quorum === undefined || quorum === 1 ? {} : { snakeQuorum: quorum }),
    link: {
      latency: toMicros(o.latency ?? '1ms', 'latency'),
      jitter: toMicros(o.jitter ?? '0', 'jitter'),
      bandwidth,
      loss: share(o.loss, 'loss', true) ?? 0,
    },
    startSpread: toMicros(o.startSpread ?? '1s', 'startSpread'),
    ...(o.processing === undefined
      ? {}
      : { processing: parseProcessing(o.processing, 'processing') }),
    ...(o.transport === undefined ? {} : { transport: o.transport }),
    ...(o.repeer === undefined ? {} : { repeer: o.repeer }),
    // Timer strings become µs and every value is checked where scenarios' are (routerOptionsOf).
    ...(o.router === undefined ? {} : { router: o.router as Partial<RouterOptions> }),
    ...(o.stretch === undefined ? {} : { stretch: o.stretch }),
    ...(o.stretchPairs === undefined ? {} : { stretchPairs: o.stretchPairs }),
    ...(o.paths === undefined ? {} : { paths: o.paths }),
    ...(o.events === undefined ? {} : { events: o.events }),
    command: `simulate(${JSON.stringify({ ...o, signal: undefined })})`,
  };
}

/**
 * Simulate a topology as `pinelab run` does and return its summary. The run advances in chunks
 * and yields to the event loop between them, so an AbortSignal (or anything else) can stop it.
 */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const sim = new Simulation(runConfigOf(options));
  const signal = options.signal;
  while (signal?.aborted !== true && !sim.advance(200_000))
    await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted === true) sim.interrupted = true;
  const result = sim.finish();
  const dir = options.out === undefined ? null : writeResults(options.out, result);
  return {
    runId: result.runId,
    summary: result.summary,
    manifest: result.manifest,
    converged: result.converged,
    timedOut: result.timedOut,
    interrupted: result.interrupted,
    dir,
    dumpState: () => result.dumpState(),
  };
}

export interface LoadedTopology {
  /** Node names in file order. */
  readonly nodes: readonly string[];
  /** Links as pairs of node names. */
  readonly links: readonly (readonly [string, string])[];
  /** What was loaded (file path or generator spec) and its content digest. */
  readonly source: string;
  readonly digest: string;
  /** The graphology graph, with per-link latency, bandwidth and loss attributes where given. */
  readonly graph: Topology['graph'];
}

/** Load a topology file or generate one ("ring:50", "ba:1000,m=2") as a run would. */
export function loadTopology(
  topology: string,
  options: { readonly seed?: string | number; readonly format?: string } = {},
): LoadedTopology {
  const t = resolveTopology(topology, {
    seed: String(options.seed ?? '1'),
    ...(options.format === undefined ? {} : { format: options.format }),
  });
  const links: (readonly [string, string])[] = [];
  t.graph.forEachEdge((_e, _a, source, target) => {
    links.push([source, target]);
  });
  return { nodes: t.graph.nodes(), links, source: t.source, digest: t.digest, graph: t.graph };
}
