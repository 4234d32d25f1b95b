//! Writing a plan's contents inside the caller's transaction: a new plan, an edit (items and
//! obligations matched by id), and the version snapshot every change stores.

use super::{PlanItem, WorkPlanPatch, assemble, check, content_of};
use crate::domain::Code;
use crate::domain::ids::{ObligationId, OrgId, PlanItemId, WorkPlanId};
use crate::domain::work_plan::{ItemInput, PlanContent};
use crate::error::{Error, Result};
use crate::storage::Actor;
use crate::storage::entity::{work_plan, work_plan_item, work_plan_obligation, work_plan_version};
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};

const EXISTS: &str = "err.work_plan.exists";
const STALE: &str = "err.work_plan.changed";
const UNKNOWN_ID: &str = "err.work_plan.unknown_id";

/// The items and obligations of a plan, read in the transaction.
pub(super) async fn items_in(txn: &DatabaseTransaction, plan: WorkPlanId) -> Result<Vec<PlanItem>> {
    let items = work_plan_item::Entity::find()
        .filter(work_plan_item::Column::PlanId.eq(plan))
        .order_by_asc(work_plan_item::Column::Number)
        .all(txn)
        .await?;
    let obligations = work_plan_obligation::Entity::find()
        .filter(work_plan_obligation::Column::PlanId.eq(plan))
        .order_by_asc(work_plan_obligation::Column::Position)
        .order_by_asc(work_plan_obligation::Column::Id)
        .all(txn)
        .await?;
    Ok(assemble(items, obligations))
}

/// A new plan with its contents (already checked) and its first version.
pub(super) async fn insert_plan(
    txn: &DatabaseTransaction,
    actor: &Actor,
    district: OrgId,
    year: i32,
    content: &PlanContent,
    note: &str,
) -> Result<work_plan::Model> {
    let taken = work_plan::Entity::find()
        .filter(work_plan::Column::DistrictId.eq(district))
        .filter(work_plan::Column::Year.eq(year))
        .count(txn)
        .await?;
    if taken > 0 {
        return Err(Error::Conflict(EXISTS.into()));
    }
    let now = Utc::now();
    let plan = work_plan::ActiveModel {
        district_id: Set(district),
        year: Set(year),
        title: Set(content.title.trim().to_string()),
        version: Set(1),
        updated_at: Set(now),
        created_by: Set(Some(actor.user_id)),
        created_by_name: Set(actor.display_name.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    write_items(txn, plan.id, &content.items).await?;
    snapshot(txn, actor, &plan, note).await?;
    Ok(plan)
}

/// Applies a patch: the title, the items (matched by id; new ones added, missing ones
/// removed), then bumps the version and stores its snapshot.
pub(super) async fn update_plan(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: WorkPlanId,
    patch: WorkPlanPatch,
) -> Result<work_plan::Model> {
    let plan = work_plan::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    if patch.version.is_some_and(|v| v != plan.version) {
        return Err(Error::Conflict(STALE.into()));
    }
    let current = items_in(txn, id).await?;
    let mut content = content_of(&plan.title, &current);
    if let Some(t) = &patch.title {
        content.title = t.clone();
    }
    if let Some(items) = patch.items {
        content.items = items;
    }
    check(&content)?;
    if patch.note.chars().count() > 200 {
        return Err(Error::field("note", "err.work_plan.too_long"));
    }
    // Ids given must be this plan's.
    let item_ids: Vec<PlanItemId> = current.iter().map(|i| i.id).collect();
    let ob_ids: Vec<ObligationId> = current
        .iter()
        .flat_map(|i| i.obligations.iter().map(|o| o.id))
        .collect();
    for (i, it) in content.items.iter().enumerate() {
        if it.id.is_some_and(|x| !item_ids.contains(&x)) {
            return Err(Error::field(format!("items[{i}].id"), UNKNOWN_ID));
        }
        for (j, o) in it.obligations.iter().enumerate() {
            if o.id.is_some_and(|x| !ob_ids.contains(&x)) {
                return Err(Error::field(
                    format!("items[{i}].obligations[{j}].id"),
                    UNKNOWN_ID,
                ));
            }
        }
    }
    // Remove what is no longer listed, then write the rest.
    let kept_items: Vec<PlanItemId> = content.items.iter().filter_map(|i| i.id).collect();
    let kept_obs: Vec<ObligationId> = content
        .items
        .iter()
        .flat_map(|i| i.obligations.iter().filter_map(|o| o.id))
        .collect();
    work_plan_obligation::Entity::delete_many()
        .filter(work_plan_obligation::Column::PlanId.eq(id))
        .filter(work_plan_obligation::Column::Id.is_not_in(kept_obs))
        .exec(txn)
        .await?;
    work_plan_item::Entity::delete_many()
        .filter(work_plan_item::Column::PlanId.eq(id))
        .filter(work_plan_item::Column::Id.is_not_in(kept_items))
        .exec(txn)
        .await?;
    write_items(txn, id, &content.items).await?;
    let mut am: work_plan::ActiveModel = plan.clone().into();
    am.title = Set(content.title.trim().to_string());
    am.version = Set(plan.version + 1);
    am.updated_at = Set(Utc::now());
    let plan = am.update(txn).await?;
    snapshot(txn, actor, &plan, &patch.note).await?;
    Ok(plan)
}

/// Inserts or updates every item and obligation of `items` (ids already checked).
async fn write_items(
    txn: &DatabaseTransaction,
    plan: WorkPlanId,
    items: &[ItemInput],
) -> Result<()> {
    for it in items {
        let cooperating = serde_json::to_string(&it.cooperating).map_err(Error::internal)?;
        let mut am = work_plan_item::ActiveModel {
            plan_id: Set(plan),
            number: Set(i32::try_from(it.number).unwrap_or(0)),
            heading: Set(it.group.trim().to_string()),
            title: Set(it.title.trim().to_string()),
            body: Set(it.text.trim().to_string()),
            lead: Set(it.lead.trim().to_string()),
            cooperating: Set(cooperating),
            ..Default::default()
        };
        let item = match it.id {
            Some(id) => {
                am.id = Set(id);
                am.update(txn).await?
            }
            None => am.insert(txn).await?,
        };
        for (pos, o) in it.obligations.iter().enumerate() {
            let mut am = work_plan_obligation::ActiveModel {
                plan_id: Set(plan),
                item_id: Set(item.id),
                position: Set(i32::try_from(pos).unwrap_or(0)),
                who: Set(o.who.as_str().into()),
                min_students: Set(o.min_students),
                org_ids: Set(serde_json::to_string(&o.org_ids).map_err(Error::internal)?),
                evidence: Set(o.evidence.as_str().into()),
                kind: Set(o.kind.clone()),
                every: Set(o.every.as_str().into()),
                count: Set(i32::try_from(o.count).unwrap_or(i32::MAX)),
                note: Set(o.note.trim().to_string()),
                ..Default::default()
            };
            match o.id {
                Some(id) => {
                    am.id = Set(id);
                    am.update(txn).await?;
                }
                None => {
                    am.insert(txn).await?;
                }
            }
        }
    }
    Ok(())
}

/// Stores the plan's contents as its current version.
async fn snapshot(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan: &work_plan::Model,
    note: &str,
) -> Result<()> {
    let items = items_in(txn, plan.id).await?;
    let content =
        serde_json::to_string(&content_of(&plan.title, &items)).map_err(Error::internal)?;
    work_plan_version::ActiveModel {
        plan_id: Set(plan.id),
        version: Set(plan.version),
        content: Set(content),
        note: Set(note.trim().to_string()),
        created_by: Set(Some(actor.user_id)),
        created_by_name: Set(actor.display_name.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}
