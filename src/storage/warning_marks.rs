//! The open warnings the risk maps mark (F-WARN-3): "a warning on a device placed at a risk
//! point or zone marks that point and zone on the four-colour campus map and the school on the
//! district map until it is resolved".
//!
//! Read live from `warnings` (open while `open_key IS NOT NULL`: raised, acknowledged,
//! dispatched), through the register's handle (`ctx.db().risk()`, the maps' action), scoped
//! like the maps: a school's map reads its own warnings only (the school in scope first), the
//! district map the schools below the node it shows (the node in scope first). Nothing is
//! stored for the marks: a warning resolved or closed as a false alarm is gone from the next
//! drawing.

use super::entity::{org, risk_point, warning};
use crate::domain::Code;
use crate::domain::ids::{OrgId, RiskPointId, WarningId, ZoneId};
use crate::domain::warning::Level;
use crate::error::{Error, Result};
use crate::storage::Registers;
use crate::storage::read::ReadAll as _;
use crate::storage::views;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use std::collections::{HashMap, HashSet};

/// An open warning of a school, as the campus map marks it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenWarning {
    pub id: WarningId,
    pub level: Level,
    /// What raised it (`YG-01 · smoke = 1 ≥ 1`).
    pub detail: String,
    /// The zone of the device that raised it (as placed when it was raised).
    pub zone_id: Option<ZoneId>,
    /// The risk point the device is at, with its zone, code and name.
    pub risk_point: Option<WarnedPoint>,
}

/// The risk point an open warning is at.
#[derive(Debug, Clone, PartialEq)]
pub struct WarnedPoint {
    pub id: RiskPointId,
    pub zone_id: Option<ZoneId>,
    pub code: String,
    pub name: String,
}

impl OpenWarning {
    /// The zones the warning marks: the device's and the risk point's (each once).
    pub fn zones(&self) -> Vec<ZoneId> {
        let mut out: Vec<ZoneId> = self.zone_id.into_iter().collect();
        if let Some(z) = self.risk_point.as_ref().and_then(|p| p.zone_id)
            && !out.contains(&z)
        {
            out.push(z);
        }
        out
    }
}

/// The warnings each zone of the plan is marked with (the most severe first, as given): each
/// warning marks its zones ([`OpenWarning::zones`]), or — for a zone not drawn on the plan (no
/// rectangle) — the nearest drawn zone above it (a floor without one marks its building).
pub fn marks_by_zone<'a, 'z>(
    warnings: &'a [OpenWarning],
    zones: impl Iterator<Item = &'z views::Zone>,
) -> HashMap<ZoneId, Vec<&'a OpenWarning>> {
    let mut parents: HashMap<ZoneId, Option<ZoneId>> = HashMap::new();
    let mut drawn: HashSet<ZoneId> = HashSet::new();
    for z in zones {
        parents.insert(z.id, z.parent_id);
        if z.x.is_some() && z.y.is_some() && z.w > Some(0) && z.h > Some(0) {
            drawn.insert(z.id);
        }
    }
    let mut out: HashMap<ZoneId, Vec<&OpenWarning>> = HashMap::new();
    for w in warnings {
        let mut marked: Vec<ZoneId> = Vec::new();
        for z in w.zones() {
            // Up the parents (at most all of them: a loop ends there).
            let mut cur = Some(z);
            for _ in 0..=parents.len() {
                match cur {
                    Some(c) if drawn.contains(&c) => {
                        if !marked.contains(&c) {
                            marked.push(c);
                        }
                        break;
                    }
                    Some(c) => cur = parents.get(&c).copied().flatten(),
                    None => break,
                }
            }
        }
        for z in marked {
            out.entry(z).or_default().push(w);
        }
    }
    out
}

/// The open warnings below one child of a node (a school, or a district on a city's map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenCount {
    pub count: u64,
    /// The most severe open level.
    pub highest: Level,
}

impl Registers<'_> {
    /// The school's open warnings, the most severe first, then the newest.
    pub async fn open_warnings(&self, school: OrgId) -> Result<Vec<OpenWarning>> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        let w = |c: warning::Column| Expr::col((warning::Entity, c));
        let p = |c: risk_point::Column| (risk_point::Entity, c);
        let mut q = Query::select();
        q.column((warning::Entity, warning::Column::Id))
            .column((warning::Entity, warning::Column::Level))
            .column((warning::Entity, warning::Column::Detail))
            .column((warning::Entity, warning::Column::ZoneId))
            .column(p(risk_point::Column::Id))
            .column(p(risk_point::Column::ZoneId))
            .column(p(risk_point::Column::Code))
            .column(p(risk_point::Column::Name))
            .from(warning::Entity)
            .left_join(
                risk_point::Entity,
                Expr::col(p(risk_point::Column::Id))
                    .equals((warning::Entity, warning::Column::RiskPointId))
                    .and(Expr::col(p(risk_point::Column::SchoolId)).eq(school)),
            )
            .and_where(w(warning::Column::SchoolId).eq(school))
            .and_where(w(warning::Column::OpenKey).is_not_null())
            .order_by((warning::Entity, warning::Column::Id), Order::Desc);
        type Row = (
            i64,
            String,
            String,
            Option<ZoneId>,
            Option<RiskPointId>,
            Option<ZoneId>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = self.read.all(&q).await?;
        let mut out: Vec<OpenWarning> = rows
            .into_iter()
            .filter_map(|(id, level, detail, zone, point, point_zone, code, name)| {
                Some(OpenWarning {
                    id: WarningId(id),
                    level: Level::parse(&level)?,
                    detail,
                    zone_id: zone,
                    risk_point: point.map(|id| WarnedPoint {
                        id,
                        zone_id: point_zone,
                        code: code.unwrap_or_default(),
                        name: name.unwrap_or_default(),
                    }),
                })
            })
            .collect();
        // Newest first within a level (the rows come newest first; the sort is stable).
        out.sort_by_key(|w| w.level.rank());
        Ok(out)
    }

    /// The open warnings below each child of a node (district → its schools, city → its
    /// districts), by the child's id; children without any are left out. The node is the
    /// caller's own when none is given, as for the roll-up.
    pub async fn open_warnings_by_child(
        &self,
        org_id: Option<i64>,
    ) -> Result<HashMap<OrgId, OpenCount>> {
        self.permit()?;
        let node = match org_id.map(OrgId).or(self.actor.org_id) {
            Some(id) => self.org_row(id, &self.read).await?,
            None => return Err(Error::field("org_id", "err.catalog.choose_district")),
        };
        let children: Vec<(OrgId, String)> = org::Entity::find()
            .filter(org::Column::ParentId.eq(node.id))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o.path))
            .collect();
        if children.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = Query::select();
        q.column((org::Entity, org::Column::Path))
            .column((warning::Entity, warning::Column::Level))
            .expr(Expr::col((warning::Entity, warning::Column::Id)).count())
            .from(warning::Entity)
            .inner_join(
                org::Entity,
                Expr::col((org::Entity, org::Column::Id))
                    .equals((warning::Entity, warning::Column::SchoolId)),
            )
            .and_where(Expr::col((org::Entity, org::Column::Path)).like(format!("{}%", node.path)))
            .and_where(Expr::col((warning::Entity, warning::Column::OpenKey)).is_not_null())
            .group_by_col((org::Entity, org::Column::Path))
            .group_by_col((warning::Entity, warning::Column::Level));
        let rows: Vec<(String, String, i64)> = self.read.all(&q).await?;
        let mut out: HashMap<OrgId, OpenCount> = HashMap::new();
        for (path, level, n) in rows {
            let (Some(level), Some((child, _))) = (
                Level::parse(&level),
                children.iter().find(|(_, p)| path.starts_with(p.as_str())),
            ) else {
                continue;
            };
            let n = u64::try_from(n).unwrap_or(0);
            let e = out.entry(*child).or_insert(OpenCount {
                count: 0,
                highest: level,
            });
            e.count += n;
            if level.rank() < e.highest.rank() {
                e.highest = level;
            }
        }
        out.retain(|_, c| c.count > 0);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org::ZoneType;

    fn zone(id: i64, parent: Option<i64>, drawn: bool) -> views::Zone {
        views::Zone {
            id: ZoneId(id),
            school_id: OrgId(3),
            parent_id: parent.map(ZoneId),
            code: format!("Z{id}"),
            name: format!("区域{id}"),
            zone_type: ZoneType::Area,
            x: drawn.then_some(10),
            y: drawn.then_some(10),
            w: drawn.then_some(100),
            h: drawn.then_some(100),
            responsible_person_id: None,
            responsible_name: None,
            responsible_post: None,
        }
    }

    fn warning(id: i64, zone: Option<i64>, point_zone: Option<Option<i64>>) -> OpenWarning {
        OpenWarning {
            id: WarningId(id),
            level: Level::Red,
            detail: String::new(),
            zone_id: zone.map(ZoneId),
            risk_point: point_zone.map(|z| WarnedPoint {
                id: RiskPointId(id),
                zone_id: z.map(ZoneId),
                code: String::new(),
                name: String::new(),
            }),
        }
    }

    #[test]
    fn a_warning_marks_its_zones_or_the_nearest_drawn_one_above() {
        // 1 building (drawn) ⊃ 2 floor (not drawn) ⊃ 3 room (not drawn); 4 yard (drawn);
        // 5 and 6 a loop of undrawn zones.
        let zones = [
            zone(1, None, true),
            zone(2, Some(1), false),
            zone(3, Some(2), false),
            zone(4, None, true),
            zone(5, Some(6), false),
            zone(6, Some(5), false),
        ];
        let ws = [
            warning(10, Some(3), None),
            warning(11, Some(4), Some(Some(1))),
            warning(12, Some(4), Some(Some(4))),
            warning(13, None, Some(None)),
            warning(14, Some(5), None),
        ];
        let by = marks_by_zone(&ws, zones.iter());
        let ids = |z: i64| -> Vec<i64> {
            by.get(&ZoneId(z))
                .map(|v| v.iter().map(|w| w.id.0).collect())
                .unwrap_or_default()
        };
        assert_eq!(ids(1), [10, 11], "the room's building; the point's zone");
        assert_eq!(ids(4), [11, 12], "each warning once a zone");
        assert_eq!(by.len(), 2, "no zone, or only undrawn ones: no mark");
        assert_eq!(ws[1].zones(), [ZoneId(4), ZoneId(1)]);
        assert_eq!(ws[2].zones(), [ZoneId(4)]);
    }
}
