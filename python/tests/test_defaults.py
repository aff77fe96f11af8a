"""The Python harness and the TypeScript library share their replay defaults (defaults.json ↔ src/replay/defaults.ts)."""

from __future__ import annotations

import json
import subprocess

from forgetscope import defaults
from forgetscope.dual_memory import DualMemory
from forgetscope.replay import replay_count

from conftest import CLI_BIN


def test_python_defaults_equal_the_built_library():
    dist_index = CLI_BIN.parents[1] / "index.js"
    script = f"import({json.dumps(dist_index.as_uri())}).then((m) => console.log(JSON.stringify(m.REPLAY_DEFAULTS)))"
    ts = json.loads(subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True).stdout)
    assert ts == defaults.REPLAY_DEFAULTS
    assert defaults.DEFAULT_TEMPERATURE == 0.1 and defaults.DEFAULT_REPLAY_RATIO == 1 / 32


def test_harness_uses_them():
    assert replay_count(1000) == 32  # int(1000 / 32) + 1
    assert DualMemory(4).temperature == defaults.DEFAULT_TEMPERATURE
