//! Writing the work plan's demo: the seed's example plan loaded (checked like a request's)
//! and copied to another year, and the meetings, trainings and education activities of a
//! year, written in batches (the triggers of `m0017_work_plan` index each row for the
//! compliance calendar as it is inserted).

use super::entity::{education_activity, meeting, training};
use super::seed::SeedTx;
use super::seed_history::Person;
use super::work_plans::{EXAMPLE_2021, copy_in, insert_checked};
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId, WorkPlanId};
use crate::domain::work_plan::{ActivityKind, MeetingKind, PlanContent, PlanFile, TrainingGroup};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

/// Rows per multi-row insert.
const BATCH: usize = 200;

/// A meeting of the demo: recorded at `recorded` (late when after its period).
pub struct SeedMeeting {
    pub org: OrgId,
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub title: String,
    pub attendees: String,
    pub decisions: String,
    pub recorded: DateTime<Utc>,
    pub by: Person,
}

/// A training of the demo.
pub struct SeedTraining {
    pub org: OrgId,
    pub group: TrainingGroup,
    pub held_on: NaiveDate,
    pub topic: String,
    pub hours_tenths: i32,
    pub trainer: String,
    pub attendees: i32,
    pub people: Vec<PersonId>,
    pub recorded: DateTime<Utc>,
    pub by: Person,
}

/// An education activity of the demo (pupils counted).
pub struct SeedActivity {
    pub school: OrgId,
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    pub title: String,
    pub classes: i32,
    pub pupils: i32,
    pub recorded: DateTime<Utc>,
    pub by: Person,
}

impl SeedTx {
    /// Loads the seed's 2021 plan for `district` and copies it to `year`: (2021's, the copy).
    pub async fn example_work_plan(
        &mut self,
        district: OrgId,
        year: i32,
    ) -> Result<(WorkPlanId, WorkPlanId)> {
        let file: PlanFile = serde_json::from_str(EXAMPLE_2021).map_err(Error::internal)?;
        let content = PlanContent {
            title: file.title,
            items: file.items,
        };
        let plan = insert_checked(&self.txn, &self.actor, district, file.year, &content).await?;
        let copy = copy_in(&self.txn, &self.actor, &plan, Some(year)).await?;
        Ok((plan.id, copy.id))
    }

    /// Writes meetings.
    pub async fn seed_meetings(&mut self, rows: &[SeedMeeting]) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let models = chunk.iter().map(|m| meeting::ActiveModel {
                org_id: Set(m.org),
                kind: Set(m.kind.as_str().into()),
                held_on: Set(m.held_on),
                title: Set(m.title.clone()),
                attendees: Set(m.attendees.clone()),
                agenda: Set(String::new()),
                minutes: Set(String::new()),
                decisions: Set(m.decisions.clone()),
                created_by: Set(Some(m.by.user)),
                created_by_name: Set(m.by.name.clone()),
                created_at: Set(m.recorded),
                ..Default::default()
            });
            meeting::Entity::insert_many(models).exec(&self.txn).await?;
        }
        Ok(())
    }

    /// Writes trainings.
    pub async fn seed_trainings(&mut self, rows: &[SeedTraining]) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let mut models = Vec::with_capacity(chunk.len());
            for t in chunk {
                let people: Vec<i64> = t.people.iter().map(|p| p.0).collect();
                models.push(training::ActiveModel {
                    org_id: Set(t.org),
                    group_code: Set(t.group.as_str().into()),
                    held_on: Set(t.held_on),
                    topic: Set(t.topic.clone()),
                    hours_tenths: Set(t.hours_tenths),
                    trainer: Set(t.trainer.clone()),
                    attendee_count: Set(t.attendees.max(people.len() as i32)),
                    person_ids: Set(serde_json::to_string(&people).map_err(Error::internal)?),
                    created_by: Set(Some(t.by.user)),
                    created_by_name: Set(t.by.name.clone()),
                    created_at: Set(t.recorded),
                    ..Default::default()
                });
            }
            training::Entity::insert_many(models)
                .exec(&self.txn)
                .await?;
        }
        Ok(())
    }

    /// Writes education activities.
    pub async fn seed_activities(&mut self, rows: &[SeedActivity]) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let models = chunk.iter().map(|a| education_activity::ActiveModel {
                school_id: Set(a.school),
                kind: Set(a.kind.as_str().into()),
                held_on: Set(a.held_on),
                title: Set(a.title.clone()),
                classes: Set(a.classes),
                pupils: Set(a.pupils),
                note: Set(String::new()),
                created_by: Set(Some(a.by.user)),
                created_by_name: Set(a.by.name.clone()),
                created_at: Set(a.recorded),
                ..Default::default()
            });
            education_activity::Entity::insert_many(models)
                .exec(&self.txn)
                .await?;
        }
        Ok(())
    }
}
