//! Device ingest over HTTP: `POST /api/v1/ingest` with `Authorization: Device <token>`. The
//! batch is checked event by event; the good events are stored (once each) even when others
//! are refused, and the answer lists every refusal with its reason.

use crate::error::Error;
use crate::storage::ingest::{Batch, IngestReport, read_batch, refusal_reason};
use crate::web::ctx::DeviceCtx;
use crate::web::error::Envelope;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use chrono::{Duration, Utc};

/// Largest accepted batch body.
pub use crate::storage::ingest::INGEST_LIMIT;

/// Stores a device's readings.
#[utoipa::path(post, path = "/api/v1/ingest", tag = "warnings",
    request_body = Batch,
    security(("device_token" = [])),
    responses((status = 200, body = IngestReport), (status = 401, body = Envelope),
        (status = 413, body = Envelope), (status = 422, body = Envelope)))]
pub async fn ingest(
    d: DeviceCtx,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<IngestReport>, Error> {
    let bytes = body.map_err(|r| {
        if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Error::TooLarge("err.body_too_large".into())
        } else {
            Error::field("events", "err.body_unreadable")
        }
    });
    let batch = match bytes.and_then(|b| read_batch(&b)) {
        Ok(b) => b,
        Err(e) => {
            let reason = refusal_reason(&e);
            d.ingest().refuse_payload(&d.device, reason, "").await.ok();
            return Err(e);
        }
    };
    let max_age = Duration::hours(i64::from(d.config().devices.max_event_age_hours));
    let report = d
        .ingest()
        .batch(&d.device, &batch.events, max_age, Utc::now())
        .await?;
    Ok(axum::Json(report))
}
