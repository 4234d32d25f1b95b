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

/// What to purge: the entries from before this China date (at least 184 days ago).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurgeRequest {
    pub before: chrono::NaiveDate,
}

/// Archives the audit entries from before `before` to `[audit] archive_dir` (JSON lines with
/// their hashes) and removes them; the chain then starts from the newest removed entry. Refused
/// under the 184-day floor (422), without an archive directory when there is anything to purge
/// (422), and on a chain that does not verify (409). Audited as `audit.purge`.
#[utoipa::path(post, path = "/api/v1/audit/purge", tag = "admin", request_body = PurgeRequest,
    responses((status = 200, body = crate::storage::audit::retention::Purged),
        (status = 409, body = Envelope), (status = 422, body = Envelope)))]
pub async fn purge(
    ctx: Ctx,
    crate::web::ctx::ApiJson(body): crate::web::ctx::ApiJson<PurgeRequest>,
) -> ApiResult<crate::storage::audit::retention::Purged> {
    let cfg = ctx.config().audit.clone();
    Ok(axum::Json(ctx.db().audit().purge(&cfg, body.before).await?))
}
