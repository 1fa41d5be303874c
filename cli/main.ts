/**
 * cli/main.ts — the `pinelab` command line (yargs). Each subcommand lives in its own module under
 * cli/ and exports a yargs CommandModule; this file only assembles them.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../sim/errors.ts';
import { frameCommand } from './frame.ts';
import { runCommand } from './run.ts';
import { topoCommand } from './topo.ts';

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

await yargs(hideBin(process.argv))
  .scriptName('pinelab')
  .usage(
    'pinelab — deterministic simulator and research harness for Pinecone/SNEK routing\n\nUsage: $0 <command> [options]',
  )
  .command(runCommand)
  .command(topoCommand)
  .command(frameCommand)
  .demandCommand(1, 'Name a command: pinelab --help lists them.')
  .strict()
  .recommendCommands()
  .example('$0 run --topology ring:50 --until converged', 'simulate a 50-node ring until converged')
  .example('$0 topo stats ../shared/topologies/fc00.txt', 'nodes, links, degrees, diameter')
  .example('$0 frame decode 70696e6500000000000a', 'decode a frame from hex')
  .wrap(Math.min(110, process.stdout.columns ?? 100))
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
