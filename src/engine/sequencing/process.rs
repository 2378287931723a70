//! OP.1 and the navigation (NB), termination (TB), sequencing (SB),
//! delivery (DB) and utility (UP.3, UP.4) processes of SN Appendix C.

use super::rules::RuleSet;
use super::{NavigationRequest, Outcome, SeqError, Sequencer};
use crate::engine::seqdef::RuleAction;

/// Termination requests (SN §4.4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TerminationRequest {
    Exit,
    ExitAll,
    SuspendAll,
    Abandon,
    AbandonAll,
}

/// Sequencing requests (SN §4.4.3), targets resolved to arena indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SequencingRequest {
    Start,
    ResumeAll,
    Continue,
    Previous,
    Choice(usize),
    Jump(usize),
    Exit,
    Retry,
}

/// What SB.2.12 identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SeqOut {
    Deliver(usize),
    EndSession,
    Nothing,
}

/// Traversal direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Forward,
    Backward,
}

/// Result of SB.2.1 / SB.2.2: an activity and the direction, or the end
/// of the sequencing session (forward off the end of the tree).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trav {
    Found(usize, Direction),
    EndSession,
}

type SeqResult<T> = Result<T, SeqError>;

fn err<T>(id: &'static str) -> SeqResult<T> {
    Err(SeqError::new(id))
}

impl Sequencer {
    /// OP.1 Overall Sequencing Process for one navigation request.
    pub fn navigate(&mut self, request: NavigationRequest) -> Result<Outcome, SeqError> {
        let (term, mut seq) = self.navigation_request_process(&request)?;
        if let Some(t) = term {
            if let Some(s) = self.termination_request_process(t)? {
                seq = Some(s);
            }
        }
        let Some(seq) = seq else { return Ok(Outcome::NoDelivery) };
        match self.sequencing_request_process(seq)? {
            SeqOut::EndSession => {
                self.end_session();
                Ok(Outcome::SessionEnded)
            }
            SeqOut::Nothing => Ok(Outcome::NoDelivery),
            SeqOut::Deliver(a) => {
                self.delivery_request_process(a)?;
                self.content_delivery_environment(a)?;
                Ok(Outcome::Deliver(a))
            }
        }
    }

    /// Whether the Navigation Request Process (NB.2.1) accepts `request` in
    /// the current state, without processing it: an LMS asks this before it
    /// ends the running SCO for the request.
    pub fn accepts(&self, request: &NavigationRequest) -> Result<(), SeqError> {
        self.navigation_request_process(request).map(|_| ())
    }

    /// Ends the sequencing session: the root attempt ends when still active
    /// and the current activity is cleared (the suspended activity stays).
    fn end_session(&mut self) {
        if self.state.activities[0].active {
            self.end_attempt(0);
        }
        self.state.current = None;
    }

    fn resolve(&self, id: &str) -> Option<usize> {
        self.find(id).filter(|&a| self.is_available_in_tree(a))
    }

    /// NB.2.1 Navigation Request Process: the termination and sequencing
    /// requests a navigation request stands for.
    pub(crate) fn navigation_request_process(
        &self,
        request: &NavigationRequest,
    ) -> SeqResult<(Option<TerminationRequest>, Option<SequencingRequest>)> {
        use NavigationRequest as N;
        use SequencingRequest as S;
        use TerminationRequest as T;
        let current = self.state.current;
        let active = current.is_some_and(|c| self.state.activities[c].active);
        match request {
            N::Start => match current {
                None => Ok((None, Some(S::Start))),
                Some(_) => err("NB.2.1-1"),
            },
            N::ResumeAll => match (current, self.state.suspended_activity) {
                (None, Some(_)) => Ok((None, Some(S::ResumeAll))),
                (None, None) => err("NB.2.1-3"),
                (Some(_), _) => err("NB.2.1-1"),
            },
            N::Continue => {
                let Some(c) = current else { return err("NB.2.1-2") };
                match self.parent(c) {
                    Some(p) if self.nodes[p].seq.control_mode.flow => {
                        Ok((active.then_some(T::Exit), Some(S::Continue)))
                    }
                    _ => err("NB.2.1-4"),
                }
            }
            N::Previous => {
                let Some(c) = current else { return err("NB.2.1-2") };
                match self.parent(c) {
                    None => err("NB.2.1-6"),
                    Some(p) => {
                        let cm = &self.nodes[p].seq.control_mode;
                        if cm.flow && !cm.forward_only {
                            Ok((active.then_some(T::Exit), Some(S::Previous)))
                        } else {
                            err("NB.2.1-5")
                        }
                    }
                }
            }
            N::Forward | N::Backward => err("NB.2.1-7"),
            N::Choice(id) => {
                // NB.2.1 asks only whether the target exists in the activity
                // tree; one that selection (SR.1) left out of its parent's
                // available children is SB.2.9's exception SB.2.9-2
                let Some(target) = self.find(id) else { return err("NB.2.1-11") };
                if let Some(p) = self.parent(target) {
                    if !self.nodes[p].seq.control_mode.choice {
                        return err("NB.2.1-10");
                    }
                }
                let Some(c) = current else { return Ok((None, Some(S::Choice(target)))) };
                // Choice Exit (SN 3.2.2): while an activity is active no
                // choice may target anything outside its subtree; the walk
                // from the current activity up to (not including) the
                // common ancestor covers a current leaf and its siblings
                // too (ADL CTS CM-07a: no table of contents from a leaf
                // with choiceExit false)
                let ca = self.common_ancestor(c, target);
                let mut x = c;
                while x != ca {
                    let st = &self.state.activities[x];
                    if st.active && !self.nodes[x].seq.control_mode.choice_exit {
                        return err("NB.2.1-8");
                    }
                    match self.parent(x) {
                        Some(p) => x = p,
                        None => break,
                    }
                }
                Ok((active.then_some(T::Exit), Some(S::Choice(target))))
            }
            N::Jump(id) => {
                let Some(target) = self.resolve(id) else { return err("NB.2.1-11") };
                if current.is_none() {
                    return err("NB.2.1-2");
                }
                Ok((active.then_some(T::Exit), Some(S::Jump(target))))
            }
            N::Exit | N::Abandon => {
                if current.is_none() {
                    return err("NB.2.1-2");
                }
                if !active {
                    return err("NB.2.1-12");
                }
                let t = if *request == N::Exit { T::Exit } else { T::Abandon };
                Ok((Some(t), Some(S::Exit)))
            }
            N::ExitAll | N::AbandonAll | N::SuspendAll => {
                if current.is_none() {
                    return err("NB.2.1-2");
                }
                let t = match request {
                    N::ExitAll => T::ExitAll,
                    N::AbandonAll => T::AbandonAll,
                    _ => T::SuspendAll,
                };
                Ok((Some(t), Some(S::Exit)))
            }
        }
    }

    /// TB.2.3 Termination Request Process; returns the sequencing request
    /// that replaces the pending one, if any.
    pub(crate) fn termination_request_process(
        &mut self,
        mut request: TerminationRequest,
    ) -> SeqResult<Option<SequencingRequest>> {
        use TerminationRequest as T;
        let Some(mut current) = self.state.current else { return err("TB.2.3-1") };
        if matches!(request, T::Exit | T::Abandon) && !self.state.activities[current].active {
            return err("TB.2.3-2");
        }
        let mut post_seq = None;
        if request == T::Exit {
            self.end_attempt(current);
            self.sequencing_exit_action_rules();
            current = self.state.current.unwrap_or(current);
            loop {
                let mut processed_exit = false;
                let (term, seq) = self.sequencing_post_condition_rules();
                post_seq = seq;
                if term == Some(T::ExitAll) {
                    request = T::ExitAll;
                    break;
                }
                if term == Some(T::Exit) {
                    // exitParent
                    match self.parent(current) {
                        Some(p) => {
                            current = p;
                            self.state.current = Some(p);
                            self.end_attempt(p);
                            processed_exit = true;
                        }
                        None => return err("TB.2.3-4"),
                    }
                } else if self.parent(current).is_none() && post_seq != Some(SequencingRequest::Retry) {
                    return Ok(Some(SequencingRequest::Exit));
                }
                if !processed_exit {
                    break;
                }
            }
            if request == T::Exit {
                return Ok(post_seq);
            }
        }
        match request {
            T::Exit => Ok(post_seq),
            T::ExitAll => {
                if self.state.activities[current].active {
                    self.end_attempt(current);
                }
                self.terminate_descendent_attempts(0);
                self.end_attempt(0);
                // Exit all ends the attempt on the whole course: nothing stays
                // suspended, even an activity whose SCO set cmi.exit
                // "suspend" before it asked for exitAll (ADL CTS OB-03b)
                for st in &mut self.state.activities {
                    st.suspended = false;
                }
                self.state.current = Some(0);
                // retryAll post-condition: exitAll followed by a retry of the root
                if post_seq == Some(SequencingRequest::Retry) {
                    Ok(Some(SequencingRequest::Retry))
                } else {
                    Ok(Some(SequencingRequest::Exit))
                }
            }
            T::SuspendAll => {
                let st = &self.state.activities[current];
                let target = if st.active || st.suspended {
                    self.overall_rollup(current);
                    current
                } else {
                    match self.parent(current) {
                        Some(p) => p,
                        None => return err("TB.2.3-3"),
                    }
                };
                self.state.suspended_activity = Some(target);
                for a in self.path_from_root(target) {
                    let st = &mut self.state.activities[a];
                    st.active = false;
                    st.suspended = true;
                }
                self.state.current = Some(0);
                Ok(Some(SequencingRequest::Exit))
            }
            T::Abandon => {
                self.state.activities[current].active = false;
                Ok(None)
            }
            T::AbandonAll => {
                for a in self.path_from_root(current) {
                    self.state.activities[a].active = false;
                }
                self.state.current = Some(0);
                Ok(Some(SequencingRequest::Exit))
            }
        }
    }

    /// TB.2.1 Sequencing Exit Action Rules Subprocess.
    pub(crate) fn sequencing_exit_action_rules(&mut self) {
        let Some(current) = self.state.current else { return };
        let path = self.path_from_root(current);
        let mut exit_target = None;
        for &a in path.iter().take(path.len().saturating_sub(1)) {
            if self.sequencing_rules_check(a, RuleSet::Exit, &[RuleAction::Exit]).is_some() {
                exit_target = Some(a);
                break;
            }
        }
        if let Some(t) = exit_target {
            self.terminate_descendent_attempts(t);
            self.end_attempt(t);
            self.state.current = Some(t);
        }
    }

    /// TB.2.2 Sequencing Post Condition Rules Subprocess: `exitParent` is
    /// returned as termination request `Exit`, `exitAll` as `ExitAll`,
    /// `retryAll` as `ExitAll` + `Retry`.
    pub(crate) fn sequencing_post_condition_rules(&self) -> (Option<TerminationRequest>, Option<SequencingRequest>) {
        let Some(c) = self.state.current else { return (None, None) };
        if self.state.activities[c].suspended {
            return (None, None);
        }
        use RuleAction as R;
        let actions = [R::ExitParent, R::ExitAll, R::Retry, R::RetryAll, R::Continue, R::Previous];
        match self.sequencing_rules_check(c, RuleSet::Post, &actions) {
            Some(R::Retry) => (None, Some(SequencingRequest::Retry)),
            Some(R::Continue) => (None, Some(SequencingRequest::Continue)),
            Some(R::Previous) => (None, Some(SequencingRequest::Previous)),
            Some(R::ExitParent) => (Some(TerminationRequest::Exit), None),
            Some(R::ExitAll) => (Some(TerminationRequest::ExitAll), None),
            Some(R::RetryAll) => (Some(TerminationRequest::ExitAll), Some(SequencingRequest::Retry)),
            _ => (None, None),
        }
    }

    /// UP.4 End Attempt Process.
    pub(crate) fn end_attempt(&mut self, a: usize) {
        self.end_attempt_no_rollup(a);
        self.overall_rollup(a);
    }

    /// UP.4 without its final Overall Rollup.
    fn end_attempt_no_rollup(&mut self, a: usize) {
        if self.is_leaf(a) {
            let delivery = self.nodes[a].seq.delivery.clone();
            let st = &mut self.state.activities[a];
            if delivery.tracked && !st.suspended {
                // "Did the content inform the sequencer of the activity's
                // completion status?": a SCO that set "unknown" did (ADL
                // CTS CM-06, CO-13a), so only silence becomes completed.
                if !delivery.completion_set_by_content && !st.attempt_progress_status && !st.completion_reported {
                    st.attempt_progress_status = true;
                    st.attempt_completion_status = true;
                }
                if !delivery.objective_set_by_content && !st.success_reported {
                    if let Some(o) = st.objectives.first_mut() {
                        if !o.progress_status {
                            o.progress_status = true;
                            o.satisfied_status = true;
                        }
                    }
                }
            }
        } else {
            let any_suspended = self.nodes[a].children.iter().any(|&c| self.state.activities[c].suspended);
            self.state.activities[a].suspended = any_suspended;
        }
        self.state.activities[a].active = false;
    }

    /// UP.3 Terminate Descendent Attempts Process: ends the attempts from
    /// the current activity up to (excluding) the common ancestor with `a`.
    pub(crate) fn terminate_descendent_attempts(&mut self, a: usize) {
        let Some(current) = self.state.current else { return };
        let ca = self.common_ancestor(current, a);
        let mut x = current;
        let mut lowest = None;
        while x != ca {
            if self.state.activities[x].active {
                // End Attempt bottom-up; the rollup each one would start is
                // done once below (same final state, linear instead of
                // quadratic in the depth)
                self.end_attempt_no_rollup(x);
                lowest.get_or_insert(x);
            }
            match self.parent(x) {
                Some(p) => x = p,
                None => break,
            }
        }
        if let Some(l) = lowest {
            self.overall_rollup(l);
        }
    }

    /// SB.2.12 Sequencing Request Process.
    pub(crate) fn sequencing_request_process(&mut self, request: SequencingRequest) -> SeqResult<SeqOut> {
        use SequencingRequest as S;
        // A retry of the root is a new attempt on the whole tree: global
        // objectives scoped to the course (`objectivesGlobalToSystem="false"`)
        // start over before the flow evaluates any rule (ADL CTS RU-13d). A
        // new session after the course ended keeps them (ADL CTS OB-03b).
        if self.globals_per_tree_attempt && request == S::Retry && self.state.current == Some(0) {
            self.state.globals.clear();
        }
        let out = match request {
            S::Start => self.start_sequencing_request(),
            S::ResumeAll => self.resume_all_sequencing_request(),
            S::Exit => self.exit_sequencing_request(),
            S::Retry => self.retry_sequencing_request(),
            S::Continue => self.continue_sequencing_request(),
            S::Previous => self.previous_sequencing_request(),
            S::Choice(t) => {
                let r = self.choice_sequencing_request(t);
                if r == err("SB.2.9-9") {
                    // nothing to deliver below the chosen cluster
                    let ca = self.state.current.map_or(0, |c| self.common_ancestor(c, t));
                    self.terminate_descendent_attempts(ca);
                    if self.state.activities[ca].active {
                        self.end_attempt(ca);
                    }
                    self.state.current = Some(t);
                }
                r
            }
            S::Jump(t) => self.jump_sequencing_request(t),
        }?;
        if out == SeqOut::EndSession {
            // SB.2.1: terminate the descendent attempts of the root
            self.terminate_descendent_attempts(0);
        }
        Ok(out)
    }

    fn trav_out(t: Trav) -> SeqOut {
        match t {
            Trav::Found(a, _) => SeqOut::Deliver(a),
            Trav::EndSession => SeqOut::EndSession,
        }
    }

    /// SB.2.5 Start Sequencing Request Process.
    pub(crate) fn start_sequencing_request(&self) -> SeqResult<SeqOut> {
        if self.state.current.is_some() {
            return err("SB.2.5-1");
        }
        if self.is_leaf(0) {
            return Ok(SeqOut::Deliver(0));
        }
        self.flow_subprocess(0, Direction::Forward, true).map(Self::trav_out)
    }

    /// SB.2.6 Resume All Sequencing Request Process.
    pub(crate) fn resume_all_sequencing_request(&self) -> SeqResult<SeqOut> {
        if self.state.current.is_some() {
            return err("SB.2.6-1");
        }
        match self.state.suspended_activity {
            Some(s) => Ok(SeqOut::Deliver(s)),
            None => err("SB.2.6-2"),
        }
    }

    /// SB.2.7 Continue Sequencing Request Process.
    pub(crate) fn continue_sequencing_request(&self) -> SeqResult<SeqOut> {
        let Some(c) = self.state.current else { return err("SB.2.7-1") };
        if let Some(p) = self.parent(c) {
            if !self.nodes[p].seq.control_mode.flow {
                return err("SB.2.7-2");
            }
        }
        self.flow_subprocess(c, Direction::Forward, false).map(Self::trav_out)
    }

    /// SB.2.8 Previous Sequencing Request Process.
    pub(crate) fn previous_sequencing_request(&self) -> SeqResult<SeqOut> {
        let Some(c) = self.state.current else { return err("SB.2.8-1") };
        if let Some(p) = self.parent(c) {
            if !self.nodes[p].seq.control_mode.flow {
                return err("SB.2.8-2");
            }
        }
        match self.flow_subprocess(c, Direction::Backward, false)? {
            Trav::Found(a, _) => Ok(SeqOut::Deliver(a)),
            Trav::EndSession => err("SB.2.1-3"),
        }
    }

    /// SB.2.10 Retry Sequencing Request Process.
    pub(crate) fn retry_sequencing_request(&self) -> SeqResult<SeqOut> {
        let Some(c) = self.state.current else { return err("SB.2.10-1") };
        let st = &self.state.activities[c];
        if st.active || st.suspended {
            return err("SB.2.10-2");
        }
        if self.is_leaf(c) {
            return Ok(SeqOut::Deliver(c));
        }
        match self.flow_subprocess(c, Direction::Forward, true) {
            Ok(Trav::Found(a, _)) => Ok(SeqOut::Deliver(a)),
            _ => err("SB.2.10-3"),
        }
    }

    /// SB.2.11 Exit Sequencing Request Process.
    pub(crate) fn exit_sequencing_request(&self) -> SeqResult<SeqOut> {
        let Some(c) = self.state.current else { return err("SB.2.11-1") };
        if self.state.activities[c].active {
            return err("SB.2.11-2");
        }
        if self.parent(c).is_none() {
            return Ok(SeqOut::EndSession);
        }
        Ok(SeqOut::Nothing)
    }

    /// SB.2.13 Jump Sequencing Request Process.
    pub(crate) fn jump_sequencing_request(&self, target: usize) -> SeqResult<SeqOut> {
        if self.state.current.is_none() {
            return err("SB.2.13-1");
        }
        if target >= self.nodes.len() {
            return err("SB.2.13-2");
        }
        Ok(SeqOut::Deliver(target))
    }

    /// True when `a` is the last activity of a forward preorder traversal.
    pub(crate) fn is_last_in_preorder(&self, a: usize) -> bool {
        if !self.avail(a).is_empty() {
            return false;
        }
        let mut x = a;
        while let Some(p) = self.parent(x) {
            if self.avail(p).last() != Some(&x) {
                return false;
            }
            x = p;
        }
        true
    }

    /// SB.2.1 Flow Tree Traversal Subprocess (iterative: the recursion to
    /// the parent becomes a loop).
    pub(crate) fn flow_tree_traversal(
        &self,
        mut a: usize,
        mut dir: Direction,
        mut consider_children: bool,
        prev: Option<Direction>,
    ) -> SeqResult<Trav> {
        let mut reversed = false;
        if prev == Some(Direction::Backward) {
            if let Some(p) = self.parent(a) {
                if self.avail(p).last() == Some(&a) {
                    if let Some(&first) = self.avail(p).first() {
                        dir = Direction::Backward;
                        a = first;
                        reversed = true;
                    }
                }
            }
        }
        loop {
            match dir {
                Direction::Forward => {
                    if self.is_last_in_preorder(a) || (self.parent(a).is_none() && !consider_children) {
                        return Ok(Trav::EndSession);
                    }
                    if self.is_leaf(a) || !consider_children {
                        let Some(p) = self.parent(a) else { return Ok(Trav::EndSession) };
                        let sibs = self.avail(p);
                        match self.avail_position(a) {
                            Some(i) if i + 1 < sibs.len() => return Ok(Trav::Found(sibs[i + 1], dir)),
                            _ => {
                                a = p;
                                consider_children = false;
                            }
                        }
                    } else {
                        return match self.avail(a).first() {
                            Some(&f) => Ok(Trav::Found(f, dir)),
                            None => err("SB.2.1-2"),
                        };
                    }
                }
                Direction::Backward => {
                    let Some(p) = self.parent(a) else { return err("SB.2.1-3") };
                    if self.is_leaf(a) || !consider_children {
                        if !reversed && self.nodes[p].seq.control_mode.forward_only {
                            return err("SB.2.1-4");
                        }
                        let sibs = self.avail(p);
                        match self.avail_position(a) {
                            Some(i) if i > 0 && i <= sibs.len() => return Ok(Trav::Found(sibs[i - 1], dir)),
                            _ => {
                                a = p;
                                consider_children = false;
                                reversed = false;
                            }
                        }
                    } else {
                        let ch = self.avail(a);
                        return match (ch.first(), ch.last()) {
                            (Some(&f), Some(&l)) => {
                                if self.nodes[a].seq.control_mode.forward_only {
                                    Ok(Trav::Found(f, Direction::Forward))
                                } else {
                                    Ok(Trav::Found(l, Direction::Backward))
                                }
                            }
                            _ => err("SB.2.1-2"),
                        };
                    }
                }
            }
        }
    }

    /// SB.2.2 Flow Activity Traversal Subprocess (iterative).
    pub(crate) fn flow_activity_traversal(
        &self,
        mut a: usize,
        mut dir: Direction,
        mut prev: Option<Direction>,
    ) -> SeqResult<Trav> {
        // each step moves through the tree; the bound only guards against bugs
        let mut budget = 4 * self.nodes.len() + 16;
        loop {
            if budget == 0 {
                return err("SB.2.2-1");
            }
            budget -= 1;
            if let Some(p) = self.parent(a) {
                if !self.nodes[p].seq.control_mode.flow {
                    return err("SB.2.2-1");
                }
            }
            if self.sequencing_rules_check(a, RuleSet::Pre, &[RuleAction::Skip]).is_some() {
                match self.flow_tree_traversal(a, dir, false, prev)? {
                    Trav::EndSession => return Ok(Trav::EndSession),
                    Trav::Found(n, d) => {
                        if prev == Some(Direction::Backward) && d == Direction::Backward {
                            prev = None;
                        }
                        a = n;
                        dir = d;
                        continue;
                    }
                }
            }
            if self.check_activity(a) {
                return err("SB.2.2-2");
            }
            if !self.is_leaf(a) {
                match self.flow_tree_traversal(a, dir, true, None)? {
                    Trav::EndSession => return Ok(Trav::EndSession),
                    Trav::Found(n, d) => {
                        if dir == Direction::Backward && d == Direction::Forward {
                            prev = Some(Direction::Backward);
                            dir = Direction::Forward;
                        } else {
                            prev = None;
                        }
                        a = n;
                        continue;
                    }
                }
            }
            return Ok(Trav::Found(a, dir));
        }
    }

    /// SB.2.3 Flow Subprocess.
    pub(crate) fn flow_subprocess(&self, a: usize, dir: Direction, consider_children: bool) -> SeqResult<Trav> {
        match self.flow_tree_traversal(a, dir, consider_children, None)? {
            Trav::EndSession => Ok(Trav::EndSession),
            Trav::Found(n, d) => self.flow_activity_traversal(n, d, None),
        }
    }

    /// SB.2.4 Choice Activity Traversal Subprocess.
    pub(crate) fn choice_activity_traversal(&self, a: usize, dir: Direction) -> SeqResult<()> {
        match dir {
            Direction::Forward => {
                if self.sequencing_rules_check(a, RuleSet::Pre, &[RuleAction::StopForwardTraversal]).is_some() {
                    return err("SB.2.4-1");
                }
                Ok(())
            }
            Direction::Backward => match self.parent(a) {
                Some(p) if self.nodes[p].seq.control_mode.forward_only => err("SB.2.4-2"),
                Some(_) => Ok(()),
                None => err("SB.2.4-3"),
            },
        }
    }

    /// SB.2.9.2 Choice Flow Tree Traversal Subprocess.
    fn choice_flow_tree_traversal(&self, mut a: usize, dir: Direction) -> Option<usize> {
        loop {
            let p = self.parent(a)?;
            let sibs = self.avail(p);
            let i = self.avail_position(a)?;
            match dir {
                Direction::Forward => {
                    if i + 1 < sibs.len() {
                        return Some(sibs[i + 1]);
                    }
                }
                Direction::Backward => {
                    if i > 0 {
                        return Some(sibs[i - 1]);
                    }
                }
            }
            a = p;
        }
    }

    /// SB.2.9.1 Choice Flow Subprocess.
    fn choice_flow_subprocess(&self, a: usize, dir: Direction) -> usize {
        self.choice_flow_tree_traversal(a, dir).unwrap_or(a)
    }

    /// SB.2.9 Choice Sequencing Request Process (without the side effects of
    /// its "nothing to deliver" branch, which the caller applies).
    pub(crate) fn choice_sequencing_request(&self, target: usize) -> SeqResult<SeqOut> {
        self.choice_checks(target)?;
        if self.is_leaf(target) {
            return Ok(SeqOut::Deliver(target));
        }
        match self.flow_subprocess(target, Direction::Forward, true) {
            Ok(Trav::Found(a, _)) => Ok(SeqOut::Deliver(a)),
            _ => err("SB.2.9-9"),
        }
    }

    /// SB.2.9 steps 1–6: availability, hiddenFromChoice, choice control,
    /// and the choiceExit / constrainChoice / preventActivation / traversal
    /// checks between the current activity and the target.
    pub(crate) fn choice_checks(&self, target: usize) -> SeqResult<()> {
        if target >= self.nodes.len() {
            return err("SB.2.9-1");
        }
        let path = self.path_from_root(target);
        // SB.2.9 step 1: an activity of the tree that is not in the
        // available children of its parent (left out by SR.1 selection)
        // cannot be chosen; checked along the whole path, as SB.2.9 forms it
        // from the root, so a descendant of an unselected cluster gets the
        // same answer
        if path.iter().any(|&a| !self.is_available(a)) {
            return err("SB.2.9-2");
        }
        for &a in &path {
            if self.sequencing_rules_check(a, RuleSet::Pre, &[RuleAction::HiddenFromChoice]).is_some() {
                return err("SB.2.9-3");
            }
        }
        if let Some(p) = self.parent(target) {
            if !self.nodes[p].seq.control_mode.choice {
                return err("SB.2.9-4");
            }
        }
        let current = self.state.current;
        let ca = current.map_or(0, |c| self.common_ancestor(c, target));
        let Some(c) = current else {
            return self.choice_descend(ca, target, &path);
        };
        if c == target {
            return Ok(());
        }
        if self.parent(c) == self.parent(target) {
            // siblings: traverse from the current activity towards the target
            let Some(p) = self.parent(c) else { return err("SB.2.9-5") };
            let sibs = self.avail(p);
            let (Some(ic), Some(it)) = (self.avail_position(c), self.avail_position(target)) else {
                return err("SB.2.9-5");
            };
            if it > ic {
                for &a in sibs.get(ic..it).unwrap_or_default() {
                    self.choice_activity_traversal(a, Direction::Forward)?;
                }
            } else {
                for &a in sibs.get(it..ic).unwrap_or_default() {
                    self.choice_activity_traversal(a, Direction::Backward)?;
                }
            }
            return Ok(());
        }
        if ca == c {
            // the target is a descendant of the current activity
            return self.choice_descend(ca, target, &path);
        }
        if ca == target {
            // the target is an ancestor of the current activity
            let mut x = c;
            while x != target {
                if !self.nodes[x].seq.control_mode.choice_exit {
                    return err("SB.2.9-7");
                }
                match self.parent(x) {
                    Some(p) => x = p,
                    None => break,
                }
            }
            return Ok(());
        }
        // the target is in another branch below the common ancestor
        let mut constrained = None;
        let mut x = c;
        while x != ca {
            let seq = &self.nodes[x].seq;
            if self.state.activities[x].active && !seq.control_mode.choice_exit {
                return err("SB.2.9-7");
            }
            // constrainChoice limits choices made from inside a cluster; on
            // the leaf being shown it has no subtree to act for (ADL CTS
            // CM-07d: a leaf taking it from a sequencingCollection)
            if constrained.is_none() && seq.constrained_choice.constrain_choice && !self.is_leaf(x) {
                constrained = Some(x);
            }
            match self.parent(x) {
                Some(p) => x = p,
                None => break,
            }
        }
        if let Some(k) = constrained {
            let dir = if self.is_forward_of(k, target) { Direction::Forward } else { Direction::Backward };
            let consider = self.choice_flow_subprocess(k, dir);
            if !self.is_ancestor_or_self(consider, target) && target != k {
                return err("SB.2.9-8");
            }
        }
        if self.is_forward_of(c, target) {
            self.choice_descend(ca, target, &path)
        } else {
            // from the common ancestor to the target, exclusive of the
            // target: preventActivation of an activity keeps a choice from
            // starting attempts below it, not on it (ADL CTS CM-17a/b)
            let below: Vec<usize> = path.iter().copied().skip_while(|&a| a != ca).collect();
            if below.is_empty() {
                return err("SB.2.9-5");
            }
            for &a in &below {
                if a != ca
                    && a != target
                    && !self.state.activities[a].active
                    && self.nodes[a].seq.constrained_choice.prevent_activation
                {
                    return err("SB.2.9-6");
                }
            }
            Ok(())
        }
    }

    /// The forward walk from `ca` down to `target` of SB.2.9 (the activity
    /// path from the common ancestor to the target, exclusive of the
    /// target): choice activity traversal (stopForwardTraversal) and
    /// preventActivation of inactive activities other than the common
    /// ancestor (ADL CTS CM-17b: choosing a cluster that prevents
    /// activation, from outside it, is allowed).
    fn choice_descend(&self, ca: usize, target: usize, path: &[usize]) -> SeqResult<()> {
        let below: Vec<usize> = path.iter().copied().skip_while(|&a| a != ca).collect();
        if below.is_empty() {
            return err("SB.2.9-5");
        }
        for &a in below.iter().filter(|&&a| a != target) {
            self.choice_activity_traversal(a, Direction::Forward)?;
            if a != ca && !self.state.activities[a].active && self.nodes[a].seq.constrained_choice.prevent_activation {
                return err("SB.2.9-6");
            }
        }
        Ok(())
    }

    /// DB.1.1 Delivery Request Process.
    pub(crate) fn delivery_request_process(&self, a: usize) -> SeqResult<()> {
        if !self.is_leaf(a) {
            return err("DB.1.1-1");
        }
        let path = self.path_from_root(a);
        if path.is_empty() {
            return err("DB.1.1-2");
        }
        for x in path {
            if self.check_activity(x) {
                return err("DB.1.1-3");
            }
        }
        Ok(())
    }

    /// DB.2 Content Delivery Environment Process: starts (or resumes) the
    /// attempts on the path to `a` and makes it the current activity.
    pub(crate) fn content_delivery_environment(&mut self, a: usize) -> SeqResult<()> {
        if let Some(c) = self.state.current {
            if self.state.activities[c].active {
                return err("DB.2-1");
            }
        }
        if self.state.suspended_activity != Some(a) {
            self.clear_suspended_activity(a);
        }
        self.terminate_descendent_attempts(a);
        for x in self.path_from_root(a) {
            if self.state.activities[x].active {
                continue;
            }
            if self.nodes[x].seq.delivery.tracked {
                if self.state.activities[x].suspended {
                    let st = &mut self.state.activities[x];
                    st.suspended = false;
                    st.resumed = true;
                } else {
                    let was_attempted = self.state.activities[x].activity_progress_status;
                    if was_attempted {
                        // SR.1 / SR.2 for a new attempt
                        self.select_children(x);
                        self.randomize_children(x);
                    }
                    let nobj = self.nodes[x].seq.objectives.len();
                    let parent_attempt = self.parent(x).map_or(0, |p| self.state.activities[p].attempt_count);
                    let st = &mut self.state.activities[x];
                    st.parent_attempt = parent_attempt;
                    st.attempt_count = st.attempt_count.saturating_add(1);
                    st.activity_progress_status = true;
                    st.resumed = false;
                    // new attempt: objective and attempt progress information
                    st.objectives = vec![Default::default(); nobj];
                    st.attempt_progress_status = false;
                    st.attempt_completion_status = false;
                    st.attempt_completion_amount_status = false;
                    st.attempt_completion_amount = 0.0;
                    st.attempt_absolute_duration = 0.0;
                    st.attempt_experienced_duration = 0.0;
                    st.completion_reported = false;
                    st.success_reported = false;
                }
            } else {
                // not tracked: no attempt data, but a suspended attempt
                // still resumes (cmi.entry "resume"; ADL CTS OB-14b)
                let st = &mut self.state.activities[x];
                st.resumed = st.suspended;
                st.suspended = false;
            }
            self.state.activities[x].active = true;
        }
        self.state.current = Some(a);
        self.state.suspended_activity = None;
        Ok(())
    }

    /// DB.2.1 Clear Suspended Activity Subprocess.
    pub(crate) fn clear_suspended_activity(&mut self, a: usize) {
        let Some(s) = self.state.suspended_activity else { return };
        let ca = self.common_ancestor(a, s);
        let mut x = s;
        loop {
            if self.is_leaf(x) {
                self.state.activities[x].suspended = false;
            } else {
                let any = self.nodes[x].children.iter().any(|&c| self.state.activities[c].suspended);
                if !any {
                    self.state.activities[x].suspended = false;
                }
            }
            if x == ca {
                break;
            }
            match self.parent(x) {
                Some(p) => x = p,
                None => break,
            }
        }
        self.state.suspended_activity = None;
    }
}
