/**
 * numpy's `SeedSequence` (numpy.random.bit_generator), reimplemented so that forgetscope draws the very
 * same known columns as the paper's released code (`numpy.random.default_rng(seed)`). Hand-written: no
 * maintained JS library reproduces numpy's seeding bit for bit. All arithmetic is on uint32 words
 * (`Math.imul` + `>>> 0`).
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;
const POOL_SIZE = 4;

/** Splits a non-negative integer seed into little-endian uint32 words (numpy's `_int_to_uint32_array`). */
export function seedToWords(seed: number | bigint): Uint32Array {
  let s = typeof seed === 'bigint' ? seed : BigInt(seed);
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new RangeError(`seed ${seed} is not a safe integer`);
  }
  if (s < 0n) throw new RangeError(`seed ${seed} is negative; numpy seeds are non-negative`);
  if (s === 0n) return new Uint32Array([0]);
  const words: number[] = [];
  while (s > 0n) {
    words.push(Number(s & 0xffffffffn));
    s >>= 32n;
  }
  return Uint32Array.from(words);
}

/**
 * numpy's `SeedSequence(entropy)` (no spawn key, pool size 4): the mixed entropy pool from which
 * `generateState` derives the bit generator's seed words.
 *
 * @example
 * new SeedSequence(0).generateState64(4); // the 4 uint64 words PCG64 is seeded with
 */
export class SeedSequence {
  /** The mixed entropy pool (4 uint32 words). */
  readonly pool: Uint32Array;

  constructor(entropy: number | bigint | Uint32Array) {
    const words = entropy instanceof Uint32Array ? entropy : seedToWords(entropy);
    this.pool = mixEntropy(words);
  }

  /** `generate_state(n, np.uint32)`. */
  generateState32(nWords: number): Uint32Array {
    const out = new Uint32Array(nWords);
    let hashConst = INIT_B;
    for (let d = 0; d < nWords; d++) {
      let v = this.pool[d % POOL_SIZE]!;
      v = (v ^ hashConst) >>> 0;
      hashConst = Math.imul(hashConst, MULT_B) >>> 0;
      v = Math.imul(v, hashConst) >>> 0;
      v = (v ^ (v >>> XSHIFT)) >>> 0;
      out[d] = v;
    }
    return out;
  }

  /** `generate_state(n, np.uint64)`: pairs of uint32 words, little-endian. */
  generateState64(nWords: number): bigint[] {
    const w = this.generateState32(2 * nWords);
    const out: bigint[] = [];
    for (let k = 0; k < nWords; k++) out.push((BigInt(w[2 * k + 1]!) << 32n) | BigInt(w[2 * k]!));
    return out;
  }
}

function mixEntropy(entropy: Uint32Array): Uint32Array {
  const mixer = new Uint32Array(POOL_SIZE);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    let v = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    v = Math.imul(v, hashConst) >>> 0;
    return (v ^ (v >>> XSHIFT)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    let r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    r = (r ^ (r >>> XSHIFT)) >>> 0;
    return r;
  };
  for (let i = 0; i < POOL_SIZE; i++) mixer[i] = hashmix(i < entropy.length ? entropy[i]! : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) mixer[dst] = mix(mixer[dst]!, hashmix(mixer[src]!));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) mixer[dst] = mix(mixer[dst]!, hashmix(entropy[src]!));
  }
  return mixer;
}
