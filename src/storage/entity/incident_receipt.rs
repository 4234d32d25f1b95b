use crate::domain::ids::{IncidentId, IncidentReceiptId, IncidentReportId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_receipts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: IncidentReceiptId,
    pub report_id: IncidentReportId,
    pub incident_id: IncidentId,
    pub org_id: OrgId,
    pub acknowledged_at: DateTimeUtc,
    pub acknowledged_by: Option<UserId>,
    pub acknowledged_by_name: String,
    pub forwarded_to: Option<String>,
    pub forwarded_at: Option<DateTimeUtc>,
    pub forwarded_by_name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
