//! API: emergency plans — a school's plans with their coverage
//! (`/api/v1/schools/{id}/emergency-plans`), the bureau's roll-up and own plans
//! (`/api/v1/emergency-plans`), one plan (`/api/v1/emergency-plans/{id}`) and its lifecycle
//! (`…/actions`), the expert pools (`/api/v1/plan-experts`), and the working-day calendar
//! (`/api/v1/calendar/working-days`); the roll-up's .xlsx and a plan's document uploads in
//! [`extra`].

use super::ApiResult;
use crate::domain::ids::{OrgId, PlanId};
use crate::error::Error;
use crate::storage::calendar::{CalendarInput, WorkingDays};
use crate::storage::emergency_plans::{
    Expert, ExpertInput, ExpertPool, ExpertQuery, NewPlan, Plan, PlanPatch, PlanRollup, PlanStep,
    RollupQuery, SchoolPlans,
};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};
use axum::http::StatusCode;

pub mod extra;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// A plan after a write, read back under the route's action.
async fn read_back(ctx: &Ctx, id: PlanId) -> Result<Plan, Error> {
    ctx.db().plans().get(id, &ctx.config().plans).await
}

/// A school's plans (in force first, then in the works, then superseded) with the coverage
/// of its red and orange risk points: the points no topic plan or on-site procedure in force
/// of a matching type covers, with the plan types that would.
#[utoipa::path(get, path = "/api/v1/schools/{id}/emergency-plans", tag = "emergency",
    params(("id" = i64, Path)),
    responses((status = 200, body = SchoolPlans), (status = 404, body = Envelope)))]
pub async fn list(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<SchoolPlans> {
    Ok(axum::Json(
        ctx.db()
            .plans()
            .school_plans(OrgId(id), &ctx.config().plans)
            .await?,
    ))
}

/// A new draft plan of the school (`revises`: the next version of one of its plans).
#[utoipa::path(post, path = "/api/v1/schools/{id}/emergency-plans", tag = "emergency",
    params(("id" = i64, Path)), request_body = NewPlan,
    responses((status = 201, body = Plan), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewPlan>,
) -> Result<(StatusCode, axum::Json<Plan>), Error> {
    let id = ctx.db().plans().create(Some(OrgId(id)), body).await?;
    Ok((StatusCode::CREATED, axum::Json(read_back(&ctx, id).await?)))
}

/// The roll-up under `org_id` (the caller's node by default): each school's plans in force
/// and in the works, filings overdue, evaluations due and uncovered red and orange points
/// (schools with uncovered points first); the bureau's own plans; the plans the caller was
/// assigned to review.
#[utoipa::path(get, path = "/api/v1/emergency-plans", tag = "emergency", params(RollupQuery),
    responses((status = 200, body = PlanRollup), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn rollup(ctx: Ctx, q: Q<RollupQuery>) -> ApiResult<PlanRollup> {
    Ok(axum::Json(
        ctx.db()
            .plans()
            .rollup(&query(q)?, &ctx.config().plans)
            .await?,
    ))
}

/// A new draft plan of a bureau (`org_id`: a district or the city, in scope; a school's id
/// is 422 — schools' plans are created under the school).
#[utoipa::path(post, path = "/api/v1/emergency-plans", tag = "emergency",
    request_body = NewPlan,
    responses((status = 201, body = Plan), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn create_bureau(
    ctx: Ctx,
    ApiJson(body): ApiJson<NewPlan>,
) -> Result<(StatusCode, axum::Json<Plan>), Error> {
    let id = ctx.db().plans().create(None, body).await?;
    Ok((StatusCode::CREATED, axum::Json(read_back(&ctx, id).await?)))
}

/// One plan: its content (the organisation's people read fresh from the school's roster),
/// documents, reviewers, history, the filing deadline (20 working days of the calendar in
/// force after publication) and the evaluation due date. An expert assigned to review it
/// reads it from another school too.
#[utoipa::path(get, path = "/api/v1/emergency-plans/{id}", tag = "emergency",
    params(("id" = i64, Path)),
    responses((status = 200, body = Plan), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Plan> {
    Ok(axum::Json(read_back(&ctx, PlanId(id)).await?))
}

/// Changes a draft, or a plan sent back for revision (other statuses: 409; a stale
/// `version`: 409).
#[utoipa::path(patch, path = "/api/v1/emergency-plans/{id}", tag = "emergency",
    params(("id" = i64, Path)), request_body = PlanPatch,
    responses((status = 200, body = Plan), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PlanPatch>,
) -> ApiResult<Plan> {
    let id = ctx.db().plans().update(PlanId(id), body).await?;
    Ok(axum::Json(read_back(&ctx, id).await?))
}

/// One step of the lifecycle: `submit_review`, `assign_reviewer`, `review`,
/// `request_revision`, `approve`, `publish`, `file`, `start_evaluation`, `supersede`, and
/// `discard` (a draft or a version sent back for revision given up by its organisation or
/// its author, so that another revision can start). A step
/// the plan's status does not allow, or whose guard fails (a review before any reviewer, a
/// decision before any review), is 409; a step the caller may not take is 403 with the reason
/// (a reviewer from the plan's own organisation, or its author: a conflict of interest).
#[utoipa::path(post, path = "/api/v1/emergency-plans/{id}/actions", tag = "emergency",
    params(("id" = i64, Path)), request_body = PlanStep,
    responses((status = 200, body = Plan), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn act(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PlanStep>,
) -> ApiResult<Plan> {
    let id = ctx.db().plans().act(PlanId(id), body).await?;
    Ok(axum::Json(read_back(&ctx, id).await?))
}

/// A bureau's expert pool (`org_id`: a district or the city; the caller's own by default).
#[utoipa::path(get, path = "/api/v1/plan-experts", tag = "emergency", params(ExpertQuery),
    responses((status = 200, body = ExpertPool), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn experts(ctx: Ctx, q: Q<ExpertQuery>) -> ApiResult<ExpertPool> {
    Ok(axum::Json(ctx.db().plans().experts(&query(q)?).await?))
}

/// Adds an expert to a bureau's pool, or changes the entry (the same user again; `active:
/// false` retires them). The expert is an account in the bureau's subtree whose role acts on
/// plans.
#[utoipa::path(post, path = "/api/v1/plan-experts", tag = "emergency",
    request_body = ExpertInput,
    responses((status = 200, body = Expert), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn save_expert(ctx: Ctx, ApiJson(body): ApiJson<ExpertInput>) -> ApiResult<Expert> {
    Ok(axum::Json(ctx.db().plans().save_expert(body).await?))
}

/// The working-day calendar in force: public holidays and make-up working days (调休), the
/// years it covers, and the file's text.
#[utoipa::path(get, path = "/api/v1/calendar/working-days", tag = "emergency",
    responses((status = 200, body = WorkingDays)))]
pub async fn calendar(ctx: Ctx) -> ApiResult<WorkingDays> {
    Ok(axum::Json(ctx.db().calendar().get().await?))
}

/// Replaces the working-day calendar (the bureau): the whole file in the shipped format;
/// every bad line is reported (`csv[<line>]`) and nothing is saved.
#[utoipa::path(put, path = "/api/v1/calendar/working-days", tag = "emergency",
    request_body = CalendarInput,
    responses((status = 200, body = WorkingDays), (status = 403, body = Envelope),
        (status = 409, body = Envelope), (status = 422, body = Envelope)))]
pub async fn replace_calendar(
    ctx: Ctx,
    ApiJson(body): ApiJson<CalendarInput>,
) -> ApiResult<WorkingDays> {
    Ok(axum::Json(ctx.db().calendar().replace(body).await?))
}
