use crate::domain::ids::{BusAttendantId, OrgId, PersonId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_attendants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: BusAttendantId,
    pub school_id: OrgId,
    pub person_id: PersonId,
    pub birth_date: Date,
    pub trainings: String,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
