//! The risk catalogue (the shipped one, loaded into each district through the platform's own
//! import) and each school's register: the applicable points, each with the assessment of its
//! catalogue default (the point's current one), placed in the zone its category suggests.

use super::orgs::{Site, World};
use super::{Args, Loader, T, at, rng_for};
use crate::domain::Code;
use crate::domain::catalog::Entry;
use crate::domain::risk::{AssessmentInput, evaluate};
use crate::error::{Error, Result};
use crate::storage::bulk::Bulk;
use crate::storage::seed::Unscoped;
use chrono::{Duration, NaiveDate};
use rand::Rng;
use std::collections::HashMap;

pub(crate) const POINT_COLUMNS: &[&str] = &[
    "id",
    "school_id",
    "catalog_item_id",
    "zone_id",
    "responsible_person_id",
    "code",
    "aspect",
    "category",
    "category_en",
    "point_type",
    "name",
    "name_en",
    "hazard_factors",
    "accident_types",
    "default_l",
    "default_e",
    "default_c",
    "measures_management",
    "measures_emergency",
    "measures_engineering",
    "measures_training",
    "measures_ppe",
    "check_items",
    "check_frequency",
    "control_level",
    "responsible_post",
    "control_level_reason",
    "status",
    "retired_reason",
    "current_assessment_id",
    "current_grade",
    "current_score",
    "next_review_on",
    "created_at",
    "updated_at",
];
pub(crate) const ASSESSMENT_COLUMNS: &[&str] = &[
    "id",
    "risk_point_id",
    "school_id",
    "method",
    "l",
    "e",
    "c",
    "s",
    "band_set",
    "reason",
    "score",
    "grade",
    "raw_band",
    "assessed_by",
    "assessed_by_name",
    "assessed_at",
];

/// The catalogue as loaded: its entries and, per district, each item's id by code.
pub(crate) struct Catalog {
    entries: Vec<Entry>,
    items: Vec<HashMap<String, i64>>,
}

/// Loads the shipped catalogue into every district (the platform's import, a few hundred rows
/// per district).
pub(crate) async fn load_catalogs(u: &Unscoped, bulk: &Bulk, world: &World) -> Result<Catalog> {
    let (entries, errors) = crate::domain::catalog::parse_csv(crate::domain::catalog::DEFAULT_CSV)
        .map_err(|e| Error::internal(anyhow::anyhow!("catalogue: {e}")))?;
    if !errors.is_empty() {
        return Err(Error::internal(anyhow::anyhow!(
            "catalogue rows: {errors:?}"
        )));
    }
    let mut items = Vec::new();
    for d in &world.districts {
        u.load_catalog_file(&d.code, &entries).await?;
        let pairs = bulk
            .pairs(&format!(
                "SELECT i.id, i.code FROM risk_catalog_items i \
                 JOIN risk_catalogs c ON c.id = i.catalog_id WHERE c.org_id = {}",
                d.id
            ))
            .await?;
        items.push(pairs.into_iter().map(|(id, code)| (code, id)).collect());
    }
    Ok(Catalog { entries, items })
}

/// An entry with what every school's point of it shares.
pub(crate) struct Prepared<'a> {
    entry: &'a Entry,
    method: &'static str,
    score: Option<f64>,
    grade: crate::domain::risk::Grade,
    raw_band: String,
    control_level: &'static str,
    review_days: i64,
    half_month: bool,
    zone_type: Option<&'static str>,
}

pub(crate) struct Entries<'a> {
    catalog: &'a Catalog,
    prepared: Vec<Prepared<'a>>,
}

impl<'a> Entries<'a> {
    pub fn new(
        catalog: &'a Catalog,
        risk: &crate::config::Risk,
        today: NaiveDate,
    ) -> Result<Entries<'a>> {
        let mut prepared = Vec::new();
        for e in &catalog.entries {
            let (l, ee, c) = e.default_lec;
            let input = AssessmentInput::Lec {
                l: l.as_f64(),
                e: ee.as_f64(),
                c: c.as_f64(),
            };
            let ev = evaluate(&input, &risk.lec_bands)
                .map_err(|err| Error::internal(anyhow::anyhow!("{}: {err:?}", e.code)))?;
            prepared.push(Prepared {
                entry: e,
                method: ev.method.as_str(),
                score: ev.score,
                grade: ev.grade,
                raw_band: ev.raw_band.clone().unwrap_or_default(),
                control_level: risk.control_levels.level(ev.grade).as_str(),
                review_days: (risk.review.next_review(today, ev.grade) - today).num_days(),
                half_month: crate::storage::seed_history::due_by_half_month(
                    e.check_frequency.as_str(),
                ),
                zone_type: zone_type_for(&e.category),
            });
        }
        Ok(Entries { catalog, prepared })
    }
}

/// The zone type where points of a catalogue category usually are (as the platform places
/// them).
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

/// A point as the inspections need it.
pub(crate) struct PointW {
    pub id: i64,
    pub name: String,
    pub aspect: &'static str,
    pub category: String,
    pub zone: Option<i64>,
    pub check_items: String,
    pub half_month: bool,
}

/// Writes a school's register; returns its points.
pub(crate) async fn write_points(
    l: &mut Loader,
    args: &Args,
    world: &World,
    site: &Site,
    entries: &Entries<'_>,
    today: NaiveDate,
) -> Result<Vec<PointW>> {
    let s = &site.school;
    let mut rng = rng_for(args.seed, s.idx, 4);
    let assessed_on = today - Duration::days(rng.random_range(20..120));
    let assessed_at = at(assessed_on, 10, rng.random_range(0..60));
    let items = &entries.catalog.items[s.district];
    let _ = world;
    let mut out = Vec::new();
    for p in &entries.prepared {
        let e = p.entry;
        if !e.applies(s.kind, |f| s.has(f)) {
            continue;
        }
        let id = l.ids.next(T::RiskPoints);
        let aid = l.ids.next(T::RiskAssessments);
        let zone = p
            .zone_type
            .and_then(|t| site.zones.iter().find(|z| z.1 == t))
            .map(|z| z.0);
        let responsible = site
            .holders
            .iter()
            .find(|(post, _)| *post == e.responsible_post.as_str())
            .or_else(|| {
                site.holders
                    .iter()
                    .find(|(post, _)| *post == "safety_director")
            })
            .map(|h| h.1);
        let (l_, e_, c_) = e.default_lec;
        let no_str: Option<String> = None;
        let no_f64: Option<f64> = None;
        l.push(
            T::RiskPoints,
            row![
                id,
                s.id,
                items.get(&e.code).copied(),
                zone,
                responsible,
                e.code.clone(),
                e.aspect.as_str(),
                e.category.clone(),
                e.category_en.clone(),
                e.point_type.as_str(),
                e.name.clone(),
                e.name_en.clone(),
                e.hazard_factors.clone(),
                e.accident_types.clone(),
                Some(l_.as_f64()),
                Some(e_.as_f64()),
                Some(c_.as_f64()),
                e.measures[0].clone(),
                e.measures[1].clone(),
                e.measures[2].clone(),
                e.measures[3].clone(),
                e.measures[4].clone(),
                e.check_items.clone(),
                e.check_frequency.as_str(),
                p.control_level,
                e.responsible_post.as_str(),
                "",
                "active",
                "",
                Some(aid),
                Some(p.grade.as_str().to_string()),
                p.score,
                Some(assessed_on + Duration::days(p.review_days)),
                assessed_at,
                assessed_at
            ],
        )
        .await?;
        l.push(
            T::RiskAssessments,
            row![
                aid,
                id,
                s.id,
                p.method,
                Some(l_.as_f64()),
                Some(e_.as_f64()),
                Some(c_.as_f64()),
                no_f64,
                no_str,
                "catalogue default",
                p.score,
                p.grade.as_str(),
                p.raw_band.clone(),
                Some(site.safety.user.0),
                site.safety.name.clone(),
                assessed_at
            ],
        )
        .await?;
        out.push(PointW {
            id,
            name: e.name.clone(),
            aspect: e.aspect.as_str(),
            category: e.category.clone(),
            zone,
            check_items: e.check_items.clone(),
            half_month: p.half_month,
        });
    }
    Ok(out)
}
