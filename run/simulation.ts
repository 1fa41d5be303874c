/**
 * run/simulation.ts — one `pinelab run` as an object: the scenario a plain run is (a topology, no
 * actions, a final measurement), advanced in chunks so a caller can draw progress or stop it
 * (SIGINT, an AbortSignal), and its results. The command line (cli/run.ts) and the library entry
 * (api/index.ts) both drive it; it imports nothing from cli/ (no report builder, no yargs).
 *
 * Stopping rule for `until: 'converged'`: convergence is sampled on a fixed virtual grid; once tree
 * and snake both hold, the run continues 3 virtual seconds (to see that they keep holding) and
 * stops; if they break in between, the wait starts over. The timeout is virtual time too.
 */
import { join } from 'node:path';
import { InputError } from '../base/index.ts';
import {
  markDataInterrupted,
  type RunResultsData,
  writeRunResults,
} from '../results/run-results.ts';
import {
  type NodeRow,
  ROUTING_MODES,
  type RunManifest,
  type TimeseriesRow,
  type TopologyFile,
} from '../results/schema.ts';
import { toHex } from '../router/keys.ts';
import type { RouterOptions } from '../router/options.ts';
import { MICROS_PER_SECOND, type Micros, type RouterView } from '../router/types.ts';
import { type CryptoName, DEFAULT_MEASURE, type Scenario } from '../scenarios/types.ts';
import type { LoadedVariant } from '../scenarios/variant-load.ts';
import type { Host } from '../sim/host.ts';
import type { LinkProps } from '../sim/host-api.ts';
import type { Transport } from '../sim/link.ts';
import type { Repeer } from '../sim/peering.ts';
import type { ProcessingPreset } from '../sim/processing.ts';
import { resolveTopology } from '../topologies/index.ts';
import { type ExecuteResult, Execution, type ScenarioSummary } from './execute.ts';
import { endOf, stopRuleOf, type Until, untilManifest } from './spec.ts';

export interface RunConfig {
  /** File path or generator spec (topologies/index.ts). */
  readonly topology: string;
  readonly format?: string;
  readonly seed: string;
  readonly keysFile?: string;
  /** 'converged' or a virtual duration (µs). */
  readonly until: 'converged' | Micros;
  /** Virtual-time limit for 'converged' runs (default 10 min). */
  readonly timeout?: Micros;
  /** Share of nodes whose snake must hold for 'converged' (default 1; run/execute.ts). */
  readonly snakeQuorum?: number;
  readonly crypto?: CryptoName;
  readonly wireEncode?: boolean;
  /** Run-wide link defaults (topology edge attributes override per link). */
  readonly link?: Partial<LinkProps>;
  readonly startSpread?: Micros;
  /** Per-node CPU model preset (sim/processing.ts); default off. */
  readonly processing?: ProcessingPreset;
  /** A loaded variant module (router/variant.ts); default the reference. */
  readonly variant?: LoadedVariant;
  /** What link loss means (sim/link.ts); default 'stream'. */
  readonly transport?: Transport;
  /** How dropped links come back (sim/peering.ts); default 'static'. */
  readonly repeer?: Repeer;
  /** Router options (hybrid, maxPorts, quirks…) over DEFAULT_ROUTER_OPTIONS. */
  readonly router?: Partial<RouterOptions>;
  /** Convergence sampling interval; default 50 ms up to 5,000 nodes, scaled up above. */
  readonly checkInterval?: Micros;
  /** Final stretch measurement (default true). */
  readonly stretch?: boolean;
  /** Sampled pairs above STRETCH_EXACT_UP_TO nodes (default DEFAULT_STRETCH_PAIRS). */
  readonly stretchPairs?: number;
  /** Record hop-by-hop paths (default: up to PATHS_UP_TO nodes). */
  readonly paths?: boolean;
  /** Write events.jsonl. */
  readonly events?: boolean;
  /** Dense snapshots every this many µs (`--snapshots every:1s`), for the viewer's timeline. */
  readonly snapshotEvery?: Micros;
  /** The command line as typed, for the manifest. */
  readonly command?: string;
}

export interface DumpNode {
  readonly name: string;
  readonly key: string;
  readonly rootKey: string;
  readonly rootSeq: number;
  readonly parent: string | null;
  readonly coords: readonly number[];
  readonly descending: string | null;
  readonly tableSize: number;
}

export interface RunResult {
  readonly runId: string;
  readonly summary: ScenarioSummary;
  readonly manifest: RunManifest;
  readonly topology: TopologyFile;
  readonly nodes: readonly NodeRow[];
  readonly timeseries: readonly TimeseriesRow[];
  /** Everything the results folder holds. */
  readonly data: RunResultsData;
  readonly converged: boolean;
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  /** Live host, for callers that want to inspect more (tests, diagnostics). */
  readonly host: Host;
  dumpState(): DumpNode[];
}

export const DEFAULT_TIMEOUT: Micros = 10 * 60 * MICROS_PER_SECOND;
/** All ordered pairs are probed up to this many nodes (60·59 = 3,540 pairs per mode). */
export const STRETCH_EXACT_UP_TO = DEFAULT_MEASURE.exactUpTo;
export const DEFAULT_STRETCH_PAIRS = DEFAULT_MEASURE.sample;
/** paths.json (recordReasons) by default up to this many nodes: ≤ 50·49·3 records, ~5 MB. */
export const PATHS_UP_TO = 50;
/** How long measurement probes may travel before they count as lost. */
const PROBE_TIMEOUT: Micros = 5 * MICROS_PER_SECOND;

/** Default convergence sampling interval: 50 ms up to 5,000 nodes, proportionally coarser above (≤ 1 s). */
export function defaultCheckInterval(nodes: number): Micros {
  const base = 50_000;
  return Math.min(MICROS_PER_SECOND, base * Math.max(1, Math.ceil(nodes / 5000)));
}

const seconds = (t: Micros): number => Math.round(t) / MICROS_PER_SECOND;

/** `until` and `timeout` as the one stop rule of the run (run/spec.ts). */
function untilOf(config: RunConfig): Until {
  return stopRuleOf(config.until, config.timeout ?? DEFAULT_TIMEOUT);
}

/** The scenario a plain run is: the topology, no actions, a final measurement. */
export function runScenarioOf(config: RunConfig, nodes: number): Scenario {
  const interval = config.checkInterval ?? defaultCheckInterval(nodes);
  if (!(interval > 0) || !Number.isInteger(interval)) {
    throw new InputError(`check interval must be a positive integer of µs, got ${interval}`);
  }
  const stretchPairs = config.stretchPairs ?? DEFAULT_STRETCH_PAIRS;
  if (!Number.isInteger(stretchPairs) || stretchPairs < 1) {
    throw new InputError(`--stretch-pairs: expected a positive whole number, got ${stretchPairs}`);
  }
  const duration = endOf(untilOf(config));
  return {
    name: 'run',
    description: '',
    topology: config.topology,
    topologyFormat: config.format ?? null,
    seed: config.seed,
    links: config.link ?? {},
    router: config.router ?? {},
    ...(config.processing === undefined ? {} : { processing: config.processing }),
    ...(config.transport === undefined ? {} : { transport: config.transport }),
    ...(config.repeer === undefined ? {} : { repeer: config.repeer }),
    // A zero-length run is allowed (inspect the start state); the runner wants ≥ 1 µs of time.
    duration: Math.max(1, duration),
    measure: {
      interval,
      stretchModes: config.stretch === false ? [] : ROUTING_MODES,
      exactUpTo: STRETCH_EXACT_UP_TO,
      sample: stretchPairs,
      probeTimeout: PROBE_TIMEOUT,
      paths: config.paths ?? nodes <= PATHS_UP_TO,
    },
    actions: [],
    source: 'pinelab run',
    warnings: [],
  };
}

/** One simulation run, advanced in chunks (runSimulation runs it to the end in one go). */
export class Simulation {
  readonly config: RunConfig;
  /** `until` and `timeout` as one stop rule. */
  readonly until: Until;
  readonly execution: Execution;
  readonly host: Host;

  constructor(config: RunConfig) {
    this.config = config;
    // Resolved once: its size decides the sampling interval and whether paths are recorded, and
    // the executor takes it as it is.
    const topology = resolveTopology(config.topology, {
      seed: config.seed,
      ...(config.format === undefined ? {} : { format: config.format }),
    });
    const nodes = topology.graph.order;
    const scenario = runScenarioOf(config, nodes);
    const until = untilOf(config);
    this.until = until;
    this.execution = new Execution(scenario, {
      command: config.command ?? `pinelab run --topology ${config.topology} --seed ${config.seed}`,
      crypto: config.crypto ?? 'node',
      ...(config.keysFile === undefined ? {} : { keysFile: config.keysFile }),
      wireEncode: config.wireEncode ?? false,
      ...(config.startSpread === undefined ? {} : { startSpread: config.startSpread }),
      untilConverged: until.kind === 'converged',
      ...(config.snakeQuorum === undefined ? {} : { snakeQuorum: config.snakeQuorum }),
      events: config.events === true,
      ...(config.snapshotEvery === undefined ? {} : { snapshotEvery: config.snapshotEvery }),
      idFromTopology: true,
      manifestOptions: {
        ...untilManifest(until),
        snakeQuorum: config.snakeQuorum ?? 1,
        checkInterval: scenario.measure.interval,
        stretch: config.stretch !== false,
        stretchPairs: scenario.measure.sample,
        paths: scenario.measure.paths,
        events: config.events === true,
        ...(config.snapshotEvery === undefined
          ? {}
          : { snapshots: `every:${seconds(config.snapshotEvery)}s` }),
      },
      ...(config.variant === undefined ? {} : { variant: config.variant }),
      topology,
    });
    this.host = this.execution.host;
  }

  /** Run up to `maxEvents` more events. Returns true when the run is over. */
  advance(maxEvents: number): boolean {
    return this.execution.advance(maxEvents);
  }

  get now(): Micros {
    return this.execution.now;
  }

  /** Router events so far (sampler actions excluded). */
  get events(): number {
    return this.execution.events;
  }

  /**
   * The latest convergence sample: the fractions of its `nodes` whose tree / snake state is
   * correct (NaN before the first sample).
   */
  get convergence(): { tree: number; snake: number; nodes: number } {
    const { tree, snake, nodes } = this.execution.driver.last;
    return { tree, snake, nodes };
  }

  get interrupted(): boolean {
    return this.execution.interrupted;
  }
  set interrupted(value: boolean) {
    this.execution.interrupted = value;
  }

  /** Assemble the results (call when advance() returned true, or after an interrupt). */
  finish(): RunResult {
    const r: ExecuteResult = this.execution.finish();
    const data = r.data;
    return {
      runId: r.runId,
      summary: r.summary,
      manifest: data.manifest,
      topology: data.topology as TopologyFile,
      nodes: data.nodes ?? [],
      // Read on demand: the series may be streamed to disk during the run, not held in memory.
      get timeseries() {
        return data.timeseries ?? [];
      },
      data,
      converged: r.converged,
      timedOut: this.until.kind === 'converged' && !r.converged && !r.interrupted,
      interrupted: r.interrupted,
      host: r.host,
      dumpState: () => dumpState(r.views),
    };
  }
}

/** Per-node final state (names for parent and descending, keys in hex), in node order. */
function dumpState(views: ReadonlyMap<string, RouterView>): DumpNode[] {
  const nameByKey = new Map<string, string>();
  for (const [name, v] of views) nameByKey.set(toHex(v.key), name);
  const out: DumpNode[] = [];
  for (const [name, v] of views) {
    const parent = v.parentKey === null ? null : (nameByKey.get(toHex(v.parentKey)) ?? null);
    const descending =
      v.descendingKey === null
        ? null
        : (nameByKey.get(toHex(v.descendingKey)) ?? toHex(v.descendingKey));
    out.push({
      name,
      key: toHex(v.key),
      rootKey: toHex(v.rootKey),
      rootSeq: v.rootSeq,
      parent,
      coords: [...v.coords],
      descending,
      tableSize: v.tableSize,
    });
  }
  return out;
}

/** Run a whole simulation synchronously (tests, benchmarks). */
export function runSimulation(config: RunConfig): RunResult {
  const sim = new Simulation(config);
  while (!sim.advance(1 << 20)) {}
  return sim.finish();
}

/**
 * The result of a run that a signal stopped after its end (during the measurement or the writing):
 * its figures are complete, but it is marked interrupted as a stopped run is (manifest options and
 * summary), so compare and summarize treat it as one.
 */
export function markInterrupted(r: RunResult): RunResult {
  const data = markDataInterrupted(r.data);
  // Inheriting the rest, as the data does (a spread would read the time series getter).
  return Object.assign(Object.create(r) as RunResult, {
    summary: data.summary as ScenarioSummary,
    manifest: data.manifest,
    data,
    interrupted: true,
    timedOut: false,
  });
}

/** Write the results folder `<outDir>/<run-id>/`; returns its path. */
export function writeResults(outDir: string, result: RunResult): string {
  const dir = join(outDir, result.runId);
  writeRunResults(dir, result.data);
  return dir;
}
