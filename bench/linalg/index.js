// `npm run bench -- linalg [--reps N] [--quick] [--only name,name] [--skip-webgpu] [--skip-numpy] [--relaxed never] [--blas never|LIBRARY]`
// `npm run bench -- linalg stream [--rows 1000] [--cols 10000000] [--chunk W] [--in-flight 1024] [--cold] [--backend cpu|webgpu]`
// Times the cpu and webgpu backends against numpy (float32/float64) on the same shapes in the same
// run; prints a markdown table (medians) and writes bench/out/linalg.json.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { relaxedSimdAvailable } from '../../dist/linalg/cpu/relaxedDot.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeCpuBackend, loadNodeBlas, nodeGpu } from '../../dist/linalg/node.js';
import { createWebGpuBackend } from '../../dist/linalg/webgpu/backend.js';
import { formatBackendDescription } from '../../dist/linalg/describe.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const has = (name) => args.includes(`--${name}`);

/**
 * Deterministic fast float32 fill (values in [-1, 1)), in a SharedArrayBuffer so the cpu backend's
 * worker threads read it without a copy.
 */
function fill(n, seed) {
  const a = new Float32Array(new SharedArrayBuffer(n * 4));
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = (s >>> 0) / 2147483648 - 1;
  }
  return a;
}

const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/** Median wall time (and process CPU time, all threads) of `reps` runs after one warm-up run. */
async function timeIt(fn, reps, warmUp = true) {
  if (warmUp) await fn(); // pipelines, workers, arenas
  const times = [];
  const cpuTimes = [];
  for (let r = 0; r < reps; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    times.push((performance.now() - t) / 1000);
    const d = process.cpuUsage(c);
    cpuTimes.push((d.user + d.system) / 1e6);
  }
  return { median: median(times), times, cpuMedian: median(cpuTimes) };
}

async function main() {
  const reps = Number(flag('reps', '3'));
  const quick = has('quick');
  const only = flag('only', '')?.split(',').filter(Boolean) ?? [];
  let cases = [
    { name: 'gram 85×141,871', kind: 'gram', m: 85, n: 141871 },
    { name: 'gram 1,000×100,000', kind: 'gram', m: 1000, n: quick ? 10000 : 100000 },
    { name: 'gemm 2,048³', kind: 'gemm', n: quick ? 512 : 2048 },
    { name: 'topSVD k=10 85×141,871', kind: 'svd', m: 85, n: 141871, k: 10 },
    { name: 'topSVD k=10 1,000×1,000,000', kind: 'svd', m: 1000, n: quick ? 20000 : 1000000, k: 10 },
  ];
  if (only.length) cases = cases.filter((c) => only.some((o) => c.name.includes(o)));
  const flops = (c) => (c.kind === 'gram' ? 2 * c.m * c.m * c.n : c.kind === 'gemm' ? 2 * c.n ** 3 : null);

  console.error(
    `machine: ${cpus().length}× ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const peak = machinePeak();
  if (peak)
    console.error(
      `peak float32: ${peak.machine.toFixed(1)} GFLOPS (${peak.isa}, ${peak.perCycle} flop/cycle/core × ${peak.ghz} GHz × ${peak.cores} cores); 128-bit WASM SIMD with FMA: ${peak.wasm.toFixed(1)}`,
    );
  const relaxed = flag('relaxed', 'auto');
  // --blas never: the WebAssembly kernels only; --blas LIBRARY: that CBLAS library; default: the search
  const blasFlag = flag('blas', 'auto');
  const blasOption = blasFlag === 'never' ? false : blasFlag === 'auto' ? undefined : blasFlag;
  const blas =
    relaxed === 'never' || blasOption === false
      ? null
      : loadNodeBlas(blasOption === undefined ? {} : { library: blasOption });
  const wasmKernel = relaxed !== 'never' && relaxedSimdAvailable() ? 'relaxed SIMD f32' : 'wasm SIMD f64';
  const kernel = blas ? `${blas.description.split(' ').slice(0, 2).join(' ')} f32 blocks, f64 sums` : wasmKernel;
  console.error(
    `node ${process.version}; cpu kernel for float32 input: ${kernel}${blas ? ` (${blas.description})` : ''}`,
  );

  mkdirSync(join(here, '..', 'out'), { recursive: true });
  const partial = join(here, '..', 'out', 'linalg.partial.jsonl');
  const numpyCache = join(here, '..', 'out', 'linalg.numpy.json');
  let numpy = {};
  if (has('numpy-cache') && existsSync(numpyCache)) {
    numpy = JSON.parse(readFileSync(numpyCache, 'utf8'));
    console.error('numpy reference: cached from an earlier run (--numpy-cache)');
  } else if (!has('skip-numpy')) {
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    console.error('numpy reference…');
    numpy = JSON.parse(
      execFileSync('python3', [join(here, 'numpy_ref.py'), JSON.stringify(cases), String(reps)], {
        env,
        maxBuffer: 1 << 24,
      }).toString(),
    );
    writeFileSync(numpyCache, JSON.stringify(numpy, null, 2));
    console.error(JSON.stringify(numpy));
    if (numpy._blas) console.error(`numpy BLAS: ${JSON.stringify(numpy._blas)}`);
  }

  const backends = [
    ['cpu', () => createNodeCpuBackend({ relaxed, ...(blasOption === undefined ? {} : { blas: blasOption }) })],
  ];
  if (!has('skip-webgpu')) {
    const gpu = await nodeGpu();
    if (gpu) backends.push(['webgpu', () => createWebGpuBackend({ gpu })]);
    else console.error('no WebGPU adapter: webgpu rows skipped');
  }

  const rows = [];
  for (const c of cases) {
    const a =
      c.kind === 'gemm'
        ? { rows: c.n, cols: c.n, data: fill(c.n * c.n, 1) }
        : { rows: c.m, cols: c.n, data: fill(c.m * c.n, 1) };
    const b = c.kind === 'gemm' ? { rows: c.n, cols: c.n, data: fill(c.n * c.n, 2) } : null;
    for (const [name, make] of backends) {
      if (name === 'webgpu' && c.kind === 'svd' && c.n >= 1e6 && !has('all-webgpu')) {
        // ≈ 4e11 flop-equivalents at < 1 GFLOPS on lavapipe: > 10 minutes per run (use --all-webgpu)
        rows.push({
          case: c.name,
          backend: 'webgpu (lavapipe): not run, est. > 10 min',
          seconds: null,
          gflops: null,
          numpy: null,
        });
        continue;
      }
      const backend = await make();
      const label =
        name === 'webgpu'
          ? `webgpu (${backend.adapterDescription.split(' ').slice(0, 3).join(' ')})`
          : `cpu (${createNodeCpuBackendThreads()} threads, ${kernel})`;
      const r = c.kind === 'gemm' ? b : null;
      const run =
        c.kind === 'gram'
          ? () => backend.gram(a)
          : c.kind === 'gemm'
            ? () => backend.gemm(a, r)
            : () => backend.topSVD(a, c.k, { seed: 0 });
      console.error(`${c.name} on ${label}…`);
      // very long runs (≥ 1e11 flop-equivalents on lavapipe, topSVD at 1e6 columns): fewer repetitions
      const work =
        c.kind === 'gram' ? 2 * c.m * c.m * c.n : c.kind === 'gemm' ? 2 * c.n ** 3 : 40 * c.m * c.n * (c.k + 10);
      const long = work >= (name === 'webgpu' ? 1e11 : 4e11);
      const t = await timeIt(run, long ? 1 : reps, work < 1e10);
      // which kernels really ran (the description counts products per kernel)
      const description = backend.description;
      console.error(`  ${formatBackendDescription(description)}`);
      await backend.dispose();
      console.error(
        `  median ${t.median.toFixed(3)} s (runs: ${t.times.map((x) => x.toFixed(2)).join(', ')}; CPU ${t.cpuMedian.toFixed(1)} s)`,
      );
      appendFileSync(
        partial,
        JSON.stringify({ case: c.name, backend: label, times: t.times, cpu: t.cpuMedian }) + '\n',
      );
      rows.push({
        case: c.name,
        backend: label,
        description,
        seconds: t.median,
        cpuSeconds: t.cpuMedian,
        times: t.times,
        gflops: flops(c) ? flops(c) / t.median / 1e9 : null,
        numpy: numpy[c.name] ?? null,
      });
    }
    if (numpy[c.name]) {
      const np = numpy[c.name];
      for (const p of ['f32', 'f64']) {
        if (np[p] != null)
          rows.push({
            case: c.name,
            backend: `numpy ${p === 'f32' ? 'float32' : 'float64'}${np.note ? ` (${np.note})` : ''}`,
            seconds: np[p],
            cpuSeconds: np[`${p}_cpu`],
            times: np[`${p}_times`],
            gflops: flops(c) ? flops(c) / np[p] / 1e9 : null,
            numpy: np,
          });
      }
    }
  }

  const fmt = (x, d = 3) => (x == null ? '—' : x.toFixed(d));
  console.log('| case | backend | runs | median s | CPU s | GFLOPS | time ÷ numpy f32 | time ÷ numpy f64 |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const np = r.numpy ?? {};
    console.log(
      `| ${r.case} | ${r.backend} | ${r.times ? r.times.length : '—'} | ${fmt(r.seconds)} | ${fmt(r.cpuSeconds, 1)} | ${fmt(r.gflops, 2)} | ${np.f32 ? fmt(r.seconds / np.f32, 2) : '—'} | ${np.f64 ? fmt(r.seconds / np.f64, 2) : '—'} |`,
    );
  }
  mkdirSync(join(here, '..', 'out'), { recursive: true });
  if (peak) {
    // useful float32 work: gram computes one triangle (M·(M+1)·N flops), gemm 2·n³
    for (const r of rows) {
      const c = cases.find((x) => x.name === r.case);
      if (!r.seconds || !c || c.kind === 'svd') continue;
      const useful = c.kind === 'gram' ? c.m * (c.m + 1) * c.n : 2 * c.n ** 3;
      console.log(
        `${r.case} · ${r.backend}: ${(useful / r.seconds / 1e9).toFixed(1)} useful GFLOPS = ${((100 * useful) / r.seconds / 1e9 / peak.machine).toFixed(1)} % of the machine's float32 peak, ${((100 * useful) / r.seconds / 1e9 / peak.wasm).toFixed(1)} % of the 128-bit SIMD peak`,
      );
    }
  }
  console.error(
    `load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  writeFileSync(
    join(here, '..', 'out', 'linalg.json'),
    JSON.stringify({ reps, loadavg: loadavg(), node: process.version, kernel, peak, rows }, null, 2),
  );
  process.exit(0);
}

/**
 * The float32 peak from /proc/cpuinfo (Linux): flop/cycle/core = 2 FMA units × lanes × 2 (AVX-512:
 * 16 lanes, AVX2+FMA and Zen 4's AVX-512: 8, SSE without FMA: 4 lanes × (mul + add ports)), × the
 * nominal clock × cores;
 * `wasm`: the same for 128-bit SIMD (4 lanes) with FMA, the most WebAssembly can issue.
 */
function machinePeak() {
  let text;
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
  const flags = new Set((text.match(/^flags\s*:(.*)$/m)?.[1] ?? '').trim().split(/\s+/));
  const ghz = Number(text.match(/^cpu MHz\s*:\s*([\d.]+)/m)?.[1] ?? 0) / 1000;
  const cores = cpus().length;
  const fma = flags.has('fma');
  // AMD family 19h (Zen 3/Zen 4) executes AVX-512 on 256-bit FMA datapaths (one 512-bit FMA = two
  // 256-bit halves), so its peak is that of AVX2; Intel and Zen 5 have 512-bit datapaths
  const amd = /^vendor_id\s*:\s*AuthenticAMD/m.test(text);
  const family = Number(text.match(/^cpu family\s*:\s*(\d+)/m)?.[1] ?? 0);
  const halfWidth512 = amd && family === 25;
  const [isa, perCycle] =
    flags.has('avx512f') && fma && !halfWidth512
      ? ['AVX-512 FMA', 64]
      : flags.has('avx512f') && fma
        ? ['AVX-512 FMA on 256-bit datapaths (AMD Zen 4)', 32]
        : flags.has('avx2') && fma
          ? ['AVX2 FMA', 32]
          : ['SSE', 8];
  return { isa, perCycle, ghz, cores, machine: perCycle * ghz * cores, wasm: (fma ? 16 : 8) * ghz * cores };
}

function createNodeCpuBackendThreads() {
  return cpus().length;
}

if (args[0] === 'stream') {
  await import('./stream.js');
} else {
  await main();
}
