//! Placing the demo's risk points on its schools' site plans: the demo reads a school's
//! points and zones, decides each point's zone from its placement table, and writes them
//! here in the seeding transaction.

use super::entity::{risk_point, zone};
use super::seed::SeedTx;
use crate::domain::ids::{OrgId, ZoneId};
use crate::error::Result;
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;

/// A zone of a school's plan, as the placement table reads it.
#[derive(Debug, Clone)]
pub struct PlanZone {
    pub id: ZoneId,
    pub code: String,
    pub name: String,
    pub zone_type: String,
    pub parent: Option<ZoneId>,
}

/// A risk point of a school's register, as the placement table reads it.
#[derive(Debug, Clone)]
pub struct PlanPoint {
    pub code: String,
    pub category: String,
}

impl SeedTx {
    /// A school's zones (by code) and its risk points (by code).
    pub async fn placement_inputs(
        &mut self,
        school: OrgId,
    ) -> Result<(Vec<PlanZone>, Vec<PlanPoint>)> {
        let zones = zone::Entity::find()
            .filter(zone::Column::SchoolId.eq(school))
            .order_by_asc(zone::Column::Code)
            .all(&self.txn)
            .await?
            .into_iter()
            .map(|z| PlanZone {
                id: z.id,
                code: z.code,
                name: z.name,
                zone_type: z.zone_type,
                parent: z.parent_id,
            })
            .collect();
        let points = risk_point::Entity::find()
            .filter(risk_point::Column::SchoolId.eq(school))
            .order_by_asc(risk_point::Column::Code)
            .all(&self.txn)
            .await?
            .into_iter()
            .map(|p| PlanPoint {
                code: p.code,
                category: p.category,
            })
            .collect();
        Ok((zones, points))
    }

    /// Puts each point (by code) in its zone, or in none: one statement per zone.
    pub async fn place_points(
        &mut self,
        school: OrgId,
        placement: &[(String, Option<ZoneId>)],
    ) -> Result<()> {
        let mut by_zone: std::collections::BTreeMap<Option<ZoneId>, Vec<String>> =
            std::collections::BTreeMap::new();
        for (code, z) in placement {
            by_zone.entry(*z).or_default().push(code.clone());
        }
        for (z, codes) in by_zone {
            for chunk in codes.chunks(200) {
                risk_point::Entity::update_many()
                    .col_expr(risk_point::Column::ZoneId, Expr::value(z.map(|z| z.0)))
                    .filter(risk_point::Column::SchoolId.eq(school))
                    .filter(risk_point::Column::Code.is_in(chunk.to_vec()))
                    .exec(&self.txn)
                    .await?;
            }
        }
        Ok(())
    }
}
