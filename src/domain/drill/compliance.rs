//! Drill compliance: which requirements a school met in a period, window by window.

use super::{DrillConfig, DrillKind, Requirement, RequirementCode};
use crate::code_enum;
use crate::domain::calendar::{Period, PeriodKind, SchoolCalendar};
use crate::domain::org::SchoolKind;
use chrono::NaiveDate;
use serde::Serialize;

code_enum!(
    /// Where a requirement stands in one window (or over a whole period): `done` (enough drills
    /// held), `missing` (the window is over without them: a compliance warning), `open` (the
    /// window is running and not yet met: not missing, the school still has time), `not_due`
    /// (the window has not begun).
    ComplianceStatus, "drill_compliance", {
        Done = "done",
        Missing = "missing",
        Open = "open",
        NotDue = "not_due",
    }
);

/// What compliance needs to know of a school.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchoolProfile {
    pub kind: SchoolKind,
    /// The school runs school buses (校车).
    pub has_buses: bool,
}

/// A drill held: its kind and China date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldDrill {
    pub kind: DrillKind,
    pub held_on: NaiveDate,
}

/// One window of a requirement (a month, quarter or semester) and how it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WindowCheck {
    pub period: Period,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// Drills of the requirement's kinds held in the whole window (also on days outside the
    /// period asked about: a semester's fire drill held in September counts when asked about
    /// November).
    pub held: u32,
    pub required: u32,
    pub status: ComplianceStatus,
}

/// One requirement that applies to the school, over the period asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RequirementCheck {
    pub code: RequirementCode,
    pub every: PeriodKind,
    pub at_least: u32,
    pub kinds: Vec<DrillKind>,
    /// Over the period: `missing` if any window is missing; else `done` if every window is
    /// done; else `not_due` if none has begun; else `open`.
    pub status: ComplianceStatus,
    /// The requirement's windows that share at least one day with the period, in order.
    pub windows: Vec<WindowCheck>,
}

/// Checks every requirement of `cfg` that applies to `school` over `period`, as of `today`.
///
/// A requirement's windows are its months, quarters or semesters that share a day with the
/// period (a semester period has five or six monthly windows; a month period has one semester
/// window, the semester it lies in; a quarter and a semester may overlap two of each other).
/// In each window the drills of the requirement's kinds held on any day of the window (both
/// ends included: a drill on the last day of a month counts for that month) are counted: `done`
/// when at least `at_least`, else `missing` once the window's last day is before `today`,
/// `not_due` while its first day is after `today`, and `open` in between — on the last day of
/// the month a monthly drill is still open, on the first day of the next it is missing.
pub fn compliance(
    cfg: &DrillConfig,
    school: SchoolProfile,
    held: &[HeldDrill],
    period: Period,
    today: NaiveDate,
    cal: &SchoolCalendar,
) -> Vec<RequirementCheck> {
    cfg.requirements()
        .iter()
        .filter(|r| r.applies_to(school.kind, school.has_buses))
        .map(|r| check(r, held, period, today, cal))
        .collect()
}

fn check(
    r: &Requirement,
    held: &[HeldDrill],
    period: Period,
    today: NaiveDate,
    cal: &SchoolCalendar,
) -> RequirementCheck {
    let span = period.range(cal);
    let mut windows = Vec::new();
    let mut w = Period::of(r.every, span.first, cal);
    loop {
        let range = w.range(cal);
        if range.first > span.last {
            break;
        }
        let n = held
            .iter()
            .filter(|d| r.kinds.contains(&d.kind) && range.contains(d.held_on))
            .count();
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let status = if n >= r.at_least {
            ComplianceStatus::Done
        } else if range.last < today {
            ComplianceStatus::Missing
        } else if range.first > today {
            ComplianceStatus::NotDue
        } else {
            ComplianceStatus::Open
        };
        windows.push(WindowCheck {
            period: w,
            first: range.first,
            last: range.last,
            held: n,
            required: r.at_least,
            status,
        });
        let next = w.next();
        if next.range(cal).first <= range.last {
            break; // A calendar that does not move forward; never with a checked one.
        }
        w = next;
    }
    RequirementCheck {
        code: r.code,
        every: r.every,
        at_least: r.at_least,
        kinds: r.kinds.clone(),
        status: overall(&windows),
        windows,
    }
}

fn overall(windows: &[WindowCheck]) -> ComplianceStatus {
    let all = |s| windows.iter().all(|w| w.status == s);
    if windows
        .iter()
        .any(|w| w.status == ComplianceStatus::Missing)
    {
        ComplianceStatus::Missing
    } else if all(ComplianceStatus::Done) {
        ComplianceStatus::Done
    } else if all(ComplianceStatus::NotDue) {
        ComplianceStatus::NotDue
    } else {
        ComplianceStatus::Open
    }
}
