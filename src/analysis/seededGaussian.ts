/**
 * A small seeded generator of standard normal draws (mulberry32 uniforms + Box–Muller), used to
 * start iterative fits reproducibly. Not numpy-compatible (the completion layer has that); it only
 * has to be deterministic given the seed.
 * @example
 * const draw = seededGaussian(7);
 * draw(); // the same number on every run with seed 7
 */
export function seededGaussian(seed: number): () => number {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const w = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * w);
    return r * Math.cos(2 * Math.PI * w);
  };
}
