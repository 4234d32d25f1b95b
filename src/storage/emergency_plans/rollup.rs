//! A school's plans with their coverage of its red and orange risk points, and the bureau's
//! roll-up: every school under a node with its plans in force and in the works, filings
//! overdue, evaluations due and uncovered points, uncovered first; the bureau's own plans;
//! and the plans the caller was assigned to review.

use super::{PlanSummary, Plans, plan, reviewer, status_of, summary};
use crate::domain::Code;
use crate::domain::emergency_plan::{
    FilingStatus, PlanConfig, PlanForm, PlanRef, PlanStatus, PlanType, PointRef, uncovered,
};
use crate::domain::ids::{OrgId, RiskPointId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::risk::{Color, Grade};
use crate::error::{Error, Result};
use crate::storage::entity::{org, risk_point};
use crate::storage::read::ReadAll as _;
use crate::storage::views::OrgRef;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{QueryOrder, QuerySelect, QueryTrait};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

/// A red or orange risk point no plan in force covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UncoveredPoint {
    pub id: RiskPointId,
    pub code: String,
    pub name: String,
    pub color: Color,
    /// A topic plan or on-site procedure of any of these types would cover it.
    pub needs: Vec<PlanType>,
}

/// How a school's plans in force cover its high risks.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Coverage {
    /// Active risk points of the colours that need a plan (red and orange by default).
    pub points: i64,
    pub uncovered: Vec<UncoveredPoint>,
}

/// A school's plans (`GET /api/v1/schools/{id}/emergency-plans`): in force first, then in the
/// works, then superseded; with the coverage of its red and orange points.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SchoolPlans {
    pub school: OrgRef,
    pub plans: Vec<PlanSummary>,
    pub coverage: Coverage,
    /// This year and next when the working-day calendar lacks them (deadlines counted
    /// Monday–Friday there).
    pub calendar_missing_years: Vec<i32>,
}

/// Under which node (`org_id`, the caller's own by default).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RollupQuery {
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// One school of the roll-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PlanRollupRow)]
pub struct RollupRow {
    pub school: OrgRef,
    /// Plans neither superseded nor discarded.
    pub plans: i64,
    pub in_force: i64,
    /// Drafts, under review, revising, approved or published (not yet filed).
    pub in_progress: i64,
    pub filing_overdue: i64,
    pub evaluation_due: i64,
    /// Red and orange points, and those no plan covers.
    pub points: i64,
    pub uncovered: i64,
    /// The plan types that would cover the uncovered points (one of each point's).
    pub needs: Vec<PlanType>,
    pub has_comprehensive: bool,
}

/// Sums over the roll-up's schools.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RollupTotals {
    pub schools: i64,
    pub schools_uncovered: i64,
    pub schools_without_comprehensive: i64,
    pub uncovered: i64,
    pub in_force: i64,
    pub filing_overdue: i64,
    pub evaluation_due: i64,
}

/// The bureau's roll-up (`GET /api/v1/emergency-plans`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanRollup {
    pub org: OrgRef,
    pub totals: RollupTotals,
    /// Schools with uncovered points first, then by code.
    pub schools: Vec<RollupRow>,
    /// The plans of the bureau nodes under (and at) the node.
    pub bureau_plans: Vec<PlanSummary>,
    /// Plans under review the caller was assigned to (this round, any school).
    pub to_review: Vec<PlanSummary>,
    pub calendar_missing_years: Vec<i32>,
}

fn sort_key(s: PlanStatus) -> u8 {
    match s {
        PlanStatus::InForce | PlanStatus::Filed | PlanStatus::UnderEvaluation => 0,
        PlanStatus::Published => 1,
        PlanStatus::Approved | PlanStatus::UnderReview | PlanStatus::Revising => 2,
        PlanStatus::Draft => 3,
        PlanStatus::Superseded => 4,
        PlanStatus::Discarded => 5,
    }
}

fn missing_years(cal: &crate::domain::calendar::WorkingCalendar) -> Vec<i32> {
    use chrono::Datelike;
    let y = crate::storage::risk_points::today().year();
    [y, y + 1].into_iter().filter(|y| !cal.covers(*y)).collect()
}

/// `SELECT id FROM orgs WHERE path LIKE '<node>%'`.
fn below(path: &str) -> Result<SelectStatement> {
    let p = OrgPath::parse(path).ok_or(Error::NotFound)?;
    Ok(Query::select()
        .column(org::Column::Id)
        .from(org::Entity)
        .and_where(Expr::col(org::Column::Path).like(p.like_pattern()))
        .to_owned())
}

impl Plans<'_> {
    /// The red and orange (configured colours) active points of the schools under `path`,
    /// each school's uncovered ones against its plans in force.
    async fn coverage_under(
        &self,
        path: &str,
        plans: &[plan::Model],
        cfg: &PlanConfig,
    ) -> Result<HashMap<OrgId, Coverage>> {
        let grades: Vec<&str> = cfg
            .coverage
            .colors
            .iter()
            .map(|c| c.grade().as_str())
            .collect();
        let q = risk_point::Entity::find()
            .select_only()
            .column(risk_point::Column::Id)
            .column(risk_point::Column::SchoolId)
            .column(risk_point::Column::Code)
            .column(risk_point::Column::Name)
            .column(risk_point::Column::CurrentGrade)
            .column(risk_point::Column::AccidentTypes)
            .filter(risk_point::Column::Status.eq("active"))
            .filter(risk_point::Column::CurrentGrade.is_in(grades))
            .filter(risk_point::Column::SchoolId.in_subquery(below(path)?))
            .order_by_asc(risk_point::Column::SchoolId)
            .order_by_asc(risk_point::Column::Code)
            .into_query();
        type Row = (RiskPointId, OrgId, String, String, Option<String>, String);
        let rows: Vec<Row> = self.read.all(&q).await?;
        let mut in_force: HashMap<OrgId, Vec<PlanRef>> = HashMap::new();
        for m in plans.iter().filter(|m| status_of(m).is_in_force()) {
            if let (Some(t), Some(f)) = (PlanType::parse(&m.plan_type), PlanForm::parse(&m.form)) {
                in_force.entry(m.org_id).or_default().push(PlanRef {
                    plan_type: t,
                    form: f,
                });
            }
        }
        let mut by_school: BTreeMap<OrgId, Vec<&Row>> = BTreeMap::new();
        for r in &rows {
            by_school.entry(r.1).or_default().push(r);
        }
        let mut out = HashMap::new();
        for (school, points) in by_school {
            let refs: Vec<PointRef> = points
                .iter()
                .map(|r| PointRef {
                    id: r.0,
                    color: r.4.as_deref().and_then(Grade::parse).map(Grade::color),
                    accident_types: &r.5,
                })
                .collect();
            let have = in_force.get(&school).map(Vec::as_slice).unwrap_or(&[]);
            let names: HashMap<RiskPointId, (&String, &String)> =
                points.iter().map(|r| (r.0, (&r.2, &r.3))).collect();
            let list = uncovered(&refs, have, &cfg.coverage)
                .into_iter()
                .map(|u| {
                    let (code, name) = names
                        .get(&u.id)
                        .map(|(c, n)| ((*c).clone(), (*n).clone()))
                        .unwrap_or_default();
                    UncoveredPoint {
                        id: u.id,
                        code,
                        name,
                        color: u.color,
                        needs: u.needs,
                    }
                })
                .collect();
            out.insert(
                school,
                Coverage {
                    points: points.len() as i64,
                    uncovered: list,
                },
            );
        }
        Ok(out)
    }

    /// A school's plans with the coverage of its red and orange points.
    pub async fn school_plans(&self, school: OrgId, cfg: &PlanConfig) -> Result<SchoolPlans> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        let mut rows = plan::Entity::find()
            .filter(plan::Column::OrgId.eq(school))
            .order_by_asc(plan::Column::PlanType)
            .order_by_desc(plan::Column::VersionNo)
            .read_all(&self.read)
            .await?;
        rows.sort_by_key(|m| sort_key(status_of(m)));
        let cal = crate::storage::calendar::working_calendar(&self.read).await?;
        let today = crate::storage::risk_points::today();
        let mut coverage = self.coverage_under(&s.path, &rows, cfg).await?;
        let school_ref: OrgRef = s.into();
        Ok(SchoolPlans {
            plans: rows
                .iter()
                .map(|m| summary(m, school_ref.clone(), &cal, cfg, today))
                .collect(),
            coverage: coverage.remove(&school).unwrap_or_default(),
            school: school_ref,
            calendar_missing_years: missing_years(&cal),
        })
    }

    /// The roll-up under `org_id` (the caller's own node by default).
    pub async fn rollup(&self, q: &RollupQuery, cfg: &PlanConfig) -> Result<PlanRollup> {
        let (root, schools) = self.schools_under(q.org_id).await?;
        let cal = crate::storage::calendar::working_calendar(&self.read).await?;
        let today = crate::storage::risk_points::today();
        let plans = plan::Entity::find()
            .filter(plan::Column::OrgId.in_subquery(below(&root.path)?))
            .order_by_asc(plan::Column::Id)
            .read_all(&self.read)
            .await?;
        let coverage = self.coverage_under(&root.path, &plans, cfg).await?;
        let bureau_nodes: HashMap<OrgId, org::Model> = org::Entity::find()
            .filter(org::Column::Id.in_subquery(below(&root.path)?))
            .filter(org::Column::Level.ne(OrgLevel::School.as_str()))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let mut by_school: HashMap<OrgId, Vec<&plan::Model>> = HashMap::new();
        let mut bureau_plans = Vec::new();
        for m in &plans {
            if let Some(b) = bureau_nodes.get(&m.org_id) {
                bureau_plans.push(summary(m, b.clone().into(), &cal, cfg, today));
            } else {
                by_school.entry(m.org_id).or_default().push(m);
            }
        }
        bureau_plans.sort_by_key(|p| sort_key(p.status));
        let mut totals = RollupTotals::default();
        let mut rows = Vec::new();
        for s in schools {
            let list = by_school.remove(&s.id).unwrap_or_default();
            let sref: OrgRef = s.into();
            let mut row = RollupRow {
                school: sref.clone(),
                plans: 0,
                in_force: 0,
                in_progress: 0,
                filing_overdue: 0,
                evaluation_due: 0,
                points: 0,
                uncovered: 0,
                needs: Vec::new(),
                has_comprehensive: false,
            };
            for m in list {
                let status = status_of(m);
                if status.is_final() {
                    continue;
                }
                row.plans += 1;
                if status.is_in_force() {
                    row.in_force += 1;
                    if m.form == PlanForm::Comprehensive.as_str() {
                        row.has_comprehensive = true;
                    }
                } else {
                    row.in_progress += 1;
                }
                let v = summary(m, sref.clone(), &cal, cfg, today);
                if v.filing.is_some_and(|f| f.status == FilingStatus::Overdue) {
                    row.filing_overdue += 1;
                }
                if v.evaluation_overdue {
                    row.evaluation_due += 1;
                }
            }
            if let Some(c) = coverage.get(&row.school.id) {
                row.points = c.points;
                row.uncovered = c.uncovered.len() as i64;
                let mut needs: Vec<PlanType> = c
                    .uncovered
                    .iter()
                    .filter_map(|u| u.needs.first().copied())
                    .collect();
                needs.sort();
                needs.dedup();
                row.needs = needs;
            }
            totals.schools += 1;
            totals.schools_uncovered += i64::from(row.uncovered > 0);
            totals.schools_without_comprehensive += i64::from(!row.has_comprehensive);
            totals.uncovered += row.uncovered;
            totals.in_force += row.in_force;
            totals.filing_overdue += row.filing_overdue;
            totals.evaluation_due += row.evaluation_due;
            rows.push(row);
        }
        rows.sort_by(|a, b| {
            (b.uncovered > 0)
                .cmp(&(a.uncovered > 0))
                .then(a.school.code.cmp(&b.school.code))
        });
        let to_review = self.to_review(cfg, &cal, today).await?;
        Ok(PlanRollup {
            org: root.into(),
            totals,
            schools: rows,
            bureau_plans,
            to_review,
            calendar_missing_years: missing_years(&cal),
        })
    }

    /// Plans under review whose current round the caller was assigned to.
    async fn to_review(
        &self,
        cfg: &PlanConfig,
        cal: &crate::domain::calendar::WorkingCalendar,
        today: chrono::NaiveDate,
    ) -> Result<Vec<PlanSummary>> {
        let mine = reviewer::Entity::find()
            .filter(reviewer::Column::UserId.eq(self.actor.user_id))
            .read_all(&self.read)
            .await?;
        if mine.is_empty() {
            return Ok(Vec::new());
        }
        let plans = plan::Entity::find()
            .filter(plan::Column::Id.is_in(mine.iter().map(|r| r.plan_id)))
            .filter(plan::Column::Status.eq(PlanStatus::UnderReview.as_str()))
            .read_all(&self.read)
            .await?;
        let plans: Vec<plan::Model> = plans
            .into_iter()
            .filter(|p| {
                mine.iter()
                    .any(|r| r.plan_id == p.id && r.round == p.review_round)
            })
            .collect();
        let orgs: HashMap<OrgId, org::Model> = org::Entity::find()
            .filter(org::Column::Id.is_in(plans.iter().map(|p| p.org_id)))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        Ok(plans
            .iter()
            .filter_map(|p| {
                let o = orgs.get(&p.org_id)?.clone();
                Some(summary(p, o.into(), cal, cfg, today))
            })
            .collect())
    }
}
