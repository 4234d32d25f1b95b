//! Time-boxed grants to see minors' personal data whole (T-PR-4; 未成年人网络保护条例: access
//! by approval, each access recorded). A role without the standing right (a driver, a teacher,
//! a guard, the bureau's staff) asks for one object's data with a reason and a number of
//! hours; the school's principal or the bureau approves or refuses; an approved grant opens
//! the unmasked view of that object to its requester alone until it expires or is revoked.
//! Pure rules: the states, the checks of a request, when a grant is in force.

use crate::code_enum;
use chrono::{DateTime, Duration, Utc};

code_enum!(
    /// Whose data a grant opens: the riders of one bus route (names, guardians, phones).
    PiiSubject, "pii_subject", {
        BusRiders = "bus_riders",
    }
);

code_enum!(
    /// Where a grant stands. Stored are `pending`, `approved`, `rejected` and `revoked`; an
    /// approved grant past its end reads as `expired`, and only an `active` one opens a view.
    GrantState, "pii_grant_state", {
        Pending = "pending",
        Active = "active",
        Expired = "expired",
        Rejected = "rejected",
        Revoked = "revoked",
    }
);

code_enum!(
    /// A decision on a grant: approve or refuse a pending one, revoke one in force.
    GrantAction, "pii_grant_action", {
        Approve = "approve",
        Reject = "reject",
        Revoke = "revoke",
    }
);

/// The stored status of an approved grant (its state is `active` or `expired` by the clock).
pub const APPROVED: &str = "approved";

/// The longest reason or decision note, in characters.
pub const MAX_REASON: usize = 200;

/// The state of a grant from its stored status and end, at `now`.
pub fn state(status: &str, expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> GrantState {
    match status {
        "pending" => GrantState::Pending,
        APPROVED => match expires_at {
            Some(end) if end > now => GrantState::Active,
            _ => GrantState::Expired,
        },
        "rejected" => GrantState::Rejected,
        // A stored value this code does not know opens nothing.
        _ => GrantState::Revoked,
    }
}

/// The stored status a state leaves behind (`active` and `expired` are both `approved`).
pub fn stored(state: GrantState) -> &'static str {
    match state {
        GrantState::Pending => "pending",
        GrantState::Active | GrantState::Expired => APPROVED,
        GrantState::Rejected => "rejected",
        GrantState::Revoked => "revoked",
    }
}

/// The checks of a request: a reason of 1 to [`MAX_REASON`] characters, 1 to `max_hours`
/// hours. Each failure as its field and message key.
pub fn check_request(
    reason: &str,
    hours: i64,
    max_hours: u32,
) -> Vec<(&'static str, &'static str)> {
    let mut errs = Vec::new();
    let n = reason.trim().chars().count();
    if n == 0 {
        errs.push(("reason", "err.required"));
    } else if n > MAX_REASON {
        errs.push(("reason", "err.too_long_200"));
    }
    if hours < 1 || hours > i64::from(max_hours) {
        errs.push(("hours", "err.pii.hours"));
    }
    errs
}

/// Whether `action` may be taken on a grant in `state` (else 409).
pub fn allowed(action: GrantAction, state: GrantState) -> bool {
    match action {
        GrantAction::Approve | GrantAction::Reject => state == GrantState::Pending,
        GrantAction::Revoke => state == GrantState::Active,
    }
}

/// The state a decision leaves.
pub fn after(action: GrantAction) -> GrantState {
    match action {
        GrantAction::Approve => GrantState::Active,
        GrantAction::Reject => GrantState::Rejected,
        GrantAction::Revoke => GrantState::Revoked,
    }
}

/// When a grant approved at `at` for `hours` ends.
pub fn ends(at: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    at + Duration::hours(hours)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    #[test]
    fn an_approved_grant_is_in_force_until_its_end_and_no_longer() {
        let now = Utc::now();
        assert_eq!(
            state("approved", Some(now + Duration::seconds(1)), now),
            GrantState::Active
        );
        assert_eq!(state("approved", Some(now), now), GrantState::Expired);
        assert_eq!(state("approved", None, now), GrantState::Expired);
        assert_eq!(state("pending", None, now), GrantState::Pending);
        assert_eq!(state("rejected", None, now), GrantState::Rejected);
        assert_eq!(
            state("anything", Some(now + Duration::hours(1)), now),
            GrantState::Revoked
        );
        for s in GrantState::ALL {
            let back = state(stored(*s), Some(now + Duration::hours(1)), now);
            assert_eq!(stored(back), stored(*s), "{s}");
        }
    }

    #[test]
    fn a_request_needs_a_reason_and_hours_within_the_limit() {
        assert!(check_request("核对接送名单", 24, 24).is_empty());
        let fields = |r: &str, h| {
            check_request(r, h, 24)
                .into_iter()
                .map(|e| e.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields("  ", 24), ["reason"]);
        assert_eq!(fields(&"长".repeat(201), 1), ["reason"]);
        assert_eq!(fields("x", 0), ["hours"]);
        assert_eq!(fields("x", 25), ["hours"]);
        assert_eq!(fields("x", -3), ["hours"]);
        assert_eq!(fields("", i64::MAX), ["reason", "hours"]);
    }

    #[test]
    fn decisions_follow_the_state() {
        use GrantAction::*;
        for s in GrantState::ALL {
            assert_eq!(allowed(Approve, *s), *s == GrantState::Pending);
            assert_eq!(allowed(Reject, *s), *s == GrantState::Pending);
            assert_eq!(allowed(Revoke, *s), *s == GrantState::Active);
        }
        assert_eq!(after(Approve), GrantState::Active);
        assert_eq!(stored(after(Revoke)), "revoked");
        let at = Utc::now();
        assert_eq!(ends(at, 24) - at, Duration::hours(24));
    }
}
