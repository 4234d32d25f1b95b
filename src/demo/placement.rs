//! Where the demo's risk points sit on each school's site plan: the table of
//! `assets/demo/placement.toml` (rules by catalogue code, then by category, each naming the
//! places tried in order). A point no rule places, or whose places the school does not
//! have, is left unplaced; the four-colour map counts those and links to them.

use crate::domain::ids::{OrgId, ZoneId};
use crate::error::{Error, Result};
use crate::storage::seed::SeedTx;
use crate::storage::seed_placement::{PlanPoint, PlanZone};
use serde::Deserialize;

const PLACEMENT: &str = include_str!("../../assets/demo/placement.toml");

/// The placement table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    rules: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    #[serde(default)]
    codes: Vec<String>,
    #[serde(default)]
    category: String,
    zones: Vec<String>,
}

/// The demo's placement table.
pub fn table() -> Result<Table> {
    toml::from_str(PLACEMENT).map_err(|e| Error::internal(anyhow::anyhow!("placement.toml: {e}")))
}

impl Table {
    /// The rule of a point: its code's, else its category's.
    fn rule(&self, p: &PlanPoint) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.codes.contains(&p.code))
            .or_else(|| {
                self.rules.iter().find(|r| {
                    r.codes.is_empty() && !r.category.is_empty() && r.category == p.category
                })
            })
    }

    /// The zone a point goes to on a school's plan (zones by code), or none.
    pub fn zone_for(&self, p: &PlanPoint, zones: &[PlanZone]) -> Option<ZoneId> {
        let rule = self.rule(p)?;
        rule.zones.iter().find_map(|place| find(place, zones))
    }
}

/// The main teaching building: the first top-level building with floors, else the first
/// building.
fn teaching(zones: &[PlanZone]) -> Option<&PlanZone> {
    let buildings = || {
        zones
            .iter()
            .filter(|z| z.zone_type == "building" && z.parent.is_none())
    };
    buildings()
        .find(|b| floors(zones, b.id).next().is_some())
        .or_else(|| buildings().next())
}

fn floors(zones: &[PlanZone], building: ZoneId) -> impl Iterator<Item = &PlanZone> {
    zones
        .iter()
        .filter(move |z| z.parent == Some(building) && z.zone_type == "floor")
}

/// One place of a rule on a school's plan.
fn find(place: &str, zones: &[PlanZone]) -> Option<ZoneId> {
    let place = place.trim();
    if place == "teaching" {
        return teaching(zones).map(|z| z.id);
    }
    if let Some(which) = place.strip_prefix("floor:") {
        let b = teaching(zones)?;
        let fs: Vec<&PlanZone> = floors(zones, b.id).collect();
        if fs.is_empty() {
            return Some(b.id);
        }
        let i = match which {
            "low" => 0,
            "mid" => fs.len() / 2,
            _ => fs.len() - 1,
        };
        return Some(fs[i].id);
    }
    zones
        .iter()
        .find(|z| z.name == place)
        .or_else(|| zones.iter().find(|z| z.name.contains(place)))
        .map(|z| z.id)
}

/// Places every risk point of `school` by the table (points it does not place are unplaced).
pub async fn place(tx: &mut SeedTx, table: &Table, school: OrgId) -> Result<()> {
    let (zones, points) = tx.placement_inputs(school).await?;
    let placement: Vec<(String, Option<ZoneId>)> = points
        .iter()
        .map(|p| (p.code.clone(), table.zone_for(p, &zones)))
        .collect();
    tx.place_points(school, &placement).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(id: i64, name: &str, t: &str, parent: Option<i64>) -> PlanZone {
        PlanZone {
            id: ZoneId(id),
            code: format!("Z{id:02}"),
            name: name.into(),
            zone_type: t.into(),
            parent: parent.map(ZoneId),
        }
    }

    fn p(code: &str, category: &str) -> PlanPoint {
        PlanPoint {
            code: code.into(),
            category: category.into(),
        }
    }

    #[test]
    fn the_table_parses_and_places_by_code_then_category() {
        let t = table().expect("table");
        let plan = vec![
            z(1, "正门及门卫室", "gate", None),
            z(2, "教学楼", "building", None),
            z(3, "教学楼一层", "floor", Some(2)),
            z(4, "教学楼二层", "floor", Some(2)),
            z(5, "教学楼三至四层", "floor", Some(2)),
            z(9, "体育器材室及库房", "facility", None),
            z(10, "配电室", "facility", None),
        ];
        let at = |code: &str, cat: &str| t.zone_for(&p(code, cat), &plan);
        assert_eq!(at("R-T-036", "用电安全"), Some(ZoneId(10)));
        assert_eq!(at("R-T-043", "用电安全"), Some(ZoneId(10)));
        assert_eq!(at("R-T-094", "防拥挤踩踏"), Some(ZoneId(3)));
        assert_eq!(at("R-T-096", "防拥挤踩踏"), Some(ZoneId(4)));
        assert_eq!(at("R-T-006", "校舍安全"), Some(ZoneId(5)));
        assert_eq!(at("R-T-001", "校舍安全"), Some(ZoneId(2)));
        assert_eq!(at("R-T-079", "体育运动"), Some(ZoneId(9)));
        assert_eq!(at("R-T-097", "门卫安保"), Some(ZoneId(1)));
        // No canteen on this plan, and the rules of the school: unplaced.
        assert_eq!(at("R-T-052", "食品安全"), None);
        assert_eq!(at("R-M-001", "安全管理制度"), None);
        // A code nobody listed falls back on its category.
        assert_eq!(at("R-T-999", "用电安全"), Some(ZoneId(10)));
    }
}
