/** cli/topo.ts — `pinelab topo` (placeholder until its owner lands it). */
import type { CommandModule } from 'yargs';

export const topoCommand: CommandModule = {
  command: 'topo',
  describe: 'not yet implemented',
  handler: () => {
    throw new Error('pinelab topo is not implemented yet');
  },
};
