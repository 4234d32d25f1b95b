use crate::domain::ids::{CampaignId, CrossAssignmentId, InspectionId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: InspectionId,
    pub school_id: OrgId,
    pub kind: String,
    pub period: Option<String>,
    pub campaign_id: Option<CampaignId>,
    pub cross_assignment_id: Option<CrossAssignmentId>,
    pub inspector_user_id: Option<UserId>,
    pub inspector_name: String,
    pub inspected_on: Date,
    pub submitted_at: DateTimeUtc,
    pub note: String,
    pub total: i32,
    pub passed: i32,
    pub failed: i32,
    pub not_applicable: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
