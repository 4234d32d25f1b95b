//! School risk registers: risk points instantiated from the catalogue or added by the school,
//! placed in zones with a responsible person, assessed (every assessment kept), retired.
//! **Invariant:** a point's current grade is its latest stored assessment — the point row only
//! caches it (`current_assessment_id`, `current_grade`).

use super::audit::Event;
use super::entity::{org, person, risk_assessment, risk_catalog_item, risk_point, zone};
use super::orgs::invalid;
use super::risk_catalog::{CatalogItem, Measures, catalog_for};
use super::views::OrgRef;
use crate::config::Risk;
use crate::domain::Code;
use crate::domain::catalog::Entry;
use crate::domain::ids::{
    AssessmentId, CatalogItemId, OrgId, PersonId, RiskPointId, UserId, ZoneId,
};
use crate::domain::org::SchoolKind;
use crate::domain::person::Post;
use crate::domain::risk::{
    Aspect, AssessmentInput, CheckFrequency, Color, ControlLevel, Grade, PointType, evaluate,
};
use crate::error::{Error, FieldError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, IntoActiveModel, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

mod queries;

/// The clock lives in the bottom layer; re-exported here for the register's callers.
pub use crate::clock::{china_date, today};

closed_codes! {
    AuditCode:
    /// What the risk catalogue and the school registers record.
    pub enum RiskAudit {
        CatalogUpdate = "catalog.update",
        CatalogImport = "catalog.import",
        Instantiate = "risk.instantiate",
        Create = "risk.create",
        Update = "risk.update",
        Assess = "risk.assess",
    }
}

/// Filters of a school's risk list.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RiskFilter {
    pub aspect: Option<String>,
    pub grade: Option<String>,
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub zone_id: Option<i64>,
    pub category: Option<String>,
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub responsible_person_id: Option<i64>,
    /// Only points whose re-assessment is due (today or earlier).
    pub due: Option<bool>,
    /// Only points placed in no zone (未落位: not on the four-colour map).
    #[serde(default, deserialize_with = "super::views::empty_as_none")]
    pub unplaced: Option<bool>,
    /// `active` (default), `retired` or `all`.
    pub status: Option<String>,
}

/// A stored assessment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    pub id: AssessmentId,
    pub risk_point_id: RiskPointId,
    pub method: String,
    pub l: Option<f64>,
    pub e: Option<f64>,
    pub c: Option<f64>,
    pub s: Option<f64>,
    pub band_set: Option<String>,
    pub reason: String,
    pub score: Option<f64>,
    pub grade: Grade,
    pub color: Color,
    pub raw_band: String,
    pub assessed_by: Option<UserId>,
    pub assessed_by_name: String,
    pub assessed_at: DateTime<Utc>,
}

impl From<risk_assessment::Model> for Assessment {
    fn from(m: risk_assessment::Model) -> Self {
        let grade = Grade::parse(&m.grade).unwrap_or(Grade::Low);
        Assessment {
            id: m.id,
            risk_point_id: m.risk_point_id,
            method: m.method,
            l: m.l,
            e: m.e,
            c: m.c,
            s: m.s,
            band_set: m.band_set,
            reason: m.reason,
            score: m.score,
            grade,
            color: grade.color(),
            raw_band: m.raw_band,
            assessed_by: m.assessed_by,
            assessed_by_name: m.assessed_by_name,
            assessed_at: m.assessed_at,
        }
    }
}

/// A risk point of a school's register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskPoint {
    pub id: RiskPointId,
    pub school_id: OrgId,
    pub catalog_item_id: Option<CatalogItemId>,
    pub code: String,
    pub aspect: Aspect,
    pub category: String,
    pub point_type: PointType,
    pub name: String,
    pub name_en: String,
    pub hazard_factors: String,
    pub accident_types: String,
    pub measures: Measures,
    pub check_items: String,
    pub check_frequency: CheckFrequency,
    pub control_level: ControlLevel,
    pub control_level_reason: String,
    pub responsible_post: Post,
    pub zone_id: Option<ZoneId>,
    pub zone_name: Option<String>,
    pub responsible_person_id: Option<PersonId>,
    pub responsible_name: Option<String>,
    pub status: String,
    pub retired_reason: String,
    /// The latest assessment's id, score and grade (`null` before any assessment).
    pub assessment_id: Option<AssessmentId>,
    pub score: Option<f64>,
    pub grade: Option<Grade>,
    pub color: Option<Color>,
    pub next_review_on: Option<NaiveDate>,
    pub review_due: bool,
}

/// A point with its assessment history, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskPointDetail {
    #[serde(flatten)]
    pub point: RiskPoint,
    pub assessments: Vec<Assessment>,
    pub school: OrgRef,
}

/// Counts of current grades.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct GradeCounts {
    pub major: u64,
    pub significant: u64,
    pub general: u64,
    pub low: u64,
    pub unassessed: u64,
}

impl GradeCounts {
    pub fn add(&mut self, g: Option<Grade>) {
        self.add_n(g, 1);
    }

    /// Adds `n` points of grade `g`.
    pub fn add_n(&mut self, g: Option<Grade>, n: u64) {
        match g {
            Some(Grade::Major) => self.major += n,
            Some(Grade::Significant) => self.significant += n,
            Some(Grade::General) => self.general += n,
            Some(Grade::Low) => self.low += n,
            None => self.unassessed += n,
        }
    }

    pub fn total(&self) -> u64 {
        self.major + self.significant + self.general + self.low + self.unassessed
    }

    pub fn highest(&self) -> Option<Grade> {
        [
            (self.major, Grade::Major),
            (self.significant, Grade::Significant),
            (self.general, Grade::General),
            (self.low, Grade::Low),
        ]
        .into_iter()
        .find(|(n, _)| *n > 0)
        .map(|(_, g)| g)
    }
}

/// A school's register: the points and the counts by grade.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RiskRegister)]
pub struct Register {
    pub items: Vec<RiskPoint>,
    pub total: u64,
    pub counts: GradeCounts,
    pub review_due: u64,
}

/// Adds a risk point: from a catalogue code, or a school's own point.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRiskPoint {
    /// Take the point from the catalogue; the other fields are then ignored.
    #[serde(default)]
    pub catalog_code: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub aspect: Option<Aspect>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub point_type: Option<PointType>,
    #[serde(default)]
    pub hazard_factors: Option<String>,
    #[serde(default)]
    pub accident_types: Option<String>,
    #[serde(default)]
    pub measures: Option<Measures>,
    #[serde(default)]
    pub check_items: Option<String>,
    #[serde(default)]
    pub check_frequency: Option<CheckFrequency>,
    #[serde(default)]
    pub responsible_post: Option<Post>,
    #[serde(default)]
    pub zone_id: Option<ZoneId>,
    #[serde(default)]
    pub responsible_person_id: Option<PersonId>,
}

/// Changes to a risk point (`PATCH /api/v1/risk-points/{id}`); absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPointPatch {
    pub name: Option<String>,
    pub hazard_factors: Option<String>,
    pub accident_types: Option<String>,
    pub measures: Option<Measures>,
    pub check_items: Option<String>,
    pub check_frequency: Option<CheckFrequency>,
    /// `null` clears the zone.
    #[serde(default, deserialize_with = "double_option")]
    pub zone_id: Option<Option<ZoneId>>,
    #[serde(default, deserialize_with = "double_option")]
    pub responsible_person_id: Option<Option<PersonId>>,
    /// A control level other than the grade's default needs a reason.
    pub control_level: Option<ControlLevel>,
    pub control_level_reason: Option<String>,
    /// Retire the point (kept in history) with a reason; `false` brings it back.
    pub retired: Option<bool>,
    pub retired_reason: Option<String>,
}

fn double_option<'de, T, D>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// What instantiation did.
#[derive(Debug, Clone, Serialize, ToSchema, Default)]
pub struct InstantiateReport {
    /// Points added now.
    pub added: usize,
    /// Applicable catalogue points already in the register.
    pub existing: usize,
    /// Catalogue points that do not apply to this school's kind and features.
    pub not_applicable: usize,
}

pub(crate) fn school_has(o: &org::Model) -> impl Fn(&str) -> bool + '_ {
    move |f: &str| match f {
        "boarding" => o.boarding,
        "bus" => o.has_bus,
        "canteen" => o.has_canteen,
        "lab" => o.has_lab,
        "pool" => o.has_pool,
        "near_water" => o.near_water,
        "dormitory" => o.has_dormitory,
        "boiler" => o.has_boiler,
        "elevator" => o.has_elevator,
        "gas" => o.has_gas,
        _ => false,
    }
}

fn view(
    m: risk_point::Model,
    zones: &HashMap<ZoneId, String>,
    people: &HashMap<PersonId, String>,
    today: NaiveDate,
) -> RiskPoint {
    let grade = m.current_grade.as_deref().and_then(Grade::parse);
    RiskPoint {
        id: m.id,
        school_id: m.school_id,
        catalog_item_id: m.catalog_item_id,
        aspect: Aspect::parse(&m.aspect).unwrap_or(Aspect::Things),
        point_type: PointType::parse(&m.point_type).unwrap_or(PointType::Facility),
        check_frequency: CheckFrequency::parse(&m.check_frequency)
            .unwrap_or(CheckFrequency::Monthly),
        control_level: ControlLevel::parse(&m.control_level).unwrap_or(ControlLevel::Post),
        responsible_post: Post::parse(&m.responsible_post).unwrap_or(Post::SafetyDirector),
        zone_name: m.zone_id.and_then(|z| zones.get(&z).cloned()),
        responsible_name: m
            .responsible_person_id
            .and_then(|p| people.get(&p).cloned()),
        measures: Measures {
            management: m.measures_management,
            emergency: m.measures_emergency,
            engineering: m.measures_engineering,
            training: m.measures_training,
            ppe: m.measures_ppe,
        },
        review_due: m.status == "active" && m.next_review_on.is_some_and(|d| d <= today),
        code: m.code,
        category: m.category,
        name: m.name,
        name_en: m.name_en,
        hazard_factors: m.hazard_factors,
        accident_types: m.accident_types,
        check_items: m.check_items,
        control_level_reason: m.control_level_reason,
        zone_id: m.zone_id,
        responsible_person_id: m.responsible_person_id,
        status: m.status,
        retired_reason: m.retired_reason,
        assessment_id: m.current_assessment_id,
        score: m.current_score,
        grade,
        color: grade.map(Grade::color),
        next_review_on: m.next_review_on,
    }
}

/// A new point row from a catalogue entry.
fn point_from_entry(
    school: OrgId,
    e: &Entry,
    item: Option<CatalogItemId>,
    responsible: Option<PersonId>,
) -> risk_point::ActiveModel {
    let now = Utc::now();
    risk_point::ActiveModel {
        school_id: Set(school),
        catalog_item_id: Set(item),
        zone_id: Set(None),
        responsible_person_id: Set(responsible),
        code: Set(e.code.clone()),
        aspect: Set(e.aspect.as_str().into()),
        category: Set(e.category.clone()),
        category_en: Set(e.category_en.clone()),
        point_type: Set(e.point_type.as_str().into()),
        name: Set(e.name.clone()),
        name_en: Set(e.name_en.clone()),
        hazard_factors: Set(e.hazard_factors.clone()),
        accident_types: Set(e.accident_types.clone()),
        default_l: Set(Some(e.default_lec.0.as_f64())),
        default_e: Set(Some(e.default_lec.1.as_f64())),
        default_c: Set(Some(e.default_lec.2.as_f64())),
        measures_management: Set(e.measures[0].clone()),
        measures_emergency: Set(e.measures[1].clone()),
        measures_engineering: Set(e.measures[2].clone()),
        measures_training: Set(e.measures[3].clone()),
        measures_ppe: Set(e.measures[4].clone()),
        check_items: Set(e.check_items.clone()),
        check_frequency: Set(e.check_frequency.as_str().into()),
        control_level: Set(e.control_level.as_str().into()),
        responsible_post: Set(e.responsible_post.as_str().into()),
        control_level_reason: Set(String::new()),
        status: Set("active".into()),
        retired_reason: Set(String::new()),
        retired_at: Set(None),
        current_assessment_id: Set(None),
        current_grade: Set(None),
        current_score: Set(None),
        next_review_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Stores an assessment and makes it the point's current one; the control level follows the
/// grade unless it was set by hand with a reason.
pub(super) async fn record_assessment(
    txn: &DatabaseTransaction,
    point: risk_point::Model,
    input: &AssessmentInput,
    risk: &Risk,
    who: (Option<UserId>, &str),
    reason: &str,
) -> Result<(risk_point::Model, risk_assessment::Model)> {
    let ev = evaluate(input, &risk.lec_bands).map_err(|e| Error::field(e.field, e.key))?;
    let (l, e, c, s, band_set, direct_reason) = match input {
        AssessmentInput::Lec { l, e, c } => {
            (Some(*l), Some(*e), Some(*c), None, None, String::new())
        }
        AssessmentInput::Ls { l, s, band_set } => (
            Some(f64::from(*l)),
            None,
            None,
            Some(f64::from(*s)),
            Some(band_set.as_str().to_string()),
            String::new(),
        ),
        AssessmentInput::Direct { reason, .. } => {
            (None, None, None, None, None, reason.trim().to_string())
        }
    };
    let a = risk_assessment::ActiveModel {
        risk_point_id: Set(point.id),
        school_id: Set(point.school_id),
        method: Set(ev.method.as_str().into()),
        l: Set(l),
        e: Set(e),
        c: Set(c),
        s: Set(s),
        band_set: Set(band_set),
        reason: Set(if direct_reason.is_empty() {
            reason.to_string()
        } else {
            direct_reason
        }),
        score: Set(ev.score),
        grade: Set(ev.grade.as_str().into()),
        raw_band: Set(ev.raw_band.clone().unwrap_or_default()),
        assessed_by: Set(who.0.filter(|u| u.0 != 0)),
        assessed_by_name: Set(who.1.into()),
        assessed_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let hand_set = !point.control_level_reason.trim().is_empty();
    let mut am = point.into_active_model();
    am.current_assessment_id = Set(Some(a.id));
    am.current_grade = Set(Some(ev.grade.as_str().into()));
    am.current_score = Set(ev.score);
    am.next_review_on = Set(Some(risk.review.next_review(today(), ev.grade)));
    if !hand_set {
        am.control_level = Set(risk.control_levels.level(ev.grade).as_str().into());
    }
    am.updated_at = Set(Utc::now());
    let p = am.update(txn).await?;
    Ok((p, a))
}

/// Instantiates the applicable catalogue points for a school in `txn`; shared by the handle
/// and the demo seeder.
pub(super) async fn instantiate_in(
    txn: &DatabaseTransaction,
    school: &org::Model,
    risk: &Risk,
    who: (Option<UserId>, &str),
) -> Result<InstantiateReport> {
    let Some(catalog) = catalog_for(txn, school).await? else {
        return Err(Error::field("catalog", "err.catalog.none"));
    };
    let kind = school
        .school_kind
        .as_deref()
        .and_then(SchoolKind::parse)
        .unwrap_or(SchoolKind::Primary);
    let items = risk_catalog_item::Entity::find()
        .filter(risk_catalog_item::Column::CatalogId.eq(catalog.id))
        .filter(risk_catalog_item::Column::Retired.eq(false))
        .order_by_asc(risk_catalog_item::Column::Code)
        .all(txn)
        .await?;
    let existing: Vec<risk_point::Model> = risk_point::Entity::find()
        .filter(risk_point::Column::SchoolId.eq(school.id))
        .all(txn)
        .await?;
    let mut holders: HashMap<String, PersonId> = HashMap::new();
    for p in person::Entity::find()
        .filter(person::Column::OrgId.eq(school.id))
        .filter(person::Column::Active.eq(true))
        .order_by_asc(person::Column::Id)
        .all(txn)
        .await?
    {
        holders.entry(p.post.clone()).or_insert(p.id);
    }
    let has = school_has(school);
    let mut report = InstantiateReport::default();
    let reason = "catalogue default";
    for m in items {
        let item: CatalogItem = m.clone().into();
        let Some(entry) = item.entry() else { continue };
        if !entry.applies(kind, &has) {
            report.not_applicable += 1;
            continue;
        }
        if existing
            .iter()
            .any(|p| p.catalog_item_id == Some(m.id) || p.code == m.code)
        {
            report.existing += 1;
            continue;
        }
        let responsible = holders
            .get(entry.responsible_post.as_str())
            .or_else(|| holders.get(Post::SafetyDirector.as_str()))
            .copied();
        let p = point_from_entry(school.id, &entry, Some(m.id), responsible)
            .insert(txn)
            .await?;
        let (l, e, c) = entry.default_lec;
        let input = AssessmentInput::Lec {
            l: l.as_f64(),
            e: e.as_f64(),
            c: c.as_f64(),
        };
        record_assessment(txn, p, &input, risk, who, reason).await?;
        report.added += 1;
    }
    Ok(report)
}

/// The zone type where points of a catalogue category usually are.
fn zone_type_for(category: &str) -> Option<&'static str> {
    Some(match category {
        "食品安全" | "燃气安全" => "canteen",
        "实验室安全" => "lab",
        "宿舍管理" => "dormitory",
        "防溺水" => "water",
        "门卫安保" | "周边交通" => "gate",
        "体育运动" => "playground",
        "校舍安全" | "消防安全" | "防拥挤踩踏" | "幼儿园安全" => "building",
        "用电安全" | "特种设备" => "facility",
        "校车安全" => "parking",
        _ => return None,
    })
}

/// Places unplaced points in the first zone of the type their category suggests.
pub(super) async fn place_by_category(txn: &DatabaseTransaction, school: OrgId) -> Result<()> {
    let zones = zone::Entity::find()
        .filter(zone::Column::SchoolId.eq(school))
        .order_by_asc(zone::Column::Code)
        .all(txn)
        .await?;
    let points = risk_point::Entity::find()
        .filter(risk_point::Column::SchoolId.eq(school))
        .filter(risk_point::Column::ZoneId.is_null())
        .all(txn)
        .await?;
    for p in points {
        let Some(t) = zone_type_for(&p.category) else {
            continue;
        };
        // Prefer a top-level zone of the type (a building rather than one of its floors).
        let z = zones
            .iter()
            .find(|z| z.zone_type == t && z.parent_id.is_none())
            .or_else(|| zones.iter().find(|z| z.zone_type == t));
        if let Some(z) = z {
            let mut am = p.into_active_model();
            am.zone_id = Set(Some(z.id));
            am.update(txn).await?;
        }
    }
    Ok(())
}

/// One child org in a roll-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SummaryRow {
    pub org: OrgRef,
    pub kind: Option<SchoolKind>,
    pub counts: GradeCounts,
    pub total: u64,
    pub highest: Option<Grade>,
    pub review_due: u64,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}
