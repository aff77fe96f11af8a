import { execFileSync } from 'node:child_process';
import { ForgettingMatrix } from '../../../src/matrix/ForgettingMatrix.js';
import { defaultRng } from '../../../src/completion/protocol/generator.js';
import type { CompletionMethod } from '../../../src/completion/types.js';
import { numpyAvailable as numpyPresent } from '../../helpers/python.js';

// The spec's logistic MF written directly in numpy: full-batch gradient ascent, H then W, sigmoid
// recomputed in between; inits from default_rng(seed) (W) and default_rng(seed + 1) (H).
const NUMPY_LGMF = `
import json, sys, numpy as np
d = json.load(sys.stdin)
Z = np.array(d['train']); M, N = Z.shape
Y = np.zeros((M + 1, N)); mask = np.zeros((M + 1, N))
Y[:M] = Z > 0; mask[:M] = 1
for c, v in zip(d['cols'], d['vals']):
    Y[M, c] = v > 0; mask[M, c] = 1
lr, reg, iters, seed = d['lr'], d['reg'], d['iters'], d['seed']
sig = lambda x: 1 / (1 + np.exp(-x))
out = {}
W = np.random.default_rng(seed).normal(0, 0.005, (M + 1, 5)); H = np.random.default_rng(seed + 1).normal(0, 0.005, (5, N))
for _ in range(iters):
    H += lr * (W.T @ ((Y - sig(W @ H)) * mask) - reg * H)
    W += lr * (((Y - sig(W @ H)) * mask) @ H.T - reg * W)
out['lgmf'] = (W[M] @ H).tolist()
w = np.random.default_rng(seed).normal(0, 1, M + 1); h = np.random.default_rng(seed + 1).normal(0, 1, N)
for _ in range(iters):
    h += lr * ((((Y - sig(w[:, None] + h[None, :])) * mask).sum(axis=0)) - reg * h)
    w += lr * ((((Y - sig(w[:, None] + h[None, :])) * mask).sum(axis=1)) - reg * w)
out['lgmf-additive'] = (w[M] + h).tolist()
print(json.dumps(out))`;

/** The gradient-ascent settings of the numpy comparison. */
export const LOGISTIC_SETTINGS = { lr: 0.05, reg: 0.1, iters: 300, seed: 3 };

/**
 * Fits `method` (lgmf or lgmf-additive, built with LOGISTIC_SETTINGS) on a small seeded matrix and
 * expects its logits for a test row with five known entries to equal the numpy implementation of the
 * spec to 1e-10 relative. Skipped without python3 + numpy, a failure in CI.
 */
export async function expectLogitsEqualNumpy(method: CompletionMethod): Promise<void> {
  if (!numpyPresent()) return;
  const m = 6;
  const n = 40;
  const u = defaultRng(11).random(m * n + 2 * n);
  const rows = Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => u[i * n + j]! - 0.3 + 0.02 * i));
  const cols = [1, 4, 9, 17, 30];
  const vals = cols.map((c) => u[m * n + c]! - 0.5);
  const settings = LOGISTIC_SETTINGS;
  const expected = JSON.parse(
    execFileSync('python3', ['-c', NUMPY_LGMF], {
      input: JSON.stringify({ train: rows, cols, vals, ...settings }),
      encoding: 'utf8',
    }),
  ) as Record<string, number[]>;
  const train = ForgettingMatrix.fromRows(rows);
  const known = { columns: Int32Array.from(cols), values: Float64Array.from(vals) };
  const fitted = await method.fit(train, { seed: settings.seed });
  expect(fitted.scoresOnly).toBe(true);
  const { prediction } = await fitted.predictRow(known);
  const want = expected[method.name]!;
  // The logits move far from their init (this is not a test of the starting point only).
  expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.05);
  for (let j = 0; j < n; j++)
    expect(Math.abs(prediction[j]! - want[j]!)).toBeLessThan(1e-10 * Math.max(1, Math.abs(want[j]!)));
}
