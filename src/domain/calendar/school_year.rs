//! The school year (学年, domain brief §9.1): two semesters, from configurable start dates.

use super::DateRange;
use crate::code_enum;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

code_enum!(
    /// The two semesters of school year `Y` (the "Y–Y+1 学年"): `autumn` is the first semester
    /// (秋季学期 / 第一学期, `Y-S1`), starting in Y; `spring` the second (春季学期 / 第二学期,
    /// `Y-S2`), starting in Y+1.
    Semester, "semester", {
        Autumn = "autumn",
        Spring = "spring",
    }
);

impl Semester {
    /// 1 for the autumn (first) semester, 2 for the spring (second) one.
    pub fn number(self) -> u8 {
        match self {
            Semester::Autumn => 1,
            Semester::Spring => 2,
        }
    }

    pub fn from_number(n: u8) -> Option<Semester> {
        match n {
            1 => Some(Semester::Autumn),
            2 => Some(Semester::Spring),
            _ => None,
        }
    }
}

/// A day of the year without a year, written `MM-DD` (`09-01`). 29 February is refused: a
/// semester must start on a day every year has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthDay {
    month: u32,
    day: u32,
}

impl MonthDay {
    pub fn new(month: u32, day: u32) -> Option<MonthDay> {
        // 2001 is not a leap year, so 02-29 has no date.
        NaiveDate::from_ymd_opt(2001, month, day).map(|_| MonthDay { month, day })
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// This day in `year` (`None` only past chrono's range of years).
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl FromStr for MonthDay {
    type Err = String;
    fn from_str(s: &str) -> Result<MonthDay, String> {
        let bad = || format!("'{s}' is not a day of the year written MM-DD (02-29 is refused)");
        let (m, d) = s.trim().split_once('-').ok_or_else(bad)?;
        // Two ASCII digits each: `u32`'s parser would also take a sign (`+9-01`).
        let two_digits = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(m) || !two_digits(d) {
            return Err(bad());
        }
        let m = m.parse().map_err(|_| bad())?;
        let d = d.parse().map_err(|_| bad())?;
        MonthDay::new(m, d).ok_or_else(bad)
    }
}

impl Serialize for MonthDay {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MonthDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The start dates of one school year, when the province's 校历 moves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearStarts {
    /// The school year `Y` (2026 for 2026–2027).
    pub school_year: i32,
    /// First day of the autumn semester, in `Y`.
    pub autumn_start: NaiveDate,
    /// First day of the spring semester, in `Y + 1`.
    pub spring_start: NaiveDate,
}

/// When the semesters start (configuration). Each semester runs from its start to the day
/// before the next one starts, so every day belongs to exactly one semester and the holidays
/// count with the semester before them. Defaults (domain brief §9.1, the brief of this
/// module): autumn from 1 September, spring from 1 February, so `2026-S1` is 2026-09-01 …
/// 2027-01-31 and `2026-S2` is 2027-02-01 … 2027-08-31. `years` overrides the two dates for a
/// school year whose 校历 differs. Deserialising checks the values: the spring start comes
/// before the autumn start in the calendar year, and the overrides keep the semesters in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SchoolCalendarSpec", into = "SchoolCalendarSpec")]
pub struct SchoolCalendar {
    autumn_start: MonthDay,
    spring_start: MonthDay,
    years: BTreeMap<i32, YearStarts>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SchoolCalendarSpec {
    autumn_start: MonthDay,
    spring_start: MonthDay,
    years: Vec<YearStarts>,
}

impl Default for SchoolCalendarSpec {
    fn default() -> Self {
        SchoolCalendarSpec {
            autumn_start: MonthDay { month: 9, day: 1 },
            spring_start: MonthDay { month: 2, day: 1 },
            years: Vec::new(),
        }
    }
}

impl Default for SchoolCalendar {
    fn default() -> Self {
        let s = SchoolCalendarSpec::default();
        SchoolCalendar {
            autumn_start: s.autumn_start,
            spring_start: s.spring_start,
            years: BTreeMap::new(),
        }
    }
}

impl TryFrom<SchoolCalendarSpec> for SchoolCalendar {
    type Error = String;
    fn try_from(s: SchoolCalendarSpec) -> Result<Self, String> {
        SchoolCalendar::new(s.autumn_start, s.spring_start, s.years)
    }
}

impl From<SchoolCalendar> for SchoolCalendarSpec {
    fn from(c: SchoolCalendar) -> Self {
        SchoolCalendarSpec {
            autumn_start: c.autumn_start,
            spring_start: c.spring_start,
            years: c.years.into_values().collect(),
        }
    }
}

impl SchoolCalendar {
    /// Checks and builds a school calendar (see the type's documentation for the rules).
    pub fn new(
        autumn_start: MonthDay,
        spring_start: MonthDay,
        years: Vec<YearStarts>,
    ) -> Result<SchoolCalendar, String> {
        if spring_start >= autumn_start {
            return Err(format!(
                "the spring semester must start before the autumn one in the calendar year; \
                 got spring {spring_start}, autumn {autumn_start}"
            ));
        }
        let mut map = BTreeMap::new();
        for y in years {
            let sy = y.school_year;
            if !(1000..=9998).contains(&sy) {
                return Err(format!("school year {sy} is out of range"));
            }
            if y.autumn_start.year() != sy || y.spring_start.year() != sy + 1 {
                return Err(format!(
                    "school year {sy}: the autumn semester starts in {sy} and the spring one \
                     in {}",
                    sy + 1
                ));
            }
            if map.insert(sy, y).is_some() {
                return Err(format!("school year {sy} is listed twice"));
            }
        }
        let cal = SchoolCalendar {
            autumn_start,
            spring_start,
            years: map,
        };
        for &sy in cal.years.keys() {
            let ordered = cal.spring_start(sy - 1) < cal.autumn_start(sy)
                && cal.spring_start(sy) < cal.autumn_start(sy + 1);
            if !ordered {
                return Err(format!(
                    "school year {sy}: its semesters overlap the neighbouring school years'"
                ));
            }
        }
        Ok(cal)
    }

    /// The first day of the autumn semester of school year `school_year`.
    pub fn autumn_start(&self, school_year: i32) -> NaiveDate {
        match self.years.get(&school_year) {
            Some(y) => y.autumn_start,
            None => self
                .autumn_start
                .in_year(school_year)
                .unwrap_or(NaiveDate::MAX),
        }
    }

    /// The first day of the spring semester of school year `school_year` (in the year after).
    pub fn spring_start(&self, school_year: i32) -> NaiveDate {
        match self.years.get(&school_year) {
            Some(y) => y.spring_start,
            None => self
                .spring_start
                .in_year(school_year + 1)
                .unwrap_or(NaiveDate::MAX),
        }
    }

    /// The days of one semester: from its start to the day before the next semester starts.
    pub fn semester(&self, school_year: i32, semester: Semester) -> DateRange {
        let (first, next) = match semester {
            Semester::Autumn => (
                self.autumn_start(school_year),
                self.spring_start(school_year),
            ),
            Semester::Spring => (
                self.spring_start(school_year),
                self.autumn_start(school_year + 1),
            ),
        };
        let last = next.pred_opt().unwrap_or(next).max(first);
        DateRange { first, last }
    }

    /// The school year and semester `date` belongs to.
    pub fn semester_of(&self, date: NaiveDate) -> (i32, Semester) {
        let y = date.year();
        if date >= self.autumn_start(y) {
            (y, Semester::Autumn)
        } else if date >= self.spring_start(y - 1) {
            (y - 1, Semester::Spring)
        } else {
            (y - 1, Semester::Autumn)
        }
    }

    /// The school year `date` belongs to (2026 for every day of 2026-S1 and 2026-S2).
    pub fn school_year_of(&self, date: NaiveDate) -> i32 {
        self.semester_of(date).0
    }
}
