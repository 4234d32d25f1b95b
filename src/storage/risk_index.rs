//! Each school's risk index (0–100, F-WARN-3): its risk grades, open and overdue hazards,
//! missed half-month self-inspections and open warnings, weighted by `[warnings]
//! index_weights` ([`crate::domain::warning::risk_index`]). Every input is counted in the
//! database, grouped by school (the hazards from their roll-up), so only counts leave it.

use super::entity::{hazard_count, inspection, org, warning};
use crate::domain::Code;
use crate::domain::hazard::Status as HazardStatus;
use crate::domain::ids::OrgId;
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::risk::Grade;
use crate::domain::warning::{IndexInputs, IndexParts, IndexWeights, Level, risk_index};
use crate::error::{Error, Result};
use crate::storage::RiskIndex;
use crate::storage::inspections::Period;
use crate::storage::read::ReadAll as _;
use chrono::NaiveDate;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{QueryOrder, QuerySelect, QueryTrait as _};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::{IntoParams, ToSchema};

/// Half-months looked back on for missed self-inspections.
pub const PERIODS_CHECKED: usize = 6;

/// Which schools.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndexQuery {
    /// A city, district or school (defaults to the caller's own).
    pub org_id: Option<i64>,
}

/// One school's index with the parts it is made of and what they were counted from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SchoolIndex {
    pub school_id: OrgId,
    pub school_name: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub index: u8,
    pub level: Level,
    pub parts: IndexParts,
    pub inputs: IndexInputs,
}

/// The schools below a node, riskiest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndexList {
    pub items: Vec<SchoolIndex>,
    pub weights: IndexWeights,
}

fn n(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl RiskIndex<'_> {
    /// The index of every school below `org_id` (or the caller's own node) in scope.
    pub async fn list(
        &self,
        q: &IndexQuery,
        w: &IndexWeights,
        today: NaiveDate,
        grace: u32,
    ) -> Result<IndexList> {
        let root = match q.org_id {
            Some(id) => self.org_row(OrgId(id), &self.read).await?,
            None => {
                let id = self.actor().org_id().ok_or(Error::NotFound)?;
                self.org_row(id, &self.read).await?
            }
        };
        self.permit()?;
        let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
        let schools = org::Entity::find()
            .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        let mut below = Query::select();
        below
            .column(org::Column::Id)
            .from(org::Entity)
            .and_where(Expr::col(org::Column::Path).like(path.like_pattern()));
        let mut inputs: HashMap<OrgId, IndexInputs> = schools
            .iter()
            .map(|s| (s.id, IndexInputs::default()))
            .collect();

        // Risk points by current grade, from their roll-up.
        for (school, grade, count) in super::risk_counts::grades(&self.read, &below).await? {
            let Some(i) = inputs.get_mut(&school) else {
                continue;
            };
            i.points += n(count);
            // Stored grades are the grade codes; their colours are 红橙黄蓝 in that order.
            match grade.as_deref().and_then(Grade::parse) {
                Some(Grade::Major) => i.red_points += n(count),
                Some(Grade::Significant) => i.orange_points += n(count),
                Some(Grade::General) => i.yellow_points += n(count),
                Some(Grade::Low) | None => {}
            }
        }

        // Hazards, from their roll-up: open, major open, overdue.
        let stopped: Vec<&str> = HazardStatus::ALL
            .iter()
            .filter(|s| s.stops_clock())
            .map(|s| s.as_str())
            .collect();
        let q = hazard_count::Entity::find()
            .select_only()
            .column(hazard_count::Column::SchoolId)
            .column(hazard_count::Column::Major)
            .column_as(Expr::col(hazard_count::Column::Deadline).lt(today), "late")
            .column_as(
                crate::storage::views::sum_where(
                    sea_orm::Condition::all(),
                    Expr::col(hazard_count::Column::N),
                ),
                "n",
            )
            .filter(hazard_count::Column::Status.is_not_in(stopped))
            .filter(hazard_count::Column::SchoolId.in_subquery(below.clone()))
            .group_by(hazard_count::Column::SchoolId)
            .group_by(hazard_count::Column::Major)
            // By the output column: the same comparison written twice would carry two bound
            // parameters, which PostgreSQL does not take for one grouping expression.
            .group_by(Expr::col(sea_orm::sea_query::Alias::new("late")))
            .into_query();
        for (school, major, late, count) in self.read.all::<(OrgId, bool, bool, i64)>(&q).await? {
            let Some(i) = inputs.get_mut(&school) else {
                continue;
            };
            i.open_hazards += n(count);
            if major {
                i.major_open_hazards += n(count);
            }
            if late {
                i.overdue_hazards += n(count);
            }
        }

        // Half-month self-inspections of the last periods whose due day has passed.
        let mut periods = Vec::new();
        let mut p = Period::of(today);
        while periods.len() < PERIODS_CHECKED {
            if p.due_on(grace) < today {
                periods.push(p.to_string());
            }
            p = p.prev();
        }
        let q: SelectStatement = inspection::Entity::find()
            .select_only()
            .column(inspection::Column::SchoolId)
            .column(inspection::Column::Period)
            .filter(inspection::Column::Kind.eq("half_month"))
            .filter(inspection::Column::Period.is_in(periods.clone()))
            .filter(inspection::Column::SchoolId.in_subquery(below.clone()))
            .group_by(inspection::Column::SchoolId)
            .group_by(inspection::Column::Period)
            .into_query();
        let done: HashSet<(OrgId, String)> = self
            .read
            .all::<(OrgId, String)>(&q)
            .await?
            .into_iter()
            .collect();
        for (school, i) in inputs.iter_mut() {
            i.checks_due = n(periods.len() as i64);
            i.missed_checks = n(periods
                .iter()
                .filter(|p| !done.contains(&(*school, (*p).clone())))
                .count() as i64);
        }

        // Open warnings by level.
        let q = warning::Entity::find()
            .select_only()
            .column(warning::Column::SchoolId)
            .column(warning::Column::Level)
            .column_as(warning::Column::Id.count(), "n")
            .filter(warning::Column::OpenKey.is_not_null())
            .filter(warning::Column::SchoolId.in_subquery(below))
            .group_by(warning::Column::SchoolId)
            .group_by(warning::Column::Level)
            .into_query();
        for (school, level, count) in self.read.all::<(OrgId, String, i64)>(&q).await? {
            let Some(i) = inputs.get_mut(&school) else {
                continue;
            };
            match Level::parse(&level) {
                Some(Level::Red) => i.open_red_warnings += n(count),
                Some(Level::Orange) => i.open_orange_warnings += n(count),
                Some(Level::Yellow) => i.open_yellow_warnings += n(count),
                Some(Level::Blue) => i.open_blue_warnings += n(count),
                None => {}
            }
        }

        let mut items: Vec<SchoolIndex> = schools
            .into_iter()
            .map(|s| {
                let i = inputs.remove(&s.id).unwrap_or_default();
                let (index, level, parts) = risk_index(&i, w);
                SchoolIndex {
                    school_id: s.id,
                    school_name: s.name,
                    lat: s.lat,
                    lng: s.lng,
                    index,
                    level,
                    parts,
                    inputs: i,
                }
            })
            .collect();
        items.sort_by(|a, b| b.index.cmp(&a.index).then(a.school_id.cmp(&b.school_id)));
        Ok(IndexList { items, weights: *w })
    }
}
