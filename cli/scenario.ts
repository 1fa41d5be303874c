/**
 * cli/scenario.ts — `pinelab scenario run <file> [--out DIR] [--json] [--events] [--report]` and
 * `pinelab scenario check <file>`. Results go where `pinelab run` puts them: DIR/<run-id>/ with
 * run id `<scenario-name>-s<seed>-<hash8>` (run/execute.ts). A file with an `EventSequence` is a pineconesim sequence and is
 * imported (scenarios/pineconesim.ts); anything else is a pinelab scenario (scenarios/README.md).
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { markDataInterrupted, writeRunResults } from '../results/run-results.ts';
import { writeFileAtomic, writeJsonAtomic } from '../results/write.ts';
import { resolveRouterOptions } from '../router/options.ts';
import { Execution, type ScenarioSummary } from '../run/execute.ts';
import { routerOptionsOf } from '../run/run-setup.ts';
import { checkLinks, checkNames } from '../scenarios/check-names.ts';
import { formatDuration } from '../scenarios/duration.ts';
import { loadRunKeys, runNodeNames } from '../scenarios/keys.ts';
import { loadScenario, readScenarioText } from '../scenarios/load.ts';
import { importPineconesim } from '../scenarios/pineconesim.ts';
import type { Scenario } from '../scenarios/types.ts';
import { EMPTY_TOPOLOGY } from '../scenarios/types.ts';
import { loadVariant } from '../scenarios/variant-load.ts';
import { DEFAULT_LINK_PROPS, resolveLinkProps, TRANSPORTS, type Transport } from '../sim/link.ts';
import { REPEER_MODES, type Repeer } from '../sim/peering.ts';
import { parseProcessing } from '../sim/processing.ts';
import { resolveTopology, type Topology } from '../topologies/index.ts';
import { episodeLines, warningLines } from './episode-lines.ts';
import { checkOutFolder } from './preflight.ts';
import { buildReport } from './report.ts';
import { nextSteps, parseSnapshotsArg } from './run.ts';
import { INTERRUPTED_EXIT, StopRequest } from './stop.ts';

/** Load either format. */
export function readAnyScenario(file: string): Scenario {
  const text = readScenarioText(file);
  if (/^\s*\{\s*"EventSequence"/.test(text)) return importPineconesim(text, file);
  return loadScenario(file);
}

/**
 * Full pre-run validation: the file, the topology, every node name the actions use, and that
 * every link a link action names can exist (a topology link or one an action adds).
 */
export function checkScenario(file: string): Scenario {
  return checkLoadedScenario(readAnyScenario(file));
}

/**
 * checkScenario on a loaded scenario (a sweep's grid point). `topologies` caches resolved
 * topologies by source, format and seed across calls (a sweep's points share them).
 */
export function checkLoadedScenario(
  sc: Scenario,
  topologies: Map<string, Topology> = new Map(),
): Scenario {
  let nodes: string[] = [];
  if (sc.topology !== EMPTY_TOPOLOGY) {
    const cacheKey = JSON.stringify([sc.topology, sc.topologyFormat, sc.seed]);
    const topo =
      topologies.get(cacheKey) ??
      resolveTopology(sc.topology, {
        seed: sc.seed,
        ...(sc.topologyFormat === null ? {} : { format: sc.topologyFormat }),
      });
    topologies.set(cacheKey, topo);
    nodes = topo.graph.nodes();
    checkNames(sc, nodes);
    const edges: [string, string][] = [];
    topo.graph.forEachEdge((_edge, _attrs, source, target) => {
      edges.push([source, target]);
    });
    checkLinks(sc, edges);
  } else {
    checkNames(sc, []);
    checkLinks(sc, []);
  }
  // What the executor refuses when it builds the run (run/execute.ts): router option values
  // (maxPorts 0, a bad duration) and link defaults are refused here too, before anything runs.
  resolveRouterOptions(routerOptionsOf(sc), `${sc.source}: router`);
  resolveLinkProps(DEFAULT_LINK_PROPS, sc.links, `${sc.source}: links`);
  // The scenario's keys file: names, seeds (scenarios/keys.ts); --keys is checked by the run.
  if (sc.keys !== undefined) loadRunKeys(sc.keys, runNodeNames(sc, nodes));
  return sc;
}

/**
 * checkScenario plus what needs loading: the variant module (a missing file, a bad shape) with
 * its options under the scenario's, as the run resolves them.
 */
export async function checkScenarioForRun(file: string, variantFlag?: string): Promise<Scenario> {
  const sc = checkScenario(file);
  const path = variantFlag ?? sc.variant;
  if (path !== undefined) {
    const v = await loadVariant(path, variantFlag === undefined ? 'variant' : '--variant');
    resolveRouterOptions({ ...v.variant.options, ...routerOptionsOf(sc) }, `${sc.source}: router`);
  }
  return sc;
}

/** Figures as people read them: at most 3 decimals (1.2345678 → 1.235). */
const num = (x: number): string => String(Math.round(x * 1000) / 1000);
const secs = (t: number | null): string => (t === null ? '–' : `${num(t)} s`);
/** "converged at 1.7 s", or "not converged" (it printed "never s"). */
const convergedAt = (t: number | null): string =>
  t === null ? 'not converged' : `converged at ${num(t)} s`;

export function formatSummary(s: ScenarioSummary, out: string | undefined): string {
  const lines = [
    `scenario ${s.scenario}: ${s.nodes} nodes, ${s.links} links at the end, ${num(s.virtualSeconds)} s virtual in ${s.wallSeconds.toFixed(2)} s wall, ${s.events} events`,
    `root ${s.root ?? '–'}; tree ${convergedAt(s.treeConvergedAt)}, snake ${convergedAt(s.snakeConvergedAt)}; ${s.convergence.changes} topology changes (tree mean ${secs(s.convergence.treeMean)}, snake mean ${secs(s.convergence.snakeMean)}, ${s.convergence.unconverged} unconverged)`,
    ...episodeLines(s),
  ];
  for (const [mode, st] of Object.entries(s.stretch ?? {}))
    if (st) {
      const d = s.delivery?.[mode as keyof typeof s.delivery];
      // No pair measured: a mean of 0 would read as a result.
      const figures =
        st.pairs === 0
          ? 'no pair measured'
          : `mean ${num(st.mean)} p95 ${num(st.p95)} max ${num(st.max)} shortest ${num(st.shortestShare)} over ${st.pairs} pairs${st.sampled ? ' (sample)' : ''}`;
      lines.push(
        `stretch ${mode.padEnd(6)} ${figures}; delivered ${d?.delivered ?? 0}/${d?.sent ?? 0}`,
      );
      // The conversations' first packets: through the source's cache as the measurement found it.
      const first = mode === 'hybrid' ? s.hybridFirst : undefined;
      if (first !== undefined && first.pairs > 0)
        lines.push(
          `  1st packet    mean ${first.mean} p95 ${first.p95} max ${first.max} (SNEK unless the source had the destination cached)`,
        );
    }
  for (const [mode, d] of Object.entries(s.traffic ?? {}))
    lines.push(
      `traffic ${mode}: delivered ${d.delivered}/${d.sent}, misdelivered ${d.misdelivered}, dropped ${JSON.stringify(d.dropped)}, lost ${d.lost}`,
    );
  const frames = Object.entries(s.framesByType).map(([type, n]) => `${type} ${n}`);
  lines.push(`frames ${frames.join(', ')}; trace ${s.traceHash}`);
  for (const w of s.warnings) lines.push(`note: ${w}`);
  if (out !== undefined) lines.push(`results in ${out}`);
  return `${lines.join('\n')}\n`;
}

interface RunArgs {
  file: string;
  /** Results parent folder; false (--no-out) writes nothing. */
  out: string | false;
  json: boolean;
  events: boolean;
  report: boolean;
  /** Dense snapshots for the viewer's timeline, every:<duration>. */
  snapshots?: string;
  /** Override the scenario's `transport` / `repeer` (sim/peering.ts). */
  transport?: Transport;
  repeer?: Repeer;
  /** Override the scenario's `processing` (sim/processing.ts). */
  processing?: string;
  /** Override the scenario's `variant` (router/variant.ts), relative to the cwd. */
  variant?: string;
}

/**
 * Run a checked scenario like `pinelab run` runs a topology: results in
 * `<out>/<scenario-name>-s<seed>-<hash8>/` (the executor's run id), optional events.jsonl and
 * report.html. An unnamed scenario is named after its file. Returns the folder (null: --no-out).
 */
export async function runScenarioCommand(
  file: string,
  options: {
    out: string | false;
    events: boolean;
    report: boolean;
    command: string;
    snapshots?: string | undefined;
    transport?: Transport | undefined;
    repeer?: Repeer | undefined;
    processing?: string | undefined;
    variant?: string | undefined;
  },
): Promise<{ summary: ScenarioSummary; dir: string | null; stopped: NodeJS.Signals | null }> {
  // Output folder first: a bad one is exit 2 now, not an internal error after the run.
  if (options.out !== false && options.out !== '') checkOutFolder('--out', options.out);
  const checked = checkScenario(file);
  const named =
    checked.name === 'scenario'
      ? { ...checked, name: basename(file).replace(/\.json$/i, '') }
      : checked;
  const sc: Scenario = {
    ...named,
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    ...(options.repeer === undefined ? {} : { repeer: options.repeer }),
    ...(options.processing === undefined
      ? {}
      : { processing: parseProcessing(options.processing, '--processing') }),
    ...(options.variant === undefined ? {} : { variant: options.variant }),
  };
  const variant =
    sc.variant === undefined
      ? undefined
      : await loadVariant(sc.variant, options.variant === undefined ? 'variant' : '--variant');
  // Ctrl-C, SIGTERM and SIGHUP stop the run at the next chunk and write what is complete, as in
  // pinelab run (cli/stop.ts); one after the run's end marks the complete results interrupted.
  const stop = new StopRequest();
  try {
    const execution = new Execution(sc, {
      command: options.command,
      events: options.events,
      ...(options.snapshots === undefined
        ? {}
        : { snapshotEvery: parseSnapshotsArg(options.snapshots) }),
      ...(variant === undefined ? {} : { variant }),
    });
    while (!stop.requested && !execution.advance(200_000)) await stop.settle();
    if (stop.requested) execution.interrupted = true;
    const result = execution.finish();
    let data = result.data;
    const mark = (): void => {
      data = markDataInterrupted(data);
    };
    if ((await stop.settle()) && !result.interrupted) mark();
    const dir =
      options.out === false || options.out === '' ? null : join(options.out, result.runId);
    if (dir !== null) {
      writeRunResults(dir, data);
      // An earlier report.html of the same run id is rewritten, not left stale.
      if (!stop.requested && (options.report || existsSync(join(dir, 'report.html')))) {
        const html = await buildReport(dir);
        if (!(await stop.settle())) writeFileAtomic(join(dir, 'report.html'), html);
      }
    }
    if ((await stop.settle()) && data.summary.interrupted !== true) {
      mark();
      if (dir !== null) {
        writeJsonAtomic(join(dir, 'manifest.json'), data.manifest);
        writeJsonAtomic(join(dir, 'summary.json'), data.summary);
      }
    }
    return {
      summary: data.summary as ScenarioSummary,
      dir,
      stopped: stop.signal,
    };
  } finally {
    stop.dispose();
  }
}

export const scenarioCommand: CommandModule = {
  command: 'scenario <action>',
  describe: 'run or check a scenario file (pinelab JSON or a pineconesim EventSequence)',
  builder: (y) =>
    y
      .command<RunArgs>({
        command: 'run <file>',
        describe:
          'run a scripted experiment (topology, link defaults, router options, timed actions, measurements) and write its results folder, like pinelab run',
        builder: (z) =>
          z
            .positional('file', {
              type: 'string',
              demandOption: true,
              describe:
                'scenario JSON (format: scenarios/README.md) or a pineconesim EventSequence JSON',
            })
            .option('out', {
              type: 'string',
              default: 'runs',
              describe:
                'write the results folder DIR/<scenario-name>-s<seed>-<hash8>/ (--no-out: none); an unnamed scenario is named after its file',
            })
            .option('json', {
              type: 'boolean',
              default: false,
              describe: 'print the summary (summary.json plus scenario figures) as JSON',
            })
            .option('events', {
              type: 'boolean',
              default: false,
              describe: 'also write events.jsonl: every frame sent/received, state changes, probes',
            })
            .option('snapshots', {
              type: 'string',
              describe:
                'dense snapshots for the viewer timeline: every:1s writes the whole network state each virtual second to snapshots.json',
            })
            .option('transport', {
              choices: TRANSPORTS,
              describe:
                "what link loss means, over the scenario's `transport`: stream (default: TCP, lost segments are retransmitted) or datagram (lost frames are gone)",
            })
            .option('repeer', {
              choices: REPEER_MODES,
              describe:
                "how dropped links come back, over the scenario's `repeer`: static (default: re-dialled every 5 s with backoff), discovery (LAN beacons every 2 s) or none",
            })
            .option('report', {
              type: 'boolean',
              default: false,
              describe:
                'also write <results>/report.html: the viewer and the data in one offline file',
            })
            .option('processing', {
              type: 'string',
              describe:
                "per-node CPU model, over the scenario's `processing`: off (default), server or phone (frames and ed25519 signatures take time, first come first served)",
            })
            .option('variant', {
              type: 'string',
              describe:
                "variant module over the scenario's `variant`: decisions and §8 timers replaced (router/variant.ts, examples/variants/)",
            })
            .example(
              '$0 scenario run scenarios/examples/partition.json',
              'runs/partition-s1-<hash8>/ with convergence after each change',
            )
            .example(
              '$0 scenario run scenarios/examples/churn.json --report --out /tmp/runs',
              'results and an offline HTML report under /tmp/runs',
            )
            .example(
              '$0 scenario run scenarios/examples/adversary.json --json --no-out',
              'print the summary only',
            )
            .epilog(
              'Times in a scenario are virtual. Exit codes: 0 done, 2 bad input (file, line and what was expected), 130 interrupted (Ctrl-C, SIGTERM, SIGHUP: what is complete is written, marked interrupted).',
            ) as never,
        handler: async (args) => {
          const command = ['pinelab', ...process.argv.slice(2)].join(' ');
          const { summary, dir, stopped } = await runScenarioCommand(args.file, {
            out: args.out,
            events: args.events,
            report: args.report,
            command,
            snapshots: args.snapshots,
            transport: args.transport,
            repeer: args.repeer,
            processing: args.processing,
            variant: args.variant,
          });
          if (args.json) {
            process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
            // The human summary prints warnings as notes; with --json they go to stderr too.
            for (const line of warningLines(summary)) process.stderr.write(`${line}\n`);
          } else {
            process.stdout.write(formatSummary(summary, dir ?? undefined));
            if (dir !== null) process.stdout.write(nextSteps(dir, args.report));
          }
          if (stopped !== null) {
            process.stderr.write(
              `pinelab: interrupted (${stopped}) at virtual ${summary.virtualSeconds} s; what was complete is written${dir === null ? '' : ` to ${dir}`}, marked interrupted in the manifest and summary.\n`,
            );
            process.exitCode = INTERRUPTED_EXIT;
          }
        },
      })
      .command<{ file: string }>({
        command: 'check <file>',
        describe:
          'validate a scenario (file, topology, node names) without running it; prints what it would do',
        builder: (z) =>
          z
            .positional('file', {
              type: 'string',
              demandOption: true,
              describe: 'scenario JSON or pineconesim EventSequence JSON',
            })
            .example(
              '$0 scenario check scenarios/examples/churn.json',
              'topology, duration, actions',
            )
            .example(
              '$0 scenario check my-experiment.json && $0 scenario run my-experiment.json',
              'fail fast (exit 2) before a long run',
            ) as never,
        handler: async (args) => {
          const sc = await checkScenarioForRun(args.file);
          const counts = new Map<string, number>();
          for (const a of sc.actions) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
          process.stdout.write(
            `${args.file}: ok — topology ${sc.topology}, seed ${sc.seed}, duration ${formatDuration(sc.duration)}, ${sc.actions.length} actions (${[...counts].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})\n`,
          );
          for (const w of sc.warnings) process.stdout.write(`note: ${w}\n`);
        },
      })
      .demandCommand(1, 'Name an action: run or check.')
      .example('$0 scenario run scenarios/examples/partition.json', 'run and write runs/<run-id>/')
      .example(
        '$0 scenario check scenarios/examples/churn.json',
        'validate without running',
      ) as never,
  handler: () => {},
};
