/**
 * scenarios/execute.ts — run a validated Scenario on the real simulator (sim/host.ts + the
 * router) and produce its results: build the host from the scenario (topology, seed, link defaults,
 * router options), play the actions (runner.ts), collect metrics (results/collector.ts), and
 * optionally write the results folder.
 */
import { performance } from 'node:perf_hooks';
import { UndirectedGraph } from 'graphology';
import { RunCollector } from '../results/collector.ts';
import { buildManifest } from '../results/manifest.ts';
import { type RunResultsData, writeRunResults } from '../results/run-results.ts';
import type { RunSummary } from '../results/schema.ts';
import { withVerificationCache } from '../router/crypto-cache.ts';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import { toHex } from '../router/keys.ts';
import { resolveRouterOptions } from '../router/options.ts';
import { Router } from '../router/router.ts';
import { InputError } from '../sim/errors.ts';
import { FRAME_TYPE_NAMES, Host } from '../sim/host.ts';
import { IdentitySource } from '../sim/identities.ts';
import { DEFAULT_LINK_PROPS, resolveLinkProps } from '../sim/link.ts';
import {
  resolveTopology,
  type TopoEdgeAttributes,
  type TopoNodeAttributes,
  topologyDigest,
} from '../topologies/index.ts';
import { parseDuration } from './duration.ts';
import { checkNames } from './load.ts';
import { runScenario } from './runner.ts';
import { EMPTY_TOPOLOGY, type Scenario } from './types.ts';

/** RunSummary plus what a scenario measures beyond a plain run (additive fields). */
export interface ScenarioSummary extends RunSummary {
  readonly scenario: string;
  readonly traffic?: Readonly<Record<string, import('../results/schema.ts').DeliverySummary>>;
  readonly convergence: {
    readonly changes: number;
    readonly treeMean: number | null; // mean seconds to tree convergence over episodes that converged
    readonly treeMax: number | null;
    readonly snakeMean: number | null;
    readonly snakeMax: number | null;
    readonly unconverged: number; // episodes that never converged before the next change
  };
  readonly tableSize: import('../results/schema.ts').Distribution;
  readonly coordsCacheSize: import('../results/schema.ts').Distribution;
  readonly depth: import('../results/metrics.ts').DepthSummary;
  readonly warnings: readonly string[];
}

export interface ExecuteOptions {
  /** Results folder to write (omit: nothing written). */
  readonly out?: string;
  /** The command line, for the manifest. */
  readonly command?: string;
}

export interface ExecuteResult {
  readonly summary: ScenarioSummary;
  readonly data: RunResultsData;
}

/** Router options from a scenario: durations ("5s") become Micros; the router validates the rest. */
export function routerOptionsOf(scenario: Scenario): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(scenario.router)) {
    if (typeof v === 'string') {
      const us = parseDuration(v);
      if (us === null)
        throw new InputError(
          `${scenario.source}: router.${k}: expected a duration, a number or true/false`,
        );
      out[k] = us;
    } else out[k] = v;
  }
  if (scenario.measure.paths) out['recordReasons'] = true;
  return out;
}

export function executeScenario(scenario: Scenario, options: ExecuteOptions = {}): ExecuteResult {
  const wallStart = performance.now();
  // "none": an empty network that the actions build (pineconesim sequences start empty).
  const topo =
    scenario.topology === EMPTY_TOPOLOGY
      ? {
          graph: new UndirectedGraph<TopoNodeAttributes, TopoEdgeAttributes>(),
          source: 'none',
          digest: topologyDigest(new UndirectedGraph()),
        }
      : resolveTopology(scenario.topology, {
          seed: scenario.seed,
          ...(scenario.topologyFormat === null ? {} : { format: scenario.topologyFormat }),
        });
  const graph = topo.graph;
  const nodes = graph.nodes();
  checkNames(scenario, nodes);
  const routerOptions = resolveRouterOptions(
    routerOptionsOf(scenario),
    `${scenario.source}: router`,
  );
  const linkDefaults = resolveLinkProps(
    DEFAULT_LINK_PROPS,
    scenario.links,
    `${scenario.source}: links`,
  );
  const crypto = withVerificationCache(createNodeEd25519());
  const ids = new IdentitySource(scenario.seed, crypto);
  const host: Host = new Host({
    seed: scenario.seed,
    identity: (name) => ids.identity(name),
    routerFactory: (identity, _i, name) =>
      new Router(identity, routerOptions, crypto, host.streams.stream(`router:${name}`).fn),
    linkDefaults,
  });
  const edges: { source: string; target: string }[] = [];
  graph.forEachEdge((_e, _attrs, source, target) => {
    edges.push({ source, target });
  });
  host.loadTopology(nodes, edges, topo.source);
  const random = (name: string) => host.streams.stream(`scenario:${name}`);
  const collector = new RunCollector(random);
  runScenario(
    scenario,
    host,
    collector,
    random,
    edges.map((e) => [e.source, e.target] as const),
  );
  const r = collector.results();
  const framesByType: Record<string, number> = {};
  const bytesByType: Record<string, number> = {};
  FRAME_TYPE_NAMES.forEach((name, k) => {
    framesByType[name] = host.framesSent[k] as number;
    bytesByType[name] = host.bytesSent[k] as number;
  });
  const wallSeconds = Math.round(performance.now() - wallStart) / 1000;
  const converged = (k: 'tree_s' | 'snake_s') =>
    r.episodes.map((e) => e[k]).filter((v): v is number => v !== null);
  const tree = converged('tree_s');
  const snake = converged('snake_s');
  const mean = (xs: number[]) =>
    xs.length === 0 ? null : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1e6) / 1e6;
  const summary: ScenarioSummary = {
    nodes: host.nodeNames().length,
    links: host.links().length,
    seed: scenario.seed,
    root: r.root,
    treeConvergedAt: r.treeConvergedAt,
    snakeConvergedAt: r.snakeConvergedAt,
    framesByType,
    bytesByType,
    events: host.events,
    virtualSeconds: host.now / 1_000_000,
    wallSeconds,
    traceHash: host.traceHash(),
    stretch: r.stretch,
    delivery: r.delivery,
    scenario: scenario.name,
    ...(Object.keys(r.traffic).length === 0 ? {} : { traffic: r.traffic }),
    convergence: {
      changes: r.episodes.length - 1,
      treeMean: mean(tree),
      treeMax: tree.length === 0 ? null : Math.max(...tree),
      snakeMean: mean(snake),
      snakeMax: snake.length === 0 ? null : Math.max(...snake),
      unconverged: r.episodes.filter((e) => e.tree_s === null || e.snake_s === null).length,
    },
    tableSize: r.tableSize,
    coordsCacheSize: r.coordsCacheSize,
    depth: r.depth,
    warnings: scenario.warnings,
  };
  const manifest = buildManifest({
    command: options.command ?? `pinelab scenario run ${scenario.source}`,
    seed: scenario.seed,
    options: { router: routerOptions, links: linkDefaults, measure: scenario.measure },
    topology: { source: topo.source, digest: topo.digest, nodes: graph.order, links: graph.size },
    scenario: scenario.source,
    crypto: 'node',
    traceHash: summary.traceHash,
    wallSeconds,
  });
  const data: RunResultsData = {
    manifest,
    summary,
    topology: {
      nodes: host.nodeNames().map((name) => {
        const x = graph.hasNode(name) ? graph.getNodeAttribute(name, 'x') : undefined;
        const y = graph.hasNode(name) ? graph.getNodeAttribute(name, 'y') : undefined;
        return {
          name,
          key: toHex(host.view(name).key),
          ...(x === undefined ? {} : { x }),
          ...(y === undefined ? {} : { y }),
        };
      }),
      links: host.links().map(([source, target]) => ({ source, target })),
    },
    nodes: r.nodes,
    timeseries: r.timeseries,
    pairs: r.pairs,
    ...(scenario.measure.paths ? { paths: r.paths } : {}),
    snapshots: r.snapshots,
  };
  if (options.out !== undefined) writeRunResults(options.out, data);
  return { summary, data };
}
