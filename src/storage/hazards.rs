//! Hazards (隐患) and their closed loop to 销号. The state of a hazard is the pure
//! [`crate::domain::hazard::Hazard`], stored as JSON with projections (status, level, deadline …)
//! for queries; every step appends an immutable row to `hazard_events` in the same transaction,
//! and the history replays to the stored state.

use super::Actor;
use super::entity::{hazard, risk_point, zone};
use super::files::check_photos;
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::hazard::{
    Action, ActionKind, Extension, Hazard, Level, MAX_TEXT, Notice, Source, Status, Treatment, Who,
};
use crate::domain::ids::{CampaignId, HazardId, InspectionId, OrgId, RiskPointId, UserId, ZoneId};
use crate::domain::org::OrgLevel;
use crate::domain::risk::Aspect;
use crate::domain::role::Role;
use crate::error::{FieldError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

closed_codes! {
    NoticeKind:
    /// What the hazard loop tells people.
    pub enum HazardNotice {
        Assigned = "assigned",
        Reminder = "reminder",
        Overdue = "overdue",
        Escalated = "escalated",
        Submitted = "submitted",
        Accepted = "accepted",
        Rejected = "rejected",
        ExtensionRequested = "extension_requested",
        ExtensionDecided = "extension_decided",
        Closed = "closed",
        Reopened = "reopened",
        Urged = "urged",
        Reported = "reported",
    }
}

closed_codes! {
    AuditCode:
    /// What the hazard loop records.
    pub enum HazardAudit {
        Report = "hazard.report",
        Step = "hazard.step",
        Escalate = "hazard.escalate",
        Urge = "hazard.urge",
    }
}

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
    /// How it was found; when left out, 日常排查 (`daily`) for a school's people and 上级督查
    /// (`supervision`) for the bureau. `supervision` is the bureau's only (else 422 on `source`).
    #[serde(default)]
    pub source: Option<Source>,
    #[serde(default)]
    pub photo_ids: Vec<i64>,
}

/// An urge of the bureau (督办), as `POST /api/v1/hazards/{id}/urge` receives it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgeBody {
    /// What the school is urged to do, 1 to 500 characters.
    pub message: String,
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
        errs.push(FieldError::new("title", "err.required"));
    } else if title.chars().count() > 200 {
        errs.push(FieldError::new("title", "err.too_long_200"));
    }
    if input.description.chars().count() > MAX_TEXT {
        errs.push(FieldError::new("description", "err.hazard.too_long"));
    }
    let category = input.category.trim();
    if category.is_empty() {
        errs.push(FieldError::new("category", "err.required"));
    } else if category.chars().count() > 64 {
        errs.push(FieldError::new("category", "err.too_long_64"));
    }
    if let Some(z) = input.zone_id {
        let ok = zone::Entity::find_by_id(z)
            .one(txn)
            .await?
            .is_some_and(|z| z.school_id == school);
        if !ok {
            errs.push(FieldError::new("zone_id", "err.risk.zone_not_here"));
        }
    }
    if let Some(p) = input.risk_point_id {
        let ok = risk_point::Entity::find_by_id(p)
            .one(txn)
            .await?
            .is_some_and(|p| p.school_id == school);
        if !ok {
            errs.push(FieldError::new(
                "risk_point_id",
                "err.hazard.point_not_here",
            ));
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
        // The system (a warning left unresolved) is no account.
        reported_by: Set((actor.user_id.0 != 0).then_some(actor.user_id)),
        reported_by_name: Set(actor.display_name.clone()),
        reported_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
        version: Set(0),
        ..Default::default()
    };
    Ok(row.insert(txn).await?)
}

mod queries;
mod steps;

pub use queries::{ClosureRow, HazardFilter, HazardList, StatusCount};
/// For the escalation job (`storage::jobs`).
pub(super) use steps::record_transition;
pub use steps::report_sources;

/// A hazard in a list (and the head of its detail).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HazardSummary {
    pub id: HazardId,
    pub school_id: OrgId,
    pub school_code: String,
    pub school_name: String,
    pub title: String,
    pub aspect: Aspect,
    pub category: String,
    pub source: Source,
    pub status: Status,
    pub level: Option<Level>,
    pub treatment: Option<Treatment>,
    /// Listed for bureau supervision (挂牌督办).
    pub supervised: bool,
    #[serde(serialize_with = "crate::storage::views::wire_time::opt_date")]
    pub deadline: Option<NaiveDate>,
    /// Past the deadline and not accepted, closed or cancelled (derived, China date).
    pub overdue: bool,
    pub days_overdue: i64,
    pub responsible_user_id: Option<UserId>,
    pub responsible_name: Option<String>,
    pub zone_name: Option<String>,
    pub risk_point_name: Option<String>,
    pub closure_number: Option<String>,
    pub reported_by_name: String,
    #[serde(serialize_with = "crate::storage::views::wire_time::instant")]
    pub reported_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::storage::views::wire_time::instant")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::storage::views::wire_time::opt_instant")]
    pub closed_at: Option<DateTime<Utc>>,
}

/// One entry of a hazard's immutable history, as shown: who, when, what, with its evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryItem {
    pub seq: i32,
    pub at: DateTime<Utc>,
    /// The China date of the step (the date the rules used).
    pub day: NaiveDate,
    /// `null` for a step taken by the system (escalation).
    pub user_id: Option<UserId>,
    pub user_name: String,
    /// The role code of the person (or `system`).
    pub role: String,
    /// The action kind (`assess`, `close` …), `escalated` or `urge`.
    pub kind: String,
    pub from: Status,
    pub to: Status,
    /// The action with its data (notes, reasons, photo ids, notice …); `null` for escalation.
    pub action: Option<Action>,
    /// Days overdue when escalated.
    pub days_overdue: Option<i64>,
    /// The bureau's message of an urge (督办, kind `urge`).
    pub message: Option<String>,
    pub closure_number: Option<String>,
}

/// Everything the detail page and the notice need about one hazard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HazardDetail {
    #[serde(flatten)]
    pub summary: HazardSummary,
    pub description: String,
    pub zone_id: Option<ZoneId>,
    pub risk_point_id: Option<RiskPointId>,
    pub inspection_id: Option<InspectionId>,
    pub campaign_id: Option<CampaignId>,
    /// The district (issuing body of the notice).
    pub district_name: String,
    pub photo_ids: Vec<i64>,
    /// The current interim controls.
    pub interim_plan: Option<String>,
    /// The rectification notice as issued (五落实).
    pub notice: Option<Notice>,
    pub notice_issued_by_name: Option<String>,
    pub pending_extension: Option<Extension>,
    pub history: Vec<HistoryItem>,
    /// The steps the caller may take now.
    pub available_actions: Vec<ActionKind>,
    /// How many times the bureau has urged the school on (督办).
    pub urge_count: usize,
    /// Whether the caller may urge it now (a bureau officer, the hazard neither closed nor
    /// cancelled).
    pub may_urge: bool,
    pub version: i32,
}

/// An active user of a school (choice of the responsible person).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SchoolUser {
    pub id: UserId,
    pub display_name: String,
    pub role: String,
}
