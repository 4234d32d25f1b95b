//! Time-boxed grants to see minors' personal data whole (T-PR-4, `domain::pii_grant`).
//!
//! A role without the standing right asks for one object's data (a bus route's riders) with a
//! reason and a number of hours (`[privacy] unmask_grant_max_hours`); the school's principal
//! or the bureau approves or refuses it, never the requester; an approved grant opens the
//! unmasked view of that object to its requester alone until it ends or is revoked
//! ([`in_force`], asked by the view). Each request and decision is audited and notifies the
//! other side; each view through a grant is audited by the view itself, naming the grant.
//! A grant names its object and requester, never a pupil.

use super::audit::Event;
use super::entity::{bus_route, org, pii_grant};
use super::inbox::{Note, NoteParams, notify};
use super::orgs::invalid;
use super::views::{PAGE_SIZE, Page, Paging};
use crate::domain::Code;
use crate::domain::ids::{BusRouteId, OrgId, PiiGrantId, UserId};
use crate::domain::pii_grant::{self as rules, GrantAction, GrantState, PiiSubject};
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::policy::{self, Action};
use crate::storage::PiiGrants;
use crate::storage::read::{Fetch, ReadAll as _};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveValue::Set, IntoActiveModel, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

closed_codes! {
    AuditCode:
    /// What the grants write.
    pub enum PiiAudit {
        Request = "pii.grant_request",
        Approve = "pii.grant_approve",
        Reject = "pii.grant_reject",
        Revoke = "pii.grant_revoke",
    }
}

closed_codes! {
    NoticeKind:
    /// What the grants notify: the approvers of a request, the requester of a decision.
    pub enum PiiNotice {
        Asked = "pii_grant_asked",
        Approved = "pii_grant_approved",
        Rejected = "pii_grant_rejected",
        Revoked = "pii_grant_revoked",
    }
}

/// A request for a grant.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub subject: PiiSubject,
    /// The object whose data is asked for (for `bus_riders`, the route's id).
    pub object_id: i64,
    /// Why the data is needed (1 to 200 characters); shown to the approver and audited.
    pub reason: String,
    /// How long the grant should last once approved, 1 to `[privacy]
    /// unmask_grant_max_hours` (24 by default).
    pub hours: i64,
}

/// A decision on a grant.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantDecision {
    pub action: GrantAction,
    /// Why (required to refuse or revoke; at most 200 characters).
    #[serde(default)]
    pub note: String,
}

/// A grant as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PiiGrant)]
pub struct Grant {
    pub id: PiiGrantId,
    pub school_id: OrgId,
    pub school_name: String,
    pub subject: PiiSubject,
    pub object_id: i64,
    /// The object's name (the route's), empty if it is gone.
    pub object_name: String,
    pub requester_id: UserId,
    pub requester_name: String,
    pub requester_role: String,
    pub reason: String,
    pub hours: i32,
    pub state: GrantState,
    pub decided_by_name: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: String,
    /// The end of an approved grant.
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Whether the caller may decide on it (an approver who did not ask for it).
    pub may_decide: bool,
}

/// Filters of the grants' list.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct GrantFilter {
    /// Only grants in this state (`pending`, `active`, `expired`, `rejected`, `revoked`).
    pub state: Option<String>,
    /// Only grants of the schools under this org node (in scope).
    pub org_id: Option<i64>,
    /// Only the caller's own requests.
    pub mine: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The grant in force for `user` on `subject`'s object `object_id`, if any: approved, not
/// past its end, not revoked. Read through the caller's connection (the view's read path).
pub(super) async fn in_force(
    conn: &impl Fetch,
    user: UserId,
    subject: PiiSubject,
    object_id: i64,
) -> Result<Option<pii_grant::Model>> {
    conn.first(
        pii_grant::Entity::find()
            .filter(pii_grant::Column::RequesterId.eq(user))
            .filter(pii_grant::Column::Subject.eq(subject.as_str()))
            .filter(pii_grant::Column::ObjectId.eq(object_id))
            .filter(pii_grant::Column::Status.eq(rules::APPROVED))
            .filter(pii_grant::Column::ExpiresAt.gt(Utc::now()))
            .order_by_desc(pii_grant::Column::ExpiresAt),
    )
    .await
}

fn note_error(action: GrantAction, note: &str) -> Option<FieldError> {
    let n = note.trim().chars().count();
    if n > rules::MAX_REASON {
        Some(FieldError::new("note", "err.too_long_200"))
    } else if n == 0 && action != GrantAction::Approve {
        Some(FieldError::new("note", "err.required"))
    } else {
        None
    }
}

impl PiiGrants<'_> {
    fn view(
        &self,
        m: pii_grant::Model,
        schools: &HashMap<OrgId, String>,
        routes: &HashMap<i64, String>,
    ) -> Grant {
        let state = rules::state(&m.status, m.expires_at, Utc::now());
        Grant {
            id: m.id,
            school_id: m.school_id,
            school_name: schools.get(&m.school_id).cloned().unwrap_or_default(),
            subject: PiiSubject::parse(&m.subject).unwrap_or(PiiSubject::BusRiders),
            object_id: m.object_id,
            object_name: routes.get(&m.object_id).cloned().unwrap_or_default(),
            may_decide: policy::allows(self.actor.role, Action::PiiGrantDecide)
                && m.requester_id != self.actor.user_id,
            requester_id: m.requester_id,
            requester_name: m.requester_name,
            requester_role: m.requester_role,
            reason: m.reason,
            hours: m.hours,
            state,
            decided_by_name: m.decided_by_name,
            decided_at: m.decided_at,
            decision_note: m.decision_note,
            expires_at: m.expires_at,
            created_at: m.created_at,
        }
    }

    /// The views of `rows`, their schools' and routes' names read in two queries.
    async fn views(&self, rows: Vec<pii_grant::Model>) -> Result<Vec<Grant>> {
        let school_ids: Vec<OrgId> = rows.iter().map(|r| r.school_id).collect();
        let route_ids: Vec<BusRouteId> = rows
            .iter()
            .filter(|r| r.subject == PiiSubject::BusRiders.as_str())
            .map(|r| BusRouteId(r.object_id))
            .collect();
        let schools: HashMap<OrgId, String> = org::Entity::find()
            .filter(org::Column::Id.is_in(school_ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let routes: HashMap<i64, String> = bus_route::Entity::find()
            .filter(bus_route::Column::Id.is_in(route_ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|r| (r.id.0, r.name))
            .collect();
        Ok(rows
            .into_iter()
            .map(|m| self.view(m, &schools, &routes))
            .collect())
    }

    /// The schools under `org_id` (the caller's scope when `None`), as a condition on grants.
    async fn listed(&self, under: Option<i64>) -> Result<Condition> {
        let schools = self.listed_orgs(under).await?;
        Ok(Condition::all().add(pii_grant::Column::SchoolId.in_subquery(schools)))
    }

    /// The grants of the schools in scope, newest first, a page at a time.
    pub async fn list(&self, f: &GrantFilter) -> Result<Page<Grant>> {
        let paging = Paging::new(f.page, f.per_page, PAGE_SIZE)?;
        let mut cond = self.listed(f.org_id).await?;
        self.permit()?;
        if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
            let state =
                GrantState::parse(s).ok_or_else(|| Error::field("state", "err.invalid_input"))?;
            cond = cond.add(pii_grant::Column::Status.eq(rules::stored(state)));
            let now = Utc::now();
            match state {
                GrantState::Active => cond = cond.add(pii_grant::Column::ExpiresAt.gt(now)),
                GrantState::Expired => cond = cond.add(pii_grant::Column::ExpiresAt.lte(now)),
                _ => {}
            }
        }
        if f.mine == Some(true) {
            cond = cond.add(pii_grant::Column::RequesterId.eq(self.actor.user_id));
        }
        let total = pii_grant::Entity::find()
            .filter(cond.clone())
            .read_count(&self.read)
            .await?;
        let rows = match paging.offset_within(total) {
            Some(offset) => {
                pii_grant::Entity::find()
                    .filter(cond)
                    .order_by_desc(pii_grant::Column::Id)
                    .offset(offset)
                    .limit(paging.per_page)
                    .read_all(&self.read)
                    .await?
            }
            None => Vec::new(),
        };
        Ok(Page {
            items: self.views(rows).await?,
            total,
            page: paging.page,
        })
    }

    /// A grant of a school in scope (else 404).
    pub async fn get(&self, id: PiiGrantId) -> Result<Grant> {
        let (m, _) = self.owned::<pii_grant::Entity>(id, &self.read).await?;
        self.permit()?;
        Ok(self.views(vec![m]).await?.remove(0))
    }

    /// Asks for a grant: the object must be in scope (404, audited), the role one that asks
    /// (403), the reason and hours valid (422). Notifies the school's principals and, when a
    /// bureau's user asks, the district's leader and officers.
    pub async fn request(&self, input: GrantRequest, max_hours: u32) -> Result<Grant> {
        let event = Event::new(PiiAudit::Request, "pii_grant", "");
        let route = match input.subject {
            PiiSubject::BusRiders => BusRouteId(input.object_id),
        };
        let (r, school) = match self.owned::<bus_route::Entity>(route, &self.read).await {
            Ok(x) => x,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let mut tx = self.begin_for(event, school.org_id()).await?;
        let res: Result<pii_grant::Model> = async {
            let errs: Vec<FieldError> = rules::check_request(&input.reason, input.hours, max_hours)
                .into_iter()
                .map(|(f, m)| FieldError::new(f, m))
                .collect();
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let now = Utc::now();
            let m = pii_grant::ActiveModel {
                school_id: Set(school.org_id()),
                subject: Set(input.subject.as_str().into()),
                object_id: Set(input.object_id),
                requester_id: Set(self.actor.user_id),
                requester_name: Set(self.actor.display_name.clone()),
                requester_role: Set(self.actor.role.as_str().into()),
                reason: Set(input.reason.trim().into()),
                hours: Set(i32::try_from(input.hours).unwrap_or(i32::MAX)),
                status: Set(rules::stored(GrantState::Pending).into()),
                decided_by: Set(None),
                decided_by_name: Set(String::new()),
                decided_at: Set(None),
                decision_note: Set(String::new()),
                expires_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            let mut to =
                super::inbox::users_with(&tx.txn, school.org_id(), &[Role::Principal]).await?;
            // A bureau's user asks the bureau too.
            let district = match self.actor.org_id == Some(school.org_id()) {
                true => None,
                false => org::Entity::find_by_id(school.org_id())
                    .one(&tx.txn)
                    .await?
                    .and_then(|s| s.parent_id),
            };
            if let Some(district) = district {
                let bureau = [Role::BureauLeader, Role::BureauOfficer];
                to.extend(super::inbox::users_with(&tx.txn, district, &bureau).await?);
            }
            to.retain(|u| *u != self.actor.user_id);
            notify(
                &tx.txn,
                &to,
                &Note {
                    kind: PiiNotice::Asked.into(),
                    hazard: None,
                    school: Some(school.org_id()),
                    subject: &r.name,
                    link: "/privacy/grants?state=pending".into(),
                    params: NoteParams {
                        reason: Some(m.reason.clone()),
                        ..Default::default()
                    },
                    dedupe: format!("pii_grant_asked:{}", m.id),
                },
            )
            .await?;
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "subject={} object={} hours={} reason={}",
                    m.subject, m.object_id, m.hours, m.reason
                );
                tx.commit().await?;
                Ok(self.views(vec![m]).await?.remove(0))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Approves or refuses a pending grant, or revokes one in force: the grant in scope (404),
    /// the role one that decides (403), not one's own request (403), the step allowed in the
    /// grant's state (409), a note to refuse or revoke (422). Notifies the requester.
    pub async fn decide(&self, id: PiiGrantId, d: GrantDecision) -> Result<Grant> {
        let (code, notice) = match d.action {
            GrantAction::Approve => (PiiAudit::Approve, PiiNotice::Approved),
            GrantAction::Reject => (PiiAudit::Reject, PiiNotice::Rejected),
            GrantAction::Revoke => (PiiAudit::Revoke, PiiNotice::Revoked),
        };
        let mut tx = self
            .begin_owned::<pii_grant::Entity>(Event::new(code, "pii_grant", id), id)
            .await?;
        let res: Result<pii_grant::Model> = async {
            let m = pii_grant::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if m.requester_id == self.actor.user_id {
                return Err(Error::ForbiddenBecause("err.pii.own_request".into()));
            }
            let now = Utc::now();
            let state = rules::state(&m.status, m.expires_at, now);
            if !rules::allowed(d.action, state) {
                return Err(Error::Conflict("err.pii.state".into()));
            }
            if let Some(e) = note_error(d.action, &d.note) {
                return Err(invalid(vec![e]));
            }
            let requester = m.requester_id;
            let hours = i64::from(m.hours);
            let school = m.school_id;
            let object = m.object_id;
            let mut am = m.into_active_model();
            am.status = Set(rules::stored(rules::after(d.action)).into());
            am.decided_by = Set(Some(self.actor.user_id));
            am.decided_by_name = Set(self.actor.display_name.clone());
            am.decided_at = Set(Some(now));
            am.decision_note = Set(d.note.trim().into());
            match d.action {
                GrantAction::Approve => am.expires_at = Set(Some(rules::ends(now, hours))),
                GrantAction::Revoke => am.expires_at = Set(Some(now)),
                GrantAction::Reject => {}
            }
            am.updated_at = Set(now);
            let m = am.update(&tx.txn).await?;
            let name = bus_route::Entity::find_by_id(BusRouteId(object))
                .one(&tx.txn)
                .await?
                .map(|r| r.name)
                .unwrap_or_default();
            notify(
                &tx.txn,
                &[requester],
                &Note {
                    kind: notice.into(),
                    hazard: None,
                    school: Some(school),
                    subject: &name,
                    link: format!("/privacy/grants?mine=true#grant-{id}"),
                    params: NoteParams {
                        status: Some(rules::after(d.action).as_str().into()),
                        reason: Some(m.decision_note.clone()).filter(|n| !n.is_empty()),
                        ..Default::default()
                    },
                    dedupe: format!("pii_grant_decided:{id}:{}", d.action.as_str()),
                },
            )
            .await?;
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.detail = format!(
                    "requester={} expires_at={}",
                    m.requester_id,
                    m.expires_at.map(|t| t.to_rfc3339()).unwrap_or_default()
                );
                tx.commit().await?;
                Ok(self.views(vec![m]).await?.remove(0))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
