//! The device registry of the early warning: `/api/v1/schools/{id}/devices`,
//! `/api/v1/devices/{id}` (with its token and its refused payloads).

use super::ApiResult;
use crate::domain::ids::{DeviceId, OrgId};
use crate::error::Error;
use crate::storage::devices::{
    Device, DevicePatch, DeviceToken, NewDevice, NewDeviceWithToken, Rejection,
};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::Path;
use axum::http::StatusCode;

fn offline(ctx: &Ctx) -> u32 {
    ctx.config().devices.offline_minutes
}

/// A school's devices, by code.
#[utoipa::path(get, path = "/api/v1/schools/{id}/devices", tag = "warnings",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Device>), (status = 404, body = Envelope)))]
pub async fn list(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<Device>> {
    Ok(axum::Json(
        ctx.db().devices().list(OrgId(id), offline(&ctx)).await?,
    ))
}

/// Registers a device; the answer carries its token, shown this once.
#[utoipa::path(post, path = "/api/v1/schools/{id}/devices", tag = "warnings",
    params(("id" = i64, Path)), request_body = NewDevice,
    responses((status = 201, body = NewDeviceWithToken), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewDevice>,
) -> Result<(StatusCode, axum::Json<NewDeviceWithToken>), Error> {
    let d = ctx
        .db()
        .devices()
        .create(OrgId(id), body, offline(&ctx))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(d)))
}

#[utoipa::path(get, path = "/api/v1/devices/{id}", tag = "warnings",
    params(("id" = i64, Path)),
    responses((status = 200, body = Device), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Device> {
    Ok(axum::Json(
        ctx.db().devices().get(DeviceId(id), offline(&ctx)).await?,
    ))
}

/// Renames, re-codes or moves a device; `"revoked": true` withdraws its token.
#[utoipa::path(patch, path = "/api/v1/devices/{id}", tag = "warnings",
    params(("id" = i64, Path)), request_body = DevicePatch,
    responses((status = 200, body = Device), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DevicePatch>,
) -> ApiResult<Device> {
    Ok(axum::Json(
        ctx.db()
            .devices()
            .update(DeviceId(id), body, offline(&ctx))
            .await?,
    ))
}

/// Issues a new token, shown this once; the old one stops working.
#[utoipa::path(post, path = "/api/v1/devices/{id}/token", tag = "warnings",
    params(("id" = i64, Path)),
    responses((status = 200, body = DeviceToken), (status = 404, body = Envelope)))]
pub async fn token(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<DeviceToken> {
    Ok(axum::Json(
        ctx.db().devices().rotate_token(DeviceId(id)).await?,
    ))
}

/// The newest payloads the device sent that were refused, with the reasons.
#[utoipa::path(get, path = "/api/v1/devices/{id}/rejections", tag = "warnings",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Rejection>), (status = 404, body = Envelope)))]
pub async fn rejections(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<Rejection>> {
    Ok(axum::Json(
        ctx.db().devices().rejections(DeviceId(id)).await?,
    ))
}
