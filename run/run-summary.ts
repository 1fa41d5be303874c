/**
 * run/run-summary.ts — summary.json of a scenario run: what the collector measured
 * (results/summarise.ts) plus the run's own figures (events, virtual and wall time, trace hash,
 * refused links) and convergence per topology episode.
 */
import type { CollectedResults } from '../results/collector.ts';
import type { RunSummary, TopologyFile } from '../results/schema.ts';
import { toHex } from '../router/keys.ts';
import { MICROS_PER_SECOND, type Micros, type RouterView } from '../router/types.ts';
import type { Scenario } from '../scenarios/types.ts';

/** RunSummary plus what a scenario measures beyond a plain run (additive fields). */
export interface ScenarioSummary extends RunSummary {
  readonly scenario: string;
  readonly traffic?: Readonly<Record<string, import('../results/schema.ts').DeliverySummary>>;
  /** Over the topology episodes (summary episodes without the root refreshes, §5.3.1). */
  readonly convergence: {
    readonly changes: number;
    readonly treeMean: number | null; // mean seconds to tree convergence over episodes that converged
    readonly treeMax: number | null;
    readonly snakeMean: number | null;
    readonly snakeMax: number | null;
    readonly unconverged: number; // episodes that never converged before the next change
  };
  readonly tableSize: import('../results/schema.ts').Distribution;
  /**
   * Table entries installed for a key the node's table did not hold (§6.5 step 6), summed over the
   * nodes present at the end, whole run. Against framesByType.bootstrap (bootstrap hops): the
   * table churn of moving bootstrap paths (README "Large networks"). Absent in older results.
   */
  readonly tableInstalls?: number;
  readonly coordsCacheSize: import('../results/schema.ts').Distribution;
  readonly depth: import('../results/metrics.ts').DepthSummary;
  /** Links refused at set-up for lack of a free port (PROTOCOL.md §4.1). */
  readonly refusedLinks: number;
  readonly warnings: readonly string[];
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The run's own figures, beside what the collector measured. */
export interface RunFigures {
  readonly scenario: Scenario;
  /** Links up at the end of the run. */
  readonly links: number;
  /** Router events up to the end of the run (the final measurement's excluded). */
  readonly events: number;
  readonly runEnd: Micros;
  readonly wallSeconds: number;
  readonly traceHash: string;
  /** Share of the nodes for snakeQuorumAt (reported only below 1). */
  readonly quorum: number;
  readonly refusedLinks: number;
  readonly interrupted: boolean;
}

/** summary.json of the run. */
export function scenarioSummary(r: CollectedResults, run: RunFigures): ScenarioSummary {
  const { scenario, events, runEnd, wallSeconds, traceHash, quorum } = run;
  // Per topology change: root refreshes (§5.3.1) are episodes of their own (summary episodes).
  const topologyEpisodes = r.episodes.filter((e) => e.kind !== 'root-refresh');
  const converged = (k: 'tree' | 'snake') =>
    topologyEpisodes.map((e) => e[k]).filter((v): v is number => v !== null);
  const tree = converged('tree');
  const snake = converged('snake');
  const mean = (xs: number[]) =>
    xs.length === 0 ? null : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1e6) / 1e6;
  const names = r.nodes.map((n) => n.node);
  return {
    nodes: names.length,
    links: run.links,
    seed: scenario.seed,
    root: r.root,
    treeConvergedAt: r.treeConvergedAt,
    snakeConvergedAt: r.snakeConvergedAt,
    treeReached: r.treeReached,
    snakeReached: r.snakeReached,
    snakeHeld: r.snakeHeld,
    snakeLosses: r.snakeLosses,
    ...(quorum < 1
      ? {
          snakeQuorum: quorum,
          snakeQuorumAt: r.snakeQuorumAt,
        }
      : {}),
    framesByType: r.framesByType,
    bytesByType: r.bytesByType,
    events,
    virtualSeconds: round6(runEnd / MICROS_PER_SECOND),
    wallSeconds,
    traceHash,
    stretch: r.stretch,
    delivery: r.delivery,
    hybridStretch: 'conversation',
    ...(r.hybridFirst === null ? {} : { hybridFirst: r.hybridFirst }),
    scenario: scenario.name,
    ...(Object.keys(r.traffic).length === 0 ? {} : { traffic: r.traffic }),
    episodes: r.episodes,
    ...(Object.keys(r.linkDrops).length === 0 ? {} : { linkDrops: r.linkDrops }),
    convergence: {
      changes: topologyEpisodes.length - 1,
      treeMean: mean(tree),
      treeMax: tree.length === 0 ? null : Math.max(...tree),
      snakeMean: mean(snake),
      snakeMax: snake.length === 0 ? null : Math.max(...snake),
      unconverged: topologyEpisodes.filter((e) => e.tree === null || e.snake === null).length,
    },
    tableSize: r.tableSize,
    tableInstalls: r.tableInstalls,
    coordsCacheSize: r.coordsCacheSize,
    depth: r.depth,
    refusedLinks: run.refusedLinks,
    warnings: [...scenario.warnings, ...r.warnings],
    // Stopped early (a signal): in summary.json too, where sweeps and compare look first.
    ...(run.interrupted ? { interrupted: true } : {}),
  };
}

/** A node's position in the topology file (its x and y attributes, each when given). */
export interface NodePosition {
  readonly x?: number;
  readonly y?: number;
}

/**
 * topology.json: every node of the run with its key and the topology file's position (if any),
 * and the links up at the end.
 */
export function topologyFile(
  names: readonly string[],
  positions: ReadonlyMap<string, NodePosition>,
  views: ReadonlyMap<string, RouterView>,
  links: TopologyFile['links'],
): TopologyFile {
  return {
    nodes: names.map((name) => {
      const { x, y } = positions.get(name) ?? {};
      return {
        name,
        key: toHex((views.get(name) as RouterView).key),
        ...(x === undefined ? {} : { x }),
        ...(y === undefined ? {} : { y }),
      };
    }),
    links,
  };
}
