import type { ForgettingMatrix } from '../../matrix/ForgettingMatrix.js';
import { EMBEDDING_PREFIX, isEmbeddingKey } from '../../matrix/exampleEmbedding.js';
import { MAX_SIDE_GROUPS } from '../sideDerive.js';

/**
 * Per-example covariates for the example effects of a completion (`randomEffects.ts`): what is known
 * about an upstream example before any task is measured on it. Each is a column of N values; a new
 * task may shift the forgetting of the examples along each of them (an effect per task), which the
 * train rows' span need not contain (a task that punishes digits or one source more than any train task did).
 */

/** The example covariates: p columns of length n, column-major (`data[f·n + j]`), with their names. */
export interface ExampleFeatures {
  names: string[];
  n: number;
  p: number;
  data: Float64Array;
}

/** The character classes whose share of an example's text is a covariate, in column order. */
export const TEXT_CLASSES = ['upper', 'lower', 'digit', 'space', 'punct', 'other'] as const;

/**
 * At most this many `embedding.<i>` covariates are used (the first in the order of i): more than the
 * measured columns of a task cannot be estimated, and keeping the covariates independent costs p²·N.
 */
export const MAX_EMBEDDING_COVARIATES = 64;

/** Options of `exampleFeatures`. */
export interface ExampleFeatureOptions {
  /** The example metadata key whose values are groups (default `source`). */
  groupKey?: string;
}

/**
 * The covariates `lowrank` uses by default, from what a matrix carries about its examples:
 * - one indicator per group of the metadata column `groupKey` (`source`) when it has 2 to
 *   `MAX_SIDE_GROUPS` distinct values (an example without a value is in none; named `source=<value>`);
 * - when every example has a non-empty `text`: the share of its characters in each of `TEXT_CLASSES`
 *   (ASCII upper case, lower case, digits, white space, punctuation, anything else), standardised
 *   (`text.<class>`);
 * - when every example has a finite base NLL (`nllBefore`): that NLL, standardised (`base_nll`);
 * - every metadata key `embedding.<i>` (`EMBEDDING_PREFIX`) that is a finite number on every example,
 *   standardised, in the order of i, the first `MAX_EMBEDDING_COVARIATES` of them: an example embedding
 *   the caller computed (for instance the leading principal components of the per-example gradients,
 *   Python's `forgetscope.side.example_embeddings`).
 * A covariate that is constant over the examples, or a linear combination of those before it (the
 * text shares sum to one, as do the group indicators), is left out. Returns null when none is left.
 * @example
 * exampleFeatures(matrix)?.names; // ['source=man', 'source=python', 'text.upper', …, 'base_nll']
 */
export function exampleFeatures(matrix: ForgettingMatrix, options: ExampleFeatureOptions = {}): ExampleFeatures | null {
  const n = matrix.cols;
  // group indicators stay 0/1; the continuous covariates are standardised
  const columns: { name: string; values: Float64Array | null }[] = groupIndicators(
    matrix,
    options.groupKey ?? 'source',
  );
  const texts = matrix.exampleMeta.map((meta) => meta['text']);
  if (n > 0 && texts.every((t) => typeof t === 'string' && t.length > 0)) {
    const shares = TEXT_CLASSES.map(() => new Float64Array(n));
    texts.forEach((text, j) => {
      const counts = classCounts(text as string);
      counts.forEach((c, k) => {
        const share = shares[k];
        if (share) share[j] = c / (text as string).length;
      });
    });
    TEXT_CLASSES.forEach((name, k) => {
      const share = shares[k];
      if (share) columns.push({ name: `text.${name}`, values: standardised(share) });
    });
  }
  const base = matrix.nllBefore;
  if (base && base.length === n && base.every(Number.isFinite))
    columns.push({ name: 'base_nll', values: standardised(base) });
  columns.push(...embeddingColumns(matrix));
  const kept = independentColumns(
    columns.filter((c): c is { name: string; values: Float64Array } => c.values !== null),
  );
  if (kept.length === 0) return null;
  const data = new Float64Array(kept.length * n);
  kept.forEach(({ values }, i) => {
    data.set(values, i * n);
  });
  return { names: kept.map(({ name }) => name), n, p: kept.length, data };
}

/**
 * The columns kept in order, each only when the part of it that the columns kept before it do not
 * explain (Gram–Schmidt against their orthonormalised residuals) is at least 1e-6 of its norm; the
 * kept columns are returned as given. (Keeping the columns themselves rather than the orthogonal
 * directions measured better: docs/completion.md, "Example effects".)
 */
function independentColumns(
  columns: readonly { name: string; values: Float64Array }[],
): { name: string; values: Float64Array }[] {
  const out: { name: string; values: Float64Array }[] = [];
  const basis: Float64Array[] = [];
  for (const { name, values: column } of columns) {
    const r = Float64Array.from(column);
    const n = r.length;
    const norm = Math.sqrt(dot(r, r));
    for (const q of basis) {
      const c = dot(q, r) / n;
      for (let j = 0; j < n; j++) r[j] = (r[j] ?? 0) - c * (q[j] ?? 0);
    }
    const left = Math.sqrt(dot(r, r));
    if (!(left > 1e-6 * norm)) continue;
    const scale = Math.sqrt(n) / left;
    basis.push(r.map((v) => v * scale));
    out.push({ name, values: column });
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] ?? 0) * (b[j] ?? 0);
  return s;
}

/** One 0/1 column per distinct value of `key`, when there are 2 to `MAX_SIDE_GROUPS` of them. */
function groupIndicators(matrix: ForgettingMatrix, key: string): { name: string; values: Float64Array }[] {
  const n = matrix.cols;
  const labels = matrix.exampleMeta.map((meta) => meta[key]);
  const distinct = [...new Set(labels.filter((v) => v !== undefined && v !== null).map(String))].sort();
  if (distinct.length < 2 || distinct.length > MAX_SIDE_GROUPS) return [];
  return distinct.map((value) => {
    const values = new Float64Array(n);
    labels.forEach((label, j) => {
      if (label !== undefined && label !== null && String(label) === value) values[j] = 1;
    });
    return { name: `${key}=${value}`, values };
  });
}

/**
 * The `embedding.<i>` metadata keys that are finite numbers on every example, standardised, in the order
 * of i (keys whose suffix is not a whole number come last, by name).
 */
function embeddingColumns(matrix: ForgettingMatrix): { name: string; values: Float64Array }[] {
  const first = matrix.exampleMeta[0];
  if (!first) return [];
  const keys = Object.keys(first).filter(isEmbeddingKey);
  const order = (key: string) => {
    const suffix = key.slice(EMBEDDING_PREFIX.length);
    return /^\d+$/.test(suffix) ? Number(suffix) : Infinity;
  };
  keys.sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: { name: string; values: Float64Array }[] = [];
  for (const key of keys) {
    const values = new Float64Array(matrix.cols);
    const numeric = matrix.exampleMeta.every((meta, j) => {
      const v = meta[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      values[j] = v;
      return true;
    });
    // a constant key is no covariate, and does not count toward the cap
    const column = numeric ? standardised(values) : null;
    if (column) out.push({ name: key, values: column });
    if (out.length === MAX_EMBEDDING_COVARIATES) break;
  }
  return out;
}

/** Counts of a text's characters in each of `TEXT_CLASSES`. */
function classCounts(text: string): number[] {
  const counts = TEXT_CLASSES.map(() => 0);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const k =
      c >= 65 && c <= 90
        ? 0
        : c >= 97 && c <= 122
          ? 1
          : c >= 48 && c <= 57
            ? 2
            : c === 32 || c === 9 || c === 10 || c === 13
              ? 3
              : c > 32 && c < 127
                ? 4
                : 5;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/**
 * (x − mean)/sd, or null when x is constant (sd ≤ 1e-12 of its scale) or not finite. Values so large that
 * their sums overflow (a hostile file's 1e308) are first divided by their largest magnitude, which
 * leaves the standardised column the same.
 */
function standardised(x: ArrayLike<number>): Float64Array | null {
  const direct = standardisedAt(x, 1);
  if (direct === undefined) return null;
  if (direct) return direct;
  let largest = 0;
  for (let j = 0; j < x.length; j++) largest = Math.max(largest, Math.abs(x[j] ?? 0));
  return Number.isFinite(largest) && largest > 0 ? (standardisedAt(x, 1 / largest) ?? null) : null;
}

/** (s·x − mean)/sd of s·x: null when its sums overflow, undefined when it is constant. */
function standardisedAt(x: ArrayLike<number>, s: number): Float64Array | null | undefined {
  const n = x.length;
  let mean = 0;
  for (let j = 0; j < n; j++) mean += s * (x[j] ?? 0);
  mean /= n;
  let ss = 0;
  for (let j = 0; j < n; j++) ss += (s * (x[j] ?? 0) - mean) ** 2;
  const sd = Math.sqrt(ss / n);
  if (!Number.isFinite(mean) || !Number.isFinite(sd)) return null;
  if (!(sd > 1e-12 * Math.max(Math.abs(mean), 1))) return undefined;
  return Float64Array.from({ length: n }, (_, j) => (s * (x[j] ?? 0) - mean) / sd);
}
