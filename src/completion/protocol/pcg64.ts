/**
 * numpy's PCG64 bit generator (128-bit LCG state, XSL-RR output), including its 32-bit output buffer
 * (`next_uint32` hands out the low then the high half of one 64-bit output). Hand-written so that
 * forgetscope reproduces `numpy.random.default_rng(seed)` bit for bit; BigInt keeps the 128-bit
 * arithmetic exact (the protocol draws only a few numbers per fit, so speed is not the concern here).
 */
import { SeedSequence } from './seedSequence.js';

const MASK128 = (1n << 128n) - 1n;
const MASK64 = (1n << 64n) - 1n;
const MULTIPLIER = (2549297995355413924n << 64n) + 4865540595714422341n;

/** A PCG64 stream, seeded like `numpy.random.PCG64(seed)`. */
export class PCG64 {
  private state = 0n;
  private inc = 0n;
  private hasUint32 = false;
  private uinteger = 0;

  /** Seeds through `SeedSequence(seed)` exactly as numpy does. */
  constructor(seed: number | bigint | SeedSequence) {
    const seq = seed instanceof SeedSequence ? seed : new SeedSequence(seed);
    const [s0, s1, i0, i1] = seq.generateState64(4) as [bigint, bigint, bigint, bigint];
    this.seedWith((s0 << 64n) | s1, (i0 << 64n) | i1);
  }

  /** pcg64_srandom_r: state 0, inc = 2·initseq + 1, step, add the seed, step. */
  private seedWith(initState: bigint, initSeq: bigint): void {
    this.state = 0n;
    this.inc = ((initSeq << 1n) | 1n) & MASK128;
    this.step();
    this.state = (this.state + initState) & MASK128;
    this.step();
    this.hasUint32 = false;
    this.uinteger = 0;
  }

  private step(): void {
    this.state = (this.state * MULTIPLIER + this.inc) & MASK128;
  }

  /** The next 64-bit output as a BigInt (numpy `next_uint64`). */
  nextUint64(): bigint {
    this.step();
    const s = this.state;
    const xored = ((s >> 64n) ^ s) & MASK64;
    const rot = Number(s >> 122n);
    return ((xored >> BigInt(rot)) | (xored << BigInt((64 - rot) & 63))) & MASK64;
  }

  /** The next 32-bit output (numpy `next_uint32`: buffered halves of one 64-bit output). */
  nextUint32(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.uinteger;
    }
    const v = this.nextUint64();
    this.hasUint32 = true;
    this.uinteger = Number(v >> 32n);
    return Number(v & 0xffffffffn);
  }

  /** A double in [0, 1) with 53 random bits (numpy `next_double`). */
  nextDouble(): number {
    return Number(this.nextUint64() >> 11n) * (1 / 9007199254740992);
  }
}
