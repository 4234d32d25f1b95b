//! API: drills — `/api/v1/schools/{id}/drills`, `/api/v1/drills/{id}`, the compliance board
//! `/api/v1/drill-board` and its .xlsx export.

use super::ApiResult;
use super::transfer::download;
use crate::domain::Code;
use crate::domain::drill::ComplianceStatus;
use crate::domain::ids::{DrillId, OrgId};
use crate::error::Error;
use crate::storage::drills::{Drill, DrillBoard, DrillBoardQuery, DrillPatch, NewDrill};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use crate::web::i18n::tr;
use crate::xlsx::{self, Cell};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// A school's drills, the newest first.
#[utoipa::path(get, path = "/api/v1/schools/{id}/drills", tag = "emergency",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Drill>), (status = 404, body = Envelope)))]
pub async fn list(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<Drill>> {
    Ok(axum::Json(ctx.db().drills().list(OrgId(id)).await?))
}

/// Plans a drill (`planned_on`, today or later) or records one held (`held`: the head-count
/// adds up, the times are in order, the day is not in the future); problems found may open
/// hazards (`hazards`, source `drill`).
#[utoipa::path(post, path = "/api/v1/schools/{id}/drills", tag = "emergency",
    params(("id" = i64, Path)), request_body = NewDrill,
    responses((status = 201, body = Drill), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewDrill>,
) -> Result<(StatusCode, axum::Json<Drill>), Error> {
    let cfg = ctx.config().drills.clone();
    let d = ctx.db().drills().create(OrgId(id), body, &cfg).await?;
    Ok((StatusCode::CREATED, axum::Json(d)))
}

#[utoipa::path(get, path = "/api/v1/drills/{id}", tag = "emergency",
    params(("id" = i64, Path)),
    responses((status = 200, body = Drill), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Drill> {
    Ok(axum::Json(ctx.db().drills().get(DrillId(id)).await?))
}

/// Moves a plan, records it held (`held`), evaluates a held drill (problems, rating,
/// evaluation, `plan_needs_revision`, `hazards`), or cancels a plan (`"status":
/// "cancelled"`). An illegal step (a cancelled drill, cancelling a held one, re-planning a
/// held one, evaluating a plan) or a stale `version` is 409.
#[utoipa::path(patch, path = "/api/v1/drills/{id}", tag = "emergency",
    params(("id" = i64, Path)), request_body = DrillPatch,
    responses((status = 200, body = Drill), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DrillPatch>,
) -> ApiResult<Drill> {
    let cfg = ctx.config().drills.clone();
    Ok(axum::Json(
        ctx.db().drills().update(DrillId(id), body, &cfg).await?,
    ))
}

/// The drill board of a period (`2026-11`, `2026-Q4`, `2026-S1`; the current month by
/// default) under `org_id`: every school with each requirement that applies to it — `done`,
/// `missing`, `open`, `not_due` — missing first; a city gets counts per district. A period
/// in another shape is 422 on `period`.
#[utoipa::path(get, path = "/api/v1/drill-board", tag = "emergency", params(DrillBoardQuery),
    responses((status = 200, body = DrillBoard), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn board(ctx: Ctx, q: Q<DrillBoardQuery>) -> ApiResult<DrillBoard> {
    let cfg = ctx.config();
    Ok(axum::Json(
        ctx.db()
            .drills()
            .board(&query(q)?, &cfg.drills, &cfg.calendar, false)
            .await?,
    ))
}

/// The drill board as .xlsx: one row per school and requirement (a city's every school).
#[utoipa::path(get, path = "/api/v1/drill-board/export.xlsx", tag = "emergency",
    params(DrillBoardQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn export(ctx: Ctx, q: Q<DrillBoardQuery>) -> Result<Response, Error> {
    let cfg = ctx.config();
    let b = ctx
        .db()
        .drills()
        .board(&query(q)?, &cfg.drills, &cfg.calendar, true)
        .await?;
    let l = ctx.lang;
    let headers: Vec<String> = [
        "drill.col.school_code",
        "drill.col.school",
        "drill.col.district",
        "drill.col.requirement",
        "drill.col.every",
        "drill.col.held",
        "drill.col.required",
        "drill.col.status",
        "drill.col.last_held",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let mut cells: Vec<Vec<Cell>> = Vec::new();
    for r in &b.schools {
        let district = r
            .district
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let last = r.last_held_on.map(|d| d.to_string()).unwrap_or_default();
        let base = |req: String, every: String, held: i64, required: i64, s: ComplianceStatus| {
            vec![
                Cell::Text(r.school.code.clone()),
                Cell::Text(r.school.name.clone()),
                Cell::Text(district.clone()),
                Cell::Text(req),
                Cell::Text(every),
                Cell::Int(held),
                Cell::Int(required),
                Cell::Text(tr(l, &s.label_key())),
                Cell::Text(last.clone()),
            ]
        };
        if r.requirements.is_empty() {
            cells.push(base(String::new(), String::new(), 0, 0, r.status));
        }
        for c in &r.requirements {
            let held: i64 = c.windows.iter().map(|w| i64::from(w.held)).sum();
            let required: i64 = c.windows.iter().map(|w| i64::from(w.required)).sum();
            cells.push(base(
                tr(l, &c.code.label_key()),
                tr(l, &c.every.label_key()),
                held,
                required,
                c.status,
            ));
        }
    }
    let bytes = xlsx::write_sheet(&tr(l, "drill.board"), &headers, &cells)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(bytes, &format!("drills-{}.xlsx", b.period)))
}
