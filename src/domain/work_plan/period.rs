//! The periods an obligation recurs in, written and parsed as:
//!
//! - `2026-11-03`: a day;
//! - `2026-11-H1`: the 1st–15th of November 2026, `2026-11-H2` the 16th to the month's end;
//! - `2026-11`, `2026-Q4`, `2026-S1`: a month, a quarter, a semester ([`calendar::Period`]:
//!   `2026-S1` is the autumn semester of school year 2026–2027, its days from the
//!   [`SchoolCalendar`]);
//! - `2026`: the calendar year;
//! - `duty-12`: holiday duty period 12 (its days are the duty period's; never parsed).

use super::Frequency;
use crate::domain::calendar::{self, DateRange, PeriodKind, SchoolCalendar};
use chrono::{Datelike, Days, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// One period of a [`Frequency`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanPeriod {
    Day(NaiveDate),
    /// Year, month (1–12), half (1 = 1st–15th, 2 = 16th–end).
    HalfMonth(i32, u32, u8),
    /// A month, a quarter or a semester.
    Calendar(calendar::Period),
    Year(i32),
    /// A holiday duty period: its id and days.
    Duty(i64, DateRange),
}

/// Why a period did not parse: its translation key.
pub const PERIOD_ERROR: &str = "err.work_plan.period";

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn month_end(y: i32, m: u32) -> NaiveDate {
    ymd(y, m, 1)
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MIN)
}

impl PlanPeriod {
    /// The period of `freq` that `date` falls in; `None` for duty periods (they are data, not
    /// arithmetic).
    pub fn of(freq: Frequency, date: NaiveDate, cal: &SchoolCalendar) -> Option<PlanPeriod> {
        let cal_period = |k| PlanPeriod::Calendar(calendar::Period::of(k, date, cal));
        Some(match freq {
            Frequency::Day => PlanPeriod::Day(date),
            Frequency::HalfMonth => PlanPeriod::HalfMonth(
                date.year(),
                date.month(),
                if date.day() <= 15 { 1 } else { 2 },
            ),
            Frequency::Month => cal_period(PeriodKind::Month),
            Frequency::Quarter => cal_period(PeriodKind::Quarter),
            Frequency::Semester => cal_period(PeriodKind::Semester),
            Frequency::Year => PlanPeriod::Year(date.year()),
            Frequency::DutyPeriod => return None,
        })
    }

    /// The days of the period, first and last included.
    pub fn range(&self, cal: &SchoolCalendar) -> DateRange {
        let (first, last) = match *self {
            PlanPeriod::Day(d) => (d, d),
            PlanPeriod::HalfMonth(y, m, 1) => (ymd(y, m, 1), ymd(y, m, 15)),
            PlanPeriod::HalfMonth(y, m, _) => (ymd(y, m, 16), month_end(y, m)),
            PlanPeriod::Calendar(p) => return p.range(cal),
            PlanPeriod::Year(y) => (ymd(y, 1, 1), ymd(y, 12, 31)),
            PlanPeriod::Duty(_, r) => return r,
        };
        DateRange { first, last }
    }

    /// The period of the same frequency after this one (a duty period has none: itself).
    pub fn next(&self, cal: &SchoolCalendar) -> PlanPeriod {
        let after = self.range(cal).last.checked_add_days(Days::new(1));
        match (self.frequency(), after) {
            (Some(f), Some(d)) => PlanPeriod::of(f, d, cal).unwrap_or(*self),
            _ => *self,
        }
    }

    /// The period of the same frequency before this one (a duty period has none: itself).
    pub fn prev(&self, cal: &SchoolCalendar) -> PlanPeriod {
        let before = self.range(cal).first.pred_opt();
        match (self.frequency(), before) {
            (Some(f), Some(d)) => PlanPeriod::of(f, d, cal).unwrap_or(*self),
            _ => *self,
        }
    }

    /// The frequency whose periods this is one of.
    pub fn frequency(&self) -> Option<Frequency> {
        Some(match self {
            PlanPeriod::Day(_) => Frequency::Day,
            PlanPeriod::HalfMonth(..) => Frequency::HalfMonth,
            PlanPeriod::Calendar(p) => match p.kind() {
                PeriodKind::Month => Frequency::Month,
                PeriodKind::Quarter => Frequency::Quarter,
                PeriodKind::Semester => Frequency::Semester,
            },
            PlanPeriod::Year(_) => Frequency::Year,
            PlanPeriod::Duty(..) => return None,
        })
    }

    /// Every period of `freq` that shares a day with `range`, in order.
    pub fn overlapping(freq: Frequency, range: DateRange, cal: &SchoolCalendar) -> Vec<PlanPeriod> {
        let Some(mut p) = PlanPeriod::of(freq, range.first, cal) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while p.range(cal).first <= range.last && out.len() < 800 {
            out.push(p);
            let n = p.next(cal);
            if n == p {
                break;
            }
            p = n;
        }
        out
    }
}

impl fmt::Display for PlanPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanPeriod::Day(d) => write!(f, "{d}"),
            PlanPeriod::HalfMonth(y, m, h) => write!(f, "{y}-{m:02}-H{h}"),
            PlanPeriod::Calendar(p) => write!(f, "{p}"),
            PlanPeriod::Year(y) => write!(f, "{y}"),
            PlanPeriod::Duty(id, _) => write!(f, "duty-{id}"),
        }
    }
}

impl FromStr for PlanPeriod {
    type Err = &'static str;
    /// Any period but a duty period's.
    fn from_str(s: &str) -> Result<PlanPeriod, &'static str> {
        let s = s.trim();
        if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
            let y: i32 = s.parse().map_err(|_| PERIOD_ERROR)?;
            return (1000..=9999)
                .contains(&y)
                .then_some(PlanPeriod::Year(y))
                .ok_or(PERIOD_ERROR);
        }
        if s.len() == 10 && !s.contains('H') {
            return NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(PlanPeriod::Day)
                .map_err(|_| PERIOD_ERROR);
        }
        if let Some((ym, h)) = s.rsplit_once("-H") {
            let p: calendar::Period = ym.parse().map_err(|_| PERIOD_ERROR)?;
            let half = match h {
                "1" => 1,
                "2" => 2,
                _ => return Err(PERIOD_ERROR),
            };
            if p.kind() != PeriodKind::Month {
                return Err(PERIOD_ERROR);
            }
            return Ok(PlanPeriod::HalfMonth(p.year(), p.number(), half));
        }
        s.parse::<calendar::Period>()
            .map(PlanPeriod::Calendar)
            .map_err(|_| PERIOD_ERROR)
    }
}

impl serde::Serialize for PlanPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl utoipa::PartialSchema for PlanPeriod {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .examples([
                "2026-11-03",
                "2026-11-H1",
                "2026-11",
                "2026-Q4",
                "2026-S1",
                "2026",
                "duty-12",
            ])
            .into()
    }
}

impl utoipa::ToSchema for PlanPeriod {}
