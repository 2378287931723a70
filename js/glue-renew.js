
// Appended to the wasm-bindgen glue by scripts/build.sh (it needs the glue's
// module-level `wasm` and `wasmModule`): a new instance of the same
// compiled module, for recovery after a fault (a trap leaves the old
// instance unusable). Returns the `Shim` class, which then works on the
// new instance. The old Shim object must have been freed first.
export function __scormShimRenew() {
  const module = wasmModule;
  wasm = undefined;
  initSync({ module });
  return Shim;
}
