//! API: the in-app inbox (`/api/v1/inbox`): the signed-in user's own notifications.

use super::ApiResult;
use crate::storage::inbox::{Inbox, InboxFilter, MarkRead};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::Query;
use serde::Serialize;
use utoipa::ToSchema;

#[utoipa::path(get, path = "/api/v1/inbox", tag = "inbox", params(InboxFilter),
    responses((status = 200, body = Inbox), (status = 401, body = Envelope), (status = 422, body = Envelope)))]
pub async fn list(
    ctx: Ctx,
    q: Result<Query<InboxFilter>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Inbox> {
    let Query(f) = q.map_err(|e| crate::Error::validation(e.body_text()))?;
    Ok(axum::Json(ctx.db().inbox().list(&f).await?))
}

/// How many notifications changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Changed {
    pub changed: u64,
}

#[utoipa::path(post, path = "/api/v1/inbox/read", tag = "inbox", request_body = MarkRead,
    responses((status = 200, body = Changed), (status = 422, body = Envelope)))]
pub async fn mark_read(ctx: Ctx, ApiJson(m): ApiJson<MarkRead>) -> ApiResult<Changed> {
    Ok(axum::Json(Changed {
        changed: ctx.db().inbox().mark_read(&m).await?,
    }))
}
