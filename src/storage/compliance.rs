//! The compliance calendar (F-PLAN-3): for every org, obligation and period, due / done /
//! late / missed, computed from the records the platform holds, never typed in.
//!
//! The records are found through `compliance_evidence`, the index the triggers of
//! `m0017_work_plan` keep in the transaction of every write of a source (drills held,
//! half-month self-inspections, daily duty reports, meetings, trainings, activities), so a
//! request reads one indexed range of it instead of scanning every source. The index holds
//! no periods: the periods are counted when read (`[calendar]` decides a semester's days), by
//! the pure rules of [`crate::domain::work_plan`]. `rollups verify` recomputes the index from
//! its sources ([`verify_sql`]).

use super::entity::{
    compliance_evidence, duty_period, duty_unit, org, work_plan, work_plan_item,
    work_plan_obligation,
};
use super::work_plans::{Obligation, assemble};
use crate::domain::Code;
use crate::domain::calendar::{DateRange, SchoolCalendar};
use crate::domain::ids::{ObligationId, OrgId, WorkPlanId};
use crate::domain::org::{OrgLevel, OrgPath, SchoolKind};
use crate::domain::work_plan::{
    Evidence, Frequency, OrgFacts, PlanPeriod, Proof, Status, required, status,
};
use crate::error::{Error, Result};
use crate::storage::Compliance;
use crate::storage::read::ReadAll as _;
use chrono::{Datelike, NaiveDate};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{DatabaseConnection, QueryOrder, Select};
use serde::Serialize;
use utoipa::ToSchema;

// The index's sources: `m0017_work_plan`'s and, from `m0020_governance_security`, governance
// actions with results.
pub(crate) use super::migration::m0020_governance_security::{rebuild_sql, verify_sql};

/// One record behind a cell.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct EvidenceRef {
    /// `drill`, `inspection`, `duty_report`, `meeting`, `training` or `activity`.
    pub source: String,
    pub id: i64,
    pub kind: String,
    pub happened_on: NaiveDate,
    pub recorded_on: NaiveDate,
}

/// One org × obligation × period.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Cell {
    pub org_id: OrgId,
    pub org_name: String,
    /// The district whose plan binds the org.
    pub district_id: OrgId,
    pub obligation_id: ObligationId,
    pub plan_id: WorkPlanId,
    pub item_number: i32,
    pub evidence_kind: Evidence,
    pub kind: Option<String>,
    pub every: Frequency,
    pub period: PlanPeriod,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Records asked for in the period; counted (within the period).
    pub required: u32,
    pub counted: u32,
    pub status: Status,
    pub evidence: Vec<EvidenceRef>,
}

/// The calendar of an org (a school, a district, a city) for a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Calendar {
    pub org_id: OrgId,
    pub org_name: String,
    /// `city`, `district` or `school`.
    pub org_level: String,
    /// The districts under the org (for a city's view: a row per district).
    pub districts: Vec<(OrgId, String)>,
    pub period: PlanPeriod,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub obligations: Vec<Obligation>,
    pub items: Vec<Cell>,
}

/// Reads of whole models through either path: the read path (requests) or a connection (the
/// warning sweep).
pub(crate) trait Rows {
    async fn rows<E>(&self, s: Select<E>) -> Result<Vec<E::Model>>
    where
        E: EntityTrait,
        E::ActiveModel: sea_orm::TryIntoModel<E::Model>;
}

impl Rows for super::read::Reader {
    async fn rows<E>(&self, s: Select<E>) -> Result<Vec<E::Model>>
    where
        E: EntityTrait,
        E::ActiveModel: sea_orm::TryIntoModel<E::Model>,
    {
        s.read_all(self).await
    }
}

impl Rows for DatabaseConnection {
    async fn rows<E>(&self, s: Select<E>) -> Result<Vec<E::Model>>
    where
        E: EntityTrait,
        E::ActiveModel: sea_orm::TryIntoModel<E::Model>,
    {
        Ok(s.all(self).await?)
    }
}

fn facts(o: &org::Model) -> OrgFacts {
    OrgFacts {
        id: o.id,
        school: o.level == OrgLevel::School.as_str(),
        kind: o.school_kind.as_deref().and_then(SchoolKind::parse),
        has_bus: o.has_bus,
        students: o.students,
    }
}

/// The calendar of `orgs` (each a school or a district node; the plans bind them through
/// their districts) for the periods overlapping `range`.
pub(crate) async fn compute(
    r: &impl Rows,
    orgs: &[org::Model],
    range: DateRange,
    cal: &SchoolCalendar,
    today: NaiveDate,
) -> Result<(Vec<Obligation>, Vec<Cell>)> {
    compute_some(r, orgs, range, cal, today, &|_, _| true).await
}

/// [`compute`], keeping only the cells of the obligations and periods `keep` accepts.
pub(crate) async fn compute_some(
    r: &impl Rows,
    orgs: &[org::Model],
    range: DateRange,
    cal: &SchoolCalendar,
    today: NaiveDate,
    keep: &(dyn Fn(&Obligation, &PlanPeriod) -> bool + Sync),
) -> Result<(Vec<Obligation>, Vec<Cell>)> {
    // The districts whose plans bind these orgs.
    let mut districts: Vec<(OrgId, String)> = Vec::new();
    for o in orgs {
        let Some(p) = OrgPath::parse(&o.path) else {
            continue;
        };
        let ids = p.ids();
        let d = if o.level == OrgLevel::District.as_str() {
            Some(o.id)
        } else {
            ids.len().checked_sub(2).map(|i| OrgId(ids[i]))
        };
        if let Some(d) = d
            && !districts.iter().any(|(x, _)| *x == d)
        {
            let mut path = OrgPath::root();
            for id in ids.iter().take_while(|i| **i != d.0) {
                path = path.child(OrgId(*id));
            }
            districts.push((d, path.child(d).as_str().to_string()));
        }
    }
    let years: Vec<i32> = ((range.first.year() - 1)..=range.last.year()).collect();
    let plans = r
        .rows(
            work_plan::Entity::find()
                .filter(work_plan::Column::DistrictId.is_in(districts.iter().map(|d| d.0)))
                .filter(work_plan::Column::Year.is_in(years))
                .order_by_asc(work_plan::Column::Year),
        )
        .await?;
    let plan_ids: Vec<WorkPlanId> = plans.iter().map(|p| p.id).collect();
    let items = r
        .rows(
            work_plan_item::Entity::find()
                .filter(work_plan_item::Column::PlanId.is_in(plan_ids.clone()))
                .order_by_asc(work_plan_item::Column::Number),
        )
        .await?;
    let obligations_rows = r
        .rows(
            work_plan_obligation::Entity::find()
                .filter(work_plan_obligation::Column::PlanId.is_in(plan_ids))
                .order_by_asc(work_plan_obligation::Column::Position)
                .order_by_asc(work_plan_obligation::Column::Id),
        )
        .await?;
    // Duty periods of the districts' bureaus (or above) overlapping the range, with units.
    let duty = r
        .rows(
            duty_period::Entity::find()
                .filter(duty_period::Column::LastDay.gte(range.first))
                .filter(duty_period::Column::FirstDay.lte(range.last)),
        )
        .await?;
    let units = r
        .rows(
            duty_unit::Entity::find()
                .filter(duty_unit::Column::PeriodId.is_in(duty.iter().map(|d| d.id))),
        )
        .await?;
    // (plan, obligation, org, period)
    let mut cells: Vec<(&work_plan::Model, Obligation, &org::Model, PlanPeriod)> = Vec::new();
    let mut all_obligations = Vec::new();
    for plan in &plans {
        let Some((_, dpath)) = districts.iter().find(|d| d.0 == plan.district_id) else {
            continue;
        };
        let its_items: Vec<_> = items
            .iter()
            .filter(|i| i.plan_id == plan.id)
            .cloned()
            .collect();
        let its_obs: Vec<_> = obligations_rows
            .iter()
            .filter(|o| o.plan_id == plan.id)
            .cloned()
            .collect();
        let bound: Vec<&org::Model> = orgs
            .iter()
            .filter(|o| o.path.starts_with(dpath.as_str()))
            .collect();
        for item in assemble(its_items, its_obs) {
            for ob in item.obligations {
                all_obligations.push(ob.clone());
                let target = ob.target();
                for o in bound.iter().filter(|o| target.applies(&facts(o))) {
                    let periods: Vec<PlanPeriod> = if ob.every == Frequency::DutyPeriod {
                        duty.iter()
                            .filter(|d| {
                                units
                                    .iter()
                                    .any(|u| u.period_id == d.id && u.school_id == o.id)
                            })
                            .filter_map(|d| {
                                DateRange::new(d.first_day, d.last_day)
                                    .map(|r| PlanPeriod::Duty(d.id.0, r))
                            })
                            .collect()
                    } else {
                        PlanPeriod::overlapping(ob.every, range, cal)
                    };
                    for p in periods {
                        if p.range(cal).first.year() == plan.year && keep(&ob, &p) {
                            cells.push((plan, ob.clone(), o, p));
                        }
                    }
                }
            }
        }
    }
    // The evidence of every cell's days, in one indexed read.
    let first = cells.iter().map(|c| c.3.range(cal).first).min();
    let last = cells.iter().map(|c| c.3.range(cal).last).max();
    let evidence = match (first, last) {
        (Some(f), Some(l)) => {
            let mut ids: Vec<OrgId> = cells.iter().map(|c| c.2.id).collect();
            ids.sort();
            ids.dedup();
            r.rows(
                compliance_evidence::Entity::find()
                    .filter(compliance_evidence::Column::OrgId.is_in(ids))
                    .filter(compliance_evidence::Column::HappenedOn.gte(f))
                    .filter(compliance_evidence::Column::HappenedOn.lte(l))
                    .order_by_asc(compliance_evidence::Column::HappenedOn)
                    .order_by_asc(compliance_evidence::Column::Source)
                    .order_by_asc(compliance_evidence::Column::SourceId),
            )
            .await?
        }
        _ => Vec::new(),
    };
    let mut by_org: std::collections::HashMap<OrgId, Vec<&compliance_evidence::Model>> =
        std::collections::HashMap::new();
    for e in &evidence {
        by_org.entry(e.org_id).or_default().push(e);
    }
    let none = Vec::new();
    let out = cells
        .into_iter()
        .map(|(plan, ob, o, p)| {
            let days = p.range(cal);
            let refs: Vec<EvidenceRef> = by_org
                .get(&o.id)
                .unwrap_or(&none)
                .iter()
                .filter(|e| {
                    e.evidence == ob.evidence.as_str()
                        && ob.kind.as_ref().is_none_or(|k| *k == e.kind)
                        && days.contains(e.happened_on)
                })
                .map(|e| EvidenceRef {
                    source: e.source.clone(),
                    id: e.source_id,
                    kind: e.kind.clone(),
                    happened_on: e.happened_on,
                    recorded_on: e.recorded_on,
                })
                .collect();
            let proofs: Vec<Proof> = refs
                .iter()
                .map(|e| Proof {
                    happened_on: e.happened_on,
                    recorded_on: e.recorded_on,
                })
                .collect();
            let need = required(ob.count, ob.every == Frequency::DutyPeriod, days);
            Cell {
                org_id: o.id,
                org_name: o.name.clone(),
                district_id: plan.district_id,
                obligation_id: ob.id,
                plan_id: plan.id,
                item_number: ob.item_number,
                evidence_kind: ob.evidence,
                kind: ob.kind.clone(),
                every: ob.every,
                period: p,
                first_day: days.first,
                last_day: days.last,
                required: need,
                counted: refs.len() as u32,
                status: status(ob.evidence, need, &proofs, days, today),
                evidence: refs,
            }
        })
        .collect();
    Ok((all_obligations, out))
}

impl Compliance<'_> {
    /// The org nodes in scope under `root` that obligations bind (schools and districts).
    async fn bound_under(&self, root: &org::Model) -> Result<Vec<org::Model>> {
        let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
        org::Entity::find()
            .filter(self.org_scope())
            .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
            .filter(org::Column::Level.ne(OrgLevel::City.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await
    }

    /// The calendar of `org` (the actor's own node by default; a school, a district or a
    /// city in scope) for `period` (the current month by default).
    pub async fn calendar(
        &self,
        org: Option<OrgId>,
        period: Option<PlanPeriod>,
        cal: &SchoolCalendar,
    ) -> Result<Calendar> {
        let id = match org {
            Some(id) => id,
            None => {
                self.permit()?;
                self.actor.org_id.ok_or(Error::NotFound)?
            }
        };
        let root = self.org_row(id, &self.read).await?;
        self.permit()?;
        let today = crate::clock::today();
        let period = period.unwrap_or_else(|| {
            PlanPeriod::of(Frequency::Month, today, cal).unwrap_or(PlanPeriod::Day(today))
        });
        let range = period.range(cal);
        let orgs = self.bound_under(&root).await?;
        let (obligations, items) = compute(&self.read, &orgs, range, cal, today).await?;
        let districts = orgs
            .iter()
            .filter(|o| o.level == OrgLevel::District.as_str())
            .map(|o| (o.id, o.name.clone()))
            .collect();
        Ok(Calendar {
            org_id: root.id,
            org_name: root.name,
            org_level: root.level,
            districts,
            period,
            first_day: range.first,
            last_day: range.last,
            obligations,
            items,
        })
    }

    /// The calendar of one org in scope (the actor's own by default) for a calendar year:
    /// only its own cells (a district's own obligations, not its schools'), for the printed
    /// year at a glance.
    pub async fn org_year(
        &self,
        org: Option<OrgId>,
        year: i32,
        cal: &SchoolCalendar,
    ) -> Result<Calendar> {
        let id = match org {
            Some(id) => id,
            None => {
                self.permit()?;
                self.actor.org_id.ok_or(Error::NotFound)?
            }
        };
        let root = self.org_row(id, &self.read).await?;
        self.permit()?;
        let (first, last) = super::governance::year_range(year)?;
        let range = DateRange { first, last };
        let today = crate::clock::today();
        let (obligations, items) = if root.level == OrgLevel::City.as_str() {
            (Vec::new(), Vec::new())
        } else {
            compute(&self.read, std::slice::from_ref(&root), range, cal, today).await?
        };
        Ok(Calendar {
            org_id: root.id,
            org_name: root.name,
            org_level: root.level,
            districts: Vec::new(),
            period: PlanPeriod::Year(year),
            first_day: first,
            last_day: last,
            obligations,
            items,
        })
    }
}
