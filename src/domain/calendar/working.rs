//! The China working-day calendar: Monday–Friday, overridden by a table of dated exceptions.

use crate::code_enum;
use crate::domain::Code;
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

code_enum!(
    /// What an exception row says of its date: a public holiday (放假, not worked even on a
    /// weekday) or a make-up working day (调休上班, a Saturday or Sunday that is worked).
    DayKind, "calendar_day_kind", {
        Holiday = "holiday",
        Workday = "workday",
    }
);

code_enum!(
    /// Why a line of the calendar file was refused: `header` (the first line that is not a
    /// comment must be `date,kind,name`), `columns` (not exactly three comma-separated cells),
    /// `date` (not `YYYY-MM-DD`), `kind` (neither `holiday` nor `workday`), `name` (empty or
    /// longer than [`MAX_NAME`] characters), `duplicate` (the date is on an earlier line),
    /// `workday_on_weekday` (a make-up working day on a Monday–Friday, already worked).
    LineReason, "calendar_line", {
        Header = "header",
        Columns = "columns",
        Date = "date",
        Kind = "kind",
        Name = "name",
        Duplicate = "duplicate",
        WorkdayOnWeekday = "workday_on_weekday",
    }
);

/// The calendar file shipped with the platform (the bureau edits it, see its README).
pub const SHIPPED_CSV: &str = include_str!("../../../assets/calendar/cn-working-days.csv");

/// The header of the calendar file.
pub const HEADER: [&str; 3] = ["date", "kind", "name"];

/// Longest holiday name, in characters.
pub const MAX_NAME: usize = 40;

/// One dated exception to the Monday–Friday week.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Exception {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The name in Chinese, e.g. 春节 or 春节调休上班.
    pub name: String,
}

/// A refused line of the calendar file: its 1-based line number, why, and the offending text
/// (at most 60 characters).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema, thiserror::Error)]
#[error("line {line}: {reason} ({value})")]
pub struct LineError {
    pub line: usize,
    pub reason: LineReason,
    pub value: String,
}

impl LineError {
    fn new(line: usize, reason: LineReason, value: &str) -> LineError {
        LineError {
            line,
            reason,
            value: value.chars().take(60).collect(),
        }
    }

    /// The translation key of the reason (`calendar_line.<reason>`).
    pub fn key(&self) -> String {
        self.reason.label_key()
    }
}

/// Which days are worked: Monday to Friday unless the table says otherwise. Dates in a year the
/// table has no rows for are counted Monday–Friday only ([`WorkingCalendar::covers`] tells).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    exceptions: BTreeMap<NaiveDate, Exception>,
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A cell with surrounding blanks and one pair of double quotes (as spreadsheets write them)
/// taken off.
fn cell(s: &str) -> &str {
    const QUOTE: char = '\u{22}';
    let s = s.trim();
    s.strip_prefix(QUOTE)
        .and_then(|x| x.strip_suffix(QUOTE))
        .unwrap_or(s)
        .trim()
}

impl WorkingCalendar {
    /// Monday–Friday, no exceptions.
    pub fn new() -> WorkingCalendar {
        WorkingCalendar::default()
    }

    /// The calendar of the shipped file ([`SHIPPED_CSV`]; a unit test holds it free of errors).
    pub fn shipped() -> WorkingCalendar {
        WorkingCalendar::parse(SHIPPED_CSV).unwrap_or_default()
    }

    /// A calendar from exceptions; a later exception for the same date replaces an earlier one.
    pub fn from_exceptions(list: impl IntoIterator<Item = Exception>) -> WorkingCalendar {
        WorkingCalendar {
            exceptions: list.into_iter().map(|e| (e.date, e)).collect(),
        }
    }

    /// Parses the calendar file: UTF-8 (a BOM is skipped), `#` comment lines and blank lines
    /// ignored, the header `date,kind,name`, then one row per date. Every bad line is reported
    /// (line number and reason); any error refuses the whole file, so a half-read table never
    /// moves a deadline. Never panics.
    pub fn parse(text: &str) -> Result<WorkingCalendar, Vec<LineError>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut errors = Vec::new();
        let mut exceptions: BTreeMap<NaiveDate, Exception> = BTreeMap::new();
        let mut header_seen = false;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let cells: Vec<&str> = trimmed.split(',').map(cell).collect();
            if !header_seen {
                header_seen = true;
                let is_header = cells.len() == HEADER.len()
                    && cells
                        .iter()
                        .zip(HEADER)
                        .all(|(c, h)| c.eq_ignore_ascii_case(h));
                if is_header {
                    continue;
                }
                errors.push(LineError::new(line, LineReason::Header, trimmed));
                // Read the line as data too, so its own problems are reported with it.
            }
            match parse_row(&cells, trimmed) {
                Ok(e) => match exceptions.entry(e.date) {
                    Entry::Occupied(_) => errors.push(LineError::new(
                        line,
                        LineReason::Duplicate,
                        &e.date.to_string(),
                    )),
                    Entry::Vacant(v) => {
                        v.insert(e);
                    }
                },
                Err((reason, value)) => errors.push(LineError::new(line, reason, value)),
            }
        }
        if errors.is_empty() {
            Ok(WorkingCalendar { exceptions })
        } else {
            Err(errors)
        }
    }

    /// Whether `date` is worked: a listed holiday is not, a listed make-up day is, otherwise
    /// Monday to Friday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.exceptions.get(&date).map(|e| e.kind) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !is_weekend(date),
        }
    }

    /// The exception listed for `date`, if any.
    pub fn exception(&self, date: NaiveDate) -> Option<&Exception> {
        self.exceptions.get(&date)
    }

    /// The name of the public holiday `date` falls in (春节 …), if it is one.
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        self.exceptions
            .get(&date)
            .filter(|e| e.kind == DayKind::Holiday)
            .map(|e| e.name.as_str())
    }

    /// Every exception, by date.
    pub fn exceptions(&self) -> impl Iterator<Item = &Exception> {
        self.exceptions.values()
    }

    /// The years the table has at least one row for.
    pub fn years(&self) -> BTreeSet<i32> {
        self.exceptions.keys().map(|d| d.year()).collect()
    }

    /// Whether the table has rows for `year` (a year without any is counted Monday–Friday,
    /// which is wrong for every real year: pages should say the calendar needs that year).
    pub fn covers(&self, year: i32) -> bool {
        self.years().contains(&year)
    }

    /// The `n`-th working day after `date` (`date` itself is not counted, whether worked or
    /// not): `add_working_days(Fri, 1)` is the next Monday if that is worked. `n = 0` gives
    /// `date` itself.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            let Some(next) = d.succ_opt() else {
                return NaiveDate::MAX;
            };
            d = next;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The number of working days after `from` up to and including `to`, so that
    /// `working_days_between(d, add_working_days(d, n)) == n`. Negative when `to` is before
    /// `from` (minus the working days after `to` up to and including `from`); 0 when equal.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let mut n = 0;
        let mut d = from;
        while d < to {
            let Some(next) = d.succ_opt() else { break };
            d = next;
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

fn parse_row<'a>(cells: &[&'a str], line: &'a str) -> Result<Exception, (LineReason, &'a str)> {
    let [date, kind, name] = cells else {
        return Err((LineReason::Columns, line));
    };
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .filter(|_| date.len() == 10)
        .ok_or((LineReason::Date, *date))?;
    let kind = DayKind::parse(kind).ok_or((LineReason::Kind, *kind))?;
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err((LineReason::Name, *name));
    }
    if kind == DayKind::Workday && !is_weekend(date) {
        return Err((LineReason::WorkdayOnWeekday, line));
    }
    Ok(Exception {
        date,
        kind,
        name: name.to_string(),
    })
}
