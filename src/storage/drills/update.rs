//! A change to a drill: move the plan, record it held, evaluate it, cancel it.

use super::{
    Drill, DrillAudit, DrillPatch, Evaluation, ILLEGAL, STALE, apply_record, check_text, drill,
    flag_plans, invalid, photos,
};
use crate::domain::Code;
use crate::domain::drill::{DrillConfig, DrillKind, DrillNotice, DrillStatus, DrillStep};
use crate::domain::ids::{DrillId, HazardId};
use crate::error::{Error, FieldError, Result};
use crate::storage::Drills;
use crate::storage::audit::Event;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel};

impl Drills<'_> {
    /// Moves, records, evaluates or cancels a drill of a school in scope (see [`DrillPatch`]).
    pub async fn update(&self, id: DrillId, p: DrillPatch, cfg: &DrillConfig) -> Result<Drill> {
        let audit = if p.status == Some(DrillStatus::Cancelled) {
            DrillAudit::Cancel
        } else if p.held.is_some() {
            DrillAudit::Record
        } else {
            DrillAudit::Update
        };
        let mut tx = self
            .begin_owned::<drill::Entity>(Event::new(audit, "drill", id), id)
            .await?;
        let res: Result<drill::Model> = async {
            let (m, school) = self.owned::<drill::Entity>(id, &tx.txn).await?;
            if p.version.is_some_and(|v| v != m.version) {
                return Err(Error::Conflict(STALE.into()));
            }
            let today = crate::storage::risk_points::today();
            let status = DrillStatus::parse(&m.status).unwrap_or(DrillStatus::Planned);
            let kind = p
                .kind
                .unwrap_or_else(|| DrillKind::parse(&m.kind).unwrap_or(DrillKind::Evacuation));
            let notice = p
                .notice
                .unwrap_or_else(|| DrillNotice::parse(&m.notice).unwrap_or(DrillNotice::Announced));
            let ev = Evaluation {
                problems: p.problems.as_ref(),
                rating: p.rating,
                evaluation: p.evaluation.as_ref(),
                plan_needs_revision: p.plan_needs_revision,
                hazards: &p.hazards,
            };
            let replan = p.planned_on.is_some() || p.buildings.is_some();
            let retype = p.kind.is_some() || p.notice.is_some();
            let mut steps = Vec::new();
            match p.status {
                Some(DrillStatus::Cancelled) => steps.push(DrillStep::Cancel),
                Some(DrillStatus::Held) if p.held.is_none() && status != DrillStatus::Held => {
                    return Err(Error::field("held", "err.required"));
                }
                Some(DrillStatus::Planned) if status != DrillStatus::Planned => {
                    return Err(Error::Conflict(ILLEGAL.into()));
                }
                _ => {}
            }
            if replan {
                steps.push(DrillStep::Replan);
            }
            // A kind or notice may change with the record or while planned.
            if retype && p.held.is_none() {
                steps.push(DrillStep::Replan);
            }
            if p.held.is_some() {
                steps.push(DrillStep::Record);
            }
            let after_record = if p.held.is_some() {
                DrillStatus::Held
            } else {
                status
            };
            // Photos belong to a plan or a held drill, not to a cancelled one.
            if p.photo_ids.is_some() && status == DrillStatus::Cancelled {
                return Err(Error::Conflict(ILLEGAL.into()));
            }
            if steps.iter().any(|s| !status.allows(*s))
                || (ev.any() && !after_record.allows(DrillStep::Evaluate))
                || (steps.contains(&DrillStep::Cancel) && steps.len() > 1)
            {
                return Err(Error::Conflict(ILLEGAL.into()));
            }
            let mut errs = Vec::new();
            if let Some(b) = &p.buildings {
                check_text("buildings", b, &mut errs);
            }
            if let Some(d) = p.planned_on
                && d < today
                && p.held.is_none()
            {
                errs.push(FieldError::new("planned_on", "err.drill.plan_past"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let hazard_ids: Vec<HazardId> = serde_json::from_str(&m.hazard_ids).unwrap_or_default();
            let version = m.version;
            let flagged_before = m.plan_needs_revision;
            let mut am = m.clone().into_active_model();
            am.kind = Set(kind.as_str().into());
            am.notice = Set(notice.as_str().into());
            if let Some(d) = p.planned_on {
                am.planned_on = Set(Some(d));
            }
            if let Some(b) = &p.buildings {
                am.buildings = Set(b.trim().into());
            }
            if steps.contains(&DrillStep::Cancel) {
                am.status = Set(DrillStatus::Cancelled.as_str().into());
            }
            if let Some(h) = &p.held {
                apply_record(&mut am, kind, notice, h, today, cfg)?;
            }
            if ev.any() {
                self.evaluate(&tx.txn, &mut am, school.org_id(), &ev, hazard_ids)
                    .await?;
            }
            if let Some(list) = &p.photo_ids {
                am.photo_ids = Set(photos(&tx.txn, school.org_id(), list).await?);
            }
            am.updated_by = Set(Some(self.actor.user_id));
            am.updated_at = Set(Utc::now());
            am.version = Set(version + 1);
            // Two people saving at once never both win.
            let res = drill::Entity::update_many()
                .set(am)
                .filter(drill::Column::Id.eq(id))
                .filter(drill::Column::Version.eq(version))
                .exec(&tx.txn)
                .await?;
            if res.rows_affected != 1 {
                return Err(Error::Conflict(STALE.into()));
            }
            let m = drill::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if m.plan_needs_revision && !flagged_before {
                flag_plans(&tx.txn, &self.actor, &m).await?;
            }
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.detail = format!(
                    "status={} held_on={} hazards={}",
                    m.status,
                    m.held_on.map(|d| d.to_string()).unwrap_or_default(),
                    m.hazard_ids
                );
                tx.commit().await?;
                self.get(id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
