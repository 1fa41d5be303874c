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
import type { Timeseries } from './timeseries.ts';
import {
  removeStaleTemps,
  writeChunksAtomic,
  writeCsvAtomic,
  writeFileAtomic,
  writeJsonAtomic,
} from './write.ts';

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
  'snake_losses',
  'table_installs',
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
  /** The series streamed during the run (results/timeseries.ts): written instead of `timeseries`. */
  readonly series?: Timeseries;
  readonly pairs?: readonly PairRow[];
  readonly paths?: readonly PathRecord[];
  readonly snapshots?: readonly Snapshot[];
  /** One JSON value per line (written only when given: the run asked for --events). */
  readonly events?: readonly unknown[];
  /** events.jsonl lines already serialised (results/collector.ts), written in chunks. */
  readonly eventLines?: readonly string[];
}

/**
 * A JSON array with one compact element per line: a third of the size of indented JSON (paths.json
 * of the 48-node demo: 4.7 MB instead of 7.3 MB), still greppable and diffable line by line.
 */
export function jsonArrayLines(items: readonly unknown[]): string {
  if (items.length === 0) return '[]\n';
  return `[\n${items.map((x) => JSON.stringify(x)).join(',\n')}\n]\n`;
}

/**
 * Write lines to `path` through a temporary file and a rename (like results/write.ts), in chunks:
 * an event log can be larger than the longest string V8 allows.
 */
export function writeLinesAtomic(path: string, lines: readonly string[]): void {
  writeChunksAtomic(path, lineChunks(lines));
}

/** `lines` with their line breaks, 10 000 lines a chunk. */
function* lineChunks(lines: readonly string[]): Generator<string> {
  const CHUNK = 10_000;
  for (let i = 0; i < lines.length; i += CHUNK) {
    const end = Math.min(lines.length, i + CHUNK);
    let text = '';
    for (let k = i; k < end; k++) text += `${lines[k]}\n`;
    yield text;
  }
}

/**
 * The results of a run a signal stopped after its end (during the measurement or the writing):
 * complete, but marked interrupted in the summary and the manifest's options, so compare and
 * summarize treat it as a stopped run. The new object inherits the rest: a spread would read its
 * getters (the time series, which may be streamed to disk, would be loaded into memory).
 */
export function markDataInterrupted(data: RunResultsData): RunResultsData {
  return Object.assign(Object.create(data) as RunResultsData, {
    summary: { ...data.summary, interrupted: true },
    manifest: { ...data.manifest, options: { ...data.manifest.options, interrupted: true } },
  });
}

export function writeRunResults(dir: string, data: RunResultsData): void {
  // A run killed while writing here left .tmp-* files: this run or resume cleans them up.
  removeStaleTemps(dir);
  writeJsonAtomic(join(dir, 'manifest.json'), data.manifest);
  if (data.topology) writeJsonAtomic(join(dir, 'topology.json'), data.topology);
  if (data.nodes) writeCsvAtomic<NodeRow>(join(dir, 'nodes.csv'), NODE_COLUMNS, data.nodes);
  if (data.series) data.series.writeCsv(join(dir, 'timeseries.csv'));
  else if (data.timeseries)
    writeCsvAtomic<TimeseriesRow>(join(dir, 'timeseries.csv'), TIMESERIES_COLUMNS, data.timeseries);
  if (data.pairs) writeCsvAtomic<PairRow>(join(dir, 'pairs.csv'), PAIR_COLUMNS, data.pairs);
  if (data.paths) writeFileAtomic(join(dir, 'paths.json'), jsonArrayLines(data.paths));
  if (data.snapshots) writeFileAtomic(join(dir, 'snapshots.json'), jsonArrayLines(data.snapshots));
  if (data.events)
    writeFileAtomic(
      join(dir, 'events.jsonl'),
      data.events.map((e) => `${JSON.stringify(e)}\n`).join(''),
    );
  if (data.eventLines) writeLinesAtomic(join(dir, 'events.jsonl'), data.eventLines);
  writeJsonAtomic(join(dir, 'summary.json'), data.summary);
}
