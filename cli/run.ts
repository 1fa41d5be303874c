/** cli/run.ts — `pinelab run` (placeholder until its owner lands it). */
import type { CommandModule } from 'yargs';

export const runCommand: CommandModule = {
  command: 'run',
  describe: 'not yet implemented',
  handler: () => {
    throw new Error('pinelab run is not implemented yet');
  },
};
