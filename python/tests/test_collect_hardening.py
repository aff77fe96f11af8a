"""collect() under concurrent writers, file modes, stale temporary files, the length limit, and hostile tables."""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import subprocess
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from forgetscope.atomic import _HOST, atomic_write_bytes, lock_path, stale_temp_files
from forgetscope.collect import NllStats, NllTruncationWarning, collect, compute_nll, model_context_length
from forgetscope.tables import TableError, read_table, write_table

from conftest import BigramLM, TinyCausalLM, random_examples


def _hand_nll(table: np.ndarray, toks: list[int]) -> float:
    """Token-mean NLL of a bigram table model in float64, written out independently of the code under test."""
    total = 0.0
    for a, b in zip(toks[:-1], toks[1:]):
        row = table[a].astype(np.float64)
        m = row.max()
        total += -(row[b] - m - math.log(np.exp(row - m).sum()))
    return total / (len(toks) - 1)


# --- concurrent collectors -------------------------------------------------------------------------


def _writer(out: str, who: int, tasks: int, barrier) -> None:
    torch.set_num_threads(1)
    examples = random_examples(8, vocab=7, seed=100 + who)
    examples = {f"w{who}-{k}": v for k, v in examples.items()}
    base = {k: 1.0 + i for i, k in enumerate(examples)}
    barrier.wait()
    for t in range(tasks):
        collect(out, f"task-{who}-{t}", BigramLM(vocab=7, seed=who * 10 + t), examples, base=base)


@pytest.mark.parametrize("ext", [".parquet", ".csv"])
def test_concurrent_collectors_keep_every_row(tmp_path, ext):
    out = tmp_path / f"z{ext}"
    writers, tasks = 4, 4
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(writers)
    procs = [ctx.Process(target=_writer, args=(str(out), w, tasks, barrier)) for w in range(writers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * writers
    table = read_table(out)
    assert table.num_rows == writers * tasks * 8
    pairs = set(zip(table.column("task").to_pylist(), table.column("example").to_pylist()))
    assert pairs == {(f"task-{w}-{t}", f"w{w}-ex{k:03d}") for w in range(writers) for t in range(tasks) for k in range(8)}
    assert lock_path(out).exists() and not list(tmp_path.glob(".*.tmp"))


def _rewrite_forever(path: str, stop) -> None:
    small = pa.table({"task": ["a"] * 3, "x": [1.0, 2.0, 3.0]})
    large = pa.table({"task": [f"t{i}" for i in range(300)], "x": [float(i) for i in range(300)]})
    i = 0
    while not stop.is_set():
        write_table(path, small if i % 2 else large)
        i += 1


@pytest.mark.parametrize("ext", [".parquet", ".arrow", ".csv"])
def test_a_reader_sees_one_whole_version_while_a_writer_replaces_the_file(tmp_path, ext):
    # collect() reads the table before it takes the lock (to skip examples already done). A path-based
    # Parquet read opens the file twice (footer, then pages): a rename in between paired one version's
    # footer with another's pages ("Page was smaller than expected"), which failed a collector in CI.
    # Before the fix about one read in five failed here; 400 reads make a miss all but impossible.
    path = tmp_path / f"t{ext}"
    write_table(path, pa.table({"task": ["a"] * 3, "x": [1.0, 2.0, 3.0]}))
    ctx = mp.get_context("fork")
    stop = ctx.Event()
    proc = ctx.Process(target=_rewrite_forever, args=(str(path), stop))
    proc.start()
    try:
        versions = {3: [1.0, 2.0, 3.0], 300: [float(i) for i in range(300)]}
        for _ in range(400):
            table = read_table(path)
            assert table.column("x").to_pylist() == versions.get(table.num_rows)
    finally:
        stop.set()
        proc.join(30)
    assert proc.exitcode == 0


def test_a_pair_measured_by_two_collectors_is_written_once(tmp_path):
    out = tmp_path / "z.parquet"
    ex = random_examples(5, vocab=7, seed=1)
    base = {k: 2.0 for k in ex}
    first = collect(out, "t", BigramLM(vocab=7, seed=1), dict(list(ex.items())[:3]), base=base)
    assert first["written"] == 3
    # A second collector that read the table before the first wrote would measure all 5: under the lock
    # it re-reads and appends only the 2 new pairs.
    second = collect(out, "t", BigramLM(vocab=7, seed=1), ex, base=base)
    assert second == {"written": 2, "skipped": 3, "truncated": 0}
    assert read_table(out).num_rows == 5


# --- file modes and temporary files ----------------------------------------------------------------


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_tables_get_the_umask_mode(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        out = tmp_path / "z.parquet"
        collect(out, "t", BigramLM(vocab=7), random_examples(3, vocab=7), base={f"ex{i:03d}": 1.0 for i in range(3)})
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == mode
    assert lock_path(out).stat().st_mode & 0o777 == mode


def test_stale_temp_files_of_dead_writers_are_removed(tmp_path):
    target = tmp_path / "z.parquet"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".z.parquet.{_HOST}~{dead}~0a1b2c.tmp"
    live = tmp_path / f".z.parquet.{_HOST}~1~0a1b2c.tmp"  # pid 1 is running
    other_host = tmp_path / f".z.parquet.elsewhere-host~{dead}~0a1b2c.tmp"
    foreign = tmp_path / ".z.parquet.abcdefgh.tmp"  # not ours: never touched
    for p in (stale, live, other_host, foreign):
        p.write_bytes(b"half")
    assert stale_temp_files(target) == [stale]
    atomic_write_bytes(target, lambda f: f.write(b"x"))
    assert not stale.exists() and live.exists() and other_host.exists() and foreign.exists()
    assert target.read_bytes() == b"x"


# --- the length limit ------------------------------------------------------------------------------


class ConfiguredBigram(BigramLM):
    """A bigram model that states its context length and vocabulary as a Hugging Face config does."""

    def __init__(self, vocab: int, n_positions: int, seed: int = 0):
        super().__init__(vocab=vocab, seed=seed)
        self.config = SimpleNamespace(n_positions=n_positions, vocab_size=vocab)


def test_the_context_length_comes_from_the_config():
    assert model_context_length(ConfiguredBigram(7, 5)) == 5
    assert model_context_length(BigramLM(7)) is None
    m = BigramLM(7)
    m.config = SimpleNamespace(max_position_embeddings=64, n_positions=12)
    assert model_context_length(m) == 64


def test_long_examples_are_truncated_to_the_context_and_counted(tmp_path):
    model = ConfiguredBigram(7, n_positions=5, seed=2)
    toks = [1, 4, 2, 6, 3, 5, 0, 2]
    short = [3, 1, 2]
    stats = NllStats()
    with pytest.warns(NllTruncationWarning, match="1 of 2 examples"):
        got = compute_nll(model, {"long": toks, "short": short}, stats=stats)
    table = model.table.detach().numpy()
    assert got["long"] == pytest.approx(_hand_nll(table, toks[:5]), abs=1e-6)
    assert got["short"] == pytest.approx(_hand_nll(table, short), abs=1e-6)
    assert stats.truncated == ["long"] and stats.max_length == 5
    # An explicit max_length beats the config; collect reports the count.
    with pytest.warns(NllTruncationWarning):
        res = collect(tmp_path / "z.parquet", "t", model, {"long": toks, "short": short}, base={"long": 1.0, "short": 1.0}, max_length=3)
    assert res == {"written": 2, "skipped": 0, "truncated": 1}  # "short" has exactly 3 tokens
    written = read_table(tmp_path / "z.parquet")
    after = dict(zip(written.column("example").to_pylist(), written.column("nll_after").to_pylist()))
    assert after["long"] == pytest.approx(_hand_nll(table, toks[:3]), abs=1e-6)
    assert after["short"] == pytest.approx(_hand_nll(table, short), abs=1e-6)


def test_no_warning_when_nothing_is_cut():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compute_nll(ConfiguredBigram(7, n_positions=5), {"a": [1, 2, 3, 4, 5]})


def test_an_over_long_example_is_a_clear_error_not_an_index_error():
    model = TinyCausalLM(vocab=16, context=24)  # no config: the limit is unknown until the model fails
    with pytest.raises(ValueError, match=r"'long' has 30 tokens.*max_length"):
        compute_nll(model, {"ok": list(range(1, 10)), "long": [1] * 30})
    with pytest.warns(NllTruncationWarning):
        assert set(compute_nll(model, {"ok": list(range(1, 10)), "long": [1] * 30}, max_length=24)) == {"ok", "long"}


def test_progress_true_and_a_callback():
    seen = []
    compute_nll(BigramLM(7), random_examples(5, vocab=7), batch_size=2, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(2, 5), (4, 5), (5, 5)]
    compute_nll(BigramLM(7), random_examples(5, vocab=7), batch_size=2, progress=True)  # a tqdm bar, closed


# --- hostile inputs --------------------------------------------------------------------------------

BASE = {f"ex{i:03d}": 1.0 for i in range(4)}


def _ex():
    return random_examples(4, vocab=7, seed=5)


@pytest.mark.parametrize("bad", [0, 1, -3, True, 2.5, "8"])
def test_max_length_must_be_an_integer_of_at_least_two(bad):
    with pytest.raises(ValueError, match="max_length"):
        compute_nll(BigramLM(7), {"a": [1, 2, 3]}, max_length=bad)


def test_token_ids_outside_the_vocabulary_or_negative():
    with pytest.raises(ValueError, match="'b': token id 7 is outside the model's vocabulary of 7"):
        compute_nll(ConfiguredBigram(7, 64), {"a": [1, 2], "b": [1, 7]})
    with pytest.raises(ValueError, match="'a': token id -1 is negative"):
        compute_nll(BigramLM(7), {"a": [1, -1]})


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size"):
        compute_nll(BigramLM(7), {"a": [1, 2]}, batch_size=0)


def test_collect_refuses_a_table_without_the_long_columns(tmp_path):
    out = tmp_path / "z.parquet"
    write_table(out, pa.table({"task": ["t"], "example": ["e"], "delta": [0.5]}))
    with pytest.raises(TableError, match=r"z.parquet: cannot append, the table lacks columns \['nll_before', 'nll_after'\]"):
        collect(out, "t", BigramLM(7), _ex(), base=BASE)


def test_collect_refuses_a_pair_twice_naming_the_rows(tmp_path):
    out = tmp_path / "z.csv"
    out.write_text("task,example,nll_before,nll_after\nt,a,1,2\nu,a,1,2\nt,a,1,3\n")
    with pytest.raises(TableError, match=r"z.csv: row 3: task 't', example 'a' appears twice, in rows 1 and 3"):
        collect(out, "t", BigramLM(7), _ex(), base=BASE)


def test_collect_refuses_empty_ids_in_the_table(tmp_path):
    out = tmp_path / "z.csv"
    out.write_text("task,example,nll_before,nll_after\nt,a,1,2\nt,,1,2\n")
    with pytest.raises(TableError, match=r"row 2, column 'example': the id is empty"):
        collect(out, "t", BigramLM(7), _ex(), base=BASE)


def test_collect_refuses_numeric_ids_and_text_nll(tmp_path):
    out = tmp_path / "z.parquet"
    pq.write_table(pa.table({"task": [1], "example": ["a"], "nll_before": [1.0], "nll_after": [2.0]}), out)
    with pytest.raises(TableError, match="column 'task': ids must be strings"):
        collect(out, "t", BigramLM(7), _ex(), base=BASE)
    pq.write_table(pa.table({"task": ["t"], "example": ["a"], "nll_before": ["x"], "nll_after": [2.0]}), out)
    with pytest.raises(TableError, match="column 'nll_before': NLLs must be numbers"):
        collect(out, "t", BigramLM(7), _ex(), base=BASE)


def test_collect_refuses_a_damaged_table_and_leaves_it(tmp_path):
    out = tmp_path / "z.parquet"
    out.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(TableError, match="z.parquet: cannot read the existing table"):
        collect(out, "t", BigramLM(7), _ex(), base=BASE)
    assert out.read_bytes() == b"PAR1 this is not parquet"


def test_collect_refuses_an_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match="unknown table extension"):
        collect(tmp_path / "z.txt", "t", BigramLM(7), _ex(), base=BASE)


@pytest.mark.parametrize("task", ["", None, 3])
def test_collect_refuses_a_bad_task_name(tmp_path, task):
    with pytest.raises(ValueError, match="task must be a non-empty string"):
        collect(tmp_path / "z.parquet", task, BigramLM(7), _ex(), base=BASE)


def test_collect_refuses_an_example_given_twice(tmp_path):
    with pytest.raises(ValueError, match="example 'a' is given twice"):
        collect(tmp_path / "z.parquet", "t", BigramLM(7), [("a", [1, 2]), ("a", [2, 3])], base={"a": 1.0})
    assert not (tmp_path / "z.parquet").exists()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), None, "x"])
def test_collect_never_writes_a_missing_base_value(tmp_path, value):
    base = dict(BASE, ex002=value)
    with pytest.raises(ValueError, match="base NLL of example 'ex002'"):
        collect(tmp_path / "z.parquet", "t", BigramLM(7), _ex(), base=base)
    assert not (tmp_path / "z.parquet").exists()


def test_collect_refuses_a_base_table_with_an_example_twice(tmp_path):
    write_table(tmp_path / "base.csv", pa.table({"example": ["ex000", "ex001", "ex000"], "nll": [1.0, 2.0, 3.0]}))
    with pytest.raises(TableError, match=r"base.csv: row 3, column 'example': example 'ex000' appears twice"):
        collect(tmp_path / "z.parquet", "t", BigramLM(7), _ex(), base=tmp_path / "base.csv")


def test_collect_keeps_extra_columns_of_the_table(tmp_path):
    out = tmp_path / "z.parquet"
    write_table(out, pa.table({"task": ["old"], "example": ["ex000"], "nll_before": [1.0], "nll_after": [2.0], "note": ["kept"]}))
    collect(out, "t", BigramLM(7), _ex(), base=BASE)
    table = read_table(out)
    assert table.num_rows == 5 and table.column("note").to_pylist() == ["kept", None, None, None, None]


def test_collect_scores_base_and_tuned_on_the_same_tokens(tmp_path):
    toks = [1, 4, 2, 6, 3, 5, 0, 2]
    base, tuned = ConfiguredBigram(7, n_positions=6, seed=1), ConfiguredBigram(7, n_positions=4, seed=2)
    with pytest.warns(NllTruncationWarning):
        assert collect(tmp_path / "z.parquet", "t", tuned, {"a": toks}, base=base)["truncated"] == 1
    row = read_table(tmp_path / "z.parquet").to_pylist()[0]
    assert row["nll_before"] == pytest.approx(_hand_nll(base.table.detach().numpy(), toks[:4]), abs=1e-6)
    assert row["nll_after"] == pytest.approx(_hand_nll(tuned.table.detach().numpy(), toks[:4]), abs=1e-6)
