#!/usr/bin/env python3
"""Closed-loop replay benchmark of the repository: a thin driver of ``python -m forgetscope.bench_replay``
over the two model configurations here (the tiny byte-level GPT and a Hugging Face GPT-2 built from a
config), followed by the cross-model summary that picks the default policy.

Run: ``npm run bench -- replay`` or ``python3 bench/replay/closed_loop.py [--config FILE ...] [--workers K]``.
Results land in bench/out/replay-policies/<model>/ (resumable: a rerun reuses every finished job).
The experiment of the first replay section of bench/RESULTS.md is the same loop with the policies of
that time; its raw numbers stay in results-closed-loop.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "python"))

from forgetscope.bench_replay import load_config, run_benchmark  # noqa: E402
from forgetscope.bench_replay.compare import compare  # noqa: E402
from forgetscope.bench_replay.report import markdown  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", nargs="+", default=[str(HERE / "config-byte-gpt.json"), str(HERE / "config-hf-gpt2.json")])
    p.add_argument("--workers", type=int)
    a = p.parse_args()
    reports = [run_benchmark(load_config(c, workers=a.workers)) for c in a.config]
    for rep in reports:
        print(f"## {rep['model']}\n\n{markdown(rep)}")
    print(compare(reports))


if __name__ == "__main__":
    main()
