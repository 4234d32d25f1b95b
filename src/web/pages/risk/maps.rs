//! The risk map pages: the bureau's roll-up with the district map, and a school's
//! four-colour map with its open warnings listed under it. Both follow the warnings live
//! (`risk-live.js`: the page is fetched again and its `data-live-map` parts swapped when a
//! warning of a school it shows changes).

use super::{Q, grade_class, query};
use crate::domain::Code;
use crate::domain::ids::OrgId;
use crate::domain::org::OrgLevel;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::risk_points::SummaryRow;
use crate::storage::views::School;
use crate::web::api::risk::{campus_map_of, district_map_keyed};
use crate::web::ctx::Ctx;
use crate::web::i18n::tr;
use crate::web::pages::{Chrome, render, see_other};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OverviewQ {
    org_id: Option<i64>,
    /// Sort column: `name`, `major`, `significant`, `general`, `low`, `due`.
    sort: Option<String>,
}

#[derive(Template)]
#[template(path = "risk/overview.html")]
struct OverviewPage {
    c: Chrome,
    rows: Vec<SummaryRow>,
    map: String,
    /// How the map's colours are decided, in words (also under the map's legend).
    rule: String,
    node_name: String,
    org_param: String,
    sort: String,
    schools_level: bool,
    totals: crate::storage::risk_points::GradeCounts,
    /// The schools the live map follows (their ids), none: every school in scope.
    live_schools: String,
}

/// The script that redraws a map page's live parts when a warning of its schools changes.
fn live_js() -> String {
    crate::web::assets::url("risk-live.js")
}

impl OverviewPage {
    fn js(&self) -> String {
        live_js()
    }

    fn css(&self) -> String {
        map_css()
    }

    fn drill(&self, r: &SummaryRow) -> String {
        if r.kind.is_some() {
            format!("/schools/{}/risks", r.org.id)
        } else {
            format!("/risk?org_id={}", r.org.id)
        }
    }

    fn highest_class(&self, r: &SummaryRow) -> &'static str {
        grade_class(r.highest)
    }
}

/// The bureau's roll-up: every school (or district) × the four grades, and the district map.
pub async fn overview(ctx: Ctx, q: Q<OverviewQ>) -> Result<Response, Error> {
    let q = query(q)?;
    if q.org_id.is_none() && ctx.actor.org_level() == Some(OrgLevel::School) {
        let id = ctx.actor.org_id().ok_or(Error::NotFound)?;
        return Ok(see_other(&format!("/schools/{id}/risks")));
    }
    let db = ctx.db();
    let mut rows = db.risk().summary(q.org_id).await?;
    // The map is drawn from the same roll-up as the table, read once.
    let (map, rule) = district_map_keyed(&ctx, q.org_id, &rows).await?;
    let schools_level = rows.iter().any(|r| r.kind.is_some());
    let live_schools = if schools_level {
        rows.iter()
            .map(|r| r.org.id.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        String::new()
    };
    let node_name = match q.org_id {
        Some(id) => db.orgs().get_for_view(OrgId(id)).await?.name,
        None => ctx.actor.org_name().to_string(),
    };
    let sort = q.sort.clone().unwrap_or_else(|| "major".into());
    match sort.as_str() {
        "name" => rows.sort_by(|a, b| a.org.code.cmp(&b.org.code)),
        "significant" => rows.sort_by_key(|r| std::cmp::Reverse(r.counts.significant)),
        "general" => rows.sort_by_key(|r| std::cmp::Reverse(r.counts.general)),
        "low" => rows.sort_by_key(|r| std::cmp::Reverse(r.counts.low)),
        "due" => rows.sort_by_key(|r| std::cmp::Reverse(r.review_due)),
        _ => rows.sort_by(|a, b| {
            (b.counts.major, b.counts.significant).cmp(&(a.counts.major, a.counts.significant))
        }),
    }
    let mut totals = crate::storage::risk_points::GradeCounts::default();
    for r in &rows {
        totals.major += r.counts.major;
        totals.significant += r.counts.significant;
        totals.general += r.counts.general;
        totals.low += r.counts.low;
        totals.unassessed += r.counts.unassessed;
    }
    render(&OverviewPage {
        c: Chrome::for_ctx(&ctx, "risk.overview", "/risk"),
        schools_level,
        live_schools,
        org_param: q.org_id.map(|i| format!("org_id={i}&")).unwrap_or_default(),
        rows,
        map,
        rule,
        node_name,
        sort,
        totals,
    })
}

#[derive(Template)]
#[template(path = "risk/map.html")]
struct MapPage {
    c: Chrome,
    s: School,
    map: String,
    /// The open warnings marked on the map, listed under it (phones have no tooltips).
    warnings: Vec<MapWarning>,
    /// Active risk points placed in no zone (not on the plan), and that count in words.
    unplaced: u64,
    unplaced_text: String,
}

/// An open warning as the map page lists it.
struct MapWarning {
    id: i64,
    /// The level's code (its colour class) and its label with the numeral (Ⅰ 红色预警).
    level: &'static str,
    label: String,
    detail: String,
    zones: String,
    point: String,
}

impl MapPage {
    fn js(&self) -> String {
        live_js()
    }

    fn css(&self) -> String {
        map_css()
    }
}

/// The map pages' own styles (the scrolling frame and its hint on a phone, the legend of
/// the district map's shapes).
fn map_css() -> String {
    crate::web::assets::url("risk-map.css")
}

pub async fn campus_map(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let m = campus_map_of(&ctx, OrgId(id)).await?;
    let s = ctx
        .db_as(Action::SchoolView)?
        .schools()
        .get(OrgId(id))
        .await?;
    let warnings = m
        .warnings
        .iter()
        .map(|w| MapWarning {
            id: w.id.0,
            level: w.level.as_str(),
            label: format!("{} {}", w.level.roman(), tr(ctx.lang, &w.level.label_key())),
            detail: w.detail.clone(),
            zones: w
                .zones()
                .iter()
                .filter_map(|z| m.zone_names.get(z).cloned())
                .collect::<Vec<_>>()
                .join("、"),
            point: w
                .risk_point
                .as_ref()
                .map(|p| format!("{} {}", p.code, p.name))
                .unwrap_or_default(),
        })
        .collect();
    render(&MapPage {
        c: Chrome::for_ctx(&ctx, "risk.map_title", "/risk"),
        s,
        map: m.svg,
        warnings,
        unplaced: m.unplaced,
        unplaced_text: tr(ctx.lang, "risk_map.unplaced").replace("%{n}", &m.unplaced.to_string()),
    })
}
