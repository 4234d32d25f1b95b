//! The yearly work plan of a district (F-PLAN-1, F-PLAN-2) through a [`Scoped`] handle: a
//! plan per district and year with its items and obligations. Every change bumps the plan's
//! `version` and stores the contents as written in `work_plan_versions`, so each version is
//! kept; obligations keep their ids across edits (the calendar of an edited obligation stays).
//! A new year's plan is a copy of another (`copy`).
//!
//! Who sees a plan: anyone whose scope holds its district, and the district's schools (a plan
//! binds the schools below it, so they read it like the risk catalogue of their district).
//! Who writes: [`Action::WorkPlanEdit`] on the district, in scope (a plan seen but not
//! writable — a school's — answers 403, one not seen 404, both audited).
//!
//! [`Scoped`]: super::Scoped
//! [`Action::WorkPlanEdit`]: crate::policy::Action::WorkPlanEdit

use super::audit::Event;
use super::entity::{org, work_plan, work_plan_item, work_plan_obligation, work_plan_version};
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::ids::{ObligationId, OrgId, PlanItemId, WorkPlanId};
use crate::domain::org::OrgLevel;
use crate::domain::work_plan::{
    Evidence, Frequency, ItemInput, ObligationInput, PlanContent, Target, Who, check_content,
    check_year,
};
use crate::error::{Error, FieldError, Result};
use crate::storage::WorkPlans;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, Utc};
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod write;

closed_codes! {
    AuditCode:
    /// What the work plan records.
    pub enum WorkPlanAudit {
        Create = "work_plan.create",
        Update = "work_plan.update",
        Copy = "work_plan.copy",
    }
}

/// The shipped example: the seed's 2021 plan of 二道区 (17 items, every number it gives as an
/// obligation).
pub const EXAMPLE_2021: &str = include_str!("../../assets/work_plans/erdao-2021.json");

/// A plan in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkPlanSummary {
    pub id: WorkPlanId,
    pub district_id: OrgId,
    pub district_name: String,
    pub year: i32,
    pub title: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// An obligation as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Obligation {
    pub id: ObligationId,
    pub item_id: PlanItemId,
    pub item_number: i32,
    pub who: Who,
    pub min_students: Option<i32>,
    pub org_ids: Vec<OrgId>,
    pub evidence: Evidence,
    pub kind: Option<String>,
    pub every: Frequency,
    pub count: u32,
    pub note: String,
}

impl Obligation {
    pub fn target(&self) -> Target {
        Target {
            who: Some(self.who),
            min_students: self.min_students,
            org_ids: self.org_ids.clone(),
        }
    }
}

/// An item with its obligations.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanItem {
    pub id: PlanItemId,
    pub number: i32,
    pub group: String,
    pub title: String,
    pub text: String,
    pub lead: String,
    pub cooperating: Vec<String>,
    pub obligations: Vec<Obligation>,
}

/// One stored version of a plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanVersion {
    pub version: i32,
    pub note: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// A plan with its items, obligations and versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkPlan {
    #[serde(flatten)]
    pub summary: WorkPlanSummary,
    pub items: Vec<PlanItem>,
    pub versions: Vec<PlanVersion>,
}

/// A new plan (`POST /api/v1/work-plans`): a district in scope, a year without a plan yet,
/// and the contents (the data file's format).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkPlan {
    pub district_id: OrgId,
    pub year: i32,
    pub title: String,
    #[serde(default)]
    pub items: Vec<ItemInput>,
}

/// A change (`PATCH /api/v1/work-plans/{id}`): the title and/or the whole list of items (an
/// item or obligation with its `id` is kept and changed, one without is added, one left out
/// is removed). `version`, when given, must be the plan's (else 409).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkPlanPatch {
    pub version: Option<i32>,
    pub title: Option<String>,
    pub items: Option<Vec<ItemInput>>,
    /// Why (kept with the version).
    #[serde(default)]
    pub note: String,
}

/// A copy (`POST /api/v1/work-plans/{id}/copy`): into `year` (the next year by default).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyWorkPlan {
    pub year: Option<i32>,
}

fn obligation_view(m: work_plan_obligation::Model, number: i32) -> Obligation {
    Obligation {
        id: m.id,
        item_id: m.item_id,
        item_number: number,
        who: Who::parse(&m.who).unwrap_or(Who::Schools),
        min_students: m.min_students,
        org_ids: serde_json::from_str(&m.org_ids).unwrap_or_default(),
        evidence: Evidence::parse(&m.evidence).unwrap_or(Evidence::Document),
        kind: m.kind,
        every: Frequency::parse(&m.every).unwrap_or(Frequency::Year),
        count: u32::try_from(m.count).unwrap_or(0),
        note: m.note,
    }
}

/// The contents of a stored plan as written (for its version snapshot and copies).
pub(super) fn content_of(title: &str, items: &[PlanItem]) -> PlanContent {
    PlanContent {
        title: title.to_string(),
        items: items
            .iter()
            .map(|i| ItemInput {
                id: Some(i.id),
                number: u32::try_from(i.number).unwrap_or(0),
                group: i.group.clone(),
                title: i.title.clone(),
                text: i.text.clone(),
                lead: i.lead.clone(),
                cooperating: i.cooperating.clone(),
                obligations: i
                    .obligations
                    .iter()
                    .map(|o| ObligationInput {
                        id: Some(o.id),
                        who: o.who,
                        min_students: o.min_students,
                        org_ids: o.org_ids.clone(),
                        evidence: o.evidence,
                        kind: o.kind.clone(),
                        every: o.every,
                        count: o.count,
                        note: o.note.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn check(content: &PlanContent) -> Result<()> {
    let errs: Vec<FieldError> = check_content(content)
        .into_iter()
        .map(|(f, k)| FieldError::new(f, k))
        .collect();
    if errs.is_empty() {
        Ok(())
    } else {
        Err(invalid(errs))
    }
}

/// Reads a plan's items and obligations (through the read path, or a transaction's reads).
pub(super) async fn items_of(
    read: &super::read::Reader,
    plan: WorkPlanId,
) -> Result<Vec<PlanItem>> {
    let items = work_plan_item::Entity::find()
        .filter(work_plan_item::Column::PlanId.eq(plan))
        .order_by_asc(work_plan_item::Column::Number)
        .read_all(read)
        .await?;
    let obligations = work_plan_obligation::Entity::find()
        .filter(work_plan_obligation::Column::PlanId.eq(plan))
        .order_by_asc(work_plan_obligation::Column::Position)
        .order_by_asc(work_plan_obligation::Column::Id)
        .read_all(read)
        .await?;
    Ok(assemble(items, obligations))
}

pub(super) fn assemble(
    items: Vec<work_plan_item::Model>,
    obligations: Vec<work_plan_obligation::Model>,
) -> Vec<PlanItem> {
    items
        .into_iter()
        .map(|i| PlanItem {
            obligations: obligations
                .iter()
                .filter(|o| o.item_id == i.id)
                .map(|o| obligation_view(o.clone(), i.number))
                .collect(),
            id: i.id,
            number: i.number,
            group: i.heading,
            title: i.title,
            text: i.body,
            lead: i.lead,
            cooperating: serde_json::from_str(&i.cooperating).unwrap_or_default(),
        })
        .collect()
}

impl WorkPlans<'_> {
    /// Whether the actor reads plans of the district at `path`: it is in scope, or the actor
    /// is one of its schools.
    fn reads_district(&self, path: &str) -> bool {
        let scope = self.actor.scope().as_str();
        path.starts_with(scope) || scope.starts_with(path)
    }

    /// A plan the actor reads, with its district, or `NotFound`.
    pub(super) async fn plan_row(&self, id: WorkPlanId) -> Result<(work_plan::Model, org::Model)> {
        let plan = work_plan::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let district = org::Entity::find_by_id(plan.district_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        if !self.reads_district(&district.path) {
            return Err(Error::NotFound);
        }
        Ok((plan, district))
    }

    /// The plans the actor reads (of `district` when given: a district in scope or the
    /// actor's own), newest year first.
    pub async fn list(&self, district: Option<OrgId>) -> Result<Vec<WorkPlanSummary>> {
        self.permit()?;
        let districts: Vec<org::Model> = org::Entity::find()
            .filter(org::Column::Level.eq(OrgLevel::District.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?
            .into_iter()
            .filter(|d| self.reads_district(&d.path))
            .filter(|d| district.is_none_or(|id| id == d.id))
            .collect();
        if district.is_some() && districts.is_empty() {
            // A school's id, or one out of scope.
            return Err(Error::NotFound);
        }
        let ids: Vec<OrgId> = districts.iter().map(|d| d.id).collect();
        let plans = work_plan::Entity::find()
            .filter(work_plan::Column::DistrictId.is_in(ids))
            .order_by_desc(work_plan::Column::Year)
            .order_by_asc(work_plan::Column::DistrictId)
            .read_all(&self.read)
            .await?;
        Ok(plans
            .into_iter()
            .map(|p| {
                let name = districts
                    .iter()
                    .find(|d| d.id == p.district_id)
                    .map(|d| d.name.clone())
                    .unwrap_or_default();
                summary(p, name)
            })
            .collect())
    }

    pub async fn get(&self, id: WorkPlanId) -> Result<WorkPlan> {
        let (plan, district) = self.plan_row(id).await?;
        self.permit()?;
        let items = items_of(&self.read, plan.id).await?;
        let versions = work_plan_version::Entity::find()
            .filter(work_plan_version::Column::PlanId.eq(plan.id))
            .order_by_desc(work_plan_version::Column::Version)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|v| PlanVersion {
                version: v.version,
                note: v.note,
                created_by_name: v.created_by_name,
                created_at: v.created_at,
            })
            .collect();
        Ok(WorkPlan {
            summary: summary(plan, district.name),
            items,
            versions,
        })
    }

    /// Scope, then role, for a form refused before it reached the write.
    pub async fn check_plan(&self, id: WorkPlanId) -> Result<()> {
        self.plan_row(id).await?;
        self.permit()
    }

    /// The plan of `district` for `year`, if any (for the pages' defaults).
    pub async fn find(&self, district: OrgId, year: i32) -> Result<Option<WorkPlanId>> {
        Ok(work_plan::Entity::find()
            .filter(work_plan::Column::DistrictId.eq(district))
            .filter(work_plan::Column::Year.eq(year))
            .read_one(&self.read)
            .await?
            .map(|p| p.id))
    }

    /// A new plan for a district in scope.
    pub async fn create(&self, input: NewWorkPlan) -> Result<WorkPlan> {
        let tx = self
            .begin_for(
                Event::new(WorkPlanAudit::Create, "work_plan", ""),
                input.district_id,
            )
            .await?;
        let content = PlanContent {
            title: input.title,
            items: input.items,
        };
        let res = async {
            district_of(&tx.txn, input.district_id).await?;
            if let Err((f, k)) = check_year(input.year) {
                return Err(Error::field(f, k));
            }
            check(&content)?;
            write::insert_plan(
                &tx.txn,
                &self.actor,
                input.district_id,
                input.year,
                &content,
                "",
            )
            .await
        }
        .await;
        self.finish(tx, res).await
    }

    /// Edits the title and/or the items and obligations of a plan.
    pub async fn update(&self, id: WorkPlanId, patch: WorkPlanPatch) -> Result<WorkPlan> {
        let event = Event::new(WorkPlanAudit::Update, "work_plan", id.to_string());
        let (tx, _) = self.begin_found(event, self.plan_row(id).await).await?;
        let res = write::update_plan(&tx.txn, &self.actor, id, patch).await;
        self.finish(tx, res).await
    }

    /// Copies a plan into another year (the next one by default) of its district.
    pub async fn copy(&self, id: WorkPlanId, input: CopyWorkPlan) -> Result<WorkPlan> {
        let event = Event::new(WorkPlanAudit::Copy, "work_plan", "");
        let (tx, (plan, _)) = self.begin_found(event, self.plan_row(id).await).await?;
        let res = copy_in(&tx.txn, &self.actor, &plan, input.year).await;
        self.finish(tx, res).await
    }

    async fn finish(
        &self,
        mut tx: super::WriteTx<'_>,
        res: Result<work_plan::Model>,
    ) -> Result<WorkPlan> {
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "district={} year={} version={}",
                    m.district_id, m.year, m.version
                );
                tx.commit().await?;
                self.get(m.id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

/// Copies `plan` into `year` (the next one by default) inside the caller's transaction.
pub(super) async fn copy_in(
    txn: &sea_orm::DatabaseTransaction,
    actor: &super::Actor,
    plan: &work_plan::Model,
    year: Option<i32>,
) -> Result<work_plan::Model> {
    let year = year.unwrap_or(plan.year + 1);
    if let Err((f, k)) = check_year(year) {
        return Err(Error::field(f, k));
    }
    let items = write::items_in(txn, plan.id).await?;
    let mut content = content_of(&plan.title, &items);
    content.title = content
        .title
        .replace(&plan.year.to_string(), &year.to_string());
    for i in &mut content.items {
        i.id = None;
        for o in &mut i.obligations {
            o.id = None;
        }
    }
    let note = format!("copy of {} ({})", plan.id, plan.year);
    write::insert_plan(txn, actor, plan.district_id, year, &content, &note).await
}

/// A plan written by the seeder, checked like a request's.
pub(super) async fn insert_checked(
    txn: &sea_orm::DatabaseTransaction,
    actor: &super::Actor,
    district: OrgId,
    year: i32,
    content: &PlanContent,
) -> Result<work_plan::Model> {
    check(content)?;
    write::insert_plan(txn, actor, district, year, content, "").await
}

/// The district a plan is written for: a district node (a school or a city is `NotFound`).
async fn district_of(conn: &impl ConnectionTrait, id: OrgId) -> Result<org::Model> {
    org::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|o| o.level == OrgLevel::District.as_str())
        .ok_or(Error::NotFound)
}

fn summary(p: work_plan::Model, district_name: String) -> WorkPlanSummary {
    WorkPlanSummary {
        id: p.id,
        district_id: p.district_id,
        district_name,
        year: p.year,
        title: p.title,
        version: p.version,
        updated_at: p.updated_at,
    }
}
