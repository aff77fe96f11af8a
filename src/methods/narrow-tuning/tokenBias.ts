// Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
import { ForgetscopeError } from '../../util/errors.js';
import { pearson } from '../../analysis/correlations.js';

const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
  'twenty',
  'thirty',
  'forty',
  'fifty',
  'sixty',
  'seventy',
  'eighty',
  'ninety',
  'hundred',
  'thousand',
  'million',
  'billion',
];
const WORDS = new Set([...NUMBER_WORDS, ...NUMBER_WORDS.map((w) => w.charAt(0).toUpperCase() + w.slice(1))]);

/**
 * True when a vocabulary token's text is a number under seed-000's rule: stripped of spaces and the
 * markers ▁/Ġ, it is a digit string, an ordinal (\d+(st|nd|rd|th)), a decimal with one '.', a number
 * with one ',', or a number word (lower-case or Capitalised).
 */
export function isNumberToken(text: string): boolean {
  const t = text.replace(/[\s\u2581\u0120]/g, '');
  if (t.length === 0) return false;
  return (
    /^\d+$/.test(t) ||
    /^\d+(st|nd|rd|th)$/.test(t) ||
    /^\d*\.\d+$|^\d+\.\d*$/.test(t) ||
    /^\d+,\d+$/.test(t) ||
    WORDS.has(t)
  );
}

/** The ids of the vocabulary's number tokens (ascending), from a token → id map. */
export function numberTokenIds(vocab: Record<string, number>): Int32Array {
  const ids = Object.entries(vocab)
    .filter(([text]) => isNumberToken(text))
    .map(([, id]) => id)
    .sort((a, b) => a - b);
  return Int32Array.from(ids);
}

function checkOffsets(offsets: Int32Array | ArrayLike<number>, length: number, what: string): void {
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== length) {
    throw new ForgetscopeError('shape', `${what}: offsets must start at 0 and end at ${length} (the number of tokens)`);
  }
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i]! < offsets[i - 1]!) throw new ForgetscopeError('shape', `${what}: offsets decrease at index ${i}`);
  }
}

/**
 * Per-sample mean of the token-class probability mass: mean over the steps s of sample i of
 * exp(stepLogMass[s]), where stepLogMass is the per-step log of the class mass (`num_logmass`).
 * @example tokenClassMass(Float32Array.of(Math.log(0.2), Math.log(0.4)), Int32Array.of(0, 2)) // [0.3]
 */
export function tokenClassMass(stepLogMass: Float32Array | Float64Array, offsets: Int32Array): Float64Array {
  checkOffsets(offsets, stepLogMass.length, 'tokenClassMass');
  const out = new Float64Array(offsets.length - 1);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    const a = offsets[i]!;
    const b = offsets[i + 1]!;
    for (let t = a; t < b; t++) s += Math.exp(stepLogMass[t]!);
    out[i] = b > a ? s / (b - a) : NaN;
  }
  return out;
}

/** The per-sample and mean shift of a token-class mass (tuned − base). */
export function massShift(base: Float64Array, tuned: Float64Array): { perSample: Float64Array; mean: number } {
  if (base.length !== tuned.length)
    throw new ForgetscopeError('shape', `massShift: ${base.length} base samples vs ${tuned.length} tuned`);
  const perSample = new Float64Array(base.length);
  let s = 0;
  for (let i = 0; i < base.length; i++) {
    perSample[i] = tuned[i]! - base[i]!;
    s += perSample[i]!;
  }
  return { perSample, mean: base.length ? s / base.length : NaN };
}

/** Chosen-token log-probs of N teacher-forced examples: tokens of example i are logp[offsets[i]..offsets[i+1]). */
export interface TokenLogps {
  logp: Float32Array | Float64Array;
  offsets: Int32Array;
}

/**
 * Paired, teacher-forced log-prob shift: per token (tuned − base) and per example the increase of the
 * token-mean NLL, i.e. one row of the forgetting matrix Z.
 */
export function tokenLogProbShift(
  base: TokenLogps,
  tuned: TokenLogps,
): { perToken: Float32Array; perExampleNllIncrease: Float64Array } {
  if (base.logp.length !== tuned.logp.length || base.offsets.length !== tuned.offsets.length) {
    throw new ForgetscopeError('shape', 'tokenLogProbShift: base and tuned were not scored on the same tokens');
  }
  checkOffsets(base.offsets, base.logp.length, 'tokenLogProbShift');
  for (let i = 0; i < base.offsets.length; i++) {
    if (base.offsets[i] !== tuned.offsets[i])
      throw new ForgetscopeError('shape', `tokenLogProbShift: offsets differ at index ${i}`);
  }
  const perToken = new Float32Array(base.logp.length);
  for (let t = 0; t < perToken.length; t++) perToken[t] = tuned.logp[t]! - base.logp[t]!;
  const n = base.offsets.length - 1;
  const perExampleNllIncrease = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = base.offsets[i]!;
    const b = base.offsets[i + 1]!;
    let s = 0;
    for (let t = a; t < b; t++) s += base.logp[t]! - tuned.logp[t]!;
    perExampleNllIncrease[i] = b > a ? s / (b - a) : NaN;
  }
  return { perToken, perExampleNllIncrease };
}

/** Pearson correlation between an output-bias shift and held-out change, per stage or per task. */
export function biasForgettingCorrelation(shift: ArrayLike<number>, heldOutDelta: ArrayLike<number>): number {
  return pearson(shift, heldOutDelta);
}

/**
 * Per-step class statistics from full logits (steps × vocab, row-major), the paper's generated-mode
 * probe: log of the class mass log Σ_{v∈C} softmax(z)_v, the largest class probability and the largest
 * class logit. The harness computes the same `num_logmass` in torch for teacher-forced runs.
 */
export function classStatsFromLogits(
  logits: Float32Array | Float64Array,
  vocab: number,
  classIds: Int32Array,
): { logMass: Float64Array; maxProb: Float64Array; maxLogit: Float64Array } {
  if (vocab <= 0 || logits.length % vocab !== 0)
    throw new ForgetscopeError(
      'shape',
      `classStatsFromLogits: ${logits.length} logits is not a multiple of vocab ${vocab}`,
    );
  for (const id of classIds)
    if (id < 0 || id >= vocab)
      throw new ForgetscopeError('shape', `classStatsFromLogits: class id ${id} outside the vocabulary`);
  const steps = logits.length / vocab;
  const logMass = new Float64Array(steps);
  const maxProb = new Float64Array(steps);
  const maxLogit = new Float64Array(steps);
  for (let s = 0; s < steps; s++) {
    const row = s * vocab;
    let mx = -Infinity;
    for (let v = 0; v < vocab; v++) mx = Math.max(mx, logits[row + v]!);
    let z = 0;
    for (let v = 0; v < vocab; v++) z += Math.exp(logits[row + v]! - mx);
    const lse = mx + Math.log(z);
    let cm = -Infinity;
    for (const id of classIds) cm = Math.max(cm, logits[row + id]!);
    let cz = 0;
    for (const id of classIds) cz += Math.exp(logits[row + id]! - cm);
    logMass[s] = classIds.length ? cm + Math.log(cz) - lse : -Infinity;
    maxLogit[s] = cm;
    maxProb[s] = Math.exp(cm - lse);
  }
  return { logMass, maxProb, maxLogit };
}
