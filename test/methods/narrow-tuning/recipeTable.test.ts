import { parseRecipeTable } from '../../../src/methods/narrow-tuning/recipeTable.js';

describe('parseRecipeTable', () => {
  test('recipe table parser: delta or nll columns, errors with file:line:column', () => {
    const t = parseRecipeTable('task,recipe,example,delta\nt1,a,e1,0.5\nt1,b,e1,0.1\nt2,a,e2,"0.25"\n', {
      file: 'r.csv',
    });
    expect([...t.recipes.keys()]).toEqual(['a', 'b']);
    expect(t.recipes.get('a')!.shape).toEqual([2, 2]);
    expect(t.recipes.get('a')!.observedCount).toBe(2);
    expect(t.report).toEqual({ rows: 3, kept: 3, dropped: {} });
    expect(() =>
      parseRecipeTable('task,recipe,example,nll_before,nll_after\nt1,a,e1,1,x\n', { file: 'r.csv' }),
    ).toThrow('r.csv:2:5: "x" in column "nll_after" is not a finite number');
    expect(() => parseRecipeTable('task,example,delta\nt1,e1,1\n', { file: 'r.csv' })).toThrow(
      /r\.csv:1:1: missing column "recipe"/,
    );
    expect(() => parseRecipeTable('task,recipe,example,delta\nt1,a,e1,1\nt1,a,e1,2\n', { file: 'r.csv' })).toThrow(
      /r\.csv:3:3: repeated cell/,
    );
    expect(parseRecipeTable('task,example,delta\nt1,e1,1\n', { defaultRecipe: 'full' }).recipes.has('full')).toBe(true);
  });
});
