use crate::domain::ids::{AssessmentId, OrgId, RiskPointId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_assessments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: AssessmentId,
    pub risk_point_id: RiskPointId,
    pub school_id: OrgId,
    pub method: String,
    pub l: Option<f64>,
    pub e: Option<f64>,
    pub c: Option<f64>,
    pub s: Option<f64>,
    pub band_set: Option<String>,
    pub reason: String,
    pub score: Option<f64>,
    pub grade: String,
    pub raw_band: String,
    pub assessed_by: Option<UserId>,
    pub assessed_by_name: String,
    pub assessed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
