//! The body of a batch, read the same way whichever way it came: `{"events": [...]}` over HTTP
//! (the device's token is in the `Authorization` header), `{"token": "...", "events": [...]}`
//! on the broker (a message carries no header). Not JSON, not a batch, empty or too many events
//! is refused whole; the events themselves are checked one by one by [`super::Ingest::batch`].

use crate::domain::reading::MAX_EVENTS;
use crate::error::Error;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Largest accepted batch body (over HTTP; a broker message may add its token to it).
pub const INGEST_LIMIT: usize = 1024 * 1024;

/// A batch of events.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// 1 to 1,000 events: `{"id", "at" (RFC 3339), "metric", "value"}`; a `gps` event carries
    /// `lat`, `lon` and `speed_kmh`.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Value>,
}

fn malformed() -> Error {
    Error::field("events", "err.ingest.malformed")
}

/// The checks on a batch as a whole: at least one event, at most [`MAX_EVENTS`].
fn checked(batch: Batch) -> Result<Batch, Error> {
    if batch.events.is_empty() {
        return Err(Error::field("events", "err.ingest.empty"));
    }
    if batch.events.len() > MAX_EVENTS {
        return Err(Error::TooLarge("err.ingest.too_many".into()));
    }
    Ok(batch)
}

/// Reads a batch body (`{"events": [...]}`, nothing else).
pub fn read_batch(bytes: &[u8]) -> Result<Batch, Error> {
    checked(serde_json::from_slice(bytes).map_err(|_| malformed())?)
}

/// A message from the broker: the token it names, if it names one as a string, and its batch.
#[derive(Debug)]
pub struct Message {
    pub token: Option<String>,
    pub batch: Result<Batch, Error>,
}

/// Reads a broker message (`{"token": "...", "events": [...]}`). The token is read even when
/// the batch is bad, so the refusal can be shown on that device's page.
pub fn read_message(bytes: &[u8]) -> Message {
    let Ok(mut obj) = serde_json::from_slice::<serde_json::Map<String, Value>>(bytes) else {
        return Message {
            token: None,
            batch: Err(malformed()),
        };
    };
    let token = match obj.remove("token") {
        Some(Value::String(t)) => Some(t),
        _ => None,
    };
    let batch = serde_json::from_value(Value::Object(obj))
        .map_err(|_| malformed())
        .and_then(checked);
    Message { token, batch }
}

/// The reason kept with a payload refused whole (`ingest_reason.<code>` in the catalogue).
pub fn refusal_reason(e: &Error) -> &'static str {
    match e {
        Error::TooLarge(_) => "too_large",
        _ => "malformed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_and_a_message_read_alike() {
        let ev = r#"{"id": "a", "at": "2026-01-01T00:00:00Z", "metric": "smoke", "value": 0}"#;
        let b = read_batch(format!(r#"{{"events": [{ev}]}}"#).as_bytes()).expect("batch");
        assert_eq!(b.events.len(), 1);
        let m = read_message(format!(r#"{{"token": "t", "events": [{ev}]}}"#).as_bytes());
        assert_eq!(m.token.as_deref(), Some("t"));
        assert_eq!(m.batch.expect("batch").events.len(), 1);
        // Over HTTP a token in the body is an unknown field.
        assert!(read_batch(br#"{"token": "t", "events": [{}]}"#).is_err());
    }

    #[test]
    fn bad_bodies_are_refused_whole_and_keep_the_token() {
        for (body, reason) in [
            (&br#"{"token": "t", "events": []}"#[..], "malformed"),
            (br#"{"token": "t", "events": 3}"#, "malformed"),
            (br#"{"token": "t", "events": [{}], "x": 1}"#, "malformed"),
            (br#"{"token": "t"}"#, "malformed"),
        ] {
            let m = read_message(body);
            assert_eq!(m.token.as_deref(), Some("t"));
            assert_eq!(refusal_reason(&m.batch.expect_err("refused")), reason);
        }
        let many = format!(
            r#"{{"token": "t", "events": [{}]}}"#,
            vec!["{}"; 1001].join(",")
        );
        let m = read_message(many.as_bytes());
        assert_eq!(refusal_reason(&m.batch.expect_err("refused")), "too_large");
        for body in [
            &b"not json"[..],
            b"[1]",
            br#"{"token": 5, "events": [{}]}"#,
            b"",
        ] {
            assert!(read_message(body).token.is_none());
        }
    }
}
