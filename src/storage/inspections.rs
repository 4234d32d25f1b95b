//! Inspections (排查): semi-monthly self-inspections, post checks, campaign and cross-inspection
//! checks; campaigns and cross-inspection assignments; the bureau's self-inspection board.
//!
//! A checklist has one row per active risk point of the school (its check items are the
//! prompt), grouped by zone and aspect, plus a campaign's own items. Submitting stores the
//! inspection, its items and a hazard for every failed item in one transaction.
//!
//! **Scope exception (cross-inspections, 交叉互查):** an inspector assigned by the bureau to
//! inspect another school reads that school's checklist and submits one inspection for it
//! through the assignment (`cross_row`), although the school is outside the inspector's own
//! scope. The assignment is the only grant: anyone else who cannot see the target school gets
//! `NotFound`, exactly as for any other object out of scope.

use super::audit::Event;
use super::entity::{
    campaign, campaign_school, cross_assignment, hazard, inspection, inspection_item, org,
    risk_point, user, zone,
};
use super::hazards::{NewHazard, Origin, insert_reported};
use super::orgs::invalid;
use super::views::OrgRef;
use crate::domain::Code;
use crate::domain::hazard::Source;
use crate::domain::ids::{
    CampaignId, CrossAssignmentId, HazardId, InspectionId, OrgId, RiskPointId, UserId, ZoneId,
};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::risk::{Aspect, CheckFrequency};
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::storage::Inspections;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::{IntoParams, ToSchema};

mod board;
pub mod period;
mod plans;

pub use board::{Board, BoardCampaign, BoardDistrict, BoardQuery, BoardRow, StatusCounts};
pub use period::{Period, Status};
pub use plans::{
    Campaign, CampaignDetail, CampaignKind, CampaignProgress, CrossAssignment, CrossPair,
    NewCampaign, NewCrossRound,
};

crate::code_enum!(
    /// What kind of inspection.
    Kind, "inspection_kind", {
        HalfMonth = "half_month",
        Daily = "daily",
        Weekly = "weekly",
        Campaign = "campaign",
        Cross = "cross",
    }
);

crate::code_enum!(
    /// The result of one checklist row.
    ItemResult, "inspection_result", {
        Pass = "pass",
        Fail = "fail",
        Na = "na",
    }
);

/// Longest note of an inspection or an item.
pub const MAX_NOTE: usize = 2000;
/// Most rows one inspection may carry.
pub const MAX_ITEMS: usize = 1000;

pub use super::risk_points::china_date;

closed_codes! {
    NoticeKind:
    /// What campaigns and cross-inspections tell people.
    pub enum InspectionNotice {
        Campaign = "campaign",
        CrossAssigned = "cross_assigned",
    }
}

closed_codes! {
    AuditCode:
    /// What inspections, campaigns and cross-inspections record.
    pub enum InspectionAudit {
        Submit = "inspection.submit",
        CampaignCreate = "campaign.create",
        CrossAssign = "cross.assign",
    }
}

/// Which checklist to build.
#[derive(Debug, Clone, Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct ChecklistQuery {
    /// `half_month` (default), `daily`, `weekly`, `campaign` (with `campaign_id`) or `cross`.
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub campaign_id: Option<i64>,
    /// Only this point (the risk point's QR check).
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub risk_point_id: Option<i64>,
    /// Only points whose responsible post is this (a guard's patrol, a canteen check).
    pub post: Option<String>,
}

/// One row of a checklist: a risk point with its check items as the prompt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChecklistRow {
    pub risk_point_id: RiskPointId,
    pub code: String,
    pub name: String,
    pub aspect: Aspect,
    pub category: String,
    pub zone_id: Option<ZoneId>,
    pub zone_name: Option<String>,
    pub check_items: String,
    pub check_frequency: CheckFrequency,
    pub responsible_post: String,
}

/// The rows to check, in zone, aspect, code order, and a campaign's own items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Checklist {
    pub school: OrgRef,
    pub kind: Kind,
    /// The current half-month for `half_month`.
    pub period: Option<String>,
    pub campaign_id: Option<CampaignId>,
    pub campaign_name: Option<String>,
    pub cross_assignment_id: Option<CrossAssignmentId>,
    pub items: Vec<ChecklistRow>,
    /// A campaign's own check items (submitted with `label`).
    pub extra_items: Vec<String>,
}

/// One checked row of a submission.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// A risk point of the school, or …
    #[serde(default)]
    pub risk_point_id: Option<RiskPointId>,
    /// … a free item (a campaign's own item, or something noticed on the way).
    #[serde(default)]
    pub label: Option<String>,
    pub result: ItemResult,
    /// Required when the result is `fail` (it becomes the hazard's description).
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub photo_ids: Vec<i64>,
}

/// A submitted inspection (`POST /api/v1/schools/{id}/inspections`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    pub kind: Kind,
    /// The half-month (`2026-11-H2`) of a `half_month` self-inspection; defaults to the
    /// half-month of `inspected_on`.
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
    /// Defaults to today; never in the future.
    #[serde(default)]
    pub inspected_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: String,
    pub items: Vec<NewItem>,
}

/// An inspection, short form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Inspection {
    pub id: InspectionId,
    pub school: OrgRef,
    pub kind: Kind,
    pub period: Option<String>,
    pub campaign_id: Option<CampaignId>,
    pub campaign_name: Option<String>,
    pub cross_assignment_id: Option<CrossAssignmentId>,
    pub inspector_user_id: Option<UserId>,
    pub inspector_name: String,
    pub inspected_on: NaiveDate,
    pub submitted_at: DateTime<Utc>,
    pub note: String,
    pub total: i32,
    pub passed: i32,
    pub failed: i32,
    pub not_applicable: i32,
    /// For a half-month self-inspection: `on_time` or `late`.
    pub timeliness: Option<Status>,
}

/// One checked row as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionItem {
    pub seq: i32,
    pub risk_point_id: Option<RiskPointId>,
    pub zone_id: Option<ZoneId>,
    pub zone_name: Option<String>,
    pub label: String,
    pub detail: String,
    pub result: ItemResult,
    pub note: String,
    pub photo_ids: Vec<i64>,
    /// The hazard opened for a failed row.
    pub hazard_id: Option<HazardId>,
    pub hazard_status: Option<String>,
}

/// An inspection with its rows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionDetail {
    #[serde(flatten)]
    pub inspection: Inspection,
    pub items: Vec<InspectionItem>,
}

/// Filters of inspection lists and the export.
#[derive(Debug, Clone, Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct InspectionFilter {
    /// The district, city or school (defaults to the caller's own).
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub org_id: Option<i64>,
    pub kind: Option<String>,
    /// Inspected on or after (YYYY-MM-DD).
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub from: Option<NaiveDate>,
    /// Inspected on or before (YYYY-MM-DD).
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub to: Option<NaiveDate>,
    /// The page, from 1 (newest first); a page past the end is empty. Without `page` and
    /// `per_page` the list is the newest 500, or every inspection between `from` and `to`.
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub page: Option<u64>,
    /// Inspections a page: 1 to 200 (default 50 when `page` is given); out of range → 422.
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub per_page: Option<u64>,
}

/// The check frequencies of the points on the half-month self-inspection: everything checked
/// monthly or more often. Points checked each semester or year belong to the term and yearly
/// sweeps (domain.md §2.8).
pub(crate) const HALF_MONTH_FREQUENCIES: &[&str] = &["daily", "weekly", "half_month", "monthly"];

/// Campaign extras stored in `campaigns.items`: its own check items and the categories of
/// risk points it covers (none: all).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct CampaignExtra {
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
}

impl CampaignExtra {
    pub(crate) fn parse(s: &str) -> CampaignExtra {
        if let Ok(items) = serde_json::from_str::<Vec<String>>(s) {
            return CampaignExtra {
                items,
                categories: Vec::new(),
            };
        }
        serde_json::from_str(s).unwrap_or_default()
    }
}

fn parse_kind(s: Option<&str>) -> Result<Kind> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Kind::HalfMonth),
        Some(k) => Kind::parse(k).ok_or_else(|| Error::field("kind", "err.inspection.kind")),
    }
}

/// The hazard source of a failed item.
fn source_for(kind: Kind, actor_role: Role) -> Source {
    if matches!(
        actor_role,
        Role::CityOfficer | Role::BureauOfficer | Role::BureauInspector | Role::BureauLeader
    ) && kind != Kind::Cross
    {
        return Source::Supervision;
    }
    match kind {
        Kind::HalfMonth => Source::HalfMonthSelfInspection,
        Kind::Daily | Kind::Weekly => Source::Daily,
        Kind::Campaign => Source::Campaign,
        Kind::Cross => Source::CrossInspection,
    }
}

async fn zone_names(conn: &impl ConnectionTrait, school: OrgId) -> Result<HashMap<ZoneId, String>> {
    Ok(zone::Entity::find()
        .filter(zone::Column::SchoolId.eq(school))
        .all(conn)
        .await?
        .into_iter()
        .map(|z| (z.id, z.name))
        .collect())
}

/// Builds a checklist for a school (the caller has established access to it).
async fn build_checklist(
    conn: &impl ConnectionTrait,
    school: org::Model,
    kind: Kind,
    campaign: Option<&campaign::Model>,
    point: Option<RiskPointId>,
    post: Option<&str>,
    today: NaiveDate,
) -> Result<Checklist> {
    let mut q = risk_point::Entity::find()
        .filter(risk_point::Column::SchoolId.eq(school.id))
        .filter(risk_point::Column::Status.eq("active"));
    let extra = campaign
        .map(|c| CampaignExtra::parse(&c.items))
        .unwrap_or_default();
    if let Some(p) = point {
        q = q.filter(risk_point::Column::Id.eq(p));
    } else {
        match kind {
            Kind::Daily => {
                q = q.filter(risk_point::Column::CheckFrequency.eq(CheckFrequency::Daily.as_str()))
            }
            Kind::Weekly => {
                q = q.filter(risk_point::Column::CheckFrequency.eq(CheckFrequency::Weekly.as_str()))
            }
            Kind::HalfMonth => {
                q = q.filter(
                    risk_point::Column::CheckFrequency
                        .is_in(HALF_MONTH_FREQUENCIES.iter().copied()),
                )
            }
            Kind::Campaign if !extra.categories.is_empty() => {
                q = q.filter(risk_point::Column::Category.is_in(extra.categories.clone()))
            }
            _ => {}
        }
        if let Some(post) = post.map(str::trim).filter(|s| !s.is_empty()) {
            q = q.filter(risk_point::Column::ResponsiblePost.eq(post));
        }
    }
    let rows = q.all(conn).await?;
    if point.is_some() && rows.is_empty() {
        return Err(Error::field(
            "risk_point_id",
            "err.inspection.point_not_here",
        ));
    }
    let zones = zone_names(conn, school.id).await?;
    let mut items: Vec<ChecklistRow> = rows
        .into_iter()
        .map(|m| ChecklistRow {
            risk_point_id: m.id,
            zone_name: m.zone_id.and_then(|z| zones.get(&z).cloned()),
            zone_id: m.zone_id,
            aspect: Aspect::parse(&m.aspect).unwrap_or(Aspect::Things),
            check_frequency: CheckFrequency::parse(&m.check_frequency)
                .unwrap_or(CheckFrequency::Monthly),
            code: m.code,
            name: m.name,
            category: m.category,
            check_items: m.check_items,
            responsible_post: m.responsible_post,
        })
        .collect();
    items.sort_by(|a, b| {
        (a.zone_name.is_none(), &a.zone_name, a.aspect, &a.code).cmp(&(
            b.zone_name.is_none(),
            &b.zone_name,
            b.aspect,
            &b.code,
        ))
    });
    Ok(Checklist {
        school: school.into(),
        kind,
        period: (kind == Kind::HalfMonth).then(|| Period::of(today).to_string()),
        campaign_id: campaign.map(|c| c.id),
        campaign_name: campaign.map(|c| c.name.clone()),
        cross_assignment_id: None,
        items,
        extra_items: extra.items,
    })
}

/// Validates and stores an inspection of `school` in `txn` with its items and the hazards of
/// failed items. The caller has found the school (in scope, or through a cross assignment),
/// checked the role, and commits with its audit event.
async fn store_inspection(
    txn: &DatabaseTransaction,
    actor: &super::Actor,
    school: OrgId,
    input: &NewInspection,
    cross: Option<CrossAssignmentId>,
    today: NaiveDate,
) -> Result<inspection::Model> {
    let mut errs = Vec::new();
    let inspected_on = input.inspected_on.unwrap_or(today);
    if inspected_on > today {
        errs.push(FieldError::new("inspected_on", "err.inspection.future"));
    }
    if input.note.chars().count() > MAX_NOTE {
        errs.push(FieldError::new("note", "err.inspection.too_long"));
    }
    // The kind decides the period and the campaign.
    let mut period = None;
    let mut campaign = None;
    match input.kind {
        Kind::HalfMonth => {
            let p = match input
                .period
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(s) => Period::parse(s),
                None => Some(Period::of(inspected_on)),
            };
            match p {
                Some(p) if p.starts_on() > today => {
                    errs.push(FieldError::new("period", "err.inspection.period_future"))
                }
                Some(p) => period = Some(p.to_string()),
                None => errs.push(FieldError::new("period", "err.inspection.period")),
            }
        }
        Kind::Campaign => match input.campaign_id {
            None => errs.push(FieldError::new("campaign_id", "err.required")),
            Some(c) => {
                let targeted = campaign_school::Entity::find()
                    .filter(campaign_school::Column::CampaignId.eq(c))
                    .filter(campaign_school::Column::SchoolId.eq(school))
                    .one(txn)
                    .await?
                    .is_some();
                match campaign::Entity::find_by_id(c).one(txn).await? {
                    Some(m) if targeted => campaign = Some(m),
                    _ => errs.push(FieldError::new(
                        "campaign_id",
                        "err.inspection.campaign_not_here",
                    )),
                }
            }
        },
        Kind::Cross if cross.is_none() => errs.push(FieldError::new(
            "kind",
            "err.inspection.cross_through_assignment",
        )),
        _ => {}
    }
    if input.kind != Kind::HalfMonth
        && input
            .period
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
    {
        errs.push(FieldError::new(
            "period",
            "err.inspection.period_half_month_only",
        ));
    }
    if input.kind != Kind::Campaign && input.campaign_id.is_some() {
        errs.push(FieldError::new(
            "campaign_id",
            "err.inspection.campaign_kind_only",
        ));
    }
    if input.items.is_empty() {
        errs.push(FieldError::new("items", "err.inspection.no_items"));
    } else if input.items.len() > MAX_ITEMS {
        errs.push(FieldError::new("items", "err.inspection.too_many_items"));
    }
    // The school's active points that the items name.
    let ids: Vec<RiskPointId> = input.items.iter().filter_map(|i| i.risk_point_id).collect();
    let points: HashMap<RiskPointId, risk_point::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        risk_point::Entity::find()
            .filter(risk_point::Column::Id.is_in(ids.iter().copied()))
            .filter(risk_point::Column::SchoolId.eq(school))
            .filter(risk_point::Column::Status.eq("active"))
            .all(txn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    let mut seen = HashSet::new();
    for (i, it) in input.items.iter().enumerate() {
        let at = |f: &str| format!("items[{i}].{f}");
        match (&it.risk_point_id, &it.label) {
            (Some(p), None) => {
                if !points.contains_key(p) {
                    errs.push(FieldError::new(
                        at("risk_point_id"),
                        "err.inspection.point_not_here",
                    ));
                } else if !seen.insert(*p) {
                    errs.push(FieldError::new(
                        at("risk_point_id"),
                        "err.inspection.point_twice",
                    ));
                }
            }
            (None, Some(l)) => {
                let n = l.trim().chars().count();
                if n == 0 {
                    errs.push(FieldError::new(at("label"), "err.required"));
                } else if n > 200 {
                    errs.push(FieldError::new(at("label"), "err.too_long_200"));
                }
            }
            _ => errs.push(FieldError::new(
                at("risk_point_id"),
                "err.inspection.point_or_label",
            )),
        }
        if it.result == ItemResult::Fail && it.note.trim().is_empty() {
            errs.push(FieldError::new(
                at("note"),
                "err.inspection.fail_needs_note",
            ));
        }
        if it.note.chars().count() > MAX_NOTE {
            errs.push(FieldError::new(at("note"), "err.inspection.too_long"));
        }
        errs.extend(
            super::files::check_photos(txn, school, &it.photo_ids, &at("photo_ids")).await?,
        );
    }
    if !errs.is_empty() {
        return Err(invalid(errs));
    }
    let count = |r: ItemResult| input.items.iter().filter(|i| i.result == r).count() as i32;
    let row = inspection::ActiveModel {
        school_id: Set(school),
        kind: Set(input.kind.as_str().into()),
        period: Set(period),
        campaign_id: Set(campaign.as_ref().map(|c| c.id)),
        cross_assignment_id: Set(cross),
        inspector_user_id: Set(Some(actor.user_id).filter(|u| u.0 != 0)),
        inspector_name: Set(actor.display_name.clone()),
        inspected_on: Set(inspected_on),
        submitted_at: Set(Utc::now()),
        note: Set(input.note.trim().to_string()),
        total: Set(input.items.len() as i32),
        passed: Set(count(ItemResult::Pass)),
        failed: Set(count(ItemResult::Fail)),
        not_applicable: Set(count(ItemResult::Na)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let source = source_for(input.kind, actor.role);
    let origin = Origin {
        inspection: Some(row.id),
        campaign: campaign.as_ref().map(|c| c.id),
    };
    for (i, it) in input.items.iter().enumerate() {
        let point = it.risk_point_id.and_then(|p| points.get(&p));
        let label = match (point, &it.label) {
            (Some(p), _) => p.name.clone(),
            (None, Some(l)) => l.trim().to_string(),
            (None, None) => String::new(),
        };
        let hazard_id = if it.result == ItemResult::Fail {
            let new = NewHazard {
                title: label.clone(),
                description: it.note.trim().to_string(),
                aspect: point
                    .and_then(|p| Aspect::parse(&p.aspect))
                    .unwrap_or(Aspect::Management),
                category: point.map(|p| p.category.clone()).unwrap_or_else(|| {
                    campaign
                        .as_ref()
                        .map(|c| c.name.chars().take(64).collect())
                        .unwrap_or_else(|| label.chars().take(64).collect())
                }),
                zone_id: point.and_then(|p| p.zone_id),
                risk_point_id: point.map(|p| p.id),
                source: Some(source),
                photo_ids: it.photo_ids.clone(),
            };
            Some(insert_reported(txn, actor, school, &new, origin).await?.id)
        } else {
            None
        };
        inspection_item::ActiveModel {
            inspection_id: Set(row.id),
            seq: Set(i as i32 + 1),
            risk_point_id: Set(point.map(|p| p.id)),
            zone_id: Set(point.and_then(|p| p.zone_id)),
            label: Set(label),
            detail: Set(point.map(|p| p.check_items.clone()).unwrap_or_default()),
            result: Set(it.result.as_str().into()),
            note: Set(it.note.trim().to_string()),
            photo_ids: Set(serde_json::to_string(&it.photo_ids).map_err(Error::internal)?),
            hazard_id: Set(hazard_id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(row)
}

impl Inspections<'_> {
    /// The schools in scope under `org` (the caller's own node when `None`), and the node.
    /// Checks the role first when no node is named (system roles have none).
    async fn schools_under(&self, org: Option<i64>) -> Result<(org::Model, Vec<org::Model>)> {
        let root = match org {
            Some(id) => {
                let m = self.org_row(OrgId(id), &self.read).await?;
                self.permit()?;
                m
            }
            None => {
                self.permit()?;
                let id = self.actor.org_id.ok_or(Error::NotFound)?;
                self.org_row(id, &self.read).await?
            }
        };
        let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
        let schools = org::Entity::find()
            .filter(self.org_scope())
            .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        Ok((root, schools))
    }

    /// An inspection the actor may see: its school in scope, or the actor is the inspector of
    /// the cross assignment it was submitted through.
    async fn inspection_row(&self, id: InspectionId) -> Result<inspection::Model> {
        let m = inspection::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        // In scope through its school — or the assigned cross-inspector's own record.
        if self.school(m.school_id, &self.read).await.is_ok()
            || (m.cross_assignment_id.is_some() && m.inspector_user_id == Some(self.actor.user_id))
        {
            return Ok(m);
        }
        Err(Error::NotFound)
    }

    async fn inspection_views(
        &self,
        rows: Vec<inspection::Model>,
        grace: u32,
    ) -> Result<Vec<Inspection>> {
        let schools: HashSet<OrgId> = rows.iter().map(|r| r.school_id).collect();
        let orgs: HashMap<OrgId, OrgRef> = org::Entity::find()
            .filter(org::Column::Id.is_in(schools))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|m| (m.id, OrgRef::from(m)))
            .collect();
        let cids: HashSet<CampaignId> = rows.iter().filter_map(|r| r.campaign_id).collect();
        let campaigns: HashMap<CampaignId, String> = if cids.is_empty() {
            HashMap::new()
        } else {
            campaign::Entity::find()
                .filter(campaign::Column::Id.is_in(cids))
                .read_all(&self.read)
                .await?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect()
        };
        Ok(rows
            .into_iter()
            .filter_map(|m| {
                let school = orgs.get(&m.school_id)?.clone();
                let timeliness = m.period.as_deref().and_then(Period::parse).map(|p| {
                    p.status(
                        Some(china_date(m.submitted_at)),
                        china_date(m.submitted_at),
                        grace,
                    )
                });
                Some(Inspection {
                    id: m.id,
                    school,
                    kind: Kind::parse(&m.kind).unwrap_or(Kind::Daily),
                    period: m.period,
                    campaign_name: m.campaign_id.and_then(|c| campaigns.get(&c).cloned()),
                    campaign_id: m.campaign_id,
                    cross_assignment_id: m.cross_assignment_id,
                    inspector_user_id: m.inspector_user_id,
                    inspector_name: m.inspector_name,
                    inspected_on: m.inspected_on,
                    submitted_at: m.submitted_at,
                    note: m.note,
                    total: m.total,
                    passed: m.passed,
                    failed: m.failed,
                    not_applicable: m.not_applicable,
                    timeliness,
                })
            })
            .collect())
    }

    /// A school's checklist for an inspection of `q.kind`.
    pub async fn checklist(&self, school: OrgId, q: &ChecklistQuery) -> Result<Checklist> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        let kind = parse_kind(q.kind.as_deref())?;
        let campaign = match (kind, q.campaign_id) {
            (Kind::Campaign, Some(c)) => {
                Some(self.campaign_for_school(CampaignId(c), school).await?)
            }
            (Kind::Campaign, None) => return Err(Error::field("campaign_id", "err.required")),
            _ => None,
        };
        build_checklist(
            &self.conn,
            s,
            kind,
            campaign.as_ref(),
            q.risk_point_id.map(RiskPointId),
            q.post.as_deref(),
            super::risk_points::today(),
        )
        .await
    }

    /// A campaign that targets `school` (else a field error).
    async fn campaign_for_school(&self, c: CampaignId, school: OrgId) -> Result<campaign::Model> {
        let targeted = campaign_school::Entity::find()
            .filter(campaign_school::Column::CampaignId.eq(c))
            .filter(campaign_school::Column::SchoolId.eq(school))
            .read_one(&self.read)
            .await?
            .is_some();
        match campaign::Entity::find_by_id(c).read_one(&self.read).await? {
            Some(m) if targeted => Ok(m),
            _ => Err(Error::field(
                "campaign_id",
                "err.inspection.campaign_not_here",
            )),
        }
    }

    /// Submits an inspection of a school in scope: all of it, or nothing.
    pub async fn submit(
        &self,
        school: OrgId,
        input: &NewInspection,
        grace: u32,
    ) -> Result<InspectionDetail> {
        let (mut tx, school) = self
            .begin_for_school(
                Event::new(InspectionAudit::Submit, "inspection", ""),
                school,
            )
            .await?;
        match store_inspection(
            &tx.txn,
            &self.actor,
            school.org_id(),
            input,
            None,
            super::risk_points::today(),
        )
        .await
        {
            Ok(m) => {
                tx.event.object_id = m.id.0.to_string();
                tx.event.detail = format!(
                    "school={} kind={} total={} failed={}",
                    school.org_id().0,
                    m.kind,
                    m.total,
                    m.failed
                );
                tx.commit().await?;
                self.detail_of(m, grace).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    async fn detail_of(&self, m: inspection::Model, grace: u32) -> Result<InspectionDetail> {
        let school = m.school_id;
        let id = m.id;
        let inspection = self
            .inspection_views(vec![m], grace)
            .await?
            .pop()
            .ok_or(Error::NotFound)?;
        let rows = inspection_item::Entity::find()
            .filter(inspection_item::Column::InspectionId.eq(id))
            .order_by_asc(inspection_item::Column::Seq)
            .read_all(&self.read)
            .await?;
        let hids: Vec<HazardId> = rows.iter().filter_map(|r| r.hazard_id).collect();
        let statuses: HashMap<HazardId, String> = if hids.is_empty() {
            HashMap::new()
        } else {
            hazard::Entity::find()
                .filter(hazard::Column::Id.is_in(hids))
                .read_all(&self.read)
                .await?
                .into_iter()
                .map(|h| (h.id, h.status))
                .collect()
        };
        let zones = zone_names(&self.conn, school).await?;
        let items = rows
            .into_iter()
            .map(|r| InspectionItem {
                seq: r.seq,
                risk_point_id: r.risk_point_id,
                zone_name: r.zone_id.and_then(|z| zones.get(&z).cloned()),
                zone_id: r.zone_id,
                label: r.label,
                detail: r.detail,
                result: ItemResult::parse(&r.result).unwrap_or(ItemResult::Na),
                note: r.note,
                photo_ids: serde_json::from_str(&r.photo_ids).unwrap_or_default(),
                hazard_status: r.hazard_id.and_then(|h| statuses.get(&h).cloned()),
                hazard_id: r.hazard_id,
            })
            .collect();
        Ok(InspectionDetail { inspection, items })
    }

    pub async fn get(&self, id: InspectionId, grace: u32) -> Result<InspectionDetail> {
        let m = self.inspection_row(id).await?;
        self.permit()?;
        self.detail_of(m, grace).await
    }

    /// Inspections of the schools under `f.org_id` (or of one school), newest first (at most
    /// 500 unless a date range is given).
    pub async fn list(&self, f: &InspectionFilter, grace: u32) -> Result<Vec<Inspection>> {
        let (_, schools) = self.schools_under(f.org_id).await?;
        let ids: Vec<OrgId> = schools.iter().map(|s| s.id).collect();
        let mut q = inspection::Entity::find().filter(inspection::Column::SchoolId.is_in(ids));
        if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
            let k = Kind::parse(k).ok_or_else(|| Error::field("kind", "err.inspection.kind"))?;
            q = q.filter(inspection::Column::Kind.eq(k.as_str()));
        }
        if let Some(d) = f.from {
            q = q.filter(inspection::Column::InspectedOn.gte(d));
        }
        if let Some(d) = f.to {
            q = q.filter(inspection::Column::InspectedOn.lte(d));
        }
        let mut q = q
            .order_by_desc(inspection::Column::SubmittedAt)
            .order_by_desc(inspection::Column::Id);
        if f.page.is_some() || f.per_page.is_some() {
            let p = super::views::Paging::new(f.page, f.per_page, super::views::PAGE_SIZE)?;
            let offset = (p.page - 1)
                .checked_mul(p.per_page)
                .filter(|o| i64::try_from(*o).is_ok());
            let Some(offset) = offset else {
                return Ok(Vec::new());
            };
            q = sea_orm::QuerySelect::limit(sea_orm::QuerySelect::offset(q, offset), p.per_page);
        } else if f.from.is_none() && f.to.is_none() {
            q = sea_orm::QuerySelect::limit(q, 500);
        }
        let rows = q.read_all(&self.read).await?;
        self.inspection_views(rows, grace).await
    }

    /// A school's inspections (`GET /api/v1/schools/{id}/inspections`).
    pub async fn for_school(
        &self,
        school: OrgId,
        f: &InspectionFilter,
        grace: u32,
    ) -> Result<Vec<Inspection>> {
        self.school_row(school, &self.read).await?;
        let f = InspectionFilter {
            org_id: Some(school.0),
            ..f.clone()
        };
        self.inspections().list(&f, grace).await
    }

    /// The names of users by id (inspectors of cross assignments).
    async fn user_names(
        &self,
        ids: impl IntoIterator<Item = UserId>,
    ) -> Result<BTreeMap<UserId, String>> {
        let ids: Vec<UserId> = ids.into_iter().collect();
        Ok(user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect())
    }
}

/// A person who may be assigned as a cross-inspector: a school user in scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectorChoice {
    pub user_id: UserId,
    pub name: String,
    pub school: OrgRef,
}

impl Inspections<'_> {
    /// The schools under the caller's own node (for the campaign and round forms).
    pub async fn plan_schools(&self) -> Result<Vec<OrgRef>> {
        let (_, schools) = self.schools_under(None).await?;
        Ok(schools.into_iter().map(OrgRef::from).collect())
    }

    /// School users under the caller's node who may inspect (for the round form).
    pub async fn plan_inspectors(&self) -> Result<Vec<InspectorChoice>> {
        let (_, schools) = self.schools_under(None).await?;
        let by_id: HashMap<OrgId, OrgRef> = schools
            .into_iter()
            .map(|s| (s.id, OrgRef::from(s)))
            .collect();
        let users = user::Entity::find()
            .filter(user::Column::OrgId.is_in(by_id.keys().copied()))
            .filter(user::Column::Disabled.eq(false))
            .order_by_asc(user::Column::OrgId)
            .order_by_asc(user::Column::Username)
            .read_all(&self.read)
            .await?;
        Ok(users
            .into_iter()
            .filter(|u| {
                Role::parse(&u.role).is_some_and(|r| {
                    crate::policy::allows(r, crate::policy::Action::InspectionSubmit)
                })
            })
            .filter_map(|u| {
                Some(InspectorChoice {
                    school: by_id.get(&u.org_id?)?.clone(),
                    user_id: u.id,
                    name: u.display_name,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_extra_reads_both_shapes() {
        let a = CampaignExtra::parse(r#"["消防通道畅通"]"#);
        assert_eq!(a.items, vec!["消防通道畅通"]);
        let b = CampaignExtra::parse(r#"{"items":["a"],"categories":["消防安全"]}"#);
        assert_eq!(b.categories, vec!["消防安全"]);
        assert!(CampaignExtra::parse("junk").items.is_empty());
    }

    #[test]
    fn sources_follow_kind_and_role() {
        assert_eq!(
            source_for(Kind::HalfMonth, Role::SafetyDirector),
            Source::HalfMonthSelfInspection
        );
        assert_eq!(source_for(Kind::Daily, Role::Guard), Source::Daily);
        assert_eq!(
            source_for(Kind::HalfMonth, Role::BureauInspector),
            Source::Supervision
        );
        assert_eq!(
            source_for(Kind::Cross, Role::Staff),
            Source::CrossInspection
        );
        assert_eq!(
            source_for(Kind::Campaign, Role::Principal),
            Source::Campaign
        );
    }
}
