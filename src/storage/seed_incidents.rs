//! Writing the demo's incident reports and the days of holiday duty: each incident with its
//! reports checked by the same domain rules as a live one (order, facts, people, deadline
//! and lateness on the instant it was sent) and the bureau's receipts; duty check-ins and
//! phone spot checks (results by [`spot_check_result`]).

use super::entity::{duty_check_in, duty_spot_check, incident, incident_receipt, incident_report};
use super::seed::SeedTx;
use super::seed_history::Person;
use crate::domain::Code;
use crate::domain::duty::spot_check_result;
use crate::domain::ids::{DutyPeriodId, IncidentId, OrgId};
use crate::domain::incident::{
    HurtPerson, Incident, IncidentLevel, IncidentType, ReportDeadlines, ReportKind, SentReport,
    check_next_report, check_persons, check_reporter, due_at, minutes_late,
};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

fn demo(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::internal(anyhow::anyhow!("demo {what}: {e:?}"))
}

/// One report of a demo incident.
pub struct PastReport<'a> {
    pub kind: ReportKind,
    pub level: IncidentLevel,
    pub deaths: i64,
    pub injured: i64,
    pub missing: i64,
    pub summary: &'a str,
    pub measures: &'a str,
    pub persons: Vec<HurtPerson>,
    pub sent_at: DateTime<Utc>,
    pub by: &'a Person,
    pub phone: &'a str,
}

/// A bureau's receipt of report `seq`, and its report upward if any.
pub struct PastReceipt<'a> {
    pub seq: u32,
    pub bureau: OrgId,
    pub by: &'a Person,
    pub at: DateTime<Utc>,
    pub forwarded: Option<(&'a str, DateTime<Utc>)>,
}

/// An incident of the demo with its reports (in order) and receipts.
pub struct PastIncident<'a> {
    pub school: OrgId,
    pub incident_type: IncidentType,
    pub occurred_at: DateTime<Utc>,
    pub known_at: DateTime<Utc>,
    pub place: &'a str,
    pub reports: Vec<PastReport<'a>>,
    pub receipts: Vec<PastReceipt<'a>>,
}

impl SeedTx {
    /// Writes one incident of the demo; its reports must pass the live rules.
    pub async fn incident(
        &mut self,
        i: &PastIncident<'_>,
        cfg: &ReportDeadlines,
    ) -> Result<IncidentId> {
        let first = i
            .reports
            .first()
            .ok_or_else(|| demo("incident", "no report"))?;
        let last = i.reports.last().unwrap_or(first);
        let mut sent: Vec<SentReport> = Vec::new();
        let mut level = first.level;
        let mut rows = Vec::new();
        let mut late_reports = 0;
        for r in &i.reports {
            Incident {
                incident_type: i.incident_type,
                level: r.level,
                occurred_at: i.occurred_at,
                known_at: i.known_at,
                place: i.place.into(),
                summary: r.summary.into(),
                deaths: r.deaths,
                injured: r.injured,
                missing: r.missing,
            }
            .validate(r.sent_at)
            .map_err(|e| demo("incident", e))?;
            check_persons(&r.persons, r.deaths, r.injured, r.missing)
                .map_err(|e| demo("persons", e))?;
            check_reporter(&r.by.name, r.phone).map_err(|e| demo("reporter", e))?;
            let seq = check_next_report(i.known_at, &sent, r.kind, r.sent_at)
                .map_err(|e| demo("report", e))?;
            let due = due_at(
                cfg,
                i.incident_type,
                level,
                i.known_at,
                sent.last().map(|s| s.sent_at),
                r.kind,
            );
            let late = minutes_late(r.sent_at, due);
            late_reports += i32::from(late > 0);
            rows.push((seq, due, late));
            sent.push(SentReport {
                kind: r.kind,
                sent_at: r.sent_at,
            });
            level = r.level;
        }
        let closed = last.kind == ReportKind::Final;
        let m = incident::ActiveModel {
            school_id: Set(i.school),
            incident_type: Set(i.incident_type.as_str().into()),
            level: Set(last.level.as_str().into()),
            occurred_at: Set(i.occurred_at),
            known_at: Set(i.known_at),
            place: Set(i.place.into()),
            summary: Set(last.summary.into()),
            deaths: Set(last.deaths),
            injured: Set(last.injured),
            missing: Set(last.missing),
            status: Set(if closed { "closed" } else { "open" }.into()),
            reports: Set(i32::try_from(i.reports.len()).map_err(Error::internal)?),
            late_reports: Set(late_reports),
            last_report_at: Set(last.sent_at),
            created_by: Set(Some(first.by.user)),
            created_by_name: Set(first.by.name.clone()),
            created_at: Set(first.sent_at),
            updated_at: Set(last.sent_at),
            version: Set(i32::try_from(i.reports.len() - 1).map_err(Error::internal)?),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        let mut ids = Vec::new();
        for (r, (seq, due, late)) in i.reports.iter().zip(rows) {
            let row = incident_report::ActiveModel {
                incident_id: Set(m.id),
                seq: Set(i32::try_from(seq).map_err(Error::internal)?),
                kind: Set(r.kind.as_str().into()),
                level: Set(r.level.as_str().into()),
                deaths: Set(r.deaths),
                injured: Set(r.injured),
                missing: Set(r.missing),
                summary: Set(r.summary.into()),
                measures: Set(r.measures.into()),
                persons: Set(self.keys.seal(
                    crate::storage::sealed::INCIDENT_PERSONS,
                    &serde_json::to_string(&r.persons).map_err(Error::internal)?,
                )?),
                persons_named: Set(i32::try_from(r.persons.len()).map_err(Error::internal)?),
                reporter: Set(r.by.name.clone()),
                phone: Set(r.phone.into()),
                due_at: Set(due),
                late_minutes: Set(late),
                sent_at: Set(r.sent_at),
                sent_by: Set(Some(r.by.user)),
                sent_by_name: Set(r.by.name.clone()),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
            ids.push((seq, row.id, r.sent_at));
        }
        for rc in &i.receipts {
            let (_, report, sent_at) = ids
                .iter()
                .find(|(seq, _, _)| *seq == rc.seq)
                .copied()
                .ok_or_else(|| demo("receipt", rc.seq))?;
            if rc.at < sent_at || rc.forwarded.is_some_and(|(_, at)| at < sent_at) {
                return Err(demo("receipt", "before the report"));
            }
            incident_receipt::ActiveModel {
                report_id: Set(report),
                incident_id: Set(m.id),
                org_id: Set(rc.bureau),
                acknowledged_at: Set(rc.at),
                acknowledged_by: Set(Some(rc.by.user)),
                acknowledged_by_name: Set(rc.by.name.clone()),
                forwarded_to: Set(rc.forwarded.map(|(to, _)| to.to_string())),
                forwarded_at: Set(rc.forwarded.map(|(_, at)| at)),
                forwarded_by_name: Set(if rc.forwarded.is_some() {
                    rc.by.name.clone()
                } else {
                    String::new()
                }),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
        }
        Ok(m.id)
    }

    /// A duty officer's check-in on `date` at `at`.
    pub async fn duty_check_in(
        &mut self,
        period: DutyPeriodId,
        school: OrgId,
        date: NaiveDate,
        by: &Person,
        on_roster: bool,
        at: DateTime<Utc>,
    ) -> Result<()> {
        duty_check_in::ActiveModel {
            period_id: Set(period),
            school_id: Set(school),
            date: Set(date),
            user_id: Set(by.user),
            name: Set(by.name.clone()),
            on_roster: Set(on_roster),
            checked_in_at: Set(at),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(())
    }

    /// A bureau's phone spot check, its result by the live rule (5 minutes to call back).
    #[allow(clippy::too_many_arguments)]
    pub async fn duty_spot_check(
        &mut self,
        period: DutyPeriodId,
        school: OrgId,
        bureau: OrgId,
        phone: &str,
        called_at: DateTime<Utc>,
        answered: bool,
        called_back_at: Option<DateTime<Utc>>,
        by: &Person,
    ) -> Result<()> {
        let minutes = crate::domain::duty::DutyConfig::default().callback_minutes;
        let result = spot_check_result(called_at, answered, called_back_at, minutes, Utc::now())
            .map_err(|e| demo("spot check", e))?;
        duty_spot_check::ActiveModel {
            period_id: Set(period),
            school_id: Set(school),
            org_id: Set(Some(bureau)),
            called_at: Set(called_at),
            phone: Set(phone.into()),
            answered: Set(answered),
            called_back_at: Set(called_back_at),
            result: Set(result.as_str().into()),
            note: Set(String::new()),
            checked_by: Set(Some(by.user)),
            checked_by_name: Set(by.name.clone()),
            created_at: Set(called_at),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(())
    }
}
