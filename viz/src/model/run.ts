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
import { hybridWasGiven, migrateModes } from './modes.ts';
import { parseEvents, type Replay } from './replay.ts';
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
  /** events.jsonl as a replay (only runs made with --events have one; no note when absent). */
  readonly replay: Replay | null;
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
  let summary = summaryText === null ? null : json<RunSummary>('summary.json', summaryText);
  let pairs = pairsText === null ? [] : parsePairs(pairsText);
  let paths = pathsText === null ? null : json<PathRecord[]>('paths.json', pathsText);
  if (summary !== null && hybridWasGiven(summary)) {
    // Written before hybridStretch existed: its `hybrid` had the destination's coordinates given.
    ({ summary, pairs, paths } = migrateModes(summary, pairs, paths));
  }
  return {
    name,
    manifest: manifestText === null ? null : json<RunManifest>('manifest.json', manifestText),
    summary,
    topology,
    nodes: nodesText === null ? [] : parseNodes(nodesText),
    timeseries: tsText === null ? [] : parseTimeseries(tsText),
    pairs,
    paths,
    snapshots,
    replay: files['events.jsonl'] == null ? null : parseEvents(files['events.jsonl']),
    notes,
  };
}

/** The header line: the run, its size, seed, root and convergence, and what it is compared with. */
export function runInfo(run: RunData, compare: RunData | null): string {
  const s = run.summary;
  const parts = [
    `run ${run.name}`,
    `${run.topology.nodes.length} nodes`,
    `${run.topology.links.length} links`,
  ];
  if (s) {
    parts.push(`seed ${s.seed}`);
    if (s.root) parts.push(`root ${s.root}`);
    parts.push(`tree converged ${s.treeConvergedAt === null ? 'never' : `${s.treeConvergedAt} s`}`);
    // A big snake may never be right everywhere at once (README "Large networks"): say how close.
    const held = s.snakeHeld?.at999;
    const never = held == null ? 'never' : `never (right at 99.9% of nodes from ${held} s)`;
    parts.push(
      `snake converged ${s.snakeConvergedAt === null ? never : `${s.snakeConvergedAt} s`}`,
    );
  }
  if (run.manifest?.scenario) parts.push(`scenario: ${run.manifest.scenario}`);
  if (compare) parts.push(`compared with ${compare.name} (dashed)`);
  return parts.join(' · ');
}
