/**
 * cli/merge.ts — `pinelab merge <dirs…> -o DIR`: gather the run folders of sweep shards into one
 * folder and write the merged sweep.csv (grid order, identical to an unsharded sweep).
 */
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import { writeJsonAtomic } from '../results/write.ts';
import {
  MAX_SWEEP_FILE_BYTES,
  type PlannedRun,
  readRunSummary,
  type SweepPlan,
  writeSweepCsv,
} from '../scenarios/sweep.ts';
import { readCapped } from '../sim/read-file.ts';

interface MergeArgs {
  dirs: string[];
  out: string;
}

/** Run ids are folder names made by runId: nothing else (`..`, a slash) may reach a path. */
const RUN_ID = /^(?!\.\.?$)[A-Za-z0-9._~-]+$/;

function readPlan(dir: string): SweepPlan {
  const file = join(dir, 'sweep.json');
  if (!existsSync(file)) throw new InputError(`${dir}: no sweep.json (not a sweep output folder)`);
  const text = readCapped(file, MAX_SWEEP_FILE_BYTES, 'a sweep plan').toString('utf8');
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const runs = (plan as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(runs))
    throw new InputError(`${file}: expected a sweep plan with a "runs" array`);
  runs.forEach((r: unknown, i) => {
    const run = r as Partial<Record<keyof PlannedRun, unknown>> | null;
    if (
      typeof run !== 'object' ||
      run === null ||
      typeof run.id !== 'string' ||
      !RUN_ID.test(run.id) ||
      typeof run.rep !== 'number' ||
      typeof run.params !== 'object' ||
      run.params === null
    )
      throw new InputError(`${file}: runs[${i}]: expected { id (a run folder name), params, rep }`);
  });
  return plan as SweepPlan;
}

export function runMerge(args: MergeArgs, log: (s: string) => void): number {
  if (args.dirs.length === 0) throw new InputError('merge: name at least one sweep folder');
  const plans = args.dirs.map(readPlan);
  const first = plans[0] as SweepPlan;
  const ids = JSON.stringify(first.runs.map((r) => r.id));
  plans.forEach((p, i) => {
    if (JSON.stringify(p.runs.map((r) => r.id)) !== ids)
      throw new InputError(
        `${args.dirs[i]}: a different sweep grid than ${args.dirs[0]} (parameters or reps differ)`,
      );
  });
  let copied = 0;
  // A truncated summary.json has no figures: its run is not complete, not copied, not kept.
  const invalid = new Set<string>();
  for (const dir of args.dirs)
    for (const run of first.runs) {
      const src = join(dir, run.id);
      const dst = join(args.out, run.id);
      if (dir === args.out || readRunSummary(dst).ok) continue;
      const read = readRunSummary(src);
      if (!read.ok) {
        if (read.problem === 'invalid') invalid.add(read.detail);
        continue;
      }
      cpSync(src, dst, { recursive: true });
      copied++;
    }
  writeJsonAtomic(join(args.out, 'sweep.json'), first);
  const result = writeSweepCsv(args.out, first);
  const { rows, missing } = result;
  for (const why of result.invalid) invalid.add(why);
  log(
    `merge: ${copied} run folder(s) copied; ${rows}/${first.runs.length} runs in ${join(args.out, 'sweep.csv')}\n`,
  );
  if (missing.length > 0) log(`merge: missing runs: ${missing.join(', ')}\n`);
  for (const why of invalid) log(`merge: incomplete run, not counted (rerun it): ${why}\n`);
  return missing.length;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe:
    'merge the output folders of sweep shards (pinelab sweep --shard K/N) into one: copies the run folders and writes sweep.json and sweep.csv in grid order, identical to an unsharded sweep',
  builder: (y) =>
    y
      .positional('dirs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe:
          'shard output folders (each with the sweep.json of the same grid); runs already in --out are kept',
      })
      .option('out', {
        alias: 'o',
        type: 'string',
        demandOption: true,
        describe: 'merged output folder (created if missing; may be one of the shard folders)',
      })
      .example(
        '$0 merge shard-1 shard-2 shard-3 -o runs/sweep-churn',
        'gather three shards into one sweep.csv',
      )
      .example(
        '$0 merge runs/sweep-churn /scratch/job-*/sweep-churn -o runs/sweep-churn',
        'fold cluster job outputs into an existing folder',
      )
      .epilog(
        'Exit codes: 0 every grid run present, 1 some runs missing (listed), 2 bad input (not a sweep folder, different grids).',
      ) as never,
  handler: async (args) => {
    const missing = runMerge(args, (s) => process.stdout.write(s));
    // Incomplete grid: not an error in any file, but scripts must notice (README: exit codes).
    if (missing > 0) process.exitCode = 1;
  },
};
