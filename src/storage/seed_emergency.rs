//! Writing the emergency module's past for the demo: drills planned and held (each record
//! checked by the same [`DrillRecord::validate`] as a live one, on the day it was held), and
//! holiday duty: periods, rosters and daily reports.

use super::entity::{drill, duty_period, duty_report, duty_roster, duty_unit, org};
use super::seed::SeedTx;
use super::seed_history::{Person, at};
use crate::domain::Code;
use crate::domain::drill::{
    DrillConfig, DrillKind, DrillNotice, DrillRating, DrillRecord, DrillStatus, SchoolProfile,
};
use crate::domain::duty::{DutyConfig, DutyPeriod, RosterDay, check_roster};
use crate::domain::ids::{DrillId, DutyPeriodId, OrgId};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(Error::internal)
}

/// A drill of the demo's past (held) or near future (planned).
pub struct PastDrill<'a> {
    pub school: OrgId,
    pub kind: DrillKind,
    pub notice: DrillNotice,
    pub by: &'a Person,
    /// Held that day (else planned for `planned_on`).
    pub held_on: Option<NaiveDate>,
    pub planned_on: Option<NaiveDate>,
    /// People expected (all assembled, none missing).
    pub expected: i64,
    /// Seconds from the signal to everyone assembled.
    pub seconds: u32,
    pub problems: &'a str,
    pub rating: Option<DrillRating>,
}

impl SeedTx {
    /// A school's kind, whether it runs buses, and its pupils and staff.
    pub async fn school_profile(&mut self, school: OrgId) -> Result<Option<(SchoolProfile, i64)>> {
        let Some(m) = org::Entity::find_by_id(school).one(&self.txn).await? else {
            return Ok(None);
        };
        Ok(super::drills::profile(&m).map(|p| (p, i64::from(m.students) + i64::from(m.staff))))
    }

    /// Writes one drill of the demo.
    pub async fn drill(&mut self, d: &PastDrill<'_>, cfg: &DrillConfig) -> Result<DrillId> {
        let signal = NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN);
        let evacuation = d.kind.is_evacuation();
        let (status, created, timing, record) = match d.held_on {
            Some(day) => {
                let completed = signal + chrono::Duration::seconds(i64::from(d.seconds));
                let r = DrillRecord {
                    kind: d.kind,
                    notice: d.notice,
                    held_on: day,
                    classes: (d.expected / 45).max(1),
                    expected: d.expected,
                    assembled: evacuation.then_some(d.expected),
                    missing: evacuation.then_some(0),
                    signal_at: evacuation.then_some(signal),
                    completed_at: evacuation.then_some(completed),
                    floors: Some(4),
                    own_target_seconds: None,
                    injuries: 0,
                };
                let timing = r
                    .validate(day, cfg)
                    .map_err(|e| Error::internal(anyhow::anyhow!("demo drill: {e}")))?;
                (DrillStatus::Held, at(day, 15, 30), timing, Some(r))
            }
            None => {
                let on = d.planned_on.unwrap_or_default();
                (
                    DrillStatus::Planned,
                    at(on - chrono::Duration::days(7), 9, 0),
                    None,
                    None,
                )
            }
        };
        let time = |t: Option<NaiveTime>| t.map(|t| t.format("%H:%M:%S").to_string());
        Ok(drill::ActiveModel {
            school_id: Set(d.school),
            kind: Set(d.kind.as_str().into()),
            notice: Set(d.notice.as_str().into()),
            status: Set(status.as_str().into()),
            planned_on: Set(d.planned_on),
            held_on: Set(d.held_on),
            buildings: Set("教学楼 1-4 层".into()),
            floors: Set(record.as_ref().and_then(|r| r.floors)),
            classes: Set(record.as_ref().map(|r| r.classes)),
            expected: Set(record.as_ref().map(|r| r.expected)),
            assembled: Set(record.as_ref().and_then(|r| r.assembled)),
            missing: Set(record.as_ref().and_then(|r| r.missing)),
            signal_at: Set(time(record.as_ref().and_then(|r| r.signal_at))),
            completed_at: Set(time(record.as_ref().and_then(|r| r.completed_at))),
            duration_seconds: Set(timing.map(|t| i64::from(t.seconds))),
            target_seconds: Set(timing.and_then(|t| t.target_seconds).map(i64::from)),
            own_target_seconds: Set(None),
            injuries: Set(0),
            problems: Set(d.problems.into()),
            rating: Set(d.rating.map(|r| r.as_str().to_string())),
            evaluation: Set(String::new()),
            plan_needs_revision: Set(false),
            hazard_ids: Set("[]".into()),
            created_by: Set(Some(d.by.user)),
            created_by_name: Set(d.by.name.clone()),
            created_at: Set(created),
            updated_by: Set(Some(d.by.user)),
            updated_at: Set(created),
            version: Set(0),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?
        .id)
    }
}

/// A duty period of the demo's past or present, with every school below its bureau.
pub struct PastDutyPeriod<'a> {
    pub bureau: OrgId,
    pub name: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub by: &'a Person,
    pub units: &'a [OrgId],
}

impl SeedTx {
    /// Writes a duty period and its units; the cutoff is the default 15:00.
    pub async fn duty_period(&mut self, p: &PastDutyPeriod<'_>) -> Result<DutyPeriodId> {
        let cutoff = DutyConfig::default().daily_cutoff;
        let m = duty_period::ActiveModel {
            org_id: Set(p.bureau),
            name: Set(p.name.clone()),
            first_day: Set(p.first),
            last_day: Set(p.last),
            cutoff: Set(cutoff.format("%H:%M:%S").to_string()),
            created_by: Set(Some(p.by.user)),
            created_by_name: Set(p.by.name.clone()),
            created_at: Set(at(p.first - chrono::Duration::days(5), 10, 0)),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        let rows: Vec<duty_unit::ActiveModel> = p
            .units
            .iter()
            .map(|s| duty_unit::ActiveModel {
                period_id: Set(m.id),
                school_id: Set(*s),
                ..Default::default()
            })
            .collect();
        if !rows.is_empty() {
            duty_unit::Entity::insert_many(rows).exec(&self.txn).await?;
        }
        Ok(m.id)
    }

    /// A unit's roster, checked by the same [`check_roster`] as a live one.
    pub async fn duty_roster(
        &mut self,
        period: DutyPeriodId,
        rules: &DutyPeriod,
        school: OrgId,
        days: &[RosterDay],
        by: &Person,
        at_: DateTime<Utc>,
    ) -> Result<()> {
        let check = check_roster(rules, days)
            .map_err(|e| Error::internal(anyhow::anyhow!("demo roster: {e}")))?;
        duty_roster::ActiveModel {
            period_id: Set(period),
            school_id: Set(school),
            days: Set(to_json(&days)?),
            without_leader: Set(to_json(&check.without_leader)?),
            submitted_by: Set(Some(by.user)),
            submitted_by_name: Set(by.name.clone()),
            submitted_at: Set(at_),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(())
    }

    /// A unit's daily report, sent at `sent`.
    pub async fn duty_report(
        &mut self,
        period: DutyPeriodId,
        school: OrgId,
        date: NaiveDate,
        incidents: &str,
        by: &Person,
        sent: DateTime<Utc>,
    ) -> Result<()> {
        duty_report::ActiveModel {
            period_id: Set(period),
            school_id: Set(school),
            date: Set(date),
            zero: Set(incidents.is_empty()),
            incidents: Set(incidents.into()),
            submitted_at: Set(sent),
            submitted_by: Set(Some(by.user)),
            submitted_by_name: Set(by.name.clone()),
            updated_at: Set(sent),
            updated_by: Set(Some(by.user)),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(())
    }
}
