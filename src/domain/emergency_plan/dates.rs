//! The filing and evaluation deadlines of a plan.

use super::PlanConfig;
use crate::code_enum;
use crate::domain::calendar::WorkingCalendar;
use chrono::{Months, NaiveDate};
use serde::Serialize;

code_enum!(
    /// Whether a published plan was filed (备案) in time: `on_time` (filed by the due date),
    /// `late` (filed after it), `overdue` (not filed and the due date has passed), `open` (not
    /// filed, still time).
    FilingStatus, "plan_filing", {
        OnTime = "on_time",
        Late = "late",
        Overdue = "overdue",
        Open = "open",
    }
);

/// The filing deadline and where the plan stands against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Filing {
    pub due_on: NaiveDate,
    pub status: FilingStatus,
}

/// The last day to file a plan published on `published_on`: the
/// [`PlanConfig::filing_working_days`]-th working day after it (20 by default; the day of
/// publication is not counted).
pub fn filing_due(published_on: NaiveDate, cal: &WorkingCalendar, cfg: &PlanConfig) -> NaiveDate {
    cal.add_working_days(published_on, cfg.filing_working_days)
}

/// The filing deadline of a plan published on `published_on` and, given the day it was filed
/// (if it was), its status on `today` (on the due date itself an unfiled plan is still open).
pub fn filing_status(
    published_on: NaiveDate,
    filed_on: Option<NaiveDate>,
    today: NaiveDate,
    cal: &WorkingCalendar,
    cfg: &PlanConfig,
) -> Filing {
    let due_on = filing_due(published_on, cal, cfg);
    let status = match filed_on {
        Some(f) if f <= due_on => FilingStatus::OnTime,
        Some(_) => FilingStatus::Late,
        None if today > due_on => FilingStatus::Overdue,
        None => FilingStatus::Open,
    };
    Filing { due_on, status }
}

/// When a plan must next be evaluated (评估): [`PlanConfig::evaluation_years`] after the later
/// of its publication and its last evaluation (29 February moves to 28 February), or — when a
/// drill or an incident flagged a defect of the plan on or after its publication — on the day
/// it was flagged (due at once). A defect flagged before the last evaluation, or on its day,
/// was dealt with by it (an evaluation finished the day a drill showed the defect closes it).
pub fn evaluation_due(
    published_on: NaiveDate,
    last_evaluated_on: Option<NaiveDate>,
    defect_flagged_on: Option<NaiveDate>,
    cfg: &PlanConfig,
) -> NaiveDate {
    let evaluated = last_evaluated_on.filter(|e| *e >= published_on);
    let base = evaluated.unwrap_or(published_on);
    let regular = base
        .checked_add_months(Months::new(cfg.evaluation_years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX);
    let open = |f: NaiveDate| match evaluated {
        Some(e) => f > e,
        None => f >= published_on,
    };
    match defect_flagged_on {
        Some(f) if open(f) => regular.min(f),
        _ => regular,
    }
}
