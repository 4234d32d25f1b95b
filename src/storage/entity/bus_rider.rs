use crate::domain::ids::{BusRiderId, BusRouteId, OrgId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_riders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: BusRiderId,
    pub school_id: OrgId,
    pub route_id: BusRouteId,
    pub name: String,
    pub class_name: String,
    pub stop: String,
    pub guardian: String,
    pub phone: String,
    pub created_at: DateTimeUtc,
    /// Under 14 (sensitive data: PIPL Art. 28); true unless the school says otherwise.
    pub under_14: bool,
    /// `domain::consent::LegalBasis`.
    pub legal_basis: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
