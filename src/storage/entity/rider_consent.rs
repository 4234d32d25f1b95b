use crate::domain::ids::{BusRiderId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rider_consents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_id: OrgId,
    pub rider_id: BusRiderId,
    pub purpose: String,
    pub given_at: DateTimeUtc,
    pub recorded_by: Option<UserId>,
    pub recorded_by_name: String,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_by: Option<UserId>,
    pub withdrawn_by_name: String,
    pub note: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
