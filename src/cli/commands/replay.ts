import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope replay` — placeholder until its issue lands; it says so instead of doing nothing. */
export const replayCommand: CommandModule = {
  register(program) {
    program
      .command('replay')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'replay is not available in this build yet');
      });
  },
};
