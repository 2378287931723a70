#!/usr/bin/env bash
# Side-by-side benchmark of scorm-shim against scorm-again 3.4.3 (project issue 8).
# Builds the release pkg/ (scripts/build.sh), installs scorm-again from npm into
# bench/node_modules, runs the same workloads against both in one headless
# Chromium (pages served from 127.0.0.1), and writes BENCHMARKS.md.
#   scripts/bench.sh            full run (about 4-5 minutes on 2 idle cores)
#   scripts/bench.sh --quick    fewer repetitions, smaller workloads (a smoke run)
#   scripts/bench.sh --no-build reuse the existing pkg/
#   scripts/bench.sh --base-pkg DIR  also time the course player with another build
#                               of pkg/ (e.g. the previous commit's), alternately
#   scripts/bench.sh --wire     instead: requests and bytes on the wire for a typical
#                               session, ours (via the reference backend) beside
#                               scorm-again with a commit URL (bench/wire.mjs, about
#                               2.5 minutes); writes bench/WIRE.md
# Extra arguments go to bench/run.mjs (e.g. --out /tmp/b.md). Nothing asserts a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=1
WIRE=0
ARGS=()
for a in "$@"; do
  if [ "$a" = --no-build ]; then BUILD=0
  elif [ "$a" = --wire ]; then WIRE=1
  else ARGS+=("$a"); fi
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

echo "==> cargo build -p scorm-backend (the course player's time to first SCO; --wire)"
cargo build -p scorm-backend
if [ "$WIRE" = 1 ]; then
  echo "==> wire benchmark (headless Chromium; progress on stderr)"
  node bench/wire.mjs "${ARGS[@]}"
  echo "==> wrote bench/WIRE.md (raw numbers: bench/results/wire.json)"
  exit 0
fi

echo "==> benchmark (headless Chromium; progress on stderr)"
node bench/run.mjs "${ARGS[@]}"
echo "==> manifest parsing beside DOMParser"
node bench/manifest.mjs
echo "==> the content-origin bridge beside the same page and scorm-again's cross-frame API"
node bench/bridge.mjs "${ARGS[@]}"
echo "==> wrote BENCHMARKS.md (raw numbers: bench/results/latest.json)"
