//! People of a school: `/api/v1/schools/{id}/people`, `/api/v1/people/{id}`.

use super::ApiResult;
use crate::domain::ids::{OrgId, PersonId};
use crate::storage::people::PersonInput;
use crate::storage::views::Person;
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::Path;
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/schools/{id}/people", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Person>), (status = 404, body = Envelope)))]
pub async fn list(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<Person>> {
    Ok(axum::Json(ctx.db().people().list(OrgId(id)).await?))
}

#[utoipa::path(post, path = "/api/v1/schools/{id}/people", tag = "people", params(("id" = i64, Path)),
    request_body = PersonInput, responses((status = 200, body = Person), (status = 422, body = Envelope)))]
pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PersonInput>,
) -> ApiResult<Person> {
    Ok(axum::Json(ctx.db().people().create(OrgId(id), body).await?))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Person), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Person> {
    Ok(axum::Json(ctx.db().people().get(PersonId(id)).await?))
}

#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "people", params(("id" = i64, Path)),
    request_body = PersonInput, responses((status = 200, body = Person), (status = 404, body = Envelope)))]
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PersonInput>,
) -> ApiResult<Person> {
    Ok(axum::Json(
        ctx.db().people().update(PersonId(id), body).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Envelope)))]
pub async fn remove(ctx: Ctx, Path(id): Path<i64>) -> Result<StatusCode, crate::Error> {
    ctx.db().people().remove(PersonId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
