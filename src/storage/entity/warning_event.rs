use crate::domain::ids::{UserId, WarningEventId, WarningId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "warning_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: WarningEventId,
    pub warning_id: WarningId,
    pub at: DateTimeUtc,
    pub step: String,
    pub user_id: Option<UserId>,
    pub note: String,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
