//! Local storage keys: every key the browser layer writes, built from the
//! storage prefix and the learner, course and registration (and SCO or
//! package where relevant), each id encoded so that no id can reach into
//! another's part of the key.
//!
//! ```text
//! <prefix>:<learner>:<course>:<registration>:<version>:state:<sco>    a SCO's last committed state
//! <prefix>:<learner>:<course>:<registration>:<version>:queue:<nonce>  one page load's commit queue
//! <prefix>:<learner>:<course>:<registration>:course:<package>         a package's sequencing state
//! ```
//!
//! Ids are percent-encoded ([`encode_id`]): every byte but ASCII letters,
//! digits and `-._~!$&'()*+,;=@` becomes `%XX`, so `:` (the separator) and
//! `%` never appear raw in an encoded id, the encoding is injective, and two
//! different (learner, course, registration, …) tuples never give the same
//! key. `<version>` is `1.2` or `2004`; `<nonce>` is hex.
//!
//! Before this layout (scorm-shim 0.1), keys carried neither learner nor
//! course and ids were not encoded: `<prefix>:<registration>:<sco>:<version>:state`,
//! `<prefix>:<registration>:<version>:queue:<nonce>` and
//! `<prefix>:<registration>:course`. The `old_*` functions name them, so the
//! layer can move what a device holds to the new keys at start.
//!
//! Values of state and sequencing keys are records ([`record`]): a header
//! with a revision number, then the payload. The revision orders two copies
//! of one key (the `localStorage` copy and the durable IndexedDB copy) when
//! they differ after a crash: the higher revision is the later write.

use crate::engine::text::cat;

/// The bytes an encoded id keeps as they are.
fn keeps(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@".contains(&b)
}

/// Percent-encode `id` for use as one part of a storage key.
pub fn encode_id(id: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(id.len());
    for &b in id.as_bytes() {
        if keeps(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Who the stored data belongs to: the parts every key starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageIds {
    /// The configured storage prefix (as configured: the page chooses it).
    pub prefix: String,
    /// The learner.
    pub learner: String,
    /// The course.
    pub course: String,
    /// The registration.
    pub registration: String,
}

impl StorageIds {
    /// `<prefix>:<learner>:` — every key of this learner (for a purge at logout).
    pub fn learner_prefix(&self) -> String {
        cat(&[&self.prefix, ":", &encode_id(&self.learner), ":"])
    }

    /// `<prefix>:<learner>:<course>:<registration>:` — every key of this registration.
    pub fn registration_prefix(&self) -> String {
        cat(&[&self.prefix, ":", &encode_id(&self.learner), ":", &encode_id(&self.course), ":", &encode_id(&self.registration), ":"])
    }

    /// The key of a SCO's last committed state.
    pub fn state(&self, version: &str, sco: &str) -> String {
        cat(&[&self.registration_prefix(), version, ":state:", &encode_id(sco)])
    }

    /// The prefix of every page load's queue key of this registration and version.
    pub fn queue_prefix(&self, version: &str) -> String {
        cat(&[&self.registration_prefix(), version, ":queue:"])
    }

    /// The key of a package's sequencing state (`package`: the manifest's identifier).
    pub fn course(&self, package: &str) -> String {
        cat(&[&self.registration_prefix(), "course:", &encode_id(package)])
    }

    /// The 0.1 layout's state key of a SCO (ids not encoded).
    pub fn old_state(&self, version: &str, sco: &str) -> String {
        cat(&[&self.prefix, ":", &self.registration, ":", sco, ":", version, ":state"])
    }

    /// The 0.1 layout's queue key prefix.
    pub fn old_queue_prefix(&self, version: &str) -> String {
        cat(&[&self.prefix, ":", &self.registration, ":", version, ":queue:"])
    }

    /// The 0.1 layout's sequencing state key.
    pub fn old_course(&self) -> String {
        cat(&[&self.prefix, ":", &self.registration, ":course"])
    }
}

/// When `key` names a commit queue under `prefix` in the current layout
/// (`<prefix>:<learner>:<course>:<registration>:<version>:queue:<hex nonce>`),
/// the key's registration part: everything up to and including the `:`
/// after the registration. (Split on `:` only: encoded ids hold none, and a
/// substring search would bring a large searcher into the wasm module.)
pub fn queue_key_registration<'a>(prefix: &str, key: &'a str) -> Option<&'a str> {
    let rest = key.strip_prefix(prefix)?.strip_prefix(':')?;
    let mut parts = rest.split(':');
    let (l, c, r) = (parts.next()?, parts.next()?, parts.next()?);
    let (version, kind, nonce) = (parts.next()?, parts.next()?, parts.next()?);
    let ok = parts.next().is_none()
        && matches!(version, "1.2" | "2004")
        && kind == "queue"
        && !nonce.is_empty()
        && nonce.bytes().all(|b| b.is_ascii_hexdigit());
    // prefix + ':' + l + ':' + c + ':' + r + ':'
    let len = prefix.len() + l.len() + c.len() + r.len() + 4;
    if ok { key.get(..len) } else { None }
}

/// True when `key` names a commit queue under `prefix` in the current layout.
pub fn is_queue_key(prefix: &str, key: &str) -> bool {
    queue_key_registration(prefix, key).is_some()
}

/// A stored record: `#<rev>\n<payload>`.
pub fn record(rev: u64, payload: &str) -> String {
    let mut s = String::with_capacity(payload.len() + 24);
    s.push('#');
    crate::engine::num::push_u64(&mut s, rev);
    s.push('\n');
    s.push_str(payload);
    s
}

/// Split a stored record into (revision, payload). Text without the header
/// (written before records existed) is revision 0.
pub fn parse_record(text: &str) -> (u64, &str) {
    if let Some(rest) = text.strip_prefix('#') {
        if let Some((n, payload)) = rest.split_once('\n') {
            if let Ok(rev) = n.parse::<u64>() {
                return (rev, payload);
            }
        }
    }
    (0, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(l: &str, c: &str, r: &str) -> StorageIds {
        StorageIds { prefix: "p".into(), learner: l.into(), course: c.into(), registration: r.into() }
    }

    #[test]
    fn a_separator_inside_an_id_cannot_collide() {
        // Without encoding both would be "p:a:b:c:d:2004:state:s".
        let one = ids("a:b", "c", "d").state("2004", "s");
        let two = ids("a", "b:c", "d").state("2004", "s");
        assert_ne!(one, two);
        assert_eq!(one, "p:a%3Ab:c:d:2004:state:s");
        // '%' itself is encoded, so an id cannot spell another's escape.
        assert_ne!(ids("a%3Ab", "c", "d").state("2004", "s"), one);
        assert_eq!(encode_id("x%3A"), "x%253A");
        // Non-ASCII and controls are encoded byte by byte.
        assert_eq!(encode_id("é \n"), "%C3%A9%20%0A");
    }

    #[test]
    fn every_key_of_a_registration_starts_with_its_prefixes() {
        let i = ids("u 1", "c/1", "r:1");
        for key in [i.state("1.2", "sco:1"), i.queue_prefix("2004") + "ab12", i.course("pkg")] {
            assert!(key.starts_with(&i.registration_prefix()), "{key}");
            assert!(key.starts_with(&i.learner_prefix()), "{key}");
        }
        assert!(!ids("u 10", "c", "r").state("2004", "s").starts_with(&i.learner_prefix()));
    }

    #[test]
    fn queue_keys_are_recognised_by_shape() {
        let i = ids("l", "c", "r");
        assert!(is_queue_key("p", &(i.queue_prefix("2004") + "0af3")));
        assert!(is_queue_key("p", &(i.queue_prefix("1.2") + "0af3")));
        assert!(!is_queue_key("p", &i.state("2004", "s")));
        assert!(!is_queue_key("p", &(i.queue_prefix("2004") + "sender")));
        assert!(!is_queue_key("q", &(i.queue_prefix("2004") + "0af3")));
        // An old-layout queue key is not a current one.
        assert!(!is_queue_key("p", &(i.old_queue_prefix("2004") + "0af3")));
        assert_eq!(queue_key_registration("p", &(i.queue_prefix("1.2") + "0af3")), Some(i.registration_prefix().as_str()));
        assert_eq!(queue_key_registration("p", &i.state("1.2", "s")), None);
    }

    #[test]
    fn records_carry_a_revision() {
        let r = record(17, "{\"a\":\"#1\\n\"}");
        assert_eq!(parse_record(&r), (17, "{\"a\":\"#1\\n\"}"));
        assert_eq!(parse_record("{\"old\":\"x\"}"), (0, "{\"old\":\"x\"}"));
        assert_eq!(parse_record("#x\n{}"), (0, "#x\n{}"));
    }
}
