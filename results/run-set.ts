/**
 * results/run-set.ts — a set of finished runs to summarize or compare: a sweep folder
 * (sweep.json plan and one folder per run), a single run folder, a folder of run folders, or a
 * comma-separated list of run folders. Each run carries its sweep parameters and every numeric
 * figure of its summary.json by dotted path.
 *
 * Runs that are incomplete (no usable summary.json) or marked interrupted in their manifest are
 * never averaged silently: the loader lists them in `problems`, and callers refuse them unless
 * told to report them apart.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../base/index.ts';
import { readCapped } from '../sim/read-file.ts';
import { migrateSummary } from './compare.ts';

export interface RunRecord {
  readonly id: string;
  readonly dir: string;
  readonly rep: number;
  /** Sweep parameters as given on the command line (strings); {} outside a sweep. */
  readonly params: Readonly<Record<string, string>>;
  /** Numeric summary figures by dotted path (booleans and strings left out). */
  readonly metrics: ReadonlyMap<string, number>;
  readonly traceHash: string | null;
}

export interface RunProblem {
  readonly id: string;
  readonly why: 'interrupted' | 'incomplete';
  readonly detail: string;
}

export interface RunSet {
  readonly source: string;
  readonly kind: 'sweep' | 'run' | 'runs';
  /** Parameter names in sweep order. */
  readonly paramNames: readonly string[];
  readonly runs: readonly RunRecord[];
  readonly problems: readonly RunProblem[];
}

/** Figures that are about the machine or the run's identity, not the protocol. */
const NOT_METRICS = new Set(['wallSeconds']);

/** Numeric leaves by dotted path, sorted; arrays (episodes) and booleans are not metrics. */
export function numericFigures(
  value: unknown,
  prefix = '',
  out = new Map<string, number>(),
): Map<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (!NOT_METRICS.has(prefix)) out.set(prefix, value);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const k of Object.keys(value).sort())
      numericFigures(
        (value as Record<string, unknown>)[k],
        prefix === '' ? k : `${prefix}.${k}`,
        out,
      );
  }
  return out;
}

/** summary.json, manifest.json and sweep.json are kilobytes; a bigger file is not one of them. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

function readJson(file: string, what: string): unknown {
  const text = readCapped(file, MAX_JSON_BYTES, what).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

function readRun(
  dir: string,
  id: string,
  rep: number,
  params: Readonly<Record<string, string>>,
): RunRecord | RunProblem {
  const file = join(dir, 'summary.json');
  if (!existsSync(file)) return { id, why: 'incomplete', detail: `${file}: no such file` };
  let summary: unknown;
  try {
    summary = JSON.parse(readCapped(file, MAX_JSON_BYTES, 'a run summary').toString('utf8'));
  } catch (error) {
    return {
      id,
      why: 'incomplete',
      detail: `${file}: not valid JSON (${(error as Error).message})`,
    };
  }
  if (typeof summary !== 'object' || summary === null || !('traceHash' in summary))
    return { id, why: 'incomplete', detail: `${file}: not a run summary (no traceHash)` };
  if ((summary as { interrupted?: unknown }).interrupted === true)
    return { id, why: 'interrupted', detail: `${file}: the run was interrupted` };
  const manifestFile = join(dir, 'manifest.json');
  if (existsSync(manifestFile)) {
    const m = readJson(manifestFile, 'a run manifest') as { options?: { interrupted?: unknown } };
    if (m.options?.interrupted === true)
      return { id, why: 'interrupted', detail: `${manifestFile}: the run was interrupted` };
  }
  const hash = (summary as { traceHash?: unknown }).traceHash;
  return {
    id,
    dir,
    rep,
    params,
    metrics: numericFigures(migrateSummary(summary)),
    traceHash: typeof hash === 'string' ? hash : null,
  };
}

interface SweepPlanJson {
  params: { name: string }[];
  runs: { id: string; rep: number; params: Record<string, string> }[];
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/**
 * Load a run set. `path`: a sweep folder (sweep.json), a run folder (summary.json), a folder whose
 * sub-folders are runs, or run folders separated by commas.
 */
export function loadRunSet(path: string): RunSet {
  const runs: RunRecord[] = [];
  const problems: RunProblem[] = [];
  const add = (r: RunRecord | RunProblem) => {
    if ('why' in r) problems.push(r);
    else runs.push(r);
  };
  if (path.includes(',')) {
    for (const dir of path.split(',').filter((d) => d !== '')) {
      if (!isDir(dir)) throw new InputError(`${dir}: no such run folder (in the list ${path})`);
      add(readRun(dir, basename(dir), 0, {}));
    }
    return { source: path, kind: 'runs', paramNames: [], runs, problems };
  }
  if (!isDir(path))
    throw new InputError(`${path}: no such folder (expected a sweep folder or run folders)`);
  const planFile = join(path, 'sweep.json');
  if (existsSync(planFile)) {
    const plan = readJson(planFile, 'a sweep plan') as SweepPlanJson;
    if (!Array.isArray(plan.runs) || !Array.isArray(plan.params))
      throw new InputError(`${planFile}: not a sweep plan (no runs/params)`);
    for (const r of plan.runs) add(readRun(join(path, r.id), r.id, r.rep, r.params));
    return {
      source: path,
      kind: 'sweep',
      paramNames: plan.params.map((p) => p.name),
      runs,
      problems,
    };
  }
  if (existsSync(join(path, 'summary.json'))) {
    add(readRun(path, basename(path), 0, {}));
    return { source: path, kind: 'run', paramNames: [], runs, problems };
  }
  const subs = readdirSync(path)
    .filter((d) => isDir(join(path, d)) && existsSync(join(path, d, 'manifest.json')))
    .sort();
  if (subs.length === 0)
    throw new InputError(
      `${path}: neither a sweep folder (sweep.json), a run folder (summary.json) nor a folder of runs`,
    );
  for (const d of subs) add(readRun(join(path, d), d, 0, {}));
  return { source: path, kind: 'runs', paramNames: [], runs, problems };
}

/**
 * Refuse a set with interrupted or incomplete runs (an InputError listing them), unless `apart`:
 * then they are only left out (callers print them).
 */
export function checkProblems(set: RunSet, apart: boolean, flag: string): void {
  if (set.problems.length === 0 || apart) return;
  const list = set.problems
    .slice(0, 5)
    .map((p) => `${p.id} (${p.why})`)
    .join(', ');
  const more = set.problems.length > 5 ? ` and ${set.problems.length - 5} more` : '';
  throw new InputError(
    `${set.source}: ${set.problems.length} run(s) interrupted or incomplete: ${list}${more}; finish them (pinelab sweep resumes) or pass ${flag} to report them apart`,
  );
}

/** The unit of a summary figure, from its path (README "Results"; results/schema.ts). */
export function unitOf(metric: string): string {
  const last = metric.split('.').pop() ?? metric;
  if (last === 'pairs') return 'count';
  if (last === 'shortestShare') return 'fraction';
  if (/^(stretch|hybridFirst)\./.test(metric) || metric === 'depth.ratioMean') return 'ratio';
  if (/^depth\./.test(metric)) return 'hops';
  if (/^bytesByType\./.test(metric)) return 'bytes';
  if (/^(tableSize|coordsCacheSize)\./.test(metric)) return 'entries';
  if (
    /ConvergedAt$|^(treeReached|snakeReached|snakeHeld)\.|^virtualSeconds$|^convergence\.(tree|snake)(Mean|Max)$/.test(
      metric,
    )
  )
    return 's';
  return 'count';
}

/** Grid point key of a run: its parameters except `drop` (e.g. `seed`: seeds are the samples). */
export function gridKey(params: Readonly<Record<string, string>>, drop: readonly string[]): string {
  return JSON.stringify(
    Object.entries(params)
      .filter(([k]) => !drop.includes(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** Runs by grid point (gridKey without `drop`), points in the order their first run appears. */
export function runsByPoint(
  runs: readonly RunRecord[],
  drop: readonly string[],
): Map<string, RunRecord[]> {
  const out = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const key = gridKey(run.params, drop);
    const list = out.get(key);
    if (list === undefined) out.set(key, [run]);
    else list.push(run);
  }
  return out;
}

/** Every metric any of the runs has, sorted. */
export function metricsOf(runs: readonly RunRecord[]): string[] {
  return [...new Set(runs.flatMap((r) => [...r.metrics.keys()]))].sort();
}

/** A metric's values over the runs that have it. */
export function metricValues(runs: readonly RunRecord[], metric: string): number[] {
  return runs.map((r) => r.metrics.get(metric)).filter((v): v is number => v !== undefined);
}
