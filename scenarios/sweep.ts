/**
 * scenarios/sweep.ts — parameter sweeps: the grid × repetitions plan, applying a parameter to a
 * scenario's JSON, sharding, running on worker_threads, and the merged tidy sweep.csv.
 *
 * Determinism: every run is a pure function of (scenario, parameters, repetition), so the results
 * do not depend on the number of workers or on which shard ran them; sweep.csv rows follow the
 * grid order and leave out wall-clock figures, so the same sweep gives the same bytes.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../base/index.ts';
import { flattenNumbers } from '../results/compare.ts';
import { writeCsvAtomic, writeJsonAtomic } from '../results/write.ts';
import { DEFAULT_ROUTER_OPTIONS } from '../router/options.ts';
import { readCapped } from '../sim/read-file.ts';
import { SweepPool, type WorkReply, type WorkRequest } from './sweep-pool.ts';

/** Run summaries and sweep plans are kB to a few MB: more is not one (a device never ends). */
export const MAX_SWEEP_FILE_BYTES = 64 * 1024 * 1024;

export interface SweepParam {
  readonly name: string;
  readonly values: readonly string[];
}

export interface PlannedRun {
  /** Position in the full grid (shards slice by it). */
  readonly index: number;
  readonly id: string;
  readonly params: Readonly<Record<string, string>>;
  readonly rep: number;
}

export interface SweepPlan {
  readonly scenario: string;
  readonly params: readonly SweepParam[];
  readonly reps: number;
  readonly runs: readonly PlannedRun[];
}

/** `name=v1,v2,...` */
export function parseParam(text: string): SweepParam {
  const m = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.+)$/.exec(text.trim());
  if (m === null)
    throw new InputError(
      `--param ${JSON.stringify(text)}: expected NAME=V1,V2,... e.g. hybrid=on,off`,
    );
  const values = (m[2] as string).split(',').map((v) => v.trim());
  if (values.some((v) => v === ''))
    throw new InputError(`--param ${text}: empty value in the list`);
  if (new Set(values).size !== values.length)
    throw new InputError(`--param ${text}: repeated value`);
  return { name: m[1] as string, values };
}

/** Folder-safe run id: `hybrid-on_latency-1ms_rep-0`. */
export function runId(params: Readonly<Record<string, string>>, rep: number): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}-${v}`);
  parts.push(`rep-${rep}`);
  return parts.join('_').replace(/[^A-Za-z0-9._-]/g, '~');
}

export function planSweep(
  scenario: string,
  params: readonly SweepParam[],
  reps: number,
): SweepPlan {
  if (!Number.isInteger(reps) || reps < 1)
    throw new InputError(`--reps must be a whole number ≥ 1, got ${reps}`);
  const names = new Set<string>();
  for (const p of params) {
    if (names.has(p.name)) throw new InputError(`--param ${p.name} given twice`);
    names.add(p.name);
  }
  const runs: PlannedRun[] = [];
  const rec = (k: number, acc: Record<string, string>): void => {
    if (k === params.length) {
      for (let rep = 0; rep < reps; rep++)
        runs.push({ index: runs.length, id: runId(acc, rep), params: { ...acc }, rep });
      return;
    }
    const p = params[k] as SweepParam;
    for (const v of p.values) rec(k + 1, { ...acc, [p.name]: v });
  };
  rec(0, {});
  // runId maps characters unsafe in folder names to '~': two grid points may then share a folder
  // (seed=a/b,a:b), and the second run would overwrite the first. Refuse such a grid.
  const seen = new Map<string, PlannedRun>();
  for (const run of runs) {
    const other = seen.get(run.id);
    if (other !== undefined) {
      const differ = params
        .filter((p) => other.params[p.name] !== run.params[p.name])
        .map(
          (p) =>
            `--param ${p.name}: ${JSON.stringify(other.params[p.name])} and ${JSON.stringify(run.params[p.name])}`,
        );
      throw new InputError(
        `${differ.join('; ')} give the same run folder name ${run.id} (characters other than A-Z a-z 0-9 . _ - become ~): use values that differ in those characters`,
      );
    }
    seen.set(run.id, run);
  }
  return { scenario, params, reps, runs };
}

/** `k/n` (1-based k). */
export function parseShard(text: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : 0;
  const n = m ? Number(m[2]) : 0;
  if (m === null || n < 1 || k < 1 || k > n)
    throw new InputError(`--shard ${text}: expected K/N with 1 ≤ K ≤ N, e.g. 2/8`);
  return { k, n };
}

export function shardRuns(plan: SweepPlan, shard: { k: number; n: number } | null): PlannedRun[] {
  return shard === null
    ? [...plan.runs]
    : plan.runs.filter((r) => r.index % shard.n === shard.k - 1);
}

const LINK_PARAMS = ['latency', 'jitter', 'bandwidth', 'loss'];
const TOP_PARAMS = ['seed', 'duration', 'topology', 'topologyFormat'];

function typed(value: string): unknown {
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/** Path parts that would reach a prototype instead of a scenario field. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Apply one sweep parameter to the scenario JSON (before validation, so durations and names are
 * checked as usual). Names: seed/duration/topology; latency/jitter/bandwidth/loss (link
 * defaults); any router option (hybrid, keepalives, bootstrapInterval…); or a dotted path into the
 * JSON (measure.interval, actions.2.at).
 */
export function applyParam(raw: Record<string, unknown>, name: string, value: string): void {
  if (TOP_PARAMS.includes(name)) raw[name] = value;
  // A variant module given on the command line is relative to the cwd, not the scenario.
  else if (name === 'variant') raw[name] = resolve(value);
  else if (LINK_PARAMS.includes(name)) {
    const links = { ...((raw['links'] as Record<string, unknown> | undefined) ?? {}) };
    links[name] = typed(value);
    raw['links'] = links;
  } else if (Object.hasOwn(DEFAULT_ROUTER_OPTIONS, name)) {
    const router = { ...((raw['router'] as Record<string, unknown> | undefined) ?? {}) };
    router[name] = typed(value);
    raw['router'] = router;
  } else if (name.includes('.')) {
    const parts = name.split('.');
    // `__proto__.x` would reach Object.prototype and set x on every object in the process.
    const bad = parts.find((p) => UNSAFE_KEYS.has(p) || p === '');
    if (bad !== undefined)
      throw new InputError(
        `--param ${name}: "${bad}" is not a field a scenario can have (expected a dotted path like measure.interval)`,
      );
    let o: Record<string, unknown> = raw;
    for (const p of parts.slice(0, -1)) {
      // Own fields only: an inherited one (toString) is not part of the scenario.
      const next = Object.hasOwn(o, p) ? o[p] : undefined;
      if (typeof next !== 'object' || next === null)
        throw new InputError(`--param ${name}: the scenario has no object at "${p}"`);
      o = next as Record<string, unknown>;
    }
    o[parts[parts.length - 1] as string] = typed(value);
  } else
    throw new InputError(
      `--param ${name}: not a known parameter (seed, duration, topology, ${LINK_PARAMS.join(', ')}, a router option, or a dotted path like measure.interval)`,
    );
}

/** The scenario JSON of one run: parameters applied, and repetition k > 0 reseeded as "seed/k". */
export function runScenarioJson(
  base: Record<string, unknown>,
  run: PlannedRun,
): Record<string, unknown> {
  const raw = structuredClone(base);
  for (const [k, v] of Object.entries(run.params)) applyParam(raw, k, v);
  if (run.rep > 0) raw['seed'] = `${String(raw['seed'] ?? '1')}/${run.rep}`;
  return raw;
}

export type { WorkReply, WorkRequest } from './sweep-pool.ts';

export const DEFAULT_RUNNER = new URL('../run/sweep-run.ts', import.meta.url).href;

export interface SweepOptions {
  readonly file: string;
  readonly baseDir: string;
  readonly base: Record<string, unknown>;
  readonly plan: SweepPlan;
  readonly shard: { k: number; n: number } | null;
  readonly out: string;
  readonly workers: number;
  readonly command: string;
  readonly runner?: string;
  readonly progress?: (done: number, total: number, skipped: number) => void;
  /**
   * Worker threads started earlier (cli/sweep.ts starts them before it validates the grid, so
   * their set-up overlaps the validation); the caller closes it. Absent: a pool of
   * poolSize(workers, runs to do) threads is started here and closed at the end.
   */
  readonly pool?: SweepPool;
  /** Estimated cost of a run (virtual duration × nodes, say): costlier runs start first. */
  readonly cost?: (run: PlannedRun) => number;
}

/**
 * A run folder's summary.json, or why it is not usable: 'missing', or 'invalid' when it cannot be
 * read as a summary (truncated by a killed job or a full disk, say). Only a usable one makes the run
 * complete: resume reruns the others, merge does not copy them.
 */
export type RunSummaryRead =
  | { readonly ok: true; readonly summary: Record<string, unknown> }
  | { readonly ok: false; readonly problem: 'missing' | 'invalid'; readonly detail: string };

export function readRunSummary(runDir: string): RunSummaryRead {
  const file = join(runDir, 'summary.json');
  if (!existsSync(file)) return { ok: false, problem: 'missing', detail: `${file}: no such file` };
  let v: unknown;
  try {
    v = JSON.parse(readCapped(file, MAX_SWEEP_FILE_BYTES, 'a run summary').toString('utf8'));
  } catch (error) {
    const why = (error as Error).message;
    const detail = error instanceof InputError ? why : `${file}: not valid JSON (${why})`;
    return { ok: false, problem: 'invalid', detail };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !('traceHash' in v))
    return { ok: false, problem: 'invalid', detail: `${file}: not a run summary (no traceHash)` };
  return { ok: true, summary: v as Record<string, unknown> };
}

export function isComplete(out: string, run: PlannedRun): boolean {
  return readRunSummary(join(out, run.id)).ok;
}

/** The runs of the (shard of the) sweep not complete in `out` yet, in grid order. */
export function pendingRuns(
  plan: SweepPlan,
  shard: { k: number; n: number } | null,
  out: string,
): PlannedRun[] {
  return shardRuns(plan, shard).filter((r) => !isComplete(out, r));
}

/** Worker threads for `todo` runs: `workers` (0 = one per available core), at most one per run. */
export function poolSize(workers: number, todo: number): number {
  return Math.max(1, Math.min(workers || availableParallelism(), todo));
}

/**
 * The order runs start in: the costliest first (stable, so equal costs keep the grid order), so
 * that the last run to finish is a short one and no thread idles long at the end. Results do not
 * depend on the order.
 */
export function dispatchOrder(
  runs: readonly PlannedRun[],
  cost: ((run: PlannedRun) => number) | undefined,
): PlannedRun[] {
  if (cost === undefined) return [...runs];
  const costs = new Map(runs.map((r) => [r.index, cost(r)]));
  return [...runs].sort((a, b) => (costs.get(b.index) ?? 0) - (costs.get(a.index) ?? 0));
}

/** Run the (shard of the) sweep; completed runs are skipped (resume). Returns runs executed. */
export async function executeSweep(o: SweepOptions): Promise<{ ran: number; skipped: number }> {
  const todo = dispatchOrder(pendingRuns(o.plan, o.shard, o.out), o.cost);
  const skipped = shardRuns(o.plan, o.shard).length - todo.length;
  writeJsonAtomic(join(o.out, 'sweep.json'), o.plan);
  o.progress?.(0, todo.length, skipped);
  if (todo.length === 0) return { ran: 0, skipped };
  const runner = o.runner ?? DEFAULT_RUNNER;
  const pool = o.pool ?? new SweepPool(poolSize(o.workers, todo.length), runner);
  let next = 0;
  let done = 0;
  let failure: Error | null = null;
  const lane = async (worker: number): Promise<void> => {
    while (failure === null && next < todo.length) {
      const run = todo[next++] as PlannedRun;
      const req: WorkRequest = {
        file: o.file,
        baseDir: o.baseDir,
        raw: runScenarioJson(o.base, run),
        out: join(o.out, run.id),
        command: `${o.command} [run ${run.id}]`,
        runner,
      };
      let reply: WorkReply;
      try {
        reply = await pool.run(worker, req);
      } catch (error) {
        failure = new Error(`run ${run.id}: ${(error as Error).message}`);
        break;
      }
      if (!reply.ok) {
        failure = reply.input
          ? new InputError(`run ${run.id}: ${reply.error}`)
          : new Error(`run ${run.id}: ${reply.error}`);
        break;
      }
      done++;
      o.progress?.(done, todo.length, skipped);
    }
    // Nothing left for this thread: end it now, so its heap is not held while others finish.
    await pool.retire(worker);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(pool.size, todo.length) }, (_, i) => lane(i)));
  } finally {
    if (o.pool === undefined) await pool.close();
  }
  if (failure !== null) throw failure;
  return { ran: done, skipped };
}

/** Summary fields that depend on the wall clock or the machine: never in sweep.csv. */
const VOLATILE = new Set(['wallSeconds']);

/**
 * sweep.csv: one row per completed run in grid order, columns run, rep, the parameters, then every
 * numeric summary metric (union over runs, sorted). Returns the number of rows, the missing runs
 * and, among those, the summary.json files that exist but cannot be read (one line each).
 */
export function writeSweepCsv(
  out: string,
  plan: SweepPlan,
): { rows: number; missing: string[]; invalid: string[] } {
  const rows: Record<string, string | number>[] = [];
  const metricNames = new Set<string>();
  const missing: string[] = [];
  const invalid: string[] = [];
  const metricsByRun: Map<string, number>[] = [];
  for (const run of plan.runs) {
    const read = readRunSummary(join(out, run.id));
    if (!read.ok) {
      missing.push(run.id);
      if (read.problem === 'invalid') invalid.push(read.detail);
      continue;
    }
    const summary = read.summary;
    const flat = flattenNumbers(summary);
    for (const k of VOLATILE) flat.delete(k);
    for (const k of flat.keys()) metricNames.add(k);
    metricsByRun.push(flat);
    const hash = typeof summary['traceHash'] === 'string' ? summary['traceHash'] : '';
    rows.push({ run: run.id, rep: run.rep, ...run.params, traceHash: hash });
  }
  const metrics = [...metricNames].sort();
  rows.forEach((row, i) => {
    const flat = metricsByRun[i] as Map<string, number>;
    for (const m of metrics) row[m] = flat.get(m) ?? '';
  });
  const columns = ['run', 'rep', ...plan.params.map((p) => p.name), 'traceHash', ...metrics];
  writeCsvAtomic<Record<string, string | number>>(join(out, 'sweep.csv'), columns, rows);
  return { rows: rows.length, missing, invalid };
}
