import { execFileSync } from 'node:child_process';
import { withBlas, type BlasLibrary } from '../../../src/linalg/cpu/blas.js';
import { loadNodeBlas } from '../../../src/linalg/cpu/nodeBlas.js';
import { createInlineRunner, type CpuKernelRunner } from '../../../src/linalg/cpu/runner.js';
import { createCpuBackend } from '../../../src/linalg/cpu/backend.js';
import { createNodeCpuBackend } from '../../../src/linalg/node.js';
import { referenceGemm, referenceGram } from '../../../src/linalg/reference.js';
import { absProductScale, maxScaledError, randomDense } from '../helpers.js';
import { expectGemmMatches, expectGramMatches, type GemmShape, TRANSPOSES } from '../helpers.js';

// The system-BLAS path of the Node cpu backend (cpu/blas.ts, cpu/nodeBlas.ts) against the float64
// reference. CI installs OpenBLAS, so there the library must load; elsewhere a machine without one
// runs only the tests that need none. Float32 products: float32 sums of at most `f32Depth` terms per
// call, added in float64, so every entry is within 1e-5 of Σ|a||b| as for the other float32 kernels.
const F32_BOUND = 1e-5;
const F64_BOUND = 1e-12;
const blas = loadNodeBlas();
if (!blas && process.env.CI === 'true')
  throw new Error('CI needs a CBLAS library (Debian: libopenblas0-pthread) for the system-BLAS tests');
const withLibrary = blas ? describe : describe.skip;

/** A library that counts its calls, to see which products reach it. */
function counting(lib: BlasLibrary): BlasLibrary & { calls: string[] } {
  const calls: string[] = [];
  return {
    description: lib.description,
    calls,
    sgemm: (...args) => (calls.push(`sgemm k=${args[4]}`), lib.sgemm(...args)),
    dgemm: (...args) => (calls.push(`dgemm k=${args[4]}`), lib.dgemm(...args)),
    ssyrk: (...args) => (calls.push(`ssyrk k=${args[2]}`), lib.ssyrk(...args)),
    dsyrk: (...args) => (calls.push(`dsyrk k=${args[2]}`), lib.dsyrk(...args)),
  };
}

withLibrary('with the system BLAS', () => {
  let lib: BlasLibrary & { calls: string[] };
  let runner: CpuKernelRunner;
  beforeAll(() => {
    lib = counting(blas!);
    // depth 64: products of a few hundred columns already span several float32 calls
    runner = withBlas(createInlineRunner(), lib, { minWork: 0, f32Depth: 64 });
  });

  test('the description says what was loaded', () => {
    expect(blas!.description).toMatch(/\S+ \(.+\)$/);
    expect(runner.blas).toBe(blas!.description);
  });

  test('hand-worked 2×3 gram and 2×2·2×2 gemm are exact, float32 and float64', async () => {
    for (const Arr of [Float32Array, Float64Array]) {
      const cpu = createCpuBackend({ runner });
      expect(Array.from(await cpu.gram({ rows: 2, cols: 3, data: new Arr([1, 2, 3, 4, 5, 6]) }))).toEqual([
        14, 32, 32, 77,
      ]);
      const c = await cpu.gemm(
        { rows: 2, cols: 2, data: new Arr([1, 2, 3, 4]) },
        { rows: 2, cols: 2, data: new Arr([5, 6, 7, 8]) },
      );
      expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    }
  });

  test.each([
    [1, 1],
    [2, 63],
    [3, 64],
    [17, 65],
    [33, 1000],
    [64, 129],
  ])('gram %i×%i (float32 in depth blocks, float64) within the bound of float64', async (m, n) => {
    const cpu = createCpuBackend({ runner });
    for (const f32 of [true, false]) {
      const a = randomDense(m, n, 7 * m + n, f32);
      lib.calls.length = 0;
      expectGramMatches(await cpu.gram(a), a, f32 ? F32_BOUND : F64_BOUND);
      // float32: one ssyrk per 64 columns; float64: one dsyrk over all of them
      expect(lib.calls).toEqual(
        f32
          ? Array.from({ length: Math.ceil(n / 64) }, (_, b) => `ssyrk k=${Math.min(64, n - 64 * b)}`)
          : [`dsyrk k=${n}`],
      );
    }
  });

  test.each(TRANSPOSES)('gemm transA=%s transB=%s, awkward shapes, float32 and float64', async (transA, transB) => {
    const cpu = createCpuBackend({ runner });
    const shapes: GemmShape[] = [
      [1, 1, 1],
      [1, 300, 40],
      [40, 300, 1],
      [5, 1, 33],
      [17, 130, 9],
      [33, 129, 17],
    ];
    for (const f32 of [true, false])
      await expectGemmMatches((a, b, o) => cpu.gemm(a, b, o), shapes, [transA, transB], f32 ? F32_BOUND : F64_BOUND, {
        f32,
      });
  });

  test('a column range [c0, c1) of a transposed operand (the offsets streaming uses)', async () => {
    // X = rows of xT's columns: X[i][c] = xT[c][i]; Y stored as rows; columns 70..269 only
    const xT = randomDense(300, 9, 4, true);
    const y = randomDense(5, 300, 5, true);
    const got = await runner.dot(xT.data, 9, y.data, 300, 70, 270, 9, 5, false, true, false);
    const want = new Float64Array(45);
    const scale = new Float64Array(45);
    for (let i = 0; i < 9; i++)
      for (let j = 0; j < 5; j++)
        for (let c = 70; c < 270; c++) {
          want[i * 5 + j]! += xT.data[c * 9 + i]! * y.data[j * 300 + c]!;
          scale[i * 5 + j]! += Math.abs(xT.data[c * 9 + i]! * y.data[j * 300 + c]!);
        }
    expect(maxScaledError(got, want, scale)).toBeLessThan(F32_BOUND);
  });

  test('a long mean-shifted float32 gram (N = 300,000) stays within 2e-7 relative with 8,192-deep calls', async () => {
    // entries 1.01 + small noise: one float32 call over all 300,000 columns drifts by ~1e-6 relative
    // (OpenBLAS 0.3.21: 9.4e-7, its float32 C summing ~800 panels); 8,192-column calls summed in
    // float64 keep the rounding of 8,192 terms (5.8e-8)
    const a = randomDense(3, 300000, 21, true);
    for (let t = 0; t < a.data.length; t++) a.data[t] = 1.01 + 0.001 * a.data[t]!;
    const want = referenceGram(a);
    const worst = async (r: CpuKernelRunner) => {
      const got = await r.dot(a.data, a.cols, a.data, a.cols, 0, a.cols, 3, 3, true);
      return Math.max(...want.map((w, t) => Math.abs(got[t]! - w) / w));
    };
    const blocked = await worst(withBlas(createInlineRunner(), blas!, { minWork: 0 }));
    const oneCall = await worst(withBlas(createInlineRunner(), blas!, { minWork: 0, f32Depth: 300000 }));
    expect(blocked).toBeLessThan(2e-7);
    expect(oneCall).toBeGreaterThan(3 * blocked); // the blocking is what the bound rests on
  });

  test('small products and mixed float32/float64 operands stay on the wrapped runner', async () => {
    const small = withBlas(createInlineRunner(), lib); // default minWork
    const a = randomDense(4, 100, 1, true);
    lib.calls.length = 0;
    await small.dot(a.data, 100, a.data, 100, 0, 100, 4, 4, true);
    const mixedA = randomDense(20, 300, 2, true);
    const mixedB = randomDense(20, 300, 3, false);
    const got = await runner.dot(mixedA.data, 300, mixedB.data, 300, 0, 300, 20, 20, false);
    expect(lib.calls).toEqual([]);
    expect(
      maxScaledError(
        got,
        referenceGemm(mixedA, mixedB, { transB: true }),
        absProductScale(mixedA, mixedB, false, true),
      ),
    ).toBeLessThan(F64_BOUND);
  });

  test('concurrent products are issued one at a time and each gets its own result', async () => {
    const inputs = [0, 1, 2, 3].map((s) => randomDense(30, 500, 40 + s, s % 2 === 0));
    const got = await Promise.all(inputs.map((a) => runner.dot(a.data, 500, a.data, 500, 0, 500, 30, 30, true)));
    inputs.forEach((a, s) =>
      expect(maxScaledError(got[s]!, referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(
        s % 2 === 0 ? F32_BOUND : F64_BOUND,
      ),
    );
  });

  test('createNodeCpuBackend agrees with the float64 reference by default, with blas: false and with a pinned kernel', async () => {
    const a = randomDense(40, 3000, 8, true);
    const want = referenceGram(a);
    const scale = absProductScale(a, a, false, true);
    for (const options of [{}, { blas: false as const }, { relaxed: 'never' as const }]) {
      const cpu = createNodeCpuBackend(options);
      try {
        expect(maxScaledError(await cpu.gram(a), want, scale)).toBeLessThan(F32_BOUND);
      } finally {
        await cpu.dispose();
      }
    }
  });
});

// numpy's wheels bundle OpenBLAS built with 64-bit integers and prefixed, suffixed symbols
// (scipy_cblas_sgemm64_): loading that copy by name checks the ILP64 binding against the reference.
const numpyBlas = (() => {
  try {
    const script =
      "import glob, os, numpy; d = os.path.join(os.path.dirname(numpy.__file__), '..', 'numpy.libs'); print((sorted(glob.glob(os.path.join(d, 'libscipy_openblas64_*.so'))) or [''])[0])";
    return execFileSync('python3', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
})();
(numpyBlas ? test : test.skip)(
  "numpy's bundled 64-bit-integer OpenBLAS loads by name and agrees with the reference",
  async () => {
    const lib = loadNodeBlas({ library: numpyBlas })!;
    expect(lib.description).toContain(numpyBlas);
    const runner = withBlas(createInlineRunner(), lib, { minWork: 0, f32Depth: 100 });
    for (const f32 of [true, false]) {
      const a = randomDense(13, 250, 3, f32);
      const b = randomDense(250, 7, 4, f32);
      const cpu = createCpuBackend({ runner });
      expect(maxScaledError(await cpu.gram(a), referenceGram(a), absProductScale(a, a, false, true))).toBeLessThan(
        f32 ? F32_BOUND : F64_BOUND,
      );
      expect(maxScaledError(await cpu.gemm(a, b), referenceGemm(a, b), absProductScale(a, b))).toBeLessThan(
        f32 ? F32_BOUND : F64_BOUND,
      );
    }
  },
);
