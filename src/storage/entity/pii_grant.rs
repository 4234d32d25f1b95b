use crate::domain::ids::{OrgId, PiiGrantId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pii_grants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: PiiGrantId,
    pub school_id: OrgId,
    pub subject: String,
    pub object_id: i64,
    pub requester_id: UserId,
    pub requester_name: String,
    pub requester_role: String,
    pub reason: String,
    pub hours: i32,
    pub status: String,
    pub decided_by: Option<UserId>,
    pub decided_by_name: String,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_note: String,
    pub expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
