//! The evidence the work plan counts that no other module records (F-EDU-1…3): meetings
//! (district safety meetings, quarterly district analysis meetings, monthly school analysis
//! meetings), trainings by target group, and education activities on the key dates (pupils
//! counted, never named). Each is recorded once through a [`Scoped`] handle; the triggers of
//! `m0017_work_plan` index it for the compliance calendar in the same transaction.
//!
//! [`Scoped`]: super::Scoped

use super::audit::Event;
use super::entity::{education_activity, meeting, org, person, training};
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::ids::{ActivityId, MeetingId, OrgId, PersonId, TrainingId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::work_plan::{ActivityKind, MeetingKind, TrainingGroup};
use crate::error::{Error, FieldError, Result};
use crate::storage::WorkRecords;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

closed_codes! {
    AuditCode:
    /// What the evidence records write.
    pub enum WorkRecordAudit {
        Meeting = "meeting.create",
        Training = "training.create",
        Attendance = "training.attendance",
        Activity = "education_activity.create",
    }
}

/// Longest title; longest free text.
pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 8000;
/// Most rows a list shows (the newest).
pub const LIST_LIMIT: u64 = 500;

/// A meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Meeting {
    pub id: MeetingId,
    pub org_id: OrgId,
    pub org_name: String,
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub title: String,
    pub attendees: String,
    pub agenda: String,
    pub minutes: String,
    pub decisions: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// A new meeting (`POST /api/v1/meetings`): of a district (its safety and analysis meetings)
/// or of a school (its monthly analysis meeting), held today or before.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    pub org_id: OrgId,
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub title: String,
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub agenda: String,
    #[serde(default)]
    pub minutes: String,
    /// Decisions with their owners and deadlines, as written.
    #[serde(default)]
    pub decisions: String,
}

/// A training session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Training {
    pub id: TrainingId,
    pub org_id: OrgId,
    pub org_name: String,
    pub group: TrainingGroup,
    pub held_on: NaiveDate,
    pub topic: String,
    pub hours: f64,
    pub trainer: String,
    pub attendee_count: i32,
    /// Named staff who attended (people of the school).
    pub person_ids: Vec<PersonId>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// A new training (`POST /api/v1/trainings`) of a district or a school: the target group,
/// topic, hours (to a tenth), trainer, and how many attended or who (staff of the school).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTraining {
    pub org_id: OrgId,
    pub group: TrainingGroup,
    pub held_on: NaiveDate,
    pub topic: String,
    pub hours: f64,
    #[serde(default)]
    pub trainer: String,
    #[serde(default)]
    pub attendee_count: Option<i32>,
    #[serde(default)]
    pub person_ids: Vec<PersonId>,
}

/// An education activity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Activity {
    pub id: ActivityId,
    pub school_id: OrgId,
    pub school_name: String,
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    pub title: String,
    pub classes: i32,
    /// Pupils taking part: a count, never names.
    pub pupils: i32,
    pub note: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// A new education activity (`POST /api/v1/education-activities`) of a school.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    pub school_id: OrgId,
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    pub title: String,
    pub classes: i32,
    pub pupils: i32,
    #[serde(default)]
    pub note: String,
}

fn text_errs(fields: &[(&str, &str, usize)], errs: &mut Vec<FieldError>) {
    for (name, v, max) in fields {
        if v.chars().count() > *max {
            errs.push(FieldError::new(*name, "err.work_plan.too_long"));
        }
    }
}

fn day_errs(held_on: NaiveDate, errs: &mut Vec<FieldError>) {
    if held_on > crate::clock::today() {
        errs.push(FieldError::new("held_on", "err.work_plan.future"));
    }
}

fn title_errs(title: &str, errs: &mut Vec<FieldError>) {
    if title.trim().is_empty() {
        errs.push(FieldError::new("title", "err.required"));
    }
}

fn done(errs: Vec<FieldError>) -> Result<()> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(invalid(errs))
    }
}

impl WorkRecords<'_> {
    /// The org nodes in scope under `org` (the actor's own node when `None`), by id.
    async fn orgs_under(&self, org: Option<OrgId>) -> Result<Vec<org::Model>> {
        let root = match org {
            Some(id) => self.org_row(id, &self.read).await?,
            None => {
                let id = self.actor.org_id.ok_or(Error::NotFound)?;
                self.org_row(id, &self.read).await?
            }
        };
        self.permit()?;
        let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
        org::Entity::find()
            .filter(self.org_scope())
            .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
            .read_all(&self.read)
            .await
    }

    /// Meetings of the orgs under `org`, the newest first.
    pub async fn meetings(&self, org: Option<OrgId>) -> Result<Vec<Meeting>> {
        let orgs = self.orgs_under(org).await?;
        let rows = meeting::Entity::find()
            .filter(meeting::Column::OrgId.is_in(orgs.iter().map(|o| o.id)))
            .order_by_desc(meeting::Column::HeldOn)
            .order_by_desc(meeting::Column::Id)
            .limit(LIST_LIMIT)
            .read_all(&self.read)
            .await?;
        Ok(rows.into_iter().map(|m| meeting_view(m, &orgs)).collect())
    }

    pub async fn trainings(&self, org: Option<OrgId>) -> Result<Vec<Training>> {
        let orgs = self.orgs_under(org).await?;
        let rows = training::Entity::find()
            .filter(training::Column::OrgId.is_in(orgs.iter().map(|o| o.id)))
            .order_by_desc(training::Column::HeldOn)
            .order_by_desc(training::Column::Id)
            .limit(LIST_LIMIT)
            .read_all(&self.read)
            .await?;
        Ok(rows.into_iter().map(|m| training_view(m, &orgs)).collect())
    }

    pub async fn activities(&self, org: Option<OrgId>) -> Result<Vec<Activity>> {
        let orgs = self.orgs_under(org).await?;
        let rows = education_activity::Entity::find()
            .filter(education_activity::Column::SchoolId.is_in(orgs.iter().map(|o| o.id)))
            .order_by_desc(education_activity::Column::HeldOn)
            .order_by_desc(education_activity::Column::Id)
            .limit(LIST_LIMIT)
            .read_all(&self.read)
            .await?;
        Ok(rows.into_iter().map(|m| activity_view(m, &orgs)).collect())
    }

    /// Records a meeting of an org in scope.
    pub async fn create_meeting(&self, input: NewMeeting) -> Result<Meeting> {
        let mut tx = self
            .begin_for(
                Event::new(WorkRecordAudit::Meeting, "meeting", ""),
                input.org_id,
            )
            .await?;
        let res: Result<meeting::Model> = async {
            let o = org::Entity::find_by_id(input.org_id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let mut errs = Vec::new();
            let school = o.level == OrgLevel::School.as_str();
            let for_school = input.kind == MeetingKind::SchoolAnalysis;
            if school != for_school || o.level == OrgLevel::City.as_str() {
                errs.push(FieldError::new("kind", "err.work_plan.meeting_kind"));
            }
            title_errs(&input.title, &mut errs);
            day_errs(input.held_on, &mut errs);
            text_errs(
                &[
                    ("title", &input.title, MAX_TITLE),
                    ("attendees", &input.attendees, MAX_TEXT),
                    ("agenda", &input.agenda, MAX_TEXT),
                    ("minutes", &input.minutes, MAX_TEXT),
                    ("decisions", &input.decisions, MAX_TEXT),
                ],
                &mut errs,
            );
            done(errs)?;
            Ok(meeting::ActiveModel {
                org_id: Set(o.id),
                kind: Set(input.kind.as_str().into()),
                held_on: Set(input.held_on),
                title: Set(input.title.trim().into()),
                attendees: Set(input.attendees.trim().into()),
                agenda: Set(input.agenda.trim().into()),
                minutes: Set(input.minutes.trim().into()),
                decisions: Set(input.decisions.trim().into()),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!("org={} kind={} held_on={}", m.org_id, m.kind, m.held_on);
                tx.commit().await?;
                let orgs = self.orgs_under(Some(m.org_id)).await?;
                Ok(meeting_view(m, &orgs))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Records a training of an org in scope.
    pub async fn create_training(&self, input: NewTraining) -> Result<Training> {
        let mut tx = self
            .begin_for(
                Event::new(WorkRecordAudit::Training, "training", ""),
                input.org_id,
            )
            .await?;
        let res: Result<training::Model> = async {
            let o = org::Entity::find_by_id(input.org_id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let mut errs = Vec::new();
            if o.level == OrgLevel::City.as_str() {
                errs.push(FieldError::new("org_id", "err.work_plan.org_level"));
            }
            if input.topic.trim().is_empty() {
                errs.push(FieldError::new("topic", "err.required"));
            }
            day_errs(input.held_on, &mut errs);
            text_errs(
                &[
                    ("topic", &input.topic, MAX_TITLE),
                    ("trainer", &input.trainer, MAX_TITLE),
                ],
                &mut errs,
            );
            let tenths = (input.hours * 10.0).round();
            if !(1.0..=1000.0).contains(&tenths) {
                errs.push(FieldError::new("hours", "err.work_plan.hours"));
            }
            let mut people: Vec<i64> = Vec::new();
            for p in &input.person_ids {
                if !people.contains(&p.0) {
                    people.push(p.0);
                }
            }
            if !people.is_empty() {
                let found = person::Entity::find()
                    .filter(person::Column::Id.is_in(people.clone()))
                    .filter(person::Column::OrgId.eq(o.id))
                    .count(&tx.txn)
                    .await?;
                if found != people.len() as u64 || people.len() > 2000 {
                    errs.push(FieldError::new("person_ids", "err.work_plan.people"));
                }
            }
            let count = std::cmp::max(input.attendee_count.unwrap_or(0), people.len() as i32);
            if input
                .attendee_count
                .is_some_and(|n| !(0..=100_000).contains(&n))
                || count == 0
            {
                errs.push(FieldError::new("attendee_count", "err.work_plan.attendees"));
            }
            done(errs)?;
            Ok(training::ActiveModel {
                org_id: Set(o.id),
                group_code: Set(input.group.as_str().into()),
                held_on: Set(input.held_on),
                topic: Set(input.topic.trim().into()),
                hours_tenths: Set(tenths as i32),
                trainer: Set(input.trainer.trim().into()),
                attendee_count: Set(count),
                person_ids: Set(serde_json::to_string(&people).map_err(Error::internal)?),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "org={} group={} held_on={} attendees={}",
                    m.org_id, m.group_code, m.held_on, m.attendee_count
                );
                tx.commit().await?;
                let orgs = self.orgs_under(Some(m.org_id)).await?;
                Ok(training_view(m, &orgs))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Records an education activity of a school in scope.
    pub async fn create_activity(&self, input: NewActivity) -> Result<Activity> {
        let (mut tx, school) = self
            .begin_for_school(
                Event::new(WorkRecordAudit::Activity, "education_activity", ""),
                input.school_id,
            )
            .await?;
        let res: Result<education_activity::Model> = async {
            let mut errs = Vec::new();
            title_errs(&input.title, &mut errs);
            day_errs(input.held_on, &mut errs);
            text_errs(
                &[
                    ("title", &input.title, MAX_TITLE),
                    ("note", &input.note, MAX_TEXT),
                ],
                &mut errs,
            );
            if !(0..=1000).contains(&input.classes) {
                errs.push(FieldError::new("classes", "err.work_plan.number"));
            }
            if !(1..=100_000).contains(&input.pupils) {
                errs.push(FieldError::new("pupils", "err.work_plan.number"));
            }
            done(errs)?;
            Ok(education_activity::ActiveModel {
                school_id: Set(school.org_id()),
                kind: Set(input.kind.as_str().into()),
                held_on: Set(input.held_on),
                title: Set(input.title.trim().into()),
                classes: Set(input.classes),
                pupils: Set(input.pupils),
                note: Set(input.note.trim().into()),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "school={} kind={} held_on={} pupils={}",
                    m.school_id, m.kind, m.held_on, m.pupils
                );
                tx.commit().await?;
                let orgs = self.orgs_under(Some(m.school_id)).await?;
                Ok(activity_view(m, &orgs))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

fn name_of(orgs: &[org::Model], id: OrgId) -> String {
    orgs.iter()
        .find(|o| o.id == id)
        .map(|o| o.name.clone())
        .unwrap_or_default()
}

fn meeting_view(m: meeting::Model, orgs: &[org::Model]) -> Meeting {
    Meeting {
        org_name: name_of(orgs, m.org_id),
        id: m.id,
        org_id: m.org_id,
        kind: MeetingKind::parse(&m.kind).unwrap_or(MeetingKind::SchoolAnalysis),
        held_on: m.held_on,
        title: m.title,
        attendees: m.attendees,
        agenda: m.agenda,
        minutes: m.minutes,
        decisions: m.decisions,
        created_by_name: m.created_by_name,
        created_at: m.created_at,
    }
}

fn training_view(m: training::Model, orgs: &[org::Model]) -> Training {
    Training {
        org_name: name_of(orgs, m.org_id),
        id: m.id,
        org_id: m.org_id,
        group: TrainingGroup::parse(&m.group_code).unwrap_or(TrainingGroup::Teachers),
        held_on: m.held_on,
        topic: m.topic,
        hours: f64::from(m.hours_tenths) / 10.0,
        trainer: m.trainer,
        attendee_count: m.attendee_count,
        person_ids: serde_json::from_str(&m.person_ids).unwrap_or_default(),
        created_by_name: m.created_by_name,
        created_at: m.created_at,
    }
}

fn activity_view(m: education_activity::Model, orgs: &[org::Model]) -> Activity {
    Activity {
        school_name: name_of(orgs, m.school_id),
        id: m.id,
        school_id: m.school_id,
        kind: ActivityKind::parse(&m.kind).unwrap_or(ActivityKind::Other),
        held_on: m.held_on,
        title: m.title,
        classes: m.classes,
        pupils: m.pupils,
        note: m.note,
        created_by_name: m.created_by_name,
        created_at: m.created_at,
    }
}
