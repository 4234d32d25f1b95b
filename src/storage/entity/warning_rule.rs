use crate::domain::ids::{OrgId, UserId, WarningRuleId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "warning_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: WarningRuleId,
    pub org_id: Option<OrgId>,
    pub code: String,
    pub device_kind: String,
    pub metric: String,
    pub comparator: String,
    pub value: f64,
    pub level: String,
    pub min_duration_s: i32,
    pub hysteresis: f64,
    pub enabled: bool,
    pub updated_at: DateTimeUtc,
    pub updated_by: Option<UserId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
