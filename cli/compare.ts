/**
 * cli/compare.ts — `pinelab compare <runA> <runB> [--fail-if 'stretch.hybrid.mean>+2%' ...]`:
 * side-by-side summary metrics; exit 1 when a threshold is crossed, 2 on bad input.
 */
import type { CommandModule } from 'yargs';
import {
  checkThresholds,
  compareSummaries,
  formatCompareTable,
  parseThreshold,
  readSummary,
} from '../results/compare.ts';

interface CompareArgs {
  a: string;
  b: string;
  'fail-if'?: string[];
  changed: boolean;
  json: boolean;
}

/** Returns the exit code (0 ok, 1 threshold crossed); throws InputError on bad input. */
export function runCompare(args: CompareArgs, write: (s: string) => void): number {
  const thresholds = (args['fail-if'] ?? []).map(parseThreshold);
  const rows = compareSummaries(readSummary(args.a), readSummary(args.b));
  const violations = checkThresholds(rows, thresholds);
  if (args.json)
    write(
      `${JSON.stringify({ rows, violations: violations.map((v) => ({ threshold: v.threshold.text, observed: v.observed })) }, null, 2)}\n`,
    );
  else {
    write(`a: ${args.a}\nb: ${args.b}\n\n${formatCompareTable(rows, args.changed)}\n`);
    for (const v of violations)
      write(
        `\nFAIL ${v.threshold.text}: ${v.row.metric} went ${v.row.a} → ${v.row.b} (${v.threshold.percent ? `${v.observed.toFixed(2)}%` : v.observed})`,
      );
    if (violations.length > 0) write('\n');
  }
  return violations.length > 0 ? 1 : 0;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <a> <b>',
  describe: 'compare two runs (results folders or summary.json files); fail on regressions',
  builder: (y) =>
    y
      .positional('a', { type: 'string', demandOption: true, describe: 'baseline run' })
      .positional('b', { type: 'string', demandOption: true, describe: 'candidate run' })
      .option('fail-if', {
        type: 'string',
        array: true,
        describe:
          "threshold METRIC>+N% / METRIC<-N (delta b−a, absolute or %); e.g. 'stretch.hybrid.mean>+2%'",
      })
      .option('changed', {
        type: 'boolean',
        default: false,
        describe: 'show only metrics that differ',
      })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .example(
        "$0 compare results/base results/new --fail-if 'stretch.hybrid.mean>+2%'",
        '',
      ) as never,
  handler: async (args) => {
    const code = runCompare(args, (s) => process.stdout.write(s));
    if (code !== 0) process.exitCode = code;
  },
};
