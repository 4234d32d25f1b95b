//! The home pages' figures: `/api/v1/home`.

use super::ApiResult;
use crate::error::Error;
use crate::storage::home::{HomeData, HomeQuery, HomeRules};
use crate::web::ctx::Ctx;
use crate::web::error::Envelope;
use axum::extract::Query;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// The figures a home page shows, for the caller's own node or for `org_id` (a district or
/// school in scope; a school's hub page shows the same): hazards by status with the
/// supervised (挂牌督办 or major), overdue and due-this-week ones (each equal to the total of
/// `/api/v1/hazards` with the matching filter), this half-month's self-inspection board, risk
/// grades and re-assessments due, open warnings by level, this month's drill board, today's
/// holiday-duty zero reports of a bureau (`zero_reports`: the duty board's counts for today), the
/// caller's own work at their school (hazards assigned to them, unread notifications) and
/// the charts (hazards opened and closed per week, overdue by school, on-time
/// self-inspections per half-month, risk grades by school kind).
#[utoipa::path(get, path = "/api/v1/home", tag = "home", params(HomeQuery),
    responses((status = 200, body = HomeData), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn data(ctx: Ctx, q: Q<HomeQuery>) -> ApiResult<HomeData> {
    let Query(q) = q.map_err(|e| Error::validation(e.body_text()))?;
    let cfg = ctx.config();
    let rules = HomeRules {
        grace: cfg.inspection.grace_days,
        drills: &cfg.drills,
        calendar: &cfg.calendar,
    };
    Ok(axum::Json(ctx.db().home().data(&q, &rules).await?))
}
