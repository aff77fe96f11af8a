"""Replay plans of the benchmark, made by forgetscope itself (no policy is re-implemented in Python):
in one Node process through the engine (``plan_batch.mjs`` → ``planOfflineReplay``), checked against
``forgetscope replay … --policy NAME`` (the CLI) once per policy and ratio; or, with ``planner: "cli"``,
one CLI call per plan."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from ..cli import forgetscope_command, run_cli
from ..tables import write_id_values


def dist_folder() -> Path | None:
    """The ``dist`` folder of the forgetscope build the CLI command runs (``node …/dist/cli/bin.js``), if any."""
    cmd = forgetscope_command()
    if len(cmd) >= 2 and Path(cmd[0]).name.startswith("node") and cmd[1].endswith("bin.js"):
        d = Path(cmd[1]).resolve().parents[1]
        if (d / "index.js").is_file():
            return d
    return None


def engine_digest(planner: str = "batch") -> str:
    """A digest of the engine build that makes the plans (every file of its ``dist`` folder), so cached
    plans are never reused after the engine changed; ``cli:<command>`` when no build folder is found."""
    dist = dist_folder() if planner == "batch" else None
    if dist is None:
        return "cli:" + " ".join(forgetscope_command())
    h = hashlib.sha256()
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(dist)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _write_side(path: Path, ids: list[str], values: list[float]) -> None:
    write_id_values(path, zip(ids, values))


def cli_args(job: dict, train_file: Path, held_file: Path, work: Path, sides: dict[str, list[float]], side_ids: list[str]) -> list[str]:
    """The ``forgetscope replay`` arguments of one plan job (files written under ``work``)."""
    obs = work / f"cli-observed-{job['name'].replace('|', '_')}.csv"
    _write_side(obs, job["observed"]["ids"], job["observed"]["values"])
    args = ["replay", str(train_file), "--observed", str(obs), "--method", job["method"], "--policy", job["policy"],
            "--n", str(job["n"]), "--ratio", repr(job["ratio"]), "--seed", str(job["seed"]), "--exclude", str(held_file),
            "--auto-support", repr(job["autoSupport"]), "--factor-rank", str(job["factorRank"]),
            "--out", str(work / "cli-weights.parquet"), "--force", "--json"]
    if job.get("side"):
        side_file = work / f"side-{job['side']}.csv"
        _write_side(side_file, side_ids, sides[job["side"]])
        args += ["--side-scores", str(side_file)]
    return args


def plan_all(jobs: list[dict], train_file: Path, held_file: Path, work: Path, sides: dict[str, list[float]], side_ids: list[str],
             planner: str = "batch", check_cli: bool = True) -> dict:
    """Plans every job; returns ``{name: {selected: [ids], scores, replayN, temperature, policy}}``.
    With the batch planner, the first job of every (policy, ratio) is re-planned by the CLI and must
    select exactly the same examples."""
    work.mkdir(parents=True, exist_ok=True)
    dist = dist_folder() if planner == "batch" else None
    if dist is None:
        out = {}
        for job in jobs:
            s = run_cli(cli_args(job, train_file, held_file, work, sides, side_ids))
            out[job["name"]] = {"selected": s["selected"], "replayN": s["replayN"], "temperature": s["temperature"], "policy": s["policy"]}
        return out
    spec = work / "plan-jobs.json"
    res = work / "plan-out.json"
    spec.write_text(json.dumps({"train": str(train_file), "exclude": str(held_file), "jobs": jobs, "sides": sides, "sideIds": side_ids}))
    subprocess.run(["node", str(Path(__file__).with_name("plan_batch.mjs")), str(dist), str(spec), str(res)], check=True)
    out = json.loads(res.read_text())
    if check_cli:
        seen = set()
        for job in jobs:
            key = (job["policy"], job["observed_kind"], job["ratio"])
            if key in seen:
                continue
            seen.add(key)
            s = run_cli(cli_args(job, train_file, held_file, work, sides, side_ids))
            if s["selected"] != out[job["name"]]["selected"]:
                raise AssertionError(f"{job['name']}: forgetscope replay --policy {job['policy']} selects {s['selected'][:5]}…, the engine {out[job['name']]['selected'][:5]}…")
    return out
