// The core subset every supported runtime runs (Node 22/24, Deno 2, headless Chromium): plain ESM
// with no runtime-specific imports. The library (`lib`: dist/index.js or the browser bundle) and the
// fixture files come in as arguments, so the same code runs in each runtime. Numbers are checked
// against the fixture's own float64 references (fixtures/real-dev-v1/sanity.json, computed with
// numpy when the fixture was made), never against this code's own output.

/** Tolerance against numpy's statistics (as test/analysis/fixtureNumpy.test.ts: numpy summed in another order). */
const TOL = 1e-6;

/**
 * Runs the checks; returns `{ lines, failures, results }`. `files` holds the fixture's bytes:
 * `long.parquet`, `Z.npy` (Uint8Array) and `sanity` (the parsed sanity.json). `gpu` is the runtime's
 * WebGPU entry point (navigator.gpu, Dawn's GPU) or null; with `requireWebGpu` a missing adapter fails.
 */
export async function runCoreChecks(lib, files, { gpu = null, requireWebGpu = false, runtime = 'unknown' } = {}) {
  const lines = [];
  const failures = [];
  const results = {};
  const check = (name, ok, detail) => {
    lines.push(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
    if (!ok) failures.push(name);
  };
  const { sanity } = files;

  // io: the long table (Parquet, zstd) and the dense array read from bytes agree.
  const long = await lib.readForgettingMatrixFromBytes(files['long.parquet'], {
    format: 'parquet',
    fileName: 'long.parquet',
  });
  const dense = await lib.readForgettingMatrixFromBytes(files['Z.npy'], { format: 'npy', fileName: 'Z.npy' });
  const [m, n] = long.matrix.shape;
  check(
    'read long.parquet',
    m === sanity.M && n === sanity.N && long.report.kept === sanity.M * sanity.N,
    `shape ${m}×${n}, kept ${long.report.kept}`,
  );
  let worst = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(long.matrix.get(i, j) - dense.matrix.get(i, j)));
  check(
    'long.parquet = Z.npy',
    worst <= 5.1e-5,
    `max |difference| ${worst.toExponential(2)} (the long table is rounded to 5 decimals)`,
  );
  const summary = dense.matrix.summary();
  check(
    'mean Z',
    Math.abs(summary.mean - sanity.mean_Z) < 1e-6,
    `${summary.mean.toFixed(7)} vs numpy ${sanity.mean_Z.toFixed(7)} (float32 file)`,
  );

  // analysis on the cpu backend against numpy's float64 SVD R² and additive R².
  const cpu = lib.createCpuBackend();
  const structure = await lib.analyzeStructure(dense.matrix, { ranks: 5, backend: cpu });
  const r2 = Array.from(structure.lowRank.r2);
  const r2Err = Math.max(...r2.map((x, k) => Math.abs(x - sanity.r2_uncentered_svd_rank1to5[k])));
  check(
    'rank-1..5 R² (cpu)',
    r2Err < TOL,
    `${r2.map((x) => x.toFixed(6)).join(', ')}; max |Δ| vs numpy ${r2Err.toExponential(2)}`,
  );
  const addErr = Math.abs(structure.additive.r2 - sanity.r2_additive);
  check(
    'additive R² (cpu)',
    addErr < 1e-6,
    `${structure.additive.r2.toFixed(6)} vs numpy ${sanity.r2_additive.toFixed(6)}`,
  );
  results.r2 = r2;

  // completion: the paper protocol, one seed, two methods; the multiplicative model beats the additive one.
  const evaluation = await lib.evaluate(dense.matrix, {
    trainRows: Array.from({ length: 26 }, (_, i) => i),
    testRows: Array.from({ length: 11 }, (_, i) => 26 + i),
    seeds: [0],
    methods: [lib.createCompletionMethod('lowrank'), lib.createCompletionMethod('additive-ls')],
  });
  const rmse = { lowrank: evaluation.methods['lowrank'].rmse, 'additive-ls': evaluation.methods['additive-ls'].rmse };
  check(
    'evaluate (lowrank, additive-ls, seed 0)',
    Number.isFinite(rmse.lowrank) && rmse.lowrank > 0 && rmse.lowrank < 1,
    `RMSE lowrank ${rmse.lowrank.toFixed(6)}, additive-ls ${rmse['additive-ls'].toFixed(6)}`,
  );
  results.rmse = rmse;

  // completion of a held-out task (row 36, not in the training rows) from 30 measured entries.
  const row = 36;
  const columns = Int32Array.from({ length: 30 }, (_, k) => k * 33);
  const known = { columns, values: Float64Array.from(columns, (c) => dense.matrix.get(row, c)) };
  const fitted = await lib
    .createCompletionMethod('lowrank')
    .fit(dense.matrix.selectRows(Array.from({ length: 36 }, (_, i) => i)), {});
  const predicted = (await fitted.predictRow(known)).prediction;
  const corr = pearson(
    predicted,
    Float64Array.from({ length: n }, (_, j) => dense.matrix.get(row, j)),
  );
  check('predict a held-out task from 30 entries', corr > 0.5, `Pearson r with the measured row ${corr.toFixed(4)}`);
  results.predictCorr = corr;
  await cpu.dispose();

  // WebGPU where the runtime offers an adapter, compared with the cpu path.
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    const why = gpu
      ? 'navigator.gpu exists but requestAdapter() returned null'
      : 'this runtime exposes no WebGPU entry point';
    check(
      `WebGPU (${runtime})`,
      !requireWebGpu,
      `no adapter: ${why}; ${requireWebGpu ? 'FORGETSCOPE_REQUIRE_WEBGPU=1 makes this a failure' : 'the cpu path above is what ran'}`,
    );
    results.webgpu = null;
  } else {
    const backend = await lib.selectBackend('webgpu', { gpu, requireWebGpu: true });
    const info = adapter.info ?? {};
    const description =
      [info.vendor, info.architecture, info.device, info.description]
        .filter((x) => x !== undefined && x !== '')
        .join(' ') || 'adapter without info';
    const a = { rows: m, cols: n, data: dense.matrix.values };
    const cpu2 = lib.createCpuBackend();
    const [gGpu, gCpu] = [await backend.gram(a), await cpu2.gram(a)];
    let rel = 0;
    let scale = 0;
    for (let k = 0; k < gCpu.length; k++) scale = Math.max(scale, Math.abs(gCpu[k]));
    for (let k = 0; k < gCpu.length; k++) rel = Math.max(rel, Math.abs(gGpu[k] - gCpu[k]) / scale);
    check(
      `WebGPU gram ${m}×${n} vs cpu (${description})`,
      backend.name === 'webgpu' && rel < 1e-5,
      `backend ${backend.name}, max |Δ| / max |G| ${rel.toExponential(2)}`,
    );
    const sGpu = await lib.analyzeStructure(dense.matrix, { ranks: 5, backend });
    const dGpu = Math.max(...Array.from(sGpu.lowRank.r2, (x, k) => Math.abs(x - r2[k])));
    check('WebGPU rank-1..5 R² vs cpu', dGpu < 1e-5, `max |Δ| ${dGpu.toExponential(2)}`);
    results.webgpu = { adapter: description, gramRelErr: rel, r2Diff: dGpu };
    await backend.dispose();
    await cpu2.dispose();
  }
  return { lines, failures, results };
}

function pearson(a, b) {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
