#!/usr/bin/env bash
# Run every test layer: native engine tests, browser-layer tests in headless
# Chromium (wasm-bindgen-test), and end-to-end tests (Playwright + Chromium)
# against the reference backend. Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test

echo "==> 1/3 native: cargo test --workspace"
cargo test --workspace

echo "==> build pkg/, the test package target/pkg-test/ (with the test-only exports) and the reference backend"
scripts/build.sh
scripts/build.sh --testing
cargo build -p scorm-backend

echo "==> 2/3 browser layer: wasm-bindgen-test in headless Chromium"
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} \
  cargo test --target wasm32-unknown-unknown -p scorm-shim --test web

echo "==> 3/3 JavaScript unit tests, and end-to-end: Playwright + Chromium against the reference backend"
node --test --test-concurrency=1 tests/js/ tests/e2e/
