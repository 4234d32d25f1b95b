//! `GET /api/v1/audit` (audit admin).

use super::ApiResult;
use crate::storage::audit::AuditFilter;
use crate::storage::views::{AuditEntry, Page};
use crate::web::ctx::Ctx;
use axum::extract::Query;

#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditFilter),
    responses((status = 200, body = Page<AuditEntry>)))]
pub async fn list(
    ctx: Ctx,
    q: Result<Query<AuditFilter>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Page<AuditEntry>> {
    let Query(f) = q.map_err(|e| crate::Error::validation(e.body_text()))?;
    Ok(axum::Json(ctx.db().audit_list(&f).await?))
}
