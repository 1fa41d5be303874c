/**
 * cli/merge.ts — `pinelab merge <dirs…> -o DIR`: gather the run folders of sweep shards into one
 * folder and write the merged sweep.csv (grid order, identical to an unsharded sweep).
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { writeJsonAtomic } from '../results/write.ts';
import { type SweepPlan, writeSweepCsv } from '../scenarios/sweep.ts';
import { InputError } from '../sim/errors.ts';

interface MergeArgs {
  dirs: string[];
  out: string;
}

function readPlan(dir: string): SweepPlan {
  const file = join(dir, 'sweep.json');
  if (!existsSync(file)) throw new InputError(`${dir}: no sweep.json (not a sweep output folder)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SweepPlan;
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
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
  for (const dir of args.dirs)
    for (const run of first.runs) {
      const src = join(dir, run.id);
      const dst = join(args.out, run.id);
      if (
        dir === args.out ||
        !existsSync(join(src, 'summary.json')) ||
        existsSync(join(dst, 'summary.json'))
      )
        continue;
      cpSync(src, dst, { recursive: true });
      copied++;
    }
  writeJsonAtomic(join(args.out, 'sweep.json'), first);
  const { rows, missing } = writeSweepCsv(args.out, first);
  log(
    `merge: ${copied} run folder(s) copied; ${rows}/${first.runs.length} runs in ${join(args.out, 'sweep.csv')}\n`,
  );
  if (missing.length > 0) log(`merge: missing runs: ${missing.join(', ')}\n`);
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
        '$0 merge shard-1 shard-2 shard-3 -o results/sweep-churn',
        'gather three shards into one sweep.csv',
      )
      .example(
        '$0 merge results/sweep-churn /scratch/job-*/sweep-churn -o results/sweep-churn',
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
