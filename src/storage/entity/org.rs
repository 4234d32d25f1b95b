use crate::domain::ids::OrgId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "orgs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: OrgId,
    pub parent_id: Option<OrgId>,
    pub path: String,
    pub level: String,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub school_kind: Option<String>,
    pub students: i32,
    pub staff: i32,
    pub area_m2: i32,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub phone: String,
    pub boarding: bool,
    pub has_bus: bool,
    pub has_canteen: bool,
    pub has_lab: bool,
    pub has_pool: bool,
    pub near_water: bool,
    pub has_dormitory: bool,
    pub has_boiler: bool,
    pub has_elevator: bool,
    pub has_gas: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
