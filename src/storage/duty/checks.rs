//! The duty officer's check-in on the day (到岗签到) and the bureau's phone spot checks
//! (电话抽查: answered, or called back within `[duty] callback_minutes`); their corrections
//! are in [`super::amend`].

use super::amend::SpotCheckRevision;
use super::{DutyAudit, duty_error, rules};
use crate::domain::Code;
use crate::domain::calendar::china_instant;
use crate::domain::duty::{
    DutyConfig, MAX_TEXT, RosterDay, SpotCheckResult, check_in_allowed, on_roster,
    spot_check_result, valid_phone,
};
use crate::domain::ids::{DutyCheckInId, DutyPeriodId, DutySpotCheckId, OrgId, UserId};
use crate::error::{Error, Result};
use crate::storage::Duty;
use crate::storage::audit::Event;
use crate::storage::entity::{duty_check_in, duty_roster, duty_spot_check, org};
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// A duty officer's check-in (`POST /api/v1/duty-periods/{id}/check-ins`): the unit; the
/// date is today, China time.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCheckIn {
    pub school_id: i64,
}

/// A check-in as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckIn {
    pub id: DutyCheckInId,
    pub period_id: DutyPeriodId,
    pub school_id: OrgId,
    pub date: NaiveDate,
    pub user_id: UserId,
    pub name: String,
    /// The person is the day's leader or one of its officers on the unit's roster.
    pub on_roster: bool,
    pub checked_in_at: DateTime<Utc>,
}

/// A phone spot check (`POST /api/v1/duty-periods/{id}/spot-checks`): which unit, when it was
/// called (now when left out), the number called (the day's duty phone on the roster when
/// left out), whether it answered, and when it called back if it did not.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpotCheck {
    pub school_id: i64,
    #[serde(default)]
    pub called_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub phone: Option<String>,
    pub answered: bool,
    #[serde(default)]
    pub called_back_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A spot check as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpotCheck {
    pub id: DutySpotCheckId,
    pub period_id: DutyPeriodId,
    pub school_id: OrgId,
    pub school_name: String,
    pub called_at: DateTime<Utc>,
    pub phone: String,
    pub answered: bool,
    pub called_back_at: Option<DateTime<Utc>>,
    pub result: SpotCheckResult,
    /// Answered, or called back in time.
    pub passed: bool,
    pub note: String,
    pub checked_by_name: String,
    /// The corrections, oldest first: the values each replaced, why and by whom.
    pub revisions: Vec<SpotCheckRevision>,
}

/// Which check-ins or spot checks: one date (China time; every date when left out), one unit.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DayQuery {
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub school_id: Option<i64>,
}

fn check_in_view(m: duty_check_in::Model) -> CheckIn {
    CheckIn {
        id: m.id,
        period_id: m.period_id,
        school_id: m.school_id,
        date: m.date,
        user_id: m.user_id,
        name: m.name,
        on_roster: m.on_roster,
        checked_in_at: m.checked_in_at,
    }
}

pub(super) fn spot_view(
    m: duty_spot_check::Model,
    school_name: String,
    revisions: Vec<SpotCheckRevision>,
) -> SpotCheck {
    let result = SpotCheckResult::parse(&m.result).unwrap_or(SpotCheckResult::NoAnswer);
    SpotCheck {
        id: m.id,
        period_id: m.period_id,
        school_id: m.school_id,
        school_name,
        called_at: m.called_at,
        phone: m.phone,
        answered: m.answered,
        called_back_at: m.called_back_at,
        result,
        passed: result.passed(),
        note: m.note,
        checked_by_name: m.checked_by_name,
        revisions,
    }
}

/// The instants of a China date: `[start, end)`.
pub(super) fn day_bounds(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = china_instant(date, NaiveTime::MIN);
    (start, start + chrono::Duration::days(1))
}

/// The roster's day of a unit, if it has one.
pub(super) async fn roster_day(
    conn: &impl ConnectionTrait,
    period: DutyPeriodId,
    school: OrgId,
    date: NaiveDate,
) -> Result<Option<RosterDay>> {
    let row = duty_roster::Entity::find()
        .filter(duty_roster::Column::PeriodId.eq(period))
        .filter(duty_roster::Column::SchoolId.eq(school))
        .one(conn)
        .await?;
    Ok(row.and_then(|r| {
        serde_json::from_str::<Vec<RosterDay>>(&r.days)
            .unwrap_or_default()
            .into_iter()
            .find(|d| d.date == date)
    }))
}

impl Duty<'_> {
    /// The unit ids the caller sees of a period, narrowed to one when asked (a unit out of
    /// scope or not of the period: `NotFound`).
    async fn units_asked(&self, id: DutyPeriodId, school: Option<i64>) -> Result<Vec<org::Model>> {
        let units = self.units(id).await?;
        match school {
            None => Ok(units),
            Some(s) => {
                let u = units
                    .into_iter()
                    .find(|u| u.id.0 == s)
                    .ok_or(Error::NotFound)?;
                Ok(vec![u])
            }
        }
    }

    /// The duty officer checks in for today (China time). A second check-in of the same
    /// person and day changes nothing (false: not new).
    pub async fn check_in(&self, id: DutyPeriodId, input: NewCheckIn) -> Result<(CheckIn, bool)> {
        let event = Event::new(DutyAudit::CheckIn, "duty_period", id);
        let found = self.period_row(id, &self.read).await;
        let (mut tx, p) = self.begin_found(event, found).await?;
        let res: Result<(duty_check_in::Model, bool)> = async {
            let s = self.unit(id, OrgId(input.school_id), &tx.txn).await?;
            let now = Utc::now();
            let today = crate::clock::china_date(now);
            check_in_allowed(&rules(&p), today, now).map_err(duty_error)?;
            let existing = duty_check_in::Entity::find()
                .filter(duty_check_in::Column::PeriodId.eq(id))
                .filter(duty_check_in::Column::SchoolId.eq(s.id))
                .filter(duty_check_in::Column::Date.eq(today))
                .filter(duty_check_in::Column::UserId.eq(self.actor.user_id))
                .one(&tx.txn)
                .await?;
            if let Some(m) = existing {
                return Ok((m, false));
            }
            let day = roster_day(&tx.txn, id, s.id, today).await?;
            let m = duty_check_in::ActiveModel {
                period_id: Set(id),
                school_id: Set(s.id),
                date: Set(today),
                user_id: Set(self.actor.user_id),
                name: Set(self.actor.display_name.clone()),
                on_roster: Set(on_roster(
                    day.as_ref(),
                    &self.actor.display_name,
                    self.actor.user_id,
                )),
                checked_in_at: Set(now),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            Ok((m, true))
        }
        .await;
        match res {
            Ok((m, new)) => {
                tx.event.detail = format!(
                    "school={} date={} on_roster={} {}",
                    m.school_id,
                    m.date,
                    m.on_roster,
                    if new { "new" } else { "again" }
                );
                tx.commit().await?;
                Ok((check_in_view(m), new))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The check-ins of the units the caller sees, the latest first.
    pub async fn check_ins(&self, id: DutyPeriodId, q: &DayQuery) -> Result<Vec<CheckIn>> {
        self.period_row(id, &self.read).await?;
        self.permit()?;
        let units: Vec<OrgId> = self
            .units_asked(id, q.school_id)
            .await?
            .iter()
            .map(|u| u.id)
            .collect();
        let mut s = duty_check_in::Entity::find()
            .filter(duty_check_in::Column::PeriodId.eq(id))
            .filter(duty_check_in::Column::SchoolId.is_in(units));
        if let Some(d) = q.date {
            s = s.filter(duty_check_in::Column::Date.eq(d));
        }
        Ok(s.order_by_desc(duty_check_in::Column::CheckedInAt)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(check_in_view)
            .collect())
    }

    /// The bureau records a phone spot check of a unit's duty phone.
    pub async fn spot_check(
        &self,
        id: DutyPeriodId,
        input: NewSpotCheck,
        cfg: &DutyConfig,
    ) -> Result<SpotCheck> {
        let event = Event::new(DutyAudit::SpotCheck, "duty_period", id);
        let found = self.period_row(id, &self.read).await;
        let (mut tx, p) = self.begin_found(event, found).await?;
        let res: Result<(duty_spot_check::Model, String)> = async {
            let s = self.unit(id, OrgId(input.school_id), &tx.txn).await?;
            let now = Utc::now();
            let called_at = input.called_at.unwrap_or(now);
            let result = spot_check_result(
                called_at,
                input.answered,
                input.called_back_at,
                cfg.callback_minutes,
                now,
            )
            .map_err(duty_error)?;
            let date = crate::clock::china_date(called_at);
            if !rules(&p).contains(date) {
                return Err(Error::field("called_at", "err.duty.outside_period"));
            }
            let phone = match input.phone.as_deref().map(str::trim) {
                Some(ph) if !ph.is_empty() => {
                    if !valid_phone(ph) {
                        return Err(Error::field("phone", "err.duty.phone"));
                    }
                    ph.to_string()
                }
                _ => roster_day(&tx.txn, id, s.id, date)
                    .await?
                    .and_then(|d| d.duty_phone)
                    .unwrap_or_default(),
            };
            let note = input.note.as_deref().map(str::trim).unwrap_or_default();
            if note.chars().count() > MAX_TEXT {
                return Err(Error::field("note", "err.duty.too_long"));
            }
            let m = duty_spot_check::ActiveModel {
                period_id: Set(id),
                school_id: Set(s.id),
                org_id: Set(self.actor.org_id),
                called_at: Set(called_at),
                phone: Set(phone),
                answered: Set(input.answered),
                called_back_at: Set(input.called_back_at),
                result: Set(result.as_str().into()),
                note: Set(note.to_string()),
                checked_by: Set(Some(self.actor.user_id)),
                checked_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            Ok((m, s.name))
        }
        .await;
        match res {
            Ok((m, name)) => {
                tx.event.object_id = format!("{id}:{}", m.id);
                tx.event.detail = format!("school={} result={}", m.school_id, m.result);
                tx.commit().await?;
                Ok(spot_view(m, name, Vec::new()))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The spot checks of the units the caller sees, the latest first.
    pub async fn spot_checks(&self, id: DutyPeriodId, q: &DayQuery) -> Result<Vec<SpotCheck>> {
        self.period_row(id, &self.read).await?;
        self.permit()?;
        let units = self.units_asked(id, q.school_id).await?;
        let names: HashMap<OrgId, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
        let mut s = duty_spot_check::Entity::find()
            .filter(duty_spot_check::Column::PeriodId.eq(id))
            .filter(
                duty_spot_check::Column::SchoolId.is_in(names.keys().copied().collect::<Vec<_>>()),
            );
        if let Some(d) = q.date {
            let (start, end) = day_bounds(d);
            s = s
                .filter(duty_spot_check::Column::CalledAt.gte(start))
                .filter(duty_spot_check::Column::CalledAt.lt(end));
        }
        let rows = s
            .order_by_desc(duty_spot_check::Column::CalledAt)
            .read_all(&self.read)
            .await?;
        let mut revisions =
            super::amend::revisions_of(&self.read, rows.iter().map(|m| m.id).collect()).await?;
        Ok(rows
            .into_iter()
            .map(|m| {
                let name = names.get(&m.school_id).cloned().unwrap_or_default();
                let list = revisions.remove(&m.id).unwrap_or_default();
                spot_view(m, name, list)
            })
            .collect())
    }
}
