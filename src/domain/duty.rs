//! Holiday duty and the daily zero report (值班值宿、日报告与零报告, domain brief §7.2;
//! F-EMG-3, F-EMG-4). Pure.
//!
//! - [`DutyPeriod`]: the holiday or sensitive period's first and last day and the daily cutoff
//!   (15:00 China time by default, [`DutyConfig`]).
//! - [`check_roster`]: a unit's roster for the period — who leads (带班领导) and who is on duty
//!   each day, with phones; refuses malformed rosters, flags days nobody covers and days
//!   without a leader.
//! - [`report_status`] / [`DutyPeriod::summary`]: a unit's daily report for a date is
//!   `on_time` (at or before the cutoff), `late` (after it: 迟报), `missing` (none and the
//!   cutoff has passed: 漏报) or `open` (none yet, cutoff still ahead). "有事报事，无事报平安":
//!   a report with nothing to report ([`DailyReport::nothing_to_report`]) is the zero report.
//! - [`check_in_allowed`] / [`on_roster`]: the duty officer checks in on the day;
//!   [`spot_check_result`]: the bureau's phone spot check — answered, or called back within
//!   [`DutyConfig::callback_minutes`] (5 by default) or not.

use crate::code_enum;
use crate::domain::Code;
use crate::domain::calendar::{DateRange, china_instant};
use crate::domain::ids::UserId;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

code_enum!(
    /// Where a unit's daily report for one date stands (see [`report_status`]).
    ReportStatus, "zero_report_status", {
        OnTime = "on_time",
        Late = "late",
        Missing = "missing",
        Open = "open",
    }
);

code_enum!(
    /// How a unit's duty phone did in the bureau's phone spot check (电话抽查): answered,
    /// called back within [`DutyConfig::callback_minutes`], called back later, or not at all.
    SpotCheckResult, "duty_spot_check_result", {
        Answered = "answered",
        CalledBack = "called_back",
        CalledBackLate = "called_back_late",
        NoAnswer = "no_answer",
    }
);

impl SpotCheckResult {
    /// Answered, or called back in time.
    pub fn passed(self) -> bool {
        matches!(
            self,
            SpotCheckResult::Answered | SpotCheckResult::CalledBack
        )
    }
}

/// The duty rules (configuration). Defaults (domain brief §7.2): the daily report is due by
/// 15:00 China time; a duty period is at most 366 days; a duty phone that does not answer a
/// spot check must call back within 5 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DutyConfig {
    /// The daily cutoff of a new period, China time (`"15:00:00"`).
    pub daily_cutoff: NaiveTime,
    /// The longest duty period, in days.
    pub max_period_days: u32,
    /// Minutes within which an unanswered spot check must be called back.
    pub callback_minutes: u32,
}

impl Default for DutyConfig {
    fn default() -> Self {
        DutyConfig {
            daily_cutoff: NaiveTime::from_hms_opt(15, 0, 0).unwrap_or(NaiveTime::MIN),
            max_period_days: 366,
            callback_minutes: 5,
        }
    }
}

/// A field that is missing or wrong (HTTP 422): the body's field name (`days[2].leader.phone`)
/// and the translation key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {key}")]
pub struct DutyError {
    pub field: String,
    pub key: &'static str,
}

fn invalid(field: impl Into<String>, key: &'static str) -> DutyError {
    DutyError {
        field: field.into(),
        key,
    }
}

const REQUIRED: &str = "err.required";
const PERIOD_ORDER: &str = "err.duty.period_order";
const PERIOD_TOO_LONG: &str = "err.duty.period_too_long";
const OUTSIDE: &str = "err.duty.outside_period";
const DUPLICATE_DAY: &str = "err.duty.duplicate_day";
const PHONE: &str = "err.duty.phone";
const TOO_LONG: &str = "err.duty.too_long";
const UNCOVERED: &str = "err.duty.uncovered";
const ZERO_WITH_INCIDENTS: &str = "err.duty.zero_with_incidents";
const REPORT_EMPTY: &str = "err.duty.report_empty";
const TOO_EARLY: &str = "err.duty.too_early";
const CALLBACK_BEFORE_CALL: &str = "err.duty.callback_before_call";
const ANSWERED_AND_CALLED_BACK: &str = "err.duty.answered_and_called_back";
const NOT_TODAY: &str = "err.duty.not_today";
const FUTURE_CALL: &str = "err.duty.future_call";

/// Every error key of this module.
pub const ERROR_KEYS: &[&str] = &[
    REQUIRED,
    PERIOD_ORDER,
    PERIOD_TOO_LONG,
    OUTSIDE,
    DUPLICATE_DAY,
    PHONE,
    TOO_LONG,
    UNCOVERED,
    ZERO_WITH_INCIDENTS,
    REPORT_EMPTY,
    TOO_EARLY,
    CALLBACK_BEFORE_CALL,
    ANSWERED_AND_CALLED_BACK,
    NOT_TODAY,
    FUTURE_CALL,
];

/// Longest name or note, in characters.
pub const MAX_TEXT: usize = 500;

// ---------------------------------------------------------------------------------------------
// Periods and the daily report
// ---------------------------------------------------------------------------------------------

/// A duty period: every day from `first` to `last` (both included) each unit reports by
/// `cutoff` (China time). Built by [`DutyPeriod::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DutyPeriod {
    pub first: NaiveDate,
    pub last: NaiveDate,
    #[schema(value_type = String, example = "15:00:00")]
    pub cutoff: NaiveTime,
}

/// The status of one date of a period (see [`DutyPeriod::summary`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayStatus {
    pub date: NaiveDate,
    /// The instant the report was due.
    pub due_at: DateTime<Utc>,
    /// The first report for the date, if any.
    pub submitted_at: Option<DateTime<Utc>>,
    pub status: ReportStatus,
}

/// A unit's daily reports over a period: each date and the counts (迟报 = late, 漏报 = missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub days: Vec<DayStatus>,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub open: u32,
}

impl DutyPeriod {
    /// Checks and builds a period: `last` not before `first`, at most `max_period_days` days.
    /// `cutoff` is usually [`DutyConfig::daily_cutoff`].
    pub fn new(
        first: NaiveDate,
        last: NaiveDate,
        cutoff: NaiveTime,
        cfg: &DutyConfig,
    ) -> Result<DutyPeriod, DutyError> {
        let range = DateRange::new(first, last).ok_or_else(|| invalid("last", PERIOD_ORDER))?;
        if range.len() > cfg.max_period_days {
            return Err(invalid("last", PERIOD_TOO_LONG));
        }
        Ok(DutyPeriod {
            first,
            last,
            cutoff,
        })
    }

    pub fn range(&self) -> DateRange {
        DateRange {
            first: self.first,
            last: self.last,
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.range().contains(date)
    }

    /// The instant the report for `date` is due: `date` at the cutoff, China time.
    pub fn due_at(&self, date: NaiveDate) -> DateTime<Utc> {
        china_instant(date, self.cutoff)
    }

    /// Whether a report for `date` may be sent at `now`: the date is one of the period's and
    /// its day has begun (China time); a late report is accepted (and counted late).
    pub fn check_submission(&self, date: NaiveDate, now: DateTime<Utc>) -> Result<(), DutyError> {
        if !self.contains(date) {
            return Err(invalid("date", OUTSIDE));
        }
        if now < china_instant(date, NaiveTime::MIN) {
            return Err(invalid("date", TOO_EARLY));
        }
        Ok(())
    }

    /// Every date of the period with its status as of `now`, given the instants the unit's
    /// reports were sent (`submitted`: date → instants; the earliest counts, dates outside
    /// the period are ignored).
    pub fn summary(&self, submitted: &[(NaiveDate, DateTime<Utc>)], now: DateTime<Utc>) -> Summary {
        let mut first: BTreeMap<NaiveDate, DateTime<Utc>> = BTreeMap::new();
        for (date, at) in submitted {
            first
                .entry(*date)
                .and_modify(|t| *t = (*t).min(*at))
                .or_insert(*at);
        }
        let days: Vec<DayStatus> = self
            .range()
            .days()
            .map(|date| {
                let submitted_at = first.get(&date).copied();
                DayStatus {
                    date,
                    due_at: self.due_at(date),
                    submitted_at,
                    status: report_status(date, self.cutoff, submitted_at, now),
                }
            })
            .collect();
        let count = |s| u32::try_from(days.iter().filter(|d| d.status == s).count()).unwrap_or(0);
        Summary {
            on_time: count(ReportStatus::OnTime),
            late: count(ReportStatus::Late),
            missing: count(ReportStatus::Missing),
            open: count(ReportStatus::Open),
            days,
        }
    }
}

/// The status of a unit's daily report for `date`, due at `cutoff` China time on that date:
/// sent at or before the cutoff instant `on_time`, after it `late`; not sent, `missing` once
/// `now` is past the cutoff and `open` until then (at the cutoff itself it is still open).
/// Exact to the instant: with a 15:00 cutoff, 15:00:00 is on time and 15:00:01 late.
pub fn report_status(
    date: NaiveDate,
    cutoff: NaiveTime,
    submitted_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ReportStatus {
    let due = china_instant(date, cutoff);
    match submitted_at {
        Some(at) if at <= due => ReportStatus::OnTime,
        Some(_) => ReportStatus::Late,
        None if now > due => ReportStatus::Missing,
        None => ReportStatus::Open,
    }
}

/// A unit's daily report as sent: either nothing to report (the zero report, 零报告) or what
/// happened, with a note and/or the incidents reported (by their ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DailyReport {
    pub date: NaiveDate,
    /// 无事报平安: nothing happened.
    pub nothing_to_report: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incident_ids: Vec<i64>,
}

impl DailyReport {
    /// A zero report names no incident; any other report says something (a note or an
    /// incident). The note is at most [`MAX_TEXT`] characters.
    pub fn validate(&self) -> Result<(), DutyError> {
        let note = self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if note.is_some_and(|n| n.chars().count() > MAX_TEXT) {
            return Err(invalid("note", TOO_LONG));
        }
        if self.nothing_to_report && !self.incident_ids.is_empty() {
            return Err(invalid("incident_ids", ZERO_WITH_INCIDENTS));
        }
        if !self.nothing_to_report && self.incident_ids.is_empty() && note.is_none() {
            return Err(invalid("note", REPORT_EMPTY));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Rosters
// ---------------------------------------------------------------------------------------------

/// A person on duty, with the phone to reach them during the duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyPerson {
    pub name: String,
    pub phone: String,
    /// The platform user, when the person has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub user_id: Option<UserId>,
}

/// One day of a roster: the leader on duty (带班领导), the officers on duty (值班人员) and the
/// duty phone (值班电话, usually the registered landline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterDay {
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<DutyPerson>,
    #[serde(default)]
    pub officers: Vec<DutyPerson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duty_phone: Option<String>,
}

/// The gaps of a well-formed roster (dates in order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RosterCheck {
    /// Days of the period with no officer on duty (no entry, or an entry without officers).
    pub uncovered: Vec<NaiveDate>,
    /// Days with officers but no leader on duty: flagged, not refused.
    pub without_leader: Vec<NaiveDate>,
}

impl RosterCheck {
    /// Every day covered and led.
    pub fn is_complete(&self) -> bool {
        self.uncovered.is_empty() && self.without_leader.is_empty()
    }

    /// A roster is submitted only when it covers every day of the period (days without a
    /// leader stay flagged).
    pub fn require_covered(&self) -> Result<(), DutyError> {
        if self.uncovered.is_empty() {
            Ok(())
        } else {
            Err(invalid("days", UNCOVERED))
        }
    }
}

/// Whether `s` looks like a phone number: digits, optionally a leading `+`, spaces and dashes
/// between them; 5 to 15 digits (an extension, a mobile, a landline with its area code).
pub fn valid_phone(s: &str) -> bool {
    let s = s.trim();
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        && body.starts_with(|c: char| c.is_ascii_digit())
        && (5..=15).contains(&digits)
}

fn check_person(p: &DutyPerson, field: &str) -> Result<(), DutyError> {
    let name = p.name.trim();
    if name.is_empty() {
        return Err(invalid(format!("{field}.name"), REQUIRED));
    }
    if name.chars().count() > MAX_TEXT {
        return Err(invalid(format!("{field}.name"), TOO_LONG));
    }
    if p.phone.trim().is_empty() {
        return Err(invalid(format!("{field}.phone"), REQUIRED));
    }
    if !valid_phone(&p.phone) {
        return Err(invalid(format!("{field}.phone"), PHONE));
    }
    Ok(())
}

/// Checks a unit's roster for `period` and returns its gaps. Refused (the first problem, in
/// order): a day outside the period or listed twice; a person without a name or phone, or with
/// a phone that is not one ([`valid_phone`]); a duty phone that is not one. Not refused but
/// returned: days nobody covers and days without a leader ([`RosterCheck`]).
pub fn check_roster(period: &DutyPeriod, days: &[RosterDay]) -> Result<RosterCheck, DutyError> {
    let mut seen = BTreeSet::new();
    for (i, day) in days.iter().enumerate() {
        let field = format!("days[{i}]");
        if !period.contains(day.date) {
            return Err(invalid(format!("{field}.date"), OUTSIDE));
        }
        if !seen.insert(day.date) {
            return Err(invalid(format!("{field}.date"), DUPLICATE_DAY));
        }
        if let Some(leader) = &day.leader {
            check_person(leader, &format!("{field}.leader"))?;
        }
        for (j, officer) in day.officers.iter().enumerate() {
            check_person(officer, &format!("{field}.officers[{j}]"))?;
        }
        if let Some(phone) = &day.duty_phone
            && !phone.trim().is_empty()
            && !valid_phone(phone)
        {
            return Err(invalid(format!("{field}.duty_phone"), PHONE));
        }
    }
    let by_date: BTreeMap<NaiveDate, &RosterDay> = days.iter().map(|d| (d.date, d)).collect();
    let mut check = RosterCheck::default();
    for date in period.range().days() {
        match by_date.get(&date) {
            Some(day) if !day.officers.is_empty() => {
                if day.leader.is_none() {
                    check.without_leader.push(date);
                }
            }
            _ => check.uncovered.push(date),
        }
    }
    Ok(check)
}

// ---------------------------------------------------------------------------------------------
// Check-in and phone spot checks
// ---------------------------------------------------------------------------------------------

/// Whether a duty officer may check in for `date` at `now`: the date is one of the period's
/// and it is that day, China time (a check-in is made on the day, not before or after).
pub fn check_in_allowed(
    period: &DutyPeriod,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DutyError> {
    if !period.contains(date) {
        return Err(invalid("date", OUTSIDE));
    }
    if crate::clock::china_date(now) != date {
        return Err(invalid("date", NOT_TODAY));
    }
    Ok(())
}

/// Whether the person checking in (their name, and their account) is on the roster's day:
/// its leader or one of its officers, by account when the roster names one, else by name.
pub fn on_roster(day: Option<&RosterDay>, name: &str, user: UserId) -> bool {
    let Some(day) = day else { return false };
    day.leader
        .iter()
        .chain(day.officers.iter())
        .any(|p| match p.user_id {
            Some(u) => u == user,
            None => p.name.trim() == name.trim(),
        })
}

/// The result of a phone spot check called at `called_at` (at or before `now`): answered, or
/// called back `called_back_at` — within `callback_minutes` (the edge included) or later —
/// or not at all. Refused: a call in the future, a call back before the call, both answered
/// and called back.
pub fn spot_check_result(
    called_at: DateTime<Utc>,
    answered: bool,
    called_back_at: Option<DateTime<Utc>>,
    callback_minutes: u32,
    now: DateTime<Utc>,
) -> Result<SpotCheckResult, DutyError> {
    if called_at > now {
        return Err(invalid("called_at", FUTURE_CALL));
    }
    match (answered, called_back_at) {
        (true, None) => Ok(SpotCheckResult::Answered),
        (true, Some(_)) => Err(invalid("called_back_at", ANSWERED_AND_CALLED_BACK)),
        (false, None) => Ok(SpotCheckResult::NoAnswer),
        (false, Some(back)) if back < called_at => {
            Err(invalid("called_back_at", CALLBACK_BEFORE_CALL))
        }
        (false, Some(back)) if back > now => Err(invalid("called_back_at", FUTURE_CALL)),
        (false, Some(back)) => {
            let limit = chrono::TimeDelta::minutes(i64::from(callback_minutes));
            Ok(if back - called_at <= limit {
                SpotCheckResult::CalledBack
            } else {
                SpotCheckResult::CalledBackLate
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------------

/// Every translation key this module needs: its closed sets and error keys.
pub fn catalogue_keys() -> Vec<String> {
    ReportStatus::ALL
        .iter()
        .map(|v| v.label_key())
        .chain(SpotCheckResult::ALL.iter().map(|v| v.label_key()))
        .chain(ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
