/**
 * cli/scenario.ts — `pinelab scenario run <file> [--out DIR] [--json]` and
 * `pinelab scenario check <file>`. A file with an `EventSequence` is a pineconesim sequence and is
 * imported (scenarios/pineconesim.ts); anything else is a pinelab scenario (scenarios/README.md).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { formatDuration } from '../scenarios/duration.ts';
import { executeScenario, type ScenarioSummary } from '../scenarios/execute.ts';
import { checkNames, loadScenario } from '../scenarios/load.ts';
import { importPineconesim } from '../scenarios/pineconesim.ts';
import type { Scenario } from '../scenarios/types.ts';
import { EMPTY_TOPOLOGY } from '../scenarios/types.ts';
import { InputError } from '../sim/errors.ts';
import { resolveTopology } from '../topologies/index.ts';

/** Load either format. */
export function readAnyScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read scenario (${(error as Error).message})`);
  }
  if (/^\s*\{\s*"EventSequence"/.test(text)) return importPineconesim(text, file);
  return loadScenario(file);
}

/** Full pre-run validation: the file, the topology, and every node name the actions use. */
export function checkScenario(file: string): Scenario {
  const sc = readAnyScenario(file);
  if (sc.topology !== EMPTY_TOPOLOGY) {
    const topo = resolveTopology(sc.topology, {
      seed: sc.seed,
      ...(sc.topologyFormat === null ? {} : { format: sc.topologyFormat }),
    });
    checkNames(sc, topo.graph.nodes());
  } else checkNames(sc, []);
  return sc;
}

export function formatSummary(s: ScenarioSummary, out: string | undefined): string {
  const lines = [
    `scenario ${s.scenario}: ${s.nodes} nodes, ${s.links} links at the end, ${s.virtualSeconds}s virtual in ${s.wallSeconds}s wall, ${s.events} events`,
    `root ${s.root ?? '–'}; tree converged at ${s.treeConvergedAt ?? 'never'} s, snake at ${s.snakeConvergedAt ?? 'never'} s; ${s.convergence.changes} topology changes (tree mean ${s.convergence.treeMean ?? '–'} s, snake mean ${s.convergence.snakeMean ?? '–'} s, ${s.convergence.unconverged} unconverged)`,
  ];
  for (const [mode, st] of Object.entries(s.stretch ?? {}))
    if (st) {
      const d = s.delivery?.[mode as keyof typeof s.delivery];
      lines.push(
        `stretch ${mode.padEnd(6)} mean ${st.mean} p95 ${st.p95} max ${st.max} shortest ${st.shortestShare} over ${st.pairs} pairs${st.sampled ? ' (sample)' : ''}; delivered ${d?.delivered ?? 0}/${d?.sent ?? 0}`,
      );
    }
  for (const [mode, d] of Object.entries(s.traffic ?? {}))
    lines.push(
      `traffic ${mode}: delivered ${d.delivered}/${d.sent}, misdelivered ${d.misdelivered}, dropped ${JSON.stringify(d.dropped)}, lost ${d.lost}`,
    );
  lines.push(`frames ${JSON.stringify(s.framesByType)}; trace ${s.traceHash}`);
  for (const w of s.warnings) lines.push(`note: ${w}`);
  if (out !== undefined) lines.push(`results in ${out}`);
  return `${lines.join('\n')}\n`;
}

interface RunArgs {
  file: string;
  out?: string;
  json: boolean;
}

export const scenarioCommand: CommandModule = {
  command: 'scenario <action>',
  describe: 'run or check a scenario file (pinelab JSON or a pineconesim EventSequence)',
  builder: (y) =>
    y
      .command<RunArgs>({
        command: 'run <file>',
        describe: 'run a scenario and write its results folder',
        builder: (z) =>
          z
            .positional('file', { type: 'string', demandOption: true })
            .option('out', {
              type: 'string',
              describe: 'results folder (default results/<scenario name>)',
            })
            .option('json', {
              type: 'boolean',
              default: false,
              describe: 'print summary.json to stdout',
            }) as never,
        handler: async (args) => {
          const sc = checkScenario(args.file);
          const out =
            args.out ??
            `results/${sc.name === 'scenario' ? basename(args.file).replace(/\.json$/, '') : sc.name}`;
          const { summary } = executeScenario(sc, {
            out,
            command: `pinelab ${process.argv.slice(2).join(' ')}`,
          });
          process.stdout.write(
            args.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary, out),
          );
        },
      })
      .command<{ file: string }>({
        command: 'check <file>',
        describe: 'validate a scenario (file, topology, node names) without running it',
        builder: (z) => z.positional('file', { type: 'string', demandOption: true }) as never,
        handler: async (args) => {
          const sc = checkScenario(args.file);
          const counts = new Map<string, number>();
          for (const a of sc.actions) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
          process.stdout.write(
            `${args.file}: ok — topology ${sc.topology}, seed ${sc.seed}, duration ${formatDuration(sc.duration)}, ${sc.actions.length} actions (${[...counts].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})\n`,
          );
          for (const w of sc.warnings) process.stdout.write(`note: ${w}\n`);
        },
      })
      .demandCommand(1, 'Name an action: run or check.') as never,
  handler: () => {},
};
