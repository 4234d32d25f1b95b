//! A drill (or an incident) that showed a defect of a plan makes the plans it exercised due
//! for evaluation at once: their `defect_flagged_on` is set in the transaction of the drill's
//! (or incident's) change, with a history row naming the source.

use super::{event, plan, status_of};
use crate::domain::Code;
use crate::domain::drill::DrillKind;
use crate::domain::emergency_plan::{
    CoverageConfig, ExercisedPlan, PlanForm, PlanStatus, PlanType, drill_plan_types, plans_of_types,
};
use crate::domain::ids::{OrgId, PlanId};
use crate::error::Result;
use crate::storage::Actor;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};

/// The history row's action for a flagged defect (not a lifecycle step).
pub const DEFECT_FLAGGED: &str = "defect_flagged";

/// Flags the school's plans in force that a drill of `kind` exercised
/// ([`crate::domain::emergency_plan::exercised_plans`]) as needing evaluation now; `source`
/// names what showed the defect (`drill:12`). Returns the plans flagged.
pub async fn flag_defect(
    txn: &DatabaseTransaction,
    actor: &Actor,
    school: OrgId,
    kind: DrillKind,
    source: &str,
) -> Result<Vec<PlanId>> {
    flag_types(txn, actor, school, drill_plan_types(kind), source).await
}

/// Like [`flag_defect`] for an incident that showed a defect: the plans of the types that
/// cover its accident code (an incident type such as `drowning`, or a GB 6441 class), in the
/// incident's transaction (`source`: `incident:7`).
pub async fn flag_defect_by_accident(
    txn: &DatabaseTransaction,
    actor: &Actor,
    school: OrgId,
    accident: &str,
    cfg: &CoverageConfig,
    source: &str,
) -> Result<Vec<PlanId>> {
    flag_types(txn, actor, school, &cfg.plan_types_for(accident), source).await
}

async fn flag_types(
    txn: &DatabaseTransaction,
    actor: &Actor,
    school: OrgId,
    types: &[PlanType],
    source: &str,
) -> Result<Vec<PlanId>> {
    let rows = plan::Entity::find()
        .filter(plan::Column::OrgId.eq(school))
        .all(txn)
        .await?;
    let in_force: Vec<ExercisedPlan<PlanId>> = rows
        .iter()
        .filter(|m| status_of(m).is_in_force())
        .filter_map(|m| {
            Some(ExercisedPlan {
                id: m.id,
                plan_type: PlanType::parse(&m.plan_type)?,
                form: PlanForm::parse(&m.form)?,
            })
        })
        .collect();
    let ids = plans_of_types(types, &in_force);
    let today = crate::storage::risk_points::today();
    let now = Utc::now();
    for m in rows.into_iter().filter(|m| ids.contains(&m.id)) {
        let status: PlanStatus = status_of(&m);
        let id = m.id;
        let version = m.version;
        let mut am: plan::ActiveModel = m.into();
        am.defect_flagged_on = Set(Some(today));
        am.defect_note = Set(source.to_string());
        am.updated_at = Set(now);
        am.version = Set(version + 1);
        plan::Entity::update_many()
            .set(am)
            .filter(plan::Column::Id.eq(id))
            .exec(txn)
            .await?;
        let last = event::Entity::find()
            .filter(event::Column::PlanId.eq(id))
            .order_by_desc(event::Column::Seq)
            .one(txn)
            .await?
            .map_or(0, |e| e.seq);
        event::ActiveModel {
            plan_id: Set(id),
            seq: Set(last + 1),
            action: Set(DEFECT_FLAGGED.into()),
            from_status: Set(status.as_str().into()),
            to_status: Set(status.as_str().into()),
            round: Set(0),
            by_user: Set(Some(actor.user_id)),
            by_name: Set(actor.display_name.clone()),
            reviewer_id: Set(None),
            reviewer_name: Set(String::new()),
            conclusion: Set(None),
            note: Set(source.to_string()),
            at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(ids)
}
