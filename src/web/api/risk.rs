//! The risk register API: the catalogue, school registers, assessments, the calculator,
//! roll-ups, the four-colour map and the card QR code.

use super::ApiResult;
use super::transfer::{Upload, download, xlsx_error};
use crate::domain::Code;
use crate::domain::catalog::{COLUMNS, REQUIRED, parse_rows};
use crate::domain::ids::{CatalogItemId, OrgId, RiskPointId, ZoneId};
use crate::domain::risk::{AssessmentInput, Evaluation, Grade, evaluate};
use crate::domain::warning::{Level, full_label_key};
use crate::error::Error;
use crate::storage::risk_catalog::{CatalogFilter, CatalogItem, CatalogItemInput, CatalogPage};
use crate::storage::risk_points::{
    Assessment, InstantiateReport, NewRiskPoint, Register, RiskFilter, RiskPointDetail,
    RiskPointPatch, SummaryRow,
};
use crate::storage::transfer::ImportReport;
use crate::storage::warning_marks::{OpenWarning, marks_by_zone};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use crate::web::i18n::{LANGS, Lang, tr};
use crate::web::svg;
use crate::xlsx::{self, Cell};
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// The district catalogue, filtered (`aspect`, `category`, `q`), 50 a page.
#[utoipa::path(get, path = "/api/v1/risk-catalog", tag = "risk", params(CatalogFilter),
    responses((status = 200, body = CatalogPage), (status = 404, body = Envelope)))]
pub async fn catalog(ctx: Ctx, q: Q<CatalogFilter>) -> ApiResult<CatalogPage> {
    Ok(axum::Json(ctx.db().catalog().list(&query(q)?).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrgQ {
    /// The district (or city) concerned; defaults to the caller's own.
    pub org_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/risk-catalog/items/{id}", tag = "risk", params(("id" = i64, Path)),
    responses((status = 200, body = CatalogItem), (status = 404, body = Envelope)))]
pub async fn catalog_item(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<CatalogItem> {
    Ok(axum::Json(
        ctx.db().catalog().item(CatalogItemId(id)).await?.0,
    ))
}

/// Edits an entry; the catalogue's version goes up and the old state stays in its history.
#[utoipa::path(put, path = "/api/v1/risk-catalog/items/{id}", tag = "risk", params(("id" = i64, Path)),
    request_body = CatalogItemInput,
    responses((status = 200, body = CatalogItem), (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn update_catalog_item(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CatalogItemInput>,
) -> ApiResult<CatalogItem> {
    Ok(axum::Json(
        ctx.db()
            .catalog()
            .update_item(CatalogItemId(id), body)
            .await?,
    ))
}

/// Headers of the catalogue sheet: field names (the file format) in the first language row.
fn catalog_headers(lang: Lang) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| {
            let key = format!("catalog_field.{c}");
            if crate::web::i18n::has(lang, &key) {
                tr(lang, &key)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The whole catalogue as .xlsx (the same columns as the catalogue file).
#[utoipa::path(get, path = "/api/v1/risk-catalog/export.xlsx", tag = "risk", params(OrgQ),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_catalog(ctx: Ctx, q: Q<OrgQ>) -> Result<Response, Error> {
    let q = query(q)?;
    let (info, items) = ctx.db().catalog().all(q.org_id).await?;
    let rows: Vec<Vec<Cell>> = items
        .iter()
        .filter_map(|i| i.entry())
        .map(|e| e.cells().into_iter().map(Cell::Text).collect())
        .collect();
    let bytes = xlsx::write_sheet(
        &tr(ctx.lang, "nav.catalog"),
        &catalog_headers(ctx.lang),
        &rows,
    )
    .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(
        bytes,
        &format!("{}-v{}.xlsx", info.name, info.version),
    ))
}

/// Parses an uploaded catalogue workbook: (entries, row errors).
pub fn parse_catalog_upload(
    bytes: &[u8],
) -> Result<
    (
        Vec<crate::domain::catalog::Entry>,
        Vec<crate::domain::catalog::RowError>,
    ),
    Error,
> {
    let mut rows = xlsx::read_first_sheet(bytes, &xlsx::Limits::default()).map_err(xlsx_error)?;
    if rows.is_empty() {
        return Err(xlsx_error(xlsx::XlsxError::Empty));
    }
    let header = rows.remove(0);
    let aliases: Vec<(String, Vec<String>)> = COLUMNS
        .iter()
        .map(|c| {
            let labels = LANGS
                .iter()
                .map(|l| tr(*l, &format!("catalog_field.{c}")))
                .collect();
            (c.to_string(), labels)
        })
        .collect();
    let refs: Vec<Vec<&str>> = aliases
        .iter()
        .map(|(_, v)| v.iter().map(String::as_str).collect())
        .collect();
    let expected: Vec<(&str, &[&str])> = aliases
        .iter()
        .zip(refs.iter())
        .map(|((f, _), r)| (f.as_str(), r.as_slice()))
        .collect();
    let cols = xlsx::map_headers(&header, &expected, REQUIRED).map_err(xlsx_error)?;
    Ok(parse_rows(&rows, &cols))
}

/// Imports a catalogue workbook: entries are added or updated by code, all or nothing; any
/// row error → 422 with the row-by-row report.
#[utoipa::path(post, path = "/api/v1/risk-catalog/import", tag = "risk", params(OrgQ),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportReport), (status = 422, body = super::transfer::ImportRefusal)))]
pub async fn import_catalog(
    ctx: Ctx,
    q: Q<OrgQ>,
    Upload(bytes): Upload,
) -> Result<Response, Error> {
    let q = query(q)?;
    let db = ctx.db();
    let (entries, errors) = parse_catalog_upload(&bytes)?;
    let r = db.catalog().import(q.org_id, &entries, errors).await?;
    let status = if r.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, axum::Json(super::transfer::translate(r, ctx.lang))).into_response())
}

/// The grading calculator the forms use: evaluates an assessment, stores nothing.
#[utoipa::path(post, path = "/api/v1/risk/evaluate", tag = "risk", request_body = AssessmentInput,
    responses((status = 200, body = Evaluation), (status = 422, body = Envelope)))]
pub async fn evaluate_only(
    ctx: Ctx,
    ApiJson(body): ApiJson<AssessmentInput>,
) -> ApiResult<Evaluation> {
    let ev =
        evaluate(&body, &ctx.config().risk.lec_bands).map_err(|e| Error::field(e.field, e.key))?;
    Ok(axum::Json(ev))
}

/// Counts by grade per child org (district → schools, city → districts).
#[utoipa::path(get, path = "/api/v1/risk-summary", tag = "risk", params(OrgQ),
    responses((status = 200, body = Vec<SummaryRow>)))]
pub async fn summary(ctx: Ctx, q: Q<OrgQ>) -> ApiResult<Vec<SummaryRow>> {
    Ok(axum::Json(ctx.db().risk().summary(query(q)?.org_id).await?))
}

/// The roll-up as .xlsx: one row per child org with its counts by grade.
#[utoipa::path(get, path = "/api/v1/risk-summary/export.xlsx", tag = "risk", params(OrgQ),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_summary(ctx: Ctx, q: Q<OrgQ>) -> Result<Response, Error> {
    let rows = ctx.db().risk().summary(query(q)?.org_id).await?;
    let l = ctx.lang;
    let headers: Vec<String> = [
        "field.code",
        "field.name",
        "risk_grade.major",
        "risk_grade.significant",
        "risk_grade.general",
        "risk_grade.low",
        "risk.unassessed",
        "risk.review_due",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let n = |v: u64| Cell::Int(i64::try_from(v).unwrap_or(i64::MAX));
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.org.code.clone()),
                Cell::Text(r.org.name.clone()),
                n(r.counts.major),
                n(r.counts.significant),
                n(r.counts.general),
                n(r.counts.low),
                n(r.counts.unassessed),
                n(r.review_due),
            ]
        })
        .collect();
    let bytes = xlsx::write_sheet(&tr(l, "risk.overview"), &headers, &cells)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(bytes, &format!("{}.xlsx", tr(l, "risk.overview"))))
}

/// A school's register with counts by grade.
#[utoipa::path(get, path = "/api/v1/schools/{id}/risk-points", tag = "risk", params(("id" = i64, Path), RiskFilter),
    responses((status = 200, body = Register), (status = 404, body = Envelope)))]
pub async fn register(ctx: Ctx, Path(id): Path<i64>, q: Q<RiskFilter>) -> ApiResult<Register> {
    Ok(axum::Json(
        ctx.db().risk().points(OrgId(id), &query(q)?).await?,
    ))
}

/// Adds a point from a catalogue code (`{"catalog_code": "R-T-001"}`) or the school's own.
#[utoipa::path(post, path = "/api/v1/schools/{id}/risk-points", tag = "risk", params(("id" = i64, Path)),
    request_body = NewRiskPoint,
    responses((status = 200, body = RiskPointDetail), (status = 422, body = Envelope)))]
pub async fn create_point(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewRiskPoint>,
) -> ApiResult<RiskPointDetail> {
    Ok(axum::Json(
        ctx.db()
            .risk()
            .create_point(OrgId(id), body, &ctx.config().risk)
            .await?,
    ))
}

/// Adds every applicable catalogue point that is not yet in the register.
#[utoipa::path(post, path = "/api/v1/schools/{id}/risk-points/instantiate", tag = "risk", params(("id" = i64, Path)),
    responses((status = 200, body = InstantiateReport), (status = 404, body = Envelope)))]
pub async fn instantiate(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<InstantiateReport> {
    Ok(axum::Json(
        ctx.db()
            .risk()
            .instantiate(OrgId(id), &ctx.config().risk)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/risk-points/{id}", tag = "risk", params(("id" = i64, Path)),
    responses((status = 200, body = RiskPointDetail), (status = 404, body = Envelope)))]
pub async fn point(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<RiskPointDetail> {
    Ok(axum::Json(ctx.db().risk().point(RiskPointId(id)).await?))
}

#[utoipa::path(patch, path = "/api/v1/risk-points/{id}", tag = "risk", params(("id" = i64, Path)),
    request_body = RiskPointPatch,
    responses((status = 200, body = RiskPointDetail), (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn update_point(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RiskPointPatch>,
) -> ApiResult<RiskPointDetail> {
    Ok(axum::Json(
        ctx.db()
            .risk()
            .update_point(RiskPointId(id), body, &ctx.config().risk)
            .await?,
    ))
}

/// Records an assessment (LEC, LS or DIRECT); it becomes the point's current grade.
#[utoipa::path(post, path = "/api/v1/risk-points/{id}/assessments", tag = "risk", params(("id" = i64, Path)),
    request_body = AssessmentInput,
    responses((status = 200, body = Assessment), (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn assess(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AssessmentInput>,
) -> ApiResult<Assessment> {
    Ok(axum::Json(
        ctx.db()
            .risk()
            .assess(RiskPointId(id), body, &ctx.config().risk)
            .await?,
    ))
}

/// The register as .xlsx.
#[utoipa::path(get, path = "/api/v1/schools/{id}/risk-points/export.xlsx", tag = "risk", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_register(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let db = ctx.db();
    let reg = db
        .risk()
        .points(
            OrgId(id),
            &RiskFilter {
                status: Some("all".into()),
                ..Default::default()
            },
        )
        .await?;
    let school = ctx
        .db_as(crate::policy::Action::SchoolView)?
        .schools()
        .get(OrgId(id))
        .await
        .map(|s| s.name)
        .unwrap_or_default();
    let l = ctx.lang;
    let headers: Vec<String> = [
        "field.code",
        "field.name",
        "risk.aspect",
        "risk.category",
        "risk.grade",
        "risk.score",
        "risk.control_level",
        "risk.zone",
        "risk.responsible",
        "risk.hazards",
        "risk.check_items",
        "risk.next_review",
        "risk.status",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let rows: Vec<Vec<Cell>> = reg
        .items
        .iter()
        .map(|p| {
            vec![
                Cell::Text(p.code.clone()),
                Cell::Text(p.name.clone()),
                Cell::Text(tr(l, &p.aspect.label_key())),
                Cell::Text(p.category.clone()),
                Cell::Text(p.grade.map(|g| tr(l, &g.label_key())).unwrap_or_default()),
                p.score.map(Cell::Float).unwrap_or(Cell::Empty),
                Cell::Text(tr(l, &p.control_level.label_key())),
                Cell::Text(p.zone_name.clone().unwrap_or_default()),
                Cell::Text(p.responsible_name.clone().unwrap_or_default()),
                Cell::Text(p.hazard_factors.clone()),
                Cell::Text(p.check_items.clone()),
                Cell::Text(p.next_review_on.map(|d| d.to_string()).unwrap_or_default()),
                Cell::Text(tr(l, &format!("risk.status_{}", p.status))),
            ]
        })
        .collect();
    let bytes = xlsx::write_sheet(&tr(l, "risk.register"), &headers, &rows)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(
        bytes,
        &format!("{school}-{}.xlsx", tr(l, "risk.register")),
    ))
}

pub fn shade(g: Option<Grade>) -> svg::Shade {
    match g {
        Some(Grade::Major) => svg::Shade::Red,
        Some(Grade::Significant) => svg::Shade::Orange,
        Some(Grade::General) => svg::Shade::Yellow,
        Some(Grade::Low) => svg::Shade::Blue,
        None => svg::Shade::None,
    }
}

pub fn legend(lang: Lang) -> svg::Legend {
    svg::Legend {
        title: tr(lang, "risk.legend"),
        red: tr(lang, "risk_grade.major"),
        orange: tr(lang, "risk_grade.significant"),
        yellow: tr(lang, "risk_grade.general"),
        blue: tr(lang, "risk_grade.low"),
        none: tr(lang, "risk.legend_none"),
        alert: tr(lang, "risk.alert.legend"),
        ..Default::default()
    }
}

/// The district map's colour rule for districts (a city's map): the share of red (重大) and
/// orange (较大) points among the assessed ones — red from [`SHARE_RED`], orange from
/// [`SHARE_ORANGE`], yellow above 0, blue 0, grey without an assessed point. Schools take
/// the band of their school risk index instead (`domain::warning::index_level`).
pub const SHARE_RED: f64 = 0.10;
pub const SHARE_ORANGE: f64 = 0.05;

/// The red and orange share of a roll-up's assessed points, if it has any.
pub fn red_orange_share(c: &crate::storage::risk_points::GradeCounts) -> Option<f64> {
    let assessed = c.major + c.significant + c.general + c.low;
    (assessed > 0).then(|| (c.major + c.significant) as f64 / assessed as f64)
}

/// A colour by [`red_orange_share`] (see [`SHARE_RED`]).
pub fn share_shade(c: &crate::storage::risk_points::GradeCounts) -> svg::Shade {
    match red_orange_share(c) {
        None => svg::Shade::None,
        Some(s) if s >= SHARE_RED => svg::Shade::Red,
        Some(s) if s >= SHARE_ORANGE => svg::Shade::Orange,
        Some(s) if s > 0.0 => svg::Shade::Yellow,
        Some(_) => svg::Shade::Blue,
    }
}

/// A school kind's marker on the district map.
fn kind_shape(k: Option<crate::domain::org::SchoolKind>) -> svg::Shape {
    use crate::domain::org::SchoolKind as K;
    match k {
        Some(K::Kindergarten) => svg::Shape::Square,
        Some(K::Primary) => svg::Shape::Circle,
        Some(K::JuniorMiddle | K::NineYear | K::SeniorHigh) => svg::Shape::Diamond,
        Some(K::Special) => svg::Shape::Triangle,
        None => svg::Shape::Hexagon,
    }
}

/// The district map's legend: the colours by the rule in force (`index`: the school risk
/// index's bands; else the red/orange share), the shapes, the rule in words.
fn district_legend(lang: Lang, index: bool) -> svg::Legend {
    use crate::domain::org::SchoolKind as K;
    let t = |k: &str| tr(lang, k);
    let (title, red, orange, yellow, blue, none, rule) = if index {
        (
            "risk_map.legend_index",
            "risk_map.index_red",
            "risk_map.index_orange",
            "risk_map.index_yellow",
            "risk_map.index_blue",
            "risk.legend_none",
            "risk_map.rule",
        )
    } else {
        (
            "risk_map.legend_share",
            "risk_map.share_red",
            "risk_map.share_orange",
            "risk_map.share_yellow",
            "risk_map.share_blue",
            "risk_map.share_none",
            "risk_map.rule_share",
        )
    };
    svg::Legend {
        title: t(title),
        red: t(red),
        orange: t(orange),
        yellow: t(yellow),
        blue: t(blue),
        none: t(none),
        alert: t("risk.alert.legend"),
        shapes_title: t("risk_map.shapes"),
        shapes: vec![
            (svg::Shape::Circle, tr(lang, &K::Primary.label_key())),
            (svg::Shape::Diamond, t("risk_map.shape_secondary")),
            (svg::Shape::Square, tr(lang, &K::Kindergarten.label_key())),
            (svg::Shape::Triangle, tr(lang, &K::Special.label_key())),
            (svg::Shape::Hexagon, t("risk_map.shape_district")),
        ],
        rule: t(rule),
    }
}

/// A warning level's colour on the maps (the same four colours, Ⅰ red … Ⅳ blue).
fn level_shade(l: Level) -> svg::Shade {
    match l {
        Level::Red => svg::Shade::Red,
        Level::Orange => svg::Shade::Orange,
        Level::Yellow => svg::Shade::Yellow,
        Level::Blue => svg::Shade::Blue,
    }
}

/// The most tooltip lines a zone's warning mark lists.
const ALERT_LINES: usize = 5;

/// A warning as a tooltip line names it: `红色预警 · YG-01 · smoke = 1 ≥ 1`.
fn warning_line(lang: Lang, level: Level, detail: &str) -> String {
    format!("{} · {}", tr(lang, &level.label_key()), detail.trim())
}

/// A school's four-colour map with its open warnings marked, and what the page lists under
/// it: the open warnings (the most severe first) with the names of their zones.
pub struct CampusMap {
    pub svg: String,
    pub warnings: Vec<OpenWarning>,
    pub zone_names: HashMap<ZoneId, String>,
    /// Active risk points placed in no zone (not on the plan): the total of the register
    /// filtered `unplaced=true`, which the map's note links to.
    pub unplaced: u64,
}

/// The school's four-colour map (its open warnings marked) and its open warnings.
pub async fn campus_map_of(ctx: &Ctx, school: OrgId) -> Result<CampusMap, Error> {
    let (s, zones) = ctx.db().risk().map(school).await?;
    let warnings = ctx.db().risk().open_warnings(school).await?;
    let lang = ctx.lang;
    let on_zone = marks_by_zone(&warnings, zones.iter().map(|(z, _, _)| z));
    let alert = |ws: &[&OpenWarning]| -> Option<svg::Alert> {
        // The warnings come the most severe first.
        let top = ws.first()?;
        let mut lines: Vec<String> = ws
            .iter()
            .take(ALERT_LINES)
            .map(|w| format!("⚠ {}", warning_line(lang, w.level, &w.detail)))
            .collect();
        if ws.len() > ALERT_LINES {
            lines.push(
                tr(lang, "risk.alert.more").replace("%{n}", &(ws.len() - ALERT_LINES).to_string()),
            );
        }
        Some(svg::Alert {
            level: level_shade(top.level),
            count: ws.len(),
            text: lines.join("\n"),
            href: Some(if ws.len() == 1 {
                format!("/warnings/{}", top.id)
            } else {
                format!("/warnings?org_id={school}")
            }),
        })
    };
    let zone_names = zones
        .iter()
        .map(|(z, _, _)| (z.id, z.name.clone()))
        .collect();
    let mz: Vec<svg::MapZone> = zones
        .into_iter()
        .filter_map(|(z, g, n)| {
            Some(svg::MapZone {
                id: z.id.0,
                code: z.code.clone(),
                rect: (z.x?, z.y?, z.w?, z.h?),
                parent: z.parent_id.map(|p| p.0),
                shade: shade(g),
                points: n,
                href: Some(format!("/schools/{}/risks?zone_id={}", s.id, z.id)),
                alert: on_zone.get(&z.id).and_then(|ws| alert(ws)),
                name: z.name,
            })
        })
        .collect();
    let unplaced = ctx
        .db()
        .risk()
        .points(
            school,
            &RiskFilter {
                unplaced: Some(true),
                ..Default::default()
            },
        )
        .await?
        .total;
    let note = (unplaced > 0).then(|| svg::MapNote {
        text: tr(lang, "risk_map.unplaced").replace("%{n}", &unplaced.to_string()),
        href: Some(format!("/schools/{}/risks?unplaced=true", s.id)),
    });
    let svg = svg::campus_map_noted(
        &format!("{} · {}", s.name, tr(lang, "risk.map_title")),
        &mz,
        &legend(lang),
        note.as_ref(),
    );
    Ok(CampusMap {
        svg,
        warnings,
        zone_names,
        unplaced,
    })
}

/// The school's four-colour map as SVG.
pub async fn campus_map_svg(ctx: &Ctx, school: OrgId) -> Result<String, Error> {
    Ok(campus_map_of(ctx, school).await?.svg)
}

fn svg_response(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The four-colour campus map (风险四色图): each zone coloured by its highest current grade.
#[utoipa::path(get, path = "/api/v1/schools/{id}/risk-map.svg", tag = "risk", params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = Envelope)))]
pub async fn risk_map(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    Ok(svg_response(campus_map_svg(&ctx, OrgId(id)).await?))
}

/// The district map: schools by their coordinates, coloured by their highest grade, ringed
/// while they have open warnings.
pub async fn district_map_svg(ctx: &Ctx, org_id: Option<i64>) -> Result<String, Error> {
    let rows = ctx.db().risk().summary(org_id).await?;
    district_map_of(ctx, org_id, &rows).await
}

/// The district map of a roll-up already read (the overview page draws its table and its map
/// from one) for the node `org_id` (the caller's own when none), with the open warnings below
/// each school (or district) read live.
pub async fn district_map_of(
    ctx: &Ctx,
    org_id: Option<i64>,
    rows: &[SummaryRow],
) -> Result<String, Error> {
    Ok(district_map_keyed(ctx, org_id, rows).await?.0)
}

/// Open and overdue hazards, summed from the risk index's inputs.
#[derive(Default, Clone, Copy)]
struct HazardTally {
    open: u32,
    overdue: u32,
}

/// The district map and the words of its colour rule (the page repeats them over the map).
///
/// Colours: a school by the band of its school risk index (`/risk-index`: red from 75,
/// orange from 50, yellow from 25, else blue); a district on a city's map by the share of
/// red and orange points among its assessed points ([`share_shade`]); a caller who may not
/// read the index gets the share rule for schools too. Each tooltip names the counts behind
/// the colour: the index, the points by grade, the open and overdue hazards.
pub async fn district_map_keyed(
    ctx: &Ctx,
    org_id: Option<i64>,
    rows: &[SummaryRow],
) -> Result<(String, String), Error> {
    use crate::storage::risk_index::{IndexQuery, SchoolIndex};
    let open = ctx.db().risk().open_warnings_by_child(org_id).await?;
    let lang = ctx.lang;
    let cfg = ctx.config();
    let today = crate::storage::risk_points::today();
    let index_below = |node: Option<i64>| async move {
        let Ok(db) = ctx.db_as(crate::policy::Action::WarningView) else {
            return Ok(None);
        };
        match db
            .risk_index()
            .list(
                &IndexQuery { org_id: node },
                &cfg.warnings.index_weights,
                today,
                cfg.inspection.grace_days,
            )
            .await
        {
            Ok(l) => Ok(Some(l.items)),
            Err(Error::Forbidden) => Ok(None),
            Err(e) => Err(e),
        }
    };
    let schools_level = rows.iter().any(|r| r.kind.is_some());
    let mut index: HashMap<OrgId, SchoolIndex> = HashMap::new();
    let mut hazards: HashMap<OrgId, HazardTally> = HashMap::new();
    let mut with_index = false;
    if schools_level {
        if let Some(items) = index_below(org_id).await? {
            with_index = true;
            for i in items {
                hazards.insert(
                    i.school_id,
                    HazardTally {
                        open: i.inputs.open_hazards,
                        overdue: i.inputs.overdue_hazards,
                    },
                );
                index.insert(i.school_id, i);
            }
        }
    } else {
        // A city's map: each district's hazards, summed over its schools.
        for r in rows {
            if let Some(items) = index_below(Some(r.org.id.0)).await? {
                let t = hazards.entry(r.org.id).or_default();
                for i in items {
                    t.open += i.inputs.open_hazards;
                    t.overdue += i.inputs.overdue_hazards;
                }
            }
        }
    }
    let legend = district_legend(lang, with_index);
    let schools: Vec<svg::MapSchool> = rows
        .iter()
        .filter_map(|r| {
            let c = &r.counts;
            let idx = index.get(&r.org.id);
            let shade = match idx {
                Some(i) => level_shade(i.level),
                None => share_shade(c),
            };
            let mut tip = Vec::new();
            if let Some(i) = idx {
                tip.push(tr(lang, "risk_map.tip_index").replace("%{index}", &i.index.to_string()));
            } else if let Some(share) = red_orange_share(c) {
                tip.push(
                    tr(lang, "risk_map.tip_share")
                        .replace("%{share}", &format!("{:.1}%", share * 100.0)),
                );
            }
            tip.push(
                tr(lang, "risk_map.tip_points")
                    .replace("%{major}", &c.major.to_string())
                    .replace("%{significant}", &c.significant.to_string())
                    .replace("%{general}", &c.general.to_string())
                    .replace("%{low}", &c.low.to_string())
                    .replace("%{unassessed}", &c.unassessed.to_string()),
            );
            if let Some(h) = hazards.get(&r.org.id) {
                tip.push(
                    tr(lang, "risk_map.tip_hazards")
                        .replace("%{open}", &h.open.to_string())
                        .replace("%{overdue}", &h.overdue.to_string()),
                );
            }
            Some(svg::MapSchool {
                id: r.org.id.0,
                code: r.org.code.clone(),
                name: r.org.name.clone(),
                lat: r.lat?,
                lng: r.lng?,
                shade,
                href: Some(if r.kind.is_some() {
                    format!("/schools/{}/risk-map", r.org.id)
                } else {
                    format!("/risk?org_id={}", r.org.id)
                }),
                shape: kind_shape(r.kind),
                tip,
                alert: open.get(&r.org.id).map(|o| svg::Alert {
                    level: level_shade(o.highest),
                    count: usize::try_from(o.count).unwrap_or(usize::MAX),
                    text: tr(lang, "risk.alert.count")
                        .replace("%{n}", &o.count.to_string())
                        .replace("%{level}", &tr(lang, &full_label_key(o.highest))),
                    href: None,
                }),
            })
        })
        .collect();
    let svg = svg::district_map(
        &tr(lang, "risk.district_map"),
        &schools,
        &legend,
        &tr(lang, "risk.no_coordinates"),
    );
    Ok((svg, legend.rule))
}

#[utoipa::path(get, path = "/api/v1/risk-map.svg", tag = "risk", params(OrgQ),
    responses((status = 200, content_type = "image/svg+xml")))]
pub async fn district_map(ctx: Ctx, q: Q<OrgQ>) -> Result<Response, Error> {
    let q = query(q)?;
    Ok(svg_response(district_map_svg(&ctx, q.org_id).await?))
}

/// The URL a risk card's QR code opens: the point's one-item check at the configured
/// `public_url`. Without one, only the path: the `Host` header is the client's to choose, so it
/// is never printed on a card (`demo` sets `public_url` to its listen address).
pub fn point_url(ctx: &Ctx, id: RiskPointId) -> String {
    let path = format!("/risk-points/{id}/check");
    match ctx.config().public_url.as_deref().map(str::trim) {
        Some(base) if !base.is_empty() => format!("{}{path}", base.trim_end_matches('/')),
        _ => path,
    }
}

/// The QR code of a point's card; it encodes the point's check page.
#[utoipa::path(get, path = "/api/v1/risk-points/{id}/qr.svg", tag = "risk", params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = Envelope)))]
pub async fn qr(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let p = ctx.db().risk().point(RiskPointId(id)).await?;
    let url = point_url(&ctx, p.point.id);
    let body = svg::qr_svg(&url, 240).map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
    Ok(svg_response(body))
}
