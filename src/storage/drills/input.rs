//! What a school sends about a drill: a new one, a change, the record of a held drill, a
//! problem to open as a hazard.

use crate::domain::drill::{DrillKind, DrillNotice, DrillRating, DrillStatus};
use crate::domain::ids::{FileId, ZoneId};
use crate::domain::risk::Aspect;
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use utoipa::ToSchema;

/// What happened when the drill was held (the checked part of the record).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeldInput {
    pub held_on: NaiveDate,
    /// Classes taking part.
    pub classes: i64,
    /// People expected (pupils and staff; the trainees of a training).
    pub expected: i64,
    /// Counted at the assembly point (required for evacuations).
    #[serde(default)]
    pub assembled: Option<i64>,
    /// Not accounted for (required for evacuations; 0 when all were counted).
    #[serde(default)]
    pub missing: Option<i64>,
    /// China time of the signal (`10:00:00`; required for evacuations).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "10:00:00")]
    pub signal_at: Option<NaiveTime>,
    /// China time everyone was assembled and counted (required for evacuations).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "10:01:45")]
    pub completed_at: Option<NaiveTime>,
    #[serde(default)]
    pub floors: Option<i64>,
    /// The school's own target in seconds (taller buildings, a bus).
    #[serde(default)]
    pub own_target_seconds: Option<i64>,
    #[serde(default)]
    pub injuries: i64,
}

/// A problem found in the drill that opens a hazard (source `drill`) in the closed loop.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillHazard {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub aspect: Aspect,
    pub category: String,
    #[serde(default)]
    pub zone_id: Option<ZoneId>,
}

/// A new drill (`POST /api/v1/schools/{id}/drills`): a plan (`planned_on`, today or later), or
/// a drill recorded as held (`held`), evaluated at once if wished.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDrill {
    pub kind: DrillKind,
    /// Announced (告知式, the default) or unannounced (突击式).
    #[serde(default)]
    pub notice: Option<DrillNotice>,
    #[serde(default)]
    pub planned_on: Option<NaiveDate>,
    #[serde(default)]
    pub buildings: String,
    #[serde(default)]
    pub held: Option<HeldInput>,
    #[serde(default)]
    pub problems: Option<String>,
    #[serde(default)]
    pub rating: Option<DrillRating>,
    #[serde(default)]
    pub evaluation: Option<String>,
    /// The drill showed that the school's plan needs revising: the plans it exercised (of its
    /// type, else the comprehensive plan) become due for evaluation at once.
    #[serde(default)]
    pub plan_needs_revision: Option<bool>,
    #[serde(default)]
    pub hazards: Vec<DrillHazard>,
    /// Photos (images of the school uploaded through `POST /api/v1/files`).
    #[serde(default)]
    pub photo_ids: Vec<FileId>,
}

/// A change to a drill (`PATCH /api/v1/drills/{id}`); a field left out stays. `held` records a
/// plan held (or corrects a held drill's record); `"status": "cancelled"` drops a plan; the
/// evaluation's fields and `hazards` need a held drill (or `held` in the same change).
/// `version`, when given, must be the drill's (else 409).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillPatch {
    pub version: Option<i32>,
    pub status: Option<DrillStatus>,
    pub kind: Option<DrillKind>,
    pub notice: Option<DrillNotice>,
    pub planned_on: Option<NaiveDate>,
    pub buildings: Option<String>,
    pub held: Option<HeldInput>,
    pub problems: Option<String>,
    pub rating: Option<DrillRating>,
    pub evaluation: Option<String>,
    pub plan_needs_revision: Option<bool>,
    #[serde(default)]
    pub hazards: Vec<DrillHazard>,
    /// The drill's photos (the whole list; images of the school): not for a cancelled plan.
    pub photo_ids: Option<Vec<FileId>>,
}
