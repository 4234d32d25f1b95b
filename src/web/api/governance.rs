//! API: concentrated governance actions (`/api/v1/governance-actions`, a school's result
//! under `…/{id}/results`) and the schools' star ratings (`/api/v1/schools/{id}/star-rating`,
//! the bureau's list `/api/v1/star-ratings`).

use super::ApiResult;
use crate::domain::ids::{GovernanceActionId, OrgId};
use crate::error::Error;
use crate::storage::governance::{ActionQuery, GovernanceAction, NewAction, NewResult};
use crate::storage::star_ratings::{AwardInput, RatingQuery, RatingRow, StarRating};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};
use axum::http::StatusCode;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// The actions the caller sees (launched in its scope, or covering its school), the latest
/// first; `year` keeps those starting in that year.
#[utoipa::path(get, path = "/api/v1/governance-actions", tag = "work_plan", params(ActionQuery),
    responses((status = 200, body = Vec<GovernanceAction>), (status = 422, body = Envelope)))]
pub async fn list(ctx: Ctx, q: Q<ActionQuery>) -> ApiResult<Vec<GovernanceAction>> {
    Ok(axum::Json(ctx.db().governance().list(&query(q)?).await?))
}

/// Launches an action of a bureau (`org_id`, the caller's own by default) over `school_ids`
/// (every school below it by default) with a checklist (1–50 items).
#[utoipa::path(post, path = "/api/v1/governance-actions", tag = "work_plan",
    request_body = NewAction,
    responses((status = 201, body = GovernanceAction), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn launch(
    ctx: Ctx,
    ApiJson(body): ApiJson<NewAction>,
) -> Result<(StatusCode, axum::Json<GovernanceAction>), Error> {
    let a = ctx.db().governance().launch(body).await?;
    Ok((StatusCode::CREATED, axum::Json(a)))
}

#[utoipa::path(get, path = "/api/v1/governance-actions/{id}", tag = "work_plan",
    params(("id" = i64, Path)),
    responses((status = 200, body = GovernanceAction), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<GovernanceAction> {
    Ok(axum::Json(
        ctx.db().governance().get(GovernanceActionId(id)).await?,
    ))
}

/// A school's result (the caller's school, or `school_id`): one answer per checklist item,
/// problems found and fixed, a summary. 201 for the school's first, 200 when it replaces it;
/// a school the action does not cover is 422 on `school_id`.
#[utoipa::path(post, path = "/api/v1/governance-actions/{id}/results", tag = "work_plan",
    params(("id" = i64, Path)), request_body = NewResult,
    responses((status = 201, body = GovernanceAction), (status = 200, body = GovernanceAction),
        (status = 403, body = Envelope), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn report(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewResult>,
) -> Result<(StatusCode, axum::Json<GovernanceAction>), Error> {
    let (a, first) = ctx
        .db()
        .governance()
        .report(GovernanceActionId(id), body)
        .await?;
    let status = if first {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(a)))
}

/// A school's star rating for `year` (the current one by default): each criterion met or not
/// from the platform's records, the stars they give, and the bureau's awards of the year.
#[utoipa::path(get, path = "/api/v1/schools/{id}/star-rating", tag = "work_plan",
    params(("id" = i64, Path), RatingQuery),
    responses((status = 200, body = StarRating), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn rating(ctx: Ctx, Path(id): Path<i64>, q: Q<RatingQuery>) -> ApiResult<StarRating> {
    let q = query(q)?;
    let cfg = ctx.config();
    Ok(axum::Json(
        ctx.db()
            .star_ratings()
            .rating(OrgId(id), q.year, cfg)
            .await?,
    ))
}

/// The bureau awards the school its rating for `year` as computed now (never a typed number),
/// with a note; every award is kept.
#[utoipa::path(put, path = "/api/v1/schools/{id}/star-rating", tag = "work_plan",
    params(("id" = i64, Path)), request_body = AwardInput,
    responses((status = 200, body = StarRating), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn award(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AwardInput>,
) -> ApiResult<StarRating> {
    let cfg = ctx.config();
    Ok(axum::Json(
        ctx.db().star_ratings().award(OrgId(id), body, cfg).await?,
    ))
}

/// Every school in the caller's scope with its computed stars for `year`, the fewest first.
#[utoipa::path(get, path = "/api/v1/star-ratings", tag = "work_plan", params(RatingQuery),
    responses((status = 200, body = Vec<RatingRow>), (status = 422, body = Envelope)))]
pub async fn ratings(ctx: Ctx, q: Q<RatingQuery>) -> ApiResult<Vec<RatingRow>> {
    let q = query(q)?;
    let cfg = ctx.config();
    Ok(axum::Json(ctx.db().star_ratings().list(q.year, cfg).await?))
}
