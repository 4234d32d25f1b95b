//! Sending an incident's reports: the first report (which registers the incident), then
//! follow-ups and the final report — each checked by the domain's rules, stored with its
//! deadline and lateness, in one transaction with the incident's projections and the audit
//! row (which names no one).

use super::{CLOSED, IncidentAudit, IncidentDetail, OPEN, incident_error, persons_of};
use crate::domain::Code;
use crate::domain::emergency_plan::CoverageConfig;
use crate::domain::ids::{IncidentId, OrgId};
use crate::domain::incident::{
    HurtPerson, Incident, IncidentLevel, IncidentType, MAX_TEXT, PersonError, ReportDeadlines,
    ReportKind, SentReport, check_next_report, check_persons, check_reporter, due_at, minutes_late,
};
use crate::error::{Error, Result};
use crate::storage::Incidents;
use crate::storage::audit::Event;
use crate::storage::entity::{incident, incident_report};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};
use serde::Deserialize;
use utoipa::ToSchema;

/// The first report of a new incident (`POST /api/v1/incidents`): what, how serious, when it
/// happened and when the school learnt of it, where, the casualties (and, by name, the people
/// hurt), what was done, who reports and their phone.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub school_id: i64,
    pub incident_type: IncidentType,
    pub level: IncidentLevel,
    pub occurred_at: DateTime<Utc>,
    /// When the school learnt of it (not before it happened, not in the future): the report
    /// clocks start here.
    pub known_at: DateTime<Utc>,
    pub place: String,
    /// What happened.
    pub summary: String,
    /// The measures taken.
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub deaths: i64,
    #[serde(default)]
    pub injured: i64,
    #[serde(default)]
    pub missing: i64,
    /// The people hurt, by name (minors: shown only to the school's managers and the bureau,
    /// never in lists or logs). No more of each casualty than the counts.
    #[serde(default)]
    pub persons: Vec<HurtPerson>,
    pub reporter: String,
    pub phone: String,
}

/// A follow-up or the final report (`POST /api/v1/incidents/{id}/reports`). Left out, the
/// level, counts, people, reporter and phone stay the previous report's.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// `follow_up` or `final` (a second `first` is 409, as is anything after the final).
    pub kind: ReportKind,
    /// How it developed since the last report (the final report: the outcome).
    pub summary: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub level: Option<IncidentLevel>,
    #[serde(default)]
    pub deaths: Option<i64>,
    #[serde(default)]
    pub injured: Option<i64>,
    #[serde(default)]
    pub missing: Option<i64>,
    #[serde(default)]
    pub persons: Option<Vec<HurtPerson>>,
    #[serde(default)]
    pub reporter: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// The incident showed a defect of the school's emergency plans: its plans in force of the
    /// types that cover this incident fall due for evaluation at once.
    #[serde(default)]
    pub plan_defect: bool,
}

fn person_error(e: PersonError) -> Error {
    match e.index {
        Some(i) => Error::field(format!("persons[{i}].{}", e.field), e.key),
        None => Error::field(e.field, e.key),
    }
}

fn clean(persons: &[HurtPerson]) -> Vec<HurtPerson> {
    persons
        .iter()
        .map(|p| HurtPerson {
            name: p.name.trim().to_string(),
            casualty: p.casualty,
            age: p.age,
            note: p.note.trim().to_string(),
        })
        .collect()
}

/// The checked content of one report.
struct Content {
    kind: ReportKind,
    level: IncidentLevel,
    deaths: i64,
    injured: i64,
    missing: i64,
    summary: String,
    measures: String,
    persons: Vec<HurtPerson>,
    reporter: String,
    phone: String,
}

impl Content {
    /// Checks the content against the incident's facts at `now` (the domain's rules).
    fn check(
        &self,
        t: IncidentType,
        occurred_at: DateTime<Utc>,
        known_at: DateTime<Utc>,
        place: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Incident {
            incident_type: t,
            level: self.level,
            occurred_at,
            known_at,
            place: place.to_string(),
            summary: self.summary.clone(),
            deaths: self.deaths,
            injured: self.injured,
            missing: self.missing,
        }
        .validate(now)
        .map_err(incident_error)?;
        if self.measures.trim().chars().count() > MAX_TEXT {
            return Err(Error::field("measures", "err.incident.too_long"));
        }
        check_reporter(&self.reporter, &self.phone).map_err(incident_error)?;
        check_persons(&self.persons, self.deaths, self.injured, self.missing)
            .map_err(person_error)?;
        Ok(())
    }
}

/// Writes one report (never changed afterwards).
#[allow(clippy::too_many_arguments)]
async fn insert_report(
    txn: &DatabaseTransaction,
    d: &Incidents<'_>,
    incident: IncidentId,
    seq: u32,
    c: &Content,
    due: DateTime<Utc>,
    late: i64,
    now: DateTime<Utc>,
) -> Result<incident_report::Model> {
    let persons = clean(&c.persons);
    Ok(incident_report::ActiveModel {
        incident_id: Set(incident),
        seq: Set(i32::try_from(seq).map_err(Error::internal)?),
        kind: Set(c.kind.as_str().into()),
        level: Set(c.level.as_str().into()),
        deaths: Set(c.deaths),
        injured: Set(c.injured),
        missing: Set(c.missing),
        summary: Set(c.summary.trim().into()),
        measures: Set(c.measures.trim().into()),
        persons_named: Set(i32::try_from(persons.len()).map_err(Error::internal)?),
        persons: Set(d.keys.seal(
            crate::storage::sealed::INCIDENT_PERSONS,
            &serde_json::to_string(&persons).map_err(Error::internal)?,
        )?),
        reporter: Set(c.reporter.trim().into()),
        phone: Set(c.phone.trim().into()),
        due_at: Set(due),
        late_minutes: Set(late),
        sent_at: Set(now),
        sent_by: Set(Some(d.actor.user_id)),
        sent_by_name: Set(d.actor.display_name.clone()),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// The audit detail of a report: counts and codes, never a name.
fn detail(school: OrgId, seq: u32, c: &Content, late: i64) -> String {
    format!(
        "school={school} seq={seq} kind={} level={} deaths={} injured={} missing={} \
         persons={} late_minutes={late}",
        c.kind,
        c.level,
        c.deaths,
        c.injured,
        c.missing,
        c.persons.len()
    )
}

impl Incidents<'_> {
    /// Registers an incident of a school in scope with its first report.
    pub async fn create(
        &self,
        input: NewIncident,
        cfg: &ReportDeadlines,
    ) -> Result<IncidentDetail> {
        let (mut tx, school) = self
            .begin_for_school(
                Event::new(IncidentAudit::Create, "incident", ""),
                OrgId(input.school_id),
            )
            .await?;
        let res: Result<(incident::Model, String)> = async {
            let now = Utc::now();
            let c = Content {
                kind: ReportKind::First,
                level: input.level,
                deaths: input.deaths,
                injured: input.injured,
                missing: input.missing,
                summary: input.summary.clone(),
                measures: input.measures.clone(),
                persons: input.persons.clone(),
                reporter: input.reporter.clone(),
                phone: input.phone.clone(),
            };
            c.check(
                input.incident_type,
                input.occurred_at,
                input.known_at,
                &input.place,
                now,
            )?;
            let seq = check_next_report(input.known_at, &[], ReportKind::First, now)
                .map_err(incident_error)?;
            let due = due_at(
                cfg,
                input.incident_type,
                input.level,
                input.known_at,
                None,
                ReportKind::First,
            );
            let late = minutes_late(now, due);
            let m = incident::ActiveModel {
                school_id: Set(school.org_id()),
                incident_type: Set(input.incident_type.as_str().into()),
                level: Set(input.level.as_str().into()),
                occurred_at: Set(input.occurred_at),
                known_at: Set(input.known_at),
                place: Set(input.place.trim().into()),
                summary: Set(input.summary.trim().into()),
                deaths: Set(input.deaths),
                injured: Set(input.injured),
                missing: Set(input.missing),
                status: Set(OPEN.into()),
                reports: Set(1),
                late_reports: Set(i32::from(late > 0)),
                last_report_at: Set(now),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(0),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            insert_report(&tx.txn, self, m.id, seq, &c, due, late, now).await?;
            let d = format!(
                "type={} {}",
                input.incident_type,
                detail(school.org_id(), seq, &c, late)
            );
            Ok((m, d))
        }
        .await;
        match res {
            Ok((m, d)) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = d;
                tx.commit().await?;
                self.get(m.id, cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Sends a follow-up or the final report of an incident in scope.
    pub async fn report(
        &self,
        id: IncidentId,
        input: NewReport,
        cfg: &ReportDeadlines,
        plans: &CoverageConfig,
    ) -> Result<IncidentDetail> {
        let mut tx = self
            .begin_owned::<incident::Entity>(Event::new(IncidentAudit::Report, "incident", id), id)
            .await?;
        let res: Result<String> = async {
            let (m, school) = self.owned::<incident::Entity>(id, &tx.txn).await?;
            let now = Utc::now();
            let prev = incident_report::Entity::find()
                .filter(incident_report::Column::IncidentId.eq(id))
                .order_by_asc(incident_report::Column::Seq)
                .all(&tx.txn)
                .await?;
            let sent: Vec<SentReport> = prev
                .iter()
                .map(|r| {
                    Ok(SentReport {
                        kind: super::parse("report kind", &r.kind)?,
                        sent_at: r.sent_at,
                    })
                })
                .collect::<Result<_>>()?;
            let seq =
                check_next_report(m.known_at, &sent, input.kind, now).map_err(incident_error)?;
            let last = prev.last().ok_or(Error::NotFound)?;
            let t: IncidentType = super::parse("incident type", &m.incident_type)?;
            let level: IncidentLevel = super::parse("level", &m.level)?;
            let c = Content {
                kind: input.kind,
                level: input.level.unwrap_or(level),
                deaths: input.deaths.unwrap_or(last.deaths),
                injured: input.injured.unwrap_or(last.injured),
                missing: input.missing.unwrap_or(last.missing),
                summary: input.summary.clone(),
                measures: input.measures.clone(),
                persons: match &input.persons {
                    Some(p) => p.clone(),
                    None => persons_of(&self.keys, last)?,
                },
                reporter: input
                    .reporter
                    .clone()
                    .unwrap_or_else(|| last.reporter.clone()),
                phone: input.phone.clone().unwrap_or_else(|| last.phone.clone()),
            };
            c.check(t, m.occurred_at, m.known_at, &m.place, now)?;
            // The deadline the school was under: the level before this report's.
            let due = due_at(cfg, t, level, m.known_at, Some(last.sent_at), input.kind);
            let late = minutes_late(now, due);
            let version = m.version;
            let res = incident::Entity::update_many()
                .col_expr(incident::Column::Level, Expr::value(c.level.as_str()))
                .col_expr(incident::Column::Deaths, Expr::value(c.deaths))
                .col_expr(incident::Column::Injured, Expr::value(c.injured))
                .col_expr(incident::Column::Missing, Expr::value(c.missing))
                .col_expr(incident::Column::Summary, Expr::value(c.summary.trim()))
                .col_expr(
                    incident::Column::Status,
                    Expr::value(if input.kind == ReportKind::Final {
                        CLOSED
                    } else {
                        OPEN
                    }),
                )
                .col_expr(
                    incident::Column::Reports,
                    Expr::value(i32::try_from(seq).map_err(Error::internal)?),
                )
                .col_expr(
                    incident::Column::LateReports,
                    Expr::value(m.late_reports + i32::from(late > 0)),
                )
                .col_expr(incident::Column::LastReportAt, Expr::value(now))
                .col_expr(incident::Column::UpdatedAt, Expr::value(now))
                .col_expr(incident::Column::Version, Expr::value(version + 1))
                .filter(incident::Column::Id.eq(id))
                .filter(incident::Column::Version.eq(version))
                .exec(&tx.txn)
                .await?;
            // Two reports sent at once never both take the same number.
            if res.rows_affected != 1 {
                return Err(Error::Conflict("err.incident.changed".into()));
            }
            insert_report(&tx.txn, self, id, seq, &c, due, late, now).await?;
            if input.plan_defect {
                crate::storage::emergency_plans::flag_defect_by_accident(
                    &tx.txn,
                    &self.actor,
                    m.school_id,
                    t.as_str(),
                    plans,
                    &format!("incident:{}", id.0),
                )
                .await?;
            }
            Ok(detail(school.org_id(), seq, &c, late))
        }
        .await;
        match res {
            Ok(d) => {
                tx.event.detail = d;
                tx.commit().await?;
                self.get(id, cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
