use crate::domain::ids::{CampaignId, HazardId, InspectionId, OrgId, RiskPointId, UserId, ZoneId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hazards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: HazardId,
    pub school_id: OrgId,
    pub title: String,
    pub description: String,
    pub aspect: String,
    pub category: String,
    pub zone_id: Option<ZoneId>,
    pub risk_point_id: Option<RiskPointId>,
    pub source: String,
    pub inspection_id: Option<InspectionId>,
    pub campaign_id: Option<CampaignId>,
    pub status: String,
    pub level: Option<String>,
    pub treatment: Option<String>,
    pub supervised: bool,
    pub deadline: Option<Date>,
    pub responsible_user_id: Option<UserId>,
    pub closure_number: Option<String>,
    pub state: String,
    pub photo_ids: String,
    pub reported_by: Option<UserId>,
    pub reported_by_name: String,
    pub reported_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
