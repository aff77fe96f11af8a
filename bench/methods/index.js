// Benchmark of the seed-method modules on a 4,096 × 11,008 matrix (a LLaMA-7B MLP up-projection):
// protected basis (top-k SVD), projectUpdate (paper and strict) and updateEnergySplit, on the cpu
// and webgpu backends, against numpy (float64 BLAS) measured in the same run.
//
//   npm run bench -- methods [--rows 4096] [--cols 11008] [--k 64] [--runs 3] [--backends cpu,webgpu] [--full]
//
// --full also times the full spectrum (all 4,096 singular values: Gram + symmetric eigensolver),
// which is what the energy rule and the effective rank need.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectUpdate, protectedBasis, updateEnergySplit, spectrum } from '../../dist/index.js';
import { selectNodeBackend, writeSafetensorsFile } from '../../dist/node.js';
import { mulberry32 } from '../../dist/linalg/random.js';
import { flag, opt, timeRuns } from '../args.js';

const rows = Number(opt('rows', '4096'));
const cols = Number(opt('cols', '11008'));
const k = Number(opt('k', '64'));
const runs = Number(opt('runs', '3'));
const backends = opt('backends', 'cpu,webgpu').split(',');
const full = flag('full');

// Seeded data: W has a decaying spectrum (low-rank part + noise), ΔW is small noise.
const mulberry = mulberry32;
const rng = mulberry(42);
const W = new Float32Array(rows * cols);
const r = 32;
const L = Float32Array.from({ length: rows * r }, () => rng() - 0.5);
const R = Float32Array.from({ length: r * cols }, () => rng() - 0.5);
for (let i = 0; i < rows; i++) {
  for (let c = 0; c < r; c++) {
    const l = L[i * r + c] * (4 / (1 + c));
    if (l === 0) continue;
    const off = c * cols;
    for (let j = 0; j < cols; j++) W[i * cols + j] += l * R[off + j];
  }
  for (let j = 0; j < cols; j++) W[i * cols + j] += 0.05 * (rng() - 0.5);
}
const D = Float32Array.from({ length: rows * cols }, () => 0.001 * (rng() - 0.5));
const w = { rows, cols, data: W };
const dw = { rows, cols, data: D };

const time = (fn, n = runs) => timeRuns(fn, n);

const results = {};
for (const name of backends) {
  const backend = await selectNodeBackend(name, { warn: (m) => console.error(`warning: ${m}`) });
  const label = `${name}${backend.name !== name ? `→${backend.name}` : ''}`;
  const svd = await time(() => protectedBasis(w, k, { backend }));
  const basis = svd.out;
  const paper = await time(() => projectUpdate(dw, basis.Uh, basis.Vh, 'paper', { backend }));
  const strict = await time(() => projectUpdate(dw, basis.Uh, basis.Vh, 'strict', { backend }));
  const split = await time(() => updateEnergySplit(dw, basis, { backend }));
  results[label] = {
    svd: svd.median,
    paper: paper.median,
    strict: strict.median,
    split: split.median,
    protectedFrac: split.out.protectedFrac,
    sigma1: basis.sigmaH[0],
  };
  if (full) {
    const sp = await time(() => spectrum(w, { backend }), 1);
    results[label].fullSpectrum = sp.median;
    results[label].effRank = sp.out.effRank;
  }
  console.error(label, JSON.stringify(results[label]));
  await backend.dispose();
}

// numpy reference (float64 BLAS, all threads), same data through a safetensors file.
const dir = mkdtempSync(join(tmpdir(), 'bench-methods-'));
try {
  await writeSafetensorsFile(join(dir, 'w.safetensors'), [
    { name: 'W', shape: [rows, cols], data: W },
    { name: 'D', shape: [rows, cols], data: D },
  ]);
  const py = `
import numpy as np, time, json
from safetensors.numpy import load_file
t = load_file("w.safetensors"); W = t["W"].astype(np.float64); D = t["D"].astype(np.float64); k = ${k}; runs = ${runs}
def tm(f, n=runs):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), out
def rsvd():  # randomized SVD, same oversampling (10) and power iterations (4) as forgetscope
    rng = np.random.default_rng(0); Q = np.linalg.qr(W.T @ rng.standard_normal((W.shape[0], k + 10)))[0]
    for _ in range(4):
        Q = np.linalg.qr(W @ Q)[0]; Q = np.linalg.qr(W.T @ Q)[0]
    U, s, Vt = np.linalg.svd(W @ Q, full_matrices=False)
    return U[:, :k], s[:k], (Q @ Vt.T)[:, :k]
ts, (Uh, s, Vh) = tm(rsvd)
tp, _ = tm(lambda: D - Uh @ ((Uh.T @ D @ Vh) @ Vh.T))
def strict():
    A = D - Uh @ (Uh.T @ D)
    return A - (A @ Vh) @ Vh.T
tst, _ = tm(strict)
def split():
    A = Uh.T @ D; C = D @ Vh; B = A @ Vh; tot = (D**2).sum()
    return (B**2).sum() / tot
tsp, pf = tm(split)
out = {"svd": ts, "paper": tp, "strict": tst, "split": tsp, "protectedFrac": float(pf), "sigma1": float(s[0])}
if ${full ? 'True' : 'False'}:
    tf, sv = tm(lambda: np.linalg.svd(W, compute_uv=False), 1)
    p = sv / sv.sum(); out["fullSpectrum"] = tf; out["effRank"] = float(np.exp(-(p * np.log(p)).sum()))
print(json.dumps(out))
`;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const res = spawnSync('python3', ['-c', py], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (res.status === 0) results['numpy'] = JSON.parse(res.stdout);
  else console.error(`numpy reference failed: ${res.stderr}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const keys = ['svd', 'paper', 'strict', 'split', ...(full ? ['fullSpectrum'] : [])];
console.log(`methods bench: ${rows}×${cols}, k = ${k}, median of ${runs} runs (full spectrum: 1 run)`);
console.log(
  ['backend', ...keys.map((x) => `${x} s`), ...(results.numpy ? keys.map((x) => `${x} ×numpy`) : [])].join(' | '),
);
for (const [name, r] of Object.entries(results)) {
  console.log(
    [
      name,
      ...keys.map((x) => (r[x] ?? NaN).toFixed(3)),
      ...(results.numpy ? keys.map((x) => ((r[x] ?? NaN) / results.numpy[x]).toFixed(2)) : []),
    ].join(' | '),
  );
}
if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(results, null, 1));
