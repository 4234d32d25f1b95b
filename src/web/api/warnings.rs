//! Warnings: `/api/v1/warnings` (the list, one with its history, the lifecycle's steps) and
//! the device threshold rules in force, `/api/v1/warning-rules`.

use super::ApiResult;
use crate::domain::ids::{WarningId, WarningRuleId};
use crate::storage::risk_index::{IndexList, IndexQuery};
use crate::storage::warning_rules::{RulePatch, WarningRule};
use crate::storage::warnings::{WarningAction, WarningDetail, WarningFilter, WarningList};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};

/// Warnings in scope, newest first (`org_id` narrows to a school or the schools below a
/// district), with the open ones counted by level.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings",
    params(WarningFilter),
    responses((status = 200, body = WarningList), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn list(ctx: Ctx, Query(f): Query<WarningFilter>) -> ApiResult<WarningList> {
    Ok(axum::Json(ctx.db().warnings().list(&f).await?))
}

/// One warning with its history.
#[utoipa::path(get, path = "/api/v1/warnings/{id}", tag = "warnings",
    params(("id" = i64, Path)),
    responses((status = 200, body = WarningDetail), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<WarningDetail> {
    Ok(axum::Json(ctx.db().warnings().get(WarningId(id)).await?))
}

/// A step of the lifecycle: `acknowledge`, `dispatch` (with `user_id`), `resolve` (with a
/// `note`), `false_alarm` (with a `reason`). A step the warning's status does not allow is 409.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/actions", tag = "warnings",
    params(("id" = i64, Path)), request_body = WarningAction,
    responses((status = 200, body = WarningDetail), (status = 404, body = Envelope),
        (status = 409, body = Envelope), (status = 422, body = Envelope)))]
pub async fn act(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WarningAction>,
) -> ApiResult<WarningDetail> {
    Ok(axum::Json(
        ctx.db().warnings().act(WarningId(id), body).await?,
    ))
}

/// The device threshold rules in force for the caller's org.
#[utoipa::path(get, path = "/api/v1/warning-rules", tag = "warnings",
    responses((status = 200, body = Vec<WarningRule>)))]
pub async fn rules(ctx: Ctx) -> ApiResult<Vec<WarningRule>> {
    Ok(axum::Json(ctx.db().warning_rules().list().await?))
}

/// Changes a rule for the caller's bureau (a default gets the bureau's own value beside it);
/// answers the rule now in force there.
#[utoipa::path(patch, path = "/api/v1/warning-rules/{id}", tag = "warnings",
    params(("id" = i64, Path)), request_body = RulePatch,
    responses((status = 200, body = WarningRule), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn update_rule(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RulePatch>,
) -> ApiResult<WarningRule> {
    Ok(axum::Json(
        ctx.db()
            .warning_rules()
            .update(WarningRuleId(id), body)
            .await?,
    ))
}

/// How long one stream stays open; the browser's `EventSource` reconnects by itself, through
/// the gate again, so a session that ended stops receiving.
const STREAM_LIFETIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// One server-sent event of the warning stream, as a client's parser reads it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // the document's shape of an event; the stream writes its lines
pub struct StreamEvent {
    /// `open` (first, its data `{}`) or `warning`.
    #[schema(pattern = "^(open|warning)$")]
    pub event: String,
    /// JSON: `{}`, or the warning as `GET /api/v1/warnings/{id}` shows it.
    pub data: String,
    /// The warning's id (`warning` events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The live changes of warnings in the caller's scope (server-sent events): each event
/// (`event: warning`) carries a warning as `GET /api/v1/warnings/{id}` shows it, without its
/// history.
#[utoipa::path(get, path = "/api/v1/warnings/stream", tag = "warnings",
    responses((status = 200, content_type = "text/event-stream", body = StreamEvent)))]
pub async fn stream(
    ctx: Ctx,
) -> Result<
    axum::response::sse::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    crate::Error,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let sub = ctx.db().warnings().subscribe()?;
    let until = tokio::time::Instant::now() + STREAM_LIFETIME;
    let events = futures_util::stream::unfold(sub, move |mut sub| async move {
        loop {
            let next = tokio::time::timeout_at(until, sub.next()).await.ok()??;
            // A warning removed meanwhile is skipped; nothing else fails here.
            if let Ok(w) = next {
                let e = Event::default()
                    .event("warning")
                    .id(w.id.to_string())
                    .json_data(&w)
                    .unwrap_or_else(|_| Event::default().comment("unreadable"));
                return Some((Ok(e), sub));
            }
        }
    });
    // The first event tells the client the stream is open (before any warning changes).
    let open = futures_util::stream::once(async { Ok(Event::default().event("open").data("{}")) });
    use futures_util::StreamExt;
    Ok(Sse::new(open.chain(events)).keep_alive(KeepAlive::default()))
}

/// Each school's risk index (0–100) below `org_id` (default: the caller's own node), riskiest
/// first, with its parts and what they were counted from.
#[utoipa::path(get, path = "/api/v1/risk-index", tag = "warnings",
    params(IndexQuery),
    responses((status = 200, body = IndexList), (status = 404, body = Envelope)))]
pub async fn risk_index(ctx: Ctx, Query(q): Query<IndexQuery>) -> ApiResult<IndexList> {
    let cfg = ctx.config();
    Ok(axum::Json(
        ctx.db()
            .risk_index()
            .list(
                &q,
                &cfg.warnings.index_weights,
                crate::storage::risk_points::today(),
                cfg.inspection.grace_days,
            )
            .await?,
    ))
}
