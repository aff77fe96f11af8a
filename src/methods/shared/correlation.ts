/**
 * Kept only so that `cli/commands/recipes.ts` (owned by the CLI rework) still builds: correlation lives in
 * `analysis/correlations.ts`. Delete this file once that import points there.
 */
export { pearson, spearman } from '../../analysis/correlations.js';
