use crate::domain::ids::{IncidentId, IncidentReportId, UserId};
use sea_orm::entity::prelude::*;

/// One report of an incident; never updated (a trigger refuses it). `persons` holds minors'
/// names: read only for those allowed to see them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: IncidentReportId,
    pub incident_id: IncidentId,
    pub seq: i32,
    pub kind: String,
    pub level: String,
    pub deaths: i64,
    pub injured: i64,
    pub missing: i64,
    pub summary: String,
    pub measures: String,
    pub persons: String,
    pub persons_named: i32,
    pub reporter: String,
    pub phone: String,
    pub due_at: DateTimeUtc,
    pub late_minutes: i64,
    pub sent_at: DateTimeUtc,
    pub sent_by: Option<UserId>,
    pub sent_by_name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
