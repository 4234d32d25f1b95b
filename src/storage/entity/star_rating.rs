use crate::domain::ids::{OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "star_ratings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_id: OrgId,
    pub year: i32,
    pub stars: i32,
    pub criteria: String,
    pub note: String,
    pub rated_by: Option<UserId>,
    pub rated_by_name: String,
    pub rated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
