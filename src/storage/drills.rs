//! Drills (应急演练, F-EMG-2) through a [`Scoped`] handle: a school plans a drill, records it
//! held (checked by [`DrillRecord::validate`]), evaluates it, and a problem found can open a
//! hazard (source `drill`) in the closed loop in the same transaction. The compliance board
//! is in [`board`].
//!
//! A drill's lifecycle is [`DrillStatus::allows`]: a plan may be moved, recorded or cancelled;
//! a held drill's record may be corrected and it may be evaluated; a cancelled plan is final.
//! An illegal step is 409 (`err.drill.illegal_step`); a stale `version` is 409 too.
//!
//! [`Scoped`]: super::Scoped

use super::audit::Event;
use super::entity::drill;
use super::hazards::{NewHazard, Origin, insert_reported};
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::drill::{
    DrillConfig, DrillKind, DrillNotice, DrillRating, DrillRecord, DrillStatus,
};
use crate::domain::hazard::Source;
use crate::domain::ids::{DrillId, FileId, HazardId, OrgId};
use crate::error::{Error, FieldError, Result};
use crate::storage::Drills;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

mod board;
mod input;
mod update;

pub(super) use board::profile;
pub use board::{DrillBoard, DrillBoardDistrict, DrillBoardQuery, DrillBoardRow, DrillCounts};
pub use input::{DrillHazard, DrillPatch, HeldInput, NewDrill};

closed_codes! {
    AuditCode:
    /// What drills record.
    pub enum DrillAudit {
        Plan = "drill.plan",
        Record = "drill.record",
        Update = "drill.update",
        Cancel = "drill.cancel",
    }
}

/// Longest free text of a drill (buildings, problems, evaluation).
pub const MAX_TEXT: usize = 4000;
/// Most hazards one change may open.
pub const MAX_HAZARDS: usize = 20;

const ILLEGAL: &str = "err.drill.illegal_step";
const STALE: &str = "err.drill.changed";

/// A drill as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Drill {
    pub id: DrillId,
    pub school_id: OrgId,
    pub school_name: String,
    pub kind: DrillKind,
    pub notice: DrillNotice,
    pub status: DrillStatus,
    pub planned_on: Option<NaiveDate>,
    pub held_on: Option<NaiveDate>,
    /// Buildings and floors taken part, as the school writes them.
    pub buildings: String,
    /// Floors of the tallest building evacuated.
    pub floors: Option<i64>,
    pub classes: Option<i64>,
    pub expected: Option<i64>,
    pub assembled: Option<i64>,
    pub missing: Option<i64>,
    /// China time of day, `HH:MM:SS`.
    pub signal_at: Option<String>,
    pub completed_at: Option<String>,
    /// Seconds from the signal to everyone assembled.
    pub duration_seconds: Option<i64>,
    /// The target that applied (the school's own, or `[drills] target_seconds` for a low
    /// building).
    pub target_seconds: Option<i64>,
    pub target_met: Option<bool>,
    pub own_target_seconds: Option<i64>,
    pub injuries: i64,
    pub problems: String,
    pub rating: Option<DrillRating>,
    pub evaluation: String,
    /// The drill showed that the emergency plan needs revising.
    pub plan_needs_revision: bool,
    /// Hazards opened from the drill's problems.
    pub hazard_ids: Vec<HazardId>,
    /// Photos of the drill (files of the school).
    pub photo_ids: Vec<FileId>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

fn time_text(t: NaiveTime) -> String {
    t.format("%H:%M:%S").to_string()
}

pub(super) fn view(m: drill::Model, school_name: String) -> Drill {
    let target_met = match (m.duration_seconds, m.target_seconds) {
        (Some(d), Some(t)) => Some(d <= t),
        _ => None,
    };
    Drill {
        id: m.id,
        school_id: m.school_id,
        school_name,
        kind: DrillKind::parse(&m.kind).unwrap_or(DrillKind::Evacuation),
        notice: DrillNotice::parse(&m.notice).unwrap_or(DrillNotice::Announced),
        status: DrillStatus::parse(&m.status).unwrap_or(DrillStatus::Planned),
        planned_on: m.planned_on,
        held_on: m.held_on,
        buildings: m.buildings,
        floors: m.floors,
        classes: m.classes,
        expected: m.expected,
        assembled: m.assembled,
        missing: m.missing,
        signal_at: m.signal_at,
        completed_at: m.completed_at,
        duration_seconds: m.duration_seconds,
        target_seconds: m.target_seconds,
        target_met,
        own_target_seconds: m.own_target_seconds,
        injuries: m.injuries,
        problems: m.problems,
        rating: m.rating.as_deref().and_then(DrillRating::parse),
        evaluation: m.evaluation,
        plan_needs_revision: m.plan_needs_revision,
        hazard_ids: serde_json::from_str(&m.hazard_ids).unwrap_or_default(),
        photo_ids: serde_json::from_str(&m.photo_ids).unwrap_or_default(),
        created_by_name: m.created_by_name,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    }
}

fn check_text(field: &str, v: &str, errs: &mut Vec<FieldError>) {
    if v.chars().count() > MAX_TEXT {
        errs.push(FieldError::new(field, "err.drill.too_long"));
    }
}

/// Checks a drill's photos (images of its school, at most [`super::files::MAX_PHOTOS`]) and
/// returns them as stored (JSON), without repeats.
async fn photos(conn: &impl ConnectionTrait, school: OrgId, list: &[FileId]) -> Result<String> {
    let mut ids: Vec<i64> = Vec::new();
    for f in list {
        if !ids.contains(&f.0) {
            ids.push(f.0);
        }
    }
    let errs = super::files::check_photos(conn, school, &ids, "photo_ids").await?;
    if !errs.is_empty() {
        return Err(invalid(errs));
    }
    serde_json::to_string(&ids).map_err(Error::internal)
}

/// A held drill newly flagged "plan needs revision" makes the plans it exercised due for
/// evaluation at once (see [`super::emergency_plans::flag_defect`]).
async fn flag_plans(
    txn: &DatabaseTransaction,
    actor: &super::Actor,
    m: &drill::Model,
) -> Result<()> {
    let kind = DrillKind::parse(&m.kind).unwrap_or(DrillKind::Evacuation);
    super::emergency_plans::flag_defect(txn, actor, m.school_id, kind, &format!("drill:{}", m.id))
        .await?;
    Ok(())
}

/// Checks the record of a held drill and writes it onto the row; a field error names
/// `held.<field>`.
fn apply_record(
    am: &mut drill::ActiveModel,
    kind: DrillKind,
    notice: DrillNotice,
    h: &HeldInput,
    today: NaiveDate,
    cfg: &DrillConfig,
) -> Result<()> {
    let record = DrillRecord {
        kind,
        notice,
        held_on: h.held_on,
        classes: h.classes,
        expected: h.expected,
        assembled: h.assembled,
        missing: h.missing,
        signal_at: h.signal_at,
        completed_at: h.completed_at,
        floors: h.floors,
        own_target_seconds: h.own_target_seconds,
        injuries: h.injuries,
    };
    let timing = record
        .validate(today, cfg)
        .map_err(|e| Error::field(format!("held.{}", e.field), e.key))?;
    am.status = Set(DrillStatus::Held.as_str().into());
    am.held_on = Set(Some(h.held_on));
    am.classes = Set(Some(h.classes));
    am.expected = Set(Some(h.expected));
    am.assembled = Set(h.assembled);
    am.missing = Set(h.missing);
    am.signal_at = Set(h.signal_at.map(time_text));
    am.completed_at = Set(h.completed_at.map(time_text));
    am.floors = Set(h.floors);
    am.own_target_seconds = Set(h.own_target_seconds);
    am.injuries = Set(h.injuries);
    am.duration_seconds = Set(timing.map(|t| i64::from(t.seconds)));
    am.target_seconds = Set(timing.and_then(|t| t.target_seconds).map(i64::from));
    Ok(())
}

/// The evaluation's fields, when given.
struct Evaluation<'a> {
    problems: Option<&'a String>,
    rating: Option<DrillRating>,
    evaluation: Option<&'a String>,
    plan_needs_revision: Option<bool>,
    hazards: &'a [DrillHazard],
}

impl Evaluation<'_> {
    fn any(&self) -> bool {
        self.problems.is_some()
            || self.rating.is_some()
            || self.evaluation.is_some()
            || self.plan_needs_revision.is_some()
            || !self.hazards.is_empty()
    }
}

impl Drills<'_> {
    /// Opens the hazards of a drill's problems and writes the evaluation onto the row.
    async fn evaluate(
        &self,
        txn: &DatabaseTransaction,
        am: &mut drill::ActiveModel,
        school: OrgId,
        ev: &Evaluation<'_>,
        mut hazard_ids: Vec<HazardId>,
    ) -> Result<Vec<HazardId>> {
        let mut errs = Vec::new();
        if let Some(p) = ev.problems {
            check_text("problems", p, &mut errs);
        }
        if let Some(p) = ev.evaluation {
            check_text("evaluation", p, &mut errs);
        }
        if ev.hazards.len() > MAX_HAZARDS {
            errs.push(FieldError::new("hazards", "err.drill.too_many_hazards"));
        }
        if !errs.is_empty() {
            return Err(invalid(errs));
        }
        if let Some(p) = ev.problems {
            am.problems = Set(p.trim().to_string());
        }
        if let Some(r) = ev.rating {
            am.rating = Set(Some(r.as_str().into()));
        }
        if let Some(e) = ev.evaluation {
            am.evaluation = Set(e.trim().to_string());
        }
        if let Some(b) = ev.plan_needs_revision {
            am.plan_needs_revision = Set(b);
        }
        for (i, h) in ev.hazards.iter().enumerate() {
            let input = NewHazard {
                title: h.title.clone(),
                description: h.description.clone(),
                aspect: h.aspect,
                category: h.category.clone(),
                zone_id: h.zone_id,
                risk_point_id: None,
                source: Some(Source::Drill),
                photo_ids: Vec::new(),
            };
            let m = insert_reported(txn, &self.actor, school, &input, Origin::default())
                .await
                .map_err(|e| match e {
                    Error::Validation { message, fields } => Error::Validation {
                        message,
                        fields: fields
                            .into_iter()
                            .map(|f| {
                                FieldError::new(format!("hazards[{i}].{}", f.field), f.message)
                            })
                            .collect(),
                    },
                    e => e,
                })?;
            hazard_ids.push(m.id);
        }
        am.hazard_ids = Set(serde_json::to_string(&hazard_ids).map_err(Error::internal)?);
        Ok(hazard_ids)
    }

    /// A school in scope, for a page's heading (role checked).
    pub async fn school(&self, school: OrgId) -> Result<super::views::OrgRef> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        Ok(s.into())
    }

    /// Scope, then role, for a form refused before it reached the write (404, then 403), so
    /// a malformed form tells nobody more than a well-formed one would.
    pub async fn check_school(&self, school: OrgId) -> Result<()> {
        self.school_row(school, &self.read).await?;
        self.permit()
    }

    /// Like [`Drills::check_school`] for a drill.
    pub async fn check_drill(&self, id: DrillId) -> Result<()> {
        self.owned::<drill::Entity>(id, &self.read).await?;
        self.permit()
    }

    /// The drills of a school in scope: the newest plan or held day first.
    pub async fn list(&self, school: OrgId) -> Result<Vec<Drill>> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        let mut rows = drill::Entity::find()
            .filter(drill::Column::SchoolId.eq(school))
            .order_by_desc(drill::Column::Id)
            .read_all(&self.read)
            .await?;
        rows.sort_by_key(|m| std::cmp::Reverse(m.held_on.or(m.planned_on)));
        Ok(rows.into_iter().map(|m| view(m, s.name.clone())).collect())
    }

    pub async fn get(&self, id: DrillId) -> Result<Drill> {
        let (m, school) = self.owned::<drill::Entity>(id, &self.read).await?;
        self.permit()?;
        let name = self.school_row(school.org_id(), &self.read).await?.name;
        Ok(view(m, name))
    }

    /// Plans a drill of a school in scope, or records one held.
    pub async fn create(&self, school: OrgId, input: NewDrill, cfg: &DrillConfig) -> Result<Drill> {
        let audit = if input.held.is_some() {
            DrillAudit::Record
        } else {
            DrillAudit::Plan
        };
        let (mut tx, school) = self
            .begin_for_school(Event::new(audit, "drill", ""), school)
            .await?;
        let res: Result<drill::Model> = async {
            let today = super::risk_points::today();
            let notice = input.notice.unwrap_or(DrillNotice::Announced);
            let mut errs = Vec::new();
            check_text("buildings", &input.buildings, &mut errs);
            match (input.planned_on, &input.held) {
                (None, None) => errs.push(FieldError::new("planned_on", "err.required")),
                (Some(d), None) if d < today => {
                    errs.push(FieldError::new("planned_on", "err.drill.plan_past"))
                }
                _ => {}
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let now = Utc::now();
            let mut am = drill::ActiveModel {
                school_id: Set(school.org_id()),
                kind: Set(input.kind.as_str().into()),
                notice: Set(notice.as_str().into()),
                status: Set(DrillStatus::Planned.as_str().into()),
                planned_on: Set(input.planned_on),
                held_on: Set(None),
                buildings: Set(input.buildings.trim().into()),
                floors: Set(None),
                classes: Set(None),
                expected: Set(None),
                assembled: Set(None),
                missing: Set(None),
                signal_at: Set(None),
                completed_at: Set(None),
                duration_seconds: Set(None),
                target_seconds: Set(None),
                own_target_seconds: Set(None),
                injuries: Set(0),
                problems: Set(String::new()),
                rating: Set(None),
                evaluation: Set(String::new()),
                plan_needs_revision: Set(false),
                hazard_ids: Set("[]".into()),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(now),
                updated_by: Set(Some(self.actor.user_id)),
                updated_at: Set(now),
                version: Set(0),
                ..Default::default()
            };
            let ev = Evaluation {
                problems: input.problems.as_ref(),
                rating: input.rating,
                evaluation: input.evaluation.as_ref(),
                plan_needs_revision: input.plan_needs_revision,
                hazards: &input.hazards,
            };
            match &input.held {
                Some(h) => apply_record(&mut am, input.kind, notice, h, today, cfg)?,
                None if ev.any() => return Err(Error::Conflict(ILLEGAL.into())),
                None => {}
            }
            if ev.any() {
                self.evaluate(&tx.txn, &mut am, school.org_id(), &ev, Vec::new())
                    .await?;
            }
            if !input.photo_ids.is_empty() {
                am.photo_ids = Set(photos(&tx.txn, school.org_id(), &input.photo_ids).await?);
            }
            let m = am.insert(&tx.txn).await?;
            if m.plan_needs_revision {
                flag_plans(&tx.txn, &self.actor, &m).await?;
            }
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "school={} kind={} status={} hazards={}",
                    m.school_id, m.kind, m.status, m.hazard_ids
                );
                tx.commit().await?;
                self.get(m.id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

/// The (school, kind, held day) of held drills of `schools` between `first` and `last`.
pub(super) async fn held_between(
    conn: &impl ConnectionTrait,
    schools: Option<&[OrgId]>,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(OrgId, DrillKind, NaiveDate)>> {
    let mut q = drill::Entity::find()
        .filter(drill::Column::Status.eq(DrillStatus::Held.as_str()))
        .filter(drill::Column::HeldOn.gte(first))
        .filter(drill::Column::HeldOn.lte(last));
    if let Some(s) = schools {
        q = q.filter(drill::Column::SchoolId.is_in(s.to_vec()));
    }
    Ok(q.all(conn)
        .await?
        .into_iter()
        .filter_map(|m| Some((m.school_id, DrillKind::parse(&m.kind)?, m.held_on?)))
        .collect())
}
