import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope demo` — placeholder until its issue lands; it says so instead of doing nothing. */
export const demoCommand: CommandModule = {
  register(program) {
    program
      .command('demo')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'demo is not available in this build yet');
      });
  },
};
