//! A unit's roster and its daily reports.

use super::{
    DutyAudit, NewReport, Report, Roster, RosterInput, dates, duty_error, json, report_view, rules,
};
use crate::domain::duty::{DailyReport, MAX_TEXT, RosterCheck, RosterDay, check_roster};
use crate::domain::ids::{DutyPeriodId, IncidentId, OrgId};
use crate::error::{Error, Result};
use crate::storage::Duty;
use crate::storage::audit::Event;
use crate::storage::entity::{duty_period, duty_report, duty_roster, incident, org};
use crate::storage::read::ReadAll as _;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, IntoActiveModel};

impl Duty<'_> {
    /// A unit's roster (empty, every day uncovered, before one is submitted).
    pub async fn roster(&self, id: DutyPeriodId, school: OrgId) -> Result<Roster> {
        let p = self.period_row(id, &self.read).await?;
        self.permit()?;
        let s = self.unit(id, school, &self.read).await?;
        let row = duty_roster::Entity::find()
            .filter(duty_roster::Column::PeriodId.eq(id))
            .filter(duty_roster::Column::SchoolId.eq(s.id))
            .read_one(&self.read)
            .await?;
        Ok(roster_view(&p, s, row))
    }

    /// Submits (or replaces) a unit's roster.
    pub async fn put_roster(
        &self,
        id: DutyPeriodId,
        school: OrgId,
        input: RosterInput,
    ) -> Result<Roster> {
        let event = Event::new(DutyAudit::Roster, "duty_period", id);
        let found = self.period_row(id, &self.read).await;
        let (mut tx, p) = self.begin_found(event, found).await?;
        let res: Result<(org::Model, duty_roster::Model)> = async {
            let s = self.unit(id, school, &tx.txn).await?;
            let check = check_roster(&rules(&p), &input.days).map_err(duty_error)?;
            check.require_covered().map_err(duty_error)?;
            let mut days = input.days.clone();
            days.sort_by_key(|d| d.date);
            let row = upsert_roster(&tx.txn, &p, s.id, &days, &check, self).await?;
            Ok((s, row))
        }
        .await;
        match res {
            Ok((s, row)) => {
                tx.event.detail = format!(
                    "school={} without_leader={}",
                    s.id,
                    dates(&row.without_leader).len()
                );
                tx.commit().await?;
                Ok(roster_view(&p, s, Some(row)))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Files a unit's daily report; a second one of the same day replaces its content (the
    /// first instant stays). Returns the report and whether it is new.
    pub async fn report(&self, id: DutyPeriodId, input: NewReport) -> Result<(Report, bool)> {
        let event = Event::new(DutyAudit::Report, "duty_period", id);
        let found = self.period_row(id, &self.read).await;
        let (mut tx, p) = self.begin_found(event, found).await?;
        let res: Result<(duty_report::Model, bool)> = async {
            let s = self.unit(id, OrgId(input.school_id), &tx.txn).await?;
            let now = Utc::now();
            let rules = rules(&p);
            rules
                .check_submission(input.date, now)
                .map_err(duty_error)?;
            let incidents = input
                .incidents
                .as_deref()
                .map(str::trim)
                .unwrap_or_default()
                .to_string();
            if input.zero && !incidents.is_empty() {
                return Err(Error::field("incidents", "err.duty.zero_with_incidents"));
            }
            if incidents.chars().count() > MAX_TEXT {
                return Err(Error::field("incidents", "err.duty.too_long"));
            }
            let mut ids: Vec<i64> = Vec::new();
            for i in &input.incident_ids {
                if !ids.contains(i) {
                    ids.push(*i);
                }
            }
            DailyReport {
                date: input.date,
                nothing_to_report: input.zero,
                note: Some(incidents.clone()),
                incident_ids: ids.clone(),
            }
            .validate()
            .map_err(|e| match e.field.as_str() {
                "incident_ids" => Error::field("incident_ids", e.key),
                _ => Error::field("incidents", e.key),
            })?;
            // Only the unit's own incidents.
            let own: Vec<IncidentId> = incident::Entity::find()
                .filter(incident::Column::SchoolId.eq(s.id))
                .filter(incident::Column::Id.is_in(ids.clone()))
                .all(&tx.txn)
                .await?
                .into_iter()
                .map(|m| m.id)
                .collect();
            if let Some(i) = input
                .incident_ids
                .iter()
                .position(|i| !own.contains(&IncidentId(*i)))
            {
                return Err(Error::field(
                    format!("incident_ids[{i}]"),
                    "err.duty.not_an_incident",
                ));
            }
            let ids_json = json(&ids)?;
            let existing = duty_report::Entity::find()
                .filter(duty_report::Column::PeriodId.eq(id))
                .filter(duty_report::Column::SchoolId.eq(s.id))
                .filter(duty_report::Column::Date.eq(input.date))
                .one(&tx.txn)
                .await?;
            if let Some(m) = existing {
                let mut am = m.into_active_model();
                am.zero = Set(input.zero);
                am.incidents = Set(incidents);
                am.incident_ids = Set(ids_json);
                am.updated_at = Set(now);
                am.updated_by = Set(Some(self.actor.user_id));
                return Ok((am.update(&tx.txn).await?, false));
            }
            let m = duty_report::ActiveModel {
                period_id: Set(id),
                school_id: Set(s.id),
                date: Set(input.date),
                zero: Set(input.zero),
                incidents: Set(incidents),
                incident_ids: Set(ids_json),
                submitted_at: Set(now),
                submitted_by: Set(Some(self.actor.user_id)),
                submitted_by_name: Set(self.actor.display_name.clone()),
                updated_at: Set(now),
                updated_by: Set(Some(self.actor.user_id)),
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
                    "school={} date={} zero={} incidents={} {}",
                    m.school_id,
                    m.date,
                    m.zero,
                    m.incident_ids,
                    if new { "new" } else { "update" }
                );
                tx.commit().await?;
                Ok((report_view(&rules(&p), m), new))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

async fn upsert_roster(
    txn: &DatabaseTransaction,
    p: &duty_period::Model,
    school: OrgId,
    days: &[RosterDay],
    check: &RosterCheck,
    d: &Duty<'_>,
) -> Result<duty_roster::Model> {
    let now = Utc::now();
    let existing = duty_roster::Entity::find()
        .filter(duty_roster::Column::PeriodId.eq(p.id))
        .filter(duty_roster::Column::SchoolId.eq(school))
        .one(txn)
        .await?;
    let fill = |mut am: duty_roster::ActiveModel| -> Result<duty_roster::ActiveModel> {
        am.days = Set(json(&days)?);
        am.without_leader = Set(json(&check.without_leader)?);
        am.submitted_by = Set(Some(d.actor.user_id));
        am.submitted_by_name = Set(d.actor.display_name.clone());
        am.submitted_at = Set(now);
        Ok(am)
    };
    Ok(match existing {
        Some(m) => fill(m.into_active_model())?.update(txn).await?,
        None => {
            fill(duty_roster::ActiveModel {
                period_id: Set(p.id),
                school_id: Set(school),
                ..Default::default()
            })?
            .insert(txn)
            .await?
        }
    })
}

fn roster_view(p: &duty_period::Model, s: org::Model, row: Option<duty_roster::Model>) -> Roster {
    let rules = rules(p);
    match row {
        Some(r) => {
            let days: Vec<RosterDay> = serde_json::from_str(&r.days).unwrap_or_default();
            let check = check_roster(&rules, &days).unwrap_or_default();
            Roster {
                period_id: p.id,
                school: s.into(),
                submitted: true,
                uncovered: check.uncovered,
                without_leader: dates(&r.without_leader),
                days,
                submitted_by_name: Some(r.submitted_by_name),
                submitted_at: Some(r.submitted_at),
            }
        }
        None => Roster {
            period_id: p.id,
            school: s.into(),
            submitted: false,
            days: Vec::new(),
            uncovered: rules.range().days().collect(),
            without_leader: Vec::new(),
            submitted_by_name: None,
            submitted_at: None,
        },
    }
}
