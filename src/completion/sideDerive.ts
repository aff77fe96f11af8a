import { midranks } from '../linalg/midranks.js';
import type { ForgettingMatrix } from '../matrix/ForgettingMatrix.js';
import { exampleFeatureSide, type SideMatrices, type SideMatrix } from '../matrix/sideMatrices.js';
import { ForgetscopeError } from '../util/errors.js';
import { itemAt } from '../util/checked.js';

/**
 * Derived candidate side matrices: transforms of the given side matrices and of per-example features
 * that a method choosing among side matrices by leave-one-task-out (`lowrank`) may keep or drop.
 * Every derived row is computed from the same task's own side row and from per-example features
 * only (never from Z), so deriving on all rows before a train/test split leaks nothing.
 */

/**
 * Most groups split into candidates: a label column with more distinct values (an id, a free-text
 * field) would multiply the candidates and their models, so it is not split.
 */
export const MAX_SIDE_GROUPS = 16;

/** The named sets of derived candidates (`basic`: see `deriveSideMatrices`). */
export const SIDE_DERIVE_SETS = ['none', 'basic'] as const;

/** A named set of derived candidates. */
export type SideDeriveSet = (typeof SIDE_DERIVE_SETS)[number];

/** Per-example features the derived candidates use (each optional; a candidate needing a missing one is skipped). */
export interface SideDeriveFeatures {
  /** The base model's NLL per example (length N); skipped when any value is not finite. */
  baseNll?: ArrayLike<number> | null;
  /** A group label per example (e.g. the metadata column `source`); skipped below two or above `MAX_SIDE_GROUPS` groups. */
  groups?: readonly (string | number | boolean | null | undefined)[] | null;
}

/** The features `deriveSideMatrices` reads from a matrix: `nllBefore` and the example metadata column `column`. */
export function sideDeriveFeatures(matrix: ForgettingMatrix, column = 'source'): SideDeriveFeatures {
  const groups = matrix.exampleMeta.map((meta) => meta[column] as string | number | boolean | null | undefined);
  return {
    baseNll: matrix.nllBefore,
    groups: groups.some((g) => g !== undefined && g !== null) ? groups : null,
  };
}

/**
 * The given side matrices followed by derived candidates. `basic` adds, for each given matrix `s`:
 * `s.abs` (|s|), `s.rank` (each row's midranks, centred and divided by N: a per-row monotone
 * transform that ignores the scale of outliers), `s.nll` (s × the base NLL, when every example has
 * one) and `s.g-<group>` (s on the examples of one group, 0 elsewhere; one per group, when there are
 * 2…`MAX_SIDE_GROUPS` groups), then once `base_nll` (the base NLL on every row). `none` returns the given matrices.
 */
export function deriveSideMatrices(
  side: SideMatrices,
  features: SideDeriveFeatures = {},
  set: SideDeriveSet = 'basic',
): SideMatrix[] {
  if (!SIDE_DERIVE_SETS.includes(set))
    throw new ForgetscopeError(
      'usage',
      `side derive set must be one of ${SIDE_DERIVE_SETS.join(', ')}, got ${String(set)}`,
    );
  const out: SideMatrix[] = [...side];
  if (set === 'none' || side.length === 0) return out;
  const { rows, cols } = itemAt(side, 0);
  const nll = features.baseNll && allFinite(features.baseNll, cols) ? features.baseNll : null;
  const groups = features.groups ? groupMasks(features.groups, cols) : null;
  for (const s of side) {
    out.push(mapEntries(s, `${s.name}.abs`, (x) => Math.abs(x)));
    out.push(
      mapRows(s, `${s.name}.rank`, (row, o) => {
        const r = midranks(row);
        for (let j = 0; j < cols; j++) o[j] = (itemAt(r, j) - (cols + 1) / 2) / cols;
      }),
    );
    if (nll) out.push(mapEntries(s, `${s.name}.nll`, (x, j) => x * itemAt(nll, j)));
    for (const [label, mask] of groups ?? [])
      out.push(mapEntries(s, `${s.name}.g-${label}`, (x, j) => (mask[j] ? x : 0)));
  }
  if (nll) out.push(exampleFeatureSide('base_nll', nll, rows));
  return out;
}

function allFinite(values: ArrayLike<number>, cols: number): boolean {
  if (values.length !== cols)
    throw new ForgetscopeError('shape', `the base NLL has ${values.length} values for ${cols} examples`);
  for (let j = 0; j < cols; j++) if (!Number.isFinite(itemAt(values, j))) return false;
  return true;
}

/** One 0/1 mask per group label (labels made safe for side names), in order of first appearance; null outside 2…MAX_SIDE_GROUPS. */
function groupMasks(
  groups: readonly (string | number | boolean | null | undefined)[],
  cols: number,
): Map<string, Uint8Array> | null {
  if (groups.length !== cols)
    throw new ForgetscopeError('shape', `the example groups have ${groups.length} labels for ${cols} examples`);
  const masks = new Map<string, Uint8Array>();
  groups.forEach((g, j) => {
    if (g === null || g === undefined) return;
    const label = String(g).replace(/[^A-Za-z0-9_.-]/g, '_');
    let mask = masks.get(label);
    if (!mask) {
      if (masks.size > MAX_SIDE_GROUPS) return;
      masks.set(label, (mask = new Uint8Array(cols)));
    }
    mask[j] = 1;
  });
  return masks.size >= 2 && masks.size <= MAX_SIDE_GROUPS ? masks : null;
}

/** A side matrix whose every row is `fill(row of s, output row)`. */
function mapRows(
  s: SideMatrix,
  name: string,
  fill: (row: Float64Array | Float32Array, out: Float64Array) => void,
): SideMatrix {
  const data = new Float64Array(s.rows * s.cols);
  for (let i = 0; i < s.rows; i++)
    fill(s.data.subarray(i * s.cols, (i + 1) * s.cols), data.subarray(i * s.cols, (i + 1) * s.cols));
  return { name, rows: s.rows, cols: s.cols, data };
}

/** A side matrix whose entry (i, j) is `f(s[i, j], j)`. */
function mapEntries(s: SideMatrix, name: string, f: (x: number, j: number) => number): SideMatrix {
  return mapRows(s, name, (row, o) => {
    for (let j = 0; j < row.length; j++) o[j] = f(itemAt(row, j), j);
  });
}
