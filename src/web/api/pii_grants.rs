//! API: time-boxed grants to see minors' data whole (`/api/v1/pii-grants`): ask for one with
//! a reason, list and read them, approve, refuse or revoke one (T-PR-4).

use super::ApiResult;
use crate::domain::ids::PiiGrantId;
use crate::error::Error;
use crate::storage::pii_grants::{Grant, GrantDecision, GrantFilter, GrantRequest};
use crate::storage::views::Page;
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};
use axum::http::StatusCode;

/// The grants of the schools in scope, newest first (`state`, `org_id`, `mine` filter them).
#[utoipa::path(get, path = "/api/v1/pii-grants", tag = "privacy", params(GrantFilter),
    responses((status = 200, body = Page<Grant>), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn list(
    ctx: Ctx,
    q: Result<Query<GrantFilter>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Page<Grant>> {
    let Query(f) = q.map_err(|e| Error::validation(e.body_text()))?;
    Ok(axum::Json(ctx.db().pii_grants().list(&f).await?))
}

/// One grant of a school in scope.
#[utoipa::path(get, path = "/api/v1/pii-grants/{id}", tag = "privacy",
    params(("id" = i64, Path)),
    responses((status = 200, body = Grant), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Grant> {
    Ok(axum::Json(ctx.db().pii_grants().get(PiiGrantId(id)).await?))
}

/// Asks for a grant to see an object's minors' data whole (a route's riders), with a reason
/// and the hours it should last once approved; the approvers are notified.
#[utoipa::path(post, path = "/api/v1/pii-grants", tag = "privacy", request_body = GrantRequest,
    responses((status = 201, body = Grant), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn request(
    ctx: Ctx,
    ApiJson(body): ApiJson<GrantRequest>,
) -> Result<(StatusCode, axum::Json<Grant>), Error> {
    let max = ctx.config().privacy.unmask_grant_max_hours;
    let g = ctx.db().pii_grants().request(body, max).await?;
    Ok((StatusCode::CREATED, axum::Json(g)))
}

/// Approves or refuses a pending grant, or revokes one in force (`note` required to refuse
/// or revoke); never one's own request (403); a step the grant's state does not allow: 409.
#[utoipa::path(post, path = "/api/v1/pii-grants/{id}/actions", tag = "privacy",
    params(("id" = i64, Path)), request_body = GrantDecision,
    responses((status = 200, body = Grant), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn decide(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<GrantDecision>,
) -> ApiResult<Grant> {
    Ok(axum::Json(
        ctx.db().pii_grants().decide(PiiGrantId(id), body).await?,
    ))
}
