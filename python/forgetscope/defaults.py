"""The replay defaults shared with the TypeScript library (``src/replay/defaults.ts``), read from
``defaults.json`` beside this file; ``test/replay/defaults.test.ts`` and ``tests/test_defaults.py`` check
both sides agree."""

from __future__ import annotations

import json
from pathlib import Path

REPLAY_DEFAULTS: dict = json.loads((Path(__file__).with_name("defaults.json")).read_text())

#: The paper's softmax temperature of softmax(score / T).
DEFAULT_TEMPERATURE: float = REPLAY_DEFAULTS["temperature"]
#: Replayed examples per fine-tuning example (the paper's 1/32).
DEFAULT_REPLAY_RATIO: float = REPLAY_DEFAULTS["replayRatio"]
#: Fraction of steps with uniform replay before the online plan measures its probes.
DEFAULT_UNIFORM_FRACTION: float = REPLAY_DEFAULTS["uniformFraction"]
#: Probes measured on a new task.
DEFAULT_PROBES: int = REPLAY_DEFAULTS["probes"]
#: Effective support (auto, optimistic) or pool (topk, stratified), in replay budgets.
DEFAULT_AUTO_SUPPORT: float = REPLAY_DEFAULTS["autoSupport"]
#: Rank of the example factors of the coverage policy.
DEFAULT_FACTOR_RANK: int = REPLAY_DEFAULTS["factorRank"]
#: The replay policy of every entry point (library, CLI, report, api.plan_replay, OnlineReplay) without a policy or temperature.
DEFAULT_REPLAY_POLICY: str = REPLAY_DEFAULTS["policy"]
