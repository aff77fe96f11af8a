import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope predict` — placeholder until its issue lands; it says so instead of doing nothing. */
export const predictCommand: CommandModule = {
  register(program) {
    program
      .command('predict')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'predict is not available in this build yet');
      });
  },
};
