use crate::domain::ids::{ExpertId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_experts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ExpertId,
    pub org_id: OrgId,
    pub user_id: UserId,
    pub speciality: String,
    pub title: String,
    pub note: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
