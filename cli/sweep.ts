/**
 * cli/sweep.ts — `pinelab sweep <scenario> --param hybrid=on,off --param latency=1ms,20ms --reps 5
 * [--workers N] [--shard k/n] [--out DIR]`: the grid × repetitions on worker_threads, resumable
 * (a run whose summary.json exists is skipped), one merged tidy sweep.csv. See scenarios/README.md
 * for Slurm and Kubernetes usage.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { parseJsonWithLines } from '../scenarios/json-lines.ts';
import { Checker, validateScenario } from '../scenarios/load.ts';
import {
  executeSweep,
  parseParam,
  parseShard,
  planSweep,
  runScenarioJson,
  writeSweepCsv,
} from '../scenarios/sweep.ts';
import { InputError } from '../sim/errors.ts';

interface SweepArgs {
  scenario: string;
  param?: string[];
  reps: number;
  workers: number;
  shard?: string;
  out?: string;
  runner?: string;
}

export async function runSweep(
  args: SweepArgs,
  command: string,
  log: (s: string) => void,
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(args.scenario, 'utf8');
  } catch (error) {
    throw new InputError(`${args.scenario}: cannot read scenario (${(error as Error).message})`);
  }
  const json = parseJsonWithLines(text, args.scenario);
  const baseDir = dirname(args.scenario);
  const base = new Checker(args.scenario, json.lineOf).object(json.value, []);
  const params = (args.param ?? []).map(parseParam);
  const plan = planSweep(args.scenario, params, args.reps);
  // Validate every grid point before starting anything (bad values fail now, exit 2).
  for (const run of plan.runs)
    validateScenario(
      runScenarioJson(base, run),
      new Checker(`${args.scenario} [${run.id}]`, json.lineOf),
      baseDir,
    );
  const out =
    args.out ?? join('results', `sweep-${basename(args.scenario).replace(/\.json$/, '')}`);
  const shard = args.shard === undefined ? null : parseShard(args.shard);
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  const { ran, skipped } = await executeSweep({
    file: args.scenario,
    baseDir,
    base,
    plan,
    shard,
    out,
    workers: args.workers,
    command,
    ...(args.runner === undefined ? {} : { runner: args.runner }),
    progress: (done, total, skip) => {
      if (!tty) return;
      const secs = (performance.now() - started) / 1000;
      const eta = done === 0 ? '' : ` eta ${Math.round((secs / done) * (total - done))}s`;
      process.stderr.write(
        `\rsweep: ${done}/${total} runs${skip > 0 ? ` (${skip} already done)` : ''}${eta}   `,
      );
      if (done === total) process.stderr.write('\n');
    },
  });
  const { rows, missing } = writeSweepCsv(out, plan);
  log(
    `sweep: ${ran} run(s) executed, ${skipped} skipped (already complete); ${rows}/${plan.runs.length} in ${join(out, 'sweep.csv')}${missing.length > 0 && shard !== null ? ` (other shards: pinelab merge)` : ''}\n`,
  );
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <scenario>',
  describe: 'run a scenario over a parameter grid × repetitions (parallel, resumable, shardable)',
  builder: (y) =>
    y
      .positional('scenario', {
        type: 'string',
        demandOption: true,
        describe: 'scenario JSON file',
      })
      .option('param', {
        type: 'string',
        array: true,
        describe:
          'NAME=V1,V2,… (seed, duration, topology, latency, jitter, bandwidth, loss, router options, dotted paths)',
      })
      .option('reps', {
        type: 'number',
        default: 1,
        describe: 'repetitions per grid point (rep k>0 uses seed "<seed>/k")',
      })
      .option('workers', { type: 'number', default: 0, describe: 'worker threads (0 = all cores)' })
      .option('shard', {
        type: 'string',
        describe: 'run only slice K of N (K/N, 1-based), e.g. for job arrays',
      })
      .option('out', { type: 'string', describe: 'output folder (default results/sweep-<name>)' })
      .option('runner', { type: 'string', hidden: true, describe: 'module with runOne() (tests)' })
      .example(
        '$0 sweep scenarios/examples/churn.json --param hybrid=on,off --param latency=1ms,20ms --reps 5',
        '',
      ) as never,
  handler: async (args) => {
    await runSweep(args, `pinelab ${process.argv.slice(2).join(' ')}`, (s) =>
      process.stdout.write(s),
    );
  },
};
