import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope subspace` — placeholder until its issue lands; it says so instead of doing nothing. */
export const subspaceCommand: CommandModule = {
  register(program) {
    program
      .command('subspace')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'subspace is not available in this build yet');
      });
  },
};
