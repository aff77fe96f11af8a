import type { CommandModule } from './types.js';
import { ForgetscopeError } from '../../util/errors.js';

/** `forgetscope recipes` — placeholder until its issue lands; it says so instead of doing nothing. */
export const recipesCommand: CommandModule = {
  register(program) {
    program
      .command('recipes')
      .description('(not available yet)')
      .allowUnknownOption()
      .action(() => {
        throw new ForgetscopeError('internal', 'recipes is not available in this build yet');
      });
  },
};
