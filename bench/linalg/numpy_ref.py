"""numpy reference timings for `npm run bench -- linalg` (same shapes as index.js).

Prints one JSON object: {case: {"f32": median_seconds | null, "f64": ... , "note": str}}.
Run by index.js with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from the environment.
"""
import json
import statistics
import sys
import time

import numpy as np


def median_time(fn, reps):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    cases = json.loads(sys.argv[1])
    reps = int(sys.argv[2])
    rng = np.random.default_rng(0)
    out = {}
    for case in cases:
        name, kind = case["name"], case["kind"]
        res = {"note": ""}
        if kind == "gram":
            m, n = case["m"], case["n"]
            a32 = rng.standard_normal((m, n), dtype=np.float32)
            res["f32"] = median_time(lambda: a32 @ a32.T, reps)
            if m * n <= 2e8:
                a64 = a32.astype(np.float64)
                res["f64"] = median_time(lambda: a64 @ a64.T, reps)
                del a64
            del a32
        elif kind == "gemm":
            n = case["n"]
            a32 = rng.standard_normal((n, n), dtype=np.float32)
            b32 = rng.standard_normal((n, n), dtype=np.float32)
            res["f32"] = median_time(lambda: a32 @ b32, reps)
            a64, b64 = a32.astype(np.float64), b32.astype(np.float64)
            res["f64"] = median_time(lambda: a64 @ b64, reps)
        elif kind == "svd":
            m, n, k = case["m"], case["n"], case["k"]
            a32 = rng.standard_normal((m, n), dtype=np.float32)
            if m * n <= 2e7:
                # the yardstick: full thin SVD in float64
                a64 = a32.astype(np.float64)
                res["f64"] = median_time(lambda: np.linalg.svd(a64, full_matrices=False), reps)
                res["f32"] = median_time(lambda: np.linalg.svd(a32, full_matrices=False), reps)
                res["note"] = "np.linalg.svd(full_matrices=False)"
            else:
                # a thin SVD of 1000×1e6 needs V (8 GB in float64): use the Gram route, top-k of eigh
                def gram_eigh(a):
                    g = a @ a.T
                    w, u = np.linalg.eigh(g)
                    return np.sqrt(np.maximum(w[::-1][:k], 0))
                res["f32"] = median_time(lambda: gram_eigh(a32), max(1, reps // 2))
                res["f64"] = None
                res["note"] = "numpy float32 eigh(A@A.T) top-k (thin SVD would not fit memory)"
        out[name] = res
    print(json.dumps(out))


if __name__ == "__main__":
    main()
