/**
 * cli/sweep.ts — `pinelab sweep <scenario> --param hybrid=on,off --param latency=1ms,20ms --reps 5
 * [--workers N] [--shard k/n] [--out DIR]`: the grid × repetitions on worker_threads, resumable
 * (a run whose summary.json is readable is skipped), one merged tidy sweep.csv. See
 * scenarios/README.md for Slurm and Kubernetes usage.
 */
import { basename, dirname, join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import type { LocatedJson } from '../scenarios/json-lines.ts';
import {
  Checker,
  parseScenarioDocument,
  readScenarioText,
  validateScenario,
} from '../scenarios/load.ts';
import {
  DEFAULT_RUNNER,
  executeSweep,
  parseParam,
  parseShard,
  pendingRuns,
  planSweep,
  poolSize,
  runScenarioJson,
  type SweepPlan,
  writeSweepCsv,
} from '../scenarios/sweep.ts';
import { SweepPool } from '../scenarios/sweep-pool.ts';
import { loadVariant } from '../scenarios/variant-load.ts';
import type { Topology } from '../topologies/index.ts';
import { checkOutFolder } from './preflight.ts';
import { checkLoadedScenario } from './scenario.ts';

interface SweepArgs {
  scenario: string;
  param?: string[];
  reps: number;
  workers: number;
  shard?: string;
  out?: string;
  runner?: string;
  variant?: string;
}

export async function runSweep(
  args: SweepArgs,
  command: string,
  log: (s: string) => void,
): Promise<void> {
  const json = parseScenarioDocument(readScenarioText(args.scenario), args.scenario);
  const baseDir = dirname(args.scenario);
  const base = new Checker(args.scenario, json.lineOf).object(json.value, []);
  // --variant: the same variant module for every run, relative to the cwd, where it was typed.
  if (args.variant !== undefined) base['variant'] = resolve(args.variant);
  const params = (args.param ?? []).map(parseParam);
  const plan = planSweep(args.scenario, params, args.reps);
  const out =
    args.out ?? join('runs', `sweep-${basename(args.scenario).replace(/\.(json|ya?ml)$/, '')}`);
  const shard = args.shard === undefined ? null : parseShard(args.shard);
  // Start the worker threads now: their set-up (tsx, then the simulator's modules, about a second
  // of a core each) runs while this thread validates the grid, instead of after it. They run
  // nothing before the whole grid is valid.
  const todo = pendingRuns(plan, shard, out).length;
  const runner = args.runner ?? DEFAULT_RUNNER;
  const pool = todo === 0 ? undefined : new SweepPool(poolSize(args.workers, todo), runner);
  try {
    const costs = await validateGrid(args.scenario, json.lineOf, base, baseDir, plan);
    checkOutFolder('--out', out);
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
      runner,
      ...(pool === undefined ? {} : { pool }),
      cost: (run) => costs.get(run.index) ?? 0,
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
    const { rows, missing, invalid } = writeSweepCsv(out, plan);
    for (const why of invalid) log(`sweep: incomplete run: ${why}\n`);
    log(
      `sweep: ${ran} run(s) executed, ${skipped} skipped (already complete); ${rows}/${plan.runs.length} in ${join(out, 'sweep.csv')}${missing.length > 0 && shard !== null ? ` (other shards: pinelab merge)` : ''}\n`,
    );
  } finally {
    await pool?.close();
  }
}

/**
 * checkLoadedScenario's topology cache (by its own key), which also remembers the topology it
 * stored last (it stores the grid point's topology on a hit too): the run's size for its cost.
 */
class TopologyCache extends Map<string, Topology> {
  private last: Topology | null = null;
  override set(key: string, topo: Topology): this {
    this.last = topo;
    return super.set(key, topo);
  }
  takeLast(): Topology | null {
    const t = this.last;
    this.last = null;
    return t;
  }
}

/**
 * Validate every grid point before starting anything (bad values fail now, exit 2): the JSON, and
 * what `scenario check` checks (topology, names, links, router options), so a bad topology in the
 * third point fails before the first two run, not minutes into the sweep; then the variant
 * modules (missing file, syntax error, bad shape). Returns each run's rough cost by its index,
 * virtual duration × nodes, so the costliest start first.
 */
async function validateGrid(
  file: string,
  lineOf: LocatedJson['lineOf'],
  base: Record<string, unknown>,
  baseDir: string,
  plan: SweepPlan,
): Promise<Map<number, number>> {
  const variants = new Set<string>();
  const topologies = new TopologyCache();
  const costs = new Map<number, number>();
  for (const run of plan.runs) {
    const sc = validateScenario(
      runScenarioJson(base, run),
      new Checker(`${file} [${run.id}]`, lineOf),
      baseDir,
    );
    try {
      checkLoadedScenario(sc, topologies);
    } catch (error) {
      if (error instanceof InputError) throw new InputError(`run ${run.id}: ${error.message}`);
      throw error;
    }
    if (sc.variant !== undefined) variants.add(sc.variant);
    costs.set(run.index, sc.duration * Math.max(1, topologies.takeLast()?.graph.order ?? 1));
  }
  for (const v of variants) await loadVariant(v, 'variant');
  return costs;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <scenario>',
  describe:
    'run a scenario over a parameter grid × repetitions on all cores; resumable (runs with a summary.json are skipped) and shardable across machines; writes one results folder per run and a tidy sweep.csv',
  builder: (y) =>
    y
      .positional('scenario', {
        type: 'string',
        demandOption: true,
        describe: 'scenario JSON file (format: scenarios/README.md); the grid varies its fields',
      })
      .option('param', {
        type: 'string',
        array: true,
        describe:
          'grid axis NAME=V1,V2,…, repeatable (the grid is the product of all axes). NAME: seed, duration (30s), topology, latency/jitter (5ms), bandwidth (bit/s, 10M), loss (0.01), a router option (hybrid=on,off, maxPorts=8,253), variant (module paths relative to the cwd: variant=a.ts,b.ts) or a dotted path into the scenario JSON (measure.interval=100ms)',
      })
      .option('reps', {
        type: 'number',
        default: 1,
        describe:
          'repetitions per grid point; repetition k > 0 uses seed "<seed>/k" (new keys, start times, jitter, loss)',
      })
      .option('workers', {
        type: 'number',
        default: 0,
        describe: 'worker threads running runs in parallel (0 = one per available core)',
      })
      .option('shard', {
        type: 'string',
        describe:
          'run only shard K of N (K/N, 1-based; runs are dealt round-robin) for job arrays; join the outputs with pinelab merge',
      })
      .option('out', {
        type: 'string',
        describe:
          'output folder: one sub-folder per run (<param>-<value>_…_rep-<k>), sweep.json and sweep.csv (default runs/sweep-<scenario file name>)',
      })
      .option('variant', {
        type: 'string',
        describe:
          'variant module (examples/variants/*.ts, router/variant.ts) for every run; or sweep several with --param variant=a.ts,b.ts',
      })
      .option('runner', { type: 'string', hidden: true, describe: 'module with runOne() (tests)' })
      .example(
        '$0 sweep scenarios/examples/churn.json --param hybrid=on,off --param latency=1ms,20ms --reps 5',
        '2 × 2 grid, 5 seeds each: 20 runs on all cores',
      )
      .example(
        '$0 sweep scenarios/examples/partition.json --param latency=1ms,5ms,20ms --reps 4 --shard 2/4 --out /scratch/sweep',
        'the second quarter of the grid (e.g. a Slurm array task); then pinelab merge',
      )
      .example(
        '$0 sweep scenarios/examples/churn.json --param seed=1,2,3 --workers 2',
        'rerun: finished runs are skipped, the rest use 2 threads',
      )
      .epilog(
        'Times are virtual. Every run is a pure function of (scenario, parameters, repetition): results do not depend on --workers or --shard. Exit codes: 0 done, 2 bad input (every grid point is validated before anything runs).',
      ) as never,
  handler: async (args) => {
    await runSweep(args, `pinelab ${process.argv.slice(2).join(' ')}`, (s) =>
      process.stdout.write(s),
    );
  },
};
