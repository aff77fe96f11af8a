/**
 * The parts of numpy's `Generator` that the paper's protocol uses: `default_rng(seed)`,
 * `integers(low, high, size)` (Lemire's bounded method, as numpy's Generator does) and
 * `choice(n, size)` with replacement. Bit-exact with numpy 1.17+ (checked against numpy in the tests).
 */
import { PCG64 } from './pcg64.js';

const MASK64 = (1n << 64n) - 1n;

/**
 * A numpy-compatible random generator over PCG64.
 *
 * @example
 * defaultRng(0).choice(1000, 30); // == numpy.random.default_rng(0).choice(1000, 30)
 */
export class NumpyGenerator {
  /** The underlying bit generator. */
  readonly bitGenerator: PCG64;

  constructor(bitGenerator: PCG64) {
    this.bitGenerator = bitGenerator;
  }

  /**
   * `integers(low, high, size)` with `endpoint=False` and dtype int64: `size` draws from [low, high).
   * Ranges up to 2^32 use numpy's 32-bit Lemire path (buffered 32-bit outputs), wider ones the 64-bit path.
   */
  integers(low: number, high: number, size: number): Float64Array {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new RangeError(`integers: need integers low < high, got ${low}, ${high}`);
    }
    const out = new Float64Array(size);
    const rng = high - low - 1; // numpy's inclusive range
    if (rng === 0) {
      out.fill(low);
    } else if (rng < 0xffffffff) {
      for (let k = 0; k < size; k++) out[k] = low + this.boundedLemire32(rng);
    } else if (rng === 0xffffffff) {
      for (let k = 0; k < size; k++) out[k] = low + this.bitGenerator.nextUint32();
    } else {
      for (let k = 0; k < size; k++) out[k] = low + Number(this.boundedLemire64(BigInt(rng)));
    }
    return out;
  }

  /** `choice(n, size)` with replacement and no probabilities: `integers(0, n, size)` as Int32Array. */
  choice(n: number, size: number): Int32Array {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`choice: population size must be positive, got ${n}`);
    if (n > 0x7fffffff) throw new RangeError(`choice: population ${n} exceeds Int32 indices`);
    return Int32Array.from(this.integers(0, n, size));
  }

  /** `random(size)`: doubles in [0, 1). */
  random(size: number): Float64Array {
    const out = new Float64Array(size);
    for (let k = 0; k < size; k++) out[k] = this.bitGenerator.nextDouble();
    return out;
  }

  /** Lemire's nearly-divisionless bounded draw in [0, rng] from 32-bit outputs (numpy's variant). */
  private boundedLemire32(rng: number): number {
    const rngExcl = rng + 1;
    // m = u32 · rngExcl is below 2^64, so split it exactly into high and low 32-bit words.
    let u = this.bitGenerator.nextUint32();
    let { hi, lo } = mul32(u, rngExcl);
    if (lo < rngExcl) {
      const threshold = (0x100000000 - rngExcl) % rngExcl;
      while (lo < threshold) {
        u = this.bitGenerator.nextUint32();
        ({ hi, lo } = mul32(u, rngExcl));
      }
    }
    return hi;
  }

  /** Lemire's bounded draw in [0, rng] from 64-bit outputs. */
  private boundedLemire64(rng: bigint): bigint {
    const rngExcl = rng + 1n;
    let m = this.bitGenerator.nextUint64() * rngExcl;
    let leftover = m & MASK64;
    if (leftover < rngExcl) {
      const threshold = (MASK64 - rng) % rngExcl;
      while (leftover < threshold) {
        m = this.bitGenerator.nextUint64() * rngExcl;
        leftover = m & MASK64;
      }
    }
    return m >> 64n;
  }
}

/** Exact 32×32 → 64-bit product as two uint32 words. */
function mul32(a: number, b: number): { hi: number; lo: number } {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const bHi = b >>> 16;
  const bLo = b & 0xffff;
  const ll = aLo * bLo;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const hh = aHi * bHi;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const lo = ((mid & 0xffff) * 0x10000 + (ll & 0xffff)) >>> 0;
  const hi = hh + Math.floor(lh / 0x10000) + Math.floor(hl / 0x10000) + Math.floor(mid / 0x10000);
  return { hi: hi >>> 0, lo };
}

/** `numpy.random.default_rng(seed)`: PCG64 seeded through SeedSequence. */
export function defaultRng(seed: number | bigint): NumpyGenerator {
  return new NumpyGenerator(new PCG64(seed));
}
