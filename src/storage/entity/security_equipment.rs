use crate::domain::ids::{EquipmentId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "security_equipment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: EquipmentId,
    pub school_id: OrgId,
    pub kind: String,
    pub name: String,
    pub location: String,
    pub quantity: i32,
    pub working: bool,
    pub linked_police: Option<bool>,
    pub retention_days: Option<i32>,
    pub licence: String,
    pub birth_year: Option<i32>,
    pub full_time: Option<bool>,
    pub retired: bool,
    pub updated_by: Option<UserId>,
    pub updated_by_name: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
