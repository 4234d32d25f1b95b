//! The working-day calendar (public holidays and 调休 make-up working days) through a
//! [`Scoped`] handle: read by anyone signed in, replaced as a whole by the bureau (validated
//! line by line with [`WorkingCalendar::parse`], audited). Until the bureau saves its own, the
//! file shipped with the platform (`assets/calendar/cn-working-days.csv`) is in force; once
//! saved, the stored text is (one row). Deadlines counted in working days (a plan's filing)
//! read it through [`working_calendar`].
//!
//! [`Scoped`]: super::Scoped

use super::audit::Event;
use super::emergency_plans::PlanAudit;
use super::entity::working_calendar;
use crate::domain::calendar::{Exception, SHIPPED_CSV, WorkingCalendar};
use crate::error::{Error, FieldError, Result};
use crate::storage::Calendar;
use crate::storage::read::Fetch;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, Datelike, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The stored calendar's row.
const ROW: i64 = 1;

/// Longest calendar text accepted (about 30 years of rows).
pub const MAX_CSV: usize = 64 * 1024;

/// Where the calendar in force comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CalendarSource {
    /// The file shipped with the platform.
    Shipped,
    /// The bureau's saved version.
    Edited,
}

impl CalendarSource {
    pub fn is_edited(self) -> bool {
        self == CalendarSource::Edited
    }
}

/// The working-day calendar as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkingDays {
    pub source: CalendarSource,
    /// Every exception to the Monday–Friday week, by date.
    pub days: Vec<Exception>,
    /// The years the table has rows for.
    pub years: Vec<i32>,
    /// This year and next, when the table has no rows for them (counted Monday–Friday only:
    /// the bureau should add them).
    pub missing_years: Vec<i32>,
    /// The calendar file's text (edit it and send it back to replace the table).
    pub csv: String,
    /// Bumped at every save; send it back to refuse a save over someone else's (409).
    pub version: i32,
    pub updated_by_name: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A new calendar (`PUT /api/v1/calendar/working-days`): the whole file, in the shipped file's
/// format (`date,kind,name`, one row per date; `#` comments). Any bad line refuses the whole
/// file (422, one field error `csv[<line>]` per line).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    pub csv: String,
    /// The version the change was made on, if the caller wants a stale save refused.
    #[serde(default)]
    pub version: Option<i32>,
}

/// The calendar in force: the bureau's saved text, or the shipped file. A stored text that no
/// longer parses (it was checked when saved) falls back to the shipped file rather than
/// counting deadlines on a half-read table.
pub(super) async fn working_calendar(conn: &impl Fetch) -> Result<WorkingCalendar> {
    let row = conn
        .first(working_calendar::Entity::find_by_id(ROW))
        .await?;
    Ok(parsed(row.as_ref()))
}

fn parsed(row: Option<&working_calendar::Model>) -> WorkingCalendar {
    match row {
        Some(m) => WorkingCalendar::parse(&m.csv).unwrap_or_else(|e| {
            tracing::error!(
                errors = e.len(),
                "the stored working calendar does not parse"
            );
            WorkingCalendar::shipped()
        }),
        None => WorkingCalendar::shipped(),
    }
}

fn view(row: Option<working_calendar::Model>) -> WorkingDays {
    let cal = parsed(row.as_ref());
    let this_year = super::risk_points::today().year();
    let years = cal.years();
    WorkingDays {
        source: if row.is_some() {
            CalendarSource::Edited
        } else {
            CalendarSource::Shipped
        },
        days: cal.exceptions().cloned().collect(),
        missing_years: [this_year, this_year + 1]
            .into_iter()
            .filter(|y| !years.contains(y))
            .collect(),
        years: years.into_iter().collect(),
        csv: row
            .as_ref()
            .map_or_else(|| SHIPPED_CSV.to_string(), |m| m.csv.clone()),
        version: row.as_ref().map_or(0, |m| m.version),
        updated_by_name: row.as_ref().map(|m| m.updated_by_name.clone()),
        updated_at: row.as_ref().map(|m| m.updated_at),
    }
}

impl Calendar<'_> {
    /// The calendar in force (anyone signed in).
    pub async fn get(&self) -> Result<WorkingDays> {
        self.permit()?;
        let row = working_calendar::Entity::find_by_id(ROW)
            .read_one(&self.read)
            .await?;
        Ok(view(row))
    }

    /// Replaces the calendar with the bureau's text, checked line by line first.
    pub async fn replace(&self, input: CalendarInput) -> Result<WorkingDays> {
        let tx = self
            .begin(Event::new(PlanAudit::Calendar, "calendar", ROW))
            .await?;
        let res: Result<(i32, usize)> = async {
            if input.csv.len() > MAX_CSV {
                return Err(Error::field("csv", "err.calendar.too_long"));
            }
            let cal = WorkingCalendar::parse(&input.csv).map_err(|errors| Error::Validation {
                message: "err.calendar.invalid".into(),
                fields: errors
                    .iter()
                    .map(|e| FieldError::new(format!("csv[{}]", e.line), e.key()))
                    .collect(),
            })?;
            let old = working_calendar::Entity::find_by_id(ROW)
                .one(&tx.txn)
                .await?;
            let current = old.as_ref().map_or(0, |m| m.version);
            if input.version.is_some_and(|v| v != current) {
                return Err(Error::Conflict("err.calendar.changed".into()));
            }
            let am = working_calendar::ActiveModel {
                id: Set(ROW),
                csv: Set(input.csv.clone()),
                version: Set(current + 1),
                updated_by: Set(Some(self.actor.user_id)),
                updated_by_name: Set(self.actor.display_name.clone()),
                updated_at: Set(Utc::now()),
            };
            match old {
                Some(_) => {
                    working_calendar::Entity::update(am).exec(&tx.txn).await?;
                }
                None => {
                    working_calendar::Entity::insert(am).exec(&tx.txn).await?;
                }
            }
            Ok((current + 1, cal.exceptions().count()))
        }
        .await;
        match res {
            Ok((version, rows)) => {
                let mut tx = tx;
                tx.event.detail = format!("version={version} rows={rows}");
                tx.commit().await?;
                self.get().await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
