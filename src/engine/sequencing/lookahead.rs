//! Navigation look-ahead for a user interface and `adl.nav.request_valid`.
//!
//! Two ways to the same answers:
//!
//! * per request: [`Sequencer::check`] runs NB.2.1 and then the whole
//!   request on a copy of the state (flow and termination requests), or
//!   the side-effect-free choice checks ([`Sequencer::choice_result`]:
//!   NB.2.1, SB.2.9, DB.1.1) for one target;
//! * for the whole tree at once: [`Sequencer::lookahead`] answers the
//!   choice of every activity in one pass over the tree. Each check of
//!   SB.2.9 looks at the path from the root (or from the common ancestor
//!   with the current activity) to the target, so what it finds is carried
//!   down the tree once instead of being walked again for every target;
//!   what depends on the current activity (its path, its siblings, the
//!   constrained activity above it) is computed once along that path; and
//!   the flow from a cluster into its content (SB.2.3 in SB.2.9) is
//!   memoized per activity, every step of it moving forward. Linear in the
//!   size of the tree, where asking per target is quadratic on flat or
//!   deep trees. `tests/sequencing_proptest.rs` checks that both give the
//!   same result and the same exception for every activity.

use serde::{Deserialize, Serialize};

use super::process::SeqOut;
use super::rules::RuleSet;
use super::{NavigationRequest, SeqError, Sequencer};
use crate::engine::seqdef::RuleAction;

/// Why a navigation request or a table-of-contents entry is not available:
/// the SN exception the request would end in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Why {
    /// The exception identifier (`NB.2.1-8`, `SB.2.9-6`, `DB.1.1-3`, ...).
    pub id: String,
    /// Its description.
    pub message: String,
}

impl From<SeqError> for Why {
    fn from(e: SeqError) -> Why {
        Why { id: e.id.to_string(), message: e.description().to_string() }
    }
}

/// Look-ahead for one activity of the tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityNavState {
    /// Item identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// Depth below the root (0 for the root).
    pub depth: usize,
    /// Shown in a menu: its own `isvisible`, and neither it nor an ancestor
    /// is hidden from choice (`hiddenFromChoice`, SB.2.9) or unavailable
    /// (selection). An ancestor's `isvisible="false"` hides only that
    /// ancestor's entry.
    pub visible: bool,
    /// Not disabled by a `disabled` pre-condition rule nor a limit condition.
    pub enabled: bool,
    /// A choice navigation request for it would currently succeed.
    pub selectable: bool,
    /// Activity is Active.
    pub active: bool,
    /// Activity is Suspended.
    pub suspended: bool,
    /// Attempt completion status: "completed", "incomplete" or "unknown".
    pub completion: String,
    /// Primary objective: "passed", "failed" or "unknown".
    pub success: String,
    /// When it is not enabled or not selectable: the exception a choice of
    /// it ends in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<Why>,
}

/// For each navigation request that is not valid now, why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NavWhy {
    /// `start`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Why>,
    /// `resumeAll`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_all: Option<Why>,
    /// `continue`
    #[serde(default, rename = "continue", skip_serializing_if = "Option::is_none")]
    pub continue_: Option<Why>,
    /// `previous`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Why>,
    /// `exit`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<Why>,
    /// `exitAll`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_all: Option<Why>,
    /// `suspendAll`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend_all: Option<Why>,
    /// `abandon`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandon: Option<Why>,
    /// `abandonAll`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandon_all: Option<Why>,
}

impl NavWhy {
    /// From the exceptions of start, resumeAll, continue, previous, exit,
    /// exitAll, suspendAll, abandon and abandonAll, in that order (`None`
    /// for a valid request).
    pub fn from_errors(errors: [Option<SeqError>; 9]) -> NavWhy {
        let [start, resume_all, continue_, previous, exit, exit_all, suspend_all, abandon, abandon_all] = errors.map(|e| e.map(Why::from));
        NavWhy { start, resume_all, continue_, previous, exit, exit_all, suspend_all, abandon, abandon_all }
    }
}

/// Which navigation requests are valid now, and the state of each activity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NavState {
    /// `start`
    pub start: bool,
    /// `resumeAll`
    pub resume_all: bool,
    /// `continue`: the whole request simulated, as for `previous`, except
    /// that a flow refused by a cluster further on that forbids flowing into
    /// its children (SB.2.2-1) is still offered (ADL CTS CM-07d); a player
    /// asks [`Sequencer::check`] (or `Course::accepts`, with the running
    /// SCO's results) before it acts on it.
    #[serde(rename = "continue")]
    pub continue_: bool,
    /// `previous`: the whole request simulated (disabled at the first
    /// activity, ADL CTS CM-02a).
    pub previous: bool,
    /// `exit`
    pub exit: bool,
    /// `exitAll`
    pub exit_all: bool,
    /// `suspendAll`
    pub suspend_all: bool,
    /// `abandon`
    pub abandon: bool,
    /// `abandonAll`
    pub abandon_all: bool,
    /// Why each request that is not valid is not.
    pub why: NavWhy,
    /// Every activity in arena (document preorder) order.
    pub activities: Vec<ActivityNavState>,
}

/// Where the forward flow (SB.2.2 with SB.2.1) from an activity ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Leaf(usize),
    End,
    Fail(&'static str),
}

/// Per-activity facts the choice checks read, computed once per look-ahead.
struct Tables {
    /// Every activity from the root down to it is available (selection).
    avail_tree: Vec<bool>,
    /// A `hiddenFromChoice` rule applies to it.
    hidden: Vec<bool>,
    /// A `hiddenFromChoice` rule applies to it or to an ancestor.
    hidden_path: Vec<bool>,
    /// UP.5 fails for it or for an ancestor (DB.1.1).
    check_path: Vec<bool>,
    /// UP.5 (disabled rule or limit condition) for the activity itself.
    check: Vec<bool>,
    /// A `skip` pre-condition rule applies.
    skip: Vec<bool>,
    /// A `stopForwardTraversal` pre-condition rule applies.
    stop_forward: Vec<bool>,
    /// The next activity of a forward flow that does not enter it (SB.2.1
    /// without considering children; `None`: off the end of the tree).
    next_forward: Vec<Option<usize>>,
    /// Preorder rank in the order of the available children (forward in
    /// the tree = higher rank); `usize::MAX` when not available.
    rank: Vec<usize>,
    /// One past the last descendant in the arena (preorder).
    end: Vec<usize>,
}

fn err<T>(id: &'static str) -> Result<T, SeqError> {
    Err(SeqError::new(id))
}

impl Sequencer {
    /// True when processing `request` now would succeed (no sequencing
    /// exception); see [`Sequencer::check`].
    pub fn is_valid(&self, request: &NavigationRequest) -> bool {
        self.check(request).is_ok()
    }

    /// Whether processing `request` now would succeed, and else the
    /// exception it would end in. Flow and termination requests pass NB.2.1
    /// and are then simulated on a copy of the state; choice is checked
    /// without side effects ([`Sequencer::choice_result`]); jump by NB.2.1
    /// and DB.1.1 of its target.
    pub fn check(&self, request: &NavigationRequest) -> Result<(), SeqError> {
        match request {
            NavigationRequest::Choice(id) => match self.find(id) {
                Some(t) => self.choice_result(t),
                None => err("NB.2.1-11"),
            },
            NavigationRequest::Jump(_) => {
                let (_, seq) = self.navigation_request_process(request)?;
                match seq {
                    Some(super::process::SequencingRequest::Jump(t)) => self.delivery_request_process(t),
                    _ => err("NB.2.1-13"),
                }
            }
            _ => {
                self.navigation_request_process(request)?;
                if let Some(known) = self.termination_outcome(request) {
                    return known;
                }
                self.clone().navigate(request.clone()).map(|_| ())
            }
        }
    }

    /// The outcome of a request that NB.2.1 accepted, where TB.2.3 and the
    /// exit sequencing request (SB.2.11) that follows it cannot raise an
    /// exception, so that no copy of the state is needed: exitAll and
    /// abandonAll end at the root, abandon makes no post-condition, and
    /// suspendAll fails only on an inactive root (TB.2.3-3); exit fails only
    /// through exit action or post-condition rules (which may ask for more
    /// sequencing), so without any it succeeds. `None`: simulate.
    fn termination_outcome(&self, request: &NavigationRequest) -> Option<Result<(), SeqError>> {
        use NavigationRequest as N;
        let c = self.state.current?;
        let st = &self.state.activities[c];
        match request {
            N::ExitAll | N::AbandonAll | N::Abandon => Some(Ok(())),
            N::SuspendAll if !st.active && !st.suspended && self.parent(c).is_none() => Some(err("TB.2.3-3")),
            N::SuspendAll => Some(Ok(())),
            N::Exit => {
                let mut rules = !self.nodes[c].seq.post_condition_rules.is_empty();
                let mut x = self.parent(c);
                while let (Some(a), false) = (x, rules) {
                    rules = !self.nodes[a].seq.exit_rules.is_empty();
                    x = self.parent(a);
                }
                (!rules).then_some(Ok(()))
            }
            _ => None,
        }
    }

    /// Choice of activity `t` now, without side effects: NB.2.1 (choice),
    /// SB.2.9 and DB.1.1 of the activity it would deliver; the exception
    /// it would end in. One target at a time: [`Sequencer::lookahead`]
    /// answers for every activity at once.
    pub fn choice_result(&self, t: usize) -> Result<(), SeqError> {
        let Some(node) = self.nodes.get(t) else { return err("NB.2.1-11") };
        self.navigation_request_process(&NavigationRequest::Choice(node.id.clone()))?;
        match self.choice_sequencing_request(t)? {
            SeqOut::Deliver(a) => self.delivery_request_process(a),
            _ => err("SB.2.9-9"),
        }
    }

    /// Whether a jump to each activity would be valid now (NB.2.1 and DB.1.1
    /// of the target), in arena order, in one pass over the tree.
    pub fn jump_validity(&self) -> Vec<bool> {
        let t = self.tables();
        (0..self.nodes.len())
            .map(|a| self.state.current.is_some() && t.avail_tree[a] && self.is_leaf(a) && !t.check_path[a])
            .collect()
    }

    /// The navigation look-ahead for the current state: which requests are
    /// valid (and why not), and for every activity whether it is shown,
    /// enabled and selectable (and why not). Linear in the size of the tree
    /// (see the module documentation).
    pub fn lookahead(&self) -> NavState {
        use NavigationRequest as N;
        let tables = self.tables();
        let choices = self.choice_results(&tables);
        let n = self.nodes.len();
        let mut depth = vec![0usize; n];
        let mut subtree_hidden = vec![false; n];
        let mut activities = Vec::with_capacity(n);
        for (a, choice) in choices.into_iter().enumerate() {
            let node = &self.nodes[a];
            let st = &self.state.activities[a];
            let hidden = tables.hidden[a];
            // hiddenFromChoice (and not being available) hides the subtree:
            // a menu cannot offer the descendants of an entry that SB.2.9
            // hides (ADL CTS CM-07c). `isvisible="false"` is the item's own
            // display attribute and hides only its own entry: its children
            // are shown. Parents come before their children in arena order.
            let parent_hidden = node.parent.is_some_and(|p| subtree_hidden[p]);
            subtree_hidden[a] = parent_hidden || hidden || !self.is_available(a);
            if let Some(p) = node.parent {
                depth[a] = depth[p] + 1;
            }
            let enabled = !tables.check[a];
            let selectable = choice.is_ok();
            let why = match choice {
                Err(e) => Some(Why::from(e)),
                Ok(()) if !enabled => Some(Why::from(SeqError::new("DB.1.1-3"))),
                Ok(()) => None,
            };
            activities.push(ActivityNavState {
                id: node.id.clone(),
                title: node.title.clone(),
                depth: depth[a],
                visible: node.visible && !subtree_hidden[a],
                enabled,
                selectable,
                active: st.active,
                suspended: st.suspended,
                completion: status_word(self.attempt_completed(a), "completed", "incomplete"),
                success: status_word(self.primary_satisfied(a), "passed", "failed"),
                why,
            });
        }
        // the requests in NavWhy::from_errors order, each the whole request
        // (continue: see `continue_refusal`)
        let requests = [N::Start, N::ResumeAll, N::Continue, N::Previous, N::Exit, N::ExitAll, N::SuspendAll, N::Abandon, N::AbandonAll];
        let errors = requests.map(|r| match r {
            N::Continue => self.continue_refusal(),
            _ => self.check(&r).err(),
        });
        let [start, resume_all, continue_, previous, exit, exit_all, suspend_all, abandon, abandon_all] = errors.map(|e| e.is_none());
        let why = NavWhy::from_errors(errors);
        NavState { start, resume_all, continue_, previous, exit, exit_all, suspend_all, abandon, abandon_all, why, activities }
    }

    /// Why the look-ahead does not offer `continue`, if it does not: NB.2.1,
    /// then the whole request simulated ([`Sequencer::check`]: TB.2.3,
    /// SB.2.7 with SB.2.3 / SB.2.2, DB.1.1), so that an activity the flow
    /// reaches and UP.5 refuses (SB.2.2-2: a `disabled` rule, or limit
    /// conditions such as a cluster's `attemptLimit` used up; UP.1) is not
    /// offered where the request would then fail. The one exception it
    /// still offers is SB.2.2-1, a cluster further on whose own flow
    /// control forbids flowing into its children: ADL CTS CM-07d expects
    /// Continue enabled there, and the player asks `Course::accepts`
    /// before it ends the SCO for it.
    fn continue_refusal(&self) -> Option<SeqError> {
        let request = NavigationRequest::Continue;
        self.navigation_request_process(&request).err().or_else(|| self.check(&request).err().filter(|e| e.id != "SB.2.2-1"))
    }

    /// The per-activity facts of [`Tables`], top-down in arena order
    /// (parents before children): each rule of each activity is evaluated
    /// once.
    fn tables(&self) -> Tables {
        let n = self.nodes.len();
        let rule = |a: usize, action: RuleAction| self.sequencing_rules_check(a, RuleSet::Pre, &[action]).is_some();
        let mut t = Tables {
            avail_tree: vec![false; n],
            hidden: vec![false; n],
            hidden_path: vec![false; n],
            check_path: vec![false; n],
            check: vec![false; n],
            skip: vec![false; n],
            stop_forward: vec![false; n],
            next_forward: vec![None; n],
            rank: vec![usize::MAX; n],
            end: (0..n).map(|a| a + 1).collect(),
        };
        for a in 0..n {
            let parent = self.nodes[a].parent;
            let up = |v: &[bool]| parent.is_some_and(|p| v[p]);
            t.check[a] = self.check_activity(a);
            t.avail_tree[a] = self.is_available(a) && parent.map_or(true, |p| t.avail_tree[p]);
            t.hidden[a] = rule(a, RuleAction::HiddenFromChoice);
            t.hidden_path[a] = up(&t.hidden_path) || t.hidden[a];
            t.check_path[a] = up(&t.check_path) || t.check[a];
            t.skip[a] = rule(a, RuleAction::Skip);
            t.stop_forward[a] = rule(a, RuleAction::StopForwardTraversal);
            if let Some(p) = parent {
                let sibs = self.avail(p);
                t.next_forward[a] = match self.avail_position(a) {
                    Some(i) if i + 1 < sibs.len() => Some(sibs[i + 1]),
                    _ => t.next_forward[p],
                };
            }
        }
        // subtree ends, bottom-up (children after their parent)
        for a in (1..n).rev() {
            if let Some(p) = self.nodes[a].parent {
                t.end[p] = t.end[p].max(t.end[a]);
            }
        }
        // preorder over the available children
        let mut stack = vec![0usize];
        let mut next = 0;
        while let Some(a) = stack.pop() {
            t.rank[a] = next;
            next += 1;
            stack.extend(self.avail(a).iter().rev().copied());
        }
        t
    }

    /// SB.2.2 from `start` in the forward direction (entering clusters, as
    /// SB.2.3 does from the cluster a choice targets), memoized: every
    /// activity the walk passes leads where the walk ends.
    fn flow_forward(&self, start: usize, t: &Tables, memo: &mut [Option<Flow>]) -> Flow {
        let mut chain = Vec::new();
        let mut x = start;
        let result = loop {
            if let Some(r) = memo[x] {
                break r;
            }
            chain.push(x);
            if self.parent(x).is_some_and(|p| !self.nodes[p].seq.control_mode.flow) {
                break Flow::Fail("SB.2.2-1");
            }
            if t.skip[x] {
                match t.next_forward[x] {
                    Some(n) => {
                        x = n;
                        continue;
                    }
                    None => break Flow::End,
                }
            }
            if t.check[x] {
                break Flow::Fail("SB.2.2-2");
            }
            if !self.is_leaf(x) {
                match self.avail(x).first() {
                    Some(&f) => {
                        x = f;
                        continue;
                    }
                    None if self.is_last_in_preorder(x) => break Flow::End,
                    None => break Flow::Fail("SB.2.1-2"),
                }
            }
            break Flow::Leaf(x);
        };
        for y in chain {
            memo[y] = Some(result);
        }
        result
    }

    /// [`Sequencer::choice_result`] for every activity, in one pass.
    fn choice_results(&self, t: &Tables) -> Vec<Result<(), SeqError>> {
        let n = self.nodes.len();
        let current = self.state.current;
        // A current activity outside the available tree cannot be placed in
        // the traversal order: ask per target (not reached by SN itself).
        if current.is_some_and(|c| c >= n || !t.avail_tree[c]) {
            return (0..n).map(|a| self.choice_result(a)).collect();
        }
        // The path from the root to the current activity (the root alone
        // without one), and for each activity its deepest ancestor-or-self
        // on that path: the common ancestor with the current activity.
        let path = current.map_or_else(|| vec![0], |c| self.path_from_root(c));
        let mut on_path = vec![usize::MAX; n];
        for (i, &x) in path.iter().enumerate() {
            on_path[x] = i;
        }
        let mut ca = vec![0usize; n];
        for a in 0..n {
            ca[a] = match self.nodes[a].parent {
                _ if on_path[a] != usize::MAX => a,
                Some(p) => ca[p],
                None => a,
            };
        }
        // Along the path, bottom-up: for each activity on it, what lies
        // strictly below it down to the current activity.
        let d = path.len();
        let mut active_no_exit = vec![false; d]; // NB.2.1-8, SB.2.9-7 (different branch)
        let mut no_exit = vec![false; d]; // SB.2.9-7 (target is an ancestor)
        let mut constrained: Vec<Option<usize>> = vec![None; d]; // SB.2.9-8
        for i in (0..d.saturating_sub(1)).rev() {
            let y = path[i + 1];
            let cm = &self.nodes[y].seq.control_mode;
            active_no_exit[i] = active_no_exit[i + 1] || (self.state.activities[y].active && !cm.choice_exit);
            no_exit[i] = no_exit[i + 1] || !cm.choice_exit;
            // constrainChoice acts for a cluster, not for the leaf being
            // shown (see choice_checks)
            let cc = self.nodes[y].seq.constrained_choice.constrain_choice && !self.is_leaf(y);
            constrained[i] = constrained[i + 1].or(cc.then_some(y));
        }
        // SB.2.9.2 from each activity on the path, top-down.
        let mut cft_forward: Vec<Option<usize>> = vec![None; d];
        let mut cft_backward: Vec<Option<usize>> = vec![None; d];
        for i in 1..d {
            let (x, p) = (path[i], path[i - 1]);
            let sibs = self.avail(p);
            let pos = self.avail_position(x);
            cft_forward[i] = match pos {
                Some(k) if k + 1 < sibs.len() => Some(sibs[k + 1]),
                Some(_) => cft_forward[i - 1],
                None => None,
            };
            cft_backward[i] = match pos {
                Some(k) if k > 0 => Some(sibs[k - 1]),
                Some(_) => cft_backward[i - 1],
                None => None,
            };
        }
        // Off the path, top-down: the first exception of the walk from the
        // common ancestor down to (exclusive of) the activity, forward
        // (choice activity traversal and preventActivation) and backward
        // (preventActivation only).
        let prevented = |x: usize| !self.state.activities[x].active && self.nodes[x].seq.constrained_choice.prevent_activation;
        let mut descend: Vec<Option<&'static str>> = vec![None; n];
        let mut ascend: Vec<Option<&'static str>> = vec![None; n];
        for a in 0..n {
            let Some(p) = self.nodes[a].parent.filter(|_| on_path[a] == usize::MAX) else { continue };
            let stop = t.stop_forward[p].then_some("SB.2.4-1");
            if on_path[p] != usize::MAX {
                descend[a] = stop;
            } else {
                let prevent = prevented(p).then_some("SB.2.9-6");
                descend[a] = descend[p].or(stop).or(prevent);
                ascend[a] = ascend[p].or(prevent);
            }
        }
        // The siblings of the current activity: the first one from it on
        // (it included) with a stopForwardTraversal rule.
        let first_stop = current.and_then(|c| {
            let p = self.parent(c)?;
            let ic = self.avail_position(c)?;
            self.avail(p).iter().enumerate().skip(ic).find(|&(_, &s)| t.stop_forward[s]).map(|(j, _)| j)
        });
        let mut memo: Vec<Option<Flow>> = vec![None; n];
        (0..n)
            .map(|target| {
                self.choice_one(target, t, &Along { on_path: &on_path, ca: &ca, active_no_exit: &active_no_exit, no_exit: &no_exit, constrained: &constrained, cft_forward: &cft_forward, cft_backward: &cft_backward, descend: &descend, ascend: &ascend, first_stop }, &mut memo)
            })
            .collect()
    }

    /// The choice of `target` from the precomputed tables, in the order of
    /// the checks of [`Sequencer::choice_result`].
    fn choice_one(&self, target: usize, t: &Tables, w: &Along<'_>, memo: &mut [Option<Flow>]) -> Result<(), SeqError> {
        // NB.2.1 (choice): the target exists (it is in the arena)
        if self.parent(target).is_some_and(|p| !self.nodes[p].seq.control_mode.choice) {
            return err("NB.2.1-10");
        }
        let ca = w.ca[target];
        let ca_i = w.on_path[ca];
        if self.state.current.is_some() && w.active_no_exit[ca_i] {
            return err("NB.2.1-8");
        }
        // SB.2.9: not in the available children (SR.1), then hiddenFromChoice
        if !t.avail_tree[target] {
            return err("SB.2.9-2");
        }
        if t.hidden_path[target] {
            return err("SB.2.9-3");
        }
        let fail = |e: Option<&'static str>| e.map_or(Ok(()), err);
        match self.state.current {
            None => fail(w.descend[target])?,
            Some(c) if c == target => {}
            Some(c) if self.parent(c) == self.parent(target) => {
                let p = self.parent(c).unwrap_or(0);
                let (Some(ic), Some(it)) = (self.avail_position(c), self.avail_position(target)) else {
                    return err("SB.2.9-5");
                };
                if it > ic {
                    if w.first_stop.is_some_and(|j| j < it) {
                        return err("SB.2.4-1");
                    }
                } else if self.nodes[p].seq.control_mode.forward_only {
                    return err("SB.2.4-2");
                }
            }
            Some(c) if ca == c => fail(w.descend[target])?,
            Some(_) if ca == target => {
                if w.no_exit[ca_i] {
                    return err("SB.2.9-7");
                }
            }
            Some(c) => {
                if w.active_no_exit[ca_i] {
                    return err("SB.2.9-7");
                }
                if let Some(k) = w.constrained[ca_i] {
                    let k_i = w.on_path[k];
                    let forward = t.rank[target] > t.rank[k];
                    let consider = if forward { w.cft_forward[k_i] } else { w.cft_backward[k_i] }.unwrap_or(k);
                    let inside = consider <= target && target < t.end[consider];
                    if !inside && target != k {
                        return err("SB.2.9-8");
                    }
                }
                if t.rank[target] > t.rank[c] {
                    fail(w.descend[target])?;
                } else {
                    fail(w.ascend[target])?;
                }
            }
        }
        // the activity SB.2.9 delivers: the target, or where the flow into
        // the cluster leads (SB.2.3)
        let deliver = if self.is_leaf(target) {
            target
        } else {
            match self.avail(target).first() {
                Some(&f) => match self.flow_forward(f, t, memo) {
                    Flow::Leaf(a) => a,
                    _ => return err("SB.2.9-9"),
                },
                None => return err("SB.2.9-9"),
            }
        };
        // DB.1.1
        if t.check_path[deliver] {
            return err("DB.1.1-3");
        }
        Ok(())
    }
}

/// What the choice checks read along the current activity's path.
struct Along<'a> {
    on_path: &'a [usize],
    ca: &'a [usize],
    active_no_exit: &'a [bool],
    no_exit: &'a [bool],
    constrained: &'a [Option<usize>],
    cft_forward: &'a [Option<usize>],
    cft_backward: &'a [Option<usize>],
    descend: &'a [Option<&'static str>],
    ascend: &'a [Option<&'static str>],
    first_stop: Option<usize>,
}

fn status_word(v: Option<bool>, yes: &str, no: &str) -> String {
    match v {
        Some(true) => yes,
        Some(false) => no,
        None => "unknown",
    }
    .to_string()
}
