//! Strings built from pieces, without `core::fmt`.
//!
//! Every `format!` call site compiles to a `fmt::Arguments` (a table of the
//! literal pieces and of one formatter function per argument) handed to
//! `core::fmt::write`, the generic interpreter of format strings; numbers go
//! through `Display`, `Formatter::pad_integral` and its padding code. In the
//! wasm module that machinery and the code at each site cost kilobytes. The
//! run-time module (everything the drop-in script runs) builds its
//! diagnostics, storage keys and messages with [`cat`] instead, and prints
//! numbers with [`crate::engine::num::dec`] and
//! [`crate::engine::num::push_u64`]:
//!
//! ```
//! use scorm_shim::engine::{num::dec, text::cat};
//! let (i, element) = (3, "cmi.score.raw");
//! assert_eq!(cat(&["cmi.objectives.", &dec(i), ".id"]), format!("cmi.objectives.{i}.id"));
//! assert_eq!(cat(&[element, " is read only"]), format!("{element} is read only"));
//! ```
//!
//! The course-only code (manifest, sequencing) still uses `format!`: it is
//! not in the run-time module.

/// The concatenation of `parts`, allocated once with its exact length:
/// `cat(&[a, b, c])` is `format!("{a}{b}{c}")` for string pieces.
pub fn cat(parts: &[&str]) -> String {
    let len = parts.iter().fold(0usize, |n, p| n.saturating_add(p.len()));
    let mut out = String::with_capacity(len);
    for p in parts {
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cat;

    #[test]
    fn cat_joins_the_pieces_with_exact_capacity() {
        assert_eq!(cat(&[]), "");
        assert_eq!(cat(&["a"]), "a");
        let s = cat(&["cmi.objectives.", "12", ".id"]);
        assert_eq!(s, "cmi.objectives.12.id");
        assert_eq!(s.capacity(), s.len());
        assert_eq!(cat(&["é", "", "\u{2028}"]), "é\u{2028}");
    }
}
