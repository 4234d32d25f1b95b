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
mod checklist;
mod cross;
mod drafts;
pub mod period;
mod plans;
mod submit;

pub use board::{Board, BoardCampaign, BoardDistrict, BoardQuery, BoardRow, StatusCounts};
pub use checklist::{Checklist, ChecklistQuery, ChecklistRow};
use checklist::{build_checklist, zone_names};
pub use cross::{CrossAssignment, CrossPair, NewCrossRound};
pub use drafts::{Draft, DraftAnswer, DraftChange};
pub use period::{Period, Status};
pub use plans::{Campaign, CampaignDetail, CampaignKind, CampaignProgress, NewCampaign};
pub use submit::{NewInspection, NewItem};
use submit::{parse_kind, store_inspection};

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
        DraftSave = "inspection.draft_save",
        CampaignCreate = "campaign.create",
        CrossAssign = "cross.assign",
    }
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

impl Inspections<'_> {
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

    /// The inspections `f` selects (its page aside).
    async fn filtered(&self, f: &InspectionFilter) -> Result<sea_orm::Select<inspection::Entity>> {
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
        Ok(q)
    }

    /// How many inspections `f` selects over all its pages (the list page's total).
    pub async fn count(&self, f: &InspectionFilter) -> Result<u64> {
        let q = self.filtered(f).await?;
        q.read_count(&self.read).await
    }

    /// Inspections of the schools under `f.org_id` (or of one school), newest first (at most
    /// 500 unless a date range is given).
    pub async fn list(&self, f: &InspectionFilter, grace: u32) -> Result<Vec<Inspection>> {
        let mut q = self
            .filtered(f)
            .await?
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
    use super::submit::source_for;
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
