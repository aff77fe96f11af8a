/**
 * Shared pieces of the logistic MF methods (`lgmf`, `lgmf-additive`): the binarised stacked matrix
 * (train rows + the known entries of the test row; 1 where Z > 0) and the seeded Gaussian init.
 */
import type { KnownEntries } from '../types.js';
import type { TrainBlock } from './surpriseTrainset.js';
import { defaultRng } from '../protocol/generator.js';

/** Settings of the logistic MF gradient ascent. */
export interface LogisticSettings {
  iterations: number;
  learningRate: number;
  reg: number;
  initStd: number;
}

/**
 * The stacked (M + 1)×N targets and mask: train rows as observed, then the test row's known columns.
 * Built once per per-row fit (the known entries change every row).
 */
export function binaryTargets(block: TrainBlock, known: KnownEntries): { y: Uint8Array; mask: Uint8Array } {
  const { m, n, values } = block;
  const y = new Uint8Array((m + 1) * n);
  const mask = new Uint8Array((m + 1) * n);
  for (let k = 0; k < m * n; k++) {
    if (block.mask !== null && block.mask[k] === 0) continue;
    mask[k] = 1;
    y[k] = values[k]! > 0 ? 1 : 0;
  }
  for (let q = 0; q < known.columns.length; q++) {
    const k = m * n + known.columns[q]!;
    mask[k] = 1;
    y[k] = known.values[q]! > 0 ? 1 : 0;
  }
  return { y, mask };
}

/**
 * `size` normals N(0, std²) from `default_rng(seed)`'s PCG64 doubles by the polar method. Not numpy's
 * ziggurat `Generator.normal`, so the init differs from the released code's draw with the same seed;
 * the methods' results vary with the init within the spread documented in docs/completion.md.
 */
export function seededNormals(seed: number, size: number, std: number): Float64Array {
  const bits = defaultRng(seed).bitGenerator;
  const out = new Float64Array(size);
  for (let k = 0; k < size; k += 2) {
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * bits.nextDouble() - 1;
      x2 = 2 * bits.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    out[k] = std * f * x1;
    if (k + 1 < size) out[k + 1] = std * f * x2;
  }
  return out;
}

/** The logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
