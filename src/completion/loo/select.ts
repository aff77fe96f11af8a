// Numeric kernel: indexed reads carry `!` where the index is < length by the loop bounds (the arrays
// are sized from the same counts: rows, columns, components, side columns) or by the shapes checked on entry.
import type { LowrankVariant, TrainStats } from './basis.js';
import { foldKnown, gatherColumns, type Fold, type GatheredColumns } from './folds.js';
import {
  knownNormal,
  nestedSquaredErrors,
  nestedWorkspace,
  type AllNormal,
  type KnownNormal,
  type LowrankGrid,
  type LowrankHyper,
} from './ridge.js';
import { foldSideNormal, SIDE_ALPHAS, type SideStats } from './side.js';

/**
 * Leave-one-task-out model selection of the one ridge: for each fold (see `folds.ts`), the held-out
 * row measured at exactly the columns the new task has, and the pooled squared error over the
 * unmeasured columns of every cell of the grid (centring × rank × α, × α_s with side columns).
 */

/** Result of model selection: the best hyper-parameters and their leave-one-out RMSE. */
export interface LowrankSelection {
  hyper: LowrankHyper;
  looRmse: number;
}

/** Side columns in the search: the train rows' side statistics and the prior multipliers α_s searched. */
export interface SideSearch {
  stats: SideStats;
  alphas: readonly number[];
}

/**
 * The grid cell with the least pooled leave-one-task-out squared error over the unmeasured columns
 * (cells ordered centring, rank, α, α_s; ties within 1e-12 relative go to the earlier cell), with
 * its RMSE; null when no cell is feasible in every fold.
 */
function searchGrid(
  stats: TrainStats,
  folds: readonly Fold[],
  columns: Int32Array,
  grid: LowrankGrid,
  side?: SideSearch,
): { hyper: LowrankHyper; looRmse: number } | null {
  const n = stats.n;
  const { variants, ranks, alphas } = grid;
  const sideAlphas = side ? side.alphas : [0];
  const [nv, nk, na, ns] = [variants.length, ranks.length, alphas.length, sideAlphas.length];
  const sse = new Float64Array(nv * nk * na * ns);
  const feasible = new Uint8Array(sse.length).fill(1);
  let cells = 0;
  const block = gatherColumns(stats, columns);
  const work = nestedWorkspace();
  const errors = new Float64Array(nk);
  for (const fold of folds) {
    cells += n - columns.length;
    variants.forEach((variant, vi) => {
      const fv = fold.variants.get(variant)!;
      const ridge = {
        ...foldNormal(stats, fold, variant, columns, block, side?.stats),
        fv,
        n,
        intercept: variant === 'additive',
      };
      alphas.forEach((alpha, ai) => {
        sideAlphas.forEach((alphaSide, si) => {
          nestedSquaredErrors(ridge, ranks, { alpha, alphaSide }, work, errors);
          for (let ki = 0; ki < nk; ki++) {
            const cell = ((vi * nk + ki) * na + ai) * ns + si;
            if (!feasible[cell]) continue;
            const e = errors[ki]!;
            if (Number.isNaN(e)) feasible[cell] = 0;
            else sse[cell]! += e;
          }
        });
      });
    });
  }
  let best = -1;
  for (let cell = 0; cell < sse.length; cell++) {
    if (!feasible[cell]) continue;
    if (best < 0 || sse[cell]! < sse[best]! * (1 - 1e-12)) best = cell;
  }
  if (best < 0) return null;
  const si = best % ns;
  const ai = Math.floor(best / ns) % na;
  const ki = Math.floor(best / (ns * na)) % nk;
  const vi = Math.floor(best / (ns * na * nk));
  const hyper: LowrankHyper = { variant: variants[vi]!, k: ranks[ki]!, alpha: alphas[ai]! };
  if (side) hyper.side = sideAlphas[si]!;
  return { hyper, looRmse: Math.sqrt(Math.max(sse[best]!, 0) / Math.max(cells, 1)) };
}

/**
 * A fold's known normal equations at `columns` for one centring: on the components alone, or with
 * the side columns of `side` (then with their `AllNormal`).
 */
export function foldNormal(
  stats: TrainStats,
  fold: Fold,
  variant: LowrankVariant,
  columns: Int32Array,
  block?: GatheredColumns,
  side?: SideStats,
): { normal: KnownNormal; all?: AllNormal } {
  if (side) return foldSideNormal(stats, side, fold, variant, columns, block);
  const fv = fold.variants.get(variant)!;
  const { vk, cK } = foldKnown(stats, fold, fv, columns, block);
  return { normal: knownNormal(vk, cK, fv.basis.r) };
}

/**
 * Picks (variant, k, α) minimising the pooled leave-one-task-out RMSE over the unmeasured columns,
 * with every held-out train row measured at exactly `columns`. Deterministic; ties go to the
 * earlier variant, the smaller k, the smaller α. When no setting is feasible: rank 0, α = 1, RMSE NaN.
 */
export function selectHyper(
  stats: TrainStats,
  folds: readonly Fold[],
  columns: Int32Array,
  grid: LowrankGrid,
): LowrankSelection {
  return (
    searchGrid(stats, folds, columns, grid) ?? { hyper: { variant: grid.variants[0]!, k: 0, alpha: 1 }, looRmse: NaN }
  );
}

/**
 * Best setting with the side columns of `side` by leave-one-task-out (the same folds and cells as
 * `selectHyper`, × the side prior multipliers α_s; ties go to the smaller α_s); null when none is
 * feasible.
 */
export function selectSideHyper(
  stats: TrainStats,
  side: SideStats,
  folds: readonly Fold[],
  columns: Int32Array,
  grid: { variants: readonly LowrankVariant[]; ranks: readonly number[]; alphas: readonly number[] },
  sideAlphas: readonly number[] = SIDE_ALPHAS,
): { hyper: { variant: LowrankVariant; k: number; alpha: number; side: number }; looRmse: number } | null {
  const found = searchGrid(stats, folds, columns, grid, { stats: side, alphas: sideAlphas });
  return found && { hyper: { ...found.hyper, side: found.hyper.side! }, looRmse: found.looRmse };
}
