//! `GET|POST /api/v1/schools`, `GET|PATCH /api/v1/schools/{id}`.

use super::ApiResult;
use crate::domain::ids::OrgId;
use crate::storage::orgs::{NewSchool, SchoolFilter, SchoolPatch};
use crate::storage::views::{Page, School};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};

/// Schools in scope, a page at a time (`page` from 1, `per_page` 1 to 200, default 50; out of
/// range → 422; a page past the end is empty), filtered by kind, text and district.
#[utoipa::path(get, path = "/api/v1/schools", tag = "schools", params(SchoolFilter),
    responses((status = 200, body = Page<School>), (status = 422, body = Envelope)))]
pub async fn list(
    ctx: Ctx,
    q: Result<Query<SchoolFilter>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Page<School>> {
    let Query(f) = q.map_err(|e| crate::Error::validation(e.body_text()))?;
    Ok(axum::Json(ctx.db().schools().list(&f).await?))
}

#[utoipa::path(post, path = "/api/v1/schools", tag = "schools", request_body = NewSchool,
    responses((status = 200, body = School), (status = 422, body = Envelope)))]
pub async fn create(ctx: Ctx, ApiJson(body): ApiJson<NewSchool>) -> ApiResult<School> {
    Ok(axum::Json(ctx.db().schools().create(body).await?))
}

#[utoipa::path(get, path = "/api/v1/schools/{id}", tag = "schools", params(("id" = i64, Path)),
    responses((status = 200, body = School), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<School> {
    Ok(axum::Json(ctx.db().schools().get(OrgId(id)).await?))
}

#[utoipa::path(patch, path = "/api/v1/schools/{id}", tag = "schools", params(("id" = i64, Path)),
    request_body = SchoolPatch,
    responses((status = 200, body = School), (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SchoolPatch>,
) -> ApiResult<School> {
    Ok(axum::Json(
        ctx.db().schools().update(OrgId(id), body).await?,
    ))
}
