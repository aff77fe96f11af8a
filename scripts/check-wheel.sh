#!/usr/bin/env bash
# The Python package as a user gets it: builds the wheel (with the engine bundled by
# scripts/build-engine.mjs), installs it into a fresh virtual environment outside the checkout
# (--system-site-packages only so that pandas/pyarrow/torch are not downloaded again; forgetscope itself
# must come from the wheel), and from a fresh folder, without FORGETSCOPE_CLI or PYTHONPATH:
#   1. forgetscope.api read_matrix / predict / plan_replay / evaluate against float64 references, no torch imported;
#   2. the `forgetscope` and `forgetscope-collect` commands of the wheel;
#   3. every runnable block of README.md and docs/guides/*.md, copy-paste style (scripts/run_doc_blocks.py;
#      TypeScript blocks against the npm package from `npm pack`), and the notebook docs/notebooks/*.ipynb.
# Needs: node >= 22, `npm ci` and `npm run build` done (npm test does both), python3 with the packages of
# python/requirements-test.txt. Usage: scripts/check-wheel.sh [--api-only]
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/forgetscope-wheel-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "check-wheel: building the wheel"
# A setuptools that builds wheels itself (>= 70.1) is used as installed; otherwise pip fetches one.
ISOLATION="--no-build-isolation"
python3 -c 'import setuptools, sys; v = tuple(int(x) for x in setuptools.__version__.split(".")[:2]); sys.exit(v < (70, 1))' 2>/dev/null || ISOLATION=""
python3 -m pip wheel ./python --no-deps $ISOLATION --quiet -w "$WORK/wheel" 2> >(grep -v -i -E 'deprecat|license|^\s*(!!|\*+|$)|corresp|By 20|See https' >&2)
WHEEL="$(ls "$WORK"/wheel/forgetscope-*.whl)"
# --without-pip: no ensurepip needed (Debian ships it separately); the system's pip, visible through
# --system-site-packages, installs into the venv it runs in.
python3 -m venv --system-site-packages --without-pip "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --no-deps --no-index --force-reinstall "$WHEEL"

mkdir "$WORK/user"
cd "$WORK/user"
export PATH="$WORK/venv/bin:$PATH"
unset FORGETSCOPE_CLI PYTHONPATH
echo "check-wheel: the API from $WORK/user"
python "$REPO/scripts/check_wheel_api.py" "$REPO/fixtures/real-dev-v1"

echo "check-wheel: the commands"
test "$(forgetscope --version)" = "$(python -c 'import forgetscope; print(forgetscope.__version__)')"
forgetscope info "$REPO/fixtures/real-dev-v1" > info.txt && grep -q "37 × 1000" info.txt
forgetscope collect --help > collect-help.txt && grep -q -- "--max-length" collect-help.txt
forgetscope-collect --help > /dev/null
forgetscope demo --out demo > demo.txt 2>&1 && test -s demo/report.html  # the demo's fixture travels in the wheel
python -m forgetscope collect --help > /dev/null
set +e
forgetscope info no-such-file.csv 2> err.txt
rc=$?
set -e
test "$rc" = 2 || { echo "check-wheel: a bad input exited $rc, not 2" >&2; cat err.txt >&2; exit 1; }

if [ "${1:-}" = "--api-only" ]; then echo "check-wheel: ok (API only)"; exit 0; fi

echo "check-wheel: the docs' runnable blocks and the notebook, from fresh folders"
(cd "$REPO" && npm pack --ignore-scripts --silent --pack-destination "$WORK" >/dev/null)
python "$REPO/scripts/run_doc_blocks.py" --fixtures "$REPO/fixtures" --npm-package "$(ls "$WORK"/forgetscope-*.tgz)" \
  "$REPO/README.md" "$REPO"/docs/guides/*.md "$REPO"/docs/notebooks/*.ipynb
echo "check-wheel: ok"
