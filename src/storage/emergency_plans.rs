//! Emergency plans (应急预案, F-EMG-1; domain brief §8) through a [`Scoped`] handle: a
//! school's plans and the bureau's own, each version one row with its structured content
//! ([`content`]), documents (PDFs of its organisation, through the upload pipeline) and
//! lifecycle dates; each step ([`steps`], `discard` included: a version given up before
//! approval) appends an immutable `emergency_plan_events` row in the same transaction; expert
//! review with the bureau's pool ([`experts`]); coverage of the red and orange risk points and
//! the bureau's roll-up ([`rollup`]); a drill's "plan needs revision" flag making the
//! exercised plans due for evaluation at once ([`flag_defect`]).
//!
//! **Scope.** A plan is reached through its organisation (a school, or a district or city
//! for the bureau's plans): in the caller's subtree, else `NotFound`. One exception, like the
//! cross-inspections': an expert assigned to review a plan reaches it (reads it, records
//! the review, opens the documents it lists: [`reviewed_plan_of`], audited by the file
//! read) even from another school; nothing else is opened to them. Documents belong to the
//! plan's organisation, a bureau's own plan's to the bureau ([`documents`]).
//!
//! **Dates.** The filing deadline counts working days of the calendar in force
//! ([`super::calendar`]); the evaluation is due 3 years after publication (or the last
//! evaluation), or at once when a drill or incident flagged a defect — the pure rules of
//! [`crate::domain::emergency_plan`], configured by `[plans]`.
//!
//! [`Scoped`]: super::Scoped

use super::audit::Event;
use super::entity::{
    emergency_plan as plan, emergency_plan_event as event, emergency_plan_reviewer as reviewer,
    file, org, person,
};
use super::orgs::invalid;
use super::read::Fetch;
use super::views::OrgRef;
use crate::domain::Code;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::emergency_plan::{
    Filing, PlanAction, PlanConfig, PlanForm, PlanStatus, PlanType, ReviewConclusion,
    evaluation_due, filing_status, next_actions,
};
use crate::domain::ids::{FileId, OrgId, PersonId, PlanId, UserId};
use crate::domain::org::OrgLevel;
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::storage::Plans;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

pub mod content;
mod documents;
mod drill_link;
mod experts;
mod rollup;
mod steps;

pub use content::{Contact, PlanContent, PlanRole, Procedure, Resource, ResponseLevel};
pub(in crate::storage) use documents::reviewed_plan_of;
pub use drill_link::{flag_defect, flag_defect_by_accident};
pub use experts::{Candidate, Expert, ExpertInput, ExpertPool, ExpertQuery};
pub use rollup::{
    Coverage, PlanRollup, RollupQuery, RollupRow, RollupTotals, SchoolPlans, UncoveredPoint,
};
pub use steps::PlanStep;

closed_codes! {
    AuditCode:
    /// What plans, the expert pool and the working calendar record.
    pub enum PlanAudit {
        Create = "plan.create",
        Update = "plan.update",
        Step = "plan.step",
        Expert = "plan.expert",
        Calendar = "calendar.update",
    }
}

closed_codes! {
    NoticeKind:
    /// What plans tell people: an expert assigned to review, the author of a plan sent back
    /// for revision or approved.
    pub enum PlanNotice {
        ReviewAssigned = "plan_review",
        RevisionRequested = "plan_revision",
        Approved = "plan_approved",
    }
}

/// Longest title, in characters.
pub const MAX_TITLE: usize = 100;
/// Longest note of a step (an opinion, the minutes), in characters.
pub const MAX_NOTE: usize = 4000;
/// Most documents of a plan.
pub const MAX_DOCUMENTS: usize = 20;

const STALE: &str = "err.plan.changed";
const NOT_EDITABLE: &str = "err.plan.not_editable";

/// How the caller reaches a plan: through its organisation's scope, or as an expert
/// assigned to review it (from outside that scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reach {
    Scope,
    Reviewer,
}

/// One plan in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanSummary {
    pub id: PlanId,
    /// The school, or the bureau for its own plans.
    pub org: OrgRef,
    pub title: String,
    pub plan_type: PlanType,
    pub form: PlanForm,
    pub status: PlanStatus,
    pub version_no: i32,
    pub published_on: Option<NaiveDate>,
    pub filed_on: Option<NaiveDate>,
    /// From publication on: the last day to file (20 working days) and where it stands.
    pub filing: Option<Filing>,
    /// For a plan in force: when it must next be evaluated.
    pub evaluation_due: Option<NaiveDate>,
    /// That day has come (a defect flagged by a drill or incident makes it due at once).
    pub evaluation_overdue: bool,
    pub defect_flagged_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

/// An expert assigned to review a plan in a round.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reviewer {
    pub user_id: UserId,
    pub name: String,
    /// Where the expert works.
    pub org_name: String,
    pub round: i32,
    /// The expert's conclusion in that round, once recorded.
    pub conclusion: Option<ReviewConclusion>,
    pub assigned_by_name: String,
    pub assigned_at: DateTime<Utc>,
}

/// One step of a plan's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanEvent {
    pub seq: i32,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub round: i32,
    pub by_name: String,
    pub reviewer_name: String,
    pub conclusion: Option<ReviewConclusion>,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// A document attached to a plan (a file of its school, or of the bureau for its own plans).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanDocument {
    pub id: FileId,
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub url: String,
}

/// A plan with its content, documents, reviewers and history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Plan {
    pub id: PlanId,
    pub org: OrgRef,
    pub title: String,
    pub plan_type: PlanType,
    pub form: PlanForm,
    pub status: PlanStatus,
    pub version_no: i32,
    /// The version this one revises.
    pub previous_id: Option<PlanId>,
    /// A newer version of the same plan, if one was started.
    pub next_id: Option<PlanId>,
    pub content: PlanContent,
    pub documents: Vec<PlanDocument>,
    pub author_name: String,
    /// The review round under way (or last held).
    pub review_round: i32,
    /// Reviewers of every round, the current round first.
    pub reviewers: Vec<Reviewer>,
    pub published_on: Option<NaiveDate>,
    pub signed_by: String,
    pub filing: Option<Filing>,
    pub filed_on: Option<NaiveDate>,
    pub filing_no: String,
    pub filing_receipt: Option<PlanDocument>,
    /// Whether the working-day calendar has rows for every year the filing window touches
    /// (else the deadline is counted Monday–Friday there and may be early or late).
    pub calendar_covers_filing: bool,
    pub last_evaluated_on: Option<NaiveDate>,
    pub evaluation_due: Option<NaiveDate>,
    pub evaluation_overdue: bool,
    pub defect_flagged_on: Option<NaiveDate>,
    /// What flagged the defect (a drill, an incident).
    pub defect_note: String,
    pub superseded_on: Option<NaiveDate>,
    /// The steps the plan's status allows (the caller's role may still be refused one).
    pub next_actions: Vec<PlanAction>,
    /// Of those, the ones the caller may take (their guards may still refuse one: a
    /// decision needs a review).
    pub my_actions: Vec<PlanAction>,
    /// The caller may change the draft (its content, title, documents).
    pub can_edit: bool,
    pub history: Vec<PlanEvent>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send it back with a change to refuse it over someone else's (409).
    pub version: i32,
}

/// A new plan (`POST /api/v1/schools/{id}/emergency-plans` for a school's,
/// `POST /api/v1/emergency-plans` with `org_id` for the bureau's own): a draft. `revises`
/// starts the next version of a plan of the same organisation (its content is copied when
/// `content` is left out; the old version stays in force until the new one is filed).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    /// The bureau (a district or the city) whose own plan it is: only on
    /// `POST /api/v1/emergency-plans`.
    #[serde(default)]
    pub org_id: Option<i64>,
    pub title: String,
    pub plan_type: PlanType,
    pub form: PlanForm,
    #[serde(default)]
    pub content: Option<PlanContent>,
    /// Documents: files of the school uploaded through `POST /api/v1/files` (a bureau's
    /// plan takes its documents through `POST /api/v1/emergency-plans/{id}/documents`).
    #[serde(default)]
    pub document_ids: Vec<FileId>,
    #[serde(default)]
    pub revises: Option<PlanId>,
}

/// A change to a draft, or to a plan sent back for revision (`PATCH
/// /api/v1/emergency-plans/{id}`); a field left out stays. Other statuses are 409.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanPatch {
    pub version: Option<i32>,
    pub title: Option<String>,
    pub plan_type: Option<PlanType>,
    pub form: Option<PlanForm>,
    pub content: Option<PlanContent>,
    /// The whole list of documents (replaces the old one).
    pub document_ids: Option<Vec<FileId>>,
}

pub(super) fn status_of(m: &plan::Model) -> PlanStatus {
    PlanStatus::parse(&m.status).unwrap_or(PlanStatus::Draft)
}

pub(super) fn ids<T: serde::de::DeserializeOwned>(s: &str) -> Vec<T> {
    serde_json::from_str(s).unwrap_or_default()
}

pub(super) fn to_json<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(Error::internal)
}

/// The dates of a plan against the rules and the calendar.
pub(super) struct Dates {
    pub filing: Option<Filing>,
    pub evaluation_due: Option<NaiveDate>,
    pub evaluation_overdue: bool,
}

pub(super) fn dates(
    m: &plan::Model,
    cal: &WorkingCalendar,
    cfg: &PlanConfig,
    today: NaiveDate,
) -> Dates {
    let status = status_of(m);
    let filing = m
        .published_on
        .filter(|_| status != PlanStatus::Superseded || m.filed_on.is_some())
        .map(|p| filing_status(p, m.filed_on, today, cal, cfg));
    let evaluation_due = m
        .published_on
        .filter(|_| status.is_in_force())
        .map(|p| evaluation_due(p, m.last_evaluated_on, m.defect_flagged_on, cfg));
    Dates {
        filing,
        evaluation_overdue: evaluation_due.is_some_and(|d| d <= today)
            && status != PlanStatus::UnderEvaluation,
        evaluation_due,
    }
}

pub(super) fn summary(
    m: &plan::Model,
    org: OrgRef,
    cal: &WorkingCalendar,
    cfg: &PlanConfig,
    today: NaiveDate,
) -> PlanSummary {
    let d = dates(m, cal, cfg, today);
    PlanSummary {
        id: m.id,
        org,
        title: m.title.clone(),
        plan_type: PlanType::parse(&m.plan_type).unwrap_or(PlanType::Other),
        form: PlanForm::parse(&m.form).unwrap_or(PlanForm::Topic),
        status: status_of(m),
        version_no: m.version_no,
        published_on: m.published_on,
        filed_on: m.filed_on,
        filing: d.filing,
        evaluation_due: d.evaluation_due,
        evaluation_overdue: d.evaluation_overdue,
        defect_flagged_on: m.defect_flagged_on,
        updated_at: m.updated_at,
    }
}

fn document(f: file::Model) -> PlanDocument {
    PlanDocument {
        url: format!("/api/v1/files/{}", f.id),
        id: f.id,
        name: f.name,
        kind: f.kind,
        size: f.size,
    }
}

/// Whether `role` answers for an organisation of this level (the school's management, or the
/// bureau's officers).
pub(super) fn manages(role: Role, level: &str) -> bool {
    if level == OrgLevel::School.as_str() {
        matches!(role, Role::Principal | Role::SafetyDirector)
    } else {
        matches!(role, Role::BureauOfficer | Role::CityOfficer)
    }
}

impl Plans<'_> {
    /// The plan `id` with its organisation and how the caller reaches it: through scope, or
    /// as an expert assigned to review it; anything else is `NotFound`.
    pub(super) async fn plan_row(
        &self,
        id: PlanId,
        conn: &impl Fetch,
    ) -> Result<(plan::Model, org::Model, Reach)> {
        let m = conn
            .first(plan::Entity::find_by_id(id))
            .await?
            .ok_or(Error::NotFound)?;
        match self.org_row(m.org_id, conn).await {
            Ok(o) => Ok((m, o, Reach::Scope)),
            Err(Error::NotFound) => {
                let assigned = conn
                    .first(
                        reviewer::Entity::find()
                            .filter(reviewer::Column::PlanId.eq(id))
                            .filter(reviewer::Column::UserId.eq(self.actor.user_id)),
                    )
                    .await?
                    .is_some();
                if !assigned {
                    return Err(Error::NotFound);
                }
                let o = conn
                    .first(org::Entity::find_by_id(m.org_id))
                    .await?
                    .ok_or(Error::NotFound)?;
                Ok((m, o, Reach::Reviewer))
            }
            Err(e) => Err(e),
        }
    }

    /// The caller answers for the plan's organisation (its school's principal or safety
    /// director, or an officer of the bureau whose own plan it is).
    pub(super) fn owner_side(&self, o: &org::Model) -> bool {
        self.actor.org_id == Some(o.id) && manages(self.actor.role, &o.level)
    }

    /// The caller is the bureau over the plan (a city or district officer who sees it).
    pub(super) fn bureau_side(&self, reach: Reach) -> bool {
        reach == Reach::Scope && matches!(self.actor.role, Role::CityOfficer | Role::BureauOfficer)
    }

    /// Scope then role, for a page's form refused before it reached the write.
    pub async fn check_plan(&self, id: PlanId) -> Result<()> {
        self.plan_row(id, &self.read).await?;
        self.permit()
    }

    /// A school in scope, for a page's heading (role checked).
    pub async fn school(&self, school: OrgId) -> Result<OrgRef> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        Ok(s.into())
    }

    /// One plan with everything the detail page shows.
    pub async fn get(&self, id: PlanId, cfg: &PlanConfig) -> Result<Plan> {
        let (m, o, reach) = self.plan_row(id, &self.read).await?;
        self.permit()?;
        let cal = super::calendar::working_calendar(&self.read).await?;
        let today = super::risk_points::today();
        let d = dates(&m, &cal, cfg, today);
        let mut content = PlanContent::from_json(&m.content);
        let people: Vec<PersonId> = content
            .organisation
            .iter()
            .filter_map(|r| r.person_id)
            .collect();
        if !people.is_empty() {
            let found: HashMap<PersonId, person::Model> = person::Entity::find()
                .filter(person::Column::Id.is_in(people))
                .read_all(&self.read)
                .await?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
            content::resolve(&mut content, &found);
        }
        let doc_ids: Vec<FileId> = ids(&m.document_ids);
        let mut wanted = doc_ids.clone();
        wanted.extend(m.filing_receipt_id);
        let files: HashMap<FileId, file::Model> = if wanted.is_empty() {
            HashMap::new()
        } else {
            file::Entity::find()
                .filter(file::Column::Id.is_in(wanted))
                .filter(file::Column::SchoolId.eq(m.org_id))
                .read_all(&self.read)
                .await?
                .into_iter()
                .map(|f| (f.id, f))
                .collect()
        };
        let documents = doc_ids
            .iter()
            .filter_map(|i| files.get(i).cloned().map(document))
            .collect();
        let events = event::Entity::find()
            .filter(event::Column::PlanId.eq(id))
            .order_by_asc(event::Column::Seq)
            .read_all(&self.read)
            .await?;
        let mut reviewers: Vec<Reviewer> = reviewer::Entity::find()
            .filter(reviewer::Column::PlanId.eq(id))
            .order_by_desc(reviewer::Column::Round)
            .order_by_asc(reviewer::Column::Id)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|r| Reviewer {
                conclusion: events
                    .iter()
                    .rev()
                    .find(|e| {
                        e.action == PlanAction::Review.as_str()
                            && e.round == r.round
                            && e.reviewer_id == Some(r.user_id)
                    })
                    .and_then(|e| e.conclusion.as_deref().and_then(ReviewConclusion::parse)),
                user_id: r.user_id,
                name: r.name,
                org_name: r.org_name,
                round: r.round,
                assigned_by_name: r.assigned_by_name,
                assigned_at: r.assigned_at,
            })
            .collect();
        reviewers.sort_by_key(|r| std::cmp::Reverse(r.round));
        let next_id = plan::Entity::find()
            .filter(plan::Column::PreviousId.eq(id))
            .filter(plan::Column::Status.ne(PlanStatus::Discarded.as_str()))
            .order_by_desc(plan::Column::Id)
            .read_one(&self.read)
            .await?
            .map(|n| n.id);
        let calendar_covers_filing = d.filing.is_none_or(|f| {
            m.published_on
                .is_some_and(|p| (p.year()..=f.due_on.year()).all(|y| cal.covers(y)))
        });
        let status = status_of(&m);
        let is_school = o.level == OrgLevel::School.as_str();
        let who = steps::Standing {
            assigned_now: reviewers
                .iter()
                .any(|r| r.round == m.review_round && r.user_id == self.actor.user_id),
            author: m.author_id == Some(self.actor.user_id),
        };
        let acts = crate::policy::allows(self.actor.role, crate::policy::Action::PlanAct);
        let my_actions = next_actions(status)
            .into_iter()
            .filter(|a| acts && self.may(*a, status, &o, reach, is_school, who).is_ok())
            .collect();
        let can_edit = reach == Reach::Scope
            && matches!(status, PlanStatus::Draft | PlanStatus::Revising)
            && crate::policy::allows(self.actor.role, crate::policy::Action::PlanWrite);
        Ok(Plan {
            id: m.id,
            org: o.into(),
            title: m.title,
            plan_type: PlanType::parse(&m.plan_type).unwrap_or(PlanType::Other),
            form: PlanForm::parse(&m.form).unwrap_or(PlanForm::Topic),
            status,
            version_no: m.version_no,
            previous_id: m.previous_id,
            next_id,
            content,
            documents,
            author_name: m.author_name,
            review_round: m.review_round,
            reviewers,
            published_on: m.published_on,
            signed_by: m.signed_by,
            filing: d.filing,
            filed_on: m.filed_on,
            filing_no: m.filing_no,
            filing_receipt: m
                .filing_receipt_id
                .and_then(|r| files.get(&r).cloned().map(document)),
            calendar_covers_filing,
            last_evaluated_on: m.last_evaluated_on,
            evaluation_due: d.evaluation_due,
            evaluation_overdue: d.evaluation_overdue,
            defect_flagged_on: m.defect_flagged_on,
            defect_note: m.defect_note,
            superseded_on: m.superseded_on,
            next_actions: next_actions(status),
            my_actions,
            can_edit,
            history: events
                .into_iter()
                .map(|e| PlanEvent {
                    seq: e.seq,
                    action: e.action,
                    from_status: e.from_status,
                    to_status: e.to_status,
                    round: e.round,
                    by_name: e.by_name,
                    reviewer_name: e.reviewer_name,
                    conclusion: e.conclusion.as_deref().and_then(ReviewConclusion::parse),
                    note: e.note,
                    at: e.at,
                })
                .collect(),
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        })
    }

    /// Creates a draft: a school's plan (`school` from the path) or, with `org_id`, the
    /// bureau's own (`school` is `None`).
    pub async fn create(&self, school: Option<OrgId>, input: NewPlan) -> Result<PlanId> {
        let event = Event::new(PlanAudit::Create, "emergency_plan", "");
        let (tx, org) = match school {
            Some(s) => {
                if input.org_id.is_some_and(|o| o != s.0) {
                    // Checked after scope and role, like every other field.
                    let (tx, _) = self.begin_for_school(event, s).await?;
                    return Err(tx
                        .fail(Error::field("org_id", "err.plan.org_mismatch"))
                        .await);
                }
                let (tx, s) = self.begin_for_school(event, s).await?;
                (tx, s.org_id())
            }
            None => {
                let Some(o) = input.org_id else {
                    return Err(Error::field("org_id", "err.required"));
                };
                let o = OrgId(o);
                let tx = self.begin_for(event, o).await?;
                (tx, o)
            }
        };
        let res: Result<plan::Model> = async {
            let o = self.org_row(org, &tx.txn).await?;
            let is_school = o.level == OrgLevel::School.as_str();
            if school.is_none() && is_school {
                return Err(Error::field("org_id", "err.plan.bureau_only"));
            }
            let mut errs = Vec::new();
            let title = input.title.trim().to_string();
            check_title(&title, &mut errs);
            let previous = match input.revises {
                Some(p) => {
                    let prev = plan::Entity::find_by_id(p)
                        .one(&tx.txn)
                        .await?
                        .filter(|m| m.org_id == org);
                    match prev {
                        Some(prev) if status_of(&prev).is_final() => {
                            return Err(Error::Conflict("err.plan.revises_superseded".into()));
                        }
                        Some(prev) => {
                            let newer = plan::Entity::find()
                                .filter(plan::Column::PreviousId.eq(p))
                                .filter(plan::Column::Status.is_not_in([
                                    PlanStatus::Superseded.as_str(),
                                    PlanStatus::Discarded.as_str(),
                                ]))
                                .one(&tx.txn)
                                .await?;
                            if newer.is_some() {
                                return Err(Error::Conflict("err.plan.revision_open".into()));
                            }
                            Some(prev)
                        }
                        None => {
                            errs.push(FieldError::new("revises", "err.plan.unknown_plan"));
                            None
                        }
                    }
                }
                None => None,
            };
            let documents = self
                .check_documents(&tx.txn, org, &input.document_ids, &mut errs)
                .await?;
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let content = match (input.content, &previous) {
                (Some(c), _) => c,
                (None, Some(p)) => PlanContent::from_json(&p.content),
                (None, None) => PlanContent::default(),
            };
            let content = content::check(&tx.txn, org, is_school, content).await?;
            let now = Utc::now();
            let m = plan::ActiveModel {
                org_id: Set(org),
                previous_id: Set(previous.as_ref().map(|p| p.id)),
                version_no: Set(previous.as_ref().map_or(1, |p| p.version_no + 1)),
                title: Set(title),
                plan_type: Set(input.plan_type.as_str().into()),
                form: Set(input.form.as_str().into()),
                status: Set(PlanStatus::Draft.as_str().into()),
                content: Set(to_json(&content)?),
                document_ids: Set(to_json(&documents)?),
                author_id: Set(Some(self.actor.user_id)),
                author_name: Set(self.actor.display_name.clone()),
                review_round: Set(0),
                published_on: Set(None),
                signed_by: Set(String::new()),
                filed_on: Set(None),
                filing_no: Set(String::new()),
                filing_receipt_id: Set(None),
                last_evaluated_on: Set(None),
                defect_flagged_on: Set(None),
                defect_note: Set(String::new()),
                superseded_on: Set(None),
                created_at: Set(now),
                updated_by: Set(Some(self.actor.user_id)),
                updated_at: Set(now),
                version: Set(0),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                let mut tx = tx;
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "org={} type={} form={} version_no={}",
                    m.org_id, m.plan_type, m.form, m.version_no
                );
                tx.commit().await?;
                Ok(m.id)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Changes a draft or a plan under revision (see [`PlanPatch`]).
    pub async fn update(&self, id: PlanId, p: PlanPatch) -> Result<PlanId> {
        let event = Event::new(PlanAudit::Update, "emergency_plan", id);
        let (_, o, reach) = match self.plan_row(id, &self.read).await {
            Ok(x) => x,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let tx = self.begin(event).await?;
        let res: Result<Vec<&'static str>> = async {
            if reach == Reach::Reviewer {
                return Err(Error::ForbiddenBecause("err.plan.reviewer_reads".into()));
            }
            let m = plan::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if p.version.is_some_and(|v| v != m.version) {
                return Err(Error::Conflict(STALE.into()));
            }
            if !matches!(status_of(&m), PlanStatus::Draft | PlanStatus::Revising) {
                return Err(Error::Conflict(NOT_EDITABLE.into()));
            }
            let is_school = o.level == OrgLevel::School.as_str();
            let mut errs = Vec::new();
            let mut changed = Vec::new();
            let version = m.version;
            let mut am: plan::ActiveModel = m.into();
            if let Some(t) = &p.title {
                let t = t.trim().to_string();
                check_title(&t, &mut errs);
                am.title = Set(t);
                changed.push("title");
            }
            if let Some(t) = p.plan_type {
                am.plan_type = Set(t.as_str().into());
                changed.push("plan_type");
            }
            if let Some(f) = p.form {
                am.form = Set(f.as_str().into());
                changed.push("form");
            }
            if let Some(d) = &p.document_ids {
                let docs = self.check_documents(&tx.txn, o.id, d, &mut errs).await?;
                am.document_ids = Set(to_json(&docs)?);
                changed.push("documents");
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            if let Some(c) = p.content.clone() {
                let c = content::check(&tx.txn, o.id, is_school, c).await?;
                am.content = Set(to_json(&c)?);
                changed.push("content");
            }
            am.updated_by = Set(Some(self.actor.user_id));
            am.updated_at = Set(Utc::now());
            am.version = Set(version + 1);
            let res = plan::Entity::update_many()
                .set(am)
                .filter(plan::Column::Id.eq(id))
                .filter(plan::Column::Version.eq(version))
                .exec(&tx.txn)
                .await?;
            if res.rows_affected != 1 {
                return Err(Error::Conflict(STALE.into()));
            }
            Ok(changed)
        }
        .await;
        match res {
            Ok(changed) => {
                let mut tx = tx;
                tx.event.detail = format!("changed={}", changed.join(","));
                tx.commit().await?;
                Ok(id)
            }
            Err(e) => {
                let forbidden = matches!(e, Error::ForbiddenBecause(_));
                let tx_event = Event::new(PlanAudit::Update, "emergency_plan", id);
                let e = tx.fail(e).await;
                if forbidden {
                    self.audit_refusal(&tx_event, &e).await;
                }
                Err(e)
            }
        }
    }

    /// Checks documents: files of the plan's organisation (its school's, or for a bureau's
    /// own plan the bureau's, uploaded for its plans), at most [`MAX_DOCUMENTS`]; returns
    /// them without repeats.
    async fn check_documents(
        &self,
        conn: &impl ConnectionTrait,
        org: OrgId,
        list: &[FileId],
        errs: &mut Vec<FieldError>,
    ) -> Result<Vec<FileId>> {
        let mut out: Vec<FileId> = Vec::new();
        for f in list {
            if !out.contains(f) {
                out.push(*f);
            }
        }
        if out.is_empty() {
            return Ok(out);
        }
        if out.len() > MAX_DOCUMENTS {
            errs.push(FieldError::new("document_ids", "err.plan.too_many"));
            return Ok(out);
        }
        let found = file::Entity::find()
            .filter(file::Column::Id.is_in(out.iter().map(|f| f.0)))
            .all(conn)
            .await?;
        let ok = out
            .iter()
            .all(|i| found.iter().any(|f| f.id == *i && f.school_id == org));
        if !ok {
            errs.push(FieldError::new(
                "document_ids",
                "err.plan.document_not_here",
            ));
        }
        Ok(out)
    }
}

fn check_title(t: &str, errs: &mut Vec<FieldError>) {
    if t.is_empty() {
        errs.push(FieldError::new("title", "err.required"));
    } else if t.chars().count() > MAX_TITLE {
        errs.push(FieldError::new("title", "err.plan.too_long"));
    }
}
