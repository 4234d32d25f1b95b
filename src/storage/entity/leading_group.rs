use crate::domain::ids::{OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leading_groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: OrgId,
    pub members: String,
    pub safety_director_person_id: Option<i64>,
    pub safety_director_name: String,
    pub legal_vp_name: String,
    pub legal_vp_unit: String,
    pub legal_vp_phone: String,
    pub version: i32,
    pub updated_by: Option<UserId>,
    pub updated_by_name: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
