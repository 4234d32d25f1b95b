use crate::domain::ids::{FileId, OrgId, PlanId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emergency_plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: PlanId,
    pub org_id: OrgId,
    pub previous_id: Option<PlanId>,
    pub version_no: i32,
    pub title: String,
    pub plan_type: String,
    pub form: String,
    pub status: String,
    pub content: String,
    pub document_ids: String,
    pub author_id: Option<UserId>,
    pub author_name: String,
    pub review_round: i32,
    pub published_on: Option<Date>,
    pub signed_by: String,
    pub filed_on: Option<Date>,
    pub filing_no: String,
    pub filing_receipt_id: Option<FileId>,
    pub last_evaluated_on: Option<Date>,
    pub defect_flagged_on: Option<Date>,
    pub defect_note: String,
    pub superseded_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_by: Option<UserId>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
