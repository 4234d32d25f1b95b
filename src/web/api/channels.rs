//! Outbound notifications of warnings: the bureaus' channels,
//! `/api/v1/notification-channels`, and their delivery log, `/api/v1/notification-deliveries`.

use super::ApiResult;
use crate::error::Error;
use crate::storage::outbox::{Channel, ChannelPatch, DeliveryFilter, DeliveryList, NewChannel};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};
use axum::http::StatusCode;

/// The channels of the caller's bureau and the bureaus below it (a secret shows only as
/// `secret_set`).
#[utoipa::path(get, path = "/api/v1/notification-channels", tag = "warnings",
    responses((status = 200, body = Vec<Channel>)))]
pub async fn list(ctx: Ctx) -> ApiResult<Vec<Channel>> {
    Ok(axum::Json(ctx.db().channels().list().await?))
}

/// Adds a channel to a district or city in scope: new warnings of its schools at least
/// `min_level` severe are sent there (a school's id is 422 on `org_id`).
#[utoipa::path(post, path = "/api/v1/notification-channels", tag = "warnings",
    request_body = NewChannel,
    responses((status = 201, body = Channel), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn create(
    ctx: Ctx,
    ApiJson(body): ApiJson<NewChannel>,
) -> Result<(StatusCode, axum::Json<Channel>), Error> {
    let c = ctx.db().channels().create(body).await?;
    Ok((StatusCode::CREATED, axum::Json(c)))
}

/// Changes a channel: its name, target, secret (`""` removes it), minimum level, or turns
/// it off.
#[utoipa::path(patch, path = "/api/v1/notification-channels/{id}", tag = "warnings",
    params(("id" = i64, Path)), request_body = ChannelPatch,
    responses((status = 200, body = Channel), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ChannelPatch>,
) -> ApiResult<Channel> {
    Ok(axum::Json(ctx.db().channels().update(id, body).await?))
}

/// The delivery log of the channels in scope, newest first: each warning sent to each
/// channel, `pending`, `sent` or `failed`, with its attempts and last error.
#[utoipa::path(get, path = "/api/v1/notification-deliveries", tag = "warnings",
    params(DeliveryFilter),
    responses((status = 200, body = DeliveryList), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn deliveries(ctx: Ctx, Query(f): Query<DeliveryFilter>) -> ApiResult<DeliveryList> {
    Ok(axum::Json(ctx.db().channels().deliveries(&f).await?))
}
