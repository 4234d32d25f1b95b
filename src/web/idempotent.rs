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
use axum::body::HttpBody as _;
use axum::body::{Body, Bytes};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The header a client sends with a write it may retry.
pub const HEADER: &str = "idempotency-key";
/// The header of a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";

/// The actor with the request's key (a write carrying one), or the refusal of a bad key.
pub(super) fn with_key(actor: Actor, parts: &Parts, write: bool) -> crate::error::Result<Actor> {
    let Some(value) = parts.headers.get(HEADER).filter(|_| write) else {
        return Ok(actor);
    };
    let key = IdempotencyKey::parse(value.as_bytes(), parts.method.as_str(), parts.uri.path())?;
    Ok(actor.with_idempotency_key(key))
}

/// The answer to a retry, from what the earlier request with the key left.
pub(super) fn replay(prior: Prior, lang: Lang) -> Response {
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

/// A keyed write's successful answer to keep for its retries, buffered (the response is
/// rebuilt from the same bytes): status, content type, body. A body of unknown or too great a
/// length is not kept (a retry is answered `already_applied`).
pub(super) async fn to_keep(res: Response) -> (Response, Option<(u16, String, Bytes)>) {
    if !res.status().is_success() {
        return (res, None);
    }
    let small = res
        .body()
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_KEPT_ANSWER);
    if !small {
        return (res, None);
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT_ANSWER as usize).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR.into_response(), None);
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let kept = (parts.status.as_u16(), content_type, bytes.clone());
    (Response::from_parts(parts, Body::from(bytes)), Some(kept))
}
