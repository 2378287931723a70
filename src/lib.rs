//! # scorm-shim
//!
//! A SCORM run-time for the browser. The crate has two layers, and the module
//! tree shows them:
//!
//! * [`engine`]: pure Rust, no browser types. The SCORM 1.2 and SCORM 2004 API
//!   state machines and data models, manifest parsing, sequencing and the
//!   commit-queue logic. Everything in it compiles and is tested natively with
//!   `cargo test`, and the reference backend links it to validate what it stores.
//! * `web` (only on `wasm32`): the thin browser layer. wasm-bindgen exports,
//!   `localStorage`, network and the JavaScript-facing objects.
#![forbid(unsafe_code)]

pub mod engine;

#[cfg(target_arch = "wasm32")]
pub mod web;

/// The allocator of the wasm module: talc, smaller than the standard
/// library's dlmalloc (about 0.5 KB of code against 5 KB) and faster on the
/// many short strings of the data model (see README, Size).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
