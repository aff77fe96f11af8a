import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope lora` — placeholder until its issue lands; it says so instead of doing nothing. */
export const loraCommand: CommandModule = {
  register(program) {
    program
      .command('lora')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'lora is not available in this build yet');
      });
  },
};
