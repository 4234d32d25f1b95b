//! The rule table: which step is possible from which status, who may take it, and its guard.

use super::*;

/// Who may take a step, before the bureau-supervision and four-eyes checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum May {
    /// Anyone the caller lets act on the school's hazards (e.g. the guard who found it).
    Anyone,
    /// The school's principal or safety director, or a bureau user.
    Managers,
    /// The school's principal or safety director, or the notice's responsible person.
    ManagersOrResponsible,
    /// A bureau user only.
    Bureau,
}

/// A condition on the hazard besides its status; when it fails the step is illegal (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    None,
    /// Assessed as a general hazard to fix on the spot.
    FixOnSpot,
    /// Assessed to fix by a deadline (every major hazard is).
    ByDeadline,
    /// No extension request is pending.
    NoPendingExtension,
    /// An extension request is pending.
    PendingExtension,
}

/// Someone who may not take the step (four-eyes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotBy {
    /// Whoever fixed it on the spot.
    Fixer,
    /// Whoever submitted the rectification.
    Rectifier,
    /// Whoever asked for the extension.
    Requester,
}

/// One row of [`RULES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub action: ActionKind,
    pub from: &'static [Status],
    /// The status afterwards; `None`: unchanged.
    pub to: Option<Status>,
    pub guard: Guard,
    pub may: May,
    /// On a supervised (or major) hazard only a bureau user may take this step.
    pub bureau_if_supervised: bool,
    pub not_by: Option<NotBy>,
}

use Status as S;

const EXTENSION_FROM: &[Status] = &[S::NoticeIssued, S::Rectifying];

/// The closed loop as data. Any (status, action) pair not listed is refused with
/// [`HazardError::IllegalTransition`].
///
/// | action | from | to | guard | who may | bureau if supervised | not by |
/// |---|---|---|---|---|---|---|
/// | assess | reported | assessed | | managers | | |
/// | fix_on_spot | assessed | fixed_on_spot | general + fix on the spot | anyone | | |
/// | issue_notice | assessed | notice_issued | by deadline | managers | | |
/// | start | notice_issued | rectifying | | managers, responsible | | |
/// | submit | rectifying | pending_acceptance | | managers, responsible | | |
/// | accept | pending_acceptance | accepted | | managers | yes | rectifier |
/// | reject | pending_acceptance | rectifying | | managers | yes | rectifier |
/// | close | fixed_on_spot | closed | | managers | yes | fixer |
/// | close | accepted | closed | | managers | yes | |
/// | cancel | reported, assessed, notice_issued | cancelled | | managers | yes | |
/// | request_extension | notice_issued, rectifying | = | none pending | managers, responsible | | |
/// | approve_extension | notice_issued, rectifying | = | one pending | managers | yes | requester |
/// | refuse_extension | notice_issued, rectifying | = | one pending | managers | yes | |
/// | reopen | closed | rectifying | | bureau | | |
///
/// "Managers" are the school's principal or safety director and bureau users; "responsible"
/// is the notice's responsible person. The acceptance decision (accept or reject) is never the
/// rectifier's own, and on a supervised hazard it is the bureau's; so are closing (摘牌销号),
/// cancelling and deciding on extensions. Major hazards are always supervised.
pub const RULES: &[Rule] = &[
    Rule {
        action: ActionKind::Assess,
        from: &[S::Reported],
        to: Some(S::Assessed),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::FixOnSpot,
        from: &[S::Assessed],
        to: Some(S::FixedOnSpot),
        guard: Guard::FixOnSpot,
        may: May::Anyone,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::IssueNotice,
        from: &[S::Assessed],
        to: Some(S::NoticeIssued),
        guard: Guard::ByDeadline,
        may: May::Managers,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::Start,
        from: &[S::NoticeIssued],
        to: Some(S::Rectifying),
        guard: Guard::None,
        may: May::ManagersOrResponsible,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::Submit,
        from: &[S::Rectifying],
        to: Some(S::PendingAcceptance),
        guard: Guard::None,
        may: May::ManagersOrResponsible,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::Accept,
        from: &[S::PendingAcceptance],
        to: Some(S::Accepted),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: Some(NotBy::Rectifier),
    },
    Rule {
        action: ActionKind::Reject,
        from: &[S::PendingAcceptance],
        to: Some(S::Rectifying),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: Some(NotBy::Rectifier),
    },
    Rule {
        action: ActionKind::Close,
        from: &[S::FixedOnSpot],
        to: Some(S::Closed),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: Some(NotBy::Fixer),
    },
    Rule {
        action: ActionKind::Close,
        from: &[S::Accepted],
        to: Some(S::Closed),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: None,
    },
    Rule {
        action: ActionKind::Cancel,
        from: &[S::Reported, S::Assessed, S::NoticeIssued],
        to: Some(S::Cancelled),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: None,
    },
    Rule {
        action: ActionKind::RequestExtension,
        from: EXTENSION_FROM,
        to: None,
        guard: Guard::NoPendingExtension,
        may: May::ManagersOrResponsible,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::ApproveExtension,
        from: EXTENSION_FROM,
        to: None,
        guard: Guard::PendingExtension,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: Some(NotBy::Requester),
    },
    Rule {
        action: ActionKind::RefuseExtension,
        from: EXTENSION_FROM,
        to: None,
        guard: Guard::PendingExtension,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: None,
    },
    Rule {
        action: ActionKind::Reopen,
        from: &[S::Closed],
        to: Some(S::Rectifying),
        guard: Guard::None,
        may: May::Bureau,
        bureau_if_supervised: false,
        not_by: None,
    },
];

/// The rule for `action` from `status`, if the pair is in [`RULES`].
pub fn rule_for(status: Status, action: ActionKind) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.action == action && r.from.contains(&status))
}

/// Checks steps 1 and 2 of [`apply`] (status and guard, then the person) without the action's
/// data: the rule that would apply, or why the step is refused.
pub fn permitted(h: &Hazard, action: ActionKind, who: &Who) -> Result<&'static Rule, HazardError> {
    let illegal = |key| HazardError::IllegalTransition {
        from: h.status,
        action,
        key,
    };
    let rule = rule_for(h.status, action).ok_or(illegal(ILLEGAL))?;
    match rule.guard {
        Guard::None => {}
        Guard::FixOnSpot => {
            if h.treatment != Some(Treatment::FixOnSpot) || h.level != Some(Level::General) {
                return Err(illegal(NOT_FIX_ON_SPOT));
            }
        }
        Guard::ByDeadline => {
            if h.treatment != Some(Treatment::ByDeadline) && h.level != Some(Level::Major) {
                return Err(illegal(NOT_BY_DEADLINE));
            }
        }
        Guard::NoPendingExtension => {
            if h.pending_extension.is_some() {
                return Err(illegal(EXTENSION_PENDING));
            }
        }
        Guard::PendingExtension => {
            if h.pending_extension.is_none() {
                return Err(illegal(NO_EXTENSION));
            }
        }
    }
    let not_allowed = |key| Err(HazardError::NotAllowed { key });
    let manager = who.school_manager || who.bureau;
    match rule.may {
        May::Anyone => {}
        May::Managers if !manager => return not_allowed(MANAGERS_ONLY),
        May::ManagersOrResponsible
            if !who.school_manager && h.responsible_user_id != Some(who.user_id) =>
        {
            return not_allowed(RESPONSIBLE_ONLY);
        }
        May::Bureau if !who.bureau => return not_allowed(BUREAU_ONLY),
        May::Managers | May::ManagersOrResponsible | May::Bureau => {}
    }
    if rule.bureau_if_supervised && h.bureau_supervised() && !who.bureau {
        return not_allowed(BUREAU_SUPERVISED);
    }
    let (excluded, key) = match rule.not_by {
        None => (None, ""),
        Some(NotBy::Fixer) => (h.fixer, SAME_AS_FIXER),
        Some(NotBy::Rectifier) => (h.rectifier, SAME_AS_RECTIFIER),
        Some(NotBy::Requester) => (
            h.pending_extension.as_ref().map(|e| e.requested_by),
            SAME_AS_REQUESTER,
        ),
    };
    if excluded == Some(who.user_id) {
        return not_allowed(key);
    }
    Ok(rule)
}

/// The actions this person may take on this hazard now (status, guard and person checks; the
/// data is checked when the action comes), for showing the right buttons.
pub fn available_actions(h: &Hazard, who: &Who) -> Vec<ActionKind> {
    ActionKind::ALL
        .iter()
        .copied()
        .filter(|k| permitted(h, *k, who).is_ok())
        .collect()
}
