import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { ForgetscopeError } from '../../util/errors.js';
import { spearman } from '../../analysis/correlations.js';
import { itemAt } from '../../util/checked.js';

/** One recipe's summary: tasks with observed entries, mean Z, per-task means, fraction of entries above τ. */
export interface RecipeSummary {
  name: string;
  tasks: number;
  /** Mean of the observed entries of Z. */
  mean: number;
  /** Mean per task (row), NaN for a row with no observed entry. */
  rowMeans: Float64Array;
  /** Fraction of observed entries with Z > τ ("forgotten"). */
  fracAbove: number;
  /** Number of observed entries. */
  entries: number;
}

/** A pairwise comparison over the (task, example) cells both recipes observed. */
export interface RecipePair {
  a: string;
  b: string;
  /** mean(Z_a) − mean(Z_b) over the shared cells. */
  meanDiff: number;
  /** Spearman (tie-averaged ranks) of per-example forgetting over the shared cells. */
  spearman: number;
  /** Number of shared cells. */
  shared: number;
}

/** Options of `compareRecipes`. */
export interface CompareRecipesOptions {
  /** Threshold of "forgotten" (Z > τ, an NLL increase in nats). Default 0.3. */
  tau?: number;
}

/**
 * Compares fine-tuning recipes from one forgetting matrix per recipe (same upstream examples):
 * per recipe the mean forgetting and the fraction of entries above τ, and for every pair the mean
 * difference and Spearman correlation over the cells both observed, matched by task and example id.
 * @example compareRecipes({ full: zFull, saProj: zSa }).pairwise[0].meanDiff
 */
export function compareRecipes(
  recipes: Record<string, ForgettingMatrix>,
  options: CompareRecipesOptions = {},
): { perRecipe: RecipeSummary[]; pairwise: RecipePair[] } {
  const tau = options.tau ?? 0.3;
  const entries = Object.entries(recipes);
  if (entries.length === 0) throw new ForgetscopeError('empty', 'compareRecipes: no recipes given');
  const perRecipe: RecipeSummary[] = entries.map(([name, z]) => summarize(name, z, tau));
  const cells = entries.map(([name, z]) => ({ name, cells: cellMap(z) }));
  const pairwise: RecipePair[] = [];
  for (const [i, a] of cells.entries()) {
    for (const b of cells.slice(i + 1)) {
      const xa: number[] = [];
      const xb: number[] = [];
      for (const [key, va] of a.cells) {
        const vb = b.cells.get(key);
        if (vb !== undefined) {
          xa.push(va);
          xb.push(vb);
        }
      }
      let d = 0;
      xa.forEach((x, k) => {
        d += x - itemAt(xb, k);
      });
      pairwise.push({
        a: a.name,
        b: b.name,
        meanDiff: xa.length ? d / xa.length : NaN,
        spearman: spearman(xa, xb),
        shared: xa.length,
      });
    }
  }
  return { perRecipe, pairwise };
}

function summarize(name: string, z: ForgettingMatrix, tau: number): RecipeSummary {
  const rowMeans = new Float64Array(z.rows);
  let total = 0;
  let count = 0;
  let above = 0;
  let tasks = 0;
  for (let i = 0; i < z.rows; i++) {
    let s = 0;
    let c = 0;
    for (let j = 0; j < z.cols; j++) {
      if (!z.isObserved(i, j)) continue;
      const v = z.get(i, j);
      s += v;
      c++;
      if (v > tau) above++;
    }
    rowMeans[i] = c ? s / c : NaN;
    if (c) tasks++;
    total += s;
    count += c;
  }
  return {
    name,
    tasks,
    mean: count ? total / count : NaN,
    rowMeans,
    fracAbove: count ? above / count : NaN,
    entries: count,
  };
}

function cellMap(z: ForgettingMatrix): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < z.rows; i++) {
    for (let j = 0; j < z.cols; j++) {
      if (z.isObserved(i, j)) m.set(`${z.taskIds[i]}\u0000${z.exampleIds[j]}`, z.get(i, j));
    }
  }
  return m;
}
