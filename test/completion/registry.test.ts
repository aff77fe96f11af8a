import { createCompletionMethod, OPT_IN_METHODS } from '../../src/completion/registry.js';
import { parseMethodList } from '../../src/cli/flags.js';

describe('the completion registry', () => {
  test("soft-impute and ensemble are registered but opt-in: evaluate's default list is unchanged", () => {
    expect(createCompletionMethod('soft-impute').name).toBe('soft-impute');
    expect(createCompletionMethod('ensemble').name).toBe('ensemble');
    expect(parseMethodList(undefined)).toEqual([
      'additive',
      'knn',
      'knn-baseline',
      'svd',
      'lgmf',
      'lgmf-additive',
      'additive-ls',
      'lowrank',
    ]);
    expect(OPT_IN_METHODS).toEqual(['soft-impute', 'ensemble']);
  });
});
