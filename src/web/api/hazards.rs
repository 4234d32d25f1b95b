//! API: Hazards and their closed loop (隐患排查治理 → 销号), notices and ledgers.

use super::ApiResult;
use super::transfer::download;
use crate::domain::Code;
use crate::domain::hazard::Action;
use crate::domain::ids::{HazardId, OrgId};
use crate::error::Error;
use crate::storage::hazards::{
    ClosureRow, HazardDetail, HazardFilter, HazardList, HazardSummary, NewHazard, UrgeBody,
};
use crate::storage::risk_points::today;
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use crate::web::i18n::{Lang, tr};
use crate::xlsx::{self, Cell};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

pub(crate) fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// A school's hazards (filters as for `GET /api/v1/hazards`).
#[utoipa::path(get, path = "/api/v1/schools/{id}/hazards", tag = "hazards",
    params(("id" = i64, Path), HazardFilter),
    responses((status = 200, body = HazardList), (status = 404, body = Envelope)))]
pub async fn school_list(
    ctx: Ctx,
    Path(id): Path<i64>,
    q: Q<HazardFilter>,
) -> ApiResult<HazardList> {
    Ok(axum::Json(
        ctx.db().hazards().for_school(OrgId(id), &query(q)?).await?,
    ))
}

/// Reports a hazard found at a school; it starts as `reported`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/hazards", tag = "hazards",
    params(("id" = i64, Path)), request_body = NewHazard,
    responses((status = 201, body = HazardDetail), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn report(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewHazard>,
) -> Result<Response, Error> {
    let h = ctx.db().hazards().report(OrgId(id), &body).await?;
    Ok((StatusCode::CREATED, axum::Json(h)).into_response())
}

/// Hazards in scope: filters `org_id` (city, district or school), `school_id`, `status`
/// (or `open`), `level`, `overdue=true`, `supervised=true`, `q`, `from`/`to` (reported), `page`
/// (from 1; past the end: an empty page) and `per_page` (1 to 200, default 50; else 422).
#[utoipa::path(get, path = "/api/v1/hazards", tag = "hazards", params(HazardFilter),
    responses((status = 200, body = HazardList), (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn list(ctx: Ctx, q: Q<HazardFilter>) -> ApiResult<HazardList> {
    Ok(axum::Json(ctx.db().hazards().list(&query(q)?).await?))
}

/// One hazard with its notice, photos, the whole history and the caller's possible steps.
#[utoipa::path(get, path = "/api/v1/hazards/{id}", tag = "hazards", params(("id" = i64, Path)),
    responses((status = 200, body = HazardDetail), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<HazardDetail> {
    Ok(axum::Json(ctx.db().hazards().get(HazardId(id)).await?))
}

/// Takes one step of the closed loop. A step impossible in the hazard's status answers 409,
/// a person the rules refuse 403 (with the reason), incomplete data 422 naming the field.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/actions", tag = "hazards",
    params(("id" = i64, Path)), request_body = Action,
    responses((status = 200, body = HazardDetail), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)))]
pub async fn act(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Action>,
) -> ApiResult<HazardDetail> {
    Ok(axum::Json(
        ctx.db().hazards().step(HazardId(id), &body).await?,
    ))
}

/// Urges the school on about an open hazard (督办, city and district officers): the message
/// goes into the hazard's history and to the school's principal, safety director and the
/// hazard's responsible person; the state does not change. A closed or cancelled hazard
/// answers 409, a message of more than 500 characters (or none) 422.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/urge", tag = "hazards",
    params(("id" = i64, Path)), request_body = UrgeBody,
    responses((status = 200, body = HazardDetail), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)))]
pub async fn urge(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UrgeBody>,
) -> ApiResult<HazardDetail> {
    Ok(axum::Json(
        ctx.db().hazards().urge(HazardId(id), &body.message).await?,
    ))
}

/// The ledger columns (隐患台账).
pub const LEDGER_COLUMNS: &[&str] = &[
    "hazard.col.id",
    "hazard.col.school",
    "hazard.col.title",
    "hazard.col.category",
    "hazard.col.place",
    "hazard.col.source",
    "hazard.col.reported_at",
    "hazard.col.reported_by",
    "hazard.col.level",
    "hazard.col.treatment",
    "hazard.col.responsible",
    "hazard.col.deadline",
    "hazard.col.status",
    "hazard.col.overdue_days",
    "hazard.col.supervised",
    "hazard.col.closure_number",
];

/// One ledger row, in the language of the reader.
pub fn ledger_row(lang: Lang, h: &HazardSummary) -> Vec<String> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    let place = [h.zone_name.clone(), h.risk_point_name.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    vec![
        h.id.to_string(),
        format!("{} {}", h.school_code, h.school_name),
        h.title.clone(),
        h.category.clone(),
        place,
        tr(lang, &h.source.label_key()),
        crate::storage::risk_points::china_date(h.reported_at).to_string(),
        h.reported_by_name.clone(),
        opt(h.level.map(|l| tr(lang, &l.label_key()))),
        opt(h.treatment.map(|l| tr(lang, &l.label_key()))),
        opt(h.responsible_name.clone()),
        opt(h.deadline.map(|d| d.to_string())),
        tr(lang, &h.status.label_key()),
        if h.overdue {
            h.days_overdue.to_string()
        } else {
            String::new()
        },
        if h.supervised {
            tr(lang, "hazard.supervised")
        } else {
            String::new()
        },
        opt(h.closure_number.clone()),
    ]
}

fn sheet(
    lang: Lang,
    name_key: &str,
    cols: &[&str],
    rows: Vec<Vec<String>>,
) -> Result<Vec<u8>, Error> {
    let headers: Vec<String> = cols.iter().map(|k| tr(lang, k)).collect();
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|r| r.into_iter().map(Cell::Text).collect())
        .collect();
    xlsx::write_sheet(&tr(lang, name_key), &headers, &rows)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))
}

/// The hazard ledger (隐患台账) as .xlsx, with the filters of the list (no paging).
#[utoipa::path(get, path = "/api/v1/hazards/export.xlsx", tag = "hazards", params(HazardFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope)))]
pub async fn export(ctx: Ctx, q: Q<HazardFilter>) -> Result<Response, Error> {
    let f = query(q)?;
    let items = ctx.db().hazards().all(&f).await?;
    let rows = items.iter().map(|h| ledger_row(ctx.lang, h)).collect();
    let bytes = sheet(ctx.lang, "hazard.ledger.title", LEDGER_COLUMNS, rows)?;
    Ok(download(
        bytes,
        &format!("{}-{}.xlsx", tr(ctx.lang, "hazard.ledger.title"), today()),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ClosuresQ {
    /// A city, district or school; defaults to the caller's scope.
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub org_id: Option<i64>,
    /// The year of closing; defaults to this year.
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub year: Option<i32>,
}

impl ClosuresQ {
    pub fn year(&self) -> i32 {
        self.year.unwrap_or_else(|| today().year())
    }
}

pub const CLOSURE_COLUMNS: &[&str] = &[
    "hazard.col.closure_number",
    "hazard.col.id",
    "hazard.col.school",
    "hazard.col.title",
    "hazard.col.category",
    "hazard.col.level",
    "hazard.col.reported_at",
    "hazard.col.closed_on",
    "hazard.col.closed_by",
    "hazard.col.note",
];

pub fn closure_row(lang: Lang, r: &ClosureRow) -> Vec<String> {
    vec![
        r.closure_number.clone(),
        r.hazard_id.to_string(),
        format!("{} {}", r.school_code, r.school_name),
        r.title.clone(),
        r.category.clone(),
        r.level
            .map(|l| tr(lang, &l.label_key()))
            .unwrap_or_default(),
        r.reported_on.to_string(),
        r.closed_on.to_string(),
        r.closed_by_name.clone(),
        if r.current {
            String::new()
        } else {
            tr(lang, "hazard.closures.reopened")
        },
    ]
}

/// The yearly 销号 ledger as .xlsx.
#[utoipa::path(get, path = "/api/v1/hazards/closures.xlsx", tag = "hazards", params(ClosuresQ),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope)))]
pub async fn closures_export(ctx: Ctx, q: Q<ClosuresQ>) -> Result<Response, Error> {
    let q = query(q)?;
    let year = q.year();
    let items = ctx.db().hazards().closure_ledger(q.org_id, year).await?;
    let rows = items.iter().map(|r| closure_row(ctx.lang, r)).collect();
    let bytes = sheet(ctx.lang, "hazard.closures.title", CLOSURE_COLUMNS, rows)?;
    Ok(download(
        bytes,
        &format!("{}-{year}.xlsx", tr(ctx.lang, "hazard.closures.title")),
    ))
}
