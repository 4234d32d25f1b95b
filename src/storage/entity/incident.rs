use crate::domain::ids::{IncidentId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: IncidentId,
    pub school_id: OrgId,
    pub incident_type: String,
    pub level: String,
    pub occurred_at: DateTimeUtc,
    pub known_at: DateTimeUtc,
    pub place: String,
    pub summary: String,
    pub deaths: i64,
    pub injured: i64,
    pub missing: i64,
    pub status: String,
    pub reports: i32,
    pub late_reports: i32,
    pub last_report_at: DateTimeUtc,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
