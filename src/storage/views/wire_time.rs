//! Instants and dates as the wire spells them, written without the formatting machinery.
//!
//! A list of fifty hazards writes 150 instants; through chrono's `Display` (what its serde
//! support uses) they were 5 % of the hazard list's CPU. These write the same text — an
//! instant in UTC with `Z` and fractional seconds only when there are any (chrono's
//! `SecondsFormat::AutoSi`), a date as `YYYY-MM-DD` — straight into a stack buffer, and fall
//! back to chrono for what they do not cover (years outside 0–9999, leap seconds).
//!
//! Use with `#[serde(serialize_with = "views::wire_time::instant")]` (and `opt_instant`,
//! `date`, `opt_date`); the schema stays the field's type.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::Serializer;

fn two(buf: &mut [u8], at: usize, v: u32) {
    buf[at] = b'0' + (v / 10) as u8;
    buf[at + 1] = b'0' + (v % 10) as u8;
}

/// `YYYY-MM-DD` into `buf[..10]`, or `None` for a year outside 0–9999.
fn write_date(buf: &mut [u8], d: NaiveDate) -> Option<()> {
    let y = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    two(buf, 0, y / 100);
    two(buf, 2, y % 100);
    buf[4] = b'-';
    two(buf, 5, d.month());
    buf[7] = b'-';
    two(buf, 8, d.day());
    Some(())
}

/// The instant's RFC 3339 text in UTC, as chrono's serde support writes it.
pub fn format_instant(t: &DateTime<Utc>, out: &mut [u8; 30]) -> Option<usize> {
    let n = t.naive_utc();
    let nanos = n.nanosecond();
    if nanos >= 1_000_000_000 {
        return None; // a leap second: chrono's own spelling
    }
    write_date(out, n.date())?;
    out[10] = b'T';
    two(out, 11, n.hour());
    out[13] = b':';
    two(out, 14, n.minute());
    out[16] = b':';
    two(out, 17, n.second());
    let mut len = 19;
    if nanos != 0 {
        // AutoSi: 3, 6 or 9 digits, the fewest that hold the value.
        let (digits, value) = if nanos.is_multiple_of(1_000_000) {
            (3, nanos / 1_000_000)
        } else if nanos.is_multiple_of(1_000) {
            (6, nanos / 1_000)
        } else {
            (9, nanos)
        };
        out[len] = b'.';
        let mut v = value;
        for i in (0..digits).rev() {
            out[len + 1 + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        len += 1 + digits;
    }
    out[len] = b'Z';
    Some(len + 1)
}

pub fn instant<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match format_instant(t, &mut buf) {
        // ASCII digits and separators only.
        Some(n) => s.serialize_str(std::str::from_utf8(&buf[..n]).unwrap_or_default()),
        None => serde::Serialize::serialize(t, s),
    }
}

pub fn opt_instant<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => instant(t, s),
        None => s.serialize_none(),
    }
}

pub fn date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 10];
    match write_date(&mut buf, *d) {
        Some(()) => s.serialize_str(std::str::from_utf8(&buf).unwrap_or_default()),
        None => serde::Serialize::serialize(d, s),
    }
}

pub fn opt_date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => date(d, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[derive(serde::Serialize)]
    struct Fast {
        #[serde(serialize_with = "instant")]
        t: DateTime<Utc>,
        #[serde(serialize_with = "opt_date")]
        d: Option<NaiveDate>,
    }
    #[derive(serde::Serialize)]
    struct Chrono {
        t: DateTime<Utc>,
        d: Option<NaiveDate>,
    }

    fn same(t: DateTime<Utc>, d: Option<NaiveDate>) {
        let fast = serde_json::to_string(&Fast { t, d }).unwrap();
        let slow = serde_json::to_string(&Chrono { t, d }).unwrap();
        assert_eq!(fast, slow);
    }

    #[test]
    fn edges_are_written_as_chrono_writes_them() {
        let base = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        same(base, NaiveDate::from_ymd_opt(2026, 12, 31));
        for ns in [1, 999, 1_000, 1_000_000, 120_000_000, 999_999_999, 500_000] {
            same(base + chrono::Duration::nanoseconds(ns), None);
        }
        same(
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            NaiveDate::from_ymd_opt(-3, 1, 1),
        );
        same(
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            NaiveDate::from_ymd_opt(0, 1, 1),
        );
    }

    proptest! {
        #[test]
        fn any_instant_and_date_match_chrono(secs in -62_000_000_000i64..300_000_000_000, ns in 0u32..1_000_000_000, days in -800_000i32..3_000_000) {
            let t = Utc.timestamp_opt(secs, ns).unwrap();
            let d = NaiveDate::from_num_days_from_ce_opt(days);
            same(t, d);
        }
    }
}
