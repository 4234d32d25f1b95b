//! Applying a step: validating its data, its effect on the state, and replaying a history.

use super::*;

/// The longest free text (note, reason, measures, plan, funds source), in characters.
pub const MAX_TEXT: usize = 2000;
/// The most photos one step may bring.
pub const MAX_PHOTOS: usize = 20;

fn invalid(field: &'static str, key: &'static str) -> HazardError {
    HazardError::Invalid { field, key }
}

/// A required text: not blank, at most [`MAX_TEXT`] characters.
fn text(field: &'static str, s: &str) -> Result<(), HazardError> {
    let t = s.trim();
    if t.is_empty() {
        Err(invalid(field, REQUIRED))
    } else if t.chars().count() > MAX_TEXT {
        Err(invalid(field, TOO_LONG))
    } else {
        Ok(())
    }
}

/// Evidence photos: at least one, at most [`MAX_PHOTOS`], positive ids, no repeats.
fn photos(ids: &[i64]) -> Result<(), HazardError> {
    if ids.is_empty() {
        return Err(invalid("photo_ids", PHOTOS_REQUIRED));
    }
    let mut seen = std::collections::BTreeSet::new();
    if ids.len() > MAX_PHOTOS || ids.iter().any(|id| *id <= 0 || !seen.insert(*id)) {
        return Err(invalid("photo_ids", PHOTO_IDS));
    }
    Ok(())
}

/// Step 3 of [`apply`]: the action's own data.
fn validate(h: &Hazard, action: &Action, today: NaiveDate) -> Result<(), HazardError> {
    match action {
        Action::Assess { level, treatment } => {
            if *level == Level::Major && *treatment == Treatment::FixOnSpot {
                return Err(invalid("treatment", MAJOR_FIX_ON_SPOT));
            }
        }
        Action::FixOnSpot { note, photo_ids } | Action::Submit { note, photo_ids } => {
            text("note", note)?;
            photos(photo_ids)?;
        }
        Action::IssueNotice {
            responsible_user_id,
            measures,
            funds,
            deadline,
            interim_plan,
        } => {
            if *responsible_user_id <= 0 {
                return Err(invalid("responsible_user_id", USER_ID));
            }
            text("measures", measures)?;
            if funds.amount.is_negative() {
                return Err(invalid("funds.amount", FUNDS_AMOUNT));
            }
            text("funds.source", &funds.source)?;
            if *deadline < today {
                return Err(invalid("deadline", DEADLINE_PAST));
            }
            text("interim_plan", interim_plan)?;
        }
        Action::Accept { note } => {
            if let Some(n) = note
                && n.trim().chars().count() > MAX_TEXT
            {
                return Err(invalid("note", TOO_LONG));
            }
        }
        Action::Reject { reason }
        | Action::Cancel { reason }
        | Action::RefuseExtension { reason } => text("reason", reason)?,
        Action::RequestExtension {
            new_deadline,
            reason,
            interim_plan,
        } => {
            if h.deadline.is_some_and(|d| *new_deadline <= d) {
                return Err(invalid("new_deadline", DEADLINE_NOT_LATER));
            }
            if *new_deadline < today {
                return Err(invalid("new_deadline", DEADLINE_PAST));
            }
            text("reason", reason)?;
            text("interim_plan", interim_plan)?;
        }
        Action::Reopen {
            reason,
            new_deadline,
        } => {
            text("reason", reason)?;
            if new_deadline.is_some_and(|d| d < today) {
                return Err(invalid("new_deadline", DEADLINE_PAST));
            }
        }
        Action::Start {} | Action::Close {} | Action::ApproveExtension {} => {}
    }
    Ok(())
}

/// The state after `action` by `by` on `on`, moving to status `to`. No checks: [`apply`] has
/// made them, and [`replay`] trusts the recorded history (so older events still replay after
/// the rules change).
fn effect(h: &Hazard, action: &Action, by: &Who, on: NaiveDate, to: Status) -> Hazard {
    let mut n = h.clone();
    n.status = to;
    match action {
        Action::Assess { level, treatment } => {
            n.level = Some(*level);
            n.treatment = Some(*treatment);
            if *level == Level::Major {
                n.supervised = true;
            }
        }
        Action::FixOnSpot { .. } => {
            n.fixer = Some(by.user_id);
            n.fixed_on = Some(on);
        }
        Action::IssueNotice {
            responsible_user_id,
            measures,
            funds,
            deadline,
            interim_plan,
        } => {
            n.responsible_user_id = Some(*responsible_user_id);
            n.deadline = Some(*deadline);
            n.interim_plan = Some(interim_plan.trim().to_string());
            n.notice = Some(Notice {
                issued_by: by.user_id,
                issued_on: on,
                responsible_user_id: *responsible_user_id,
                measures: measures.trim().to_string(),
                funds: Funds {
                    amount: funds.amount,
                    source: funds.source.trim().to_string(),
                },
                deadline: *deadline,
                interim_plan: interim_plan.trim().to_string(),
            });
        }
        Action::Start {} | Action::Reject { .. } => {}
        Action::Submit { .. } => {
            n.rectifier = Some(by.user_id);
            n.submitted_on = Some(on);
            // A request for more time is moot once the work is handed in.
            n.pending_extension = None;
        }
        Action::Accept { .. } => {
            n.accepted_by = Some(by.user_id);
            n.accepted_on = Some(on);
        }
        Action::Close {} => {
            n.closed_by = Some(by.user_id);
            n.closed_on = Some(on);
        }
        Action::Cancel { .. } | Action::RefuseExtension { .. } => {
            n.pending_extension = None;
        }
        Action::RequestExtension {
            new_deadline,
            reason,
            interim_plan,
        } => {
            n.pending_extension = Some(Extension {
                new_deadline: *new_deadline,
                reason: reason.trim().to_string(),
                interim_plan: interim_plan.trim().to_string(),
                requested_by: by.user_id,
                requested_on: on,
            });
        }
        Action::ApproveExtension {} => {
            if let Some(e) = n.pending_extension.take() {
                n.deadline = Some(e.new_deadline);
                n.interim_plan = Some(e.interim_plan);
            }
        }
        Action::Reopen { new_deadline, .. } => {
            n.accepted_by = None;
            n.accepted_on = None;
            n.closed_by = None;
            n.closed_on = None;
            n.closure_number = None;
            n.reopened += 1;
            if let Some(d) = new_deadline {
                n.deadline = Some(*d);
            }
        }
    }
    n
}

/// Takes one step: checks it (status and guard → 409, person → 403, data → 422, in that
/// order, see [`RULES`]) and returns the next state with the history event to append. Pure:
/// `h` is not changed. A closing step still needs its 销号 number, see
/// [`Transition::with_closure_number`].
pub fn apply(
    h: &Hazard,
    action: &Action,
    who: &Who,
    today: NaiveDate,
) -> Result<Transition, HazardError> {
    let rule = permitted(h, action.kind(), who)?;
    validate(h, action, today)?;
    let to = rule.to.unwrap_or(h.status);
    let next = effect(h, action, who, today, to);
    Ok(Transition {
        next,
        event: HistoryEvent {
            on: today,
            from: h.status,
            to,
            step: Step::Action {
                by: *who,
                action: action.clone(),
            },
            closure_number: None,
        },
    })
}

/// Rebuilds a hazard's state from its history, starting from [`Hazard::new_reported`]. Each
/// event must start from the status the one before ended in, and go where [`RULES`] sends its
/// action (the guards, persons and data are not checked again: the history is the record).
/// A closing event's 销号 number is put on the state.
pub fn replay(events: &[HistoryEvent]) -> Result<Hazard, HazardError> {
    let mut h = Hazard::new_reported();
    for (index, e) in events.iter().enumerate() {
        let bad = HazardError::History { index };
        if e.from != h.status {
            return Err(bad);
        }
        match &e.step {
            Step::Action { by, action } => {
                let to = rule_for(h.status, action.kind())
                    .map(|r| r.to.unwrap_or(h.status))
                    .ok_or(bad.clone())?;
                if to != e.to {
                    return Err(bad);
                }
                h = effect(&h, action, by, e.on, to);
                if to == Status::Closed {
                    h.closure_number = e.closure_number.clone();
                } else if e.closure_number.is_some() {
                    return Err(bad);
                }
            }
            Step::Escalated { .. } => {
                if e.to != h.status || e.closure_number.is_some() {
                    return Err(bad);
                }
                h.supervised = true;
            }
            // An urge is on the record and changes nothing.
            Step::Urged { .. } => {
                if e.to != h.status || e.closure_number.is_some() || h.status.is_final() {
                    return Err(bad);
                }
            }
        }
    }
    Ok(h)
}
