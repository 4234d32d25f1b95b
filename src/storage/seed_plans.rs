//! Writing the demo's emergency plans: expert pools, and plans whose history is walked step by
//! step through the same lifecycle rules as a live plan ([`apply`]) on the days it happened,
//! so every stored status is one the rules reach (a plan carried over as `filed` aside).

use super::emergency_plans::content::PlanContent;
use super::entity::{
    drill, emergency_plan as plan, emergency_plan_event as event,
    emergency_plan_reviewer as reviewer, org, person, plan_expert,
};
use super::seed::SeedTx;
use super::seed_history::{Person, at};
use crate::domain::Code;
use crate::domain::drill::{DrillKind, DrillStatus};
use crate::domain::emergency_plan::{
    PlanAction, PlanForm, PlanStatus, PlanType, ReviewConclusion, ReviewRound, apply,
};
use crate::domain::ids::{DrillId, ExpertId, OrgId, PersonId, PlanId};
use crate::domain::org::OrgLevel;
use crate::error::{Error, Result};
use chrono::{NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryOrder;
use sea_orm::prelude::*;

/// An expert of the demo's pools, as a reviewer of its plans.
#[derive(Clone)]
pub struct SeedExpert {
    pub id: ExpertId,
    pub person: Person,
    pub org_name: String,
}

/// A plan of the demo and its history: the steps taken, each on its day.
pub struct PastPlan<'a> {
    pub org: OrgId,
    pub title: String,
    pub plan_type: PlanType,
    pub form: PlanForm,
    pub content: PlanContent,
    /// Who wrote it, submits and files it.
    pub author: &'a Person,
    /// Who signs and publishes it (a school's principal).
    pub signer: &'a Person,
    /// The bureau's officer (assigns, decides).
    pub officer: &'a Person,
    pub reviewer: Option<&'a SeedExpert>,
    pub steps: Vec<(PlanAction, NaiveDate)>,
    pub filing_no: String,
    /// Stored as `filed` (carried over with its filing) instead of in force.
    pub carried_over: bool,
    pub previous: Option<PlanId>,
    /// A drill that showed a defect (the evaluation falls due at once).
    pub defect: Option<(NaiveDate, String)>,
}

fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(Error::internal)
}

impl SeedTx {
    /// Adds a user to a bureau's pool.
    pub async fn expert(
        &mut self,
        pool: OrgId,
        who: &Person,
        speciality: &str,
        title: &str,
    ) -> Result<SeedExpert> {
        let now = Utc::now();
        let m = plan_expert::ActiveModel {
            org_id: Set(pool),
            user_id: Set(who.user),
            speciality: Set(speciality.into()),
            title: Set(title.into()),
            note: Set(String::new()),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        let org_name = match super::entity::user::Entity::find_by_id(who.user)
            .one(&self.txn)
            .await?
            .and_then(|u| u.org_id)
        {
            Some(o) => org::Entity::find_by_id(o)
                .one(&self.txn)
                .await?
                .map(|o| o.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        Ok(SeedExpert {
            id: m.id,
            person: who.clone(),
            org_name,
        })
    }

    /// The schools under a district: (id, code, name), by code.
    pub async fn district_schools(
        &mut self,
        district: OrgId,
    ) -> Result<Vec<(OrgId, String, String)>> {
        Ok(org::Entity::find()
            .filter(org::Column::ParentId.eq(district))
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
            .order_by_asc(org::Column::Code)
            .all(&self.txn)
            .await?
            .into_iter()
            .map(|o| (o.id, o.code, o.name))
            .collect())
    }

    /// A school's active people: (id, name, post), in roster order.
    pub async fn roster(&mut self, school: OrgId) -> Result<Vec<(PersonId, String, String)>> {
        Ok(person::Entity::find()
            .filter(person::Column::OrgId.eq(school))
            .filter(person::Column::Active.eq(true))
            .order_by_asc(person::Column::Id)
            .all(&self.txn)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name, p.post))
            .collect())
    }

    /// Marks the school's last held drill of `kind` as having shown that the plan needs
    /// revising; returns it and the day it was held.
    pub async fn flag_last_drill(
        &mut self,
        school: OrgId,
        kind: DrillKind,
    ) -> Result<Option<(DrillId, NaiveDate)>> {
        let Some(d) = drill::Entity::find()
            .filter(drill::Column::SchoolId.eq(school))
            .filter(drill::Column::Kind.eq(kind.as_str()))
            .filter(drill::Column::Status.eq(DrillStatus::Held.as_str()))
            .order_by_desc(drill::Column::HeldOn)
            .one(&self.txn)
            .await?
        else {
            return Ok(None);
        };
        let held = d.held_on.unwrap_or_default();
        let id = d.id;
        let mut am: drill::ActiveModel = d.into();
        am.plan_needs_revision = Set(true);
        am.update(&self.txn).await?;
        Ok(Some((id, held)))
    }

    /// Writes one plan with its history.
    pub async fn plan(&mut self, p: &PastPlan<'_>) -> Result<PlanId> {
        let created = p
            .steps
            .first()
            .map(|(_, d)| *d - chrono::Duration::days(14))
            .unwrap_or_else(crate::storage::risk_points::today);
        let m = plan::ActiveModel {
            org_id: Set(p.org),
            previous_id: Set(p.previous),
            version_no: Set(1),
            title: Set(p.title.clone()),
            plan_type: Set(p.plan_type.as_str().into()),
            form: Set(p.form.as_str().into()),
            status: Set(PlanStatus::Draft.as_str().into()),
            content: Set(to_json(&p.content)?),
            document_ids: Set("[]".into()),
            author_id: Set(Some(p.author.user)),
            author_name: Set(p.author.name.clone()),
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
            created_at: Set(at(created, 9, 0)),
            updated_by: Set(Some(p.author.user)),
            updated_at: Set(at(created, 9, 0)),
            version: Set(0),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        let version_no = match p.previous {
            Some(prev) => {
                plan::Entity::find_by_id(prev)
                    .one(&self.txn)
                    .await?
                    .map_or(1, |x| x.version_no)
                    + 1
            }
            None => 1,
        };
        let mut am: plan::ActiveModel = m.clone().into();
        am.version_no = Set(version_no);
        let mut status = PlanStatus::Draft;
        let mut round = ReviewRound::default();
        let mut round_no = 0;
        let mut last = created;
        for (seq, (action, day)) in p.steps.iter().enumerate() {
            let to = apply(status, *action, round)
                .map_err(|e| Error::internal(anyhow::anyhow!("demo plan {}: {e}", p.title)))?;
            let mut by = p.author;
            let mut reviewer_ref: Option<&SeedExpert> = None;
            let mut conclusion = None;
            let mut note = String::new();
            match action {
                PlanAction::SubmitReview => {
                    round_no += 1;
                    round = ReviewRound::default();
                }
                PlanAction::AssignReviewer => {
                    by = p.officer;
                    let r = p.reviewer.ok_or_else(|| {
                        Error::internal(anyhow::anyhow!("demo plan {}: no reviewer", p.title))
                    })?;
                    reviewer::ActiveModel {
                        plan_id: Set(m.id),
                        round: Set(round_no),
                        user_id: Set(r.person.user),
                        expert_id: Set(r.id),
                        name: Set(r.person.name.clone()),
                        org_name: Set(r.org_name.clone()),
                        assigned_by_name: Set(p.officer.name.clone()),
                        assigned_at: Set(at(*day, 9, 30)),
                        ..Default::default()
                    }
                    .insert(&self.txn)
                    .await?;
                    round.reviewers += 1;
                    reviewer_ref = Some(r);
                }
                PlanAction::Review => {
                    if status == PlanStatus::UnderReview {
                        let r = p.reviewer.ok_or_else(|| {
                            Error::internal(anyhow::anyhow!("demo plan {}: no reviewer", p.title))
                        })?;
                        by = &r.person;
                        reviewer_ref = Some(r);
                        // The first round asks for changes, a later one agrees.
                        let c = if round_no == 1
                            && p.steps
                                .iter()
                                .any(|(a, _)| *a == PlanAction::RequestRevision)
                        {
                            ReviewConclusion::AgreeWithChanges
                        } else {
                            ReviewConclusion::Agree
                        };
                        conclusion = Some(c);
                        note = match c {
                            ReviewConclusion::AgreeWithChanges => "应急组织机构分工需细化到班级，疏散路线图应与现场标识一致；修改后同意。".into(),
                            _ => "要素齐全，职责明确，处置程序针对性强，保障措施可行，同意通过。".into(),
                        };
                        round.reviews += 1;
                    } else {
                        by = p.officer;
                        note = "演练暴露问题：疏散路线与预案不一致，需修订处置程序。".into();
                    }
                }
                PlanAction::RequestRevision => {
                    by = p.officer;
                    note =
                        "评审纪要：按专家意见细化应急组织分工，补充疏散路线图后重新提交。".into();
                }
                PlanAction::Approve => {
                    by = p.officer;
                    if status == PlanStatus::UnderReview {
                        note = "评审纪要：专家一致同意通过。".into();
                    } else {
                        note = "评估结论：预案总体适用，继续施行。".into();
                        am.last_evaluated_on = Set(Some(*day));
                    }
                }
                PlanAction::Publish => {
                    by = p.signer;
                    am.published_on = Set(Some(*day));
                    am.signed_by = Set(p.signer.name.clone());
                    note = p.signer.name.clone();
                }
                PlanAction::File => {
                    am.filed_on = Set(Some(*day));
                    am.filing_no = Set(p.filing_no.clone());
                    note = p.filing_no.clone();
                }
                PlanAction::StartEvaluation => {
                    note = if p.defect.is_some() {
                        "演练发现预案缺陷，提前启动评估。".into()
                    } else {
                        "三年到期评估。".into()
                    };
                }
                PlanAction::Supersede => {
                    am.superseded_on = Set(Some(*day));
                }
                PlanAction::Discard => {}
            }
            event::ActiveModel {
                plan_id: Set(m.id),
                seq: Set(seq as i32 + 1),
                action: Set(action.as_str().into()),
                from_status: Set(status.as_str().into()),
                to_status: Set(to.as_str().into()),
                round: Set(round_no),
                by_user: Set(Some(by.user)),
                by_name: Set(by.name.clone()),
                reviewer_id: Set(reviewer_ref.map(|r| r.person.user)),
                reviewer_name: Set(reviewer_ref
                    .map(|r| r.person.name.clone())
                    .unwrap_or_default()),
                conclusion: Set(conclusion.map(|c: ReviewConclusion| c.as_str().to_string())),
                note: Set(note),
                at: Set(at(*day, 10, 0)),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
            status = to;
            last = *day;
        }
        if p.carried_over && status == PlanStatus::InForce {
            status = PlanStatus::Filed;
        }
        if let Some((day, note)) = &p.defect {
            am.defect_flagged_on = Set(Some(*day));
            am.defect_note = Set(note.clone());
        }
        am.status = Set(status.as_str().into());
        am.review_round = Set(round_no);
        am.updated_at = Set(at(last, 10, 0));
        am.version = Set(p.steps.len() as i32);
        am.update(&self.txn).await?;
        Ok(m.id)
    }
}
