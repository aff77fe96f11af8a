/**
 * numpy's legacy `RandomState(seed)`: MT19937 seeded by `init_genrand(seed)` and `normal(loc, scale)`
 * by the polar Box–Muller method with its cached second value. The reference results initialise the
 * `svd` factors with `RandomState(seed).normal(0, σ, shape)`; reproducing it lets forgetscope start
 * from the same factors. Hand-written (uint32 arithmetic via `Math.imul`); `Math.log`/`Math.sqrt` may
 * differ from C's in the last bit, so normals agree with numpy to ~1e-16 relative, not always bitwise.
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */

const N = 624;
const M = 397;

/** The legacy numpy generator (MT19937 + Box–Muller normals). */
export class LegacyRandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gauss = 0;

  /** `numpy.random.RandomState(seed)` for an integer seed in [0, 2^32). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new RangeError(`RandomState seed must be in [0, 2^32), got ${seed}`);
    let s = seed >>> 0;
    for (let p = 0; p < N; p++) {
      this.key[p] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + p + 1) >>> 0;
    }
  }

  /** The next 32-bit output. */
  nextUint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.key[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1) with 53 random bits (`random_sample`). */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** One standard normal (legacy polar method). */
  gaussian(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const g = this.gauss;
      this.gauss = 0;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `normal(loc, scale, size)`. */
  normal(loc: number, scale: number, size: number): Float64Array {
    const out = new Float64Array(size);
    for (let k = 0; k < size; k++) out[k] = loc + scale * this.gaussian();
    return out;
  }

  private twist(): void {
    const key = this.key;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (key[i]! & 0x80000000) | (key[i + 1]! & 0x7fffffff);
      key[i] = key[i + M]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    for (; i < N - 1; i++) {
      const y = (key[i]! & 0x80000000) | (key[i + 1]! & 0x7fffffff);
      key[i] = key[i + (M - N)]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    const y = (key[N - 1]! & 0x80000000) | (key[0]! & 0x7fffffff);
    key[N - 1] = key[M - 1]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    this.pos = 0;
  }
}
