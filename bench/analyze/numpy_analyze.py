"""numpy reference for `npm run bench -- analyze`: the same structure analysis and summaries in float64.

Usage: python3 numpy_analyze.py Z.npy RUNS
Times, per run: thin SVD (np.linalg.svd, full_matrices=False) → R²_1..5 and energy; additive, row-only,
column-only least squares with their SSE; the regularised additive ALS (100 epochs, from row/column
sums); per-example mean/max/min/fraction forgotten; top-10 examples; per-task means; per-source
aggregates (7 sources, example j in source j mod 7). Also times the same with eigh(Z·Zᵀ) in place
of the SVD. Prints one JSON object.
"""
import json
import sys
import time

import numpy as np

Z = np.load(sys.argv[1])
runs = int(sys.argv[2])
M, N = Z.shape
sources = np.arange(N) % 7


def analyze(use_gram):
    mu = Z.mean()
    sst = ((Z - mu) ** 2).sum()
    sumsq = (Z * Z).sum()
    if use_gram:
        w, U = np.linalg.eigh(Z @ Z.T)
        s = np.sqrt(np.maximum(w[::-1], 0))
    else:
        U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    r2 = [1 - (sumsq - (s[:k] ** 2).sum()) / sst for k in range(1, 6)]
    energy = s[:5] ** 2 / sumsq
    rows = Z.mean(axis=1)
    cols = Z.mean(axis=0)
    a = rows - mu
    b = cols - mu
    sse_add = ((Z - mu - a[:, None] - b[None, :]) ** 2).sum()
    sse_row = ((Z - rows[:, None]) ** 2).sum()
    sse_col = ((Z - cols[None, :]) ** 2).sum()
    rs = Z.sum(axis=1)
    cs = Z.sum(axis=0)
    bu = np.zeros(M)
    bi = np.zeros(N)
    for _ in range(100):
        bi = (cs - M * mu - bu.sum()) / (10 + M)
        bu = (rs - N * mu - bi.sum()) / (15 + N)
    sse_als = ((Z - mu - bu[:, None] - bi[None, :]) ** 2).sum()
    ex_max = Z.max(axis=0)
    ex_min = Z.min(axis=0)
    ex_frac = (Z > 0).mean(axis=0)
    top = np.argsort(-cols, kind="stable")[:10]
    task_frac = (Z > 0).mean(axis=1)
    src_sum = np.bincount(sources, weights=cs, minlength=7)
    src_pos = np.bincount(sources, weights=(Z > 0).sum(axis=0), minlength=7)
    src_n = np.bincount(sources, minlength=7) * M
    src_mean = src_sum / src_n
    src_share = src_sum / src_sum.sum()
    return {
        "r2": [float(x) for x in r2],
        "additive": float(1 - sse_add / sst),
        "row": float(1 - sse_row / sst),
        "column": float(1 - sse_col / sst),
        "additiveAls": float(1 - sse_als / sst),
        "top": top.tolist(),
    }


out = {}
for name, use_gram in [("svd", False), ("gram_eigh", True)]:
    times = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = analyze(use_gram)
        times.append(time.perf_counter() - t0)
    out[name] = {"times": times, "result": result}
out["numpy"] = np.__version__
print(json.dumps(out))
