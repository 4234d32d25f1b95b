use crate::domain::ids::{CatalogId, CatalogItemId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_catalog_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: CatalogItemId,
    pub catalog_id: CatalogId,
    pub code: String,
    pub aspect: String,
    pub category: String,
    pub category_en: String,
    pub point_type: String,
    pub name: String,
    pub name_en: String,
    pub hazard_factors: String,
    pub accident_types: String,
    pub default_l: Option<f64>,
    pub default_e: Option<f64>,
    pub default_c: Option<f64>,
    pub measures_management: String,
    pub measures_emergency: String,
    pub measures_engineering: String,
    pub measures_training: String,
    pub measures_ppe: String,
    pub check_items: String,
    pub check_frequency: String,
    pub control_level: String,
    pub responsible_post: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub applies_to: String,
    pub requires: String,
    pub retired: bool,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
