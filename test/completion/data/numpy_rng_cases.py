"""Writes numpy's own outputs for forgetscope's PCG64/SeedSequence/Generator tests.

Run: python3 numpy_rng_cases.py > numpy-rng-cases.json  (the JSON is committed so the tests still
check against numpy where python3 is absent; when python3 + numpy are present the tests also run this
script live). Every expected value here comes from numpy, never from forgetscope.
"""
import json
import sys

import numpy as np


def cases(seeds, sizes):
    out = {"numpy": np.__version__, "seedState": [], "choice": [], "integers": [], "random": []}
    for seed in seeds:
        words = np.random.SeedSequence(seed).generate_state(8, np.uint32)
        out["seedState"].append({"seed": seed, "words": [int(w) for w in words]})
    for seed in seeds:
        for n in sizes:
            k = 1 + (seed * 7 + n) % 40
            out["choice"].append({"seed": seed, "n": n, "k": k,
                                  "values": [int(v) for v in np.random.default_rng(seed).choice(n, k)]})
    for seed in seeds[:20]:
        for low, high in [(0, 2 ** 32), (5, 2 ** 32 + 5), (0, 2 ** 33 + 5), (-7, 2 ** 40), (0, 3)]:
            out["integers"].append({"seed": seed, "low": low, "high": high, "k": 9,
                                    "values": [str(int(v)) for v in np.random.default_rng(seed).integers(low, high, 9)]})
        out["random"].append({"seed": seed, "values": [float(v) for v in np.random.default_rng(seed).random(5)]})
    # Many draws from one generator: mixes the 32-bit buffer with rejection loops.
    rng = np.random.default_rng(12345)
    out["stream"] = {"seed": 12345, "n": 3, "k": 2000, "values": [int(v) for v in rng.choice(3, 2000)]}
    return out


if __name__ == "__main__":
    seeds = [int(a) for a in sys.argv[1].split(",")] if len(sys.argv) > 1 else list(range(0, 60)) + [2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, 2 ** 52 + 12345, 123456789]
    sizes = [1, 2, 3, 7, 30, 1000, 1024, 20000, 141871, 2 ** 31 - 1]
    json.dump(cases(seeds, sizes), sys.stdout, separators=(",", ":"))
