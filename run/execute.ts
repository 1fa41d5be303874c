import { performance } from 'node:perf_hooks';
import { UndirectedGraph } from 'graphology';
import { type CollectedResults, RunCollector } from '../results/collector.ts';
import { buildManifest } from '../results/manifest.ts';
import { type RunResultsData, writeRunResults } from '../results/run-results.ts';
import type { RunManifest } from '../results/schema.ts';
import { type RouterOptions, resolveRouterOptions } from '../router/options.ts';
import { Router } from '../router/router.ts';
import type { Micros, RouterView } from '../router/types.ts';
import { checkLinks, checkNames } from '../scenarios/check-names.ts';
import { loadRunKeys, runNodeNames } from '../scenarios/keys.ts';
import { startScenario } from '../scenarios/runner.ts';
import { EMPTY_TOPOLOGY, type Scenario } from '../scenarios/types.ts';
import { type LoadedVariant, variantManifest } from '../scenarios/variant-load.ts';
import { HostSource } from '../sim/convergence.ts';
import { Host } from '../sim/host.ts';
import type { LinkProps } from '../sim/host-api.ts';
import { IdentitySource } from '../sim/identities.ts';
import { DEFAULT_LINK_PROPS, resolveLinkProps } from '../sim/link.ts';
import { processingCosts } from '../sim/processing.ts';
import {
  isGeneratorSpec,
  resolveTopology,
  type TopoEdgeAttributes,
  type Topology,
  type TopoNodeAttributes,
  topologyDigest,
} from '../topologies/index.ts';
import { Driver } from './driver.ts';
import {
  createCrypto,
  hopDecider,
  routerOptionsOf,
  runIdBase,
  withoutRunSeed,
} from './run-setup.ts';
import {
  type NodePosition,
  type ScenarioSummary,
  scenarioSummary,
  topologyFile,
} from './run-summary.ts';
import {
  AUTO_SNAPSHOTS_UP_TO,
  manifestOptionsOf,
  type RunFlags,
  type RunSpec,
  resolveRunSpec,
} from './spec.ts';

// Moved to a module of its own; re-exported for the callers that import it from here.
export type { ScenarioSummary } from './run-summary.ts';

/**
 * SNEK hops of paths.json carry their §6.6 decision (results/snek-decision.ts) up to this many
 * nodes: every candidate of every hop of every recorded SNEK pair grows paths.json fast (measured
 * on this machine: ring:12 seed 1, paths.json 0.34 MB without decisions, 1.66 MB with; it grows
 * with pairs × hops × candidates, roughly n³).
 */
export const DECISIONS_UP_TO = 16;

export { AUTO_SNAPSHOTS_UP_TO };

/**
 * What a caller gives beside the scenario: the run's flags (run/spec.ts RunFlags, resolved once
 * into the RunSpec with the scenario file's fields), where to write, and the loaded variant.
 */
export interface ExecuteOptions extends RunFlags {
  /** Results folder to write (omit: nothing written). */
  readonly out?: string;
  /** The loaded variant of `scenario.variant` (scenarios/variant-load.ts). */
  readonly variant?: LoadedVariant;
  /** `scenario.topology` already resolved by the caller (pinelab run sizes its run by it). */
  readonly topology?: Topology;
}

export interface ExecuteResult {
  /** `<topology or scenario>-s<seed>-<trace hash 8>`, safe as a folder name. */
  readonly runId: string;
  readonly summary: ScenarioSummary;
  readonly data: RunResultsData;
  readonly converged: boolean;
  readonly interrupted: boolean;
  /** The live host, for callers that inspect more (state dumps, tests). */
  readonly host: Host;
  /** Final views by node name (end of the run, before the final measurement). */
  readonly views: ReadonlyMap<string, RouterView>;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** One execution of a scenario on the real host, advanced in chunks by its driver. */
export class Execution {
  readonly scenario: Scenario;
  /** The run, resolved once from the scenario and the caller's flags (the manifest writes it out). */
  readonly spec: RunSpec;
  /** The caller's options, without the resolved topology (see `topo`). */
  readonly options: Omit<ExecuteOptions, 'topology'>;
  readonly host: Host;
  /**
   * What the results need of the topology once the routers are made: the graph itself goes (its
   * node and edge records were about 1 KB a node of a big run's heap, kept to the end for this).
   */
  private readonly topo: TopologyFacts;
  readonly collector: RunCollector;
  readonly routerOptions: RouterOptions;
  readonly linkDefaults: LinkProps;
  /** Set by the caller (SIGINT): finish() keeps what is complete and skips the measurement. */
  interrupted = false;
  readonly driver: Driver;
  private readonly wallStart = performance.now();

  constructor(scenario: Scenario, given: ExecuteOptions = {}) {
    this.scenario = scenario;
    const { topology: resolved, ...options } = given;
    this.options = options;
    const spec = resolveRunSpec(scenario, options);
    this.spec = spec;
    // "none": an empty network that the actions build (pineconesim sequences start empty).
    const topo: Topology =
      resolved ??
      (scenario.topology === EMPTY_TOPOLOGY
        ? {
            graph: new UndirectedGraph<TopoNodeAttributes, TopoEdgeAttributes>(),
            source: 'none',
            digest: topologyDigest(new UndirectedGraph()),
          }
        : resolveTopology(scenario.topology, {
            seed: scenario.seed,
            ...(scenario.topologyFormat === null ? {} : { format: scenario.topologyFormat }),
          }));
    const graph = topo.graph;
    const nodes = graph.nodes();
    checkNames(scenario, nodes);
    const variant = options.variant ?? null;
    if ((scenario.variant ?? null) !== null && variant === null)
      throw new Error(
        `${scenario.source}: variant ${scenario.variant} was not loaded (loadVariant)`,
      );
    // A variant's timers and constants replace the defaults; the run's own options win.
    this.routerOptions = resolveRouterOptions(
      { ...variant?.variant.options, ...routerOptionsOf(scenario) },
      `${scenario.source}: router`,
    );
    this.linkDefaults = resolveLinkProps(
      DEFAULT_LINK_PROPS,
      scenario.links,
      `${scenario.source}: links`,
    );
    const crypto = createCrypto(spec.crypto);
    // --keys wins over the scenario's `keys`; names and seeds are checked (scenarios/keys.ts).
    const keysFile = spec.keysFile;
    const explicit =
      keysFile === null
        ? new Map<string, Uint8Array>()
        : loadRunKeys(keysFile, runNodeNames(scenario, nodes));
    const ids = new IdentitySource(scenario.seed, crypto, explicit);
    const routerOptions = this.routerOptions;
    // Per-node CPU model (sim/processing.ts): null = off, the host then adds no events.
    const processing = processingCosts(scenario.processing ?? 'off', routerOptions.signatures);
    const host: Host = new Host({
      seed: scenario.seed,
      identity: (name) => ids.identity(name),
      routerFactory: (identity, _i, name) =>
        new Router(
          identity,
          routerOptions,
          crypto,
          host.streams.sparse(`router:${name}`),
          variant?.router ?? null,
        ),
      linkDefaults: this.linkDefaults,
      wireEncode: spec.wireEncode,
      startSpread: spec.startSpread,
      ...(processing === null ? {} : { processing }),
      // Pinecone's TCP peerings and static re-dialling unless the scenario says otherwise.
      transport: scenario.transport ?? 'stream',
      repeer: scenario.repeer ?? 'static',
    });
    this.host = host;
    // Topology edge attributes (latency, bandwidth, loss) override the run-wide link defaults.
    const edges: { source: string; target: string; props?: Partial<LinkProps> }[] = [];
    graph.forEachEdge((_edge, attrs, source, target) => {
      const props: { latency?: number; bandwidth?: number; loss?: number } = {};
      if (attrs.latency !== undefined) props.latency = attrs.latency;
      if (attrs.bandwidth !== undefined) props.bandwidth = attrs.bandwidth;
      if (attrs.loss !== undefined) props.loss = attrs.loss;
      edges.push(Object.keys(props).length === 0 ? { source, target } : { source, target, props });
    });
    checkLinks(
      scenario,
      edges.map((e) => [e.source, e.target] as const),
    );
    host.loadTopology(nodes, edges, topo.source);
    this.topo = topologyFacts(topo);
    this.driver = new Driver(host, scenario.duration);
    const random = (name: string) => host.streams.stream(`scenario:${name}`);
    this.collector = new RunCollector(random, false, {
      counters: {
        frames: host.framesSent,
        bytes: host.bytesSent,
        installs: () => host.tableInstalls,
      },
      linkDrops: () => host.linkDrops,
      autoSnapshots: graph.order <= spec.outputs.snapshotsUpTo,
      // Convergence samples read the routers directly (sim/convergence.ts), not through views.
      source: new HostSource(host),
      events: spec.outputs.events,
      ...(spec.outputs.snapshotEvery === null ? {} : { snapshotEvery: spec.outputs.snapshotEvery }),
      ...(graph.order <= DECISIONS_UP_TO && !variant?.router?.snekNextHop
        ? { decide: hopDecider(host) }
        : {}),
      snakeQuorum: spec.snakeQuorum,
      onSample: (t: number, s: number, n: number) => this.driver.onSample(t, s, n),
      // Nodes not started yet count as not converged (the host's default spread is 1 s).
      startUp: {
        links: edges.map((e) => [e.source, e.target] as const),
        until: spec.startSpread,
      },
    });
    if (spec.stop.kind === 'converged')
      this.driver.stopWhen({
        snakeQuorum: spec.snakeQuorum,
        sampleNow: () => this.collector.sampleNow(),
      });
    // The runner only schedules the actions; the driver owns the loop and the end.
    startScenario(scenario, host, this.collector, random);
  }

  /** Run up to `maxEvents` more events. Returns true when the run is over. */
  advance(maxEvents: number): boolean {
    return this.driver.advance(this.driver.end, maxEvents);
  }

  get now(): Micros {
    return this.host.now;
  }

  /** Router events so far (host actions excluded). */
  get events(): number {
    return this.driver.events;
  }

  /** End the run here: final sample, state and snapshot, the final measurement, the results. */
  finish(): ExecuteResult {
    const host = this.host;
    const scenario = this.scenario;
    const runEnd = host.now;
    const events = this.events;
    // Final state and links at the end of the run (the measurement's probes come after).
    const views = new Map<string, RouterView>();
    for (const name of host.nodeNames()) views.set(name, host.view(name));
    const links = host.links().map(([source, target]) => ({ source, target }));
    this.collector.interrupted = this.interrupted;
    this.driver.finish(() => this.collector.finish());
    // After the final measurement: its traffic is part of what the simulator did (a
    // conversation through the coordinates cache is the only thing --hybrid off changes).
    const traceHash = host.traceHash();
    const r: CollectedResults = this.collector.results();
    const wallSeconds = round6((performance.now() - this.wallStart) / 1000);
    const names = r.nodes.map((n) => n.node);
    const summary = scenarioSummary(r, {
      scenario,
      links: links.length,
      events,
      runEnd,
      wallSeconds,
      traceHash,
      quorum: this.spec.snakeQuorum,
      refusedLinks: host.refusedLinks,
      interrupted: this.interrupted,
    });
    const manifest: RunManifest = buildManifest({
      command: this.spec.command,
      seed: scenario.seed,
      // The spec written out, with the router options and link defaults as resolved.
      options: manifestOptionsOf(this.spec, {
        router: this.routerOptions,
        links: this.linkDefaults,
        ...(this.options.variant === undefined
          ? {}
          : { variant: variantManifest(this.options.variant) }),
        interrupted: this.interrupted,
      }),
      topology: {
        source: this.topo.source,
        digest: this.topo.digest,
        nodes: this.topo.order,
        links: this.topo.size,
      },
      ...(this.spec.outputs.idFromTopology ? {} : { scenario: scenario.source }),
      crypto: this.spec.crypto,
      traceHash,
      wallSeconds,
    });
    const data: RunResultsData = {
      manifest,
      summary,
      topology: topologyFile(names, this.topo.positions, views, links),
      nodes: r.nodes,
      // Streamed to a spool file during the run (results/timeseries.ts): in memory only on demand.
      series: r.series,
      get timeseries() {
        return r.series.rows();
      },
      pairs: r.pairs,
      ...(scenario.measure.paths ? { paths: r.paths } : {}),
      ...(r.snapshots.length > 0 ? { snapshots: r.snapshots } : {}),
      ...(this.spec.outputs.events ? { eventLines: this.collector.eventLines } : {}),
    };
    const base = this.spec.outputs.idFromTopology
      ? runIdBase(
          withoutRunSeed(this.topo.source, scenario.seed),
          !isGeneratorSpec(scenario.topology),
        )
      : runIdBase(scenario.name, false);
    return {
      runId: `${base}-s${runIdBase(scenario.seed, false)}-${traceHash.slice(0, 8)}`,
      summary,
      data,
      // At the default quorum of 1, snakeQuorumAt is snakeConvergedAt.
      converged: r.treeConvergedAt !== null && r.snakeQuorumAt !== null,
      interrupted: this.interrupted,
      host,
      views,
    };
  }
}

/** Run a scenario to the end; write the results folder `options.out` when given. */
export function executeScenario(scenario: Scenario, options: ExecuteOptions = {}): ExecuteResult {
  const execution = new Execution(scenario, options);
  while (!execution.advance(1 << 20)) {}
  const result = execution.finish();
  if (options.out !== undefined) writeRunResults(options.out, result.data);
  return result;
}

/** What a run's results need of its topology (Execution.topo). */
interface TopologyFacts {
  readonly source: string;
  readonly digest: string;
  readonly order: number;
  readonly size: number;
  /** Position of each node the topology placed (x, y attributes), for topology.json. */
  readonly positions: ReadonlyMap<string, NodePosition>;
}

function topologyFacts(topo: Topology): TopologyFacts {
  const positions = new Map<string, NodePosition>();
  topo.graph.forEachNode((name, attrs) => {
    const { x, y } = attrs;
    if (x !== undefined || y !== undefined)
      positions.set(name, { ...(x === undefined ? {} : { x }), ...(y === undefined ? {} : { y }) });
  });
  return {
    source: topo.source,
    digest: topo.digest,
    order: topo.graph.order,
    size: topo.graph.size,
    positions,
  };
}
