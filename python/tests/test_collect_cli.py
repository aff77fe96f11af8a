"""``forgetscope collect`` (forgetscope.collect_cli) end to end: a --factory model, upstream data in each
format, NLL rows checked against a float64 NumPy computation of the same model, resumption, truncation,
the base-NLL cache, bad input (exit 2 with file:line), and two torchrun ranks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from forgetscope.collect_cli import main, read_upstream
from forgetscope.tables import read_table

from conftest import REPO

FACTORY = textwrap.dedent(
    '''
    """A byte-level bigram model and tokenizer: logits at t depend only on token t (easy to check by hand)."""
    import torch


    class ByteTokenizer:
        bos_token_id = None
        eos_token_id = None
        pad_token_id = 0

        def __call__(self, text, add_special_tokens=True):
            return {"input_ids": list(text.encode())}


    class Bigram(torch.nn.Module):
        def __init__(self, seed):
            super().__init__()
            g = torch.Generator().manual_seed(seed)
            self.table = torch.nn.Parameter(torch.randn(256, 256, generator=g))

        def forward(self, input_ids):
            return self.table[input_ids]


    def load(path):
        return Bigram({"base": 0, "tuned": 1}[path]), ByteTokenizer()
    '''
)

TEXTS = {"a1": "hello world", "b2": "forgetting is measured per example", "007": "x = 1 + 2", "c3": "the end."}


def reference_nll(seed: int, text: str, max_length: int | None = None) -> float:
    """Token-mean NLL in float64 NumPy from the model's table (same seed, same generator)."""
    table = torch.randn(256, 256, generator=torch.Generator().manual_seed(seed)).double().numpy()
    ids = list(text.encode())[:max_length]
    logits = table[ids[:-1]]
    logp = logits - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True)) - logits.max(1, keepdims=True)
    return float(-np.mean(logp[np.arange(len(ids) - 1), ids[1:]]))


@pytest.fixture
def work(tmp_path, monkeypatch):
    (tmp_path / "toy_factory.py").write_text(FACTORY)
    with open(tmp_path / "upstream.jsonl", "w") as f:
        for k, v in TEXTS.items():
            f.write(json.dumps({"id": k, "text": v}) + "\n")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    sys.modules.pop("toy_factory", None)


def _args(*extra: str) -> list[str]:
    return ["--factory", "toy_factory:load", "--model", "tuned", "--base", "base", "--data", "upstream.jsonl", "--out", "forgetting.parquet", "--quiet", *extra]


def test_rows_match_a_float64_reference_and_a_rerun_resumes(work, capsys):
    assert main(["--task", "t1", *_args()]) == 0
    assert "t1: 4 rows written, 0 already in forgetting.parquet (0 truncated)" in capsys.readouterr().out
    t = read_table("forgetting.parquet").to_pandas()
    assert t["example"].tolist() == list(TEXTS)  # ids exact ("007" stays a string), file order
    for _, r in t.iterrows():
        assert r["nll_before"] == pytest.approx(reference_nll(0, TEXTS[r["example"]]), rel=1e-5)
        assert r["nll_after"] == pytest.approx(reference_nll(1, TEXTS[r["example"]]), rel=1e-5)
    assert main(["--task", "t1", *_args()]) == 0
    assert "t1: 0 rows written, 4 already in" in capsys.readouterr().out
    assert len(read_table("forgetting.parquet")) == 4


def test_max_length_truncates_and_says_so(work, capsys):
    assert main(["--task", "t1", *_args("--max-length", "10")]) == 0
    out = capsys.readouterr()
    assert "2 of 4 examples are longer than 10 tokens and are scored on their first 10 (--max-length)" in out.err
    t = read_table("forgetting.parquet").to_pandas().set_index("example")
    for k in ("a1", "b2"):  # 11 and 34 bytes: cut
        assert t.loc[k, "nll_after"] == pytest.approx(reference_nll(1, TEXTS[k], 10), rel=1e-5)
        assert t.loc[k, "nll_after"] != pytest.approx(reference_nll(1, TEXTS[k]), rel=1e-5)
    assert t.loc["007", "nll_after"] == pytest.approx(reference_nll(1, TEXTS["007"]), rel=1e-5)  # 9 bytes: whole


def test_the_base_nll_is_cached_and_reused(work):
    assert main(["--task", "t1", *_args("--base-nll", "base-nll.parquet")]) == 0
    base = read_table("base-nll.parquet").to_pandas().set_index("example")["nll"]
    assert base["a1"] == pytest.approx(reference_nll(0, TEXTS["a1"]), rel=1e-5)
    args = [a for a in _args("--base-nll", "base-nll.parquet")]
    i = args.index("--base")
    del args[i : i + 2]  # no base model: the cache is enough
    assert main(["--task", "t2", *args]) == 0
    t = read_table("forgetting.parquet").to_pandas()
    assert t.groupby("task").size().to_dict() == {"t1": 4, "t2": 4}
    assert (t[t.task == "t1"]["nll_before"].to_numpy() == t[t.task == "t2"]["nll_before"].to_numpy()).all()


def test_parquet_and_datasets_folders_read_like_jsonl(work):
    import datasets

    pq.write_table(pa.table({"id": list(TEXTS), "text": list(TEXTS.values())}), "upstream.parquet")
    datasets.Dataset.from_dict({"id": list(TEXTS), "text": list(TEXTS.values())}).save_to_disk("upstream-ds")
    assert read_upstream("upstream.parquet") == read_upstream("upstream-ds") == read_upstream("upstream.jsonl") == TEXTS


def test_a_csv_upstream_keeps_ids_texts_and_metadata_exactly_as_written(work):
    # pyarrow's type inference would read "007" as the integer 7 and "12" as a number, not a text
    with open("upstream.csv", "w") as f:
        f.write('id,text,source\n007,hello there,2019\n010,12,2020\n1,"x, y",\n')
    from forgetscope.collect_cli import read_upstream_with_meta

    texts, meta = read_upstream_with_meta("upstream.csv", ["source"])
    assert texts == {"007": "hello there", "010": "12", "1": "x, y"}
    assert meta == {"007": {"source": "2019"}, "010": {"source": "2020"}, "1": {"source": None}}


@pytest.mark.parametrize(
    "lines, message",
    [
        (['{"id": "a", "text": "x y"}', '{"id": "b", "text": "z w"}', "{bad json"], "upstream.jsonl:3:2: not JSON"),
        (['{"id": "a", "text": "x y"}', '{"id": "a", "text": "z w"}'], "upstream.jsonl:2: example id 'a' appears twice"),
        (['{"id": "a", "body": "x y"}'], "upstream.jsonl:1: no 'text' field"),
        (['{"id": 1.5, "text": "x y"}'], "upstream.jsonl:1: 'id' 1.5 is a float"),
    ],
)
def test_bad_input_exits_2_naming_file_and_line(work, capsys, lines, message):
    (work / "upstream.jsonl").write_text("\n".join(lines) + "\n")
    assert main(["--task", "t1", *_args()]) == 2
    assert capsys.readouterr().err.startswith(message)
    assert not (work / "forgetting.parquet").exists()


def test_two_torchrun_ranks_write_the_same_rows_as_one_process(work):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "python"), str(work)]), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29561", "-m", "forgetscope", "collect", "--task", "dist", *_args()]
    r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count("dist: 4 rows written") == 1  # rank 0 reports
    t = read_table("forgetting.parquet").to_pandas().set_index("example")
    assert sorted(t.index) == sorted(TEXTS)
    for k, text in TEXTS.items():
        assert t.loc[k, "nll_after"] == pytest.approx(reference_nll(1, text), rel=1e-5)


def test_hugging_face_folders_and_the_models_context_length(work, capsys):
    """--model / --base as saved Hugging Face folders: the rows equal compute_nll on the loaded models, and
    texts longer than the model's n_positions (64) are cut to it without --max-length."""
    from forgetscope.collect import compute_nll, tokenize_examples

    from conftest import tiny_gpt2, train_tokenizer

    tok = train_tokenizer(bos=False)
    for name, seed in (("base", 0), ("tuned", 1)):
        tiny_gpt2(len(tok), seed=seed).save_pretrained(work / name)
        tok.save_pretrained(work / name)
    texts = {**TEXTS, "long": "the end of a long text " * 30}
    with open(work / "upstream.jsonl", "w") as f:
        for k, v in texts.items():
            f.write(json.dumps({"id": k, "text": v}) + "\n")
    assert main(["--task", "hf", "--model", str(work / "tuned"), "--base", str(work / "base"), "--data", "upstream.jsonl", "--out", "forgetting.csv", "--quiet"]) == 0
    assert "1 of 5 examples are longer than 64 tokens" in capsys.readouterr().err
    ids = {k: v[:64] for k, v in tokenize_examples(tok, texts).items()}
    want_after = compute_nll(tiny_gpt2(len(tok), seed=1), ids, pad_id=tok.pad_token_id)
    want_before = compute_nll(tiny_gpt2(len(tok), seed=0), ids, pad_id=tok.pad_token_id)
    t = read_table("forgetting.csv").to_pandas().set_index("example")
    for k in texts:
        assert t.loc[k, "nll_after"] == pytest.approx(want_after[k], rel=1e-6)
        assert t.loc[k, "nll_before"] == pytest.approx(want_before[k], rel=1e-6)


def test_meta_columns_write_the_examples_metadata_beside_the_losses(work, capsys):
    with open("upstream.jsonl", "w") as f:
        for k, (i, v) in enumerate(TEXTS.items()):
            f.write(json.dumps({"id": i, "text": v, "source": ["man", "py"][k % 2], "n": k}) + "\n")
    assert main(["--task", "t1", *_args("--meta-columns", "source,text,n")]) == 0
    t = read_table("forgetting.parquet").to_pandas()
    assert t.columns.tolist() == ["task", "example", "nll_before", "nll_after", "n", "source", "text"]
    assert t["text"].tolist() == list(TEXTS.values())
    assert t["source"].tolist() == ["man", "py", "man", "py"]
    assert t["n"].tolist() == ["0", "1", "2", "3"]  # written as the strings they are read as
    capsys.readouterr()
    # a metadata column the data lacks: exit 2 naming file and line, before anything is measured
    assert main(["--task", "t2", *_args("--meta-columns", "topic")]) == 2
    assert capsys.readouterr().err.startswith("upstream.jsonl:1: no 'topic' field")
    assert set(read_table("forgetting.parquet").column("task").to_pylist()) == {"t1"}
