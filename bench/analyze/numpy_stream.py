"""numpy/pyarrow reference for the streamed analyze benchmark: one pass over the wide Parquet file's
row groups accumulating the float64 Gram matrix, row/column sums, extrema and counts (the same work
as analyzeStream), then eigh and R²_1..5. Prints one JSON object with the time and peak RSS."""
import json
import resource
import sys
import time

import numpy as np
import pyarrow.parquet as pq

t0 = time.perf_counter()
f = pq.ParquetFile(sys.argv[1])
tasks = [n for n in f.schema_arrow.names if n.startswith("t")]
M = len(tasks)
G = np.zeros((M, M))
row_sum = np.zeros(M)
col_sums = []
col_max = []
s1 = 0.0
s2 = 0.0
n = 0
for g in range(f.num_row_groups):
    t = f.read_row_group(g, columns=tasks)
    B = np.stack([t.column(i).to_numpy() for i in range(M)]).astype(np.float64)  # M × c
    G += B @ B.T
    row_sum += B.sum(axis=1)
    col_sums.append(B.sum(axis=0))
    col_max.append(B.max(axis=0))
    s1 += B.sum()
    s2 += (B * B).sum()
    n += B.shape[1]
w = np.linalg.eigvalsh(G)[::-1]
count = M * n
mu = s1 / count
sst = s2 - count * mu * mu
r2 = [float(1 - (s2 - w[:k].sum()) / sst) for k in range(1, 6)]
print(json.dumps({"seconds": time.perf_counter() - t0, "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "r2": r2, "examples": n, "tasks": M}))
