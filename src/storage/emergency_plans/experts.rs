//! The bureaus' expert pools (评审专家库): the people a bureau may assign to review a plan.
//! An expert is a user in the bureau's subtree whose role acts on plans (the bureau's officers
//! and inspectors, the principals and safety directors of its schools); the pools of a plan's
//! bureau and of every bureau above it may review it. Adding someone again updates the entry;
//! `active: false` retires it (its past reviews stay).

use super::{PlanAudit, Plans};
use crate::domain::Code;
use crate::domain::ids::{ExpertId, OrgId, PlanId, UserId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::role::Role;
use crate::error::{Error, Result};
use crate::policy::{Action, allows};
use crate::storage::audit::Event;
use crate::storage::entity::{org, plan_expert, user};
use crate::storage::orgs::invalid;
use crate::storage::read::ReadAll as _;
use crate::storage::views::OrgRef;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// Longest speciality, title or note, in characters.
pub const MAX_EXPERT_TEXT: usize = 200;

/// An expert of a pool.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Expert {
    pub id: ExpertId,
    /// The bureau whose pool it is.
    pub pool: OrgRef,
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    /// Where the expert works (a conflict of interest with that organisation's plans).
    pub org_name: String,
    pub org_id: Option<OrgId>,
    /// Fire safety, structures, public health …
    pub speciality: String,
    /// Professional title (高级工程师 …).
    pub title: String,
    pub note: String,
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

/// A bureau's pool (`GET /api/v1/plan-experts`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpertPool {
    pub pool: OrgRef,
    /// Active first, by name.
    pub experts: Vec<Expert>,
}

/// Whose pool: `org_id` (a district or the city), the caller's own bureau by default.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpertQuery {
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// An expert to add to a pool, or an entry to change (`POST /api/v1/plan-experts`; the same
/// user again updates the entry).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertInput {
    /// The bureau (a district or the city); the caller's own by default.
    #[serde(default)]
    pub org_id: Option<i64>,
    pub user_id: UserId,
    #[serde(default)]
    pub speciality: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub note: String,
    /// `false` retires the expert (default `true`).
    #[serde(default)]
    pub active: Option<bool>,
}

/// Someone who may join a pool (for the page's form).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    pub org_name: String,
}

/// Whether a user of this role can review (the policy lets the role act on plans).
fn may_review(role: Role) -> bool {
    allows(role, Action::PlanAct)
}

fn pool_node(o: &org::Model) -> bool {
    o.level != OrgLevel::School.as_str()
}

impl Plans<'_> {
    /// The pool's bureau: `org_id` (in scope, else 404; a school is 422), or the caller's own.
    async fn pool_org(&self, org_id: Option<i64>) -> Result<org::Model> {
        let id = match org_id {
            Some(i) => OrgId(i),
            None => self.actor.org_id.ok_or(Error::NotFound)?,
        };
        self.org_row(id, &self.read).await
    }

    /// The experts of a bureau's pool, active first, by name; with the bureau.
    pub async fn experts(&self, q: &ExpertQuery) -> Result<ExpertPool> {
        let o = self.pool_org(q.org_id).await?;
        self.permit()?;
        if !pool_node(&o) {
            return Err(Error::field("org_id", "err.plan.pool_bureau"));
        }
        let rows = plan_expert::Entity::find()
            .filter(plan_expert::Column::OrgId.eq(o.id))
            .order_by_asc(plan_expert::Column::Id)
            .read_all(&self.read)
            .await?;
        let experts = self.expert_views(rows).await?;
        Ok(ExpertPool {
            pool: o.into(),
            experts,
        })
    }

    /// The active experts who may review plan `id`: those of the pools of its bureau and of
    /// every bureau above it (for the assignment form; the conflict check is the step's).
    pub async fn assignable(&self, id: PlanId) -> Result<Vec<Expert>> {
        let (_, o, _) = self.plan_row(id, &self.read).await?;
        self.permit()?;
        let above = OrgPath::parse(&o.path).map(|p| p.ids()).unwrap_or_default();
        let rows = plan_expert::Entity::find()
            .filter(plan_expert::Column::OrgId.is_in(above))
            .filter(plan_expert::Column::Active.eq(true))
            .order_by_asc(plan_expert::Column::Id)
            .read_all(&self.read)
            .await?;
        self.expert_views(rows).await
    }

    /// The users who may join the pool of `org_id` (or the caller's own bureau): active
    /// accounts in its subtree whose role reviews, by name.
    pub async fn expert_candidates(&self, org_id: Option<i64>) -> Result<Vec<Candidate>> {
        let o = self.pool_org(org_id).await?;
        self.permit()?;
        let path = OrgPath::parse(&o.path).ok_or(Error::NotFound)?;
        let below = Query::select()
            .column(org::Column::Id)
            .from(org::Entity)
            .and_where(Expr::col(org::Column::Path).like(path.like_pattern()))
            .to_owned();
        let roles: Vec<&str> = Role::ALL
            .iter()
            .filter(|r| may_review(**r))
            .map(|r| r.as_str())
            .collect();
        let users = user::Entity::find()
            .filter(user::Column::OrgId.in_subquery(below))
            .filter(user::Column::Role.is_in(roles))
            .filter(user::Column::Disabled.eq(false))
            .order_by_asc(user::Column::DisplayName)
            .read_all(&self.read)
            .await?;
        let orgs = self
            .org_names(users.iter().filter_map(|u| u.org_id))
            .await?;
        Ok(users
            .into_iter()
            .filter_map(|u| {
                Some(Candidate {
                    role: Role::parse(&u.role)?,
                    org_name: u
                        .org_id
                        .and_then(|o| orgs.get(&o).cloned())
                        .unwrap_or_default(),
                    user_id: u.id,
                    name: u.display_name,
                })
            })
            .collect())
    }

    /// Adds an expert to a pool, or changes the entry.
    pub async fn save_expert(&self, input: ExpertInput) -> Result<Expert> {
        let event = Event::new(PlanAudit::Expert, "plan_expert", "");
        let pool = match self.pool_org(input.org_id).await {
            Ok(o) => o,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let mut tx = self.begin_for(event, pool.id).await?;
        let res: Result<plan_expert::Model> = async {
            if !pool_node(&pool) {
                return Err(Error::field("org_id", "err.plan.pool_bureau"));
            }
            let mut errs = Vec::new();
            for (f, v) in [
                ("speciality", &input.speciality),
                ("title", &input.title),
                ("note", &input.note),
            ] {
                if v.trim().chars().count() > MAX_EXPERT_TEXT {
                    errs.push(crate::error::FieldError::new(f, "err.plan.too_long"));
                }
            }
            let u = user::Entity::find_by_id(input.user_id).one(&tx.txn).await?;
            let pool_path = OrgPath::parse(&pool.path).ok_or(Error::NotFound)?;
            let inside = match u.as_ref().and_then(|u| u.org_id) {
                Some(o) => org::Entity::find_by_id(o)
                    .one(&tx.txn)
                    .await?
                    .and_then(|o| OrgPath::parse(&o.path))
                    .is_some_and(|p| pool_path.contains(&p)),
                None => false,
            };
            match u {
                Some(u) if inside && !u.disabled => {
                    if !Role::parse(&u.role).is_some_and(may_review) {
                        errs.push(crate::error::FieldError::new(
                            "user_id",
                            "err.plan.expert_role",
                        ));
                    }
                }
                _ => errs.push(crate::error::FieldError::new(
                    "user_id",
                    "err.plan.expert_outside",
                )),
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let now = Utc::now();
            let existing = plan_expert::Entity::find()
                .filter(plan_expert::Column::OrgId.eq(pool.id))
                .filter(plan_expert::Column::UserId.eq(input.user_id))
                .one(&tx.txn)
                .await?;
            let active = input.active.unwrap_or(true);
            let m = match existing {
                Some(e) => {
                    let mut am: plan_expert::ActiveModel = e.into();
                    am.speciality = Set(input.speciality.trim().into());
                    am.title = Set(input.title.trim().into());
                    am.note = Set(input.note.trim().into());
                    am.active = Set(active);
                    am.updated_at = Set(now);
                    am.update(&tx.txn).await?
                }
                None => {
                    plan_expert::ActiveModel {
                        org_id: Set(pool.id),
                        user_id: Set(input.user_id),
                        speciality: Set(input.speciality.trim().into()),
                        title: Set(input.title.trim().into()),
                        note: Set(input.note.trim().into()),
                        active: Set(active),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(&tx.txn)
                    .await?
                }
            };
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail =
                    format!("pool={} user={} active={}", m.org_id, m.user_id, m.active);
                tx.commit().await?;
                let mut v = self.expert_views(vec![m]).await?;
                v.pop().ok_or(Error::NotFound)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    async fn org_names(
        &self,
        ids: impl IntoIterator<Item = OrgId>,
    ) -> Result<HashMap<OrgId, String>> {
        let ids: Vec<OrgId> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(org::Entity::find()
            .filter(org::Column::Id.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    async fn expert_views(&self, rows: Vec<plan_expert::Model>) -> Result<Vec<Expert>> {
        let users: HashMap<UserId, user::Model> = if rows.is_empty() {
            HashMap::new()
        } else {
            user::Entity::find()
                .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
                .read_all(&self.read)
                .await?
                .into_iter()
                .map(|u| (u.id, u))
                .collect()
        };
        let pools: HashMap<OrgId, org::Model> = if rows.is_empty() {
            HashMap::new()
        } else {
            org::Entity::find()
                .filter(org::Column::Id.is_in(rows.iter().map(|r| r.org_id)))
                .read_all(&self.read)
                .await?
                .into_iter()
                .map(|o| (o.id, o))
                .collect()
        };
        let orgs = self
            .org_names(users.values().filter_map(|u| u.org_id))
            .await?;
        let mut out: Vec<Expert> = rows
            .into_iter()
            .filter_map(|r| {
                let u = users.get(&r.user_id)?;
                Some(Expert {
                    id: r.id,
                    pool: pools.get(&r.org_id).cloned()?.into(),
                    user_id: r.user_id,
                    name: u.display_name.clone(),
                    role: Role::parse(&u.role)?,
                    org_name: u
                        .org_id
                        .and_then(|o| orgs.get(&o).cloned())
                        .unwrap_or_default(),
                    org_id: u.org_id,
                    speciality: r.speciality,
                    title: r.title,
                    note: r.note,
                    active: r.active,
                    updated_at: r.updated_at,
                })
            })
            .collect();
        out.sort_by(|a, b| b.active.cmp(&a.active).then(a.name.cmp(&b.name)));
        Ok(out)
    }
}
