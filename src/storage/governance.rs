//! Concentrated governance actions (集中整治 / 专项行动, item 15 of the work plan): a bureau
//! launches an action with its title, period, targets, the schools it covers and a checklist;
//! each school reports its result (one answer per checklist item, problems found and fixed,
//! a summary). An action with a result is the bureau's evidence `governance` for the work
//! plan (the trigger of `m0020_governance_security` indexes it once `first_result_on` is set,
//! which the first result writes in its own transaction).
//!
//! Scope: an action is seen by the bureaus whose subtree holds its issuer, and by the schools
//! it covers; each reader sees the schools and results within its own scope only.

use super::audit::Event;
use super::entity::{
    governance_action as action, governance_result as result, governance_school as target, org,
};
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::governance::{ActionKind, check_action};
use crate::domain::ids::{GovernanceActionId, OrgId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::error::{Error, FieldError, Result};
use crate::storage::Governance;
use crate::storage::read::ReadAll as _;
use crate::storage::views::OrgRef;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Condition, ExprTrait as _};
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

closed_codes! {
    AuditCode:
    /// What the governance actions write.
    pub enum GovernanceAudit {
        Launch = "governance.launch",
        Report = "governance.report",
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 8000;
const LIST_LIMIT: u64 = 200;

/// A governance action with the schools it covers and their results (within the reader's
/// scope).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GovernanceAction {
    pub id: GovernanceActionId,
    /// The bureau that launched it.
    pub org: OrgRef,
    pub kind: ActionKind,
    pub title: String,
    /// What the action is to achieve (治理目标), as written.
    pub targets: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub checklist: Vec<String>,
    /// The schools it covers that the reader sees.
    pub schools: Vec<OrgRef>,
    pub results: Vec<GovernanceResult>,
    /// Schools (of those seen) without a result yet.
    pub missing: Vec<OrgRef>,
    /// The day its first result came in: from then on it counts for the work plan.
    pub first_result_on: Option<NaiveDate>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// A school's result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GovernanceResult {
    pub school: OrgRef,
    /// One answer per checklist item, in the checklist's order.
    pub checks: Vec<bool>,
    pub found: i32,
    pub fixed: i32,
    pub summary: String,
    pub reported_on: NaiveDate,
    pub reported_by_name: String,
    pub reported_at: DateTime<Utc>,
}

/// A new action (`POST /api/v1/governance-actions`) of a bureau (`org_id`, the caller's own
/// by default) over `school_ids` (every school below it by default).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    #[serde(default)]
    pub org_id: Option<OrgId>,
    pub kind: ActionKind,
    pub title: String,
    #[serde(default)]
    pub targets: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub checklist: Vec<String>,
    #[serde(default)]
    pub school_ids: Option<Vec<OrgId>>,
}

/// A school's result (`POST /api/v1/governance-actions/{id}/results`; the caller's school by
/// default). A second result of the same school replaces the first.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResult {
    #[serde(default)]
    pub school_id: Option<OrgId>,
    pub checks: Vec<bool>,
    #[serde(default)]
    pub found: i32,
    #[serde(default)]
    pub fixed: i32,
    #[serde(default)]
    pub summary: String,
}

/// Which actions: of a year (by their first day).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    #[serde(default)]
    pub year: Option<i32>,
}

fn strings(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn bools(json: &str) -> Vec<bool> {
    serde_json::from_str(json).unwrap_or_default()
}

fn to_ref(o: &org::Model) -> OrgRef {
    o.clone().into()
}

impl Governance<'_> {
    /// The schools in the reader's scope.
    async fn schools_in_scope(&self) -> Result<Vec<org::Model>> {
        org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await
    }

    /// The actions the reader sees (of `year` when given), the latest first.
    pub async fn list(&self, q: &ActionQuery) -> Result<Vec<GovernanceAction>> {
        self.permit()?;
        let schools = self.schools_in_scope().await?;
        let covered: Vec<GovernanceActionId> = target::Entity::find()
            .filter(target::Column::SchoolId.is_in(schools.iter().map(|s| s.id)))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|t| t.action_id)
            .collect();
        let issuers: Vec<OrgId> = org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.ne(OrgLevel::School.as_str()))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let mut sel = action::Entity::find()
            .filter(
                Condition::any()
                    .add(action::Column::OrgId.is_in(issuers))
                    .add(action::Column::Id.is_in(covered)),
            )
            .order_by_desc(action::Column::StartsOn)
            .order_by_desc(action::Column::Id)
            .limit(LIST_LIMIT);
        if let Some(y) = q.year {
            let (first, last) = year_range(y)?;
            sel = sel.filter(action::Column::StartsOn.between(first, last));
        }
        let rows = sel.read_all(&self.read).await?;
        self.views(rows, &schools).await
    }

    /// One action the reader sees, or `NotFound`.
    pub async fn get(&self, id: GovernanceActionId) -> Result<GovernanceAction> {
        let a = self.action_row(id).await?;
        self.permit()?;
        let schools = self.schools_in_scope().await?;
        Ok(self.views(vec![a], &schools).await?.remove(0))
    }

    /// The action if the reader sees it: its issuer in scope, or a school in scope covered.
    async fn action_row(&self, id: GovernanceActionId) -> Result<action::Model> {
        let a = action::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        if self.org_row(a.org_id, &self.read).await.is_ok() {
            return Ok(a);
        }
        let schools = self.schools_in_scope().await?;
        let covered = target::Entity::find()
            .filter(target::Column::ActionId.eq(id))
            .filter(target::Column::SchoolId.is_in(schools.iter().map(|s| s.id)))
            .read_all(&self.read)
            .await?;
        if covered.is_empty() {
            return Err(Error::NotFound);
        }
        Ok(a)
    }

    async fn views(
        &self,
        rows: Vec<action::Model>,
        schools: &[org::Model],
    ) -> Result<Vec<GovernanceAction>> {
        let ids: Vec<GovernanceActionId> = rows.iter().map(|a| a.id).collect();
        let targets = target::Entity::find()
            .filter(target::Column::ActionId.is_in(ids.clone()))
            .order_by_asc(target::Column::Id)
            .read_all(&self.read)
            .await?;
        let results = result::Entity::find()
            .filter(result::Column::ActionId.is_in(ids))
            .order_by_asc(result::Column::Id)
            .read_all(&self.read)
            .await?;
        let issuers = org::Entity::find()
            .filter(org::Column::Id.is_in(rows.iter().map(|a| a.org_id)))
            .read_all(&self.read)
            .await?;
        let school = |id: OrgId| schools.iter().find(|s| s.id == id);
        let mut out = Vec::new();
        for a in rows {
            let covered: Vec<&org::Model> = targets
                .iter()
                .filter(|t| t.action_id == a.id)
                .filter_map(|t| school(t.school_id))
                .collect();
            let done: Vec<GovernanceResult> = results
                .iter()
                .filter(|r| r.action_id == a.id)
                .filter_map(|r| {
                    Some(GovernanceResult {
                        school: to_ref(school(r.school_id)?),
                        checks: bools(&r.checks),
                        found: r.found,
                        fixed: r.fixed,
                        summary: r.summary.clone(),
                        reported_on: r.reported_on,
                        reported_by_name: r.reported_by_name.clone(),
                        reported_at: r.reported_at,
                    })
                })
                .collect();
            let missing = covered
                .iter()
                .filter(|s| !done.iter().any(|r| r.school.id == s.id))
                .map(|s| to_ref(s))
                .collect();
            let issuer = issuers
                .iter()
                .find(|o| o.id == a.org_id)
                .ok_or(Error::NotFound)?;
            out.push(GovernanceAction {
                id: a.id,
                org: to_ref(issuer),
                kind: ActionKind::parse(&a.kind).unwrap_or(ActionKind::Concentrated),
                title: a.title,
                targets: a.targets,
                starts_on: a.starts_on,
                ends_on: a.ends_on,
                checklist: strings(&a.checklist),
                schools: covered.iter().map(|s| to_ref(s)).collect(),
                results: done,
                missing,
                first_result_on: a.first_result_on,
                created_by_name: a.created_by_name,
                created_at: a.created_at,
            });
        }
        Ok(out)
    }

    /// Launches an action of a bureau in scope over schools below it.
    pub async fn launch(&self, input: NewAction) -> Result<GovernanceAction> {
        let org_id = match input.org_id {
            Some(id) => id,
            None => self.actor.org_id.ok_or(Error::NotFound)?,
        };
        let mut tx = self
            .begin_for(
                Event::new(GovernanceAudit::Launch, "governance_action", ""),
                org_id,
            )
            .await?;
        let res: Result<(action::Model, usize)> = async {
            let o = org::Entity::find_by_id(org_id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let mut errs = Vec::new();
            if o.level == OrgLevel::School.as_str() {
                errs.push(FieldError::new("org_id", "err.governance.bureau"));
            }
            if input.title.trim().is_empty() {
                errs.push(FieldError::new("title", "err.required"));
            }
            for (f, v, max) in [
                ("title", &input.title, MAX_TITLE),
                ("targets", &input.targets, MAX_TEXT),
            ] {
                if v.chars().count() > max {
                    errs.push(FieldError::new(f, "err.governance.too_long"));
                }
            }
            for (f, k) in check_action(input.starts_on, input.ends_on, &input.checklist) {
                errs.push(FieldError::new(f, k));
            }
            let path = OrgPath::parse(&o.path).ok_or(Error::NotFound)?;
            let below: Vec<org::Model> = org::Entity::find()
                .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
                .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
                .order_by_asc(org::Column::Code)
                .all(&tx.txn)
                .await?;
            let chosen: Vec<OrgId> = match &input.school_ids {
                None => below.iter().map(|s| s.id).collect(),
                Some(ids) => {
                    let mut v: Vec<OrgId> = Vec::new();
                    for id in ids {
                        if !v.contains(id) {
                            v.push(*id);
                        }
                    }
                    if v.is_empty() || v.iter().any(|id| !below.iter().any(|s| s.id == *id)) {
                        errs.push(FieldError::new("school_ids", "err.governance.schools"));
                    }
                    v
                }
            };
            if chosen.is_empty() && input.school_ids.is_none() {
                errs.push(FieldError::new("school_ids", "err.governance.schools"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let checklist: Vec<String> = input
                .checklist
                .iter()
                .map(|c| c.trim().to_string())
                .collect();
            let a = action::ActiveModel {
                org_id: Set(o.id),
                kind: Set(input.kind.as_str().into()),
                title: Set(input.title.trim().into()),
                targets: Set(input.targets.trim().into()),
                starts_on: Set(input.starts_on),
                ends_on: Set(input.ends_on),
                checklist: Set(serde_json::to_string(&checklist).map_err(Error::internal)?),
                results: Set(0),
                first_result_on: Set(None),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            for s in &chosen {
                target::ActiveModel {
                    action_id: Set(a.id),
                    school_id: Set(*s),
                    ..Default::default()
                }
                .insert(&tx.txn)
                .await?;
            }
            Ok((a, chosen.len()))
        }
        .await;
        match res {
            Ok((a, n)) => {
                tx.event.object_id = a.id.to_string();
                tx.event.detail = format!(
                    "org={} kind={} {}..{} schools={n} checklist={}",
                    a.org_id,
                    a.kind,
                    a.starts_on,
                    a.ends_on,
                    strings(&a.checklist).len()
                );
                tx.commit().await?;
                self.get(a.id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Reports (or replaces) a school's result of an action that covers it; `true` when it
    /// is the school's first. The action's count and first day move in the same transaction.
    pub async fn report(
        &self,
        id: GovernanceActionId,
        input: NewResult,
    ) -> Result<(GovernanceAction, bool)> {
        let event = Event::new(GovernanceAudit::Report, "governance_action", id);
        // The action must be seen (404), then the role (403), before the school is looked at.
        if let Err(e) = self
            .action_row(id)
            .await
            .map(drop)
            .and_then(|()| self.permit())
        {
            self.audit_refusal(&event, &e).await;
            return Err(e);
        }
        let school = match input.school_id {
            Some(s) => s,
            None => self.actor.org_id.ok_or(Error::NotFound)?,
        };
        let (mut tx, school) = self.begin_for_school(event, school).await?;
        let res: Result<bool> = async {
            let a = action::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let covered = target::Entity::find()
                .filter(target::Column::ActionId.eq(id))
                .filter(target::Column::SchoolId.eq(school.org_id()))
                .count(&tx.txn)
                .await?;
            let mut errs = Vec::new();
            if covered == 0 {
                errs.push(FieldError::new("school_id", "err.governance.not_covered"));
            }
            if input.checks.len() != strings(&a.checklist).len() {
                errs.push(FieldError::new("checks", "err.governance.checks"));
            }
            if !(0..=100_000).contains(&input.found) {
                errs.push(FieldError::new("found", "err.governance.count"));
            }
            if !(0..=100_000).contains(&input.fixed) || input.fixed > input.found {
                errs.push(FieldError::new("fixed", "err.governance.fixed"));
            }
            if input.summary.chars().count() > MAX_TEXT {
                errs.push(FieldError::new("summary", "err.governance.too_long"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let today = crate::clock::today();
            let before = result::Entity::find()
                .filter(result::Column::ActionId.eq(id))
                .filter(result::Column::SchoolId.eq(school.org_id()))
                .one(&tx.txn)
                .await?;
            let checks = serde_json::to_string(&input.checks).map_err(Error::internal)?;
            let first = before.is_none();
            match before {
                Some(r) => {
                    let mut m: result::ActiveModel = r.into();
                    m.checks = Set(checks);
                    m.found = Set(input.found);
                    m.fixed = Set(input.fixed);
                    m.summary = Set(input.summary.trim().into());
                    m.reported_by = Set(Some(self.actor.user_id));
                    m.reported_by_name = Set(self.actor.display_name.clone());
                    m.reported_at = Set(Utc::now());
                    m.update(&tx.txn).await?;
                }
                None => {
                    result::ActiveModel {
                        action_id: Set(id),
                        school_id: Set(school.org_id()),
                        checks: Set(checks),
                        found: Set(input.found),
                        fixed: Set(input.fixed),
                        summary: Set(input.summary.trim().into()),
                        reported_on: Set(today),
                        reported_by: Set(Some(self.actor.user_id)),
                        reported_by_name: Set(self.actor.display_name.clone()),
                        reported_at: Set(Utc::now()),
                        ..Default::default()
                    }
                    .insert(&tx.txn)
                    .await?;
                    let mut m: action::ActiveModel = a.clone().into();
                    m.results = Set(a.results + 1);
                    m.first_result_on = Set(Some(a.first_result_on.unwrap_or(today)));
                    m.update(&tx.txn).await?;
                }
            }
            Ok(first)
        }
        .await;
        match res {
            Ok(first) => {
                tx.event.detail = format!(
                    "school={} found={} fixed={} first={first}",
                    school.org_id(),
                    input.found,
                    input.fixed
                );
                tx.commit().await?;
                Ok((self.get(id).await?, first))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// For the star rating: the actions covering `school` that ended within `year` (by
    /// today), and how many of them have no result of the school.
    pub(crate) async fn unreported(&self, school: OrgId, year: i32) -> Result<(i64, i64)> {
        let (first, last) = year_range(year)?;
        let last = std::cmp::min(last, crate::clock::today());
        let covering: Vec<GovernanceActionId> = target::Entity::find()
            .filter(target::Column::SchoolId.eq(school))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|t| t.action_id)
            .collect();
        let ended: Vec<GovernanceActionId> = action::Entity::find()
            .filter(action::Column::Id.is_in(covering))
            .filter(action::Column::EndsOn.between(first, last))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        let reported = result::Entity::find()
            .filter(result::Column::ActionId.is_in(ended.clone()))
            .filter(result::Column::SchoolId.eq(school))
            .read_all(&self.read)
            .await?
            .len() as i64;
        Ok((ended.len() as i64, ended.len() as i64 - reported))
    }
}

/// The first and last day of `year` (422 on `year` outside 2000–2100).
pub(crate) fn year_range(year: i32) -> Result<(NaiveDate, NaiveDate)> {
    let bad = || Error::field("year", "err.governance.year");
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    Ok((
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?,
        NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?,
    ))
}
