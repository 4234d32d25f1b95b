//! The bureau's drill board: for one period (`2026-11`, `2026-Q4`, `2026-S1`), every school in
//! scope with each drill requirement that applies to it (by its kind and whether it runs
//! buses) — done, missing, open or not yet due, from [`compliance`] — missing first; for a
//! city, the same counted per district.

use super::super::entity::{drill, org};
use super::super::views::OrgRef;
use crate::domain::Code;
use crate::domain::calendar::{Period, PeriodKind, SchoolCalendar};
use crate::domain::drill::{
    ComplianceStatus, DrillConfig, DrillKind, DrillStatus, HeldDrill, RequirementCheck,
    SchoolProfile, compliance,
};
use crate::domain::ids::OrgId;
use crate::domain::org::{OrgLevel, SchoolKind};
use crate::error::{Error, Result};
use crate::storage::Drills;
use crate::storage::read::ReadAll as _;
use chrono::NaiveDate;
use sea_orm::prelude::*;
use sea_orm::sea_query::Query;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

/// Which board.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DrillBoardQuery {
    /// A city, district or school (defaults to the caller's own).
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub org_id: Option<i64>,
    /// `2026-11` (a month), `2026-Q4` (a quarter) or `2026-S1` (a semester; `S1` is the autumn
    /// semester of school year 2026–2027); defaults to the current month. Anything else → 422.
    pub period: Option<String>,
}

/// Schools per overall status.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct DrillCounts {
    pub missing: u64,
    pub open: u64,
    pub not_due: u64,
    pub done: u64,
    pub total: u64,
}

impl DrillCounts {
    fn add(&mut self, s: ComplianceStatus) {
        match s {
            ComplianceStatus::Missing => self.missing += 1,
            ComplianceStatus::Open => self.open += 1,
            ComplianceStatus::NotDue => self.not_due += 1,
            ComplianceStatus::Done => self.done += 1,
        }
        self.total += 1;
    }
}

/// One school on the board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrillBoardRow {
    pub school: OrgRef,
    pub district: Option<OrgRef>,
    pub school_kind: Option<SchoolKind>,
    pub has_buses: bool,
    /// The worst of its requirements: missing, then open, then not yet due, then done.
    pub status: ComplianceStatus,
    pub requirements: Vec<RequirementCheck>,
    /// The last drill it held in the period.
    pub last_held_on: Option<NaiveDate>,
}

/// One district of a city's board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrillBoardDistrict {
    pub org: OrgRef,
    pub counts: DrillCounts,
}

/// The board of one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrillBoard {
    pub org: OrgRef,
    pub period: Period,
    pub prev_period: Period,
    pub next_period: Period,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub today: NaiveDate,
    pub counts: DrillCounts,
    /// Per district, for a city.
    pub districts: Vec<DrillBoardDistrict>,
    /// Every school, missing first (for a city: empty, see `districts`).
    pub schools: Vec<DrillBoardRow>,
}

/// How urgent a status is on the board (missing first).
pub fn rank(s: ComplianceStatus) -> u8 {
    match s {
        ComplianceStatus::Missing => 0,
        ComplianceStatus::Open => 1,
        ComplianceStatus::NotDue => 2,
        ComplianceStatus::Done => 3,
    }
}

/// The worst status of a school's requirements (done when none applies).
pub fn overall(checks: &[RequirementCheck]) -> ComplianceStatus {
    checks
        .iter()
        .map(|c| c.status)
        .min_by_key(|s| rank(*s))
        .unwrap_or(ComplianceStatus::Done)
}

/// What compliance needs of a school row.
pub(in crate::storage) fn profile(m: &org::Model) -> Option<SchoolProfile> {
    Some(SchoolProfile {
        kind: SchoolKind::parse(m.school_kind.as_deref()?)?,
        has_buses: m.has_bus,
    })
}

/// The days whose drills can count in `period`: from the first day of the earliest window to
/// the last day of the latest, over every window length.
pub(in crate::storage) fn span(period: Period, cal: &SchoolCalendar) -> (NaiveDate, NaiveDate) {
    let r = period.range(cal);
    let kinds = PeriodKind::ALL;
    let first = kinds
        .iter()
        .map(|k| Period::of(*k, r.first, cal).first_day(cal))
        .min()
        .unwrap_or(r.first);
    let last = kinds
        .iter()
        .map(|k| Period::of(*k, r.last, cal).last_day(cal))
        .max()
        .unwrap_or(r.last);
    (first, last)
}

/// A period as given, or the current month.
pub fn parse_period(given: Option<&str>, today: NaiveDate, cal: &SchoolCalendar) -> Result<Period> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s
            .parse()
            .map_err(|e: crate::domain::calendar::PeriodError| Error::field("period", e.key)),
        None => Ok(Period::of(PeriodKind::Month, today, cal)),
    }
}

impl Drills<'_> {
    /// The board of `q.period` under `q.org_id`; a city's board lists its schools only when
    /// `every_school` (the export), else its districts' counts.
    pub async fn board(
        &self,
        q: &DrillBoardQuery,
        cfg: &DrillConfig,
        cal: &SchoolCalendar,
        every_school: bool,
    ) -> Result<DrillBoard> {
        let today = crate::storage::risk_points::today();
        let period = parse_period(q.period.as_deref(), today, cal)?;
        let (root, schools) = self.schools_under(q.org_id).await?;
        let range = period.range(cal);
        let (first, last) = span(period, cal);
        let ids: Vec<OrgId> = schools.iter().map(|s| s.id).collect();
        let mut held: HashMap<OrgId, Vec<HeldDrill>> = HashMap::new();
        let mut q = Query::select();
        q.column(drill::Column::SchoolId)
            .column(drill::Column::Kind)
            .column(drill::Column::HeldOn)
            .from(drill::Entity)
            .and_where(drill::Column::SchoolId.is_in(ids))
            .and_where(drill::Column::Status.eq(DrillStatus::Held.as_str()))
            .and_where(drill::Column::HeldOn.gte(first))
            .and_where(drill::Column::HeldOn.lte(last));
        let rows: Vec<(OrgId, String, Option<NaiveDate>)> = self.read.all(&q).await?;
        for (school, kind, day) in rows {
            if let (Some(kind), Some(held_on)) = (DrillKind::parse(&kind), day) {
                held.entry(school)
                    .or_default()
                    .push(HeldDrill { kind, held_on });
            }
        }
        let parents: HashMap<OrgId, org::Model> = org::Entity::find()
            .filter(org::Column::Id.is_in(schools.iter().filter_map(|s| s.parent_id)))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let mut counts = DrillCounts::default();
        let mut per_district: BTreeMap<String, (OrgRef, DrillCounts)> = BTreeMap::new();
        let mut out = Vec::new();
        for s in schools {
            let drills = held.remove(&s.id).unwrap_or_default();
            let checks = match profile(&s) {
                Some(p) => compliance(cfg, p, &drills, period, today, cal),
                None => Vec::new(),
            };
            let status = overall(&checks);
            counts.add(status);
            let district = s.parent_id.and_then(|d| parents.get(&d)).cloned();
            if let Some(d) = &district {
                per_district
                    .entry(d.code.clone())
                    .or_insert_with(|| (OrgRef::from(d.clone()), DrillCounts::default()))
                    .1
                    .add(status);
            }
            out.push(DrillBoardRow {
                school_kind: s.school_kind.as_deref().and_then(SchoolKind::parse),
                has_buses: s.has_bus,
                status,
                requirements: checks,
                last_held_on: drills
                    .iter()
                    .map(|d| d.held_on)
                    .filter(|d| range.contains(*d))
                    .max(),
                district: district.map(OrgRef::from),
                school: s.into(),
            });
        }
        out.sort_by(|a, b| (rank(a.status), &a.school.code).cmp(&(rank(b.status), &b.school.code)));
        let city = root.level == OrgLevel::City.as_str();
        Ok(DrillBoard {
            org: root.into(),
            period,
            prev_period: period.prev(),
            next_period: period.next(),
            first: range.first,
            last: range.last,
            today,
            counts,
            districts: if city {
                per_district
                    .into_values()
                    .map(|(org, counts)| DrillBoardDistrict { org, counts })
                    .collect()
            } else {
                Vec::new()
            },
            schools: if city && !every_school {
                Vec::new()
            } else {
                out
            },
        })
    }
}
