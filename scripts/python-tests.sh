#!/usr/bin/env bash
# npm test's Python part: runs python/tests with pytest, after checking that the packages of
# python/requirements-test.txt import; when some do not, says which and the line that installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
missing="$(python3 - <<'PY'
import importlib.util
import os
import re

names = {"scikit-learn": "sklearn"}  # distribution name -> module name, where they differ
reqs = [l.split("#")[0].strip() for l in open(os.environ.get("FORGETSCOPE_TEST_REQUIREMENTS", "python/requirements-test.txt"))]
dist = [re.split(r"[<>=!~;\[ ]", r)[0] for r in reqs if r]  # without a version or extras
print(" ".join(d for d in dist if importlib.util.find_spec(names.get(d, d).replace("-", "_")) is None))
PY
)" || { echo "npm test: python3 is needed for the Python tests (Python >= 3.9)" >&2; exit 1; }
if [ -n "$missing" ]; then
  echo "npm test: the Python tests need packages that are not installed: $missing" >&2
  echo "install them with:  python3 -m pip install -r python/requirements-test.txt" >&2
  exit 1
fi
exec python3 -m pytest python/tests -q "$@"
