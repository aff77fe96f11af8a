/**
 * Strict decimal number parsing straight from bytes. Hand-written for speed (no string per field)
 * and strictness: `Number()` would accept "", " ", "0x1f" and "Infinity", which are all input errors
 * here. Accepted: optional sign, digits with an optional fraction, optional exponent. The result is
 * correctly rounded: short inputs take the exact fast path (≤ 15 significant digits, |exponent| ≤ 22,
 * where one IEEE multiplication or division is exact-then-rounded-once); up to 18 digits with
 * |exponent| ≤ 22 (every double printed at full precision, 17 digits, in the usual range) go through
 * `roundDecimal`, an error-bounded double-double product that proves its rounding or declines; anything
 * else is handed to `Number()` after validation.
 * Byte-level decoder: indexed byte reads carry `!` where the index is < length by the loop bounds.
 */

/** A decimal number, or the words nan / inf / infinity (any case, optional sign), with white space around it. */
const NUMBER_TEXT = /^\s*[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf|infinity)\s*$/i;

/**
 * Whether a text field reads as a number: the readers take a column of such fields for a numeric one
 * (not metadata) unless its type says text, so the CSV writer quotes text that looks like this.
 */
export function isNumberText(text: string): boolean {
  return NUMBER_TEXT.test(text);
}

/** The number a text matching `isNumberText` stands for (the words nan and inf give NaN and ±Infinity). */
export function numberOfText(text: string): number {
  const t = text.trim().toLowerCase();
  const body = t.replace(/^[-+]/, '');
  if (body === 'nan') return NaN;
  if (body === 'inf' || body === 'infinity') return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/** Returned by `parseNumberBytes` for a field that is not a decimal number. */
export const NOT_A_NUMBER = Symbol('not a number');

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/** The sign byte at `buf[p]` (p < end): -1 for `-`, 1 for `+`, 0 when there is none. */
function signAt(buf: Uint8Array, p: number, end: number): number {
  if (p >= end) return 0;
  const c = buf[p];
  return c === 0x2d ? -1 : c === 0x2b ? 1 : 0;
}

/**
 * Parses `buf[start, end)` as a decimal number. Returns the number; NaN or ±Infinity for the words
 * `nan`, `inf`, `infinity` (any case, optional sign) so callers can decide what a non-finite value means;
 * `NOT_A_NUMBER` for anything else.
 */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number): number | typeof NOT_A_NUMBER {
  const sign = signAt(buf, start, end);
  const negative = sign < 0;
  let p = sign === 0 ? start : start + 1;
  let mantissa = 0;
  // the first 9 significant digits and the next 9, as exact integers (for roundDecimal)
  let head = 0;
  let tail = 0;
  let significant = 0;
  let exp10 = 0;
  let digits = 0;
  let c = 0;
  while (p < end && (c = buf[p]! - 0x30) >= 0 && c <= 9) {
    if (mantissa !== 0 || c !== 0) {
      if (significant < 19) mantissa = mantissa * 10 + c;
      else exp10++;
      if (significant < 9) head = head * 10 + c;
      else if (significant < 18) tail = tail * 10 + c;
      significant++;
    }
    digits++;
    p++;
  }
  if (p < end && buf[p] === 0x2e) {
    p++;
    while (p < end && (c = buf[p]! - 0x30) >= 0 && c <= 9) {
      if (mantissa !== 0 || c !== 0) {
        if (significant < 19) {
          mantissa = mantissa * 10 + c;
          exp10--;
        }
        if (significant < 9) head = head * 10 + c;
        else if (significant < 18) tail = tail * 10 + c;
        significant++;
      } else exp10--;
      digits++;
      p++;
    }
  }
  if (digits === 0) return parseSpecial(buf, start, end);
  if (p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
    p++;
    const expSign = signAt(buf, p, end);
    const expNegative = expSign < 0;
    if (expSign !== 0) p++;
    let e = 0;
    let expDigits = 0;
    while (p < end && (c = buf[p]! - 0x30) >= 0 && c <= 9) {
      if (e < 100000) e = e * 10 + c;
      expDigits++;
      p++;
    }
    if (expDigits === 0) return NOT_A_NUMBER;
    exp10 += expNegative ? -e : e;
  }
  if (p !== end) return NOT_A_NUMBER;
  if (significant <= 15 && exp10 >= -22 && exp10 <= 22) {
    const v = exp10 >= 0 ? mantissa * POW10[exp10]! : mantissa / POW10[-exp10]!;
    return negative ? -v : v;
  }
  if (significant <= 18 && exp10 >= -22 && exp10 <= 22) {
    // no digit was dropped: the value is (head·10^k + tail)·10^exp10 exactly, k = significant − 9
    const v = roundDecimal(head, tail, significant - 9, exp10);
    if (v !== null) return negative ? -v : v;
  }
  return Number(latin1(buf, start, end));
}

/** 2^27 + 1: Dekker's splitting constant for doubles. */
const SPLIT = 134217729;

/** The product a·b as hi + lo exactly (Dekker's two-product; no overflow for the magnitudes here). */
function twoProduct(a: number, b: number, out: Float64Array): void {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  out[0] = p;
  out[1] = ah * bh - p + ah * bl + al * bh + al * bl;
}

const scratch = new Float64Array(2);

/**
 * The double nearest to (head·10^k + tail)·10^e, for head, tail < 10^9, 0 < k ≤ 9, |e| ≤ 22, or null
 * when it cannot prove which one that is. Hand-written because no string should be built per field
 * (`Number()` on a string costs 3–5× more), and exactness is not negotiable: the significand
 * w = head·10^k + tail is split exactly into a double-double (head·10^k is an exact double because
 * head·5^k < 2^53), multiplied or divided by the exact power 10^|e| in double-double arithmetic
 * (relative error far below 2^-100), and rounded. The rounding is proved: the exact value lies within
 * δ = 2^-90·|x| of the double-double x, and both x − 2δ and x + 2δ round to the same double, so the
 * exact value does too (rounding is monotonic). Only values within that distance of a tie between two
 * doubles (exact ties such as 2^53 + 1 among them) decline, and `Number()` settles those.
 */
export function roundDecimal(head: number, tail: number, k: number, e: number): number | null {
  const a = head * POW10[k]!;
  const s = a + tail; // w rounded; w = s + low exactly (two-sum)
  const bv = s - a;
  const low = a - (s - bv) + (tail - bv);
  let hi: number;
  let lo: number;
  if (e >= 0) {
    const p10 = POW10[e]!;
    twoProduct(s, p10, scratch);
    const t = scratch[1]! + low * p10;
    hi = scratch[0]! + t;
    lo = t - (hi - scratch[0]!);
  } else {
    const p10 = POW10[-e]!;
    const q1 = s / p10;
    twoProduct(q1, p10, scratch);
    const r = s - scratch[0]! - scratch[1]! + low; // s − q1·p10 is exact (Sterbenz)
    const q2 = r / p10;
    hi = q1 + q2;
    lo = q2 - (hi - q1);
  }
  const delta = Math.abs(hi) * 8.077935669463161e-28; // 2^-90
  const down = hi + (lo - 2 * delta);
  return down === hi + (lo + 2 * delta) ? down : null;
}

function parseSpecial(buf: Uint8Array, start: number, end: number): number | typeof NOT_A_NUMBER {
  if (end - start > 9) return NOT_A_NUMBER;
  const word = latin1(buf, start, end).toLowerCase();
  switch (word) {
    case 'nan':
    case '+nan':
    case '-nan':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return NOT_A_NUMBER;
  }
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let p = start; p < end; p++) s += String.fromCharCode(buf[p]!);
  return s;
}
