//! The school-bus use permit (校车使用许可, Art. 14–15): the five conditions of an application,
//! the workflow's states and steps, and each step's deadline in working days.
//!
//! applied → (forward, 3 working days) forwarded → (the traffic police's and the transport
//! department's replies, 3 working days) replied → (review opinion, 5 working days) reviewed
//! → (the government's decision) approved → (sign issued) issued; a refusal with written
//! reasons ends it from any state before the decision is carried out.

use crate::code_enum;
use crate::domain::calendar::WorkingCalendar;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

code_enum!(
    /// Where an application stands.
    PermitStatus, "bus_permit_status", {
        Applied = "applied",
        Forwarded = "forwarded",
        Replied = "replied",
        Reviewed = "reviewed",
        Approved = "approved",
        Issued = "issued",
        Refused = "refused",
    }
);

code_enum!(
    /// A step of the workflow (`POST /bus-permits/{id}/actions`).
    PermitAction, "bus_permit_action", {
        Forward = "forward",
        RecordReply = "record_reply",
        Review = "review",
        Decide = "decide",
        IssueSign = "issue_sign",
        Refuse = "refuse",
    }
);

code_enum!(
    /// The departments the bureau forwards an application to.
    Department, "bus_department", {
        TrafficPolice = "traffic_police",
        Transport = "transport",
    }
);

code_enum!(
    /// The five conditions of Art. 14.
    Condition, "bus_permit_condition", {
        // The vehicle meets the standard, is inspected and in service.
        Vehicle = "vehicle",
        // Every driver named is qualified.
        Drivers = "drivers",
        // A route with its times and stops.
        Route = "route",
        SafetyRules = "safety_rules",
        Insurance = "insurance",
    }
);

/// The deadlines in working days (`[buses.permit]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PermitDeadlines {
    pub forward_days: u32,
    pub reply_days: u32,
    pub review_days: u32,
}

impl Default for PermitDeadlines {
    fn default() -> Self {
        PermitDeadlines {
            forward_days: 3,
            reply_days: 3,
            review_days: 5,
        }
    }
}

/// What an application offers, read against the five conditions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Application {
    /// The vehicle is of an allowed type for its seats, in service and inspected.
    pub vehicle_ok: bool,
    /// Whether each driver named is eligible (none named fails).
    pub drivers_eligible: Vec<bool>,
    /// The route has stops and times.
    pub route_ok: bool,
    pub safety_rules: bool,
    pub insurance_ok: bool,
}

/// The conditions an application does not meet, in the order of Art. 14.
pub fn missing(a: &Application) -> Vec<Condition> {
    let mut out = Vec::new();
    if !a.vehicle_ok {
        out.push(Condition::Vehicle);
    }
    if a.drivers_eligible.is_empty() || a.drivers_eligible.iter().any(|e| !e) {
        out.push(Condition::Drivers);
    }
    if !a.route_ok {
        out.push(Condition::Route);
    }
    if !a.safety_rules {
        out.push(Condition::SafetyRules);
    }
    if !a.insurance_ok {
        out.push(Condition::Insurance);
    }
    out
}

/// The dates of an application's steps (the state the steps move).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitState {
    pub status: PermitStatus,
    pub applied_on: NaiveDate,
    pub forwarded_on: Option<NaiveDate>,
    pub police_reply_on: Option<NaiveDate>,
    pub transport_reply_on: Option<NaiveDate>,
    pub reviewed_on: Option<NaiveDate>,
    /// The bureau's review opinion was in favour.
    pub favourable: Option<bool>,
    pub decided_on: Option<NaiveDate>,
    pub issued_on: Option<NaiveDate>,
    pub refused_on: Option<NaiveDate>,
}

impl PermitState {
    pub fn new(applied_on: NaiveDate) -> PermitState {
        PermitState {
            status: PermitStatus::Applied,
            applied_on,
            forwarded_on: None,
            police_reply_on: None,
            transport_reply_on: None,
            reviewed_on: None,
            favourable: None,
            decided_on: None,
            issued_on: None,
            refused_on: None,
        }
    }

    /// The last step's date (a new step may not be dated before it).
    pub fn last_on(&self) -> NaiveDate {
        [
            Some(self.applied_on),
            self.forwarded_on,
            self.police_reply_on,
            self.transport_reply_on,
            self.reviewed_on,
            self.decided_on,
            self.issued_on,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.applied_on)
    }

    /// Both replies recorded: the later one's date.
    pub fn replied_on(&self) -> Option<NaiveDate> {
        Some(self.police_reply_on?.max(self.transport_reply_on?))
    }
}

/// A step with what it carries that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Forward,
    Reply(Department),
    Review { favourable: bool },
    Decide,
    IssueSign,
    Refuse,
}

impl Step {
    pub fn action(self) -> PermitAction {
        match self {
            Step::Forward => PermitAction::Forward,
            Step::Reply(_) => PermitAction::RecordReply,
            Step::Review { .. } => PermitAction::Review,
            Step::Decide => PermitAction::Decide,
            Step::IssueSign => PermitAction::IssueSign,
            Step::Refuse => PermitAction::Refuse,
        }
    }
}

/// Why a step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepError {
    /// The step does not follow from the state (409).
    Illegal,
    /// The reply of this department is already recorded (409).
    ReplyTwice,
    /// The review was not in favour: only a refusal may follow (409).
    NotFavourable,
    /// Dated before the step it follows (422 on `on`).
    BeforeLast,
    /// Dated after today (422 on `on`).
    Future,
}

impl StepError {
    pub fn key(self) -> &'static str {
        match self {
            StepError::Illegal => "err.bus.illegal_step",
            StepError::ReplyTwice => "err.bus.reply_twice",
            StepError::NotFavourable => "err.bus.not_favourable",
            StepError::BeforeLast => "err.bus.before_last_step",
            StepError::Future => "err.bus.future_date",
        }
    }
}

/// Takes `step` on `on` (checked against `today`): the new state, or why not.
pub fn apply(
    s: &PermitState,
    step: Step,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<PermitState, StepError> {
    use PermitStatus as P;
    let mut n = s.clone();
    match (s.status, step) {
        (P::Applied, Step::Forward) => {
            n.status = P::Forwarded;
            n.forwarded_on = Some(on);
        }
        (P::Forwarded, Step::Reply(d)) => {
            let slot = match d {
                Department::TrafficPolice => &mut n.police_reply_on,
                Department::Transport => &mut n.transport_reply_on,
            };
            if slot.is_some() {
                return Err(StepError::ReplyTwice);
            }
            *slot = Some(on);
            if n.replied_on().is_some() {
                n.status = P::Replied;
            }
        }
        (P::Replied, Step::Review { favourable }) => {
            n.status = P::Reviewed;
            n.reviewed_on = Some(on);
            n.favourable = Some(favourable);
        }
        (P::Reviewed, Step::Decide) if s.favourable == Some(true) => {
            n.status = P::Approved;
            n.decided_on = Some(on);
        }
        (P::Reviewed, Step::Decide) => return Err(StepError::NotFavourable),
        (P::Approved, Step::IssueSign) => {
            n.status = P::Issued;
            n.issued_on = Some(on);
        }
        (P::Applied | P::Forwarded | P::Replied | P::Reviewed, Step::Refuse) => {
            n.status = P::Refused;
            n.refused_on = Some(on);
        }
        _ => return Err(StepError::Illegal),
    }
    if on > today {
        return Err(StepError::Future);
    }
    if on < s.last_on() {
        return Err(StepError::BeforeLast);
    }
    Ok(n)
}

/// One step's deadline: when it is due, when it was done, and whether it is late (done after
/// its day, or still open after it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Deadline {
    pub action: PermitAction,
    /// The department of a reply.
    pub department: Option<Department>,
    pub due: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub late: bool,
}

/// The deadlines of the steps the application has reached, counted on `cal` (working days
/// after the step before; the day of that step is not counted).
pub fn deadlines(
    s: &PermitState,
    cal: &WorkingCalendar,
    cfg: &PermitDeadlines,
    today: NaiveDate,
) -> Vec<Deadline> {
    let open = !matches!(s.status, PermitStatus::Refused);
    let row = |action, department, due: NaiveDate, done_on: Option<NaiveDate>| Deadline {
        action,
        department,
        due,
        done_on,
        late: match done_on {
            Some(d) => d > due,
            None => open && today > due,
        },
    };
    let mut out = vec![row(
        PermitAction::Forward,
        None,
        cal.add_working_days(s.applied_on, cfg.forward_days),
        s.forwarded_on,
    )];
    if let Some(f) = s.forwarded_on {
        let due = cal.add_working_days(f, cfg.reply_days);
        out.push(row(
            PermitAction::RecordReply,
            Some(Department::TrafficPolice),
            due,
            s.police_reply_on,
        ));
        out.push(row(
            PermitAction::RecordReply,
            Some(Department::Transport),
            due,
            s.transport_reply_on,
        ));
    }
    if let Some(r) = s.replied_on() {
        out.push(row(
            PermitAction::Review,
            None,
            cal.add_working_days(r, cfg.review_days),
            s.reviewed_on,
        ));
    }
    out
}
