import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope analyze` — placeholder until its issue lands; it says so instead of doing nothing. */
export const analyzeCommand: CommandModule = {
  register(program) {
    program
      .command('analyze')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'analyze is not available in this build yet');
      });
  },
};
