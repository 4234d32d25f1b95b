//! Device ingest over HTTP: `POST /api/v1/ingest` with `Authorization: Device <token>`. The
//! batch is checked event by event; the good events are stored (once each) even when others
//! are refused, and the answer lists every refusal with its reason.

use crate::domain::reading::MAX_EVENTS;
use crate::error::Error;
use crate::storage::ingest::IngestReport;
use crate::web::ctx::DeviceCtx;
use crate::web::error::Envelope;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use chrono::{Duration, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

/// Largest accepted batch body.
pub const INGEST_LIMIT: usize = 1024 * 1024;

/// A batch of events.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// 1 to 1,000 events: `{"id", "at" (RFC 3339), "metric", "value"}`; a `gps` event carries
    /// `lat`, `lon` and `speed_kmh`.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
}

/// Reads a batch body: not JSON, not a batch, empty or too many events is refused whole.
pub fn read_batch(bytes: &[u8]) -> Result<Batch, Error> {
    let batch: Batch = serde_json::from_slice(bytes)
        .map_err(|_| Error::field("events", "err.ingest.malformed"))?;
    if batch.events.is_empty() {
        return Err(Error::field("events", "err.ingest.empty"));
    }
    if batch.events.len() > MAX_EVENTS {
        return Err(Error::TooLarge("err.ingest.too_many".into()));
    }
    Ok(batch)
}

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
            let reason = match &e {
                Error::TooLarge(_) => "too_large",
                _ => "malformed",
            };
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
