use crate::domain::ids::{HazardId, InspectionId, InspectionItemId, RiskPointId, ZoneId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: InspectionItemId,
    pub inspection_id: InspectionId,
    pub seq: i32,
    pub risk_point_id: Option<RiskPointId>,
    pub zone_id: Option<ZoneId>,
    pub label: String,
    pub detail: String,
    pub result: String,
    pub note: String,
    pub photo_ids: String,
    pub hazard_id: Option<HazardId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
