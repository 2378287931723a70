#!/usr/bin/env bash
# Install what building (and, with "test", testing) needs on a fresh Debian
# machine. Idempotent: every step is skipped when its tool is already there.
#   scripts/deps.sh build   wasm32 target, the pinned nightly that builds the
#                           shipped wasm (with rust-src and the wasm32 target),
#                           wasm-bindgen-cli (pinned), npm packages
#   scripts/deps.sh test    the same, plus Chromium and ChromeDriver, and PostgreSQL's server
#                           binaries (the backend's PostgreSQL tests start a throwaway server)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-test}
# Must equal the `wasm-bindgen` crate version pinned in Cargo.toml.
WB_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
# The toolchain of scripts/build.sh (Cargo.toml, package.metadata.scorm-shim).
WASM_TOOLCHAIN=$(sed -n 's/^wasm-toolchain = "\(.*\)"/\1/p' Cargo.toml)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "==> rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if ! rustup run "$WASM_TOOLCHAIN" rustc --version >/dev/null 2>&1 \
  || ! rustup component list --installed --toolchain "$WASM_TOOLCHAIN" 2>/dev/null | grep -q '^rust-src' \
  || ! rustup target list --installed --toolchain "$WASM_TOOLCHAIN" 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "==> rustup toolchain install $WASM_TOOLCHAIN (rust-src, wasm32; about a minute, once)"
  rustup toolchain install "$WASM_TOOLCHAIN" --profile minimal -c rust-src -t wasm32-unknown-unknown
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  echo "==> cargo install wasm-bindgen-cli $WB_VERSION (about 2 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/terser ] ||
   [ ! -d node_modules/@zip.js/zip.js ] || [ ! -d node_modules/axe-core ] || [ ! -d node_modules/typescript ] || [ ! -d node_modules/@gfx/zopfli ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi
if [ "$MODE" = test ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "==> apt-get install chromium chromium-driver"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q chromium chromium-driver
  fi
fi
if [ "$MODE" = test ]; then
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "==> apt-get install postgresql (the backend's PostgreSQL tests; no server is left running)"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q postgresql
    # The package starts a cluster on port 5432; the tests use their own.
    if command -v pg_ctlcluster >/dev/null; then as_root pg_ctlcluster --skip-systemctl-redirect 15 main stop 2>/dev/null || true; fi
  fi
fi
