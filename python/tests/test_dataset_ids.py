"""write_dataset refuses ids that would not stay exact (missing, empty, repeated) and writes with the umask mode."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from forgetscope.dataset import dataset_ids, write_dataset


def test_a_dataset_round_trips_its_ids(tmp_path):
    write_dataset(tmp_path / "d", np.arange(6).reshape(2, 3), ["t0", {"id": "t,1", "kind": "code"}], ["a", "b", "007"])
    assert dataset_ids(tmp_path / "d") == (["t0", "t,1"], ["a", "b", "007"])
    assert json.loads((tmp_path / "d" / "tasks.json").read_text())[1] == {"id": "t,1", "kind": "code"}


@pytest.mark.parametrize("tasks, examples, message", [
    (["t", "t"], ["a", "b", "c"], r"tasks.json: entries 0 and 1 have the same id 't'"),
    (["t", "u"], ["a", "b", "a"], r"examples.jsonl: entries 0 and 2 have the same id 'a'"),
    ([{"id": 1}, {"id": "1"}], ["a", "b", "c"], r"tasks.json: entries 0 and 1 have the same id '1'"),
    (["t", ""], ["a", "b", "c"], r"tasks.json: entry 1 has no id"),
    (["t", {"name": "u"}], ["a", "b", "c"], r"tasks.json: entry 1 has no id"),
    (["t", "u"], ["a", {"id": None}, "c"], r"examples.jsonl: entry 1 has no id"),
])
def test_bad_ids_are_refused_and_nothing_is_written(tmp_path, tasks, examples, message):
    with pytest.raises(ValueError, match=message):
        write_dataset(tmp_path / "d", np.zeros((2, 3)), tasks, examples)
    assert not (tmp_path / "d" / "Z.npy").exists()


def test_files_get_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_dataset(tmp_path / "d", np.zeros((1, 2)), ["t"], ["a", "b"], base_nll=np.ones(2))
    finally:
        os.umask(old)
    for name in ("Z.npy", "tasks.json", "examples.jsonl", "base_nll.npy"):
        assert (tmp_path / "d" / name).stat().st_mode & 0o777 == 0o640, name
