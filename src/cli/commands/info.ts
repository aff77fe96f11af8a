import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope info` — placeholder until its issue lands; it says so instead of doing nothing. */
export const infoCommand: CommandModule = {
  register(program) {
    program
      .command('info')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'info is not available in this build yet');
      });
  },
};
