use crate::domain::ids::{AuditId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: AuditId,
    pub at: DateTimeUtc,
    pub user_id: Option<UserId>,
    pub username: String,
    pub role: String,
    pub org_id: Option<OrgId>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    pub ip: String,
    pub request_id: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
