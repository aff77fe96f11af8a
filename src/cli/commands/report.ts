import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope report` — placeholder until its issue lands; it says so instead of doing nothing. */
export const reportCommand: CommandModule = {
  register(program) {
    program
      .command('report')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'report is not available in this build yet');
      });
  },
};
