"""numpy reference timings for `npm run bench -- linalg` (same shapes as index.js).

Prints one JSON object: {case: {"f32": median_seconds | null, "f64": ... , "note": str}}.
Run by index.js with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from the environment.
"""
import json
import statistics
import sys
import time

import numpy as np


def median_time(fn, reps, warm_up=True):
    """Median wall seconds of `reps` runs after a warm-up; also records process CPU seconds."""
    if warm_up:
        fn()
    times, cpu = [], []
    for _ in range(reps):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    median_time.last = (times, statistics.median(cpu))
    return statistics.median(times)


def record(res, key, fn, reps, warm_up=True):
    res[key] = median_time(fn, reps, warm_up)
    res[key + "_times"], res[key + "_cpu"] = median_time.last


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
            record(res, "f32", lambda: a32 @ a32.T, reps)
            if m * n <= 2e8:
                a64 = a32.astype(np.float64)
                record(res, "f64", lambda: a64 @ a64.T, reps)
                del a64
            del a32
        elif kind == "gemm":
            n = case["n"]
            a32 = rng.standard_normal((n, n), dtype=np.float32)
            b32 = rng.standard_normal((n, n), dtype=np.float32)
            record(res, "f32", lambda: a32 @ b32, reps)
            a64, b64 = a32.astype(np.float64), b32.astype(np.float64)
            record(res, "f64", lambda: a64 @ b64, reps)
        elif kind == "svd":
            m, n, k = case["m"], case["n"], case["k"]
            a32 = rng.standard_normal((m, n), dtype=np.float32)
            if m * n <= 2e7:
                # the yardstick: full thin SVD in float64
                a64 = a32.astype(np.float64)
                record(res, "f64", lambda: np.linalg.svd(a64, full_matrices=False), reps)
                record(res, "f32", lambda: np.linalg.svd(a32, full_matrices=False), reps)
                res["note"] = "np.linalg.svd(full_matrices=False)"
            else:
                # a thin SVD of 1000×1e6 needs V (8 GB in float64): use the Gram route, top-k of eigh
                def gram_eigh(a):
                    g = a @ a.T
                    w, u = np.linalg.eigh(g)
                    return np.sqrt(np.maximum(w[::-1][:k], 0))
                record(res, "f32", lambda: gram_eigh(a32), 1, warm_up=False)
                res["f64"] = None
                res["note"] = "numpy float32 eigh(A@A.T) top-k (thin SVD would not fit memory)"
        out[name] = res
    try:
        from threadpoolctl import threadpool_info

        out["_blas"] = [
            {k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for i in threadpool_info()
        ]
    except ImportError:
        out["_blas"] = "threadpoolctl not installed"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
