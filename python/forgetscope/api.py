"""forgetscope from Python: the engine's commands as functions returning pandas / numpy / dicts.

Every function runs the TypeScript engine (see :mod:`forgetscope.cli` for how it is found) — there is
no second implementation in Python, so the results are the CLI's, bit for bit. Tables cross as Arrow
IPC files written by the engine (read with pyarrow, float64 kept exactly); summaries cross as the
CLI's ``--json`` object; measured entries go to the engine as CSV with shortest round-trip floats
(``repr``), which JavaScript parses to the same doubles. Errors raise
:class:`~forgetscope.cli.ForgetscopeCliError` carrying the engine's ``file:line:column`` message; the
engine's progress lines go to ``progress`` (a callable taking one line) or, by default, to the
``forgetscope.engine`` logger.

>>> from forgetscope import api                                          # doctest: +SKIP
>>> z = api.read_matrix("fixtures/real-dev-v1")                          # tasks × examples DataFrame
>>> api.predict("fixtures/real-dev-v1", observed=obs, train_rows="1-36")  # example, prediction, lower, upper
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

from .cli import Progress, engine_library, engine_version, forgetscope_command, run_engine
from .tables import write_id_values

PathLike = Union[str, Path]
#: Rows: the CLI's syntax ("0-3,5", task ids), or a list of indices / task ids; None = the command's default.
Rows = Union[str, Sequence[Union[int, str]], None]
#: Measured entries: a DataFrame with columns example, value; a mapping {example id: value}; or a file.
Observed = Union[pd.DataFrame, Mapping[str, float], PathLike]

__all__ = ["read_matrix", "read_examples", "analyze", "evaluate", "predict", "plan_replay", "report", "rows_arg", "predict_args", "FAST_METHODS"]


def rows_arg(rows: Rows) -> Optional[str]:
    """The CLI form of a row selection: a string passes through, a list is comma-joined, None stays None."""
    if rows is None:
        return None
    if isinstance(rows, str):
        return rows
    return ",".join(str(r) for r in rows)


def _list_arg(value: Union[str, Sequence[Any], None]) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return ",".join(str(v) for v in value)


def _num(x: Union[int, float, str]) -> str:
    return x if isinstance(x, str) else repr(x)


def _opt(args: list[str], flag: str, value: Optional[Any]) -> None:
    if value is None or value is False:
        return
    if value is True:
        args.append(flag)
    else:
        args += [flag, os.fspath(value) if isinstance(value, (str, os.PathLike)) else _num(value)]


def _read_arrow(path: Path) -> pd.DataFrame:
    with pa.memory_map(str(path)) as src:
        table = ipc.open_file(src).read_all()
    return table.to_pandas()


def _write_observed(observed: Observed, workdir: Path) -> str:
    if isinstance(observed, (str, Path)):
        return str(observed)
    if isinstance(observed, pd.DataFrame):
        missing = [c for c in ("example", "value") if c not in observed.columns]
        if missing:
            raise ValueError(f"observed DataFrame lacks columns {missing} (has {list(observed.columns)})")
        pairs: Iterable[tuple[Any, Any]] = zip(observed["example"].tolist(), observed["value"].tolist())
    else:
        pairs = list(observed.items())
    path = write_id_values(workdir / "observed.csv", pairs)
    return str(path)


class _Session:
    """A temporary folder for one call plus the engine command."""

    def __init__(self, command: Optional[Sequence[str]], progress: Optional[Progress]):
        self.command = list(command) if command is not None else forgetscope_command()
        self.progress = progress
        self._tmp = tempfile.TemporaryDirectory(prefix="forgetscope-api-")
        self.dir = Path(self._tmp.name)

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self._tmp.cleanup()

    def json(self, args: list[str]) -> dict[str, Any]:
        return json.loads(run_engine([*args, "--json"], command=self.command, progress=self.progress))


# One small ES module run by Node: reads the input with the engine's reader and writes the matrix as a
# long Arrow table (task, example, delta) in row-major order, plus the read report as JSON.
_READ_MATRIX_JS = r"""
const [lib, input, out, opts] = process.argv.slice(1);
const { pathToFileURL } = await import('node:url');
const fs = await import(pathToFileURL(lib).href);
const { matrix, report } = await fs.readForgettingMatrix(input, JSON.parse(opts));
// the cells alone (read_examples gives the example metadata, once per example)
await fs.writeTable(out, fs.matrixToLongTable(matrix, { exampleMeta: false }), { force: true });
process.stdout.write(JSON.stringify({ report, tasks: matrix.taskIds, examples: matrix.exampleIds }));
"""

# The same reader; writes one JSON line [id, metadata] per example (numbers exact in JSON), streamed.
_READ_EXAMPLES_JS = r"""
const [lib, input, out, opts] = process.argv.slice(1);
const { pathToFileURL } = await import('node:url');
const { createWriteStream } = await import('node:fs');
const fs = await import(pathToFileURL(lib).href);
const { matrix, report } = await fs.readForgettingMatrix(input, JSON.parse(opts));
const stream = createWriteStream(out);
for (let j = 0; j < matrix.cols; j++) {
  const line = JSON.stringify([matrix.exampleIds[j], matrix.exampleMeta[j] ?? {}]) + '\n';
  if (!stream.write(line)) await new Promise((resolve) => stream.once('drain', resolve));
}
await new Promise((resolve, reject) => stream.end((e) => (e ? reject(e) : resolve())));
process.stdout.write(JSON.stringify({ report }));
"""


def read_matrix(
    input: PathLike,
    *,
    nan_as_missing: bool = False,
    dtype: Optional[str] = None,
    command: Optional[Sequence[str]] = None,
    progress: Progress = None,
) -> pd.DataFrame:
    """The forgetting matrix Z as a DataFrame: index = task ids (``task``), columns = example ids
    (``example``), float64 values (NaN = not measured), read by the engine's reader (every format the CLI
    reads: long tables, ``.npy``, dataset folders). ``df.attrs["read_report"]`` is the reader's report
    (rows kept and dropped); ``df.to_numpy()`` is the M×N array. The examples' metadata:
    :func:`read_examples`."""
    cmd = list(command) if command is not None else forgetscope_command()
    lib = engine_library(cmd)
    engine_version(cmd)
    node = cmd[0] if Path(cmd[0]).name.startswith("node") else "node"
    opts: dict[str, Any] = {}
    if nan_as_missing:
        opts["nanAsMissing"] = True
    if dtype is not None:
        opts["dtype"] = dtype
    with _Session(cmd, progress) as s:
        out = s.dir / "matrix.arrow"
        meta = json.loads(
            run_engine(
                ["--input-type=module", "-e", _READ_MATRIX_JS, str(lib), str(input), str(out), json.dumps(opts)],
                command=[node],
                progress=progress,
            )
        )
        long = _read_arrow(out)
    tasks, examples = [str(t) for t in meta["tasks"]], [str(e) for e in meta["examples"]]
    values = long["delta"].to_numpy(dtype=np.float64, na_value=np.nan)
    if values.size != len(tasks) * len(examples):
        raise RuntimeError(f"engine wrote {values.size} cells for a {len(tasks)}×{len(examples)} matrix")
    # writeMatrix emits one row per cell in row-major order; check it rather than trust it.
    if long["task"].iloc[:: len(examples)].astype(str).tolist() != tasks or long["example"].iloc[: len(examples)].astype(str).tolist() != examples:
        raise RuntimeError("engine's long table is not in row-major task × example order")
    df = pd.DataFrame(values.reshape(len(tasks), len(examples)), index=pd.Index(tasks, name="task"), columns=pd.Index(examples, name="example"))
    df.attrs["read_report"] = meta["report"]
    return df


def read_examples(
    input: PathLike,
    *,
    command: Optional[Sequence[str]] = None,
    progress: Progress = None,
) -> pd.DataFrame:
    """The example metadata the engine's reader keeps for ``input`` (any input of :func:`read_matrix`):
    one row per example, in the matrix's column order, index = example ids (``example``), one column per
    key (``source``, ``text``, ``embedding.<i>`` as exact float64 …); NaN / None where an example has no
    value. ``df.attrs["read_report"]`` is the reader's report (its ``warnings`` name any column it left
    out)."""
    cmd = list(command) if command is not None else forgetscope_command()
    lib = engine_library(cmd)
    engine_version(cmd)
    node = cmd[0] if Path(cmd[0]).name.startswith("node") else "node"
    with _Session(cmd, progress) as s:
        out = s.dir / "examples.jsonl"
        meta = json.loads(
            run_engine(
                ["--input-type=module", "-e", _READ_EXAMPLES_JS, str(lib), str(input), str(out), "{}"],
                command=[node],
                progress=progress,
            )
        )
        ids: list[str] = []
        rows: list[dict[str, Any]] = []
        with open(out, encoding="utf-8") as f:
            for line in f:
                example, values = json.loads(line)  # the json module keeps every float exact
                ids.append(str(example))
                rows.append(values)
    df = pd.DataFrame.from_records(rows, index=pd.Index(ids, name="example")) if rows else pd.DataFrame(index=pd.Index([], name="example"))
    df.attrs["read_report"] = meta["report"]
    return df


def analyze(
    input: PathLike,
    *,
    ranks: Optional[int] = None,
    top: Optional[int] = None,
    source_key: Optional[str] = None,
    backend: Optional[str] = None,
    dtype: Optional[str] = None,
    nan_as_missing: bool = False,
    tables: bool = False,
    examples: Optional[PathLike] = None,
    command: Optional[Sequence[str]] = None,
    progress: Progress = None,
) -> dict[str, Any]:
    """``forgetscope analyze --json``: rank-k R², spectrum, additive vs multiplicative, most-forgotten
    examples (a dict, the CLI's JSON). ``tables=True`` adds ``result["tables"]``: the per-example,
    per-task, per-source and factor tables of ``analyze --out`` as DataFrames. ``examples``: a JSON Lines
    file of example metadata (``id``, ``source``, ``text``…) merged into the input (``--examples``)."""
    args = ["analyze", str(input)]
    _opt(args, "--ranks", ranks)
    _opt(args, "--top", top)
    _opt(args, "--source-key", source_key)
    _opt(args, "--backend", backend)
    _opt(args, "--dtype", dtype)
    _opt(args, "--nan-as-missing", nan_as_missing)
    _opt(args, "--examples", examples)
    with _Session(command, progress) as s:
        if tables:
            args += ["--out", str(s.dir / "tables"), "--force"]
        result = s.json(args)
        if tables:
            result.pop("files", None)  # paths in a temporary folder, gone on return
            result["tables"] = {p.stem: pd.read_parquet(p) for p in sorted((s.dir / "tables").glob("*.parquet"))}
    return result


#: What :func:`evaluate` runs unless ``methods`` names others: the completion methods that take seconds
#: on the bundled 37 × 1000 fixture (paper protocol, 26 train rows, 110 fits: lowrank ~8 s, additive-ls
#: and knn < 1 s of compute, where additive, knn-baseline, svd, lgmf and lgmf-additive take 40 s to minutes).
#: ``methods="all"`` runs the engine's default list (every registered method but the opt-in ones).
FAST_METHODS: tuple[str, ...] = ("lowrank", "additive-ls", "knn")

_RMSE_NOTE = "RMSE undefined: this method predicts ranking scores (scoresOnly), not forgetting values; compare it by f1 / auc"
_AUC_NOTE = "AUC undefined: the test cells hold only one class (all forgotten or none)"


def evaluate(
    input: PathLike,
    *,
    train_rows: Rows = None,
    test_rows: Rows = None,
    known: Optional[int] = None,
    seeds: Union[str, Sequence[int], None] = None,
    methods: Union[str, Sequence[str], None] = None,
    select: Optional[str] = None,
    backend: Optional[str] = None,
    example_effects: bool = True,
    examples: Optional[PathLike] = None,
    command: Optional[Sequence[str]] = None,
    progress: Progress = None,
) -> dict[str, Any]:
    """``forgetscope evaluate --json`` (the paper's completion protocol): the CLI's JSON, plus
    ``result["table"]``, one row per method with its pooled metrics (``rmse, f1, precision, recall, auc``…)
    and a ``note`` column saying why a metric is missing (NaN): a score-only method (lgmf, lgmf-additive)
    has no RMSE, and AUC is undefined when the test cells hold one class.

    ``methods``: None runs :data:`FAST_METHODS` (seconds, not minutes); name others as a list or
    ``"a,b"``, or pass ``"all"`` for the engine's full default list. ``example_effects=False`` passes
    ``--no-example-effects`` (lowrank without its correction along the examples' covariates); ``examples``
    merges a JSON Lines file of example metadata into the input (``--examples``). ``progress``:
    tqdm bars by default (the engine's fits per method), ``False`` for quiet, or a callable taking each
    stderr line."""
    args = ["evaluate", str(input)]
    _opt(args, "--examples", examples)
    _opt(args, "--train-rows", rows_arg(train_rows))
    _opt(args, "--test-rows", rows_arg(test_rows))
    _opt(args, "--known", known)
    _opt(args, "--seeds", _list_arg(seeds))
    if methods is None:
        methods = FAST_METHODS
    if methods != "all":
        _opt(args, "--methods", _list_arg(methods))
    _opt(args, "--select", select)
    _opt(args, "--backend", backend)
    if not example_effects:
        args.append("--no-example-effects")
    with _Session(command, progress) as s:
        result = s.json(args)
    rows = []
    for m, r in result.get("methods", {}).items():
        row = {"method": m, **{k: v for k, v in r.items() if not isinstance(v, (list, dict))}}
        notes = []
        if row.get("rmse") is None or (isinstance(row.get("rmse"), float) and math.isnan(row["rmse"])):
            row["rmse"] = math.nan
            notes.append(_RMSE_NOTE)
        if isinstance(row.get("auc"), float) and math.isnan(row["auc"]) or ("auc" in row and row["auc"] is None):
            row["auc"] = math.nan
            notes.append(_AUC_NOTE)
        row["note"] = "; ".join(notes)
        rows.append(row)
    result["table"] = pd.DataFrame(rows)
    return result


def predict_args(
    input: PathLike,
    observed_file: str,
    out_file: str,
    *,
    train_rows: Rows = None,
    method: str = "lowrank",
    side: Union[str, Sequence[str], None] = None,
    seed: Optional[int] = None,
    backend: Optional[str] = None,
    example_effects: bool = True,
    examples: Optional[PathLike] = None,
) -> list[str]:
    """The ``forgetscope predict`` arguments :func:`predict` runs (``side=None`` passes no ``--side``;
    ``example_effects=False`` passes ``--no-example-effects``)."""
    args = ["predict", str(input), "--observed", observed_file, "--method", method, "--out", out_file, "--force"]
    _opt(args, "--train-rows", rows_arg(train_rows))
    _opt(args, "--side", _list_arg(side))
    _opt(args, "--examples", examples)
    _opt(args, "--seed", seed)
    _opt(args, "--backend", backend)
    if not example_effects:
        args.append("--no-example-effects")
    return args


def predict(
    input: PathLike,
    observed: Observed,
    train_rows: Rows = None,
    method: str = "lowrank",
    side: Union[str, Sequence[str], None] = None,
    *,
    seed: Optional[int] = None,
    backend: Optional[str] = None,
    example_effects: bool = True,
    examples: Optional[PathLike] = None,
    command: Optional[Sequence[str]] = None,
    progress: Progress = None,
) -> pd.DataFrame:
    """``forgetscope predict``: completes a new task's forgetting row from its measured entries.

    ``observed``: a DataFrame with columns ``example, value`` (or ``{id: value}``, or a CSV file);
    ``train_rows``: ``"0-3,5"``, a list of indices / task ids, or None (all rows); ``side``: None (no
    side information) or a name / list of names passed as ``--side a,b``; ``example_effects=False``: lowrank
    without its correction along the examples' covariates; ``examples``: a JSON Lines file of example
    metadata (``id``, ``source``, ``text``…) merged into the input (``--examples``). Returns a DataFrame with columns
    ``example, prediction[, lower, upper]`` — the rows and values of the CLI's ``--out`` table.
    ``df.attrs["summary"]`` is the CLI's JSON summary."""
    with _Session(command, progress) as s:
        obs = _write_observed(observed, s.dir)
        out = s.dir / "prediction.arrow"
        summary = s.json(predict_args(input, obs, str(out), train_rows=train_rows, method=method, side=side, seed=seed, backend=backend, example_effects=example_effects, examples=examples))
        df = _read_arrow(out)
    summary.pop("out", None)
    df.attrs["summary"] = summary
    return df


def plan_replay(
    input: PathLike,
    observed: Optional[Observed] = None,
    train_rows: Rows = None,
    *,
    n: Optional[int] = None,
    ratio: Optional[float] = None,
    temperature: Union[float, str, None] = None,
    auto_support: Optional[float] = None,
    method: Optional[str] = None,
    policy: Optional[str] = None,
    factor_rank: Optional[int] = None,
    side_scores: Optional[PathLike] = None,
    seed: Optional[int] = None,
    exclude: Union[PathLike, Sequence[str], None] = None,
    caps: Union[str, Mapping[str, int], None] = None,
    online_steps: Optional[int] = None,
    probes: Optional[int] = None,
    backend: Optional[str] = None,
    examples: Optional[PathLike] = None,
    command: Optional[Sequence[str]] = None,
    progress: Progress = None,
) -> dict[str, Any]:
    """``forgetscope replay``: replay weights for a new task. Returns the CLI's JSON summary
    (``replayN``, ``temperature``, ``selected``…) with ``result["weights"]``, a DataFrame with columns
    ``example, score, weight, selected`` (one row per upstream example, the CLI's weights file).
    With ``online_steps`` it returns the online plan instead (``uniformUntilStep``, ``probes``…), no weights.
    ``exclude``: a file of ids or a list of ids; ``caps``: ``"man=5,python=3"`` or ``{"man": 5}``.
    ``policy`` (``topk``, ``softmax``, ``auto``, ``coverage``…, see ``forgetscope replay --help``),
    ``temperature``, ``auto_support``, ``factor_rank`` and ``side_scores`` pass through as the engine's
    flags (``examples``: a JSON Lines file of example metadata, ``--examples``: better plans when the input
    lacks the examples' ``source`` and ``text``); left at None the engine's defaults apply: the default policy ``DEFAULT_REPLAY_POLICY`` (``stratified``),
    or softmax when only ``temperature`` is given, so Python restates none.
    The weights DataFrame goes straight into ``ReplayTrainer(replay_weights=...)``, the samplers and
    ``replay_mixture``."""
    args = ["replay", str(input)]
    _opt(args, "--examples", examples)
    with _Session(command, progress) as s:
        if observed is not None:
            args += ["--observed", _write_observed(observed, s.dir)]
        _opt(args, "--train-rows", rows_arg(train_rows))
        _opt(args, "--n", n)
        _opt(args, "--ratio", ratio)
        _opt(args, "--policy", policy)
        _opt(args, "--temperature", temperature)
        _opt(args, "--auto-support", auto_support)
        _opt(args, "--method", method)
        _opt(args, "--factor-rank", factor_rank)
        _opt(args, "--side-scores", None if side_scores is None else str(side_scores))
        _opt(args, "--backend", backend)
        _opt(args, "--seed", seed)
        if exclude is not None and not isinstance(exclude, (str, Path)):
            ex_file = s.dir / "exclude.txt"
            ex_file.write_text("".join(f"{e}\n" for e in exclude))
            exclude = ex_file
        _opt(args, "--exclude", None if exclude is None else str(exclude))
        if caps is not None and not isinstance(caps, str):
            caps = ",".join(f"{k}={v}" for k, v in caps.items())
        _opt(args, "--caps", caps)
        _opt(args, "--probes", probes)
        if online_steps is not None:
            _opt(args, "--online-steps", online_steps)
            return s.json(args)
        out = s.dir / "weights.arrow"
        args += ["--out", str(out), "--force"]
        result = s.json(args)
        result.pop("out", None)
        result["weights"] = _read_arrow(out)
    return result


def report(
    input: PathLike,
    out: PathLike,
    *,
    force: bool = False,
    title: Optional[str] = None,
    train_rows: Rows = None,
    test_rows: Rows = None,
    known: Optional[int] = None,
    seeds: Union[str, Sequence[int], None] = None,
    methods: Union[str, Sequence[str], None] = None,
    replay_task: Union[int, str, None] = None,
    n_fine_tune: Optional[int] = None,
    ratio: Optional[float] = None,
    temperature: Optional[float] = None,
    ranks: Optional[int] = None,
    top: Optional[int] = None,
    backend: Optional[str] = None,
    examples: Optional[PathLike] = None,
    command: Optional[Sequence[str]] = None,
    progress: Progress = None,
) -> dict[str, Any]:
    """``forgetscope report``: writes the self-contained HTML audit to ``out`` and returns the CLI's JSON
    summary (``out``, ``bytes``, R², most-forgotten examples…); ``examples`` merges a JSON Lines file of
    example metadata into the input (``--examples``)."""
    args = ["report", str(input), "--out", str(out)]
    _opt(args, "--examples", examples)
    _opt(args, "--force", force)
    _opt(args, "--title", title)
    _opt(args, "--train-rows", rows_arg(train_rows))
    _opt(args, "--test-rows", rows_arg(test_rows))
    _opt(args, "--known", known)
    _opt(args, "--seeds", _list_arg(seeds))
    _opt(args, "--methods", _list_arg(methods))
    _opt(args, "--replay-task", None if replay_task is None else str(replay_task))
    _opt(args, "--n-fine-tune", n_fine_tune)
    _opt(args, "--ratio", ratio)
    _opt(args, "--temperature", temperature)
    _opt(args, "--ranks", ranks)
    _opt(args, "--top", top)
    _opt(args, "--backend", backend)
    with _Session(command, progress) as s:
        return s.json(args)
