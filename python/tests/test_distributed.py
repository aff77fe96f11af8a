"""Two gloo processes on localhost give the same numbers and the same file as one process."""

import json
import os

import pytest

from forgetscope.collect import collect, compute_nll
from forgetscope.tables import read_table

from conftest import TinyCausalLM, random_examples, run_gloo


def _worker(rank: int, world: int, outdir: str) -> None:
    """Runs inside run_gloo's process group (rank ``rank`` of ``world``)."""
    model = TinyCausalLM(vocab=32, seed=7)
    base = TinyCausalLM(vocab=32, seed=8)
    examples = random_examples(21, vocab=32, seed=9)
    nll = compute_nll(model, examples, batch_size=4)
    with open(os.path.join(outdir, f"rank{rank}.json"), "w") as f:
        json.dump(nll, f)
    collect(os.path.join(outdir, "z.parquet"), "task", model, examples, base=base, batch_size=4)


def test_two_gloo_ranks_equal_one_process(tmp_path):
    run_gloo(_worker, str(tmp_path))
    model = TinyCausalLM(vocab=32, seed=7)
    examples = random_examples(21, vocab=32, seed=9)
    single = compute_nll(model, examples, batch_size=4)
    for rank in (0, 1):
        with open(tmp_path / f"rank{rank}.json") as f:
            got = json.load(f)
        assert sorted(got) == sorted(single)  # every rank holds the gathered whole
        for k in single:
            assert got[k] == pytest.approx(single[k], abs=1e-6)
    table = read_table(tmp_path / "z.parquet")
    assert table.num_rows == 21
    after = dict(zip(table.column("example").to_pylist(), table.column("nll_after").to_pylist()))
    base_single = compute_nll(TinyCausalLM(vocab=32, seed=8), examples, batch_size=4)
    before = dict(zip(table.column("example").to_pylist(), table.column("nll_before").to_pylist()))
    for k in single:
        assert after[k] == pytest.approx(single[k], abs=1e-6)
        assert before[k] == pytest.approx(base_single[k], abs=1e-6)
