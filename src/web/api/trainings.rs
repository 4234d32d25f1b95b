//! API: a training's attendance from an .xlsx sheet
//! (`/api/v1/trainings/{id}/attendance`) and who of a group had the year's training
//! (`/api/v1/training-compliance`).

use super::ApiResult;
use super::transfer::{Upload, read_table, translate};
use crate::domain::ids::TrainingId;
use crate::error::Error;
use crate::storage::training_attendance::{
    ATTENDANCE_FIELDS, ATTENDANCE_REQUIRED, ComplianceQuery, TrainingCompliance,
};
use crate::storage::transfer::ImportReport;
use crate::web::ctx::Ctx;
use crate::web::error::Envelope;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Adds the people of a sheet (columns 姓名, and 岗位 or 电话 where a name is not enough) to a
/// school's training: every row must name one person of the school, once; a bad row → 422
/// with the row-by-row report and nothing changed.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/attendance", tag = "work_plan",
    params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportReport), (status = 422, body = super::transfer::ImportRefusal),
        (status = 403, body = Envelope), (status = 404, body = Envelope)))]
pub async fn attendance(
    ctx: Ctx,
    Path(id): Path<i64>,
    Upload(bytes): Upload,
) -> Result<Response, Error> {
    let (rows, cols) = read_table(&bytes, ATTENDANCE_FIELDS, ATTENDANCE_REQUIRED)?;
    let r = ctx
        .db()
        .work_records()
        .import_attendance(TrainingId(id), &rows, &cols)
        .await?;
    let status = if r.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, axum::Json(translate(r, ctx.lang))).into_response())
}

/// The people of `group` under `org_id` (the caller's node by default) and whether a
/// training of that group named them in `year` (this year by default), the untrained first.
#[utoipa::path(get, path = "/api/v1/training-compliance", tag = "work_plan",
    params(ComplianceQuery),
    responses((status = 200, body = TrainingCompliance), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn compliance(
    ctx: Ctx,
    q: Result<Query<ComplianceQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<TrainingCompliance> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    Ok(axum::Json(
        ctx.db().work_records().training_compliance(&q).await?,
    ))
}
