import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope evaluate` — placeholder until its issue lands; it says so instead of doing nothing. */
export const evaluateCommand: CommandModule = {
  register(program) {
    program
      .command('evaluate')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'evaluate is not available in this build yet');
      });
  },
};
