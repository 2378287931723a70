//! Lists of strings as they cross the WebAssembly boundary: one encoding
//! for every export of the browser layer that takes or returns several
//! strings, or a string or an error (`src/web/`; the JavaScript side is
//! `scormShimList` / `scormShimEncode` in `js/install.js`).
//!
//! A list is each string in turn as its length in UTF-16 code units (what
//! JavaScript's `String.length` counts), in decimal, a colon, and the string
//! itself: `["a", "", "b:c"]` is `1:a0:3:b:c`, the empty list the empty text.
//! An error is `!` followed by its message (a list never starts with `!`);
//! the installer throws it as an `Error` with that message.
//!
//! Why not a JSON array, which `JSON.parse` reads natively: the values are
//! often JSON themselves (batches, stored records), and escaping them again
//! made a batch with 48 KB of quoted `suspend_data` 1.5 times as long and
//! took `JSON.parse` about a millisecond or more to read back; a length
//! prefix copies nothing but the string, and JavaScript reads it with
//! `slice` (`bench/strlist.mjs`).

/// Append `item` to the list `out` (see the module documentation).
pub fn push(out: &mut String, item: &str) {
    let units: usize = item.chars().map(char::len_utf16).sum();
    crate::engine::num::push_u64(out, units as u64);
    out.push(':');
    out.push_str(item);
}

/// `items` as a list.
pub fn encode<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut out = String::new();
    for item in items {
        push(&mut out, item.as_ref());
    }
    out
}

/// The error `message`, as the installer throws it.
pub fn error(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 1);
    out.push('!');
    out.push_str(message);
    out
}

/// A list's strings; `None` when `text` is not a list (an error, a length
/// that is not a number or runs past the end).
pub fn decode(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (len, tail) = rest.split_once(':')?;
        if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let want: usize = len.parse().ok()?;
        let (mut units, mut end) = (0, 0);
        let mut chars = tail.chars();
        while units < want {
            let c = chars.next()?;
            units += c.len_utf16();
            end += c.len_utf8();
        }
        if units != want {
            return None; // the length ends inside a surrogate pair
        }
        out.push(&tail[..end]);
        rest = &tail[end..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind_of_character() {
        let items = [
            "",
            "plain",
            "1:a",
            ":",
            "::9:",
            "!not an error inside a list",
            "\"quoted\" \\back\\slash\\",
            "control \u{0}\u{1}\t\n\r\u{1f}\u{7f}",
            "non-BMP \u{1F600}\u{10FFFF} and BMP \u{FFFF}\u{e9}",
            "[\"json\",{\"k\":\"v\\\"\"}]",
            "12345",
        ];
        let text = encode(items);
        assert_eq!(decode(&text).unwrap(), items);
        for item in items {
            let one = encode([item]);
            assert_eq!(decode(&one).unwrap(), [item], "{one}");
        }
    }

    #[test]
    fn lengths_count_utf16_units() {
        assert_eq!(encode(["a", "", "b:c"]), "1:a0:3:b:c");
        assert_eq!(encode(["\u{e9}"]), "1:\u{e9}");
        assert_eq!(encode(["\u{1F600}"]), "2:\u{1F600}");
        assert_eq!(encode(Vec::<String>::new()), "");
        assert_eq!(decode("").unwrap(), Vec::<&str>::new());
    }

    #[test]
    fn an_error_is_no_list() {
        assert_eq!(error("scorm-shim: no"), "!scorm-shim: no");
        assert_eq!(decode(&error("x")), None);
    }

    #[test]
    fn malformed_text_is_refused_without_panicking() {
        for bad in ["5:abc", "x:abc", ":abc", "3", "-1:", "+1:a", "1:\u{1F600}", "2:a", "99999999999999999999999:a", "1:a2"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
