// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { ForgetscopeError } from '../../util/errors.js';

/** EWC penalty (λ/2) Σⱼ Fⱼ Δⱼ² of an update Δ under a task's diagonal Fisher. */
export function ewcPenalty(f: ArrayLike<number>, delta: ArrayLike<number>, lambda: number): number {
  if (f.length !== delta.length)
    throw new ForgetscopeError('shape', `ewcPenalty: Fisher has ${f.length} entries, update ${delta.length}`);
  let s = 0;
  for (let j = 0; j < f.length; j++) s += f[j]! * delta[j]! * delta[j]!;
  return 0.5 * lambda * s;
}

/** Indices of the top ⌈q·P⌉ entries (descending; ties → lower index). */
export function topIndices(f: ArrayLike<number>, q: number): Int32Array {
  if (!(q > 0 && q <= 1)) throw new ForgetscopeError('usage', `top fraction q must be in (0, 1], got ${q}`);
  const n = Math.max(1, Math.ceil(q * f.length - 1e-9));
  const order = Array.from({ length: f.length }, (_, i) => i).sort((a, b) => f[b]! - f[a]! || a - b);
  return Int32Array.from(order.slice(0, n)).sort();
}

/**
 * Overlap of two tasks' top-q importance sets: Jaccard |A∩B|/|A∪B| and |A∩B|/|A|.
 * @example topImportanceOverlap(Fa, Fb, 0.5) // { jaccard: 1/3, overlap: 0.5 } for seed-002 T4
 */
export function topImportanceOverlap(
  fa: ArrayLike<number>,
  fb: ArrayLike<number>,
  q: number,
): { jaccard: number; overlap: number } {
  if (fa.length !== fb.length)
    throw new ForgetscopeError('shape', `topImportanceOverlap: ${fa.length} vs ${fb.length} entries`);
  if (fa.length === 0) return { jaccard: NaN, overlap: NaN };
  const a = topIndices(fa, q);
  const b = new Set(topIndices(fb, q));
  let inter = 0;
  for (const i of a) if (b.has(i)) inter++;
  return { jaccard: inter / (a.length + b.size - inter), overlap: inter / a.length };
}

/** Cosine similarity of two Fisher diagonals (a task-similarity feature); NaN if either is zero. */
export function fisherCosine(fa: ArrayLike<number>, fb: ArrayLike<number>): number {
  if (fa.length !== fb.length)
    throw new ForgetscopeError('shape', `fisherCosine: ${fa.length} vs ${fb.length} entries`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < fa.length; j++) {
    ab += fa[j]! * fb[j]!;
    aa += fa[j]! * fa[j]!;
    bb += fb[j]! * fb[j]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
}
