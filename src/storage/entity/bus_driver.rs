use crate::domain::ids::{BusDriverId, OrgId, PersonId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_drivers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: BusDriverId,
    pub school_id: OrgId,
    pub person_id: PersonId,
    pub licence_class: String,
    pub licensed_since: Date,
    pub birth_date: Date,
    pub drink_driving: bool,
    pub criminal_record: bool,
    pub health_certificate_until: Option<Date>,
    pub annual_review_until: Option<Date>,
    pub review_study_hours: Option<f64>,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
