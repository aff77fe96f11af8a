"""Local text for the closed-loop replay benchmark, discovered at run time.

Roots (no machine paths are written down): ``<stdlib>`` is the running Python's standard library
(``sysconfig``); ``<share>``, ``<include>`` and ``<etc>`` are ``usr/share``, ``usr/include`` and ``etc``
under ``$FORGETSCOPE_TEXT_ROOT`` (default: the filesystem root). Sources that are missing on a machine are
skipped and reported. Every choice is seeded.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import random
import re
import sysconfig
from pathlib import Path

WINDOW = 64


def roots() -> dict[str, Path]:
    base = Path(os.environ.get("FORGETSCOPE_TEXT_ROOT", os.sep))
    return {
        "stdlib": Path(sysconfig.get_paths()["stdlib"]),
        "share": base / "usr" / "share",
        "include": base / "usr" / "include",
        "etc": base / "etc",
    }


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError:
        return b""
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return b""
    return data


_ROFF = re.compile(rb"^\.(?:\\\"|[A-Za-z]{1,3}\b)[^\n]*\n?", re.M)
_ESC = re.compile(rb"\\f[BIRP]|\\-|\\&|\\\(..|\\[ e]")


def strip_roff(data: bytes) -> bytes:
    """Man page roff with the macros stripped roughly (macro lines dropped, font escapes removed)."""
    return _ESC.sub(b"", _ROFF.sub(b"", data))


def gather(files: list[Path], cap: int, rng: random.Random, transform=None) -> bytes:
    """Concatenates shuffled files until ``cap`` bytes."""
    files = sorted(files)
    rng.shuffle(files)
    out, total = [], 0
    for f in files:
        data = _read(f)
        if transform is not None:
            data = transform(data)
        if len(data) < 2 * WINDOW:
            continue
        out.append(data)
        total += len(data)
        if total >= cap:
            break
    return b"\n".join(out)


def upstream_sources(cap: int, seed: int) -> dict[str, bytes]:
    """The pretraining mixture: one blob of text per source (missing sources are left out)."""
    r = roots()
    rng = random.Random(seed)
    globs = {
        "python": lambda: [p for p in r["stdlib"].glob("*.py")] + [p for p in r["stdlib"].glob("[a-l]*/*.py") if "test" not in p.parts],
        "man": lambda: list((r["share"] / "man" / "man1").glob("*.gz")),
        "license": lambda: [p for p in (r["share"] / "common-licenses").glob("*") if p.is_file()],
        "copyright": lambda: list((r["share"] / "doc").glob("*/copyright")),
        "cheader": lambda: list(r["include"].glob("*.h")),
    }
    out = {}
    for name, find in globs.items():
        blob = gather(find(), cap, rng, strip_roff if name == "man" else None)
        if len(blob) >= 20 * WINDOW:
            out[name] = blob
    return out


def windows(blob: bytes, count: int, rng: random.Random, width: int = WINDOW) -> list[bytes]:
    """``count`` distinct windows of ``width`` bytes starting just after a newline (or anywhere if the
    text has too few newlines)."""
    starts = [m.end() for m in re.finditer(rb"\n", blob) if m.end() + width <= len(blob)]
    if len(starts) < count:
        starts = list(range(0, len(blob) - width))
    picked = rng.sample(starts, min(count, len(starts)))
    return [blob[s : s + width] for s in picked]


def _prose(seed: int) -> bytes:
    r = roots()
    return strip_roff(b"\n".join(_read(p) for p in sorted((r["share"] / "man" / "man7").glob("*.gz"))[:60]))


def _synthetic(kind: str, rng: random.Random, prose: bytes) -> bytes:
    lines: list[str] = []
    words = re.findall(r"[A-Za-z]{2,}", prose.decode("latin-1"))
    sentence = lambda k: " ".join(rng.choice(words) for _ in range(k))  # noqa: E731
    for _ in range(4000):
        if kind == "arith":
            a, b = rng.randint(0, 999), rng.randint(0, 999)
            lines.append(f"{a}+{b}={a + b}")
        elif kind == "upper":
            lines.append(sentence(rng.randint(5, 12)).upper())
        elif kind == "reverse":
            lines.append(" ".join(w[::-1] for w in sentence(rng.randint(5, 12)).split()))
        elif kind.startswith("caesar"):
            k = int(kind[-1])
            lines.append("".join(chr((ord(c) - 97 + k) % 26 + 97) if "a" <= c <= "z" else c for c in sentence(8).lower()))
        elif kind == "json":
            lines.append(json.dumps({"id": rng.randint(1, 99999), "name": rng.choice(words).lower(), "ok": rng.random() < 0.5, "score": round(rng.random(), 3)}))
        elif kind == "csv":
            lines.append(",".join([str(rng.randint(1, 9999)), rng.choice(words), f"{rng.random():.4f}", rng.choice(["yes", "no"])]))
        elif kind == "hex":
            lines.append(f"{rng.randrange(1 << 24):08x}  " + " ".join(f"{rng.randrange(256):02x}" for _ in range(16)))
        elif kind == "log":
            lines.append(f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} {rng.choice(['INFO', 'WARN', 'ERROR', 'DEBUG'])} {sentence(4).lower()}")
        elif kind == "roman":
            n = rng.randint(1, 3999)
            lines.append(f"{n} = {_roman(n)}")
        elif kind == "sql":
            lines.append(f"INSERT INTO {rng.choice(words).lower()} VALUES ({rng.randint(1, 999)}, '{rng.choice(words)}', {rng.random():.2f});")
        elif kind == "base64":
            lines.append(base64.b64encode(sentence(6).encode()).decode())
        elif kind == "dna":
            lines.append("".join(rng.choice("ACGT") for _ in range(60)))
        elif kind == "kv":
            lines.append(f"{rng.choice(words).lower()}_{rng.choice(words).lower()} = {rng.choice(['true', 'false', str(rng.randint(0, 100))])}")
        else:
            raise ValueError(kind)
    return ("\n".join(lines) + "\n").encode()


def _roman(n: int) -> str:
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


SYNTHETIC = ["arith", "upper", "reverse", "caesar1", "caesar3", "json", "csv", "hex", "log", "roman", "sql", "base64", "dna", "kv"]


#: Task sets: ``classic`` (the byte models' 23 tasks) and ``instruct-code`` (the subword model's: the same
#: local sub-sources, two more code sources, six instruction-style tasks generated by code and six of the
#: generated formats).
TASK_SETS = ("classic", "instruct-code")
INSTRUCT_SYNTHETIC = ["json", "csv", "log", "sql", "kv", "roman"]


def task_texts(cap: int, seed: int, task_set: str = "classic") -> dict[str, bytes]:
    """Fine-tuning tasks: sub-sources and neighbours of the upstream mixture, and generated formats (with
    ``task_set="instruct-code"`` also code sources and instruction-style records, see :data:`TASK_SETS`)."""
    if task_set not in TASK_SETS:
        raise ValueError(f"data.task_set must be one of {', '.join(TASK_SETS)}, got {task_set!r}")
    r = roots()
    rng = random.Random(seed)
    real = {
        "man5": (list((r["share"] / "man" / "man5").glob("*.gz")), strip_roff),
        "man8": (list((r["share"] / "man" / "man8").glob("*.gz")), strip_roff),
        "py-email": (list((r["stdlib"] / "email").rglob("*.py")), None),
        "py-asyncio": (list((r["stdlib"] / "asyncio").glob("*.py")), None),
        "py-tests": (list((r["stdlib"] / "test").glob("test_*.py")), None),
        "gpl3": ([p for p in (r["share"] / "common-licenses").glob("GPL-3*")], None),
        "linux-headers": (list((r["include"] / "linux").glob("*.h")), None),
        "debian-changelog": (list((r["share"] / "doc").glob("*/changelog.Debian.gz")), None),
        "etc-conf": ([p for p in r["etc"].glob("*.conf") if p.is_file()], None),
    }
    out = {}
    for name, (files, transform) in real.items():
        blob = gather(files, cap, rng, transform)
        if len(blob) >= 20 * WINDOW:
            out[name] = blob
    prose = _prose(seed)
    if task_set == "classic":
        for kind in SYNTHETIC:
            out[kind] = _synthetic(kind, random.Random(f"{seed}-{kind}"), prose)
        return out
    code = {"py-unittest": (list((r["stdlib"] / "unittest").glob("*.py")), None),
            "perl": (list((r["share"] / "perl5").rglob("*.pm")), None)}
    for name, (files, transform) in code.items():
        blob = gather(files, cap, rng, transform)
        if len(blob) >= 20 * WINDOW:
            out[name] = blob
    for kind in INSTRUCT_SYNTHETIC:
        out[kind] = _synthetic(kind, random.Random(f"{seed}-{kind}"), prose)
    from .instruct import instruction_tasks  # it builds on this module's readers

    out.update(instruction_tasks(seed, prose))
    return out
