//! A plan's lifecycle: which action leads from which status, its guards, and the reviewer
//! conflict-of-interest check.

use super::{PlanAction, PlanError, PlanStatus};
use crate::domain::Code;
use crate::domain::ids::{OrgId, UserId};

pub(super) const ILLEGAL_STEP: &str = "err.plan.illegal_step";
pub(super) const NO_REVIEWER: &str = "err.plan.no_reviewer";
pub(super) const NO_REVIEW: &str = "err.plan.no_review";
pub(super) const REVIEWER_OWN_ORG: &str = "err.plan.reviewer_own_org";
pub(super) const REVIEWER_IS_AUTHOR: &str = "err.plan.reviewer_is_author";
pub(super) const REVIEWER_TWICE: &str = "err.plan.reviewer_twice";

/// The status an action leads to from `from`, if the table has the step:
///
/// | action | from | to |
/// |---|---|---|
/// | `submit_review` | draft, revising | under_review |
/// | `assign_reviewer` | under_review | under_review |
/// | `review` (opinion, minutes) | under_review; under_evaluation (the evaluation's findings) | unchanged |
/// | `request_revision` | under_review | revising |
/// | `approve` | under_review | approved |
/// | `approve` (evaluated, stays as it is) | under_evaluation | in_force |
/// | `publish` (signed by the principal) | approved | published |
/// | `file` (备案 receipt) | published | in_force |
/// | `start_evaluation` | filed, in_force | under_evaluation |
/// | `supersede` (a new version in force) | published, filed, in_force, under_evaluation | superseded |
/// | `discard` (a version given up before approval: its author drops it) | draft, revising | discarded |
///
/// A plan that needs changes after an evaluation gets a new version (a new draft); the old one
/// stays in force until the new one supersedes it. A new version abandoned before approval is
/// discarded, so another revision can start (the history stays). Superseded and discarded are
/// final.
pub fn target(from: PlanStatus, action: PlanAction) -> Option<PlanStatus> {
    use PlanAction as A;
    use PlanStatus as S;
    match (action, from) {
        (A::SubmitReview, S::Draft | S::Revising) => Some(S::UnderReview),
        (A::AssignReviewer, S::UnderReview) => Some(S::UnderReview),
        (A::Review, S::UnderReview | S::UnderEvaluation) => Some(from),
        (A::RequestRevision, S::UnderReview) => Some(S::Revising),
        (A::Approve, S::UnderReview) => Some(S::Approved),
        (A::Approve, S::UnderEvaluation) => Some(S::InForce),
        (A::Publish, S::Approved) => Some(S::Published),
        (A::File, S::Published) => Some(S::InForce),
        (A::StartEvaluation, S::Filed | S::InForce) => Some(S::UnderEvaluation),
        (A::Supersede, S::Published | S::Filed | S::InForce | S::UnderEvaluation) => {
            Some(S::Superseded)
        }
        (A::Discard, S::Draft | S::Revising) => Some(S::Discarded),
        _ => None,
    }
}

/// The actions possible from `from`, in the order of [`PlanAction::ALL`] (a page's buttons;
/// the guards of [`apply`] may still refuse one).
pub fn next_actions(from: PlanStatus) -> Vec<PlanAction> {
    PlanAction::ALL
        .iter()
        .copied()
        .filter(|a| target(from, *a).is_some())
        .collect()
}

/// The current review round of a plan under review, as far as the guards need it: reviewers
/// assigned and reviews recorded since the plan was (last) submitted for review.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewRound {
    pub reviewers: u32,
    pub reviews: u32,
}

/// Applies one action to a plan in status `from` and returns the status after it. Checks, in
/// this order: the table has the step ([`target`]), else [`PlanError::IllegalStep`]; then,
/// under review only, the guards: `review` needs a reviewer assigned ([`NO_REVIEWER`]),
/// `approve` and `request_revision` need at least one review recorded in the round
/// ([`NO_REVIEW`]), else [`PlanError::NotReady`]. Who may act (the bureau assigns reviewers
/// and approves, the assigned reviewer reviews, the principal publishes) is the policy's.
pub fn apply(
    from: PlanStatus,
    action: PlanAction,
    round: ReviewRound,
) -> Result<PlanStatus, PlanError> {
    let to = target(from, action).ok_or(PlanError::IllegalStep { from, action })?;
    if from == PlanStatus::UnderReview {
        let missing = match action {
            PlanAction::Review if round.reviewers == 0 => Some(NO_REVIEWER),
            PlanAction::Approve | PlanAction::RequestRevision if round.reviews == 0 => {
                Some(NO_REVIEW)
            }
            _ => None,
        };
        if let Some(key) = missing {
            return Err(PlanError::NotReady { action, key });
        }
    }
    Ok(to)
}

/// Whose plan it is: the organisation (a school, or the bureau for its own plans) and the
/// user who wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOwner {
    pub org_id: OrgId,
    pub author_id: UserId,
}

/// A proposed reviewer (专家): the user and their organisation (`None` for an outside expert
/// not attached to the org tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: UserId,
    pub org_id: Option<OrgId>,
}

/// The conflict-of-interest rule (reviewers with an interest in the unit recuse): refuses, as a
/// field error on `reviewer_id`, a reviewer whose organisation is the plan's own
/// ([`REVIEWER_OWN_ORG`]), the plan's author ([`REVIEWER_IS_AUTHOR`]), or one already assigned
/// to the plan ([`REVIEWER_TWICE`]).
pub fn check_reviewer(
    owner: &PlanOwner,
    candidate: &Candidate,
    assigned: &[UserId],
) -> Result<(), PlanError> {
    let refuse = |key| {
        Err(PlanError::Invalid {
            field: "reviewer_id",
            key,
        })
    };
    if candidate.org_id == Some(owner.org_id) {
        return refuse(REVIEWER_OWN_ORG);
    }
    if candidate.user_id == owner.author_id {
        return refuse(REVIEWER_IS_AUTHOR);
    }
    if assigned.contains(&candidate.user_id) {
        return refuse(REVIEWER_TWICE);
    }
    Ok(())
}
