/**
 * cli/main.ts — the `pinelab` command line (yargs). Each subcommand lives in its own module under
 * cli/ and exports a yargs CommandModule; this file only assembles them.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../base/index.ts';
import { joinNegativeValues, repeatedFlag } from './args.ts';
import { compareCommand } from './compare.ts';
import { emulateCommand } from './emulate.ts';
import { frameCommand } from './frame.ts';
import { mergeCommand } from './merge.ts';
import { nodeCommand } from './node.ts';
import { pingCommand } from './ping.ts';
import { reportCommand } from './report.ts';
import { runCommand } from './run.ts';
import { scenarioCommand } from './scenario.ts';
import { summarizeCommand } from './summarize.ts';
import { sweepCommand } from './sweep.ts';
import { topoCommand } from './topo.ts';
import { viewCommand } from './view.ts';

/** Bad input → its message and exit code; anything else is a bug and says so. */
function reportError(error: unknown): never {
  if (error instanceof InputError) {
    process.stderr.write(`pinelab: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`pinelab: internal error (a bug, please report it):\n${detail}\n`);
  process.exit(70);
}

/** Closed stdout (`pinelab topo stats big.txt | head -1`): stop quietly, as cat and ls do. */
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  reportError(error);
});

await yargs(joinNegativeValues(hideBin(process.argv)))
  .scriptName('pinelab')
  .usage(
    'pinelab — deterministic simulator and research harness for Pinecone/SNEK routing\n\nUsage: $0 <command> [options]',
  )
  .command(runCommand)
  .command(scenarioCommand)
  .command(sweepCommand)
  .command(compareCommand)
  .command(summarizeCommand)
  .command(mergeCommand)
  .command(topoCommand)
  .command(frameCommand)
  .command(viewCommand)
  .command(reportCommand)
  .command(nodeCommand)
  .command(pingCommand)
  .command(emulateCommand)
  .demandCommand(1, 'Name a command: pinelab --help lists them.')
  .strict()
  .check((argv, options: { array?: string[] }) => {
    const repeated = repeatedFlag(argv, options.array ?? []);
    if (repeated !== null) throw new InputError(repeated);
    return true;
  })
  .recommendCommands()
  .example('$0 run --topology ring:50 --until converged', 'simulate a 50-node ring until converged')
  .example('$0 topo stats ../shared/topologies/fc00.txt', 'nodes, links, degrees, diameter')
  .example(
    '$0 scenario run scenarios/examples/partition.json --out runs',
    'run a scripted experiment',
  )
  .example(
    '$0 sweep scenarios/examples/churn.json --param hybrid=on,off --reps 3',
    'a parameter grid on all cores',
  )
  .example(
    '$0 compare runs/a runs/b --fail-if "stretch.hybrid.mean>+2%"',
    'fail CI on a regression',
  )
  .example('$0 view runs/demo-s1-0a1b2c3d', 'open the D3 viewer on a run')
  .example('$0 frame decode 70696e6500000000000a', 'decode a frame from hex')
  .wrap(Math.min(130, process.stdout.columns ?? 130))
  .help()
  .fail((message, error) => {
    // Handler errors land here when thrown synchronously, and in .catch below when async.
    if (error) reportError(error);
    // Usage mistakes (unknown flag, missing argument): say what is wrong and how to get help.
    process.stderr.write(`pinelab: ${message}\nRun with --help for usage.\n`);
    process.exit(2);
  })
  .parseAsync()
  .catch(reportError);
