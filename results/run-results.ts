/**
 * results/run-results.ts — write a run's results folder (results/schema.ts) atomically, one file
 * at a time; summary.json goes last, so "summary.json exists" means "the run is complete" (sweeps
 * rely on it to resume).
 */
import { join } from 'node:path';
import type {
  NodeRow,
  PairRow,
  PathRecord,
  RunManifest,
  RunSummary,
  Snapshot,
  TimeseriesRow,
  TopologyFile,
} from './schema.ts';
import { writeCsvAtomic, writeFileAtomic, writeJsonAtomic } from './write.ts';

export const NODE_COLUMNS: readonly (keyof NodeRow & string)[] = [
  'node',
  'key',
  'root',
  'root_seq',
  'parent',
  'coords',
  'depth',
  'bfs_depth',
  'descending',
  'table_size',
  'coords_cache_size',
  'tree_converged_at',
  'snake_converged_at',
];
export const TIMESERIES_COLUMNS: readonly (keyof TimeseriesRow & string)[] = [
  'time_s',
  'metric',
  'value',
];
export const PAIR_COLUMNS: readonly (keyof PairRow & string)[] = [
  'mode',
  'source',
  'destination',
  'shortest_hops',
  'hops',
  'stretch',
  'outcome',
  'reached',
];

export interface RunResultsData {
  readonly manifest: RunManifest;
  readonly summary: RunSummary;
  readonly topology?: TopologyFile;
  readonly nodes?: readonly NodeRow[];
  readonly timeseries?: readonly TimeseriesRow[];
  readonly pairs?: readonly PairRow[];
  readonly paths?: readonly PathRecord[];
  readonly snapshots?: readonly Snapshot[];
  /** One JSON value per line (written only when given: the run asked for --events). */
  readonly events?: readonly unknown[];
}

export function writeRunResults(dir: string, data: RunResultsData): void {
  writeJsonAtomic(join(dir, 'manifest.json'), data.manifest);
  if (data.topology) writeJsonAtomic(join(dir, 'topology.json'), data.topology);
  if (data.nodes) writeCsvAtomic<NodeRow>(join(dir, 'nodes.csv'), NODE_COLUMNS, data.nodes);
  if (data.timeseries)
    writeCsvAtomic<TimeseriesRow>(join(dir, 'timeseries.csv'), TIMESERIES_COLUMNS, data.timeseries);
  if (data.pairs) writeCsvAtomic<PairRow>(join(dir, 'pairs.csv'), PAIR_COLUMNS, data.pairs);
  if (data.paths) writeJsonAtomic(join(dir, 'paths.json'), data.paths);
  if (data.snapshots) writeJsonAtomic(join(dir, 'snapshots.json'), data.snapshots);
  if (data.events)
    writeFileAtomic(
      join(dir, 'events.jsonl'),
      data.events.map((e) => `${JSON.stringify(e)}\n`).join(''),
    );
  writeJsonAtomic(join(dir, 'summary.json'), data.summary);
}
