use crate::domain::ids::{DeviceId, EquipmentId, OrgId, RiskPointId, ZoneId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "devices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DeviceId,
    pub school_id: OrgId,
    pub code: String,
    pub kind: String,
    pub name: String,
    pub zone_id: Option<ZoneId>,
    pub risk_point_id: Option<RiskPointId>,
    pub token_hash: Option<String>,
    pub token_issued_at: Option<DateTimeUtc>,
    pub last_seen_at: Option<DateTimeUtc>,
    pub last_values: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The security register entry the device is (a camera, alarm or access gate), if any.
    pub equipment_id: Option<EquipmentId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
