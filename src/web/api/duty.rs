//! API: holiday duty and the daily zero report — `/api/v1/duty-periods` (the bureau sets one
//! up), a unit's roster, its daily reports, the duty officer's check-ins, the bureau's phone
//! spot checks, and `/api/v1/zero-report-board` (and its .xlsx).

use super::ApiResult;
use super::transfer::download;
use crate::domain::Code;
use crate::domain::ids::{DutyPeriodId, DutySpotCheckId, OrgId};
use crate::error::Error;
use crate::storage::duty::{
    CheckIn, DayQuery, DutyPeriodView, NewCheckIn, NewDutyPeriod, NewReport, NewSpotCheck, Report,
    Roster, RosterInput, SpotCheck, SpotCheckCorrection, ZeroBoard, ZeroBoardQuery,
};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use crate::web::i18n::tr;
use crate::web::pages::china_time;
use crate::xlsx::{self, Cell};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;

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
/// `"incidents"` (what happened) and/or `"incident_ids"` (the unit's incident reports; another
/// unit's is 422 on `incident_ids[i]`). On time up to the period's cutoff (China time), late after it; a date
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

/// The duty officer checks in for today (China time) at a unit of the period: 201, or 200
/// when the same person already checked in today. A day outside the period is 422 on `date`.
#[utoipa::path(post, path = "/api/v1/duty-periods/{id}/check-ins", tag = "emergency",
    params(("id" = i64, Path)), request_body = NewCheckIn,
    responses((status = 201, body = CheckIn), (status = 200, body = CheckIn),
        (status = 403, body = Envelope), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn check_in(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewCheckIn>,
) -> Result<(StatusCode, axum::Json<CheckIn>), Error> {
    let (c, new) = ctx.db().duty().check_in(DutyPeriodId(id), body).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(c)))
}

/// The check-ins of the units the caller sees (one `date`, one `school_id`), the latest first.
#[utoipa::path(get, path = "/api/v1/duty-periods/{id}/check-ins", tag = "emergency",
    params(("id" = i64, Path), DayQuery),
    responses((status = 200, body = Vec<CheckIn>), (status = 404, body = Envelope)))]
pub async fn check_ins(ctx: Ctx, Path(id): Path<i64>, q: Q<DayQuery>) -> ApiResult<Vec<CheckIn>> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    Ok(axum::Json(
        ctx.db().duty().check_ins(DutyPeriodId(id), &q).await?,
    ))
}

/// The bureau records a phone spot check of a unit's duty phone: answered, or called back
/// within `[duty] callback_minutes` (5) — `called_back` — or later, or not at all.
#[utoipa::path(post, path = "/api/v1/duty-periods/{id}/spot-checks", tag = "emergency",
    params(("id" = i64, Path)), request_body = NewSpotCheck,
    responses((status = 201, body = SpotCheck), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn spot_check(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewSpotCheck>,
) -> Result<(StatusCode, axum::Json<SpotCheck>), Error> {
    let cfg = ctx.config().duty;
    let s = ctx
        .db()
        .duty()
        .spot_check(DutyPeriodId(id), body, &cfg)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(s)))
}

/// The bureau corrects a spot check it recorded (its own, or one of a bureau below it): the
/// outcome restated, the other fields when they change, and why (`reason`). The values it
/// replaces are kept in the check's `revisions`; a correction that changes nothing stores
/// nothing. A check of another period, or of a unit the caller does not see: 404.
#[utoipa::path(patch, path = "/api/v1/duty-periods/{id}/spot-checks/{check_id}",
    tag = "emergency",
    params(("id" = i64, Path), ("check_id" = i64, Path)), request_body = SpotCheckCorrection,
    responses((status = 200, body = SpotCheck), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn correct_spot_check(
    ctx: Ctx,
    Path((id, check)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<SpotCheckCorrection>,
) -> ApiResult<SpotCheck> {
    let cfg = ctx.config().duty;
    Ok(axum::Json(
        ctx.db()
            .duty()
            .correct_spot_check(DutyPeriodId(id), DutySpotCheckId(check), body, &cfg)
            .await?,
    ))
}

/// The spot checks of the units the caller sees (one `date`, one `school_id`), the latest
/// first, each with its corrections.
#[utoipa::path(get, path = "/api/v1/duty-periods/{id}/spot-checks", tag = "emergency",
    params(("id" = i64, Path), DayQuery),
    responses((status = 200, body = Vec<SpotCheck>), (status = 404, body = Envelope)))]
pub async fn spot_checks(
    ctx: Ctx,
    Path(id): Path<i64>,
    q: Q<DayQuery>,
) -> ApiResult<Vec<SpotCheck>> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    Ok(axum::Json(
        ctx.db().duty().spot_checks(DutyPeriodId(id), &q).await?,
    ))
}

/// The daily board as .xlsx: one row per unit for `date` (today by default), missing first.
#[utoipa::path(get, path = "/api/v1/zero-report-board/export.xlsx", tag = "emergency",
    params(ZeroBoardQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn board_export(ctx: Ctx, q: Q<ZeroBoardQuery>) -> Result<Response, Error> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    let b = ctx.db().duty().board(&q).await?;
    let l = ctx.lang;
    let headers: Vec<String> = [
        "duty.col.school_code",
        "duty.unit",
        "board.status_col",
        "duty.submitted_at",
        "duty.content",
        "duty.roster",
        "duty.without_leader",
        "duty.check_ins",
        "duty.spot_checks",
        "duty.spot_checks_failed",
        "duty.so_far_late",
        "duty.so_far_missing",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let cells: Vec<Vec<Cell>> = b
        .schools
        .iter()
        .map(|r| {
            let content = match r.zero {
                Some(true) => tr(l, "duty.nothing"),
                Some(false) => r.incidents.clone(),
                None => String::new(),
            };
            vec![
                Cell::Text(r.school.code.clone()),
                Cell::Text(r.school.name.clone()),
                Cell::Text(tr(l, &r.status.label_key())),
                Cell::Text(r.submitted_at.as_ref().map(china_time).unwrap_or_default()),
                Cell::Text(content),
                Cell::Text(tr(
                    l,
                    if r.roster_submitted {
                        "common.yes"
                    } else {
                        "common.no"
                    },
                )),
                Cell::Int(i64::from(r.days_without_leader)),
                Cell::Int(i64::from(r.check_ins)),
                Cell::Int(i64::from(r.spot_checks)),
                Cell::Int(i64::from(r.spot_checks_failed)),
                Cell::Int(i64::from(r.so_far.late)),
                Cell::Int(i64::from(r.so_far.missing)),
            ]
        })
        .collect();
    let bytes = xlsx::write_sheet(&tr(l, "duty.board"), &headers, &cells)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(bytes, &format!("zero-reports-{}.xlsx", b.date)))
}
