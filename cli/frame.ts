/** cli/frame.ts — `pinelab frame` (placeholder until its owner lands it). */
import type { CommandModule } from 'yargs';

export const frameCommand: CommandModule = {
  command: 'frame',
  describe: 'not yet implemented',
  handler: () => {
    throw new Error('pinelab frame is not implemented yet');
  },
};
