#!/usr/bin/env bash
# Build the release pkg/ and print what a page downloads:
#
# * the drop-in: the run-time module (cargo feature `course` off: both API
#   objects, validation, local storage, the commit queue) as the classic
#   script pkg/scorm-shim.js (wasm inlined) and as the ES module entry for npm
#   (pkg/index.js + pkg/scorm_shim.js + pkg/scorm_shim_bg.wasm);
# * the course engine, pkg/course/ (the crate with the feature `course`: the
#   manifest parser and the sequencer too), which both load with import()
#   and WebAssembly.instantiateStreaming on the first ScormShim.course.open(),
#   relative to their own URL (js/lazy.js);
# * aliases of the earlier run-time-only build, now the same files:
#   pkg/scorm-shim-rte.js (a copy of pkg/scorm-shim.js) and pkg/rte/ (npm
#   "scorm-shim/rte", re-exports pkg/index.js);
#
# plus TypeScript declarations and package.json. The JavaScript is minified
# with terser (exports and their names kept). The wasm is built with the
# pinned nightly of Cargo.toml (`package.metadata.scorm-shim`): the standard
# library rebuilt for size, panics abort at once.
#
# `scripts/build.sh --testing` builds the ES module package with the test-only
# exports (cargo feature `testing`: `Shim.launchForTest`) and the course engine
# built in into target/pkg-test/ instead, unminified, for the end-to-end tests
# that need them; pkg/ is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
"$ROOT/scripts/deps.sh" build

TESTING=0
NAMES=0
if [ "${1:-}" = "--testing" ]; then TESTING=1; fi
# --names: also write target/pkg-build/rte-web/named.wasm, the run-time module
# after the same wasm-opt passes with its name section, for bench/size.mjs
# (where the bytes are); the shipped files are unchanged.
if [ "${1:-}" = "--names" ]; then NAMES=1; fi

# Third-party JavaScript for the pages that open packages (www/preview.html,
# the player; never the drop-in script): zip.js, the version package-lock.json
# pins, copied from node_modules into www/vendor/ (not committed) with its
# licence. Its ES module build reads zips with the browser's own
# DecompressionStream; its worker and wasm files are not needed.
echo "==> www/vendor/ (zip.js)"
mkdir -p www/vendor/zip.js
cp node_modules/@zip.js/zip.js/dist/zip-core-external.min.js node_modules/@zip.js/zip.js/LICENSE www/vendor/zip.js/

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
TOOLCHAIN=$(sed -n 's/^wasm-toolchain = "\(.*\)"/\1/p' Cargo.toml)
TARGET_DIR=target/wasm
WASM=$TARGET_DIR/wasm32-unknown-unknown/release/scorm_shim.wasm
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
TERSER="$ROOT/node_modules/.bin/terser"
FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
# --flatten --rereloop rebuilds the control flow before -Oz (smaller than
# -Oz alone, and than -Oz --converge); --low-memory-unused lets constant
# address offsets fold into loads and stores, which is sound here because
# Rust never uses the first 1 KiB of linear memory (it is the far end of
# the shadow stack).
WASM_OPT_PASSES="--low-memory-unused --flatten --rereloop -Oz -Oz"
PREAMBLE="'/*! scorm-shim $VERSION | MIT OR Apache-2.0 */'"

# compile NAME "CARGO FLAGS": the release wasm of one feature set, at $WASM.
# The rustflags add to .cargo/config.toml's (the stack size): panics abort at
# once (no message, no formatting), no source locations in the module, and
# `{:?}` formats nothing (the module never shows Debug output).
compile() {
  echo "==> [$1] cargo +$TOOLCHAIN build (wasm32, release, build-std) $2"
  # shellcheck disable=SC2086
  cargo "+$TOOLCHAIN" build --release --target wasm32-unknown-unknown -p scorm-shim $2 \
    -Z build-std=std,panic_abort --target-dir "$TARGET_DIR" \
    --config 'target.wasm32-unknown-unknown.rustflags = ["-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none", "-Zfmt-debug=none"]'
}

# The decoder of the classic scripts' inlined module (inflate/: base64 and
# raw DEFLATE, no_std, a few KB): $B/inflate.wasm. Its own target dir and
# stack size (16 KiB: it needs a few KB of stack).
inflater() {
  echo "==> [inflate] cargo +$TOOLCHAIN build (wasm32, release, build-std core)"
  cargo "+$TOOLCHAIN" build --release --target wasm32-unknown-unknown -p scorm-shim-inflate \
    -Z build-std=core,panic_abort --target-dir target/inflate \
    --config 'target.wasm32-unknown-unknown.rustflags = ["-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none", "-Zfmt-debug=none", "-C", "link-arg=-zstack-size=16384"]'
  # shellcheck disable=SC2086
  "$WASM_OPT" $WASM_OPT_PASSES $FEATURES --strip-debug --strip-producers -o "$1" \
    target/inflate/wasm32-unknown-unknown/release/scorm_shim_inflate.wasm
}

# bindgen NAME TARGET DIR: wasm-bindgen for TARGET (web | no-modules) into
# DIR, then wasm-opt into DIR/opt.wasm.
bindgen() {
  echo "==> [$1] wasm-bindgen --target $2, wasm-opt $WASM_OPT_PASSES"
  rm -rf "$3"
  mkdir -p "$3"
  wasm-bindgen --target "$2" --out-dir "$3" --out-name scorm_shim "$WASM"
  # shellcheck disable=SC2086
  "$WASM_OPT" $WASM_OPT_PASSES $FEATURES --strip-debug --strip-producers -o "$3/opt.wasm" "$3/scorm_shim_bg.wasm"
  if [ "$NAMES" = 1 ] && [ "$1" = rte ] && [ "$2" = web ]; then
    # shellcheck disable=SC2086
    "$WASM_OPT" $WASM_OPT_PASSES $FEATURES -g --strip-dwarf --strip-producers -o "$3/named.wasm" "$3/scorm_shim_bg.wasm"
  fi
  # A new instance after a fault needs the ES glue's module-level state.
  if [ "$2" = web ]; then cat js/glue-renew.js >> "$3/scorm_shim.js"; fi
}

# minify IN OUT: an ES module, exports kept.
minify() {
  "$TERSER" "$1" --module --ecma 2020 --compress passes=2 --mangle \
    --format "ascii_only=true,comments=false,preamble=$PREAMBLE" -o "$2"
}

# The ES module entry: glue, lazy loader, installer, transport, the entry
# of the content-origin bridge (its implementation comes with the course
# engine: bridge_host below).
es_entry() {
  cat js/esm-head.js js/lazy.js js/durable.js js/install.js js/transport.js js/bridge-entry.js js/esm-tail.js > "$1"
}

# bridge_host GLUE: the LMS page's side of the content-origin bridge
# (js/bridge-host.js), appended to a course engine's ES glue and exported
# for js/lazy.js.
bridge_host() {
  cat js/bridge-host.js >> "$1"
  echo 'export { scormShimBridgeHost as __scormShimBridgeHost };' >> "$1"
}

if [ "$TESTING" = 1 ]; then
  B=target/pkg-test-build
  compile testing "--features testing"
  bindgen testing web "$B"
  rm -rf target/pkg-test
  mkdir -p target/pkg-test
  cp "$B/opt.wasm" target/pkg-test/scorm_shim_bg.wasm
  cp "$B/scorm_shim.js" "$B/scorm_shim.d.ts" target/pkg-test/
  es_entry target/pkg-test/index.js
  cat js/bridge-host.js >> target/pkg-test/index.js # the course engine is built in
  cp js/index.d.ts js/scorm-shim.d.ts target/pkg-test/
  echo "Test package (with launchForTest, course engine built in) in target/pkg-test/"
  exit 0
fi

B=target/pkg-build
rm -rf pkg "$B"
mkdir -p pkg/course pkg/rte "$B"

# The run-time module: the drop-in, classic and ES module.
compile rte "--no-default-features"
bindgen rte web "$B/rte-web"
bindgen rte no-modules "$B/rte-classic"
cp "$B/rte-web/opt.wasm" pkg/scorm_shim_bg.wasm
cp "$B/rte-web/scorm_shim.d.ts" pkg/scorm_shim.d.ts
minify "$B/rte-web/scorm_shim.js" pkg/scorm_shim.js
es_entry "$B/index.js"
minify "$B/index.js" pkg/index.js
# Classic script: one file, wasm inlined (deflated + base64), minified; nothing
# leaks to the global scope but API, API_1484_11 and ScormShim.
inflater "$B/inflate.wasm"
node scripts/pack.mjs "$B/rte-classic/scorm_shim.js" "$B/rte-classic/opt.wasm" "$VERSION" pkg/scorm-shim.js "" "$B/inflate.wasm" \
  inflate.js lazy.js bridge-entry.js durable.js install.js transport.js classic-tail.js

# The course engine, loaded by both on the first course.open().
compile course ""
bindgen course web "$B/course-web"
bridge_host "$B/course-web/scorm_shim.js"
cp "$B/course-web/opt.wasm" pkg/course/scorm_shim_bg.wasm
minify "$B/course-web/scorm_shim.js" pkg/course/scorm_shim.js

# The content-origin bridge (issue 17): pkg/bridge/ is what an LMS copies to
# the content origin, next to the content: bridge.html and its one script, the
# run-time module with the cargo feature `bridge` (the guest side: a shim built
# from the LMS page's launch record, commits sealed until the LMS page has them).
compile bridge "--no-default-features --features bridge"
bindgen bridge no-modules "$B/bridge-classic"
mkdir -p pkg/bridge
node scripts/pack.mjs "$B/bridge-classic/scorm_shim.js" "$B/bridge-classic/opt.wasm" "$VERSION" pkg/bridge/scorm-shim-bridge.js bridge "$B/inflate.wasm" \
  inflate.js lazy.js durable.js install.js transport.js bridge-guest.js
cp www/bridge.html pkg/bridge/bridge.html

# Declarations, package.json, aliases of the former run-time-only build.
cp js/index.d.ts js/scorm-shim.d.ts pkg/
cp pkg/scorm-shim.js pkg/scorm-shim-rte.js
echo 'export * from "../index.js";' > pkg/rte/index.js
echo 'export * from "../index";' > pkg/rte/index.d.ts
sed "s/\"version\": \"0.0.0\"/\"version\": \"$VERSION\"/" js/package.json > pkg/package.json
cp README.md pkg/README.md

# What the service worker keeps for the pages to open offline, and its
# version (a hash of those files): www/app-shell.js (not committed).
node scripts/app-shell.mjs

size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$@" | wc -c | tr -d ' '; }
row() { printf '  %-52s %9s raw %8s gzipped\n' "$1" "$2" "$3"; }
JS_RAW=$(( $(size pkg/index.js) + $(size pkg/scorm_shim.js) )); JS_GZ=$(( $(gz pkg/index.js) + $(gz pkg/scorm_shim.js) ))
WASM_RAW=$(size pkg/scorm_shim_bg.wasm); WASM_GZ=$(gz pkg/scorm_shim_bg.wasm)
CJS_RAW=$(size pkg/course/scorm_shim.js); CJS_GZ=$(gz pkg/course/scorm_shim.js)
CW_RAW=$(size pkg/course/scorm_shim_bg.wasm); CW_GZ=$(gz pkg/course/scorm_shim_bg.wasm)
echo
echo "Shipped sizes (what a page downloads), bytes:"
echo " the drop-in (run-time: both APIs, validation, persistence):"
row "pkg/scorm-shim.js (classic, wasm inlined)" "$(size pkg/scorm-shim.js)" "$(gz pkg/scorm-shim.js)"
row "ES module: pkg/index.js + scorm_shim.js" "$JS_RAW" "$JS_GZ"
row "ES module: pkg/scorm_shim_bg.wasm" "$WASM_RAW" "$WASM_GZ"
row "ES module total (JS + wasm)" "$((JS_RAW + WASM_RAW))" "$((JS_GZ + WASM_GZ))"
echo " the course engine, loaded on the first course.open():"
row "pkg/course/scorm_shim.js" "$CJS_RAW" "$CJS_GZ"
row "pkg/course/scorm_shim_bg.wasm" "$CW_RAW" "$CW_GZ"
row "course engine total" "$((CJS_RAW + CW_RAW))" "$((CJS_GZ + CW_GZ))"
echo " the content-origin bridge, copied to the content origin (pkg/bridge/):"
row "pkg/bridge/scorm-shim-bridge.js" "$(size pkg/bridge/scorm-shim-bridge.js)" "$(gz pkg/bridge/scorm-shim-bridge.js)"
