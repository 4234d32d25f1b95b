//! `GET /api/v1/orgs`, `GET /api/v1/orgs/{id}`, `POST /api/v1/orgs`.

use super::ApiResult;
use crate::domain::ids::OrgId;
use crate::storage::orgs::NewOrg;
use crate::storage::views::Org;
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::Path;

/// The org nodes (city, districts) in the caller's scope.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", responses((status = 200, body = Vec<Org>)))]
pub async fn list(ctx: Ctx) -> ApiResult<Vec<Org>> {
    Ok(axum::Json(ctx.db().orgs().list().await?))
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)),
    responses((status = 200, body = Org), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Org> {
    Ok(axum::Json(ctx.db().orgs().get(OrgId(id)).await?))
}

/// Creates a city or district node (system admin).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = NewOrg,
    responses((status = 200, body = Org), (status = 422, body = Envelope)))]
pub async fn create(ctx: Ctx, ApiJson(body): ApiJson<NewOrg>) -> ApiResult<Org> {
    Ok(axum::Json(ctx.db().orgs().create(body).await?))
}
