"""dual_memory.py against the engine's dual memory (src/methods/interpolated-lora, built to dist/):
the same EMA factors and steps, reservoir slots, softmax weights and weighted draws on the same inputs,
and both against float64 hand references."""

from __future__ import annotations

import json
import math
import random
import subprocess

import numpy as np
import pytest
import torch

from forgetscope.dual_memory import ReservoirBuffer, ema_lambda, ema_update, softmax_weights, weighted_replay_sample

from conftest import REPO

_SCRIPT = r"""
const [root, input] = process.argv.slice(1);
const { pathToFileURL } = await import('node:url');
const fs = await import(pathToFileURL(root + '/dist/index.js').href);
const q = JSON.parse(input);
const out = {};
out.lambdas = q.steps.map((k) => fs.emaLambda(k, q.lambdaMax));
out.ema = Array.from(fs.emaStep(Float32Array.from(q.slow), Float32Array.from(q.fast), q.lambda));
out.softmax = Array.from(fs.softmaxWeights(Float64Array.from(q.scores), q.temperature));
out.draws = q.draws.map((d) => Array.from(fs.weightedReplaySample(Float64Array.from(d.w), d.n, Float64Array.from(d.u))));
const script = q.randInts.slice();
const buf = new fs.ReservoirBuffer(q.capacity, () => script.shift());
out.slots = q.items.map((x) => buf.add(x));
out.items = buf.items();
process.stdout.write(JSON.stringify(out));
"""


def _engine(query: dict) -> dict:
    assert (REPO / "dist" / "index.js").is_file(), "run `npm run build` first"
    proc = subprocess.run(["node", "--input-type=module", "-e", _SCRIPT, str(REPO), json.dumps(query)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_python_and_engine_dual_memory_agree():
    rng = random.Random(7)
    n = 40
    scores = [rng.gauss(0, 1) for _ in range(n)]
    w_soft = softmax_weights(scores, 0.25)
    draws = []
    for k in range(6):
        w = [0.0 if rng.random() < 0.2 else rng.random() ** 3 for _ in range(n)]
        if k == 0:
            w = w_soft
        u = [1.0 - rng.random() for _ in range(n)]
        draws.append({"w": w, "u": u, "n": rng.randint(1, n)})
    capacity, items = 5, [f"x{i}" for i in range(30)]
    rand_ints = [rng.randint(0, i) for i in range(capacity, len(items))]
    slow = [rng.uniform(-1, 1) for _ in range(17)]
    fast = [rng.uniform(-1, 1) for _ in range(17)]
    lam = ema_lambda(6, 0.9)
    steps = list(range(0, 15))
    query = {"steps": steps, "lambdaMax": 0.9, "slow": slow, "fast": fast, "lambda": lam, "scores": scores, "temperature": 0.25,
             "draws": draws, "capacity": capacity, "items": items, "randInts": rand_ints}
    eng = _engine(query)

    # EMA factor: identical doubles, and the hand formula min(1 - 1/(k+1), 0.9).
    assert [ema_lambda(k, 0.9) for k in steps] == eng["lambdas"] == [min(1 - 1 / (k + 1), 0.9) for k in steps]
    # EMA step on float32 tensors: within float32 rounding of the float64 reference, as the engine's.
    s32 = torch.tensor(slow, dtype=torch.float32)
    ema_update([s32], [torch.tensor(fast, dtype=torch.float32)], lam)
    ref = lam * np.float32(slow).astype(np.float64) + (1 - lam) * np.float32(fast).astype(np.float64)
    np.testing.assert_allclose(s32.numpy(), ref, rtol=0, atol=2e-7)
    np.testing.assert_allclose(np.float32(eng["ema"]), ref, rtol=0, atol=2e-7)
    np.testing.assert_allclose(s32.numpy(), np.float32(eng["ema"]), rtol=0, atol=2e-7)
    # softmax(score / T): the same to the last bits, and the float64 hand formula.
    z = np.array(scores) / 0.25
    np.testing.assert_allclose(w_soft, np.exp(z - z.max()) / np.exp(z - z.max()).sum(), rtol=1e-14)
    np.testing.assert_allclose(w_soft, eng["softmax"], rtol=1e-15, atol=0)
    # Efraimidis–Spirakis: the same indices, which are the top-n of u^(1/w) over the positive weights.
    for d, got in zip(draws, eng["draws"]):
        mine = weighted_replay_sample(d["w"], d["n"], d["u"])
        assert mine == got
        keys = [(math.log(u) / w, -i) for i, (w, u) in enumerate(zip(d["w"], d["u"])) if w > 0]
        assert mine == [-i for _, i in sorted(keys, reverse=True)[: d["n"]]]
    # Reservoir with the same scripted draws: the same slot per offer and the same final items.
    script = list(rand_ints)
    buf: ReservoirBuffer[str] = ReservoirBuffer(capacity, rand_int=lambda hi: script.pop(0))
    assert [buf.add(x) for x in items] == eng["slots"]
    assert buf.items() == eng["items"]
    assert all(s == -1 or 0 <= s < capacity for s in eng["slots"])


def test_mismatched_uniforms_and_an_empty_reservoir_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        weighted_replay_sample([1.0, 2.0], 1, [0.5])
    with pytest.raises(ValueError, match="capacity"):
        ReservoirBuffer(0)
