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
  describe:
    'compare two runs figure by figure (every number of summary.json: absolute and % change); exit 1 when a --fail-if threshold is crossed',
  builder: (y) =>
    y
      .positional('a', {
        type: 'string',
        demandOption: true,
        describe: 'baseline run: a results folder (results/<run-id>) or its summary.json',
      })
      .positional('b', {
        type: 'string',
        demandOption: true,
        describe: 'candidate run: a results folder or a summary.json; deltas are b − a',
      })
      .option('fail-if', {
        type: 'string',
        array: true,
        describe:
          "regression threshold, repeatable: METRIC>+N (b − a above N, in the metric's own unit: seconds, hops, frames…) or METRIC>+N% (relative to a); < for decreases. METRIC is a dotted summary.json path as printed in the table, e.g. stretch.hybrid.mean, treeConvergedAt, framesByType.bootstrap. A metric missing from either run is an error (exit 2)",
      })
      .option('changed', {
        type: 'boolean',
        default: false,
        describe: 'list only the metrics whose value differs between a and b',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print {rows, violations} as JSON instead of the table',
      })
      .example('$0 compare results/base results/new', 'every summary figure side by side')
      .example(
        "$0 compare results/base results/new --fail-if 'stretch.hybrid.mean>+2%' --fail-if 'snakeConvergedAt>+1'",
        'fail CI if hybrid stretch rose by more than 2% or snake convergence by more than 1 s',
      )
      .example(
        '$0 compare a/summary.json b/summary.json --changed --json',
        'only the differences, as JSON',
      )
      .epilog(
        'Exit codes: 0 no threshold crossed, 1 a threshold crossed (each printed as FAIL), 2 bad input.',
      ) as never,
  handler: async (args) => {
    const code = runCompare(args, (s) => process.stdout.write(s));
    if (code !== 0) process.exitCode = code;
  },
};
