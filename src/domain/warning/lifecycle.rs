//! A warning's lifecycle: which step leads from which status, and what each step must carry.

use super::{Status, StepKind};
use serde::{Deserialize, Serialize};

/// Longest note or reason, in characters (a Chinese character counts one).
pub const MAX_NOTE: usize = 500;

/// One step asked of a warning, as `POST …/warnings/{id}/actions` receives it:
/// `{"action": "dispatch", "user_id": 7, "note": "请电工到三楼配电间"}`. Values are checked by
/// [`apply`], not by deserialising, so a blank reason is a field error and not a parse error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WarningStep)]
pub struct Step {
    #[serde(rename = "action")]
    pub kind: StepKind,
    /// What was seen or done (required to resolve).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The person sent to deal with it (required to dispatch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// Why it was a false alarm (required for `false_alarm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Step {
    /// A step of this kind with nothing filled in.
    pub fn new(kind: StepKind) -> Step {
        Step {
            kind,
            note: None,
            user_id: None,
            reason: None,
        }
    }

    /// The note, trimmed; `None` when missing or blank. What the caller stores.
    pub fn note(&self) -> Option<&str> {
        present(&self.note)
    }

    /// The reason, trimmed; `None` when missing or blank. What the caller stores.
    pub fn reason(&self) -> Option<&str> {
        present(&self.reason)
    }
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Why a step was refused. `IllegalStep` is a conflict with the warning's status (HTTP 409);
/// the others are field errors (422) naming the body's field ([`StepError::field`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("'{step}' is not possible while the warning is '{from}'")]
    IllegalStep { from: Status, step: StepKind },
    #[error("dispatching needs the person sent")]
    NeedsPerson,
    #[error("resolving needs a note of what was done")]
    NeedsNote,
    #[error("a false alarm needs a reason")]
    NeedsReason,
    #[error("{field}: at most {max} characters")]
    TooLong { field: &'static str, max: usize },
}

pub(super) const ILLEGAL_STEP: &str = "err.warning.illegal_step";
pub(super) const NEEDS_PERSON: &str = "err.warning.needs_person";
pub(super) const NEEDS_NOTE: &str = "err.warning.needs_note";
pub(super) const NEEDS_REASON: &str = "err.warning.needs_reason";
pub(super) const TOO_LONG: &str = "err.warning.too_long";

impl StepError {
    /// The translation key of the message.
    pub fn key(&self) -> &'static str {
        match self {
            StepError::IllegalStep { .. } => ILLEGAL_STEP,
            StepError::NeedsPerson => NEEDS_PERSON,
            StepError::NeedsNote => NEEDS_NOTE,
            StepError::NeedsReason => NEEDS_REASON,
            StepError::TooLong { .. } => TOO_LONG,
        }
    }

    /// The body field the error is about (`action` for a step the status does not allow).
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            StepError::IllegalStep { .. } => "action",
            StepError::NeedsPerson => "user_id",
            StepError::NeedsNote => "note",
            StepError::NeedsReason => "reason",
            StepError::TooLong { field, .. } => field,
        })
    }
}

/// The status a step leads to from `from`, if it is possible at all (the rule table):
/// acknowledge from raised; dispatch from acknowledged or dispatched (sending someone else
/// instead); resolve from acknowledged or dispatched (a warning nobody has confirmed cannot be
/// resolved, only confirmed or closed as false); false alarm from any open status.
pub fn target(from: Status, kind: StepKind) -> Option<Status> {
    use Status as S;
    use StepKind as K;
    match (kind, from) {
        (K::Acknowledge, S::Raised) => Some(S::Acknowledged),
        (K::Dispatch, S::Acknowledged | S::Dispatched) => Some(S::Dispatched),
        (K::Resolve, S::Acknowledged | S::Dispatched) => Some(S::Resolved),
        (K::FalseAlarm, S::Raised | S::Acknowledged | S::Dispatched) => Some(S::FalseAlarm),
        _ => None,
    }
}

/// The steps possible from `from`, in the order of [`StepKind::ALL`] (the buttons a page
/// shows).
pub fn next_steps(from: Status) -> Vec<StepKind> {
    use crate::domain::Code;
    StepKind::ALL
        .iter()
        .copied()
        .filter(|k| target(from, *k).is_some())
        .collect()
}

/// Checks one step against the warning's status and returns the status after it.
///
/// Checks, in this order (the first failure is returned): the step is possible from `from`
/// ([`target`]; resolved and false alarm are final), else `IllegalStep`; a note or reason
/// given is at most [`MAX_NOTE`] characters once trimmed; dispatch names a person (a positive
/// user id), resolve has a note, false alarm has a reason. Blank strings count as missing.
/// Whether the person exists and may be sent is the caller's business.
pub fn apply(from: Status, step: &Step) -> Result<Status, StepError> {
    let to = target(from, step.kind).ok_or(StepError::IllegalStep {
        from,
        step: step.kind,
    })?;
    for (field, value) in [("note", &step.note), ("reason", &step.reason)] {
        if present(value).is_some_and(|s| s.chars().count() > MAX_NOTE) {
            return Err(StepError::TooLong {
                field,
                max: MAX_NOTE,
            });
        }
    }
    match step.kind {
        StepKind::Acknowledge => {}
        StepKind::Dispatch => {
            if step.user_id.is_none_or(|id| id <= 0) {
                return Err(StepError::NeedsPerson);
            }
        }
        StepKind::Resolve => {
            if step.note().is_none() {
                return Err(StepError::NeedsNote);
            }
        }
        StepKind::FalseAlarm => {
            if step.reason().is_none() {
                return Err(StepError::NeedsReason);
            }
        }
    }
    Ok(to)
}
