//! Writing past months for the demo: files, campaigns, cross-inspection assignments,
//! inspections with their items, and hazards whose history is built by the same pure rules as
//! live ones ([`crate::domain::hazard::apply`]) on the days they happened, so every demo hazard
//! replays to its state and its 销号 number comes from the same counter.

use super::entity::{
    campaign, campaign_school, counter, cross_assignment, file, file_blob, hazard, hazard_event,
    inspection, inspection_item, risk_point,
};
use super::inbox::{self, Note};
use super::seed::SeedTx;
use crate::domain::Code;
use crate::domain::hazard::{
    self as rules, Action, Hazard, HistoryEvent, Source, Status, Transition, Who,
};
use crate::domain::ids::{
    CampaignId, CrossAssignmentId, FileId, HazardId, InspectionId, OrgId, RiskPointId, UserId,
    ZoneId,
};
use crate::domain::org::OrgLevel;
use crate::domain::role::Role;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};

/// A person acting in the demo's past.
#[derive(Debug, Clone)]
pub struct Person {
    pub user: UserId,
    pub name: String,
    pub role: Role,
}

impl Person {
    pub fn who(&self) -> Who {
        Who {
            user_id: self.user.0,
            bureau: matches!(
                self.role.org_level(),
                Some(OrgLevel::City | OrgLevel::District)
            ),
            school_manager: matches!(self.role, Role::Principal | Role::SafetyDirector),
        }
    }
}

/// A school's risk point as the demo needs it.
#[derive(Debug, Clone)]
pub struct Point {
    pub id: RiskPointId,
    pub name: String,
    pub aspect: String,
    pub category: String,
    pub zone: Option<ZoneId>,
    pub check_items: String,
    pub check_frequency: String,
}

/// One step of a past hazard: a person's action, or the escalation job.
#[derive(Debug, Clone)]
pub enum PastStep<'a> {
    Act(NaiveDate, &'a Person, Action),
    Escalate(NaiveDate),
}

/// A hazard to write: what was found, then its steps.
pub struct PastHazard<'a> {
    pub school: OrgId,
    pub school_code: &'a str,
    pub title: String,
    pub description: String,
    pub aspect: String,
    pub category: String,
    pub zone: Option<ZoneId>,
    pub point: Option<RiskPointId>,
    pub source: Source,
    pub inspection: Option<InspectionId>,
    pub campaign: Option<CampaignId>,
    pub reporter: &'a Person,
    pub reported_on: NaiveDate,
    pub photos: Vec<FileId>,
    pub steps: Vec<PastStep<'a>>,
}

/// An inspection item to write.
pub struct PastItem {
    pub point: Option<RiskPointId>,
    pub zone: Option<ZoneId>,
    pub label: String,
    pub detail: String,
    pub result: &'static str,
    pub note: String,
    pub photos: Vec<FileId>,
    pub hazard: Option<HazardId>,
}

/// Whether a point with this check frequency is on the half-month self-inspection.
pub fn due_by_half_month(frequency: &str) -> bool {
    super::inspections::HALF_MONTH_FREQUENCIES.contains(&frequency)
}

/// A time on a China day (`hour` China time), stored as UTC.
pub fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(hour.min(23), minute.min(59), 0).unwrap_or_default();
    Utc.from_utc_datetime(&day.and_time(t)) - chrono::Duration::hours(8)
}

impl SeedTx {
    /// The active risk points of a school.
    pub async fn points(&mut self, school: OrgId) -> Result<Vec<Point>> {
        Ok(risk_point::Entity::find()
            .filter(risk_point::Column::SchoolId.eq(school))
            .filter(risk_point::Column::Status.eq("active"))
            .order_by_asc(risk_point::Column::Code)
            .all(&self.txn)
            .await?
            .into_iter()
            .map(|p| Point {
                id: p.id,
                name: p.name,
                aspect: p.aspect,
                category: p.category,
                zone: p.zone_id,
                check_items: p.check_items,
                check_frequency: p.check_frequency,
            })
            .collect())
    }

    /// A photo of a school (already a clean JPEG) with its thumbnail.
    #[allow(clippy::too_many_arguments)]
    pub async fn photo(
        &mut self,
        school: OrgId,
        name: &str,
        jpeg: Vec<u8>,
        thumb: Vec<u8>,
        size: (u32, u32),
        by: &Person,
        on: DateTime<Utc>,
    ) -> Result<FileId> {
        use sha2::Digest;
        let f = file::ActiveModel {
            school_id: Set(school),
            kind: Set("image".into()),
            mime: Set("image/jpeg".into()),
            name: Set(name.into()),
            size: Set(jpeg.len() as i64),
            width: Set(Some(size.0 as i32)),
            height: Set(Some(size.1 as i32)),
            sha256: Set(hex::encode(sha2::Sha256::digest(&jpeg))),
            has_thumb: Set(true),
            uploaded_by: Set(Some(by.user)),
            uploaded_by_name: Set(by.name.clone()),
            created_at: Set(on),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        for (variant, data) in [("main", jpeg), ("thumb", thumb)] {
            file_blob::ActiveModel {
                file_id: Set(f.id),
                variant: Set(variant.into()),
                data: Set(data),
            }
            .insert(&self.txn)
            .await?;
        }
        Ok(f.id)
    }

    /// A campaign issued by `org` to `schools`: its own items and the categories of risk
    /// points it covers.
    #[allow(clippy::too_many_arguments)]
    pub async fn campaign(
        &mut self,
        org: OrgId,
        kind: &str,
        name: &str,
        description: &str,
        window: (NaiveDate, NaiveDate),
        items: &[&str],
        categories: &[&str],
        schools: &[OrgId],
        by: &Person,
    ) -> Result<CampaignId> {
        let c = campaign::ActiveModel {
            org_id: Set(org),
            kind: Set(kind.into()),
            name: Set(name.into()),
            description: Set(description.into()),
            starts_on: Set(window.0),
            ends_on: Set(window.1),
            items: Set(serde_json::json!({"items": items, "categories": categories}).to_string()),
            status: Set("active".into()),
            created_by: Set(Some(by.user)),
            created_by_name: Set(by.name.clone()),
            created_at: Set(at(window.0 - chrono::Duration::days(3), 9, 0)),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        for s in schools {
            campaign_school::ActiveModel {
                campaign_id: Set(c.id),
                school_id: Set(*s),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
        }
        Ok(c.id)
    }

    /// A cross-inspection assignment: `inspector` (of `from`) inspects `target`.
    pub async fn cross(
        &mut self,
        org: OrgId,
        round: &str,
        inspector: (UserId, OrgId),
        target: OrgId,
        window: (NaiveDate, NaiveDate),
        by: &Person,
    ) -> Result<CrossAssignmentId> {
        Ok(cross_assignment::ActiveModel {
            org_id: Set(org),
            round_name: Set(round.into()),
            inspector_user_id: Set(inspector.0),
            inspector_school_id: Set(inspector.1),
            target_school_id: Set(target),
            starts_on: Set(window.0),
            ends_on: Set(window.1),
            created_by_name: Set(by.name.clone()),
            created_at: Set(at(window.0 - chrono::Duration::days(2), 10, 0)),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?
        .id)
    }

    /// An inspection row (items come later with [`SeedTx::inspection_items`], once the
    /// hazards they opened exist).
    #[allow(clippy::too_many_arguments)]
    pub async fn inspection(
        &mut self,
        school: OrgId,
        kind: &str,
        period: Option<&str>,
        campaign: Option<CampaignId>,
        cross: Option<CrossAssignmentId>,
        by: &Person,
        on: NaiveDate,
        submitted: DateTime<Utc>,
    ) -> Result<InspectionId> {
        Ok(inspection::ActiveModel {
            school_id: Set(school),
            kind: Set(kind.into()),
            period: Set(period.map(str::to_string)),
            campaign_id: Set(campaign),
            cross_assignment_id: Set(cross),
            inspector_user_id: Set(Some(by.user)),
            inspector_name: Set(by.name.clone()),
            inspected_on: Set(on),
            submitted_at: Set(submitted),
            note: Set(String::new()),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?
        .id)
    }

    /// The items of an inspection, and its counts.
    pub async fn inspection_items(&mut self, id: InspectionId, items: Vec<PastItem>) -> Result<()> {
        let count = |r: &str| items.iter().filter(|i| i.result == r).count() as i32;
        let (passed, failed, na) = (count("pass"), count("fail"), count("na"));
        let total = items.len() as i32;
        let rows: Vec<inspection_item::ActiveModel> = items
            .into_iter()
            .enumerate()
            .map(|(n, i)| inspection_item::ActiveModel {
                inspection_id: Set(id),
                seq: Set(n as i32 + 1),
                risk_point_id: Set(i.point),
                zone_id: Set(i.zone),
                label: Set(i.label),
                detail: Set(i.detail),
                result: Set(i.result.into()),
                note: Set(i.note),
                photo_ids: Set(serde_json::to_string(
                    &i.photos.iter().map(|f| f.0).collect::<Vec<_>>(),
                )
                .unwrap_or_else(|_| "[]".into())),
                hazard_id: Set(i.hazard),
                ..Default::default()
            })
            .collect();
        for chunk in rows.chunks(500) {
            inspection_item::Entity::insert_many(chunk.to_vec())
                .exec(&self.txn)
                .await?;
        }
        inspection::ActiveModel {
            id: Set(id),
            total: Set(total),
            passed: Set(passed),
            failed: Set(failed),
            not_applicable: Set(na),
            ..Default::default()
        }
        .update(&self.txn)
        .await?;
        Ok(())
    }

    /// The next number of a named counter (e.g. `closure:S001:2026`).
    async fn next_in(&mut self, name: &str) -> Result<i64> {
        let next = match counter::Entity::find_by_id(name.to_string())
            .one(&self.txn)
            .await?
        {
            Some(c) => {
                let v = c.value + 1;
                counter::ActiveModel {
                    name: Set(c.name),
                    value: Set(v),
                }
                .update(&self.txn)
                .await?;
                v
            }
            None => {
                counter::ActiveModel {
                    name: Set(name.to_string()),
                    value: Set(1),
                }
                .insert(&self.txn)
                .await?;
                1
            }
        };
        Ok(next)
    }

    /// Writes a hazard with its whole history; every step goes through the rules on its day.
    pub async fn hazard(&mut self, h: &PastHazard<'_>, escalate_after: u32) -> Result<HazardId> {
        let mut state = Hazard::new_reported();
        let mut events: Vec<(HistoryEvent, Option<&Person>)> = Vec::new();
        for step in &h.steps {
            let (t, by): (Transition, Option<&Person>) = match step {
                PastStep::Act(day, p, action) => (
                    rules::apply(&state, action, &p.who(), *day).map_err(|e| {
                        Error::internal(anyhow::anyhow!(
                            "demo hazard {:?} step {:?}: {e:?}",
                            h.title,
                            action.kind()
                        ))
                    })?,
                    Some(*p),
                ),
                PastStep::Escalate(day) => (
                    rules::escalation(&state, *day, escalate_after).ok_or_else(|| {
                        Error::internal(anyhow::anyhow!("demo hazard {:?}: no escalation", h.title))
                    })?,
                    None,
                ),
            };
            let t = if t.needs_closure_number() {
                let year = t.closing_year().unwrap_or(2026);
                let seq = self
                    .next_in(&format!("closure:{}:{year}", h.school_code))
                    .await?;
                let n = rules::closure_number(h.school_code, year, seq as u32);
                t.with_closure_number(n)
            } else {
                t
            };
            state = t.next;
            events.push((t.event, by));
        }
        let last = events
            .last()
            .map(|(e, _)| at(e.on, 16, 0))
            .unwrap_or_else(|| at(h.reported_on, 10, 0));
        let row = hazard::ActiveModel {
            school_id: Set(h.school),
            title: Set(h.title.clone()),
            description: Set(h.description.clone()),
            aspect: Set(h.aspect.clone()),
            category: Set(h.category.clone()),
            zone_id: Set(h.zone),
            risk_point_id: Set(h.point),
            source: Set(h.source.as_str().into()),
            inspection_id: Set(h.inspection),
            campaign_id: Set(h.campaign),
            status: Set(state.status.as_str().into()),
            level: Set(state.level.map(|l| l.as_str().to_string())),
            treatment: Set(state.treatment.map(|t| t.as_str().to_string())),
            supervised: Set(state.supervised),
            deadline: Set(state.deadline),
            responsible_user_id: Set(state.responsible_user_id.map(UserId)),
            closure_number: Set(state.closure_number.clone()),
            state: Set(serde_json::to_string(&state).map_err(Error::internal)?),
            photo_ids: Set(serde_json::to_string(
                &h.photos.iter().map(|f| f.0).collect::<Vec<_>>(),
            )
            .map_err(Error::internal)?),
            reported_by: Set(Some(h.reporter.user)),
            reported_by_name: Set(h.reporter.name.clone()),
            reported_at: Set(at(h.reported_on, 10, 0)),
            updated_at: Set(last),
            closed_at: Set((state.status == Status::Closed).then_some(last)),
            version: Set(events.len() as i32),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        for (n, (e, by)) in events.iter().enumerate() {
            hazard_event::ActiveModel {
                hazard_id: Set(row.id),
                seq: Set(n as i32 + 1),
                at: Set(at(e.on, 10 + (n as u32 % 6), (n as u32 * 7) % 60)),
                day: Set(e.on),
                user_id: Set(by.map(|p| p.user)),
                user_name: Set(by
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| "system".into())),
                role: Set(by.map(|p| p.role.as_str().to_string()).unwrap_or_default()),
                from_status: Set(e.from.as_str().into()),
                to_status: Set(e.to.as_str().into()),
                kind: Set(match e.action() {
                    Some(a) => a.kind().as_str().to_string(),
                    None => "escalated".into(),
                }),
                event: Set(serde_json::to_string(e).map_err(Error::internal)?),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
        }
        // The responsible person of open work finds it in their inbox.
        if matches!(state.status, Status::NoticeIssued | Status::Rectifying)
            && let Some(u) = state.responsible_user_id
        {
            inbox::notify(
                &self.txn,
                &[UserId(u)],
                &Note {
                    kind: crate::storage::hazards::HazardNotice::Assigned.into(),
                    hazard: Some(row.id),
                    school: Some(h.school),
                    subject: &h.title,
                    link: format!("/hazards/{}", row.id),
                    params: crate::storage::inbox::NoteParams {
                        deadline: state.deadline,
                        ..Default::default()
                    },
                    dedupe: format!("hazard:{}:assigned", row.id),
                },
            )
            .await?;
        }
        Ok(row.id)
    }
}
