//! API: incident reports (紧急信息报告) — `/api/v1/incidents` (list, the first report), one
//! incident with its reports and clocks, its follow-ups and final report, the bureaus'
//! receipts, the audited names of the people hurt, and the list as .xlsx.

use super::ApiResult;
use super::transfer::download;
use crate::domain::Code;
use crate::domain::ids::IncidentId;
use crate::error::Error;
use crate::storage::incidents::{
    IncidentDetail, IncidentFilter, IncidentSummary, NewIncident, NewReceipt, NewReport, Receipt,
    ReportPersons,
};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use crate::web::i18n::{Lang, tr};
use crate::web::pages::china_time;
use crate::xlsx::{self, Cell};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// The incidents of the caller's schools, the most recently known first, each with its
/// running clock (the next report due, overdue) and its 迟报 count. No account of what
/// happened and no names: counts only.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "emergency", params(IncidentFilter),
    responses((status = 200, body = Vec<IncidentSummary>), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn list(ctx: Ctx, q: Q<IncidentFilter>) -> ApiResult<Vec<IncidentSummary>> {
    let cfg = &ctx.config().incidents;
    Ok(axum::Json(
        ctx.db().incidents().list(&query(q)?, cfg).await?,
    ))
}

/// Reports a new incident of a school: its first report (首报). Due within `[incidents]`
/// minutes of `known_at` (60; public-health events 120); sent later it is recorded late
/// (迟报). `persons` names the people hurt (minors): never shown in lists or logs.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "emergency", request_body = NewIncident,
    responses((status = 201, body = IncidentDetail), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn create(
    ctx: Ctx,
    ApiJson(body): ApiJson<NewIncident>,
) -> Result<(StatusCode, axum::Json<IncidentDetail>), Error> {
    let cfg = ctx.config().incidents.clone();
    let d = ctx.db().incidents().create(body, &cfg).await?;
    Ok((StatusCode::CREATED, axum::Json(d)))
}

/// One incident: its reports in order (each with its deadline and lateness, as recorded when
/// sent, and the bureaus' receipts), and the clocks now.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "emergency",
    params(("id" = i64, Path)),
    responses((status = 200, body = IncidentDetail), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<IncidentDetail> {
    let cfg = &ctx.config().incidents;
    Ok(axum::Json(
        ctx.db().incidents().get(IncidentId(id), cfg).await?,
    ))
}

/// Sends a follow-up (`"kind": "follow_up"`, 续报) or the final report (`"final"`, 终报).
/// Out of sequence — a second `first`, anything after the final report — is 409.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/reports", tag = "emergency",
    params(("id" = i64, Path)), request_body = NewReport,
    responses((status = 201, body = IncidentDetail), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn report(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewReport>,
) -> Result<(StatusCode, axum::Json<IncidentDetail>), Error> {
    let cfg = ctx.config().incidents.clone();
    let plans = ctx.config().plans.coverage.clone();
    let d = ctx
        .db()
        .incidents()
        .report(IncidentId(id), body, &cfg, &plans)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(d)))
}

/// The caller's bureau acknowledges report `seq` (201; again: 200, unchanged) and records its
/// own report upward (`forwarded_to`, `forwarded_at`), once (a second one is 409).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/receipts", tag = "emergency",
    params(("id" = i64, Path)), request_body = NewReceipt,
    responses((status = 201, body = Receipt), (status = 200, body = Receipt),
        (status = 403, body = Envelope), (status = 404, body = Envelope),
        (status = 409, body = Envelope), (status = 422, body = Envelope)))]
pub async fn receipt(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewReceipt>,
) -> Result<(StatusCode, axum::Json<Receipt>), Error> {
    let (r, new) = ctx.db().incidents().receipt(IncidentId(id), body).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(r)))
}

/// The people each report names (minors' data): the school's principal and safety director
/// and the bureau only; every call is audited (`incident.view_persons`).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/persons", tag = "emergency",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ReportPersons>), (status = 403, body = Envelope),
        (status = 404, body = Envelope)))]
pub async fn persons(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<ReportPersons>> {
    Ok(axum::Json(
        ctx.db().incidents().persons(IncidentId(id)).await?,
    ))
}

/// The list's header row.
fn headers(l: Lang) -> Vec<String> {
    [
        "incident.col.id",
        "incident.col.school_code",
        "incident.col.school",
        "incident.col.type",
        "incident.col.category",
        "incident.col.level",
        "incident.col.occurred_at",
        "incident.col.known_at",
        "incident.col.place",
        "incident.col.deaths",
        "incident.col.injured",
        "incident.col.missing",
        "incident.col.reports",
        "incident.col.late_reports",
        "incident.col.status",
        "incident.col.next",
        "incident.col.next_due",
        "incident.col.overdue",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect()
}

/// One incident as a row of the .xlsx list (no account of what happened, no names).
pub fn row(l: Lang, i: &IncidentSummary) -> Vec<Cell> {
    vec![
        Cell::Int(i.id.0),
        Cell::Text(i.school_code.clone()),
        Cell::Text(i.school_name.clone()),
        Cell::Text(tr(l, &i.incident_type.label_key())),
        Cell::Text(tr(l, &i.category.label_key())),
        Cell::Text(tr(l, &i.level.label_key())),
        Cell::Text(china_time(&i.occurred_at)),
        Cell::Text(china_time(&i.known_at)),
        Cell::Text(i.place.clone()),
        Cell::Int(i.deaths),
        Cell::Int(i.injured),
        Cell::Int(i.missing),
        Cell::Int(i64::from(i.reports)),
        Cell::Int(i64::from(i.late_reports)),
        Cell::Text(tr(
            l,
            if i.closed {
                "incident.closed"
            } else {
                "incident.open"
            },
        )),
        Cell::Text(
            i.next
                .map(|n| tr(l, &n.kind.label_key()))
                .unwrap_or_default(),
        ),
        Cell::Text(i.next.map(|n| china_time(&n.due_at)).unwrap_or_default()),
        Cell::Text(if i.overdue {
            tr(l, "incident.overdue")
        } else {
            String::new()
        }),
    ]
}

/// The list as .xlsx, with the same filters.
#[utoipa::path(get, path = "/api/v1/incidents/export.xlsx", tag = "emergency",
    params(IncidentFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn export(ctx: Ctx, q: Q<IncidentFilter>) -> Result<Response, Error> {
    let cfg = &ctx.config().incidents;
    let list = ctx.db().incidents().list(&query(q)?, cfg).await?;
    let l = ctx.lang;
    let cells: Vec<Vec<Cell>> = list.iter().map(|i| row(l, i)).collect();
    let bytes = xlsx::write_sheet(&tr(l, "incident.title"), &headers(l), &cells)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(bytes, "incidents.xlsx"))
}
