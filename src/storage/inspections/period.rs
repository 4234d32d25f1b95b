//! Half-month periods of the semi-monthly self-inspection (半月自查) and their status rules.
//! Pure: no storage, no clock (today is passed in).
//!
//! A period is written `YYYY-MM-H1` (the 1st to the 15th) or `YYYY-MM-H2` (the 16th to the
//! month's end). It is due at its end plus the configured grace days. A submission on or
//! before the due date is `on_time`, after it `late`; with none, the period is `open` until
//! the due date has passed (the school can still submit on time) and `missing` after.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// One half of one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub month: u32,
    /// 1 (1st–15th) or 2 (16th–end).
    pub half: u8,
}

/// Where a school stands for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
#[schema(as = InspectionPeriodStatus)]
pub enum Status {
    Missing,
    Late,
    Open,
    OnTime,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Missing => "missing",
            Status::Late => "late",
            Status::Open => "open",
            Status::OnTime => "on_time",
        }
    }
}

impl Period {
    /// Parses `YYYY-MM-H1` / `YYYY-MM-H2`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let (ym, half) = s.rsplit_once('-')?;
        let half = match half {
            "H1" | "h1" => 1,
            "H2" | "h2" => 2,
            _ => return None,
        };
        let (y, m) = ym.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        Some(Period { year, month, half })
    }

    /// The period a day falls in.
    pub fn of(d: NaiveDate) -> Period {
        Period {
            year: d.year(),
            month: d.month(),
            half: if d.day() <= 15 { 1 } else { 2 },
        }
    }

    pub fn starts_on(self) -> NaiveDate {
        let day = if self.half == 1 { 1 } else { 16 };
        NaiveDate::from_ymd_opt(self.year, self.month, day).expect("a valid period")
    }

    pub fn ends_on(self) -> NaiveDate {
        if self.half == 1 {
            NaiveDate::from_ymd_opt(self.year, self.month, 15).expect("a valid period")
        } else {
            self.next().starts_on() - Days::new(1)
        }
    }

    /// The last day a submission counts as on time.
    pub fn due_on(self, grace_days: u32) -> NaiveDate {
        self.ends_on() + Days::new(u64::from(grace_days))
    }

    pub fn next(self) -> Period {
        match (self.half, self.month) {
            (1, _) => Period { half: 2, ..self },
            (_, 12) => Period {
                year: self.year + 1,
                month: 1,
                half: 1,
            },
            _ => Period {
                month: self.month + 1,
                half: 1,
                ..self
            },
        }
    }

    pub fn prev(self) -> Period {
        match (self.half, self.month) {
            (2, _) => Period { half: 1, ..self },
            (_, 1) => Period {
                year: self.year - 1,
                month: 12,
                half: 2,
            },
            _ => Period {
                month: self.month - 1,
                half: 2,
                ..self
            },
        }
    }

    /// The status for a period: `submitted_on` is the (China) date of the first submission.
    pub fn status(self, submitted_on: Option<NaiveDate>, today: NaiveDate, grace: u32) -> Status {
        let due = self.due_on(grace);
        match submitted_on {
            Some(d) if d <= due => Status::OnTime,
            Some(_) => Status::Late,
            None if today > due => Status::Missing,
            None => Status::Open,
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-H{}", self.year, self.month, self.half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_and_prints() {
        let p = Period::parse("2026-11-H2").unwrap();
        assert_eq!((p.year, p.month, p.half), (2026, 11, 2));
        assert_eq!(p.to_string(), "2026-11-H2");
        for bad in [
            "2026-11",
            "2026-13-H1",
            "2026-11-H3",
            "26-11-H1",
            "2026-1-H1",
            "x",
        ] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn bounds_of_halves() {
        let p = Period::parse("2026-02-H2").unwrap();
        assert_eq!(p.starts_on(), d(2026, 2, 16));
        assert_eq!(p.ends_on(), d(2026, 2, 28));
        assert_eq!(
            Period::parse("2028-02-H2").unwrap().ends_on(),
            d(2028, 2, 29)
        );
        assert_eq!(
            Period::parse("2026-12-H2").unwrap().ends_on(),
            d(2026, 12, 31)
        );
        assert_eq!(
            Period::parse("2026-11-H1").unwrap().ends_on(),
            d(2026, 11, 15)
        );
        assert_eq!(Period::of(d(2026, 11, 15)).to_string(), "2026-11-H1");
        assert_eq!(Period::of(d(2026, 11, 16)).to_string(), "2026-11-H2");
    }

    #[test]
    fn next_and_prev_wrap_years() {
        let p = Period::parse("2026-12-H2").unwrap();
        assert_eq!(p.next().to_string(), "2027-01-H1");
        assert_eq!(p.next().prev(), p);
        assert_eq!(
            Period::parse("2026-01-H1").unwrap().prev().to_string(),
            "2025-12-H2"
        );
    }

    #[test]
    fn status_rules() {
        let p = Period::parse("2026-11-H1").unwrap();
        // Due 2026-11-18 with three grace days.
        assert_eq!(p.due_on(3), d(2026, 11, 18));
        assert_eq!(
            p.status(Some(d(2026, 11, 10)), d(2026, 11, 30), 3),
            Status::OnTime
        );
        assert_eq!(
            p.status(Some(d(2026, 11, 18)), d(2026, 11, 30), 3),
            Status::OnTime
        );
        assert_eq!(
            p.status(Some(d(2026, 11, 19)), d(2026, 11, 30), 3),
            Status::Late
        );
        assert_eq!(p.status(None, d(2026, 11, 12), 3), Status::Open);
        assert_eq!(p.status(None, d(2026, 11, 18), 3), Status::Open);
        assert_eq!(p.status(None, d(2026, 11, 19), 3), Status::Missing);
        assert_eq!(p.status(None, d(2026, 11, 16), 0), Status::Missing);
    }
}
