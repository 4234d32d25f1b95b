use crate::domain::ids::{AssessmentId, CatalogItemId, OrgId, PersonId, RiskPointId, ZoneId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_points")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: RiskPointId,
    pub school_id: OrgId,
    pub catalog_item_id: Option<CatalogItemId>,
    pub zone_id: Option<ZoneId>,
    pub responsible_person_id: Option<PersonId>,
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
    pub control_level_reason: String,
    pub status: String,
    pub retired_reason: String,
    pub retired_at: Option<DateTimeUtc>,
    pub current_assessment_id: Option<AssessmentId>,
    pub current_grade: Option<String>,
    pub current_score: Option<f64>,
    pub next_review_on: Option<chrono::NaiveDate>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
