//! Incident reports (紧急信息报告, F-EMG-4) through a [`Scoped`] handle. A school's
//! principal or safety director reports an incident — its first report, then follow-ups and a
//! final report, numbered versions of one incident, each immutable once sent (no route
//! changes one, and a trigger refuses an UPDATE or DELETE of `incident_reports`). The order
//! is the domain's [`check_next_report`]: anything out of sequence (a second first report, a
//! report after the final) is 409.
//!
//! **Deadlines.** Every report is due by [`due_at`] under `[incidents]` (the first within an
//! hour of `known_at`, public-health events two; follow-ups daily, twice a day from serious
//! up; the final report within 30 days). The instant it was due and how late it was (迟报) are
//! stored with the report when it is sent — the record does not move when the configuration
//! does. The running clocks ([`clocks`]) are computed when read; the sweep raises a warning
//! for a report past its deadline ([`super::warning_sweep`]).
//!
//! **The people hurt are minors.** Their names (`incident_reports.persons`) are read only by
//! [`Incidents::persons`], under `IncidentPersons` (the school's managers and the bureau),
//! and each read appends an `incident.view_persons` audit row in its own transaction; lists,
//! exports, the detail and the audit log carry counts only.
//!
//! **Receipts.** A bureau acknowledges each report and records its own report upward (to
//! whom, when) — one receipt per report and bureau ([`receipts`]).
//!
//! [`Scoped`]: super::Scoped

use super::entity::{incident, incident_receipt, incident_report, org};
use super::read::read_row;
use super::views::OrgRef;
use crate::domain::Code;
use crate::domain::ids::{IncidentId, OrgId};
use crate::domain::incident::{
    Clocks, Due, HurtPerson, IncidentCategory, IncidentError, IncidentLevel, IncidentType,
    ReportDeadlines, ReportKind, SentReport, clocks,
};
use crate::error::{Error, Result};
use crate::storage::Incidents;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

mod receipts;
mod send;

pub use receipts::{NewReceipt, ReportPersons};
pub use send::{NewIncident, NewReport};

closed_codes! {
    AuditCode:
    /// What incident reports record.
    pub enum IncidentAudit {
        Create = "incident.create",
        Report = "incident.report",
        Receipt = "incident.receipt",
        ViewPersons = "incident.view_persons",
    }
}

/// Most incidents a list shows (the newest).
pub const LIST_LIMIT: u64 = 500;

const OPEN: &str = "open";
const CLOSED: &str = "closed";

/// An incident as lists show it: no account of what happened and no names, only counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentSummary {
    pub id: IncidentId,
    pub school_id: OrgId,
    pub school_code: String,
    pub school_name: String,
    pub incident_type: IncidentType,
    pub category: IncidentCategory,
    /// The latest report's level.
    pub level: IncidentLevel,
    pub occurred_at: DateTime<Utc>,
    /// When the school learnt of it: the clocks start here.
    pub known_at: DateTime<Utc>,
    pub place: String,
    /// The latest report's counts.
    pub deaths: i64,
    pub injured: i64,
    pub missing: i64,
    /// The final report has been sent.
    pub closed: bool,
    /// Reports sent so far.
    pub reports: i32,
    /// Reports sent after their deadline (迟报), as recorded when each was sent.
    pub late_reports: i32,
    pub last_report_at: DateTime<Utc>,
    /// The next report due, and when (none once closed).
    pub next: Option<Due>,
    /// The next report is past its deadline now.
    pub overdue: bool,
    pub overdue_minutes: i64,
}

/// A bureau's receipt of one report: acknowledged, and reported upward (to whom, when).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    pub org: OrgRef,
    pub acknowledged_at: DateTime<Utc>,
    pub acknowledged_by_name: String,
    pub forwarded_to: Option<String>,
    pub forwarded_at: Option<DateTime<Utc>>,
    pub forwarded_by_name: String,
}

/// One report as sent: never changed afterwards. The people hurt appear as counts; their
/// names only through the audited `persons` route.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    /// 1 for the first report, then in order.
    pub seq: i32,
    pub kind: ReportKind,
    pub level: IncidentLevel,
    pub deaths: i64,
    pub injured: i64,
    pub missing: i64,
    /// What happened, or how it developed since.
    pub summary: String,
    pub measures: String,
    /// How many of the people hurt the report names.
    pub persons_named: i32,
    pub reporter: String,
    pub phone: String,
    /// Its deadline when it was sent.
    pub due_at: DateTime<Utc>,
    /// Sent after the deadline (迟报), and by how many minutes.
    pub late: bool,
    pub late_minutes: i64,
    pub sent_at: DateTime<Utc>,
    pub sent_by_name: String,
    /// The bureaus' receipts, the nearest first.
    pub receipts: Vec<Receipt>,
}

/// One incident with its reports and running clocks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentDetail {
    pub incident: IncidentSummary,
    /// The latest report's account and measures.
    pub summary: String,
    pub measures: String,
    /// The clocks now (the next report due, overdue, the final report's deadline).
    pub clocks: Clocks,
    /// In order, the first report first.
    pub reports: Vec<ReportView>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// The list's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IncidentFilter {
    /// One school's incidents.
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub school_id: Option<i64>,
    /// `open` or `closed`.
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub status: Option<String>,
}

read_row! {
    /// An incident as a list shows it, its school's name joined in.
    struct IncidentLine {
        id: i64 = Expr::col((incident::Entity, incident::Column::Id)),
        school_id: i64 = Expr::col((incident::Entity, incident::Column::SchoolId)),
        school_code: String = Expr::col((org::Entity, org::Column::Code)),
        school_name: String = Expr::col((org::Entity, org::Column::Name)),
        incident_type: String = Expr::col((incident::Entity, incident::Column::IncidentType)),
        level: String = Expr::col((incident::Entity, incident::Column::Level)),
        occurred_at: DateTime<Utc> = Expr::col((incident::Entity, incident::Column::OccurredAt)),
        known_at: DateTime<Utc> = Expr::col((incident::Entity, incident::Column::KnownAt)),
        place: String = Expr::col((incident::Entity, incident::Column::Place)),
        deaths: i64 = Expr::col((incident::Entity, incident::Column::Deaths)),
        injured: i64 = Expr::col((incident::Entity, incident::Column::Injured)),
        missing: i64 = Expr::col((incident::Entity, incident::Column::Missing)),
        status: String = Expr::col((incident::Entity, incident::Column::Status)),
        reports: i32 = Expr::col((incident::Entity, incident::Column::Reports)),
        late_reports: i32 = Expr::col((incident::Entity, incident::Column::LateReports)),
        last_report_at: DateTime<Utc> =
            Expr::col((incident::Entity, incident::Column::LastReportAt)),
    }
}

read_row! {
    /// A report without the names of the people hurt.
    struct ReportLine {
        id: i64 = Expr::col(incident_report::Column::Id),
        seq: i32 = Expr::col(incident_report::Column::Seq),
        kind: String = Expr::col(incident_report::Column::Kind),
        level: String = Expr::col(incident_report::Column::Level),
        deaths: i64 = Expr::col(incident_report::Column::Deaths),
        injured: i64 = Expr::col(incident_report::Column::Injured),
        missing: i64 = Expr::col(incident_report::Column::Missing),
        summary: String = Expr::col(incident_report::Column::Summary),
        measures: String = Expr::col(incident_report::Column::Measures),
        persons_named: i32 = Expr::col(incident_report::Column::PersonsNamed),
        reporter: String = Expr::col(incident_report::Column::Reporter),
        phone: String = Expr::col(incident_report::Column::Phone),
        due_at: DateTime<Utc> = Expr::col(incident_report::Column::DueAt),
        late_minutes: i64 = Expr::col(incident_report::Column::LateMinutes),
        sent_at: DateTime<Utc> = Expr::col(incident_report::Column::SentAt),
        sent_by_name: String = Expr::col(incident_report::Column::SentByName),
    }
}

fn parse<T: Code>(what: &str, v: &str) -> Result<T> {
    T::parse(v).ok_or_else(|| Error::internal(anyhow::anyhow!("stored {what} {v}")))
}

/// A domain error as the API's: 422 on the field, or 409 for a report out of sequence.
pub(super) fn incident_error(e: IncidentError) -> Error {
    match e {
        IncidentError::Invalid { field, key } => Error::field(field, key),
        IncidentError::Sequence { key } => Error::Conflict(key.into()),
    }
}

/// The reports' kinds and instants, per incident.
type Sent = HashMap<IncidentId, Vec<SentReport>>;

impl IncidentLine {
    fn summary(
        self,
        cfg: &ReportDeadlines,
        sent: &Sent,
        now: DateTime<Utc>,
    ) -> Result<IncidentSummary> {
        let id = IncidentId(self.id);
        let t: IncidentType = parse("incident type", &self.incident_type)?;
        let level: IncidentLevel = parse("level", &self.level)?;
        let reports = sent.get(&id).map(Vec::as_slice).unwrap_or_default();
        let c = clocks(cfg, t, level, self.known_at, reports, now);
        Ok(IncidentSummary {
            id,
            school_id: OrgId(self.school_id),
            school_code: self.school_code,
            school_name: self.school_name,
            incident_type: t,
            category: t.category(),
            level,
            occurred_at: self.occurred_at,
            known_at: self.known_at,
            place: self.place,
            deaths: self.deaths,
            injured: self.injured,
            missing: self.missing,
            closed: self.status == CLOSED,
            reports: self.reports,
            late_reports: self.late_reports,
            last_report_at: self.last_report_at,
            next: c.next,
            overdue: c.overdue,
            overdue_minutes: c.overdue_minutes,
        })
    }
}

/// `FROM incidents JOIN orgs` (the school), with the list's columns.
fn lines() -> sea_orm::sea_query::SelectStatement {
    let mut q = Query::select();
    IncidentLine::select(&mut q)
        .from(incident::Entity)
        .inner_join(
            org::Entity,
            Expr::col((org::Entity, org::Column::Id))
                .equals((incident::Entity, incident::Column::SchoolId)),
        );
    q
}

impl Incidents<'_> {
    /// The (kind, sent instant) of every report of `ids`.
    async fn sent(&self, ids: &[IncidentId]) -> Result<Sent> {
        if ids.is_empty() {
            return Ok(Sent::new());
        }
        let q = Query::select()
            .columns([
                incident_report::Column::IncidentId,
                incident_report::Column::Kind,
                incident_report::Column::SentAt,
            ])
            .from(incident_report::Entity)
            .and_where(
                Expr::col(incident_report::Column::IncidentId)
                    .is_in(ids.iter().map(|i| i.0).collect::<Vec<_>>()),
            )
            .order_by(incident_report::Column::Seq, Order::Asc)
            .to_owned();
        let rows: Vec<(i64, String, DateTime<Utc>)> = self.read.all(&q).await?;
        let mut out = Sent::new();
        for (id, kind, sent_at) in rows {
            out.entry(IncidentId(id)).or_default().push(SentReport {
                kind: parse("report kind", &kind)?,
                sent_at,
            });
        }
        Ok(out)
    }

    /// The incidents the caller sees (its schools'), the most recently known first; at most
    /// [`LIST_LIMIT`].
    pub async fn list(
        &self,
        f: &IncidentFilter,
        cfg: &ReportDeadlines,
    ) -> Result<Vec<IncidentSummary>> {
        let mut q = lines();
        q.cond_where(self.org_scope());
        if let Some(s) = f.school_id {
            let s = self.school_row(OrgId(s), &self.read).await?;
            q.and_where(Expr::col((incident::Entity, incident::Column::SchoolId)).eq(s.id.0));
        }
        self.permit()?;
        match f.status.as_deref().map(str::trim) {
            None | Some("") => {}
            Some(s @ (OPEN | CLOSED)) => {
                q.and_where(Expr::col((incident::Entity, incident::Column::Status)).eq(s));
            }
            Some(_) => return Err(Error::field("status", "err.incident.status")),
        }
        q.order_by((incident::Entity, incident::Column::KnownAt), Order::Desc)
            .order_by((incident::Entity, incident::Column::Id), Order::Desc)
            .limit(LIST_LIMIT);
        let rows: Vec<IncidentLine> = self.read.all(&q).await?;
        let ids: Vec<IncidentId> = rows.iter().map(|r| IncidentId(r.id)).collect();
        let sent = self.sent(&ids).await?;
        let now = Utc::now();
        rows.into_iter()
            .map(|r| r.summary(cfg, &sent, now))
            .collect()
    }

    /// Scope (a school), then role, for the form of a school's first report (404, then 403).
    pub async fn check_school(&self, school: OrgId) -> Result<()> {
        self.school_row(school, &self.read).await?;
        self.permit()
    }

    /// Scope, then role, for a page or form about an incident (404, then 403).
    pub async fn check(&self, id: IncidentId) -> Result<()> {
        self.owned::<incident::Entity>(id, &self.read).await?;
        self.permit()
    }

    /// One incident with its reports, their receipts and the clocks now.
    pub async fn get(&self, id: IncidentId, cfg: &ReportDeadlines) -> Result<IncidentDetail> {
        let (m, _) = self.owned::<incident::Entity>(id, &self.read).await?;
        self.permit()?;
        let mut q = lines();
        q.and_where(Expr::col((incident::Entity, incident::Column::Id)).eq(id.0));
        let line: IncidentLine = self.read.one(&q).await?.ok_or(Error::NotFound)?;
        let sent = self.sent(&[id]).await?;
        let now = Utc::now();
        let t: IncidentType = parse("incident type", &m.incident_type)?;
        let level: IncidentLevel = parse("level", &m.level)?;
        let c = clocks(
            cfg,
            t,
            level,
            m.known_at,
            sent.get(&id).map(Vec::as_slice).unwrap_or_default(),
            now,
        );
        let mut rq = Query::select();
        ReportLine::select(&mut rq)
            .from(incident_report::Entity)
            .and_where(Expr::col(incident_report::Column::IncidentId).eq(id.0))
            .order_by(incident_report::Column::Seq, Order::Asc);
        let lines: Vec<ReportLine> = self.read.all(&rq).await?;
        let mut receipts = self.receipts_of(id).await?;
        let mut reports = Vec::with_capacity(lines.len());
        for r in lines {
            reports.push(ReportView {
                seq: r.seq,
                kind: parse("report kind", &r.kind)?,
                level: parse("level", &r.level)?,
                deaths: r.deaths,
                injured: r.injured,
                missing: r.missing,
                summary: r.summary,
                measures: r.measures,
                persons_named: r.persons_named,
                reporter: r.reporter,
                phone: r.phone,
                due_at: r.due_at,
                late: r.late_minutes > 0,
                late_minutes: r.late_minutes,
                sent_at: r.sent_at,
                sent_by_name: r.sent_by_name,
                receipts: receipts.remove(&r.id).unwrap_or_default(),
            });
        }
        let latest = reports.last();
        Ok(IncidentDetail {
            summary: latest.map(|r| r.summary.clone()).unwrap_or(m.summary),
            measures: latest.map(|r| r.measures.clone()).unwrap_or_default(),
            incident: line.summary(cfg, &sent, now)?,
            clocks: c,
            reports,
            created_by_name: m.created_by_name,
            created_at: m.created_at,
        })
    }

    /// The receipts of an incident's reports, by report id, the nearest bureau first.
    async fn receipts_of(&self, id: IncidentId) -> Result<HashMap<i64, Vec<Receipt>>> {
        let rows = incident_receipt::Entity::find()
            .filter(incident_receipt::Column::IncidentId.eq(id))
            .read_all(&self.read)
            .await?;
        let orgs: HashMap<OrgId, org::Model> = org::Entity::find()
            .filter(org::Column::Id.is_in(rows.iter().map(|r| r.org_id).collect::<Vec<_>>()))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let mut out: HashMap<i64, Vec<(usize, Receipt)>> = HashMap::new();
        for r in rows {
            let Some(o) = orgs.get(&r.org_id) else {
                continue;
            };
            let depth = o.path.len();
            out.entry(r.report_id.0).or_default().push((
                depth,
                Receipt {
                    org: o.clone().into(),
                    acknowledged_at: r.acknowledged_at,
                    acknowledged_by_name: r.acknowledged_by_name,
                    forwarded_to: r.forwarded_to,
                    forwarded_at: r.forwarded_at,
                    forwarded_by_name: r.forwarded_by_name,
                },
            ));
        }
        Ok(out
            .into_iter()
            .map(|(k, mut v)| {
                // The nearest bureau (the longest path) first.
                v.sort_by_key(|(depth, _)| std::cmp::Reverse(*depth));
                (k, v.into_iter().map(|(_, r)| r).collect())
            })
            .collect())
    }

    /// The incidents of a school in scope that a daily report may name: its open ones and
    /// those known in the last `days` days, newest first (no role check: the caller's route
    /// checked its own).
    pub async fn recent_of_school(&self, school: OrgId, days: i64) -> Result<Vec<IncidentRef>> {
        let s = self.school_row(school, &self.read).await?;
        let since = Utc::now() - chrono::Duration::days(days);
        let mut q = lines();
        q.and_where(Expr::col((incident::Entity, incident::Column::SchoolId)).eq(s.id.0))
            .cond_where(
                sea_orm::Condition::any()
                    .add(Expr::col((incident::Entity, incident::Column::Status)).eq(OPEN))
                    .add(Expr::col((incident::Entity, incident::Column::KnownAt)).gte(since)),
            )
            .order_by((incident::Entity, incident::Column::KnownAt), Order::Desc)
            .limit(50);
        let rows: Vec<IncidentLine> = self.read.all(&q).await?;
        rows.into_iter()
            .map(|r| {
                Ok(IncidentRef {
                    id: IncidentId(r.id),
                    incident_type: parse("incident type", &r.incident_type)?,
                    level: parse("level", &r.level)?,
                    known_at: r.known_at,
                    place: r.place,
                    closed: r.status == CLOSED,
                })
            })
            .collect()
    }
}

/// An incident named in short (a daily report's link).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentRef {
    pub id: IncidentId,
    pub incident_type: IncidentType,
    pub level: IncidentLevel,
    pub known_at: DateTime<Utc>,
    pub place: String,
    pub closed: bool,
}

/// The people hurt of a stored report (sealed JSON), for those allowed to see them.
fn persons_of(
    keys: &crate::storage::sealed::Keyring,
    m: &incident_report::Model,
) -> Result<Vec<HurtPerson>> {
    let json = keys.open(crate::storage::sealed::INCIDENT_PERSONS, &m.persons)?;
    Ok(serde_json::from_str(&json).unwrap_or_default())
}
