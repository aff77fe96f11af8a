"""forgetscope.api from an installed wheel (run by scripts/check-wheel.sh from a folder outside the
checkout): the engine must be the one bundled in the package, results must match the fixture's float64
arrays, and no call may import torch. Usage: python check_wheel_api.py <fixtures/real-dev-v1>"""

import json
import sys
from pathlib import Path

import numpy as np

import forgetscope
from forgetscope import api, cli

fixture = Path(sys.argv[1])
site = Path(forgetscope.__file__).resolve().parent
assert "site-packages" in site.parts, f"forgetscope was imported from {site}, not from the installed wheel"
beside = cli.npm_package_beside()
assert beside is None, f"an npm forgetscope sits in a parent folder ({beside}); run the check where none does"
cmd = cli.forgetscope_command()
assert cmd[-1] == str(site / "engine" / "forgetscope.mjs"), f"the engine is not the bundled one: {cmd}"
assert cli.engine_version() == forgetscope.__version__

z = api.read_matrix(fixture, progress=False)
ref = np.load(fixture / "Z.npy")
assert z.shape == ref.shape == (37, 1000), z.shape
assert np.array_equal(z.to_numpy(), ref), "read_matrix differs from Z.npy"

examples = list(z.columns)
row = ref[36]
observed = {examples[j]: float(row[j]) for j in range(0, 1000, 40)}  # 25 measured entries of task 36
pred = api.predict(fixture, observed, train_rows="0-35", progress=False)
assert list(pred["example"].astype(str)) == examples
assert np.all(np.isfinite(pred["prediction"])) and np.all(pred["lower"] <= pred["prediction"]) and np.all(pred["prediction"] <= pred["upper"])
rmse = float(np.sqrt(np.mean((pred["prediction"].to_numpy() - row) ** 2)))
assert rmse < float(np.std(row)), f"predicted row RMSE {rmse} is no better than the row's spread {np.std(row)}"

plan = api.plan_replay(fixture, observed, train_rows="0-35", n=320, ratio=0.125, progress=False)
w = plan["weights"]
assert plan["replayN"] == int(320 * 0.125) + 1 == int(w["selected"].sum()), plan["replayN"]
assert abs(float(w["weight"].sum()) - 1) < 1e-9 and (w["weight"] >= 0).all()
soft = api.plan_replay(fixture, observed, train_rows="0-35", n=320, ratio=0.125, policy="softmax", temperature=0.1, progress=False)
assert soft["weights"]["weight"].gt(0).all(), "softmax weights are positive everywhere"

ev = api.evaluate(fixture, train_rows="0-25", test_rows="26-36", seeds="0", progress=False)
assert list(ev["table"]["method"]) == list(api.FAST_METHODS), list(ev["table"]["method"])
assert "torch" not in sys.modules, "forgetscope.api imported torch"
print(json.dumps({"engine": cmd, "predict_rmse": rmse, "replayN": plan["replayN"], "evaluate": ev["table"][["method", "rmse"]].to_dict("records")}))
