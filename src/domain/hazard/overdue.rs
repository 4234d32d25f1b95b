//! Overdue, reminders and escalation (§2.7): derived from the state and the day, never stored.

use super::*;

/// Past its deadline and not yet accepted, closed or cancelled. Derived, not a state.
pub fn is_overdue(h: &Hazard, today: NaiveDate) -> bool {
    !h.status.stops_clock() && h.deadline.is_some_and(|d| today > d)
}

/// Whole days past the deadline; 0 when not overdue.
pub fn days_overdue(h: &Hazard, today: NaiveDate) -> i64 {
    match h.deadline {
        Some(d) if is_overdue(h, today) => (today - d).num_days(),
        _ => 0,
    }
}

/// Whether today is a reminder day: `Some(n)` when the deadline is exactly `n` days away for
/// an `n` in `before` (e.g. `[3, 1]`). Only while the work is due (notice issued or
/// rectifying); once submitted there is nothing to remind of.
pub fn reminders(h: &Hazard, today: NaiveDate, before: &[u32]) -> Option<u32> {
    if !matches!(h.status, Status::NoticeIssued | Status::Rectifying) {
        return None;
    }
    let left = (h.deadline? - today).num_days();
    before.iter().copied().find(|n| i64::from(*n) == left)
}

/// Whether the hazard is overdue by more than `after_days` days and not yet under bureau
/// supervision, so the escalation job should list it (§2.7; 7 days by default).
pub fn escalate(h: &Hazard, today: NaiveDate, after_days: u32) -> bool {
    !h.supervised && days_overdue(h, today) > i64::from(after_days)
}

/// The escalation step when [`escalate`] says so: the hazard becomes supervised, status
/// unchanged, with an event for the history (no person: the job did it).
pub fn escalation(h: &Hazard, today: NaiveDate, after_days: u32) -> Option<Transition> {
    if !escalate(h, today, after_days) {
        return None;
    }
    let mut next = h.clone();
    next.supervised = true;
    Some(Transition {
        next,
        event: HistoryEvent {
            on: today,
            from: h.status,
            to: h.status,
            step: Step::Escalated {
                days_overdue: days_overdue(h, today),
            },
            closure_number: None,
        },
    })
}
