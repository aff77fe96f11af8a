"""``python -m forgetscope.bench_replay --config FILE [--out DIR] [--workers K] [--export DIR]``: the
closed-loop replay benchmark (see the package docstring). ``--compare A/results.json B/results.json …`` prints the
cross-model table instead (mean and minimum share of the best true-row gain, p vs uniform);
``--pool A/results.json A/results-confirm.json`` the report over the runs of one model on disjoint seeds."""

from __future__ import annotations

import argparse
import json
import sys

from .compare import compare, pool
from .config import load_config
from .run import run_benchmark


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m forgetscope.bench_replay", description="Closed-loop replay benchmark: policies × tasks × seeds × ratios.")
    p.add_argument("--config", help="JSON configuration (every key optional; see forgetscope.bench_replay.config.DEFAULTS)")
    p.add_argument("--out", help="output folder (overrides the config)")
    p.add_argument("--workers", type=int, help="worker processes, one thread each (overrides the config)")
    p.add_argument("--export", help="dataset folder for the train matrix and its side information (overrides the config)")
    p.add_argument("--compare", nargs="+", metavar="RESULTS", help="results.json files of several models: print the cross-model summary")
    p.add_argument("--pool", nargs="+", metavar="RESULTS", help="results.json files of one model on disjoint seeds: print the pooled report")
    a = p.parse_args(argv)
    if a.pool:
        from .report import markdown

        print(markdown(pool([json.loads(open(f).read()) for f in a.pool])))
        return 0
    if a.compare:
        print(compare([json.loads(open(f).read()) for f in a.compare]))
        return 0
    try:
        cfg = load_config(a.config, out=a.out, workers=a.workers, export=a.export)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    rep = run_benchmark(cfg)
    from .report import markdown

    print(markdown(rep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
