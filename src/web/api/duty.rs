//! API: holiday duty and the daily zero report — `/api/v1/duty-periods` (the bureau sets one
//! up), a unit's roster, its daily reports, and `/api/v1/zero-report-board`.

use super::ApiResult;
use crate::domain::ids::{DutyPeriodId, OrgId};
use crate::error::Error;
use crate::storage::duty::{
    DutyPeriodView, NewDutyPeriod, NewReport, Report, Roster, RosterInput, ZeroBoard,
    ZeroBoardQuery,
};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};
use axum::http::StatusCode;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// The duty periods the caller sees (its bureau's, or those its school reports in), the
/// latest first.
#[utoipa::path(get, path = "/api/v1/duty-periods", tag = "emergency",
    responses((status = 200, body = Vec<DutyPeriodView>)))]
pub async fn list(ctx: Ctx) -> ApiResult<Vec<DutyPeriodView>> {
    Ok(axum::Json(ctx.db().duty().list().await?))
}

/// Sets up a duty period of a bureau (`org_id`, the caller's own by default) with its units
/// (`school_ids`, every school below it by default) and the daily cutoff (`[duty]
/// daily_cutoff`, 15:00 China time, by default).
#[utoipa::path(post, path = "/api/v1/duty-periods", tag = "emergency",
    request_body = NewDutyPeriod,
    responses((status = 201, body = DutyPeriodView), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn create(
    ctx: Ctx,
    ApiJson(body): ApiJson<NewDutyPeriod>,
) -> Result<(StatusCode, axum::Json<DutyPeriodView>), Error> {
    let cfg = ctx.config().duty;
    let p = ctx.db().duty().create(body, &cfg).await?;
    Ok((StatusCode::CREATED, axum::Json(p)))
}

#[utoipa::path(get, path = "/api/v1/duty-periods/{id}", tag = "emergency",
    params(("id" = i64, Path)),
    responses((status = 200, body = DutyPeriodView), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<DutyPeriodView> {
    Ok(axum::Json(ctx.db().duty().get(DutyPeriodId(id)).await?))
}

/// A unit's roster (every day uncovered until one is submitted).
#[utoipa::path(get, path = "/api/v1/duty-periods/{id}/rosters/{school_id}", tag = "emergency",
    params(("id" = i64, Path), ("school_id" = i64, Path)),
    responses((status = 200, body = Roster), (status = 404, body = Envelope)))]
pub async fn roster(ctx: Ctx, Path((id, school)): Path<(i64, i64)>) -> ApiResult<Roster> {
    Ok(axum::Json(
        ctx.db()
            .duty()
            .roster(DutyPeriodId(id), OrgId(school))
            .await?,
    ))
}

/// Submits (replaces) a unit's roster: every day of the period covered by an officer (else
/// 422 on `days`), names and phones checked; days without a leader are flagged in the answer
/// (`without_leader`).
#[utoipa::path(put, path = "/api/v1/duty-periods/{id}/rosters/{school_id}", tag = "emergency",
    params(("id" = i64, Path), ("school_id" = i64, Path)), request_body = RosterInput,
    responses((status = 200, body = Roster), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn put_roster(
    ctx: Ctx,
    Path((id, school)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<RosterInput>,
) -> ApiResult<Roster> {
    Ok(axum::Json(
        ctx.db()
            .duty()
            .put_roster(DutyPeriodId(id), OrgId(school), body)
            .await?,
    ))
}

/// Files a unit's daily report: `{"school_id", "date", "zero": true}` (零报告) or with
/// `"incidents"`. On time up to the period's cutoff (China time), late after it; a date
/// outside the period, or whose day has not begun, is 422 on `date`. A second report of the
/// same day updates the first (200; its timeliness stays the first one's).
#[utoipa::path(post, path = "/api/v1/duty-periods/{id}/reports", tag = "emergency",
    params(("id" = i64, Path)), request_body = NewReport,
    responses((status = 201, body = Report), (status = 200, body = Report),
        (status = 403, body = Envelope), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn report(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewReport>,
) -> Result<(StatusCode, axum::Json<Report>), Error> {
    let (r, new) = ctx.db().duty().report(DutyPeriodId(id), body).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(r)))
}

/// The daily board of a period: for `date` (today by default) every unit with `on_time`,
/// `late`, `missing` or `open` (missing first) and its counts so far; each day's counts, the
/// latest first.
#[utoipa::path(get, path = "/api/v1/zero-report-board", tag = "emergency", params(ZeroBoardQuery),
    responses((status = 200, body = ZeroBoard), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn board(ctx: Ctx, q: Q<ZeroBoardQuery>) -> ApiResult<ZeroBoard> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    Ok(axum::Json(ctx.db().duty().board(&q).await?))
}
