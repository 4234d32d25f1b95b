use crate::domain::ids::{DrillId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "drills")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DrillId,
    pub school_id: OrgId,
    pub kind: String,
    pub notice: String,
    pub status: String,
    pub planned_on: Option<Date>,
    pub held_on: Option<Date>,
    pub buildings: String,
    pub floors: Option<i64>,
    pub classes: Option<i64>,
    pub expected: Option<i64>,
    pub assembled: Option<i64>,
    pub missing: Option<i64>,
    pub signal_at: Option<String>,
    pub completed_at: Option<String>,
    pub duration_seconds: Option<i64>,
    pub target_seconds: Option<i64>,
    pub own_target_seconds: Option<i64>,
    pub injuries: i64,
    pub problems: String,
    pub rating: Option<String>,
    pub evaluation: String,
    pub plan_needs_revision: bool,
    pub hazard_ids: String,
    pub photo_ids: String,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_by: Option<UserId>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
