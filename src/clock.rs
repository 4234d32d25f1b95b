//! The calendar of the platform: storage keeps UTC instants; deadlines, half-months and
//! "overdue" are China dates (UTC+8). The bottom layer: every other layer may ask it.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Today in China time (UTC+8).
pub fn today() -> NaiveDate {
    china_date(Utc::now())
}

/// The China date (UTC+8) of an instant.
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(8)).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn china_date_turns_at_sixteen_utc() {
        let before = Utc.with_ymd_and_hms(2026, 11, 30, 15, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap();
        assert_eq!(
            china_date(before),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(
            china_date(after),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
    }
}
