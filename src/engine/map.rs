//! [`StrMap`]: the one map type of the run-time, keyed by strings and kept
//! in key order.
//!
//! A sorted vector of (key, value) pairs with binary search. It replaces
//! `BTreeMap<String, _>` in the data models, the change bookkeeping and the
//! commit queue, for two reasons:
//!
//! * **Speed.** Data model keys share long prefixes
//!   (`cmi.interactions.137.learner_response`): a B-tree compares a key with
//!   up to eleven keys per node, byte by byte, on every level; a binary
//!   search over a contiguous array needs about log2(n) comparisons, and
//!   [`cmp_keys`] compares eight bytes at a time. Every SetValue looks up the
//!   element (and its record's `id` and `type`) and marks it changed.
//! * **Size.** The B-tree's insertion, removal, rebalancing and iteration
//!   code was about 12 KB of the run-time module; this is a few hundred
//!   bytes.
//!
//! Inserting a key that is not at the end moves the entries after it
//! (contiguous memory, one `memmove`); a data model holds a few thousand
//! entries at most (the largest: 250 interactions with 10 elements each),
//! and new keys are rarer than changed values.
//!
//! Beside the entries, a map of 16 entries or more keeps a hash index of
//! their positions (see `StrMap::index`): a SetValue of an element that
//! exists finds it, and its change-set entry, with one hash and one key
//! comparison each instead of a binary search. An insertion before the last
//! key moves positions, so it drops the index; lookups through `&mut self`
//! build it again once about one per eight entries waited for it.
//!
//! The interface is the part of `BTreeMap`'s that the crate uses, with the
//! same meaning: iteration in key order, `insert` answers the old value.

use std::cmp::Ordering;

/// Compare two keys as `str::cmp` does (bytewise, lexicographic), eight
/// bytes at a time while they are equal. Inlined into the binary search:
/// it runs about log2(n) times on every lookup, and a call per comparison
/// was the larger part of its cost in the browser's profile.
#[inline(always)]
pub fn cmp_keys(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        if let (Some(x), Some(y)) = (a.get(i..i + 8), b.get(i..i + 8)) {
            let (x, y) = (word(x), word(y));
            if x != y {
                // Little-endian words: the first differing byte is the
                // lowest differing one, and it decides (WebAssembly has no
                // byte swap, but counts trailing zeros in one instruction).
                let at = i + ((x ^ y).trailing_zeros() / 8) as usize;
                return a.get(at).cmp(&b.get(at));
            }
        }
        i += 8;
    }
    while i < n {
        if let (Some(x), Some(y)) = (a.get(i), b.get(i)) {
            if x != y {
                return x.cmp(y);
            }
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

/// [`cmp_keys`] as one function, for the binary searches of the rule
/// tables and `_count` lists (inlining it into each costs module size).
#[inline(never)]
pub fn cmp_bytes(a: &[u8], b: &[u8]) -> Ordering {
    cmp_keys(a, b)
}

/// Eight bytes as a little-endian number (one load in WebAssembly).
#[inline(always)]
fn word(b: &[u8]) -> u64 {
    <[u8; 8]>::try_from(b).map_or(0, u64::from_le_bytes)
}

/// A hash of a key, eight bytes at a time (multiply and rotate, as
/// rustc's FxHash): for the position index beside the sorted entries.
#[inline(always)]
fn hash(key: &[u8]) -> usize {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = key.len() as u64;
    let mut i = 0;
    while i < key.len() {
        let w = match key.get(i..i + 8) {
            Some(w) => word(w),
            None => {
                let mut last = [0u8; 8];
                for (d, s) in last.iter_mut().zip(key.iter().skip(i)) {
                    *d = *s;
                }
                u64::from_le_bytes(last)
            }
        };
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        i += 8;
    }
    (h >> 32) as usize
}

/// Maps with fewer entries have no index (a binary search is as quick).
const INDEX_MIN: usize = 16;

// The position index of a map (see `StrMap::index`). Free functions over
// the keys, not methods generic over the values: one copy in the module.

/// The slot where the probe for `key` starts, and the mask of slots.
fn home(index: &[u32], key: &[u8]) -> (usize, usize) {
    let mask = index.len().wrapping_sub(1);
    (hash(key) & mask, mask)
}

/// The position of `key` in `index`, reading the key at a position with `key_at`.
fn probe<'k>(index: &[u32], key: &[u8], key_at: &dyn Fn(usize) -> Option<&'k [u8]>) -> Option<usize> {
    let (mut s, mask) = home(index, key);
    for _ in 0..index.len() {
        let p = *index.get(s).filter(|p| **p != 0)? as usize - 1;
        if key_at(p) == Some(key) {
            return Some(p);
        }
        s = (s + 1) & mask;
    }
    None
}

/// Put position `i`, whose key is `key`, into `index`.
fn put(index: &mut [u32], i: usize, key: &[u8]) {
    let (mut s, mask) = home(index, key);
    for _ in 0..index.len() {
        match index.get_mut(s) {
            Some(slot) if *slot == 0 => {
                *slot = i as u32 + 1;
                return;
            }
            _ => s = (s + 1) & mask,
        }
    }
}

/// Make `index` the index of positions `0..n` (none when the map is small,
/// or too large for the slots).
fn build<'k>(index: &mut Vec<u32>, n: usize, key_at: &dyn Fn(usize) -> Option<&'k [u8]>) {
    index.clear();
    if n < INDEX_MIN || n >= u32::MAX as usize / 4 {
        return;
    }
    index.resize((4 * n).next_power_of_two(), 0);
    for i in 0..n {
        if let Some(k) = key_at(i) {
            put(index, i, k);
        }
    }
}

/// A map from strings to `V`, in key order. See the module documentation.
#[derive(Clone)]
pub struct StrMap<V> {
    entries: Vec<(String, V)>,
    /// Where each key is: an open-addressing table (linear probing, at most
    /// half full) of entry positions plus one, 0 for an empty slot. A
    /// lookup of a present key hashes it and compares it with (usually) one
    /// entry, instead of about log2(n) comparisons of keys that share long
    /// prefixes; a missing key falls back to the binary search, which also
    /// says where it would go. Empty while the map is small, and from an
    /// insertion before the last key (it moves every later position) until
    /// enough lookups to change values waited for it (`waited`): building
    /// the data model inserts in the middle, a session then mostly changes
    /// values of keys that exist.
    index: Vec<u32>,
    /// Lookups through `&mut self` since the index was dropped.
    waited: usize,
}

impl<V> Default for StrMap<V> {
    fn default() -> Self {
        StrMap::new()
    }
}

/// Equal when the entries are (the index is derived from them).
impl<V: PartialEq> PartialEq for StrMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl<V: Eq> Eq for StrMap<V> {}

impl<V: std::hash::Hash> std::hash::Hash for StrMap<V> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.entries.hash(state);
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for StrMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|(k, v)| (k, v))).finish()
    }
}

impl<V> StrMap<V> {
    /// An empty map.
    pub const fn new() -> Self {
        StrMap { entries: Vec::new(), index: Vec::new(), waited: 0 }
    }

    /// Build the index afresh for the current entries.
    fn reindex(&mut self) {
        self.waited = 0;
        build(&mut self.index, self.entries.len(), &|i| self.entries.get(i).map(|(k, _)| k.as_bytes()));
    }

    /// [`StrMap::find`] for a caller that may change the map: builds the
    /// index once enough such lookups waited for it (about one per eight
    /// entries, so the build costs at most a few hashes per lookup).
    fn find_mut(&mut self, key: &str) -> Result<usize, usize> {
        let n = self.entries.len();
        if self.index.is_empty() && n >= INDEX_MIN {
            self.waited += 1;
            if self.waited * 8 >= n {
                self.reindex();
            }
        }
        self.find(key)
    }

    /// Where `key` is (`Ok`) or would go (`Err`).
    fn find(&self, key: &str) -> Result<usize, usize> {
        let key = key.as_bytes();
        if !self.index.is_empty() {
            if let Some(i) = probe(&self.index, key, &|i| self.entries.get(i).map(|(k, _)| k.as_bytes())) {
                return Ok(i);
            }
        }
        // Appending in order is the common case of building a map.
        match self.entries.last() {
            None => return Err(0),
            Some((last, _)) => {
                if cmp_keys(last.as_bytes(), key) == Ordering::Less {
                    return Err(self.entries.len());
                }
            }
        }
        let (mut lo, mut hi) = (0, self.entries.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.entries.get(mid).map(|(k, _)| cmp_keys(k.as_bytes(), key)) {
                Some(Ordering::Less) => lo = mid + 1,
                Some(Ordering::Greater) => hi = mid,
                _ => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        let i = self.find(key).ok()?;
        self.entries.get(i).map(|(_, v)| v)
    }

    /// The value of `key`, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let i = self.find_mut(key).ok()?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// True when the map has `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Set `key` to `value`; answers the value it had.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.find_mut(&key) {
            Ok(i) => self.entries.get_mut(i).map(|e| std::mem::replace(&mut e.1, value)),
            Err(i) => {
                self.insert_at(i, key, value);
                None
            }
        }
    }

    /// The value of `key`, inserted as `make()` first when the map has no
    /// such key (then with `true`): one search for both.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> Option<(&mut V, bool)> {
        let (i, new) = match self.find_mut(key) {
            Ok(i) => (i, false),
            Err(i) => {
                self.insert_at(i, key.to_owned(), make());
                (i, true)
            }
        };
        self.entries.get_mut(i).map(|(_, v)| (v, new))
    }

    /// Insert an entry at position `i`, where its key belongs.
    fn insert_at(&mut self, i: usize, key: String, value: V) {
        self.entries.insert(i, (key, value));
        if self.index.is_empty() {
        } else if i + 1 < self.entries.len() {
            self.index.clear();
            self.waited = 0;
        } else if 2 * self.entries.len() > self.index.len() {
            self.reindex();
        } else if let Some((k, _)) = self.entries.get(i) {
            put(&mut self.index, i, k.as_bytes());
        }
    }

    /// Remove `key`; answers its value (and drops the index).
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let i = self.find(key).ok()?;
        self.index.clear();
        self.waited = 0;
        Some(self.entries.remove(i).1)
    }

    /// Remove every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.waited = 0;
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The entries in key order, as a slice.
    pub fn as_slice(&self) -> &[(String, V)] {
        &self.entries
    }
}

/// `map[key]`, as for `BTreeMap`: panics when `key` is missing (for tests;
/// the run-time uses [`StrMap::get`]).
#[cfg(not(target_arch = "wasm32"))]
impl<V> std::ops::Index<&str> for StrMap<V> {
    type Output = V;
    fn index(&self, key: &str) -> &V {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no entry {key:?} in the map"),
        }
    }
}

/// Serialized as a JSON object, as `BTreeMap` is.
impl<V: serde::Serialize> serde::Serialize for StrMap<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<V> FromIterator<(String, V)> for StrMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut m = StrMap::new();
        m.extend(iter);
        m
    }
}

impl<V> Extend<(String, V)> for StrMap<V> {
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<V> IntoIterator for StrMap<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, V> IntoIterator for &'a StrMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (String, V)>, fn(&'a (String, V)) -> (&'a String, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        fn pair<V>(e: &(String, V)) -> (&String, &V) {
            (&e.0, &e.1)
        }
        self.entries.iter().map(pair as fn(&'a (String, V)) -> (&'a String, &'a V))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn cmp_keys_is_str_cmp() {
        let words = [
            "", "a", "b", "ab", "abcdefgh", "abcdefgi", "abcdefghi", "abcdefgh\u{e9}", "cmi.interactions.1.id",
            "cmi.interactions.10.id", "cmi.interactions.1.idx", "cmi.interactions.2", "\u{ff}\u{ff}", "z\0", "z",
        ];
        for a in words {
            for b in words {
                assert_eq!(cmp_keys(a.as_bytes(), b.as_bytes()), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    /// Keys that differ at every position of a word, by bytes below and
    /// above 0x80 (the sign of a byte, and the order of bytes in a word,
    /// must not change the answer).
    #[test]
    fn cmp_keys_is_str_cmp_at_every_position() {
        let base = "cmi.interactions.12.learner_response";
        let mut keys: Vec<Vec<u8>> = vec![base.as_bytes().to_vec()];
        for at in 0..base.len() {
            for b in [0u8, 1, 0x2e, 0x7f, 0x80, 0xc3, 0xff] {
                let mut k = base.as_bytes().to_vec();
                k[at] = b;
                keys.push(k.clone());
                k.truncate(at + 1);
                keys.push(k);
            }
        }
        for a in &keys {
            for b in &keys {
                assert_eq!(cmp_keys(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    /// True when the index (not the binary search behind it) finds `key`.
    fn indexed<V>(m: &StrMap<V>, key: &str) -> bool {
        let (mut s, mask) = home(&m.index, key.as_bytes());
        while let Some(&p) = m.index.get(s).filter(|p| **p != 0) {
            if m.entries[p as usize - 1].0 == key {
                return true;
            }
            s = (s + 1) & mask;
        }
        false
    }

    /// The index: dropped by an insertion in the middle and by a removal,
    /// built again after enough `get_mut` lookups, kept up to date by
    /// appends (through growth); it finds every key at its current position,
    /// and equality ignores it.
    #[test]
    fn index_follows_inserts_and_removals() {
        let mut m: StrMap<usize> = StrMap::new();
        let keys: Vec<String> = (0..300).rev().map(|i| format!("cmi.interactions.{i}.learner_response")).collect();
        for (n, k) in keys.iter().enumerate() {
            m.insert(k.clone(), n);
        }
        assert!(m.index.is_empty(), "inserted before the last key");
        let all = |m: &StrMap<usize>| m.keys().all(|k| indexed(m, k));
        for k in &keys {
            *m.get_mut(k).unwrap() += 1;
        }
        assert!(!m.index.is_empty() && all(&m));
        for i in 0..1000 {
            m.insert(format!("~{i:04}"), i);
            assert!(!m.index.is_empty() && all(&m), "after append {i}");
        }
        for k in keys.iter().step_by(3) {
            m.remove(k);
        }
        assert!(m.index.is_empty());
        for _ in 0..m.len() {
            m.get_mut("cmi");
        }
        assert!(!m.index.is_empty() && all(&m));
        assert!(!indexed(&m, &keys[0]) && m.get(&keys[0]).is_none());
        for (k, v) in m.iter() {
            assert_eq!(m.get(k), Some(v));
        }
        let rebuilt: StrMap<usize> = m.iter().rev().map(|(k, v)| (k.clone(), *v)).collect();
        assert!(rebuilt.index.is_empty() && rebuilt == m);
        m.clear();
        assert!(m.is_empty() && m.get(&keys[1]).is_none());
    }

    /// The map behaves as a BTreeMap under a long mixed sequence of operations.
    #[test]
    fn behaves_as_a_btreemap() {
        let mut m: StrMap<u32> = StrMap::new();
        let mut b: BTreeMap<String, u32> = BTreeMap::new();
        let mut x: u32 = 12345;
        for step in 0..20_000u32 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let key = format!("cmi.interactions.{}.{}", x % 97, ["id", "type", "result"][(x % 3) as usize]);
            match x % 5 {
                0 | 1 => assert_eq!(m.insert(key.clone(), step), b.insert(key, step)),
                2 => assert_eq!(m.remove(&key), b.remove(&key)),
                3 => assert_eq!(m.get(&key), b.get(&key)),
                4 if step % 2 == 0 => {
                    let had = b.contains_key(&key);
                    let v = b.entry(key.clone()).or_insert(step);
                    assert_eq!(m.get_or_insert_with(&key, || step), Some((v, !had)));
                }
                _ => {
                    if let Some(v) = m.get_mut(&key) {
                        *v += 1;
                    }
                    if let Some(v) = b.get_mut(&key) {
                        *v += 1;
                    }
                }
            }
            assert_eq!(m.len(), b.len());
        }
        assert!(m.iter().eq(b.iter()));
        assert!(m.keys().eq(b.keys()));
        let collected: StrMap<u32> = b.clone().into_iter().rev().collect();
        assert!(collected.iter().eq(b.iter()));
        assert_eq!(format!("{m:?}"), format!("{b:?}"));
    }
}
