use crate::domain::ids::{HazardEventId, HazardId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hazard_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: HazardEventId,
    pub hazard_id: HazardId,
    pub seq: i32,
    pub at: DateTimeUtc,
    pub day: Date,
    pub user_id: Option<UserId>,
    pub user_name: String,
    pub role: String,
    pub from_status: String,
    pub to_status: String,
    pub kind: String,
    pub event: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
