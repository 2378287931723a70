#!/usr/bin/env bash
# Side-by-side benchmark of scorm-shim against scorm-again 3.4.3 (project issue 8).
# Builds the release pkg/ (scripts/build.sh), installs scorm-again from npm into
# bench/node_modules, runs the same workloads against both in one headless
# Chromium (pages served from 127.0.0.1), and writes BENCHMARKS.md.
#   scripts/bench.sh            full run (about 4-5 minutes on 2 idle cores)
#   scripts/bench.sh --quick    fewer repetitions, smaller workloads (a smoke run)
#   scripts/bench.sh --no-build reuse the existing pkg/
# Extra arguments go to bench/run.mjs (e.g. --out /tmp/b.md). Nothing asserts a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=1
ARGS=()
for a in "$@"; do
  if [ "$a" = --no-build ]; then BUILD=0; else ARGS+=("$a"); fi
done

"$PWD/scripts/deps.sh" test   # wasm toolchain, root npm packages (playwright-core), Chromium
if [ "$BUILD" = 1 ] || [ ! -f pkg/scorm-shim.js ]; then
  scripts/build.sh
fi

if [ ! -f bench/node_modules/scorm-again/package.json ] ||
   ! grep -q '"version": "3.4.3"' bench/node_modules/scorm-again/package.json; then
  echo "==> npm install (bench/: scorm-again 3.4.3)"
  (cd bench && npm ci --no-audit --no-fund)
fi

echo "==> benchmark (headless Chromium; progress on stderr)"
node bench/run.mjs "${ARGS[@]}"
echo "==> manifest parsing beside DOMParser"
node bench/manifest.mjs
echo "==> wrote BENCHMARKS.md (raw numbers: bench/results/latest.json)"
