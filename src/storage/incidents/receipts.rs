//! The bureau's side of a report — its receipt (acknowledged; reported upward: to whom,
//! when) — and the audited view of the people hurt.

use super::{IncidentAudit, Receipt, persons_of};
use crate::domain::Code;
use crate::domain::ids::IncidentId;
use crate::domain::incident::{HurtPerson, MAX_NAME, ReportKind};
use crate::domain::org::OrgLevel;
use crate::error::{Error, FieldError, Result};
use crate::storage::Incidents;
use crate::storage::audit::Event;
use crate::storage::entity::{incident, incident_receipt, incident_report, org};
use crate::storage::orgs::invalid;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A bureau's receipt of a report (`POST /api/v1/incidents/{id}/receipts`): the report's
/// number, and — now or later, once — to whom and when the bureau reported it upward.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReceipt {
    pub seq: i32,
    /// Whom the bureau reported it to (e.g. 市教育局总值班室).
    #[serde(default)]
    pub forwarded_to: Option<String>,
    #[serde(default)]
    pub forwarded_at: Option<DateTime<Utc>>,
}

/// The people one report names.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportPersons {
    pub seq: i32,
    pub kind: ReportKind,
    pub persons: Vec<HurtPerson>,
}

impl Incidents<'_> {
    /// Records the caller's bureau's receipt of report `seq`: the first call acknowledges it
    /// (true: created); a repeat changes nothing, unless it brings the report upward that was
    /// not recorded yet. Recording a second report upward is 409.
    pub async fn receipt(&self, id: IncidentId, input: NewReceipt) -> Result<(Receipt, bool)> {
        let mut tx = self
            .begin_owned::<incident::Entity>(Event::new(IncidentAudit::Receipt, "incident", id), id)
            .await?;
        let res: Result<(incident_receipt::Model, org::Model, bool)> = async {
            self.owned::<incident::Entity>(id, &tx.txn).await?;
            let bureau_id = self.actor.org_id.ok_or(Error::Forbidden)?;
            let bureau = self.org_row(bureau_id, &tx.txn).await?;
            if bureau.level == OrgLevel::School.as_str() {
                return Err(Error::Forbidden);
            }
            let report = incident_report::Entity::find()
                .filter(incident_report::Column::IncidentId.eq(id))
                .filter(incident_report::Column::Seq.eq(input.seq))
                .one(&tx.txn)
                .await?
                .ok_or_else(|| Error::field("seq", "err.incident.no_such_report"))?;
            let now = Utc::now();
            let to = input
                .forwarded_to
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            let mut errs = Vec::new();
            match (&to, input.forwarded_at) {
                (Some(t), Some(at)) => {
                    if t.chars().count() > 2 * MAX_NAME {
                        errs.push(FieldError::new("forwarded_to", "err.incident.too_long"));
                    }
                    if at > now {
                        errs.push(FieldError::new("forwarded_at", "err.incident.future"));
                    } else if at.timestamp().div_euclid(60)
                        < report.sent_at.timestamp().div_euclid(60)
                    {
                        // To the minute: a form's time has no seconds.
                        errs.push(FieldError::new(
                            "forwarded_at",
                            "err.incident.forwarded_before_sent",
                        ));
                    }
                }
                (None, None) => {}
                (None, Some(_)) => errs.push(FieldError::new("forwarded_to", "err.required")),
                (Some(_), None) => errs.push(FieldError::new("forwarded_at", "err.required")),
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let forward = to.zip(input.forwarded_at);
            let existing = incident_receipt::Entity::find()
                .filter(incident_receipt::Column::ReportId.eq(report.id))
                .filter(incident_receipt::Column::OrgId.eq(bureau.id))
                .one(&tx.txn)
                .await?;
            let (m, created) = match (existing, forward) {
                (Some(m), None) => (m, false),
                (Some(m), Some(_)) if m.forwarded_at.is_some() => {
                    return Err(Error::Conflict("err.incident.forwarded".into()));
                }
                (Some(m), Some((to, at))) => {
                    let mut am = m.into_active_model();
                    am.forwarded_to = Set(Some(to));
                    am.forwarded_at = Set(Some(at));
                    am.forwarded_by_name = Set(self.actor.display_name.clone());
                    (am.update(&tx.txn).await?, false)
                }
                (None, forward) => {
                    let (to, at) = forward.unzip();
                    let m = incident_receipt::ActiveModel {
                        report_id: Set(report.id),
                        incident_id: Set(id),
                        org_id: Set(bureau.id),
                        acknowledged_at: Set(now),
                        acknowledged_by: Set(Some(self.actor.user_id)),
                        acknowledged_by_name: Set(self.actor.display_name.clone()),
                        forwarded_by_name: Set(if to.is_some() {
                            self.actor.display_name.clone()
                        } else {
                            String::new()
                        }),
                        forwarded_to: Set(to),
                        forwarded_at: Set(at),
                        ..Default::default()
                    }
                    .insert(&tx.txn)
                    .await?;
                    (m, true)
                }
            };
            Ok((m, bureau, created))
        }
        .await;
        match res {
            Ok((m, bureau, created)) => {
                tx.event.detail = format!(
                    "seq={} org={} {} forwarded={}",
                    input.seq,
                    bureau.id,
                    if created { "new" } else { "again" },
                    m.forwarded_at.is_some()
                );
                tx.commit().await?;
                Ok((
                    Receipt {
                        org: bureau.into(),
                        acknowledged_at: m.acknowledged_at,
                        acknowledged_by_name: m.acknowledged_by_name,
                        forwarded_to: m.forwarded_to,
                        forwarded_at: m.forwarded_at,
                        forwarded_by_name: m.forwarded_by_name,
                    },
                    created,
                ))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The people an incident's reports name, for the school's managers and the bureau. Every
    /// call is a view of minors' data and is audited (`incident.view_persons`), in the same
    /// transaction as the read: no audit row, no names.
    pub async fn persons(&self, id: IncidentId) -> Result<Vec<ReportPersons>> {
        let mut tx = self
            .begin_owned::<incident::Entity>(
                Event::new(IncidentAudit::ViewPersons, "incident", id),
                id,
            )
            .await?;
        let res: Result<Vec<ReportPersons>> = async {
            self.owned::<incident::Entity>(id, &tx.txn).await?;
            let rows = incident_report::Entity::find()
                .filter(incident_report::Column::IncidentId.eq(id))
                .order_by_asc(incident_report::Column::Seq)
                .all(&tx.txn)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(ReportPersons {
                        seq: r.seq,
                        kind: ReportKind::parse(&r.kind).ok_or_else(|| {
                            Error::internal(anyhow::anyhow!("stored report kind {}", r.kind))
                        })?,
                        persons: persons_of(&self.keys, r)?,
                    })
                })
                .collect()
        }
        .await;
        match res {
            Ok(v) => {
                let named: usize = v.iter().map(|r| r.persons.len()).sum();
                tx.event.detail = format!("reports={} persons={named}", v.len());
                tx.commit().await?;
                Ok(v)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
