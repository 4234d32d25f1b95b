//! API: the security register — a school's guards and technical protection with every
//! shortfall against the rules (`/api/v1/schools/{id}/security-equipment`), an entry's
//! change (`/api/v1/security-equipment/{id}`) and the bureau's roll-up of shortfalls
//! (`/api/v1/security-equipment`).

use super::ApiResult;
use crate::domain::ids::{EquipmentId, OrgId};
use crate::error::Error;
use crate::storage::security::{EntryPatch, NewEntry, Register, RollupQuery, RollupRow};
use crate::storage::views::OrgRef;
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// A school's register: its entries (each with the early warning's devices it is: code,
/// online, last seen), the guards it has and needs, and each shortfall named
/// (`guards_short`, `guard_no_licence`, `guard_over_age`, `no_one_key_alarm`,
/// `alarm_not_linked`, `no_video`, `video_retention_short`, `no_perimeter`,
/// `no_anti_collision`, `no_dorm_access_control`, `not_working`).
#[utoipa::path(get, path = "/api/v1/schools/{id}/security-equipment", tag = "work_plan",
    params(("id" = i64, Path)),
    responses((status = 200, body = Register), (status = 404, body = Envelope)))]
pub async fn register(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Register> {
    let rules = ctx.config().security_register;
    Ok(axum::Json(
        ctx.db()
            .security()
            .register(OrgId(id), &rules, ctx.config().devices.offline_minutes)
            .await?,
    ))
}

/// Registers a guard or a device of the school; the register after it.
#[utoipa::path(post, path = "/api/v1/schools/{id}/security-equipment", tag = "work_plan",
    params(("id" = i64, Path)), request_body = NewEntry,
    responses((status = 201, body = Register), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn add(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewEntry>,
) -> Result<(StatusCode, axum::Json<Register>), Error> {
    let rules = ctx.config().security_register;
    let offline = ctx.config().devices.offline_minutes;
    let r = ctx
        .db()
        .security()
        .add(OrgId(id), body, &rules, offline)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(r)))
}

/// Changes an entry (a fault found or repaired, the recording days, the police link, a
/// licence, retired); a retired entry is 409. Retiring an entry revokes its devices' tokens.
#[utoipa::path(patch, path = "/api/v1/security-equipment/{id}", tag = "work_plan",
    params(("id" = i64, Path)), request_body = EntryPatch,
    responses((status = 200, body = Register), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<EntryPatch>,
) -> ApiResult<Register> {
    let rules = ctx.config().security_register;
    Ok(axum::Json(
        ctx.db()
            .security()
            .update(
                EquipmentId(id),
                body,
                &rules,
                ctx.config().devices.offline_minutes,
            )
            .await?,
    ))
}

/// The bureau's roll-up.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rollup {
    pub org: OrgRef,
    pub schools: Vec<RollupRow>,
}

/// Every school under `org_id` (the caller's node by default) with its shortfalls, the most
/// first.
#[utoipa::path(get, path = "/api/v1/security-equipment", tag = "work_plan", params(RollupQuery),
    responses((status = 200, body = Rollup), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn rollup(ctx: Ctx, q: Q<RollupQuery>) -> ApiResult<Rollup> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    let rules = ctx.config().security_register;
    let (org, schools) = ctx.db().security().rollup(&q, &rules).await?;
    Ok(axum::Json(Rollup { org, schools }))
}
