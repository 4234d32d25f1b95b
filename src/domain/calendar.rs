//! Calendars (domain brief §9): the China working-day calendar, the school year's semesters and
//! the reporting periods (`2026-11`, `2026-Q4`, `2026-S1`) that drills, reports and roll-ups are
//! counted in. Pure: the working-day table is parsed from text (the shipped file is compiled
//! in), the school year comes from configuration.
//!
//! - [`WorkingCalendar`]: Monday–Friday, overridden by dated exceptions (public holidays off,
//!   调休 make-up weekend days worked); [`WorkingCalendar::add_working_days`] and
//!   [`WorkingCalendar::working_days_between`] count deadlines such as "filed within 20 working
//!   days". The table is `assets/calendar/cn-working-days.csv`, kept by the bureau.
//! - [`SchoolCalendar`]: when the autumn (first) and spring (second) semesters start; every day
//!   belongs to exactly one semester.
//! - [`Period`]: a month, a quarter or a semester, with its first and last day.
//!
//! Instants are stored in UTC; dates and times of day here are China time (UTC+8, no daylight
//! saving), see [`china_instant`].

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};

mod period;
mod school_year;
mod working;

pub use period::*;
pub use school_year::*;
pub use working::*;

/// The instant at which a China date and time of day (UTC+8) occurs.
pub fn china_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    (date.and_time(time) - TimeDelta::hours(8)).and_utc()
}

/// A run of days, both ends included (`first ≤ last`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
pub struct DateRange {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl DateRange {
    /// A range from `first` to `last`; `None` when `last` is before `first`.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Option<DateRange> {
        (first <= last).then_some(DateRange { first, last })
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// The number of days, both ends counted (a one-day range has 1).
    pub fn len(&self) -> u32 {
        u32::try_from((self.last - self.first).num_days() + 1).unwrap_or(u32::MAX)
    }

    /// Always false: a range holds at least one day. (For clippy's `len_without_is_empty`.)
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        let n = u64::from(self.len());
        (0..n).filter_map(move |i| self.first.checked_add_days(Days::new(i)))
    }

    /// Whether the two ranges share at least one day.
    pub fn overlaps(&self, other: &DateRange) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// Every translation key the calendar needs: its closed sets (for the catalogue test).
pub fn catalogue_keys() -> Vec<String> {
    use crate::domain::Code;
    fn labels<T: Code>() -> impl Iterator<Item = String> {
        T::ALL.iter().map(|v| v.label_key())
    }
    labels::<DayKind>()
        .chain(labels::<LineReason>())
        .chain(labels::<Semester>())
        .chain(labels::<PeriodKind>())
        .chain(period::ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

/// Fails with every key of `keys` missing from the catalogue in either language (the unit
/// tests of the emergency modules call it; `tests/catalogue.rs` holds the two languages' files
/// to the same keys).
#[cfg(test)]
pub(crate) fn assert_translated(keys: &[String]) {
    let missing: Vec<String> = keys
        .iter()
        .flat_map(|k| {
            crate::i18n::LANGS
                .iter()
                .filter(|l| !crate::i18n::has(**l, k))
                .map(move |l| format!("{k} ({})", l.code()))
        })
        .collect();
    assert!(missing.is_empty(), "missing translations: {missing:?}");
}

#[cfg(test)]
mod tests;
