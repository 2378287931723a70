#!/usr/bin/env bash
# Build the release pkg/: the classic script (pkg/scorm-shim.js, wasm inlined),
# the ES module entry for npm (pkg/index.js + pkg/scorm_shim.js + pkg/scorm_shim_bg.wasm),
# TypeScript declarations and package.json; then print the gzipped sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
"$ROOT/scripts/deps.sh" build

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
OUT=target/pkg-build
rm -rf "$OUT" pkg
mkdir -p "$OUT/web" "$OUT/classic" pkg

echo "==> cargo build (wasm32, release)"
cargo build --release --target wasm32-unknown-unknown -p scorm-shim
WASM=target/wasm32-unknown-unknown/release/scorm_shim.wasm

echo "==> wasm-bindgen"
wasm-bindgen --target web --out-dir "$OUT/web" --out-name scorm_shim "$WASM"
wasm-bindgen --target no-modules --no-typescript --out-dir "$OUT/classic" --out-name scorm_shim "$WASM"

WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
# --flatten --rereloop rebuilds the control flow before -Oz (smaller than
# -Oz alone, and than -Oz --converge); --low-memory-unused lets constant
# address offsets fold into loads and stores, which is sound here because
# Rust never uses the first 1 KiB of linear memory (it is the far end of
# the 1 MiB stack).
WASM_OPT_PASSES="--low-memory-unused --flatten --rereloop -Oz -Oz"
for d in web classic; do
  echo "==> wasm-opt $WASM_OPT_PASSES ($d)"
  "$WASM_OPT" $WASM_OPT_PASSES $FEATURES --strip-debug --strip-producers -o "$OUT/$d/opt.wasm" "$OUT/$d/scorm_shim_bg.wasm"
done

# ES module package
cp "$OUT/web/opt.wasm" pkg/scorm_shim_bg.wasm
cp "$OUT/web/scorm_shim.js" pkg/scorm_shim.js
cp "$OUT/web/scorm_shim.d.ts" pkg/scorm_shim.d.ts
cat js/esm-head.js js/install.js js/transport.js js/esm-tail.js > pkg/index.js
cp js/index.d.ts pkg/index.d.ts
cp js/scorm-shim.d.ts pkg/scorm-shim.d.ts

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
