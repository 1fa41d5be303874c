/**
 * viz/src/model/run.ts — raw run files → the parsed run the views use. Missing optional files
 * become notes, never errors; a missing topology.json is an error (nothing can be drawn).
 */
import type {
  NodeRow,
  PairRow,
  PathRecord,
  RunManifest,
  RunSummary,
  Snapshot,
  TimeseriesRow,
  TopologyFile,
} from '../../../results/schema.ts';
import { parseNodes, parsePairs, parseTimeseries } from './csv.ts';
import type { RunFiles } from './files.ts';
import { ModelError } from './graph.ts';
import { sortSnapshots } from './timeline.ts';

export interface RunData {
  readonly name: string;
  readonly manifest: RunManifest | null;
  readonly summary: RunSummary | null;
  readonly topology: TopologyFile;
  readonly nodes: NodeRow[];
  readonly timeseries: TimeseriesRow[];
  readonly pairs: PairRow[];
  readonly paths: PathRecord[] | null;
  readonly snapshots: Snapshot[] | null;
  readonly notes: string[];
}

function json<T>(name: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ModelError(`${name}: not valid JSON (${(e as Error).message})`);
  }
}

export function parseRun(files: RunFiles, name: string): RunData {
  const notes: string[] = [];
  const missing = (f: string, what: string): void => {
    notes.push(`${name}: ${f} is missing — ${what}.`);
  };
  const topoText = files['topology.json'];
  if (topoText == null) throw new ModelError(`${name}: topology.json is missing; nothing to draw`);
  const topology = json<TopologyFile>('topology.json', topoText);
  if (!Array.isArray(topology.nodes) || !Array.isArray(topology.links)) {
    throw new ModelError(`${name}: topology.json: expected { nodes: [...], links: [...] }`);
  }
  const get = (f: keyof RunFiles, what: string): string | null => {
    const t = files[f];
    if (t == null) missing(f, what);
    return t ?? null;
  };
  const manifestText = get('manifest.json', 'no run details');
  const summaryText = get('summary.json', 'no headline figures');
  const nodesText = get('nodes.csv', 'no final tree/snake state or table sizes');
  const tsText = get('timeseries.csv', 'no convergence or overhead plots');
  const pairsText = get('pairs.csv', 'no stretch distribution');
  const pathsText = get('paths.json', 'the path explorer shows shortest paths only');
  const snapText = get('snapshots.json', 'no timeline');
  const snapshots =
    snapText === null ? null : sortSnapshots(json<Snapshot[]>('snapshots.json', snapText));
  if (snapshots && snapshots.length === 0)
    notes.push(`${name}: snapshots.json is empty — no timeline.`);
  return {
    name,
    manifest: manifestText === null ? null : json<RunManifest>('manifest.json', manifestText),
    summary: summaryText === null ? null : json<RunSummary>('summary.json', summaryText),
    topology,
    nodes: nodesText === null ? [] : parseNodes(nodesText),
    timeseries: tsText === null ? [] : parseTimeseries(tsText),
    pairs: pairsText === null ? [] : parsePairs(pairsText),
    paths: pathsText === null ? null : json<PathRecord[]>('paths.json', pathsText),
    snapshots,
    notes,
  };
}
