import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope fisher` — placeholder until its issue lands; it says so instead of doing nothing. */
export const fisherCommand: CommandModule = {
  register(program) {
    program
      .command('fisher')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'fisher is not available in this build yet');
      });
  },
};
