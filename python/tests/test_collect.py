import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from forgetscope.collect import collect, compute_nll, save_nll, sequence_nll
from forgetscope.tables import TableError, read_table

from conftest import BigramLM, HFStyleLM, TinyCausalLM, random_examples


def hand_nll(table: np.ndarray, tokens: list[int]) -> float:
    """Token-mean NLL of a bigram table, in float64 with math.log/exp (no torch)."""
    total = 0.0
    for a, b in zip(tokens[:-1], tokens[1:]):
        row = table[a]
        m = max(row)
        logz = m + math.log(sum(math.exp(x - m) for x in row))
        total += logz - row[b]
    return total / (len(tokens) - 1)


def test_nll_equals_a_hand_computation_on_a_bigram_model():
    model = BigramLM(vocab=7, seed=3)
    table = model.table.detach().double().numpy()
    examples = {"a": [1, 2, 3], "b": [4, 4, 0, 6, 1], "c": [5, 2]}
    got = compute_nll(model, examples, batch_size=2)
    for k, toks in examples.items():
        assert got[k] == pytest.approx(hand_nll(table, toks), abs=2e-6)
    # hand check of the shift on "c" alone: one predicted token, 2 given 5
    row = table[5]
    assert got["c"] == pytest.approx(math.log(np.exp(row).sum()) - row[2], abs=2e-6)


def test_sequence_nll_counts_only_real_predicted_tokens():
    logits = torch.zeros(1, 4, 3)  # uniform: every predicted token costs log 3
    ids = torch.tensor([[0, 1, 2, 0]])
    mask = torch.tensor([[1, 1, 1, 0]])
    assert sequence_nll(logits, ids, mask)[0].item() == pytest.approx(math.log(3), abs=1e-7)
    logits[0, 2, 0] = 50.0  # the padded position's target (id 0) would be nearly free if it counted
    assert sequence_nll(logits, ids, mask)[0].item() == pytest.approx(math.log(3), abs=1e-7)


def test_padding_and_batching_do_not_change_results():
    model = TinyCausalLM(vocab=32, seed=1)
    examples = random_examples(23, vocab=32, seed=5)
    one_by_one = {k: compute_nll(model, {k: v}, batch_size=1)[k] for k, v in examples.items()}
    batched = compute_nll(model, examples, batch_size=8)
    other_pad = compute_nll(model, examples, batch_size=7, pad_id=31)
    for k in examples:
        assert batched[k] == pytest.approx(one_by_one[k], abs=1e-5)
        assert other_pad[k] == pytest.approx(one_by_one[k], abs=1e-5)
    # lengths differ, so padding really happened
    assert len({len(v) for v in examples.values()}) > 3


def test_hugging_face_style_model_gets_the_attention_mask():
    inner = BigramLM(vocab=9, seed=2)
    hf = HFStyleLM(inner)
    examples = random_examples(10, vocab=9, seed=1)
    got = compute_nll(hf, examples, batch_size=4)
    plain = compute_nll(inner, examples, batch_size=4)
    assert hf.calls == 3
    for k in examples:
        assert got[k] == pytest.approx(plain[k], abs=1e-9)


def test_bfloat16_autocast_is_close_to_float32():
    model = TinyCausalLM(vocab=32, seed=2)
    examples = random_examples(12, vocab=32, seed=2)
    f32 = compute_nll(model, examples, batch_size=4)
    bf16 = compute_nll(model, examples, batch_size=4, dtype=torch.bfloat16)
    for k in examples:
        assert bf16[k] == pytest.approx(f32[k], rel=3e-2)
    assert any(bf16[k] != f32[k] for k in examples)  # it really ran in lower precision


def test_explicit_device_and_model_device_agree():
    model = TinyCausalLM(vocab=32, seed=4)
    examples = random_examples(16, vocab=32, seed=4)
    a = compute_nll(model, examples, batch_size=5)
    b = compute_nll(model, examples, batch_size=16, device="cpu")
    for k in examples:
        assert b[k] == pytest.approx(a[k], abs=1e-5)


def test_rejects_examples_without_a_predicted_token():
    with pytest.raises(ValueError, match="at least 2 tokens"):
        compute_nll(BigramLM(), {"x": [3]})


@pytest.mark.parametrize("ext", [".parquet", ".arrow", ".csv"])
def test_collect_writes_the_long_table_and_resumes(tmp_path, ext):
    base = BigramLM(vocab=9, seed=0)
    tuned = HFStyleLM(BigramLM(vocab=9, seed=1))
    examples = random_examples(10, vocab=9, seed=3)
    out = tmp_path / f"z{ext}"
    base_nll = compute_nll(base, examples)
    save_nll(tmp_path / "base.parquet", base_nll)
    first = dict(list(examples.items())[:6])
    assert collect(out, "t1", tuned, first, base=base) == {"written": 6, "skipped": 0, "truncated": 0}
    calls = tuned.calls
    # resuming with all 10: only the 4 new ones are scored (one batch)
    assert collect(out, "t1", tuned, examples, base=tmp_path / "base.parquet") == {"written": 4, "skipped": 6, "truncated": 0}
    assert tuned.calls == calls + 1
    assert collect(out, "t2", tuned, examples, base=base_nll, batch_size=3) == {"written": 10, "skipped": 0, "truncated": 0}
    table = read_table(out)
    assert table.column_names == ["task", "example", "nll_before", "nll_after"]
    assert table.num_rows == 20
    after = compute_nll(tuned, examples)
    for _t, e, b, a in zip(*(table.column(c).to_pylist() for c in table.column_names)):
        assert b == pytest.approx(base_nll[e], abs=1e-9 if ext != ".csv" else 1e-12 + 1e-9)
        assert a == pytest.approx(after[e], abs=1e-9)
    assert not list(tmp_path.glob(".*tmp"))  # no temporary files left behind


@pytest.mark.parametrize("ext", [".parquet", ".csv"])
def test_example_meta_is_written_and_the_engine_reads_it_as_example_metadata(tmp_path, ext):
    from forgetscope import api

    base = BigramLM(vocab=9, seed=0)
    tuned = HFStyleLM(BigramLM(vocab=9, seed=1))
    examples = random_examples(6, vocab=9, seed=3)
    ids = list(examples)
    # texts with a comma, a quote and a line break: the CSV table must carry them through
    meta = {e: {"source": "code" if k % 2 else "prose", "text": f'line {k}, "quoted"\nsecond'} for k, e in enumerate(ids)}
    out = tmp_path / f"z{ext}"
    collect(out, "t1", tuned, examples, base=base, example_meta=meta)
    collect(out, "t2", tuned, examples, base=base)  # a later task without metadata keeps the columns
    table = read_table(out)
    assert table.column_names == ["task", "example", "nll_before", "nll_after", "source", "text"]
    rows = list(zip(*(table.column(c).to_pylist() for c in ("task", "example", "source", "text"))))
    for t, e, src, text in rows:
        if t == "t1":
            assert (src, text) == (meta[e]["source"], meta[e]["text"])
        else:
            assert src in (None, "") and text in (None, "")
    # the engine takes each column as example metadata: analyze's per-source table counts every example
    sources = {s["source"]: s["examples"] for s in api.analyze(out)["sources"]}
    assert sources == {"code": 3, "prose": 3}


@pytest.mark.parametrize("ext", [".parquet", ".csv"])
def test_example_embeddings_travel_in_the_collected_table_exactly(tmp_path, ext):
    import json

    from forgetscope import api
    from forgetscope.side import embedding_meta

    base = BigramLM(vocab=9, seed=0)
    examples = random_examples(12, vocab=9, seed=3)
    ids = list(examples)
    rng = np.random.default_rng(7)
    E = rng.standard_normal((len(ids), 3)) * np.array([1.0, 1e-7, 3e5])  # values whose digits must all survive
    E[0, 0] = 0.1 + 0.2
    emb = embedding_meta(ids, E)
    meta = {e: {**emb[e], "source": "code" if k % 2 else "prose"} for k, e in enumerate(ids)}
    del meta[ids[5]]["embedding.1"]  # a missing coordinate stays missing
    out = tmp_path / f"z{ext}"
    for t in range(4):
        collect(out, f"t{t}", BigramLM(vocab=9, seed=10 + t), examples, base=base, example_meta=meta if t == 0 else None)
    table = read_table(out)
    assert pa.types.is_floating(table.schema.field("embedding.0").type)
    assert pa.types.is_string(table.schema.field("source").type)
    df = api.read_matrix(out)
    kept = api.read_examples(out)
    assert kept.index.tolist() == df.columns.tolist() == ids
    assert sorted(kept.columns) == ["embedding.0", "embedding.1", "embedding.2", "source"]
    for k, e in enumerate(ids):
        assert kept.loc[e, "source"] == meta[e]["source"]
        for c in range(3):
            got = kept.loc[e, f"embedding.{c}"]
            if e == ids[5] and c == 1:
                assert np.isnan(got)  # missing stays missing
            else:
                assert got == float(E[k, c])  # exact floats, read back by the engine
    # lowrank predicts the same from the table's columns as from the same embeddings in an --examples file
    plain = tmp_path / "plain.parquet"
    pq.write_table(table.select(["task", "example", "nll_before", "nll_after"]), plain)
    examples_file = tmp_path / "examples.jsonl"
    examples_file.write_text("".join(json.dumps({"id": e, **meta[e]}) + "\n" for e in ids))
    observed = {e: float(df.loc["t3", e]) for e in ids[:8]}
    a = api.predict(out, observed, train_rows="0-2")
    b = api.predict(plain, observed, train_rows="0-2", examples=examples_file)
    c = api.predict(plain, observed, train_rows="0-2")
    assert a["prediction"].tolist() == b["prediction"].tolist()
    assert a["prediction"].tolist() != c["prediction"].tolist()  # the embeddings did change the prediction


def test_a_csv_table_with_numeric_looking_metadata_takes_more_rows(tmp_path):
    # a source of "2019" read back from CSV by type inference became int64, and the next collect with
    # example_meta refused the table ("holds int64; example metadata is written as strings")
    base = BigramLM(vocab=9, seed=0)
    examples = random_examples(3, vocab=9, seed=3)
    meta = {e: {"source": "2019", "shard": f"00{k}"} for k, e in enumerate(examples)}
    out = tmp_path / "z.csv"
    for t in range(2):
        assert collect(out, f"t{t}", BigramLM(vocab=9, seed=t + 1), examples, base=base, example_meta=meta)["written"] == 3
    table = read_table(out, csv_types={"source": pa.string(), "shard": pa.string()})
    assert table.column("source").to_pylist() == ["2019"] * 6
    assert table.column("shard").to_pylist() == ["000", "001", "002"] * 2


@pytest.mark.parametrize("stored", [pa.float32(), pa.int64(), pa.null()])
def test_new_embedding_rows_append_to_an_existing_column_of_another_number_type(tmp_path, stored):
    base = BigramLM(vocab=9, seed=0)
    examples = random_examples(2, vocab=9, seed=3)
    out = tmp_path / "z.parquet"
    value = None if stored == pa.null() else 2
    pq.write_table(pa.table({"task": ["a"], "example": ["zz"], "nll_before": [1.0], "nll_after": [1.5], "embedding.0": pa.array([value], stored)}), out)
    meta = {e: {"embedding.0": 0.25 * (k + 1)} for k, e in enumerate(examples)}
    assert collect(out, "t", base, examples, base=base, example_meta=meta)["written"] == 2
    table = read_table(out)
    assert table.schema.field("embedding.0").type == pa.float64()
    assert table.column("embedding.0").to_pylist() == [value if value is None else 2.0, 0.25, 0.5]


def test_new_text_rows_append_to_an_existing_large_string_column(tmp_path):
    base = BigramLM(vocab=9, seed=0)
    examples = random_examples(2, vocab=9, seed=3)
    out = tmp_path / "z.parquet"
    pq.write_table(pa.table({"task": ["a"], "example": ["zz"], "nll_before": [1.0], "nll_after": [1.5], "source": pa.array(["web"], pa.large_string())}), out)
    assert collect(out, "t", base, examples, base=base, example_meta={e: {"source": "code"} for e in examples})["written"] == 2
    assert read_table(out).column("source").to_pylist() == ["web", "code", "code"]


@pytest.mark.parametrize(
    "meta, error, message",
    [
        ({"embedding.0": "0.5"}, TypeError, "embedding coordinate: a number"),
        ({"embedding.0": True}, TypeError, "embedding coordinate: a number"),
        ({"embedding.0": float("nan")}, ValueError, "not a finite number"),
        ({"length": 3.0}, TypeError, "only under embedding keys"),
    ],
)
def test_example_embeddings_are_checked_before_anything_is_measured(tmp_path, meta, error, message):
    base = BigramLM(vocab=9, seed=0)
    examples = random_examples(2, vocab=9, seed=3)
    with pytest.raises(error, match=message):
        collect(tmp_path / "z.parquet", "t", base, examples, base=base, example_meta={next(iter(examples)): meta})
    assert not (tmp_path / "z.parquet").exists()


def test_an_existing_embedding_column_of_text_is_refused(tmp_path):
    base = BigramLM(vocab=9, seed=0)
    examples = random_examples(2, vocab=9, seed=3)
    pq.write_table(pa.table({"task": ["a"], "example": ["zz"], "nll_before": [1.0], "nll_after": [1.5], "embedding.0": ["x"]}), tmp_path / "z.parquet")
    with pytest.raises(TableError, match="written as float64"):
        collect(tmp_path / "z.parquet", "t", base, examples, base=base, example_meta={next(iter(examples)): {"embedding.0": 0.5}})


def test_example_meta_is_checked_before_anything_is_measured(tmp_path):
    base = BigramLM(vocab=9, seed=0)
    examples = random_examples(2, vocab=9, seed=3)
    e = next(iter(examples))
    with pytest.raises(ValueError, match="cannot be a metadata column"):
        collect(tmp_path / "z.parquet", "t", base, examples, base=base, example_meta={e: {"nll_after": "x"}})
    with pytest.raises(TypeError, match="string or None"):
        collect(tmp_path / "z.parquet", "t", base, examples, base=base, example_meta={e: {"source": 3}})
    assert not (tmp_path / "z.parquet").exists()
    # an existing column of another type cannot take string metadata: said before measuring, naming it
    import pyarrow as pa
    import pyarrow.parquet as pq

    from forgetscope.tables import TableError

    pq.write_table(pa.table({"task": ["a"], "example": ["zz"], "nll_before": [1.0], "nll_after": [1.5], "source": [3]}), tmp_path / "z.parquet")
    with pytest.raises(TableError, match="source.*written as strings|written as strings.*source"):
        collect(tmp_path / "z.parquet", "t", base, examples, base=base, example_meta={e: {"source": "man"}})
