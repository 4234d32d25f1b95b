//! Campus zones: `/api/v1/schools/{id}/zones`, `/api/v1/zones/{id}`.

use super::ApiResult;
use crate::domain::ids::{OrgId, ZoneId};
use crate::storage::views::Zone;
use crate::storage::zones::ZoneInput;
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::Path;

#[utoipa::path(get, path = "/api/v1/schools/{id}/zones", tag = "zones", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Zone>), (status = 404, body = Envelope)))]
pub async fn list(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<Zone>> {
    Ok(axum::Json(ctx.db().zones().list(OrgId(id)).await?))
}

#[utoipa::path(post, path = "/api/v1/schools/{id}/zones", tag = "zones", params(("id" = i64, Path)),
    request_body = ZoneInput, responses((status = 200, body = Zone), (status = 422, body = Envelope)))]
pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ZoneInput>,
) -> ApiResult<Zone> {
    Ok(axum::Json(ctx.db().zones().create(OrgId(id), body).await?))
}

#[utoipa::path(get, path = "/api/v1/zones/{id}", tag = "zones", params(("id" = i64, Path)),
    responses((status = 200, body = Zone), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Zone> {
    Ok(axum::Json(ctx.db().zones().get(ZoneId(id)).await?))
}

#[utoipa::path(put, path = "/api/v1/zones/{id}", tag = "zones", params(("id" = i64, Path)),
    request_body = ZoneInput, responses((status = 200, body = Zone), (status = 404, body = Envelope)))]
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ZoneInput>,
) -> ApiResult<Zone> {
    Ok(axum::Json(ctx.db().zones().update(ZoneId(id), body).await?))
}
