"""Instruction-style fine-tuning tasks, generated deterministically by code: ``### Instruction: …
### Response: …`` records, one blank line apart. Four are computed from seeded random values (arithmetic,
sorting, counting, JSON look-up); two come from local sources: what a command does (the NAME line of its
man page) and a Python function written from its docstring (the standard library's own functions)."""

from __future__ import annotations

import ast
import json
import random
import re

from .corpus import _read, roots

RECORDS = 3000
INSTRUCT_TASKS = ("inst-arith", "inst-sort", "inst-count", "inst-json", "inst-whatis", "inst-pydoc")


def record(instruction: str, response: str) -> str:
    """One instruction record."""
    return f"### Instruction:\n{instruction}\n### Response:\n{response}\n"


def _words(prose: bytes) -> list[str]:
    return sorted(set(w.lower() for w in re.findall(r"[A-Za-z]{3,}", prose.decode("latin-1"))))


_NAME = re.compile(rb"^\.SH\s+\"?NAME\"?\s*\n(?:\.[^\n]*\n)*([^\n]+)", re.M)


def whatis_lines(rng: random.Random, pages: int = 1500) -> list[tuple[str, str]]:
    """(command, what it does) from the NAME section of ``pages`` section-1 man pages drawn with ``rng``."""
    files = sorted((roots()["share"] / "man" / "man1").glob("*.gz"))
    out = []
    for p in sorted(rng.sample(files, min(pages, len(files)))):
        m = _NAME.search(_read(p)[:4000])
        if not m:
            continue
        line = m.group(1).decode("utf-8", "replace").replace("\\-", "-").replace("\\(em", "-")
        line = re.sub(r"\\f[BIRP]|\\&|\\[ e]", "", line)
        if " - " in line:
            name, what = line.split(" - ", 1)
            name, what = name.split(",")[0].strip(), what.strip()
            if name and what and len(what) < 120:
                out.append((name, what))
    return out


def python_functions(limit_chars: int = 900) -> list[tuple[str, str, str]]:
    """(signature, first docstring line, source) of short documented top-level functions of the running
    Python's standard library (its top-level modules), sorted by module."""
    out = []
    for p in sorted(roots()["stdlib"].glob("*.py")):
        src = _read(p).decode("utf-8", "replace")
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        lines = src.splitlines()
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_") or node.decorator_list:
                continue
            doc = ast.get_docstring(node)
            seg = "\n".join(lines[node.lineno - 1 : node.end_lineno])
            if not doc or len(seg) > limit_chars:
                continue
            out.append((f"{node.name}({ast.unparse(node.args)})", doc.strip().splitlines()[0], seg))
    return out


def _generated(kind: str, rng: random.Random, words: list[str]) -> str:
    if kind == "inst-arith":
        a, b = rng.randint(0, 999), rng.randint(0, 999)
        op, val = rng.choice([("plus", a + b), ("minus", a - b), ("times", a * b)])
        return record(f"What is {a} {op} {b}?", str(val))
    if kind == "inst-sort":
        ws = rng.sample(words, rng.randint(3, 7))
        return record("Sort these words alphabetically: " + ", ".join(ws), ", ".join(sorted(ws)))
    if kind == "inst-count":
        ws = [rng.choice(words) for _ in range(rng.randint(2, 12))]
        return record(f"How many words are in this sentence? {' '.join(ws)}", str(len(ws)))
    obj = {"id": rng.randint(1, 9999), "name": rng.choice(words), "tag": rng.choice(words), "score": rng.randint(0, 100)}
    key = rng.choice(sorted(obj))
    return record(f"Return the value of {key!r} in this JSON: {json.dumps(obj)}", str(obj[key]))


def instruction_tasks(seed: int, prose: bytes) -> dict[str, bytes]:
    """The six instruction tasks as text blobs (sources missing on a machine are left out)."""
    words = _words(prose) or ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa"]
    out = {}
    for kind in INSTRUCT_TASKS[:4]:
        rng = random.Random(f"{seed}-{kind}")
        out[kind] = "\n".join(_generated(kind, rng, words) for _ in range(RECORDS)).encode()
    for kind, items, fmt in (
        ("inst-whatis", whatis_lines(random.Random(f"{seed}-man1")), lambda t: record(f"What does the command `{t[0]}` do?", t[1])),
        ("inst-pydoc", python_functions(), lambda t: record(f"Write a Python function `{t[0]}`: {t[1]}", t[2])),
    ):
        if len(items) < 20:
            continue
        items = list(items)
        random.Random(f"{seed}-{kind}").shuffle(items)
        out[kind] = "\n".join(fmt(t) for t in items[:RECORDS]).encode()
    return out
