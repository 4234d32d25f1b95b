use crate::domain::ids::{DutySpotCheckId, UserId};
use sea_orm::entity::prelude::*;

/// The values a correction of a phone spot check replaced (see `m0016`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_spot_check_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub spot_check_id: DutySpotCheckId,
    pub seq: i32,
    pub called_at: DateTimeUtc,
    pub phone: String,
    pub answered: bool,
    pub called_back_at: Option<DateTimeUtc>,
    pub result: String,
    pub note: String,
    pub reason: String,
    pub amended_by: Option<UserId>,
    pub amended_by_name: String,
    pub amended_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
