//! The gate's part of idempotent writes (`storage::idempotency`): a write carrying
//! `Idempotency-Key` that was seen before is answered from what the first request left, without
//! running the handler; the first request's answer is kept once it is built.
//!
//! - the first answer kept: the same status, content type and body, with
//!   `Idempotent-Replayed: true`;
//! - committed, answer not kept (the server stopped in between, or it was too long): 409
//!   `already_applied`, with the object the write made or changed;
//! - the key used for another method or path: 422 naming the header;
//! - two at once: the second's transaction meets the first's row, 409 `conflict`.

use super::i18n::Lang;
use crate::storage::Actor;
use crate::storage::idempotency::{IdempotencyKey, MAX_KEPT_ANSWER, Prior};
use axum::body::Body;
use axum::body::HttpBody as _;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The header a client sends with a write it may retry.
pub const HEADER: &str = "idempotency-key";
/// The header of a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";

/// The actor with the request's key, or the answer of an earlier request with it.
pub(super) async fn prepare(
    db: &crate::storage::Db,
    actor: Actor,
    parts: &Parts,
    write: bool,
) -> Result<Actor, Response> {
    let Some(value) = parts.headers.get(HEADER).filter(|_| write) else {
        return Ok(actor);
    };
    let key = IdempotencyKey::parse(value.as_bytes(), parts.method.as_str(), parts.uri.path())
        .map_err(IntoResponse::into_response)?;
    let actor = actor.with_idempotency_key(key);
    match db.idempotent_prior(&actor).await {
        Ok(None) => Ok(actor),
        Ok(Some(prior)) => Err(replay(prior, Lang::from_headers(&parts.headers))),
        Err(e) => Err(e.into_response()),
    }
}

fn replay(prior: Prior, lang: Lang) -> Response {
    let mut res = match prior {
        Prior::Answer {
            status,
            content_type,
            body,
        } => {
            let mut r = Response::new(Body::from(body));
            *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        Prior::Applied {
            object_type,
            object_id,
        } => (
            StatusCode::CONFLICT,
            axum::Json(serde_json::json!({
                "error": {
                    "code": "already_applied",
                    "message": crate::i18n::tr(lang, "err.idempotency.applied"),
                    "fields": [],
                },
                "object": { "type": object_type, "id": object_id },
            })),
        )
            .into_response(),
        Prior::Reused => {
            return crate::Error::field("Idempotency-Key", "err.idempotency.reused")
                .into_response();
        }
    };
    res.headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Keeps a successful answer of a keyed write for its retries (a write that committed nothing
/// has no row to keep it in). A body of unknown or too great a length is not kept.
pub(super) async fn keep(db: &crate::storage::Db, actor: &Actor, res: Response) -> Response {
    if actor.idempotency_key().is_none() || !res.status().is_success() {
        return res;
    }
    let small = res
        .body()
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_KEPT_ANSWER);
    if !small {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT_ANSWER as usize).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Err(e) = db
        .keep_answer(actor, parts.status.as_u16(), content_type, &bytes)
        .await
    {
        // The write stands; a retry is answered `already_applied` instead of the same body.
        tracing::warn!(error = %crate::error::Chain(&e), "an idempotent answer was not kept");
    }
    Response::from_parts(parts, Body::from(bytes))
}
