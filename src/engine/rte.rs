//! What the SCORM 1.2 and SCORM 2004 run-times have in common: the API
//! instance state machine, the host interface through which a run-time hands
//! its data to persistence, and the saved-state and change-set values.
//!
//! Both run-times follow the same shape: an API instance starts *not
//! initialized*, `Initialize`/`LMSInitialize` moves it to *running*, and
//! `Terminate`/`LMSFinish` to *terminated*, after which no call but the error
//! inspection calls succeeds (SCORM 2004 RTE §3.1.6; SCORM 1.2 RTE §3.3.3).

use super::map::StrMap;

/// The API instance state (SCORM 2004 4th Ed. RTE §3.1.6, "API Instance State").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ApiState {
    /// Before `Initialize`/`LMSInitialize` succeeded.
    #[default]
    NotInitialized,
    /// Between a successful initialize and terminate.
    Running,
    /// After a successful `Terminate`/`LMSFinish`.
    Terminated,
}

/// Everything the SCO and the LMS stored in one run-time data model, by
/// dotted element name (`cmi.location`, `cmi.interactions.3.id`, …), as the
/// strings GetValue would return. This is the value the persistence layer
/// saves and restores, and what the reference backend stores per SCO.
pub type Snapshot = StrMap<String>;

/// The elements that changed since the last commit, in the order of their
/// first change, with their current values.
pub type ChangeSet = Vec<(String, String)>;

/// How long a value `SetValue`/`LMSSetValue` accepts may be. A value past a
/// limit is refused (SCORM 2004: error 351 with the "SPM exceeded"
/// diagnostic; SCORM 1.2: 405), never truncated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueLimits {
    /// The longest value of any element, in characters (`usize::MAX`: no
    /// limit). The browser layer derives it from the largest request body
    /// ([`crate::engine::persist::max_value_chars`]), so that every
    /// accepted value can be delivered.
    pub max_chars: usize,
    /// SCORM 2004: refuse `characterstring`, `localized_string_type` (its
    /// language delimiter not counted) and identifier values longer than
    /// their smallest permitted maximum (RTE §4.1.1). An LMS must store at
    /// least the SPM; it may refuse more, and with this set the shim does.
    pub spm: bool,
}

impl Default for ValueLimits {
    /// No limit (the engine's default; pages get the configured limits).
    fn default() -> Self {
        ValueLimits { max_chars: usize::MAX, spm: false }
    }
}

/// Why a run-time hands its data to the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersistReason {
    /// `Commit`/`LMSCommit` was called.
    Commit,
    /// `Terminate`/`LMSFinish` was called (the last change set of an attempt).
    Terminate,
}

/// The host of a run-time: in the browser, the local-first commit queue; in
/// tests, a recorder. A run-time calls it from Commit and Terminate. When
/// `persist` returns an error, the API call fails (SCORM 2004 error 391
/// "Commit Failed" or 111 "General Termination Failure"; SCORM 1.2 error 101
/// "General Exception"), and the changes stay pending for the next commit.
pub trait Host {
    /// Durably record `changes` (local-first). `snapshot` is the whole state
    /// after the changes, for hosts that store full state.
    fn persist(
        &mut self,
        reason: PersistReason,
        changes: &ChangeSet,
        snapshot: &Snapshot,
    ) -> Result<(), String>;
}

/// A host that accepts everything and keeps nothing: for pages with no
/// persistence and for tests that do not look at persistence.
#[derive(Debug, Default)]
pub struct NullHost;

impl Host for NullHost {
    fn persist(&mut self, _: PersistReason, _: &ChangeSet, _: &Snapshot) -> Result<(), String> {
        Ok(())
    }
}

/// A host that records every persisted change set, and can be told to fail:
/// used by tests of both run-times and of the commit path.
#[derive(Debug, Default)]
pub struct RecordingHost {
    /// Every successful persist call, in order.
    pub persisted: Vec<(PersistReason, ChangeSet)>,
    /// The last snapshot handed over.
    pub last_snapshot: Option<Snapshot>,
    /// When set, `persist` fails with this message.
    pub fail_with: Option<String>,
}

impl Host for RecordingHost {
    fn persist(
        &mut self,
        reason: PersistReason,
        changes: &ChangeSet,
        snapshot: &Snapshot,
    ) -> Result<(), String> {
        if let Some(msg) = &self.fail_with {
            return Err(msg.clone());
        }
        self.persisted.push((reason, changes.clone()));
        self.last_snapshot = Some(snapshot.clone());
        Ok(())
    }
}

/// Records which elements changed since the last commit, keeping the order
/// of their first change. Cheap to update on every SetValue.
#[derive(Clone, Debug, Default)]
pub struct DirtySet {
    order: Vec<String>,
    /// The elements in `order`, as keys. The same map type as [`Snapshot`]
    /// (values unused) so the wasm module carries one map implementation,
    /// not a second one plus a hasher.
    seen: StrMap<String>,
}

impl DirtySet {
    /// Mark `element` as changed.
    pub fn mark(&mut self, element: &str) {
        // One search, through `&mut` (it may build the map's index).
        if let Some((_, true)) = self.seen.get_or_insert_with(element, String::new) {
            self.order.push(element.to_owned());
        }
    }

    /// Mark every element whose value in `now` differs from `before` (or
    /// that only one of them has): first those of `now`, in key order, then
    /// those only `before` has. One ordered walk over both maps, rather than a
    /// lookup per key.
    pub fn mark_differences(&mut self, now: &Snapshot, before: &Snapshot) {
        let mut only_before = Vec::new();
        let mut b = before.iter().peekable();
        for (k, v) in now {
            loop {
                match b.peek() {
                    Some((bk, _)) if bk.as_str() < k.as_str() => {
                        only_before.push(bk.as_str());
                        b.next();
                    }
                    Some((bk, bv)) if bk.as_str() == k.as_str() => {
                        if *bv != v {
                            self.mark(k);
                        }
                        b.next();
                        break;
                    }
                    _ => {
                        self.mark(k);
                        break;
                    }
                }
            }
        }
        only_before.extend(b.map(|(k, _)| k.as_str()));
        for k in only_before {
            self.mark(k);
        }
    }

    /// True when nothing changed since the last [`DirtySet::clear`].
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The changed elements, in order of their first change.
    pub fn elements(&self) -> &[String] {
        &self.order
    }

    /// Build the change set from the current values in `snapshot`.
    /// An element absent from the snapshot is reported with an empty value.
    pub fn change_set(&self, snapshot: &Snapshot) -> ChangeSet {
        self.order
            .iter()
            .map(|k| (k.clone(), snapshot.get(k).cloned().unwrap_or_default()))
            .collect()
    }

    /// Forget all changes (after they were persisted).
    pub fn clear(&mut self) {
        self.order.clear();
        self.seen.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirty_set_keeps_first_change_order_and_current_values() {
        let mut d = DirtySet::default();
        d.mark("cmi.location");
        d.mark("cmi.suspend_data");
        d.mark("cmi.location");
        let mut snap = Snapshot::new();
        snap.insert("cmi.location".into(), "p3".into());
        snap.insert("cmi.suspend_data".into(), "abc".into());
        assert_eq!(
            d.change_set(&snap),
            vec![
                ("cmi.location".to_string(), "p3".to_string()),
                ("cmi.suspend_data".to_string(), "abc".to_string())
            ]
        );
        d.clear();
        assert!(d.is_empty());
    }

    #[test]
    fn mark_differences_marks_what_a_lookup_per_key_would() {
        let snap = |pairs: &[(&str, &str)]| -> Snapshot {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let cases = [
            (snap(&[]), snap(&[])),
            (snap(&[("a", "1"), ("c", "3")]), snap(&[])),
            (snap(&[]), snap(&[("a", "1"), ("b", "2")])),
            (snap(&[("a", "1"), ("c", "3"), ("e", "5")]), snap(&[("a", "1"), ("b", "2"), ("c", "x"), ("d", "4")])),
            (snap(&[("b", "2"), ("d", "4")]), snap(&[("a", "1"), ("b", "2"), ("e", "5"), ("f", "")])),
        ];
        for (now, before) in cases {
            let mut expected = DirtySet::default();
            for k in now.keys().chain(before.keys()) {
                if now.get(k) != before.get(k) {
                    expected.mark(k);
                }
            }
            let mut got = DirtySet::default();
            got.mark_differences(&now, &before);
            assert_eq!(got.elements(), expected.elements(), "now {now:?} before {before:?}");
        }
    }

    #[test]
    fn recording_host_fails_when_told() {
        let mut h = RecordingHost { fail_with: Some("quota".into()), ..Default::default() };
        assert_eq!(
            h.persist(PersistReason::Commit, &vec![], &Snapshot::new()),
            Err("quota".to_string())
        );
        h.fail_with = None;
        assert!(h.persist(PersistReason::Commit, &vec![], &Snapshot::new()).is_ok());
        assert_eq!(h.persisted.len(), 1);
    }
}
