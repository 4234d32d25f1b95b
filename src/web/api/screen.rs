//! The monitoring screen's counts: `/api/v1/screen`.

use super::ApiResult;
use crate::storage::screen::ScreenData;
use crate::web::ctx::Ctx;
use crate::web::error::Envelope;

/// What the monitoring screen counts below the caller's own node, in one answer: its districts
/// and their schools, overdue hazards, this half-month's self-inspections, devices offline, and
/// warnings raised and hazards reported per day over the last 30 days (China dates, today
/// last). The map's risk index and the open warnings come from `/api/v1/risk-index` and
/// `/api/v1/warnings`.
#[utoipa::path(get, path = "/api/v1/screen", tag = "screen",
    responses((status = 200, body = ScreenData), (status = 403, body = Envelope),
        (status = 404, body = Envelope)))]
pub async fn data(ctx: Ctx) -> ApiResult<ScreenData> {
    let cfg = ctx.config();
    Ok(axum::Json(
        ctx.db()
            .screen()
            .data(
                crate::storage::risk_points::today(),
                cfg.inspection.grace_days,
                cfg.devices.offline_minutes,
            )
            .await?,
    ))
}
