"""Float64 numpy reference for the structure analysis of a dataset folder (used by the jest tests).

Usage: python3 numpy_reference.py <dataset-folder> [K]
Prints one JSON object: R²_k by explicit reconstruction from numpy's SVD, singular values, additive,
row-only, column-only R², the Surprise-style regularised additive R² (100 epochs, reg 15 / 10),
per-source aggregates, per-task means, per-example means/max and lr×steps correlations.
"""
import json
import sys

import numpy as np

folder = sys.argv[1]
K = int(sys.argv[2]) if len(sys.argv) > 2 else 5
Z = np.load(f"{folder}/Z.npy").astype(np.float64)
tasks = json.load(open(f"{folder}/tasks.json"))
examples = [json.loads(line) for line in open(f"{folder}/examples.jsonl") if line.strip()]
M, N = Z.shape
mu = Z.mean()
sst = ((Z - mu) ** 2).sum()


def r2(fit):
    return float(1 - ((Z - fit) ** 2).sum() / sst)


U, s, Vt = np.linalg.svd(Z, full_matrices=False)
ranks = [r2((U[:, :k] * s[:k]) @ Vt[:k]) for k in range(1, K + 1)]
row = Z.mean(axis=1, keepdims=True)
col = Z.mean(axis=0, keepdims=True)
additive = r2(row + col - mu)

# Surprise BaselineOnly ALS, written from its description: items (examples) then users (tasks).
bu = np.zeros(M)
bi = np.zeros(N)
for _ in range(100):
    bi = (Z - mu - bu[:, None]).sum(axis=0) / (10 + M)
    bu = (Z - mu - bi[None, :]).sum(axis=1) / (15 + N)
additive_als = r2(mu + bu[:, None] + bi[None, :])

sources = {}
src = np.array([e.get("source") for e in examples])
total = Z.sum()
for name in sorted(set(src)):
    block = Z[:, src == name]
    sources[name] = {
        "mean": float(block.mean()),
        "fractionForgotten": float((block > 0).mean()),
        "share": float(block.sum() / total),
        "examples": int((src == name).sum()),
    }


def midranks(x):
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    xs = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2
        i = j + 1
    return ranks


task_mean = Z.mean(axis=1)
lrs = np.array([t["lr"] * t["steps"] for t in tasks], dtype=np.float64)
out = {
    "M": M,
    "N": N,
    "r2": ranks,
    "singularValues": s[:K].tolist(),
    "energy": (s[:K] ** 2 / (Z**2).sum()).tolist(),
    "additive": additive,
    "row": r2(np.broadcast_to(row, Z.shape)),
    "column": r2(np.broadcast_to(col, Z.shape)),
    "additiveAls": additive_als,
    "rmse1": float(np.sqrt((((U[:, :1] * s[:1]) @ Vt[:1] - Z) ** 2).mean())),
    "sources": sources,
    "taskMean": task_mean.tolist(),
    "exampleMean": Z.mean(axis=0).tolist(),
    "exampleMax": Z.max(axis=0).tolist(),
    "lrStepsPearson": float(np.corrcoef(lrs, task_mean)[0, 1]),
    "lrStepsSpearman": float(np.corrcoef(midranks(lrs), midranks(task_mean))[0, 1]),
    "firstRightVector": (Vt[0] * np.sign(Vt[0][np.argmax(np.abs(Vt[0]))])).tolist(),
}
print(json.dumps(out))
