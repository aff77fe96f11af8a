"""read_replay_weights on hostile files (every format), a seeded mutation fuzz, and sampler states that do not fit."""

from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forgetscope.replay import (
    DistributedWeightedReplaySampler,
    ReplayWeightsError,
    SamplerStateError,
    read_replay_weights,
)

IDS = ["e0", "e1", "e,2", "e3"]
SCORE = [0.5, float("nan"), -1.25, 2.0]
WEIGHT = [0.25, 0.0, 0.125, 0.625]
SELECTED = [True, False, False, True]


def _engine_csv(rows) -> str:
    """The CSV the engine writes (encodeDelimited): quoted ids only when needed, NaN empty, true/false."""
    def cell(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return "" if v != v else repr(v)
        return f'"{v}"' if "," in v else v
    return "example,score,weight,selected\n" + "".join(",".join(cell(v) for v in r) + "\n" for r in rows)


def _table(ids=IDS, score=SCORE, weight=WEIGHT, selected=SELECTED) -> pa.Table:
    return pa.table({"example": pa.array(ids, pa.string()), "score": pa.array(score, pa.float64()),
                     "weight": pa.array(weight, pa.float64()), "selected": pa.array(selected)})


def _write(path, table: pa.Table) -> None:
    ext = path.suffix
    if ext == ".parquet":
        pq.write_table(table, path)
    elif ext == ".arrow":
        feather.write_feather(table, path, compression="uncompressed")
    elif ext == ".csv":
        path.write_text(_engine_csv(zip(*(table.column(c).to_pylist() for c in table.column_names))))
    else:  # structured .npy, as the engine's encodeNpyTable
        n = table.num_rows
        arr = np.zeros(n, dtype=[("example", "<U8"), ("score", "<f8"), ("weight", "<f8"), ("selected", "?")])
        for c in ("example", "score", "weight", "selected"):
            arr[c] = table.column(c).to_pylist()
        np.save(path, arr)


@pytest.mark.parametrize("ext", [".parquet", ".arrow", ".csv", ".npy"])
def test_valid_files_read_exactly(tmp_path, ext):
    p = tmp_path / f"w{ext}"
    _write(p, _table())
    rw = read_replay_weights(p)
    assert rw.examples == IDS
    assert rw.weight.tolist() == WEIGHT and rw.selected.tolist() == SELECTED
    assert np.isnan(rw.score[1]) and rw.score[[0, 2, 3]].tolist() == [0.5, -1.25, 2.0]


def test_dense_npy_with_its_sidecar(tmp_path):
    p = tmp_path / "w.npy"
    np.save(p, np.array([[0.5, 0.25, 1], [0.1, 0.75, 0]]))
    (tmp_path / "w.examples.txt").write_text("a b\nc\n")
    rw = read_replay_weights(p)
    assert rw.examples == ["a b", "c"] and rw.selected.tolist() == [True, False]


# --- hostile weights files --------------------------------------------------------------------------


def _refused(path, match) -> None:
    """read_replay_weights must refuse ``path`` with a ReplayWeightsError matching ``match``."""
    with pytest.raises(ReplayWeightsError, match=match):
        read_replay_weights(path)


def _parquet(tmp_path: Path, columns: dict) -> Path:
    """A weights file ``w.parquet`` of the given columns."""
    p = tmp_path / "w.parquet"
    pq.write_table(pa.table(columns), p)
    return p


@pytest.mark.parametrize("ext", [".parquet", ".arrow", ".csv", ".npy"])
def test_duplicate_ids_name_both_rows(tmp_path, ext):
    p = tmp_path / f"w{ext}"
    _write(p, _table(ids=["a", "b", "c", "b"]))
    _refused(p, rf"w\{ext}: row 4, column 'example': example 'b' appears twice, in rows 2 and 4")


# A CSV weights file (after its header) and what the refusal must say: `selected` takes only
# true/false/1/0, a weight is finite and non-negative, and a weight is a number.
_BAD_CSV = [
    *((f"a,1,0.5,true\nb,1,0.5,{text}\n", r"w.csv: row 2, column 'selected'") for text in ["yes", "no", "True", "FALSE", "2", "", " true", "t"]),
    *((f"a,1,0.5,false\nb,1,{w},false\n", rf"row 2, column 'weight': weight is {shown}") for w, shown in [("-0.5", "-0.5"), ("", "nan"), ("inf", "inf")]),
    ("a,1,heavy,false\n", "w.csv"),
]


@pytest.mark.parametrize("body, match", _BAD_CSV)
def test_csv_refused(tmp_path, body, match):
    p = tmp_path / "w.csv"
    p.write_text("example,score,weight,selected\n" + body)
    _refused(p, match)


def test_csv_selected_1_and_0(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("example,score,weight,selected\na,1,0.5,1\nb,1,0.5,0\n")
    assert read_replay_weights(p).selected.tolist() == [True, False]


@pytest.mark.parametrize("values, type_", [([1, 2], pa.int64()), ([0.0, 0.5], pa.float64()), ([True, None], pa.bool_()), (["true", "no"], pa.string())])
def test_parquet_selected_values(tmp_path, values, type_):
    p = _parquet(tmp_path, {"example": ["a", "b"], "weight": [0.5, 0.5], "selected": pa.array(values, type_)})
    _refused(p, r"w.parquet: row 2, column 'selected'")


def test_parquet_selected_of_another_type(tmp_path):
    p = _parquet(tmp_path, {"example": ["a"], "weight": [0.5], "selected": pa.array([b"x"], pa.binary())})
    _refused(p, "column 'selected': selected has type binary")


@pytest.mark.parametrize("columns", [["example", "score"], ["score", "weight"]])
def test_missing_columns(tmp_path, columns):
    p = _parquet(tmp_path, {c: [1.0] if c != "example" else ["a"] for c in columns})
    _refused(p, "weights file lacks column")


def test_empty_and_float_ids(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text('example,weight\na,0.5\n"",0.5\n')
    _refused(p, "row 2, column 'example': the example id is empty")
    _refused(_parquet(tmp_path, {"example": [1.0, 2.0], "weight": [0.5, 0.5]}), "ids must be strings")


@pytest.mark.parametrize("lines, n", [("a\nb\n", 2), ("a\nb\nc\nd\n", 4), ("a\nb\nc\n\n", 4)])
def test_sidecar_must_list_one_id_per_row(tmp_path, lines, n):
    p = tmp_path / "w.npy"
    np.save(p, np.zeros((3, 3)))
    (tmp_path / "w.examples.txt").write_text(lines)
    _refused(p, rf"w.npy: 3 rows but the id sidecar w.examples.txt lists {n} ids")


def test_sidecar_not_utf8_and_empty_id(tmp_path):
    p = tmp_path / "w.npy"
    np.save(p, np.zeros((2, 3)))
    (tmp_path / "w.examples.txt").write_bytes(b"a\n\xff\xfe\n")
    _refused(p, "w.examples.txt: not UTF-8")
    (tmp_path / "w.examples.txt").write_text("a\n\n")
    _refused(p, "w.examples.txt: row 2: the example id is empty")


@pytest.mark.parametrize("arr", [np.zeros(4), np.zeros((2, 2, 3)), np.zeros((3, 5)), np.array([["a", "b", "c"]])])
def test_dense_npy_shapes_and_types(tmp_path, arr):
    p = tmp_path / "w.npy"
    np.save(p, arr)
    _refused(p, "w.npy")


def test_dense_npy_selected_must_be_0_or_1(tmp_path):
    p = tmp_path / "w.npy"
    np.save(p, np.array([[0.0, 0.5, 1.0], [0.0, 0.5, 0.5]]))
    _refused(p, "row 2, column 'selected': selected is 0.5")


@pytest.mark.parametrize("content", [b"", b"PAR1garbagePAR1", b"\x93NUMPY\x01\x00{'descr': '<f8', 'fortran_order': False, 'shape': (10**9, 3), }"])
def test_damaged_files(tmp_path, content):
    for ext in (".parquet", ".arrow", ".npy", ".csv"):
        p = tmp_path / f"w{ext}"
        p.write_bytes(content)
        _refused(p, rf"w\{ext}")


def test_unknown_extension_and_missing_file(tmp_path):
    p = tmp_path / "w.json"
    p.write_text("{}")
    _refused(p, "unknown table extension")
    with pytest.raises(FileNotFoundError):
        read_replay_weights(tmp_path / "absent.parquet")


def test_the_error_is_a_value_error_with_the_place():
    assert issubclass(ReplayWeightsError, ValueError)
    e = ReplayWeightsError("w.csv", "bad", row=3, column="weight")
    assert (e.path, e.row, e.column, str(e)) == ("w.csv", 3, "weight", "w.csv: row 3, column 'weight': bad")


# --- seeded mutation fuzz ---------------------------------------------------------------------------


def _mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(5)
        if op == 0 and b:  # flip a byte
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 1 and b:  # delete a run
            i = rng.randrange(len(b))
            del b[i : i + rng.randint(1, 16)]
        elif op == 2:  # insert bytes (text-like ones half the time)
            i = rng.randrange(len(b) + 1)
            pool = b",\n\"01truefalseyesno-.e" if rng.random() < 0.5 else bytes(range(256))
            b[i:i] = bytes(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        elif op == 3 and b:  # truncate
            del b[rng.randrange(len(b)) :]
        elif op == 4 and len(b) > 2:  # duplicate a slice (repeated rows, repeated ids)
            i = rng.randrange(len(b))
            j = min(len(b), i + rng.randint(1, 64))
            b[j:j] = b[i:j]
    return bytes(b)


@pytest.mark.parametrize("ext", [".parquet", ".arrow", ".csv", ".npy", ".dense.npy"])
def test_fuzzed_files_raise_only_the_documented_error(tmp_path, ext):
    rng = random.Random(20261206 + zlib.crc32(ext.encode()))
    src = tmp_path / ("src.npy" if ext.endswith("npy") else f"src{ext}")
    if ext == ".dense.npy":
        np.save(src, np.array([[0.5, 0.25, 1.0], [0.1, 0.0, 0.0], [0.2, 0.75, 1.0]]))
        sidecar = b"a\nb\nc\n"
    else:
        _write(src, _table())
        sidecar = None
    valid = src.read_bytes()
    target = tmp_path / ("f.npy" if ext.endswith("npy") else f"f{ext}")
    outcomes = {"ok": 0, "error": 0}
    for _ in range(300):
        target.write_bytes(_mutate(valid, rng))
        if sidecar is not None:
            (tmp_path / "f.examples.txt").write_bytes(_mutate(sidecar, rng) if rng.random() < 0.5 else sidecar)
        try:
            rw = read_replay_weights(target)
        except ReplayWeightsError:
            outcomes["error"] += 1
            continue
        # Whatever reads back satisfies the documented checks.
        assert len(set(rw.examples)) == len(rw.examples) and all(rw.examples)
        assert np.all(np.isfinite(rw.weight)) and np.all(rw.weight >= 0)
        assert rw.selected.dtype == bool and len(rw.selected) == len(rw.weight) == len(rw.examples) == len(rw.score)
        outcomes["ok"] += 1
    assert outcomes["error"] > 0  # the mutations do reach the checks


_CELL = st.one_of(st.sampled_from(["true", "false", "1", "0", "yes", "", "nan", "-1", "inf", "0.5", '"a,b"', "e1"]),
                  st.text(alphabet=st.characters(codec="utf-8"), max_size=6))


@settings(max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_CELL, _CELL, _CELL, _CELL), max_size=6))
def test_generated_csv_files_raise_only_the_documented_error(tmp_path, rows):
    p = tmp_path / "g.csv"
    p.write_text("example,score,weight,selected\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    try:
        rw = read_replay_weights(p)
    except ReplayWeightsError:
        return
    assert len(set(rw.examples)) == len(rw.examples) and all(rw.examples)
    assert np.all(np.isfinite(rw.weight)) and np.all(rw.weight >= 0)


# --- sampler states that do not fit -----------------------------------------------------------------

W = np.array([0.0, 5.0, 1.0, 0.5, 3.0])


def _sampler(weights=W, **kw):
    opts = dict(num_samples=11, num_replicas=2, rank=0, seed=4)
    opts.update(kw)
    return DistributedWeightedReplaySampler(weights, **opts)


def test_a_state_resumes_the_same_sampler():
    s = _sampler()
    it = iter(s)
    head = [next(it) for _ in range(3)]
    t = _sampler()
    t.load_state_dict(json.loads(json.dumps(s.state_dict())))
    assert head + list(t) == list(_sampler())


@pytest.mark.parametrize("other, message", [
    (dict(weights=W * [1, 1, 1, 1, 2]), "other replay weights"),
    (dict(rank=1), "rank=0, this sampler has 1"),
    (dict(num_replicas=3), "num_replicas=2, this sampler has 3"),
    (dict(drop_last=True), "drop_last=False, this sampler has True"),
    (dict(seed=5), "seed=4, this sampler has 5"),
    (dict(mode="selected"), "mode="),
    (dict(num_samples=12), "num_samples=11"),
])
def test_a_state_of_another_sampler_is_refused(other, message):
    state = _sampler().state_dict()
    with pytest.raises(SamplerStateError, match=message):
        _sampler(**other).load_state_dict(state)


def test_scaled_weights_are_the_same_draw_and_load():
    _sampler(weights=W * 3).load_state_dict(_sampler().state_dict())  # normalised: the same distribution


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.pop("position"), "lacks \\['position'\\]"),
    (lambda s: s.update(position=99), "position 99 is outside"),
    (lambda s: s.update(position=-1), "position -1 is outside"),
    (lambda s: s.update(position="3"), "position='3' is not an integer"),
    (lambda s: s.update(epoch=-2), "epoch -2 is negative"),
    (lambda s: s.update(epoch=True), "epoch=True is not an integer"),
    (lambda s: s.update(weights_digest="0" * 64), "other replay weights"),
])
def test_damaged_states_are_refused(edit, message):
    state = _sampler().state_dict()
    edit(state)
    with pytest.raises(SamplerStateError, match=message):
        _sampler().load_state_dict(state)


def test_a_state_that_is_not_a_mapping():
    with pytest.raises(SamplerStateError, match="a mapping, got list"):
        _sampler().load_state_dict([1, 2])


def test_an_older_state_loads_with_a_warning():
    state = _sampler().state_dict(consumed=2)
    for k in ("rank", "drop_last", "weights_digest"):
        del state[k]
    s = _sampler()
    with pytest.warns(RuntimeWarning, match="without \\['rank', 'drop_last', 'weights_digest'\\]"):
        s.load_state_dict(state)
    assert list(s) == list(_sampler())[2:]


def test_dictionary_encoded_columns_read_as_their_values(tmp_path):
    p = tmp_path / "w.parquet"
    ids = pa.array(["a", "b", "a"]).dictionary_encode()
    sel = pa.array(["true", "false", "true"]).dictionary_encode()
    pq.write_table(pa.table({"example": pa.array(["x", "y", "z"]).dictionary_encode(), "weight": [0.5, 0.25, 0.25], "selected": sel}), p)
    rw = read_replay_weights(p)
    assert rw.examples == ["x", "y", "z"] and rw.selected.tolist() == [True, False, True]
    pq.write_table(pa.table({"example": ids, "weight": [0.5, 0.25, 0.25]}), p)
    with pytest.raises(ReplayWeightsError, match="example 'a' appears twice, in rows 1 and 3"):
        read_replay_weights(p)
