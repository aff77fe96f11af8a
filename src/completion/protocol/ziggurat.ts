/**
 * numpy's `Generator.standard_normal` / `normal` (256-level ziggurat on 64-bit PCG64 outputs). The
 * tables are computed here with Marsaglia & Tsang's recursion (r = 3.6541528853610088,
 * v = 0.004928673233974655, the area of each level) rather than copied, so they can differ from numpy's
 * in the last bits: draws follow numpy's stream and agree to ~1e-14 relative (checked against numpy in
 * the tests). The logistic MF methods draw their initial factors with it, as the released code does
 * (`default_rng(seed).normal`).
 * Indexed reads carry `!` where the index is < length by the loop bounds (or by the shapes checked on entry).
 */
import type { NumpyGenerator } from './generator.js';

const LEVELS = 256;
const R = 3.6541528853610088;
// biome-ignore lint/correctness/noPrecisionLoss: the published constant, digits kept as printed (it parses to the nearest double)
const V = 0.00492867323397465524494;
const M1 = 4503599627370496; // 2^52

interface Tables {
  ki: Float64Array;
  wi: Float64Array;
  fi: Float64Array;
}

let tables: Tables | null = null;

function buildTables(): Tables {
  const ki = new Float64Array(LEVELS);
  const wi = new Float64Array(LEVELS);
  const fi = new Float64Array(LEVELS);
  let dn = R;
  let tn = dn;
  const q = V / Math.exp(-0.5 * dn * dn);
  ki[0] = Math.floor((dn / q) * M1);
  ki[1] = 0;
  wi[0] = q / M1;
  wi[LEVELS - 1] = dn / M1;
  fi[0] = 1;
  fi[LEVELS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LEVELS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(V / dn + Math.exp(-0.5 * dn * dn)));
    ki[i + 1] = Math.floor((dn / tn) * M1);
    tn = dn;
    fi[i] = Math.exp(-0.5 * dn * dn);
    wi[i] = dn / M1;
  }
  return { ki, wi, fi };
}

/** One standard normal from numpy's ziggurat (`random_standard_normal`). */
export function standardNormal(gen: NumpyGenerator): number {
  const { ki, wi, fi } = (tables ??= buildTables());
  const bits = gen.bitGenerator;
  for (;;) {
    const r = bits.nextUint64();
    const idx = Number(r & 0xffn);
    const rest = r >> 8n;
    const sign = Number(rest & 1n);
    const rabs = Number((rest >> 1n) & 0xfffffffffffffn);
    let x = rabs * wi[idx]!;
    if (sign === 1) x = -x;
    if (rabs < ki[idx]!) return x;
    if (idx === 0) {
      for (;;) {
        const xx = -(1 / R) * Math.log1p(-bits.nextDouble());
        const yy = -Math.log1p(-bits.nextDouble());
        if (yy + yy > xx * xx) return ((rabs / 256) & 1) === 1 ? -(R + xx) : R + xx;
      }
    }
    if ((fi[idx - 1]! - fi[idx]!) * bits.nextDouble() + fi[idx]! < Math.exp(-0.5 * x * x)) return x;
  }
}

/** `Generator.normal(loc, scale, size)`. */
export function normals(gen: NumpyGenerator, loc: number, scale: number, size: number): Float64Array {
  const out = new Float64Array(size);
  for (let k = 0; k < size; k++) out[k] = loc + scale * standardNormal(gen);
  return out;
}
