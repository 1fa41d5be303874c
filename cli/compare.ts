/**
 * cli/compare.ts — `pinelab compare <A> <B> [--fail-if 'stretch.hybrid.mean>+2%' ...]`: two runs
 * side by side (exit 1 when a threshold is crossed), or two sets of runs (sweep folders, folders of
 * runs, comma lists) compared per grid point with CIs, effect size and a permutation p-value (exit
 * 1 only when a threshold is crossed significantly at --alpha); 2 on bad input.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import {
  checkThresholds,
  compareSummaries,
  formatCompareTable,
  parseThreshold,
  readSummary,
} from '../results/compare.ts';
import {
  checkGroupThresholds,
  compareRunSets,
  formatGate,
  formatGroupTable,
  smallestP,
} from '../results/compare-groups.ts';
import { checkProblems, loadRunSet, type RunSet } from '../results/run-set.ts';
import { readCapped } from '../sim/read-file.ts';

interface CompareArgs {
  a: string;
  b: string;
  'fail-if'?: string[];
  changed: boolean;
  json: boolean;
  alpha?: number;
  'allow-interrupted'?: boolean;
}

/**
 * Whether a run was stopped by a signal: its summary says so, or (runs written before summaries
 * did) the manifest.json of its folder.
 */
function wasInterrupted(path: string, summary: unknown): boolean {
  if ((summary as { interrupted?: unknown } | null)?.interrupted === true) return true;
  const manifest = join(path, 'manifest.json');
  if (!statSync(path).isDirectory() || !existsSync(manifest)) return false;
  try {
    const m = JSON.parse(readCapped(manifest, 64 * 1024 * 1024, 'a run manifest').toString('utf8'));
    return (m as { options?: { interrupted?: unknown } }).options?.interrupted === true;
  } catch {
    return false;
  }
}

/** One run: a summary JSON file, or a run folder (summary.json, no sweep.json). */
function isSingleRun(path: string): boolean {
  if (path.includes(',') || !existsSync(path)) return !path.includes(',');
  if (!statSync(path).isDirectory()) return true;
  return existsSync(join(path, 'summary.json')) && !existsSync(join(path, 'sweep.json'));
}

/** Returns the exit code (0 ok, 1 threshold crossed); throws InputError on bad input. */
export function runCompare(args: CompareArgs, write: (s: string) => void): number {
  const thresholds = (args['fail-if'] ?? []).map(parseThreshold);
  if (!isSingleRun(args.a) || !isSingleRun(args.b)) return runCompareGroups(args, write);
  const a = readSummary(args.a);
  const b = readSummary(args.b);
  // A run a signal stopped has figures up to there only: refused, as in sets of runs.
  for (const [path, summary] of [
    [args.a, a],
    [args.b, b],
  ] as const) {
    if (!wasInterrupted(path, summary)) continue;
    if (args['allow-interrupted'] !== true)
      throw new InputError(
        `${path}: the run was interrupted (stopped by a signal), its figures end where it stopped: pass --allow-interrupted to compare it anyway`,
      );
    process.stderr.write(
      `warning: ${path}: the run was interrupted; its figures end where it stopped\n`,
    );
  }
  const rows = compareSummaries(a, b);
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

/** Two sets of runs: statistics per grid point, gates on significant regressions. */
function runCompareGroups(args: CompareArgs, write: (s: string) => void): number {
  const alpha = args.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1))
    throw new InputError(`--alpha ${alpha}: expected a probability between 0 and 1, e.g. 0.05`);
  const thresholds = (args['fail-if'] ?? []).map(parseThreshold);
  const apart = args['allow-interrupted'] === true;
  const a = loadRunSet(args.a);
  const b = loadRunSet(args.b);
  checkProblems(a, apart, '--allow-interrupted');
  checkProblems(b, apart, '--allow-interrupted');
  for (const s of [a, b])
    if (s.runs.length === 0) throw new InputError(`${s.source}: no finished run to compare`);
  const rows = compareRunSets(a, b);
  const gates = checkGroupThresholds(rows, thresholds, alpha);
  const failed = gates.filter((g) => g.fail).length;
  const leftOut = (s: RunSet, side: string) =>
    s.problems.map((p) => ({ side, run: p.id, why: p.why, detail: p.detail }));
  const apartList = [...leftOut(a, 'a'), ...leftOut(b, 'b')];
  if (args.json) {
    write(
      `${JSON.stringify(
        {
          a: args.a,
          b: args.b,
          alpha,
          rows,
          gates: gates.map((g) => ({
            threshold: g.threshold.text,
            point: g.row.point,
            observed: g.observed,
            p: g.row.p,
            exceeds: g.exceeds,
            significant: g.significant,
            fail: g.fail,
          })),
          leftOut: apartList,
        },
        null,
        2,
      )}\n`,
    );
    return failed > 0 ? 1 : 0;
  }
  const na = a.runs.length;
  const nb = b.runs.length;
  write(`a: ${args.a} (${na} runs)\nb: ${args.b} (${nb} runs)\n`);
  write(
    "means with 95% bootstrap CIs; b − a with its CI; d = Cohen's d; p = two-sided permutation test\n\n",
  );
  write(`${formatGroupTable(rows, args.changed)}\n`);
  for (const x of apartList) write(`\nleft out (${x.side}): ${x.run} ${x.why}: ${x.detail}`);
  if (apartList.length > 0) write('\n');
  // A gate that can never fail is worth saying: too few seeds for the chosen alpha.
  const tiny = rows.find((r) => r.a.n > 0 && r.b.n > 0 && smallestP(r.a.n, r.b.n) >= alpha);
  if (tiny !== undefined && thresholds.length > 0)
    write(
      `\nnote: with ${tiny.a.n} and ${tiny.b.n} runs the smallest possible p is ${smallestP(tiny.a.n, tiny.b.n).toFixed(3)} ≥ α=${alpha}: no change can be significant; run more seeds\n`,
    );
  if (gates.length > 0) write('\n');
  for (const g of gates) write(`${formatGate(g, alpha)}\n`);
  return failed > 0 ? 1 : 0;
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
        describe:
          'baseline: a run folder (runs/<run-id>) or its summary.json; or a sweep folder, a folder of run folders, or run folders joined by commas',
      })
      .positional('b', {
        type: 'string',
        demandOption: true,
        describe: 'candidate, the same kinds as a; deltas are b − a',
      })
      .option('fail-if', {
        type: 'string',
        array: true,
        describe:
          "regression threshold, repeatable: METRIC>+N (b − a above N, in the metric's own unit: seconds, hops, frames…) or METRIC>+N% (relative to a); < for decreases. METRIC is a dotted summary.json path as printed in the table, e.g. stretch.hybrid.mean, treeConvergedAt, framesByType.bootstrap. A metric missing from either run is an error (exit 2)",
      })
      .option('alpha', {
        type: 'number',
        default: 0.05,
        describe:
          'sets of runs: a --fail-if fails only when its change is also significant at this level (permutation test)',
      })
      .option('allow-interrupted', {
        type: 'boolean',
        default: false,
        describe:
          'sets of runs: leave interrupted or incomplete runs out and list them, instead of refusing (exit 2); two runs: compare an interrupted run anyway, with a warning',
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
      .example('$0 compare runs/base runs/new', 'every summary figure side by side')
      .example(
        "$0 compare runs/base runs/new --fail-if 'stretch.hybrid.mean>+2%' --fail-if 'snakeConvergedAt>+1'",
        'fail CI if hybrid stretch rose by more than 2% or snake convergence by more than 1 s',
      )
      .example(
        "$0 compare runs/sweep-base runs/sweep-change --fail-if 'stretch.hybrid.mean>+2%'",
        'two sweeps of the same grid, seeds as samples: fail only on a significant regression above 2%',
      )
      .example(
        '$0 compare a/summary.json b/summary.json --changed --json',
        'only the differences, as JSON',
      )
      .epilog(
        "Two runs: every figure with its change. Two sets of runs (sweep folders: grid points matched by their parameters without seed and variant): means with 95% bootstrap CIs, the difference with its CI, Cohen's d and a two-sided permutation p-value per metric; a --fail-if then fails only when the change crosses the threshold AND p < --alpha (each gate prints FAIL or pass and why). Interrupted runs (two runs or sets) are refused unless --allow-interrupted. Exit codes: 0 no threshold crossed, 1 a threshold crossed (each printed as FAIL), 2 bad input.",
      ) as never,
  handler: async (args) => {
    const code = runCompare(args, (s) => process.stdout.write(s));
    if (code !== 0) process.exitCode = code;
  },
};
