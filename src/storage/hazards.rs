//! Hazards (隐患) and their closed loop to 销号. The state of a hazard is the pure
//! [`crate::domain::hazard::Hazard`], stored as JSON with projections (status, level, deadline …)
//! for queries; every step appends an immutable row to `hazard_events` in the same transaction,
//! and the history replays to the stored state.

use super::Actor;
use super::entity::{hazard, risk_point, zone};
use super::files::check_photos;
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::hazard::{Hazard, MAX_TEXT, Source, Who};
use crate::domain::ids::{CampaignId, InspectionId, OrgId, RiskPointId, ZoneId};
use crate::domain::org::OrgLevel;
use crate::domain::risk::Aspect;
use crate::domain::role::Role;
use crate::error::{FieldError, Result};
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction};
use serde::Deserialize;
use utoipa::ToSchema;

/// A newly found hazard, as reported (API body of `POST /api/v1/schools/{id}/hazards`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHazard {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub aspect: Aspect,
    pub category: String,
    #[serde(default)]
    pub zone_id: Option<ZoneId>,
    #[serde(default)]
    pub risk_point_id: Option<RiskPointId>,
    /// How it was found; 日常排查 (`daily`) when left out.
    #[serde(default)]
    pub source: Option<Source>,
    #[serde(default)]
    pub photo_ids: Vec<i64>,
}

/// Where a hazard came from besides its source: the inspection (and campaign) that found it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin {
    pub inspection: Option<InspectionId>,
    pub campaign: Option<CampaignId>,
}

/// The role facts the hazard rules need about the person acting.
pub fn who(actor: &Actor) -> Who {
    Who {
        user_id: actor.user_id.0,
        bureau: matches!(
            actor.role.org_level(),
            Some(OrgLevel::City | OrgLevel::District)
        ),
        school_manager: matches!(actor.role, Role::Principal | Role::SafetyDirector),
    }
}

fn fe(field: &str, key: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: key.into(),
    }
}

/// Checks a report and inserts the hazard in `reported`, inside the caller's transaction (the
/// caller has found the school in scope, checked the role, and commits with its audit event).
pub(super) async fn insert_reported(
    txn: &DatabaseTransaction,
    actor: &Actor,
    school: OrgId,
    input: &NewHazard,
    origin: Origin,
) -> Result<hazard::Model> {
    let mut errs = Vec::new();
    let title = input.title.trim();
    if title.is_empty() {
        errs.push(fe("title", "err.required"));
    } else if title.chars().count() > 200 {
        errs.push(fe("title", "err.too_long_200"));
    }
    if input.description.chars().count() > MAX_TEXT {
        errs.push(fe("description", "err.hazard.too_long"));
    }
    let category = input.category.trim();
    if category.is_empty() {
        errs.push(fe("category", "err.required"));
    } else if category.chars().count() > 64 {
        errs.push(fe("category", "err.too_long_64"));
    }
    if let Some(z) = input.zone_id {
        let ok = zone::Entity::find_by_id(z)
            .one(txn)
            .await?
            .is_some_and(|z| z.school_id == school);
        if !ok {
            errs.push(fe("zone_id", "err.risk.zone_not_here"));
        }
    }
    if let Some(p) = input.risk_point_id {
        let ok = risk_point::Entity::find_by_id(p)
            .one(txn)
            .await?
            .is_some_and(|p| p.school_id == school);
        if !ok {
            errs.push(fe("risk_point_id", "err.hazard.point_not_here"));
        }
    }
    errs.extend(check_photos(txn, school, &input.photo_ids, "photo_ids").await?);
    if !errs.is_empty() {
        return Err(invalid(errs));
    }
    let now = Utc::now();
    let state = Hazard::new_reported();
    let row = hazard::ActiveModel {
        school_id: Set(school),
        title: Set(title.to_string()),
        description: Set(input.description.trim().to_string()),
        aspect: Set(input.aspect.as_str().to_string()),
        category: Set(category.to_string()),
        zone_id: Set(input.zone_id),
        risk_point_id: Set(input.risk_point_id),
        source: Set(input.source.unwrap_or_default().as_str().to_string()),
        inspection_id: Set(origin.inspection),
        campaign_id: Set(origin.campaign),
        status: Set(state.status.as_str().to_string()),
        level: Set(None),
        treatment: Set(None),
        supervised: Set(false),
        deadline: Set(None),
        responsible_user_id: Set(None),
        closure_number: Set(None),
        state: Set(serde_json::to_string(&state).map_err(crate::Error::internal)?),
        photo_ids: Set(serde_json::to_string(&input.photo_ids).map_err(crate::Error::internal)?),
        reported_by: Set(Some(actor.user_id)),
        reported_by_name: Set(actor.display_name.clone()),
        reported_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
        version: Set(0),
        ..Default::default()
    };
    Ok(row.insert(txn).await?)
}
