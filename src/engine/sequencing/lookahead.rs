//! Navigation look-ahead for a user interface and `adl.nav.request_valid`.

use serde::{Deserialize, Serialize};

use super::process::SeqOut;
use super::rules::RuleSet;
use super::{NavigationRequest, Sequencer};
use crate::engine::seqdef::RuleAction;

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
    /// Shown in a menu: `isvisible` and no `hiddenFromChoice` rule applies
    /// and the activity is available (selection), and so is its parent.
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
}

/// Which navigation requests are valid now, and the state of each activity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NavState {
    /// `start`
    pub start: bool,
    /// `resumeAll`
    pub resume_all: bool,
    /// `continue`: valid by the Navigation Request Process (NB.2.1: the
    /// current activity's parent allows flow). The flow itself may still end
    /// in an exception further on (ADL CTS CM-07d expects Continue offered
    /// where the next cluster forbids flow into its children).
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
    /// Every activity in arena (document preorder) order.
    pub activities: Vec<ActivityNavState>,
}

impl Sequencer {
    /// True when processing `request` now would succeed (no sequencing
    /// exception). Flow and termination requests are simulated on a copy of
    /// the state; choice and jump are checked without side effects.
    pub fn is_valid(&self, request: &NavigationRequest) -> bool {
        match request {
            NavigationRequest::Choice(id) => self.find(id).is_some_and(|t| self.choice_valid(t)),
            NavigationRequest::Jump(_) => {
                let Ok((_, Some(super::process::SequencingRequest::Jump(t)))) = self.navigation_request_process(request)
                else {
                    return false;
                };
                self.delivery_request_process(t).is_ok()
            }
            _ => self.clone().navigate(request.clone()).is_ok(),
        }
    }

    /// Choice validity of activity `t` without side effects (NB.2.1 choice
    /// checks, SB.2.9, DB.1.1 of the identified activity).
    fn choice_valid(&self, t: usize) -> bool {
        let req = NavigationRequest::Choice(self.nodes[t].id.clone());
        if self.navigation_request_process(&req).is_err() {
            return false;
        }
        match self.choice_sequencing_request(t) {
            Ok(SeqOut::Deliver(a)) => self.delivery_request_process(a).is_ok(),
            _ => false,
        }
    }

    /// The navigation look-ahead for the current state.
    pub fn lookahead(&self) -> NavState {
        use NavigationRequest as N;
        let mut depth = vec![0usize; self.nodes.len()];
        for a in 1..self.nodes.len() {
            if let Some(p) = self.nodes[a].parent {
                depth[a] = depth[p] + 1;
            }
        }
        let mut subtree_hidden = vec![false; self.nodes.len()];
        let activities = (0..self.nodes.len())
            .map(|a| {
                let node = &self.nodes[a];
                let st = &self.state.activities[a];
                let hidden = self.sequencing_rules_check(a, RuleSet::Pre, &[RuleAction::HiddenFromChoice]).is_some();
                let disabled = self.sequencing_rules_check(a, RuleSet::Pre, &[RuleAction::Disabled]).is_some();
                let available = self.is_available_in_tree(a);
                let completion = match self.attempt_completed(a) {
                    Some(true) => "completed",
                    Some(false) => "incomplete",
                    None => "unknown",
                };
                let success = match self.primary_satisfied(a) {
                    Some(true) => "passed",
                    Some(false) => "failed",
                    None => "unknown",
                };
                subtree_hidden[a] = hidden || !available;
                ActivityNavState {
                    id: node.id.clone(),
                    title: node.title.clone(),
                    depth: depth[a],
                    visible: node.visible && !hidden && available,
                    enabled: !disabled && !self.limit_conditions_check(a),
                    selectable: available && self.choice_valid(a),
                    active: st.active,
                    suspended: st.suspended,
                    completion: completion.to_string(),
                    success: success.to_string(),
                }
            })
            .collect::<Vec<ActivityNavState>>();
        // hiddenFromChoice (and not being available) hides the subtree: a
        // menu cannot offer the descendants of an entry that SB.2.9 hides
        // (ADL CTS CM-07c). `isvisible="false"` is the item's own display
        // attribute and hides only its own entry: its children are shown.
        // Parents come before their children in arena order.
        let mut activities = activities;
        for a in 1..activities.len() {
            if let Some(p) = self.nodes[a].parent {
                if subtree_hidden[p] {
                    subtree_hidden[a] = true;
                    activities[a].visible = false;
                }
            }
        }
        NavState {
            start: self.is_valid(&N::Start),
            resume_all: self.is_valid(&N::ResumeAll),
            continue_: self.navigation_request_process(&N::Continue).is_ok(),
            previous: self.is_valid(&N::Previous),
            exit: self.is_valid(&N::Exit),
            exit_all: self.is_valid(&N::ExitAll),
            suspend_all: self.is_valid(&N::SuspendAll),
            abandon: self.is_valid(&N::Abandon),
            abandon_all: self.is_valid(&N::AbandonAll),
            activities,
        }
    }
}
