//! API: the work plan — `/api/v1/work-plans` (items and obligations inside, `copy`), the
//! compliance calendar `/api/v1/compliance` and its .xlsx export, and the evidence the plan
//! counts that no other module records: `/api/v1/meetings`, `/api/v1/trainings`,
//! `/api/v1/education-activities`.

use super::ApiResult;
use super::transfer::download;
use crate::domain::Code;
use crate::domain::ids::{OrgId, WorkPlanId};
use crate::domain::work_plan::PlanPeriod;
use crate::error::Error;
use crate::storage::compliance::Calendar;
use crate::storage::work_plans::{
    CopyWorkPlan, NewWorkPlan, WorkPlan, WorkPlanPatch, WorkPlanSummary,
};
use crate::storage::work_records::{
    Activity, Meeting, NewActivity, NewMeeting, NewTraining, Training,
};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use crate::web::i18n::tr;
use crate::xlsx::{self, Cell};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;
type Created<T> = Result<(StatusCode, axum::Json<T>), Error>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// Which plans: of one district.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    pub district_id: Option<i64>,
}

/// Whose records or calendar: an org in scope (the caller's own by default).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrgQuery {
    pub org_id: Option<i64>,
}

/// The calendar's org and period (`2026-11-03`, `2026-11-H1`, `2026-11`, `2026-Q4`,
/// `2026-S1`, `2026`; the current month by default).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CalendarQuery {
    pub org_id: Option<i64>,
    pub period: Option<String>,
}

/// Parses a period (422 on `period`).
pub fn parse_period(s: Option<&str>) -> Result<Option<PlanPeriod>, Error> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|k: &'static str| Error::field("period", k)),
    }
}

/// The work plans the caller reads (of its district and those in its scope), newest first.
#[utoipa::path(get, path = "/api/v1/work-plans", tag = "work_plan", params(PlanQuery),
    responses((status = 200, body = Vec<WorkPlanSummary>), (status = 404, body = Envelope)))]
pub async fn list(ctx: Ctx, q: Q<PlanQuery>) -> ApiResult<Vec<WorkPlanSummary>> {
    let q = query(q)?;
    Ok(axum::Json(
        ctx.db().work_plans().list(q.district_id.map(OrgId)).await?,
    ))
}

/// A new plan of a district for a year (the data file's format: title, items with their
/// obligations). A year that has a plan is 409.
#[utoipa::path(post, path = "/api/v1/work-plans", tag = "work_plan", request_body = NewWorkPlan,
    responses((status = 201, body = WorkPlan), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn create(ctx: Ctx, ApiJson(body): ApiJson<NewWorkPlan>) -> Created<WorkPlan> {
    let p = ctx.db().work_plans().create(body).await?;
    Ok((StatusCode::CREATED, axum::Json(p)))
}

/// A plan with its items, obligations and versions.
#[utoipa::path(get, path = "/api/v1/work-plans/{id}", tag = "work_plan",
    params(("id" = i64, Path)),
    responses((status = 200, body = WorkPlan), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<WorkPlan> {
    Ok(axum::Json(ctx.db().work_plans().get(WorkPlanId(id)).await?))
}

/// Edits a plan: its title and/or its items (an item or obligation with its `id` is kept and
/// changed, one without is added, one left out is removed). Every change is a new version;
/// a stale `version` is 409.
#[utoipa::path(patch, path = "/api/v1/work-plans/{id}", tag = "work_plan",
    params(("id" = i64, Path)), request_body = WorkPlanPatch,
    responses((status = 200, body = WorkPlan), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WorkPlanPatch>,
) -> ApiResult<WorkPlan> {
    Ok(axum::Json(
        ctx.db().work_plans().update(WorkPlanId(id), body).await?,
    ))
}

/// Copies a plan into another year of its district (the next one by default): a new year's
/// plan starts as last year's. A year that has a plan is 409.
#[utoipa::path(post, path = "/api/v1/work-plans/{id}/copy", tag = "work_plan",
    params(("id" = i64, Path)), request_body = CopyWorkPlan,
    responses((status = 201, body = WorkPlan), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn copy(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CopyWorkPlan>,
) -> Created<WorkPlan> {
    let p = ctx.db().work_plans().copy(WorkPlanId(id), body).await?;
    Ok((StatusCode::CREATED, axum::Json(p)))
}

/// The compliance calendar: for every org under `org_id` (a school, a district, a city) and
/// every obligation of its district's plan, each period overlapping `period` with its status
/// (`due`, `done`, `late`, `missed`) and the records behind it. A period in another shape is
/// 422 on `period`.
#[utoipa::path(get, path = "/api/v1/compliance", tag = "work_plan", params(CalendarQuery),
    responses((status = 200, body = Calendar), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn compliance(ctx: Ctx, q: Q<CalendarQuery>) -> ApiResult<Calendar> {
    let q = query(q)?;
    let period = parse_period(q.period.as_deref())?;
    let cal = ctx.config().calendar.clone();
    Ok(axum::Json(
        ctx.db()
            .compliance()
            .calendar(q.org_id.map(OrgId), period, &cal)
            .await?,
    ))
}

/// The compliance calendar as .xlsx: one row per org, obligation and period.
#[utoipa::path(get, path = "/api/v1/compliance/export.xlsx", tag = "work_plan",
    params(CalendarQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn export(ctx: Ctx, q: Q<CalendarQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let period = parse_period(q.period.as_deref())?;
    let cal = ctx.config().calendar.clone();
    let c = ctx
        .db()
        .compliance()
        .calendar(q.org_id.map(OrgId), period, &cal)
        .await?;
    let l = ctx.lang;
    let headers: Vec<String> = [
        "work_plan.col.org",
        "work_plan.col.item",
        "work_plan.col.evidence",
        "work_plan.col.kind",
        "work_plan.col.period",
        "work_plan.col.required",
        "work_plan.col.counted",
        "work_plan.col.status",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let rows: Vec<Vec<Cell>> = c
        .items
        .iter()
        .map(|x| {
            vec![
                Cell::Text(x.org_name.clone()),
                Cell::Int(i64::from(x.item_number)),
                Cell::Text(tr(l, &x.evidence_kind.label_key())),
                Cell::Text(crate::web::pages::work_plan::kind_label(
                    l,
                    x.evidence_kind,
                    x.kind.as_deref(),
                )),
                Cell::Text(x.period.to_string()),
                Cell::Int(i64::from(x.required)),
                Cell::Int(i64::from(x.counted)),
                Cell::Text(tr(l, &x.status.label_key())),
            ]
        })
        .collect();
    let bytes = xlsx::write_sheet(&tr(l, "work_plan.calendar"), &headers, &rows)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(bytes, &format!("compliance-{}.xlsx", c.period)))
}

/// Meetings of the orgs under `org_id`, the newest first.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "work_plan", params(OrgQuery),
    responses((status = 200, body = Vec<Meeting>), (status = 404, body = Envelope)))]
pub async fn meetings(ctx: Ctx, q: Q<OrgQuery>) -> ApiResult<Vec<Meeting>> {
    let q = query(q)?;
    Ok(axum::Json(
        ctx.db()
            .work_records()
            .meetings(q.org_id.map(OrgId))
            .await?,
    ))
}

/// Records a meeting: a district's safety or analysis meeting, a school's monthly analysis
/// meeting (the kind must fit the org: 422 on `kind`).
#[utoipa::path(post, path = "/api/v1/meetings", tag = "work_plan", request_body = NewMeeting,
    responses((status = 201, body = Meeting), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn create_meeting(ctx: Ctx, ApiJson(body): ApiJson<NewMeeting>) -> Created<Meeting> {
    let m = ctx.db().work_records().create_meeting(body).await?;
    Ok((StatusCode::CREATED, axum::Json(m)))
}

/// Trainings of the orgs under `org_id`, the newest first.
#[utoipa::path(get, path = "/api/v1/trainings", tag = "work_plan", params(OrgQuery),
    responses((status = 200, body = Vec<Training>), (status = 404, body = Envelope)))]
pub async fn trainings(ctx: Ctx, q: Q<OrgQuery>) -> ApiResult<Vec<Training>> {
    let q = query(q)?;
    Ok(axum::Json(
        ctx.db()
            .work_records()
            .trainings(q.org_id.map(OrgId))
            .await?,
    ))
}

/// Records a training of a district or a school (named staff must be the school's people).
#[utoipa::path(post, path = "/api/v1/trainings", tag = "work_plan", request_body = NewTraining,
    responses((status = 201, body = Training), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn create_training(ctx: Ctx, ApiJson(body): ApiJson<NewTraining>) -> Created<Training> {
    let t = ctx.db().work_records().create_training(body).await?;
    Ok((StatusCode::CREATED, axum::Json(t)))
}

/// Education activities of the schools under `org_id`, the newest first.
#[utoipa::path(get, path = "/api/v1/education-activities", tag = "work_plan", params(OrgQuery),
    responses((status = 200, body = Vec<Activity>), (status = 404, body = Envelope)))]
pub async fn activities(ctx: Ctx, q: Q<OrgQuery>) -> ApiResult<Vec<Activity>> {
    let q = query(q)?;
    Ok(axum::Json(
        ctx.db()
            .work_records()
            .activities(q.org_id.map(OrgId))
            .await?,
    ))
}

/// Records an education activity of a school (pupils counted, never named).
#[utoipa::path(post, path = "/api/v1/education-activities", tag = "work_plan",
    request_body = NewActivity,
    responses((status = 201, body = Activity), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn create_activity(ctx: Ctx, ApiJson(body): ApiJson<NewActivity>) -> Created<Activity> {
    let a = ctx.db().work_records().create_activity(body).await?;
    Ok((StatusCode::CREATED, axum::Json(a)))
}
