//! Accounts (system admin) and grants (security admin).

use super::ApiResult;
use crate::domain::ids::UserId;
use crate::storage::users::{AccountOp, Grant, NewUser, UserFilter};
use crate::storage::views::{Page, User};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};

#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(UserFilter),
    responses((status = 200, body = Page<User>)))]
pub async fn list(
    ctx: Ctx,
    q: Result<Query<UserFilter>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Page<User>> {
    let Query(f) = q.map_err(|e| crate::Error::validation(e.body_text()))?;
    Ok(axum::Json(ctx.db().users().list(&f).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewUser,
    responses((status = 200, body = User), (status = 422, body = Envelope)))]
pub async fn create(ctx: Ctx, ApiJson(body): ApiJson<NewUser>) -> ApiResult<User> {
    Ok(axum::Json(
        ctx.db()
            .users()
            .create(body, &ctx.config().security)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<User> {
    Ok(axum::Json(ctx.db().users().get(UserId(id)).await?))
}

/// Disable, enable, or reset the password of an account (system admin).
#[utoipa::path(post, path = "/api/v1/users/{id}/account", tag = "admin", params(("id" = i64, Path)),
    request_body = AccountOp, responses((status = 200, body = User), (status = 404, body = Envelope)))]
pub async fn account(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AccountOp>,
) -> ApiResult<User> {
    Ok(axum::Json(
        ctx.db()
            .users()
            .account_op(UserId(id), body, &ctx.config().security)
            .await?,
    ))
}

/// Lifts an account's sign-in lockout and the throttles kept for it (security admin).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = Envelope)))]
pub async fn unlock(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<User> {
    Ok(axum::Json(ctx.db().users().unlock(UserId(id)).await?))
}

/// Grants a role and the org node of its scope.
#[utoipa::path(put, path = "/api/v1/users/{id}/grant", tag = "admin", params(("id" = i64, Path)),
    request_body = Grant, responses((status = 200, body = User), (status = 422, body = Envelope)))]
pub async fn grant(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Grant>,
) -> ApiResult<User> {
    Ok(axum::Json(ctx.db().users().grant(UserId(id), body).await?))
}
