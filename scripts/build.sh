#!/usr/bin/env bash
# Build the release pkg/: the classic script (pkg/scorm-shim.js, wasm inlined),
# the ES module entry for npm (pkg/index.js + pkg/scorm_shim.js + pkg/scorm_shim_bg.wasm),
# TypeScript declarations and package.json; then print the gzipped sizes.
#
# `scripts/build.sh --testing` builds the ES module package with the test-only
# exports (cargo feature `testing`: `Shim.launchForTest`) into target/pkg-test/
# instead, for the end-to-end tests that need them; pkg/ is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
"$ROOT/scripts/deps.sh" build

TESTING=0
if [ "${1:-}" = "--testing" ]; then TESTING=1; fi

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
if [ "$TESTING" = 1 ]; then
  OUT=target/pkg-test-build PKG=target/pkg-test CARGO_FEATURES="--features testing"
else
  OUT=target/pkg-build PKG=pkg CARGO_FEATURES=""
fi
rm -rf "$OUT" "$PKG"
mkdir -p "$OUT/web" "$OUT/classic" "$PKG"

echo "==> cargo build (wasm32, release) $CARGO_FEATURES"
# shellcheck disable=SC2086
cargo build --release --target wasm32-unknown-unknown -p scorm-shim $CARGO_FEATURES
WASM=target/wasm32-unknown-unknown/release/scorm_shim.wasm

echo "==> wasm-bindgen"
wasm-bindgen --target web --out-dir "$OUT/web" --out-name scorm_shim "$WASM"
DIRS="web"
if [ "$TESTING" = 0 ]; then
  wasm-bindgen --target no-modules --no-typescript --out-dir "$OUT/classic" --out-name scorm_shim "$WASM"
  DIRS="web classic"
fi

WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
# --flatten --rereloop rebuilds the control flow before -Oz (smaller than
# -Oz alone, and than -Oz --converge); --low-memory-unused lets constant
# address offsets fold into loads and stores, which is sound here because
# Rust never uses the first 1 KiB of linear memory (it is the far end of
# the 1 MiB stack).
WASM_OPT_PASSES="--low-memory-unused --flatten --rereloop -Oz -Oz"
for d in $DIRS; do
  echo "==> wasm-opt $WASM_OPT_PASSES ($d)"
  "$WASM_OPT" $WASM_OPT_PASSES $FEATURES --strip-debug --strip-producers -o "$OUT/$d/opt.wasm" "$OUT/$d/scorm_shim_bg.wasm"
done

# ES module package
cp "$OUT/web/opt.wasm" "$PKG/scorm_shim_bg.wasm"
cp "$OUT/web/scorm_shim.js" "$PKG/scorm_shim.js"
cp "$OUT/web/scorm_shim.d.ts" "$PKG/scorm_shim.d.ts"
cat js/esm-head.js js/install.js js/transport.js js/esm-tail.js > "$PKG/index.js"
cp js/index.d.ts "$PKG/index.d.ts"
cp js/scorm-shim.d.ts "$PKG/scorm-shim.d.ts"
if [ "$TESTING" = 1 ]; then
  echo "Test package (with launchForTest) in $PKG/"
  exit 0
fi

# Classic script: one file, wasm inlined (deflated + base64), minified; nothing
# leaks to the global scope but API, API_1484_11 and ScormShim.
node scripts/pack-classic.mjs "$OUT/classic/scorm_shim.js" "$OUT/classic/opt.wasm" "$VERSION" pkg/scorm-shim.js

sed "s/\"version\": \"0.0.0\"/\"version\": \"$VERSION\"/" js/package.json > pkg/package.json
cp README.md pkg/README.md

size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$@" | wc -c | tr -d ' '; }
CLASSIC_RAW=$(size pkg/scorm-shim.js); CLASSIC_GZ=$(gz pkg/scorm-shim.js)
WASM_RAW=$(size pkg/scorm_shim_bg.wasm); WASM_GZ=$(gz pkg/scorm_shim_bg.wasm)
JS_RAW=$(( $(size pkg/index.js) + $(size pkg/scorm_shim.js) )); JS_GZ=$(( $(gz pkg/index.js) + $(gz pkg/scorm_shim.js) ))
echo
echo "Shipped sizes (what a page downloads), bytes:"
printf '  %-44s %9s raw %8s gzipped\n' "pkg/scorm-shim.js (classic, wasm inlined)" "$CLASSIC_RAW" "$CLASSIC_GZ"
printf '  %-44s %9s raw %8s gzipped\n' "ES module: index.js + scorm_shim.js" "$JS_RAW" "$JS_GZ"
printf '  %-44s %9s raw %8s gzipped\n' "ES module: scorm_shim_bg.wasm" "$WASM_RAW" "$WASM_GZ"
printf '  %-44s %9s raw %8s gzipped\n' "ES module total (JS + wasm)" "$((JS_RAW + WASM_RAW))" "$((JS_GZ + WASM_GZ))"
