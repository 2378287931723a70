#!/usr/bin/env bash
# Build the release pkg/, in two variants, then print the gzipped sizes:
#
# * full (cargo default features, with content packages: manifest parser,
#   sequencer, `ScormShim.course`): the classic script pkg/scorm-shim.js
#   (wasm inlined) and the ES module entry for npm (pkg/index.js +
#   pkg/scorm_shim.js + pkg/scorm_shim_bg.wasm);
# * run-time only (`--no-default-features`: no `course` feature), for LMS
#   pages that launch SCOs themselves and never open a package: the classic
#   script pkg/scorm-shim-rte.js and the ES module entry pkg/rte/ (npm:
#   "scorm-shim/rte"). Their `course` methods fail with an error naming the
#   full build (js/no-course.js).
#
# Plus TypeScript declarations and package.json. The ES module JavaScript is
# minified with terser (exports and their names kept).
#
# `scripts/build.sh --testing` builds the ES module package with the test-only
# exports (cargo feature `testing`: `Shim.launchForTest`) into target/pkg-test/
# instead, unminified, for the end-to-end tests that need them; pkg/ is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
"$ROOT/scripts/deps.sh" build

TESTING=0
if [ "${1:-}" = "--testing" ]; then TESTING=1; fi

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
WASM=target/wasm32-unknown-unknown/release/scorm_shim.wasm
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
TERSER="$ROOT/node_modules/.bin/terser"
FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
# --flatten --rereloop rebuilds the control flow before -Oz (smaller than
# -Oz alone, and than -Oz --converge); --low-memory-unused lets constant
# address offsets fold into loads and stores, which is sound here because
# Rust never uses the first 1 KiB of linear memory (it is the far end of
# the 1 MiB stack).
WASM_OPT_PASSES="--low-memory-unused --flatten --rereloop -Oz -Oz"

# build_variant NAME "CARGO FLAGS" OUT ES_DIR CLASSIC_JS EXTRA_JS
#   ES_DIR: where the ES module package goes; CLASSIC_JS: the classic script
#   ("" for none; then the ES JavaScript is left unminified); EXTRA_JS: js/
#   files added before the installer's boot code.
build_variant() {
  local name=$1 cargo_flags=$2 out=$3 es=$4 classic=$5 extra=$6
  rm -rf "$out"
  mkdir -p "$out/web" "$out/classic" "$es"
  echo "==> [$name] cargo build (wasm32, release) $cargo_flags"
  # shellcheck disable=SC2086
  cargo build --release --target wasm32-unknown-unknown -p scorm-shim $cargo_flags
  echo "==> [$name] wasm-bindgen"
  wasm-bindgen --target web --out-dir "$out/web" --out-name scorm_shim "$WASM"
  # A new instance after a fault needs the glue's module-level state.
  cat js/glue-renew.js >> "$out/web/scorm_shim.js"
  local dirs="web"
  if [ -n "$classic" ]; then
    wasm-bindgen --target no-modules --no-typescript --out-dir "$out/classic" --out-name scorm_shim "$WASM"
    dirs="web classic"
  fi
  local d
  for d in $dirs; do
    echo "==> [$name] wasm-opt $WASM_OPT_PASSES ($d)"
    # shellcheck disable=SC2086
    "$WASM_OPT" $WASM_OPT_PASSES $FEATURES --strip-debug --strip-producers -o "$out/$d/opt.wasm" "$out/$d/scorm_shim_bg.wasm"
  done

  # ES module package
  cp "$out/web/opt.wasm" "$es/scorm_shim_bg.wasm"
  cp "$out/web/scorm_shim.d.ts" "$es/scorm_shim.d.ts"
  local parts="js/esm-head.js" f
  for f in $extra; do parts="$parts js/$f"; done
  # shellcheck disable=SC2086
  cat $parts js/durable.js js/install.js js/transport.js js/esm-tail.js > "$out/index.js"
  cp js/index.d.ts "$es/index.d.ts"
  cp js/scorm-shim.d.ts "$es/scorm-shim.d.ts"
  if [ -z "$classic" ]; then
    cp "$out/web/scorm_shim.js" "$es/scorm_shim.js"
    cp "$out/index.js" "$es/index.js"
    return
  fi
  # Minified: the exports (and so the names the .d.ts files declare) stay.
  for f in "$out/index.js:$es/index.js" "$out/web/scorm_shim.js:$es/scorm_shim.js"; do
    "$TERSER" "${f%%:*}" --module --ecma 2020 --compress passes=2 --mangle \
      --format ascii_only=true,comments=false,preamble="'/*! scorm-shim $VERSION | MIT OR Apache-2.0 */'" -o "${f##*:}"
  done

  # Classic script: one file, wasm inlined (deflated + base64), minified; nothing
  # leaks to the global scope but API, API_1484_11 and ScormShim.
  node scripts/pack-classic.mjs "$out/classic/scorm_shim.js" "$out/classic/opt.wasm" "$VERSION" "$classic" $extra
}

if [ "$TESTING" = 1 ]; then
  rm -rf target/pkg-test
  build_variant testing "--features testing" target/pkg-test-build target/pkg-test "" ""
  echo "Test package (with launchForTest) in target/pkg-test/"
  exit 0
fi

rm -rf pkg
build_variant full "" target/pkg-build pkg pkg/scorm-shim.js ""
build_variant rte "--no-default-features" target/pkg-build-rte pkg/rte pkg/scorm-shim-rte.js "no-course.js"

sed "s/\"version\": \"0.0.0\"/\"version\": \"$VERSION\"/" js/package.json > pkg/package.json
cp README.md pkg/README.md

size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$@" | wc -c | tr -d ' '; }
row() { printf '  %-46s %9s raw %8s gzipped\n' "$1" "$2" "$3"; }
echo
echo "Shipped sizes (what a page downloads), bytes:"
for es in pkg pkg/rte; do
  if [ "$es" = pkg ]; then classic=pkg/scorm-shim.js label="full"; else classic=pkg/scorm-shim-rte.js label="run-time only"; fi
  JS_RAW=$(( $(size $es/index.js) + $(size $es/scorm_shim.js) )); JS_GZ=$(( $(gz $es/index.js) + $(gz $es/scorm_shim.js) ))
  WASM_RAW=$(size $es/scorm_shim_bg.wasm); WASM_GZ=$(gz $es/scorm_shim_bg.wasm)
  echo " $label:"
  row "$classic (classic, wasm inlined)" "$(size $classic)" "$(gz $classic)"
  row "ES module: $es/index.js + scorm_shim.js" "$JS_RAW" "$JS_GZ"
  row "ES module: $es/scorm_shim_bg.wasm" "$WASM_RAW" "$WASM_GZ"
  row "ES module total (JS + wasm)" "$((JS_RAW + WASM_RAW))" "$((JS_GZ + WASM_GZ))"
done
