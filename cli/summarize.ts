/**
 * cli/summarize.ts — `pinelab summarize SWEEP_DIR`: statistics over seeds. Writes
 * summary-long.csv (one row per run × metric) and summary-grid.csv (per grid point and metric: n,
 * mean, sd, median, 95% bootstrap CI) into the sweep folder, or --out.
 */
import type { CommandModule } from 'yargs';
import { checkProblems, loadRunSet } from '../results/run-set.ts';
import { summarizeRuns, writeSummaries } from '../results/summarize.ts';

interface SummarizeArgs {
  dir: string;
  out?: string;
  'allow-interrupted': boolean;
}

export function runSummarize(args: SummarizeArgs, write: (s: string) => void): void {
  const set = loadRunSet(args.dir);
  checkProblems(set, args['allow-interrupted'], '--allow-interrupted');
  const s = summarizeRuns(set);
  const files = writeSummaries(args.out ?? args.dir, s);
  write(
    `summarize: ${set.runs.length} run(s), ${s.points} grid point(s): ${files.long} (${s.long.length} rows), ${files.grid} (${s.grid.length} rows)\n`,
  );
  for (const p of set.problems) write(`summarize: left out ${p.id} (${p.why}): ${p.detail}\n`);
}

export const summarizeCommand: CommandModule<object, SummarizeArgs> = {
  command: 'summarize <dir>',
  describe:
    'statistics over seeds for a sweep: tidy summary-long.csv (run × metric) and summary-grid.csv (n, mean, sd, median, 95% bootstrap CI per grid point and metric)',
  builder: (y) =>
    y
      .positional('dir', {
        type: 'string',
        demandOption: true,
        describe:
          'a sweep folder (sweep.json), a folder of run folders, or run folders joined by commas',
      })
      .option('out', {
        type: 'string',
        describe: 'folder for the two CSV files (default: the sweep folder)',
      })
      .option('allow-interrupted', {
        type: 'boolean',
        default: false,
        describe:
          'leave interrupted or incomplete runs out (listed) instead of refusing the sweep (exit 2)',
      })
      .example('$0 summarize runs/sweep-churn', 'both tables into the sweep folder')
      .epilog(
        'Grid points are the sweep parameters without seed: seeds and repetitions are the samples. Metrics are the numeric figures of summary.json by dotted path (stretch.hybrid.mean), with their unit in the unit column; duration parameters are written in seconds (latency_s). The CI is a seeded percentile bootstrap of the mean (2000 resamples): the same folder gives the same numbers. Exit codes: 0 done, 2 bad input.',
      ) as never,
  handler: async (args) => {
    runSummarize(args, (s) => process.stdout.write(s));
  },
};
