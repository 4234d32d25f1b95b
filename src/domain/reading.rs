//! One event a device sends (F-WARN-2), checked field by field: a bad event is refused with a
//! stable reason code (`ingest_reason.<code>` in the catalogue) while the good events of the
//! same batch are kept. Pure.

use super::device::DeviceKind;
use super::warning::Metric;
use crate::domain::Code;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

/// Longest event id a device may use.
pub const MAX_EVENT_ID: usize = 64;
/// Most events in one batch.
pub const MAX_EVENTS: usize = 1000;
/// How far ahead of the server's clock an event may be stamped.
pub const MAX_AHEAD_SECONDS: i64 = 300;

/// A checked reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub id: String,
    pub at: DateTime<Utc>,
    pub metric: Metric,
    /// The value; for `gps` the speed in km/h.
    pub value: f64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

crate::code_enum!(
    /// Why an event was refused.
    Reason, "ingest_reason", {
        NotAnObject = "not_an_object",
        UnknownField = "unknown_field",
        MissingId = "missing_id",
        BadId = "bad_id",
        MissingTime = "missing_time",
        BadTime = "bad_time",
        InFuture = "in_future",
        TooOld = "too_old",
        MissingMetric = "missing_metric",
        UnknownMetric = "unknown_metric",
        MetricNotForKind = "metric_not_for_kind",
        MissingValue = "missing_value",
        NotANumber = "not_a_number",
        OutOfRange = "out_of_range",
        BadPosition = "bad_position",
    }
);

/// Why a whole payload was refused before its events could be read (its label is
/// `ingest_reason.<code>` too): not a batch, too large, or (MQTT) another device's token.
pub const PAYLOAD_REASONS: &[&str] = &["malformed", "too_large", "topic_mismatch"];

const FIELDS: [&str; 7] = ["id", "at", "metric", "value", "lat", "lon", "speed_kmh"];

/// An event's own id, when it has a usable one (kept with a refusal).
pub fn event_id(v: &Value) -> String {
    v.get("id")
        .and_then(Value::as_str)
        .map(|s| s.chars().take(MAX_EVENT_ID).collect())
        .unwrap_or_default()
}

fn valid_id(s: &str) -> bool {
    (1..=MAX_EVENT_ID).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\\'))
}

fn number(v: &Value, field: &str) -> Result<Option<f64>, Reason> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or(Reason::NotANumber),
        Some(_) => Err(Reason::NotANumber),
    }
}

/// Checks one event of a device of `kind` received at `now`; events stamped more than
/// [`MAX_AHEAD_SECONDS`] ahead or older than `max_age` are refused.
pub fn parse(
    v: &Value,
    kind: DeviceKind,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<Reading, Reason> {
    let obj = v.as_object().ok_or(Reason::NotAnObject)?;
    if obj.keys().any(|k| !FIELDS.contains(&k.as_str())) {
        return Err(Reason::UnknownField);
    }
    let id = match obj.get("id") {
        None | Some(Value::Null) => return Err(Reason::MissingId),
        Some(Value::String(s)) if valid_id(s) => s.clone(),
        Some(_) => return Err(Reason::BadId),
    };
    let at = match obj.get("at") {
        None | Some(Value::Null) => return Err(Reason::MissingTime),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map_err(|_| Reason::BadTime)?
            .with_timezone(&Utc),
        Some(_) => return Err(Reason::BadTime),
    };
    if at > now + Duration::seconds(MAX_AHEAD_SECONDS) {
        return Err(Reason::InFuture);
    }
    if at < now - max_age {
        return Err(Reason::TooOld);
    }
    let metric = match obj.get("metric") {
        None | Some(Value::Null) => return Err(Reason::MissingMetric),
        Some(Value::String(s)) => Metric::parse(s).ok_or(Reason::UnknownMetric)?,
        Some(_) => return Err(Reason::UnknownMetric),
    };
    if !metric.allowed_for(kind) {
        return Err(Reason::MetricNotForKind);
    }
    let (value, lat, lon) = if metric == Metric::Gps {
        let lat = number(v, "lat")?.ok_or(Reason::BadPosition)?;
        let lon = number(v, "lon")?.ok_or(Reason::BadPosition)?;
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(Reason::BadPosition);
        }
        // The speed is the gps reading's value; `value` may carry it too.
        let speed = match number(v, "speed_kmh")? {
            Some(s) => s,
            None => number(v, "value")?.ok_or(Reason::MissingValue)?,
        };
        (speed, Some(lat), Some(lon))
    } else {
        if ["lat", "lon", "speed_kmh"]
            .iter()
            .any(|f| obj.contains_key(*f))
        {
            return Err(Reason::UnknownField);
        }
        (number(v, "value")?.ok_or(Reason::MissingValue)?, None, None)
    };
    let (lo, hi) = metric.range();
    if !(lo..=hi).contains(&value) {
        return Err(Reason::OutOfRange);
    }
    Ok(Reading {
        id,
        at,
        metric,
        value,
        lat,
        lon,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(now: DateTime<Utc>, secs: i64) -> String {
        (now + Duration::seconds(secs)).to_rfc3339()
    }

    fn check(v: Value, kind: DeviceKind) -> Result<Reading, Reason> {
        let now = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        parse(&v, kind, now, Duration::hours(24))
    }

    #[test]
    fn a_good_event_is_read() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let r = check(
            json!({"id": "e-1", "at": at(now, -10), "metric": "smoke", "value": 1}),
            DeviceKind::Smoke,
        )
        .unwrap();
        assert_eq!(r.metric, Metric::Smoke);
        assert_eq!(r.value, 1.0);
        let g = check(
            json!({"id": "g", "at": at(now, 0), "metric": "gps", "lat": 43.88, "lon": 125.32, "speed_kmh": 42.5}),
            DeviceKind::BusGps,
        )
        .unwrap();
        assert_eq!((g.value, g.lat, g.lon), (42.5, Some(43.88), Some(125.32)));
    }

    #[test]
    fn every_reason() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let t = at(now, 0);
        let k = DeviceKind::Smoke;
        let cases: Vec<(Value, DeviceKind, Reason)> = vec![
            (json!([1]), k, Reason::NotAnObject),
            (
                json!({"id": "a", "at": t, "metric": "smoke", "value": 1, "x": 1}),
                k,
                Reason::UnknownField,
            ),
            (
                json!({"at": t, "metric": "smoke", "value": 1}),
                k,
                Reason::MissingId,
            ),
            (
                json!({"id": 5, "at": t, "metric": "smoke", "value": 1}),
                k,
                Reason::BadId,
            ),
            (
                json!({"id": "", "at": t, "metric": "smoke", "value": 1}),
                k,
                Reason::BadId,
            ),
            (
                json!({"id": "a b", "at": t, "metric": "smoke", "value": 1}),
                k,
                Reason::BadId,
            ),
            (
                json!({"id": "x".repeat(65), "at": t, "metric": "smoke", "value": 1}),
                k,
                Reason::BadId,
            ),
            (
                json!({"id": "a", "metric": "smoke", "value": 1}),
                k,
                Reason::MissingTime,
            ),
            (
                json!({"id": "a", "at": "yesterday", "metric": "smoke", "value": 1}),
                k,
                Reason::BadTime,
            ),
            (
                json!({"id": "a", "at": at(now, 301), "metric": "smoke", "value": 1}),
                k,
                Reason::InFuture,
            ),
            (
                json!({"id": "a", "at": at(now, -86401), "metric": "smoke", "value": 1}),
                k,
                Reason::TooOld,
            ),
            (
                json!({"id": "a", "at": t, "value": 1}),
                k,
                Reason::MissingMetric,
            ),
            (
                json!({"id": "a", "at": t, "metric": "noise", "value": 1}),
                k,
                Reason::UnknownMetric,
            ),
            (
                json!({"id": "a", "at": t, "metric": "gas_lel_pct", "value": 1}),
                k,
                Reason::MetricNotForKind,
            ),
            (
                json!({"id": "a", "at": t, "metric": "smoke"}),
                k,
                Reason::MissingValue,
            ),
            (
                json!({"id": "a", "at": t, "metric": "smoke", "value": "1"}),
                k,
                Reason::NotANumber,
            ),
            (
                json!({"id": "a", "at": t, "metric": "smoke", "value": 7}),
                k,
                Reason::OutOfRange,
            ),
            (
                json!({"id": "a", "at": t, "metric": "smoke", "value": 1, "lat": 1}),
                k,
                Reason::UnknownField,
            ),
            (
                json!({"id": "a", "at": t, "metric": "gps", "lat": 91, "lon": 0, "speed_kmh": 1}),
                DeviceKind::BusGps,
                Reason::BadPosition,
            ),
            (
                json!({"id": "a", "at": t, "metric": "gps", "lon": 0, "speed_kmh": 1}),
                DeviceKind::BusGps,
                Reason::BadPosition,
            ),
        ];
        for (v, kind, want) in cases {
            assert_eq!(check(v.clone(), kind), Err(want), "{v}");
        }
        // The edges: exactly 300 s ahead and exactly the maximum age are accepted.
        assert!(
            check(
                json!({"id": "a", "at": at(now, 300), "metric": "smoke", "value": 0}),
                k
            )
            .is_ok()
        );
        assert!(
            check(
                json!({"id": "a", "at": at(now, -86400), "metric": "smoke", "value": 0}),
                k
            )
            .is_ok()
        );
    }

    #[test]
    fn the_event_id_of_a_refusal_is_kept_short() {
        assert_eq!(event_id(&json!({"id": "abc"})), "abc");
        assert_eq!(event_id(&json!({"id": 5})), "");
        assert_eq!(
            event_id(&json!({"id": "y".repeat(100)})).len(),
            MAX_EVENT_ID
        );
    }
}
