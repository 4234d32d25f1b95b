//! Reporting periods: a month `2026-11`, a quarter `2026-Q4`, a semester `2026-S1`.

use super::{DateRange, SchoolCalendar, Semester};
use crate::code_enum;
use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

code_enum!(
    /// The length of a [`Period`]; also how often a requirement recurs (a drill every month,
    /// every quarter, every semester).
    PeriodKind, "period_kind", {
        Month = "month",
        Quarter = "quarter",
        Semester = "semester",
    }
);

/// A month, a quarter or a semester, written and parsed as:
///
/// - `2026-11`: November 2026 (months `01`–`12`, two digits);
/// - `2026-Q4`: the fourth calendar quarter of 2026, October–December (`Q1`–`Q4`);
/// - `2026-S1`: the **first semester of school year 2026–2027**, the autumn semester (秋季学期)
///   starting in September 2026; `2026-S2` is the **second semester of that school year**, the
///   spring semester (春季学期) starting in early 2027. The year of a semester is the school
///   year's first year, as in "2026–2027学年第二学期", so `2026-S2` lies in 2027. Its days come
///   from the [`SchoolCalendar`] (by default `2026-S1` = 2026-09-01 … 2027-01-31,
///   `2026-S2` = 2027-02-01 … 2027-08-31).
///
/// Years have four digits; anything else (`2026-13`, `2026-Q5`, `2026-S3`, `2026-q4`,
/// `2026-1`, ` 2026-11x`) is refused. Ordered by year, then kind, then number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    year: i32,
    kind: PeriodKind,
    index: u8,
}

pub(super) const FORMAT: &str = "err.period.format";
pub(super) const MONTH: &str = "err.period.month";
pub(super) const QUARTER: &str = "err.period.quarter";
pub(super) const SEMESTER: &str = "err.period.semester";
pub(super) const ERROR_KEYS: &[&str] = &[FORMAT, MONTH, QUARTER, SEMESTER];

/// Why a period did not parse: its translation key and the text given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a period like 2026-11, 2026-Q4 or 2026-S1 ({key})")]
pub struct PeriodError {
    pub key: &'static str,
    pub input: String,
}

impl Period {
    /// Month `month` (1–12) of `year`.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        Period::checked(year, PeriodKind::Month, month, 12)
    }

    /// Quarter `quarter` (1–4) of `year`.
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        Period::checked(year, PeriodKind::Quarter, quarter, 4)
    }

    /// A semester of school year `school_year` (see the type's documentation).
    pub fn semester(school_year: i32, semester: Semester) -> Period {
        Period {
            year: school_year,
            kind: PeriodKind::Semester,
            index: semester.number(),
        }
    }

    fn checked(year: i32, kind: PeriodKind, n: u32, max: u32) -> Option<Period> {
        let ok = (1000..=9999).contains(&year) && (1..=max).contains(&n);
        ok.then_some(Period {
            year,
            kind,
            index: n as u8,
        })
    }

    /// The period of `kind` that `date` falls in.
    pub fn of(kind: PeriodKind, date: NaiveDate, cal: &SchoolCalendar) -> Period {
        match kind {
            PeriodKind::Month => Period {
                year: date.year(),
                kind,
                index: date.month() as u8,
            },
            PeriodKind::Quarter => Period {
                year: date.year(),
                kind,
                index: (date.month0() / 3 + 1) as u8,
            },
            PeriodKind::Semester => {
                let (y, s) = cal.semester_of(date);
                Period::semester(y, s)
            }
        }
    }

    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The calendar year of a month or quarter; the school year of a semester.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month (1–12), quarter (1–4) or semester (1–2) number.
    pub fn number(&self) -> u32 {
        u32::from(self.index)
    }

    /// The semester of a semester period.
    pub fn semester_kind(&self) -> Option<Semester> {
        (self.kind == PeriodKind::Semester)
            .then(|| Semester::from_number(self.index))
            .flatten()
    }

    /// The days of the period, first and last included.
    pub fn range(&self, cal: &SchoolCalendar) -> DateRange {
        let months = |first_month: u32, n: u32| {
            let first =
                NaiveDate::from_ymd_opt(self.year, first_month, 1).unwrap_or(NaiveDate::MIN);
            let last = first
                .checked_add_months(chrono::Months::new(n))
                .and_then(|d| d.pred_opt())
                .unwrap_or(first);
            DateRange { first, last }
        };
        match self.kind {
            PeriodKind::Month => months(self.number(), 1),
            PeriodKind::Quarter => months((self.number() - 1) * 3 + 1, 3),
            PeriodKind::Semester => {
                let s = Semester::from_number(self.index).unwrap_or(Semester::Autumn);
                cal.semester(self.year, s)
            }
        }
    }

    pub fn first_day(&self, cal: &SchoolCalendar) -> NaiveDate {
        self.range(cal).first
    }

    pub fn last_day(&self, cal: &SchoolCalendar) -> NaiveDate {
        self.range(cal).last
    }

    pub fn contains(&self, date: NaiveDate, cal: &SchoolCalendar) -> bool {
        self.range(cal).contains(date)
    }

    /// Whether the period is over on `today` (its last day is before `today`).
    pub fn has_ended(&self, today: NaiveDate, cal: &SchoolCalendar) -> bool {
        self.last_day(cal) < today
    }

    /// The period of the same kind after this one.
    pub fn next(&self) -> Period {
        let max = self.max_index();
        if self.index < max {
            Period {
                index: self.index + 1,
                ..*self
            }
        } else {
            Period {
                year: self.year + 1,
                index: 1,
                ..*self
            }
        }
    }

    /// The period of the same kind before this one.
    pub fn prev(&self) -> Period {
        if self.index > 1 {
            Period {
                index: self.index - 1,
                ..*self
            }
        } else {
            Period {
                year: self.year - 1,
                index: self.max_index(),
                ..*self
            }
        }
    }

    fn max_index(&self) -> u8 {
        match self.kind {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
            PeriodKind::Semester => 2,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Month => write!(f, "{}-{:02}", self.year, self.index),
            PeriodKind::Quarter => write!(f, "{}-Q{}", self.year, self.index),
            PeriodKind::Semester => write!(f, "{}-S{}", self.year, self.index),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Period, PeriodError> {
        let err = |key| PeriodError {
            key,
            input: s.chars().take(40).collect(),
        };
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        let (y, rest) = s.split_once('-').ok_or(err(FORMAT))?;
        if y.len() != 4 || !digits(y) {
            return Err(err(FORMAT));
        }
        let year: i32 = y.parse().map_err(|_| err(FORMAT))?;
        if year < 1000 {
            return Err(err(FORMAT));
        }
        let number = |x: &str, len: usize| -> Result<u32, PeriodError> {
            if x.len() != len || !digits(x) {
                return Err(err(FORMAT));
            }
            x.parse().map_err(|_| err(FORMAT))
        };
        if let Some(q) = rest.strip_prefix('Q') {
            Period::quarter(year, number(q, 1)?).ok_or(err(QUARTER))
        } else if let Some(n) = rest.strip_prefix('S') {
            let n = number(n, 1)?;
            u8::try_from(n)
                .ok()
                .and_then(Semester::from_number)
                .map(|sem| Period::semester(year, sem))
                .ok_or(err(SEMESTER))
        } else {
            Period::month(year, number(rest, 2)?).ok_or(err(MONTH))
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Period {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4]|S[12])$"))
            .examples(["2026-11", "2026-Q4", "2026-S1"])
            .into()
    }
}

impl utoipa::ToSchema for Period {}
