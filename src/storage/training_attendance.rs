//! Training attendance and yearly compliance per person (F-EDU-1): a school's training takes
//! its attendance from an .xlsx sheet (name, and post or phone where a name is not enough),
//! every row checked against the school's people register first — unknown, ambiguous or
//! repeated names reported row by row, nothing written unless every row is right — and
//! [`WorkRecords::training_compliance`] lists, for a group and a year, the people of the
//! group's posts and whether a training of that group named them.

use super::audit::Event;
use super::entity::{org, person, training};
use super::transfer::{ImportReport, RowError};
use super::work_records::WorkRecordAudit;
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId, TrainingId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::person::Post;
use crate::domain::training::group_posts;
use crate::domain::work_plan::TrainingGroup;
use crate::error::{Error, Result};
use crate::storage::WorkRecords;
use crate::storage::read::ReadAll as _;
use crate::storage::views::OrgRef;
use chrono::{Datelike, NaiveDate};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The attendance sheet's columns (labels `field.<name>`): the person's name, and their post
/// or phone to tell two people of one name apart.
pub const ATTENDANCE_FIELDS: &[&str] = &["name", "post", "phone"];
pub const ATTENDANCE_REQUIRED: &[&str] = &["name"];

/// A training as its attendance page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingBrief {
    pub id: TrainingId,
    pub org: OrgRef,
    /// Attendance is taken for a school's training only.
    pub school: bool,
    pub group: TrainingGroup,
    pub held_on: NaiveDate,
    pub topic: String,
    /// The names of the people on its attendance, sorted.
    pub attendees: Vec<String>,
}

/// Who of a group has had a training of that group in a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingCompliance {
    pub org: OrgRef,
    pub year: i32,
    pub group: TrainingGroup,
    /// The posts the group binds.
    pub posts: Vec<Post>,
    pub people: Vec<PersonTraining>,
    /// People of the group without a training this year.
    pub untrained: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonTraining {
    pub person_id: PersonId,
    pub name: String,
    pub post: Post,
    pub school: OrgRef,
    pub trained: bool,
    /// The latest training of the group that named the person in the year.
    pub last_trained_on: Option<NaiveDate>,
    pub trainings: usize,
}

/// `org_id` (the caller's node by default), `year` (this year by default), `group`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    #[serde(default)]
    pub org_id: Option<i64>,
    #[serde(default)]
    pub year: Option<i32>,
    pub group: TrainingGroup,
}

fn cell(row: &[String], idx: Option<usize>) -> &str {
    idx.and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("")
}

fn ids_of(json: &str) -> Vec<i64> {
    serde_json::from_str(json).unwrap_or_default()
}

impl WorkRecords<'_> {
    /// Adds the people of a sheet to a school's training (`cols` as mapped from the header
    /// in [`ATTENDANCE_FIELDS`] order). Every row must name exactly one active person of the
    /// training's school, once; otherwise the report lists each bad row and nothing changes.
    /// `created` counts the people added, `updated` those already on the list.
    pub async fn import_attendance(
        &self,
        id: TrainingId,
        rows: &[Vec<String>],
        cols: &[Option<usize>],
    ) -> Result<ImportReport> {
        let t = training::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let event = Event::new(WorkRecordAudit::Attendance, "training", id);
        // The training's org in scope (404), then the role (403), both audited.
        let mut tx = self.begin_for(event, t.org_id).await?;
        let res: Result<ImportReport> = async {
            let o = org::Entity::find_by_id(t.org_id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if o.level != OrgLevel::School.as_str() {
                return Err(Error::field("file", "err.training.not_a_school"));
            }
            let people = person::Entity::find()
                .filter(person::Column::OrgId.eq(o.id))
                .filter(person::Column::Active.eq(true))
                .all(&tx.txn)
                .await?;
            let col = |f: &str| cols[ATTENDANCE_FIELDS.iter().position(|x| *x == f).unwrap_or(0)];
            let mut report = ImportReport::default();
            let mut found: Vec<(usize, i64)> = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                let row = i + 2;
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let name = cell(r, col("name"));
                let post_s = cell(r, col("post"));
                let phone = cell(r, col("phone"));
                if name.is_empty() {
                    report
                        .errors
                        .push(RowError::new(row, "name", "err.required", ""));
                    continue;
                }
                let post = if post_s.is_empty() {
                    None
                } else {
                    match Post::parse_label(post_s) {
                        Some(p) => Some(p),
                        None => {
                            report.errors.push(RowError::new(
                                row,
                                "post",
                                "err.unknown_post",
                                post_s,
                            ));
                            continue;
                        }
                    }
                };
                let matches: Vec<&person::Model> = people
                    .iter()
                    .filter(|p| p.name == name)
                    .filter(|p| post.is_none_or(|x| p.post == x.as_str()))
                    .filter(|p| phone.is_empty() || p.phone == phone)
                    .collect();
                match matches.as_slice() {
                    [] => report.errors.push(RowError::new(
                        row,
                        "name",
                        "err.training.unknown_person",
                        name,
                    )),
                    [p] => match found.iter().find(|(_, x)| *x == p.id.0) {
                        Some((first, _)) => report.errors.push(RowError::new(
                            row,
                            "name",
                            "err.training.repeated_person",
                            &format!("{name} ({first})"),
                        )),
                        None => found.push((row, p.id.0)),
                    },
                    _ => report.errors.push(RowError::new(
                        row,
                        "name",
                        "err.training.ambiguous_person",
                        name,
                    )),
                }
            }
            if found.is_empty() && report.errors.is_empty() {
                report
                    .errors
                    .push(RowError::new(1, "name", "err.training.no_rows", ""));
            }
            if !report.errors.is_empty() {
                return Ok(report);
            }
            let mut list = ids_of(&t.person_ids);
            for (_, p) in &found {
                if list.contains(p) {
                    report.updated += 1;
                } else {
                    list.push(*p);
                    report.created += 1;
                }
            }
            if list.len() > 2000 {
                return Err(Error::field("file", "err.work_plan.people"));
            }
            let count = std::cmp::max(t.attendee_count, list.len() as i32);
            let mut m: training::ActiveModel = t.clone().into();
            m.person_ids = Set(serde_json::to_string(&list).map_err(Error::internal)?);
            m.attendee_count = Set(count);
            m.update(&tx.txn).await?;
            Ok(report)
        }
        .await;
        match res {
            Ok(report) if report.errors.is_empty() => {
                tx.event.detail = format!(
                    "org={} added={} present={}",
                    t.org_id, report.created, report.updated
                );
                tx.commit().await?;
                Ok(report)
            }
            // A bad sheet changes nothing (the transaction is dropped unwritten).
            Ok(report) => Ok(report),
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// A training in scope with the names on its attendance (the attendance page). Another
    /// organisation's training is 404, a role without the route's action 403.
    pub async fn training_brief(&self, id: TrainingId) -> Result<TrainingBrief> {
        let t = training::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let o = self.org_row(t.org_id, &self.read).await?;
        self.permit()?;
        let ids: Vec<i64> = ids_of(&t.person_ids);
        let mut attendees: Vec<String> = if ids.is_empty() {
            Vec::new()
        } else {
            person::Entity::find()
                .filter(person::Column::OrgId.eq(o.id))
                .filter(person::Column::Id.is_in(ids))
                .order_by_asc(person::Column::Id)
                .read_all(&self.read)
                .await?
                .into_iter()
                .map(|p| p.name)
                .collect()
        };
        attendees.sort();
        Ok(TrainingBrief {
            id: t.id,
            school: o.level == OrgLevel::School.as_str(),
            org: o.into(),
            group: TrainingGroup::parse(&t.group_code).unwrap_or(TrainingGroup::Teachers),
            held_on: t.held_on,
            topic: t.topic,
            attendees,
        })
    }

    /// Who of `group` (the people of its posts in the schools under `org_id`) had a training
    /// of that group in `year`: a training of their school, or of its district, naming them.
    pub async fn training_compliance(&self, q: &ComplianceQuery) -> Result<TrainingCompliance> {
        let root = match q.org_id {
            Some(id) => self.org_row(OrgId(id), &self.read).await?,
            None => {
                self.permit()?;
                let id = self.actor.org_id.ok_or(Error::NotFound)?;
                self.org_row(id, &self.read).await?
            }
        };
        self.permit()?;
        let year = q.year.unwrap_or_else(|| crate::clock::today().year());
        let (first, last) = super::governance::year_range(year)?;
        let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
        let orgs = org::Entity::find()
            .filter(self.org_scope())
            .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        // The district above a school can train its staff too.
        let mut org_ids: Vec<OrgId> = orgs.iter().map(|o| o.id).collect();
        org_ids.extend(root.parent_id);
        let posts = group_posts(q.group);
        let schools: Vec<&org::Model> = orgs
            .iter()
            .filter(|o| o.level == OrgLevel::School.as_str())
            .collect();
        let people = person::Entity::find()
            .filter(person::Column::OrgId.is_in(schools.iter().map(|s| s.id)))
            .filter(person::Column::Active.eq(true))
            .filter(person::Column::Post.is_in(posts.iter().map(|p| p.as_str())))
            .order_by_asc(person::Column::OrgId)
            .order_by_asc(person::Column::Name)
            .read_all(&self.read)
            .await?;
        let trainings = training::Entity::find()
            .filter(training::Column::OrgId.is_in(org_ids))
            .filter(training::Column::GroupCode.eq(q.group.as_str()))
            .filter(training::Column::HeldOn.between(first, last))
            .read_all(&self.read)
            .await?;
        let named: Vec<(Vec<i64>, NaiveDate)> = trainings
            .iter()
            .map(|t| (ids_of(&t.person_ids), t.held_on))
            .collect();
        let out: Vec<PersonTraining> = people
            .into_iter()
            .filter_map(|p| {
                let school = schools.iter().find(|s| s.id == p.org_id)?;
                let mine: Vec<NaiveDate> = named
                    .iter()
                    .filter(|(ids, _)| ids.contains(&p.id.0))
                    .map(|(_, d)| *d)
                    .collect();
                Some(PersonTraining {
                    person_id: p.id,
                    post: Post::parse(&p.post)?,
                    name: p.name,
                    school: (*school).clone().into(),
                    trained: !mine.is_empty(),
                    last_trained_on: mine.iter().max().copied(),
                    trainings: mine.len(),
                })
            })
            .collect();
        let mut out = out;
        // The untrained first.
        out.sort_by_key(|p| p.trained);
        Ok(TrainingCompliance {
            org: root.into(),
            year,
            group: q.group,
            posts: posts.to_vec(),
            untrained: out.iter().filter(|p| !p.trained).count(),
            people: out,
        })
    }
}
