//! One step of a plan's lifecycle (`POST /api/v1/emergency-plans/{id}/actions`), in one
//! transaction: the plan re-read, the step checked in this order — the lifecycle has it
//! ([`target`], else 409), the caller may take it (else 403 with the reason), its guards
//! ([`apply`]: a review needs a reviewer, a decision a review; else 409), its fields (422) —
//! the row updated under its `version` (two people acting at once never both win), one
//! `emergency_plan_events` row appended, the notifications written, the audit event committed.
//!
//! Who takes which step: the plan's own organisation (the school's principal and safety
//! director, or the bureau's officers for its own plans) submits, files, starts an evaluation
//! and supersedes, as the bureau over it may; the organisation or the author discards a version
//! given up before approval (a draft, or one sent back for revision); only the bureau assigns reviewers, asks for a
//! revision and approves after review; the principal signs and publishes a school's plan;
//! the assigned experts record their opinions (the bureau may record one on an expert's
//! behalf); an evaluation's findings come from anyone in scope who acts on plans.

use super::{PlanAudit, PlanNotice, Plans, Reach, event, plan, reviewer, status_of};
use crate::domain::Code;
use crate::domain::emergency_plan::{
    Candidate, PlanAction, PlanError, PlanOwner, PlanStatus, ReviewConclusion, ReviewRound, apply,
    check_reviewer, target,
};
use crate::domain::ids::{ExpertId, FileId, PlanId, UserId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::role::Role;
use crate::error::{Error, Result};
use crate::storage::audit::Event;
use crate::storage::entity::{file, org, plan_expert, user};
use crate::storage::inbox::{Note, NoteParams, notify};
use chrono::{NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};
use serde::Deserialize;
use utoipa::ToSchema;

/// Longest filing number (备案编号), in characters.
pub const MAX_FILING_NO: usize = 60;

/// A step (`POST /api/v1/emergency-plans/{id}/actions`). What each action reads:
///
/// | action | fields |
/// |---|---|
/// | `submit_review` | `note` (optional) |
/// | `assign_reviewer` | `expert_id` (an active expert of the pool of the plan's bureau or one above it; one from the plan's own organisation, or its author, is refused: 403 with the reason) |
/// | `review` | `note` (the opinion) and, under review, `conclusion`; the bureau records one on an expert's behalf with `reviewer_id` |
/// | `request_revision` | `note` (the minutes: what must change) |
/// | `approve` | `note` (the review minutes; optional when closing an evaluation) |
/// | `publish` | `published_on` (default today); `signed_by` for a bureau's plan (a school's is signed by its principal, the caller) |
/// | `file` | `filing_no` (备案编号), `filed_on` (default today), `receipt_id` (optional: a scan of the receipt, a file of the plan's organisation) |
/// | `start_evaluation`, `supersede` | `note` (optional: why) |
/// | `discard` | `note` (optional: why the version is given up; its organisation or its author) |
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanStep {
    pub action: PlanAction,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub expert_id: Option<ExpertId>,
    #[serde(default)]
    pub reviewer_id: Option<UserId>,
    #[serde(default)]
    pub conclusion: Option<ReviewConclusion>,
    #[serde(default)]
    pub published_on: Option<NaiveDate>,
    #[serde(default)]
    pub signed_by: Option<String>,
    #[serde(default)]
    pub filed_on: Option<NaiveDate>,
    #[serde(default)]
    pub filing_no: Option<String>,
    #[serde(default)]
    pub receipt_id: Option<FileId>,
    /// The plan's version the step was taken on, if a stale one should be refused (409).
    #[serde(default)]
    pub version: Option<i32>,
}

/// The reviewer of the event row: who, by name.
struct ReviewerRef {
    user: UserId,
    name: String,
}

/// Where the caller stands towards a plan, besides its organisation: assigned to review its
/// current round, or its author.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Standing {
    pub assigned_now: bool,
    pub author: bool,
}

/// What a step changes besides the status.
#[derive(Default)]
struct Effects {
    reviewer: Option<ReviewerRef>,
    conclusion: Option<ReviewConclusion>,
    note: String,
    notify: Vec<(UserId, PlanNotice)>,
}

fn conflict(e: PlanError) -> Error {
    Error::Conflict(e.key().into())
}

fn text(field: &'static str, v: &str, max: usize, required: bool) -> Result<String> {
    let v = v.trim();
    if required && v.is_empty() {
        return Err(Error::field(field, "err.required"));
    }
    if v.chars().count() > max {
        return Err(Error::field(field, "err.plan.too_long"));
    }
    Ok(v.to_string())
}

impl Plans<'_> {
    /// Takes one step of a plan's lifecycle (see the module's documentation).
    pub async fn act(&self, id: PlanId, s: PlanStep) -> Result<PlanId> {
        let event = Event::new(PlanAudit::Step, "emergency_plan", id)
            .detail(format!("action={}", s.action));
        let (_, o, reach) = match self.plan_row(id, &self.read).await {
            Ok(x) => x,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let refused = event.clone();
        let mut tx = self.begin(event).await?;
        let res = self.step(&tx.txn, id, &o, reach, &s).await;
        match res {
            Ok(detail) => {
                tx.event.detail = detail;
                tx.commit().await?;
                Ok(id)
            }
            Err(e) => {
                let reason = matches!(e, Error::ForbiddenBecause(_));
                let e = tx.fail(e).await;
                if reason {
                    self.audit_refusal(&refused, &e).await;
                }
                Err(e)
            }
        }
    }

    async fn step(
        &self,
        txn: &DatabaseTransaction,
        id: PlanId,
        o: &org::Model,
        reach: Reach,
        s: &PlanStep,
    ) -> Result<String> {
        let m = plan::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or(Error::NotFound)?;
        if s.version.is_some_and(|v| v != m.version) {
            return Err(Error::Conflict(super::STALE.into()));
        }
        let from = status_of(&m);
        let action = s.action;
        if target(from, action).is_none() {
            return Err(conflict(PlanError::IllegalStep { from, action }));
        }
        let is_school = o.level == OrgLevel::School.as_str();
        let round_no = if action == PlanAction::SubmitReview {
            m.review_round + 1
        } else {
            m.review_round
        };
        let assigned: Vec<reviewer::Model> = reviewer::Entity::find()
            .filter(reviewer::Column::PlanId.eq(id))
            .filter(reviewer::Column::Round.eq(m.review_round))
            .all(txn)
            .await?;
        let who = Standing {
            assigned_now: assigned.iter().any(|r| r.user_id == self.actor.user_id),
            author: m.author_id == Some(self.actor.user_id),
        };
        let assigned_now = who.assigned_now;
        self.may(action, from, o, reach, is_school, who)?;
        let reviews = event::Entity::find()
            .filter(event::Column::PlanId.eq(id))
            .filter(event::Column::Round.eq(m.review_round))
            .filter(event::Column::Action.eq(PlanAction::Review.as_str()))
            .all(txn)
            .await?;
        let mut reviewed: Vec<UserId> = reviews.iter().filter_map(|e| e.reviewer_id).collect();
        reviewed.sort();
        reviewed.dedup();
        let round = ReviewRound {
            reviewers: assigned.len() as u32,
            reviews: reviewed.len() as u32,
        };
        let to = apply(from, action, round).map_err(conflict)?;

        let today = crate::storage::risk_points::today();
        let now = Utc::now();
        let version = m.version;
        let mut am: plan::ActiveModel = m.clone().into();
        let mut fx = Effects::default();
        let mut detail = format!("action={action} from={from} to={to}");
        match action {
            PlanAction::SubmitReview => {
                fx.note = text("note", &s.note, super::MAX_NOTE, false)?;
                am.review_round = Set(round_no);
            }
            PlanAction::AssignReviewer => {
                let r = self.assign(txn, &m, o, s.expert_id, &assigned).await?;
                detail.push_str(&format!(" reviewer={}", r.user));
                fx.notify.push((r.user, PlanNotice::ReviewAssigned));
                fx.reviewer = Some(r);
            }
            PlanAction::Review => {
                fx.note = text("note", &s.note, super::MAX_NOTE, true)?;
                if from == PlanStatus::UnderReview {
                    let Some(c) = s.conclusion else {
                        return Err(Error::field("conclusion", "err.required"));
                    };
                    fx.conclusion = Some(c);
                    let who = match s.reviewer_id {
                        Some(u) if u != self.actor.user_id || !assigned_now => u,
                        _ if assigned_now => self.actor.user_id,
                        _ => return Err(Error::field("reviewer_id", "err.required")),
                    };
                    let Some(r) = assigned.iter().find(|r| r.user_id == who) else {
                        return Err(Error::field("reviewer_id", "err.plan.not_assigned"));
                    };
                    if who != self.actor.user_id && !self.bureau_side(reach) {
                        return Err(Error::ForbiddenBecause("err.plan.not_reviewer".into()));
                    }
                    detail.push_str(&format!(" reviewer={who} conclusion={c}"));
                    fx.reviewer = Some(ReviewerRef {
                        user: who,
                        name: r.name.clone(),
                    });
                } else {
                    fx.conclusion = s.conclusion;
                }
            }
            PlanAction::RequestRevision => {
                fx.note = text("note", &s.note, super::MAX_NOTE, true)?;
                fx.notify
                    .extend(m.author_id.map(|a| (a, PlanNotice::RevisionRequested)));
            }
            PlanAction::Approve => {
                let under_review = from == PlanStatus::UnderReview;
                fx.note = text("note", &s.note, super::MAX_NOTE, under_review)?;
                if under_review {
                    fx.notify
                        .extend(m.author_id.map(|a| (a, PlanNotice::Approved)));
                } else {
                    am.last_evaluated_on = Set(Some(today));
                }
            }
            PlanAction::Publish => {
                let on = s.published_on.unwrap_or(today);
                if on > today {
                    return Err(Error::field("published_on", "err.plan.future_date"));
                }
                let signed = if is_school {
                    self.actor.display_name.clone()
                } else {
                    text(
                        "signed_by",
                        s.signed_by.as_deref().unwrap_or_default(),
                        super::content::MAX_SHORT,
                        true,
                    )?
                };
                detail.push_str(&format!(" published_on={on}"));
                am.published_on = Set(Some(on));
                am.signed_by = Set(signed.clone());
                fx.note = signed;
            }
            PlanAction::File => {
                let no = text(
                    "filing_no",
                    s.filing_no.as_deref().unwrap_or_default(),
                    MAX_FILING_NO,
                    true,
                )?;
                let on = s.filed_on.unwrap_or(today);
                if on > today {
                    return Err(Error::field("filed_on", "err.plan.future_date"));
                }
                if m.published_on.is_some_and(|p| on < p) {
                    return Err(Error::field("filed_on", "err.plan.filed_before_published"));
                }
                if let Some(r) = s.receipt_id {
                    let ok = file::Entity::find_by_id(r)
                        .one(txn)
                        .await?
                        .is_some_and(|f| f.school_id == m.org_id);
                    if !ok {
                        return Err(Error::field("receipt_id", "err.plan.document_not_here"));
                    }
                }
                detail.push_str(&format!(" filed_on={on} filing_no={no}"));
                am.filed_on = Set(Some(on));
                am.filing_no = Set(no.clone());
                am.filing_receipt_id = Set(s.receipt_id);
                fx.note = no;
            }
            PlanAction::StartEvaluation => {
                fx.note = text("note", &s.note, super::MAX_NOTE, false)?;
            }
            PlanAction::Supersede => {
                fx.note = text("note", &s.note, super::MAX_NOTE, false)?;
                am.superseded_on = Set(Some(today));
            }
            PlanAction::Discard => {
                fx.note = text("note", &s.note, super::MAX_NOTE, false)?;
                if let Some(prev) = m.previous_id {
                    detail.push_str(&format!(" revises={prev}"));
                }
            }
        }
        am.status = Set(to.as_str().into());
        am.updated_by = Set(Some(self.actor.user_id));
        am.updated_at = Set(now);
        am.version = Set(version + 1);
        let res = plan::Entity::update_many()
            .set(am)
            .filter(plan::Column::Id.eq(id))
            .filter(plan::Column::Version.eq(version))
            .exec(txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(Error::Conflict(super::STALE.into()));
        }
        self.append(txn, id, action, from, to, round_no, &fx, now)
            .await?;
        // A new version in force supersedes the one it revises.
        if action == PlanAction::File
            && let Some(prev) = m.previous_id
        {
            self.supersede_previous(txn, prev, id, now).await?;
            detail.push_str(&format!(" superseded={prev}"));
        }
        for (u, kind) in &fx.notify {
            notify(
                txn,
                &[*u],
                &Note {
                    kind: (*kind).into(),
                    hazard: None,
                    school: is_school.then_some(m.org_id),
                    subject: &m.title,
                    link: format!("/emergency-plans/{id}"),
                    params: NoteParams {
                        status: Some(to.as_str().into()),
                        ..Default::default()
                    },
                    dedupe: format!("plan:{id}:{}:{round_no}", kind_code(*kind)),
                },
            )
            .await?;
        }
        Ok(detail)
    }

    /// Refuses the step when the caller may not take it, with the reason.
    pub(super) fn may(
        &self,
        action: PlanAction,
        from: PlanStatus,
        o: &org::Model,
        reach: Reach,
        is_school: bool,
        who: Standing,
    ) -> Result<()> {
        let owner = self.owner_side(o);
        let bureau = self.bureau_side(reach);
        let assigned_now = who.assigned_now;
        let (ok, reason) = match action {
            PlanAction::SubmitReview
            | PlanAction::File
            | PlanAction::StartEvaluation
            | PlanAction::Supersede => (owner || bureau, "err.plan.not_yours"),
            PlanAction::AssignReviewer | PlanAction::RequestRevision => {
                (bureau, "err.plan.bureau_decides")
            }
            PlanAction::Approve if from == PlanStatus::UnderReview => {
                (bureau, "err.plan.bureau_decides")
            }
            PlanAction::Approve => (owner || bureau, "err.plan.not_yours"),
            PlanAction::Publish if is_school => (
                owner && self.actor.role == Role::Principal,
                "err.plan.principal_signs",
            ),
            PlanAction::Publish => (owner, "err.plan.not_yours"),
            PlanAction::Review if from == PlanStatus::UnderReview => {
                (assigned_now || bureau, "err.plan.not_reviewer")
            }
            // An evaluation's findings: anyone who reaches the plan (its scope, or an expert
            // who reviewed it).
            PlanAction::Review => (true, "err.plan.not_reviewer"),
            // A version given up: its own organisation, or its author (who reaches it).
            PlanAction::Discard => (
                owner || (who.author && reach == Reach::Scope),
                "err.plan.not_yours",
            ),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::ForbiddenBecause(reason.into()))
        }
    }

    /// Assigns an expert of the pool to the plan's current review round.
    async fn assign(
        &self,
        txn: &DatabaseTransaction,
        m: &plan::Model,
        o: &org::Model,
        expert: Option<ExpertId>,
        assigned: &[reviewer::Model],
    ) -> Result<ReviewerRef> {
        let Some(eid) = expert else {
            return Err(Error::field("expert_id", "err.required"));
        };
        let unknown = || Error::field("expert_id", "err.plan.expert_unknown");
        let e = plan_expert::Entity::find_by_id(eid)
            .one(txn)
            .await?
            .filter(|e| e.active)
            .ok_or_else(unknown)?;
        // The pool of the plan's bureau or one above it.
        let pool = org::Entity::find_by_id(e.org_id)
            .one(txn)
            .await?
            .ok_or_else(unknown)?;
        let above = match (OrgPath::parse(&pool.path), OrgPath::parse(&o.path)) {
            (Some(pool), Some(plan)) => pool.contains(&plan),
            _ => false,
        };
        if !above {
            return Err(unknown());
        }
        let u = user::Entity::find_by_id(e.user_id)
            .one(txn)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(unknown)?;
        let owner = PlanOwner {
            org_id: m.org_id,
            author_id: m.author_id.unwrap_or(UserId(0)),
        };
        let candidate = Candidate {
            user_id: u.id,
            org_id: u.org_id,
        };
        let taken: Vec<UserId> = assigned.iter().map(|r| r.user_id).collect();
        check_reviewer(&owner, &candidate, &taken).map_err(|err| match err.key() {
            "err.plan.reviewer_twice" => Error::field("expert_id", err.key()),
            key => Error::ForbiddenBecause(key.into()),
        })?;
        let org_name = match u.org_id {
            Some(oid) => org::Entity::find_by_id(oid)
                .one(txn)
                .await?
                .map(|x| x.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        reviewer::ActiveModel {
            plan_id: Set(m.id),
            round: Set(m.review_round),
            user_id: Set(u.id),
            expert_id: Set(e.id),
            name: Set(u.display_name.clone()),
            org_name: Set(org_name),
            assigned_by_name: Set(self.actor.display_name.clone()),
            assigned_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(ReviewerRef {
            user: u.id,
            name: u.display_name,
        })
    }

    /// Appends the step's history row.
    #[allow(clippy::too_many_arguments)]
    async fn append(
        &self,
        txn: &DatabaseTransaction,
        id: PlanId,
        action: PlanAction,
        from: PlanStatus,
        to: PlanStatus,
        round: i32,
        fx: &Effects,
        at: chrono::DateTime<Utc>,
    ) -> Result<()> {
        let last = event::Entity::find()
            .filter(event::Column::PlanId.eq(id))
            .order_by_desc(event::Column::Seq)
            .one(txn)
            .await?
            .map_or(0, |e| e.seq);
        event::ActiveModel {
            plan_id: Set(id),
            seq: Set(last + 1),
            action: Set(action.as_str().into()),
            from_status: Set(from.as_str().into()),
            to_status: Set(to.as_str().into()),
            round: Set(round),
            by_user: Set(Some(self.actor.user_id)),
            by_name: Set(self.actor.display_name.clone()),
            reviewer_id: Set(fx.reviewer.as_ref().map(|r| r.user)),
            reviewer_name: Set(fx
                .reviewer
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_default()),
            conclusion: Set(fx.conclusion.map(|c| c.as_str().to_string())),
            note: Set(fx.note.clone()),
            at: Set(at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(())
    }

    /// The version a newly filed plan revises leaves force (if it still was).
    async fn supersede_previous(
        &self,
        txn: &DatabaseTransaction,
        prev: PlanId,
        by: PlanId,
        at: chrono::DateTime<Utc>,
    ) -> Result<()> {
        let Some(p) = plan::Entity::find_by_id(prev).one(txn).await? else {
            return Ok(());
        };
        let from = status_of(&p);
        let Some(to) = target(from, PlanAction::Supersede) else {
            return Ok(());
        };
        let version = p.version;
        let mut am: plan::ActiveModel = p.into();
        am.status = Set(to.as_str().into());
        am.superseded_on = Set(Some(crate::storage::risk_points::today()));
        am.updated_by = Set(Some(self.actor.user_id));
        am.updated_at = Set(at);
        am.version = Set(version + 1);
        plan::Entity::update_many()
            .set(am)
            .filter(plan::Column::Id.eq(prev))
            .filter(plan::Column::Version.eq(version))
            .exec(txn)
            .await?;
        let fx = Effects {
            note: format!("#{by}"),
            ..Default::default()
        };
        self.append(txn, prev, PlanAction::Supersede, from, to, 0, &fx, at)
            .await
    }
}

fn kind_code(k: PlanNotice) -> &'static str {
    use crate::storage::NoticeKind as _;
    k.code()
}
