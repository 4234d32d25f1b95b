//! `GET /api/v1/audit` (audit admin).

use super::ApiResult;
use crate::storage::audit::AuditFilter;
use crate::storage::views::{AuditEntry, Page};
use crate::web::ctx::Ctx;
use crate::web::error::Envelope;
use axum::extract::Query;

/// The audit log, newest first: `page` from 1, `per_page` 1 to 200 (default 50; out of range →
/// 422; a page past the end is empty).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditFilter),
    responses((status = 200, body = Page<AuditEntry>), (status = 422, body = Envelope)))]
pub async fn list(
    ctx: Ctx,
    q: Result<Query<AuditFilter>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Page<AuditEntry>> {
    let Query(f) = q.map_err(|e| crate::Error::validation(e.body_text()))?;
    Ok(axum::Json(ctx.db().audit().list(&f).await?))
}
