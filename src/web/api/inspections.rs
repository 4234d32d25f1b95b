//! API: Inspections, campaigns, cross-inspections and the self-inspection board.

use super::ApiResult;
use super::transfer::download;
use crate::domain::Code;
use crate::domain::ids::{CampaignId, CrossAssignmentId, InspectionId, OrgId};
use crate::error::Error;
use crate::storage::inspections::{
    Board, BoardQuery, Campaign, CampaignDetail, Checklist, ChecklistQuery, CrossAssignment,
    Inspection, InspectionDetail, InspectionFilter, NewCampaign, NewCrossRound, NewInspection,
};
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

fn grace(ctx: &Ctx) -> u32 {
    ctx.config().inspection.grace_days
}

/// The checklist of a school for an inspection kind: one row per active risk point (its check
/// items as the prompt) in zone and aspect order, plus a campaign's own items.
#[utoipa::path(get, path = "/api/v1/schools/{id}/checklist", tag = "inspections",
    params(("id" = i64, Path), ChecklistQuery),
    responses((status = 200, body = Checklist), (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn checklist(
    ctx: Ctx,
    Path(id): Path<i64>,
    q: Q<ChecklistQuery>,
) -> ApiResult<Checklist> {
    Ok(axum::Json(
        ctx.db()
            .inspections()
            .checklist(OrgId(id), &query(q)?)
            .await?,
    ))
}

/// Submits an inspection: stored whole or not at all; every failed item opens a hazard
/// pre-filled from its risk point.
#[utoipa::path(post, path = "/api/v1/schools/{id}/inspections", tag = "inspections",
    params(("id" = i64, Path)), request_body = NewInspection,
    responses((status = 201, body = InspectionDetail), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn submit(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewInspection>,
) -> Result<(StatusCode, axum::Json<InspectionDetail>), Error> {
    let d = ctx
        .db()
        .inspections()
        .submit(OrgId(id), &body, grace(&ctx))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(d)))
}

/// A school's inspections, newest first.
#[utoipa::path(get, path = "/api/v1/schools/{id}/inspections", tag = "inspections",
    params(("id" = i64, Path), InspectionFilter),
    responses((status = 200, body = Vec<Inspection>), (status = 404, body = Envelope)))]
pub async fn school_list(
    ctx: Ctx,
    Path(id): Path<i64>,
    q: Q<InspectionFilter>,
) -> ApiResult<Vec<Inspection>> {
    Ok(axum::Json(
        ctx.db()
            .inspections()
            .for_school(OrgId(id), &query(q)?, grace(&ctx))
            .await?,
    ))
}

/// Inspections of the schools under a district or city (default: the caller's own).
#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections",
    params(InspectionFilter),
    responses((status = 200, body = Vec<Inspection>), (status = 404, body = Envelope)))]
pub async fn list(ctx: Ctx, q: Q<InspectionFilter>) -> ApiResult<Vec<Inspection>> {
    Ok(axum::Json(
        ctx.db().inspections().list(&query(q)?, grace(&ctx)).await?,
    ))
}

/// One inspection with its items, photos and the hazards it opened.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "inspections",
    params(("id" = i64, Path)),
    responses((status = 200, body = InspectionDetail), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<InspectionDetail> {
    Ok(axum::Json(
        ctx.db()
            .inspections()
            .get(InspectionId(id), grace(&ctx))
            .await?,
    ))
}

/// The inspections of a period as .xlsx.
#[utoipa::path(get, path = "/api/v1/inspections/export.xlsx", tag = "inspections",
    params(InspectionFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope)))]
pub async fn export(ctx: Ctx, q: Q<InspectionFilter>) -> Result<Response, Error> {
    let rows = ctx.db().inspections().list(&query(q)?, grace(&ctx)).await?;
    let l = ctx.lang;
    let headers: Vec<String> = [
        "inspection.col.school_code",
        "inspection.col.school",
        "inspection.col.kind",
        "inspection.col.period",
        "inspection.col.campaign",
        "inspection.col.inspected_on",
        "inspection.col.submitted_at",
        "inspection.col.timeliness",
        "inspection.col.inspector",
        "inspection.col.total",
        "inspection.col.passed",
        "inspection.col.failed",
        "inspection.col.na",
        "inspection.col.note",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let cells: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|i| {
            vec![
                Cell::Text(i.school.code),
                Cell::Text(i.school.name),
                Cell::Text(tr(l, &i.kind.label_key())),
                Cell::Text(i.period.unwrap_or_default()),
                Cell::Text(i.campaign_name.unwrap_or_default()),
                Cell::Text(i.inspected_on.to_string()),
                Cell::Text(crate::web::pages::china_time(&i.submitted_at)),
                Cell::Text(
                    i.timeliness
                        .map(|s| tr(l, &format!("board.status.{}", s.as_str())))
                        .unwrap_or_default(),
                ),
                Cell::Text(i.inspector_name),
                Cell::Int(i64::from(i.total)),
                Cell::Int(i64::from(i.passed)),
                Cell::Int(i64::from(i.failed)),
                Cell::Int(i64::from(i.not_applicable)),
                Cell::Text(i.note),
            ]
        })
        .collect();
    let bytes = xlsx::write_sheet(&tr(l, "inspection.title"), &headers, &cells)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    let today = crate::storage::risk_points::today();
    Ok(download(bytes, &format!("inspections-{today}.xlsx")))
}

/// Campaigns the caller sees: the bureau's own, and those targeting the caller's school(s).
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "inspections",
    responses((status = 200, body = Vec<Campaign>)))]
pub async fn campaigns(ctx: Ctx) -> ApiResult<Vec<Campaign>> {
    Ok(axum::Json(ctx.db().inspections().list_campaigns().await?))
}

/// Issues a campaign to schools of the bureau (all of them when `school_ids` is empty) and
/// notifies their principals and safety directors.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "inspections", request_body = NewCampaign,
    responses((status = 201, body = CampaignDetail), (status = 403, body = Envelope), (status = 422, body = Envelope)))]
pub async fn create_campaign(
    ctx: Ctx,
    ApiJson(body): ApiJson<NewCampaign>,
) -> Result<(StatusCode, axum::Json<CampaignDetail>), Error> {
    let d = ctx.db().inspections().create_campaign(&body).await?;
    Ok((StatusCode::CREATED, axum::Json(d)))
}

/// A campaign with progress per target school (inspected, hazards found and closed).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "inspections", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignDetail), (status = 404, body = Envelope)))]
pub async fn campaign(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<CampaignDetail> {
    Ok(axum::Json(
        ctx.db().inspections().get_campaign(CampaignId(id)).await?,
    ))
}

/// Cross-inspection assignments: the bureau's rounds, a school user's own assignments.
#[utoipa::path(get, path = "/api/v1/cross-assignments", tag = "inspections",
    responses((status = 200, body = Vec<CrossAssignment>)))]
pub async fn cross_list(ctx: Ctx) -> ApiResult<Vec<CrossAssignment>> {
    Ok(axum::Json(ctx.db().inspections().list_cross().await?))
}

/// Assigns a round: inspectors of one school inspect another (never their own), notified.
#[utoipa::path(post, path = "/api/v1/cross-assignments", tag = "inspections", request_body = NewCrossRound,
    responses((status = 201, body = Vec<CrossAssignment>), (status = 403, body = Envelope), (status = 422, body = Envelope)))]
pub async fn cross_create(
    ctx: Ctx,
    ApiJson(body): ApiJson<NewCrossRound>,
) -> Result<(StatusCode, axum::Json<Vec<CrossAssignment>>), Error> {
    let v = ctx.db().inspections().create_cross(&body).await?;
    Ok((StatusCode::CREATED, axum::Json(v)))
}

/// One assignment (its inspector sees it although the target school is outside their scope).
#[utoipa::path(get, path = "/api/v1/cross-assignments/{id}", tag = "inspections", params(("id" = i64, Path)),
    responses((status = 200, body = CrossAssignment), (status = 404, body = Envelope)))]
pub async fn cross_get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<CrossAssignment> {
    Ok(axum::Json(
        ctx.db()
            .inspections()
            .get_cross(CrossAssignmentId(id))
            .await?,
    ))
}

/// The target school's checklist, for the assigned inspector (and those who see the target).
#[utoipa::path(get, path = "/api/v1/cross-assignments/{id}/checklist", tag = "inspections", params(("id" = i64, Path)),
    responses((status = 200, body = Checklist), (status = 404, body = Envelope)))]
pub async fn cross_checklist(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Checklist> {
    Ok(axum::Json(
        ctx.db()
            .inspections()
            .cross_checklist(CrossAssignmentId(id))
            .await?,
    ))
}

/// The assignment's one inspection, by the assigned inspector (`kind` is `cross`); 409 for
/// anyone else who sees it, for a second one and outside the window.
#[utoipa::path(post, path = "/api/v1/cross-assignments/{id}/inspection", tag = "inspections",
    params(("id" = i64, Path)), request_body = NewInspection,
    responses((status = 201, body = InspectionDetail), (status = 404, body = Envelope),
        (status = 409, body = Envelope), (status = 422, body = Envelope)))]
pub async fn cross_submit(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewInspection>,
) -> Result<(StatusCode, axum::Json<InspectionDetail>), Error> {
    let d = ctx
        .db()
        .inspections()
        .submit_cross(CrossAssignmentId(id), &body, grace(&ctx))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(d)))
}

/// The self-inspection board of a half-month: every school under `org_id` with
/// `on_time|late|missing|open` (missing first) and its campaign progress; a city gets counts
/// per district.
#[utoipa::path(get, path = "/api/v1/self-inspection-board", tag = "inspections", params(BoardQuery),
    responses((status = 200, body = Board), (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn board(ctx: Ctx, q: Q<BoardQuery>) -> ApiResult<Board> {
    Ok(axum::Json(
        ctx.db()
            .inspections()
            .board(&query(q)?, grace(&ctx))
            .await?,
    ))
}
