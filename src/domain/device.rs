//! Devices (物联终端) of a school's early warning: what kind each is and when it counts as
//! online. Pure.

use chrono::{DateTime, Duration, Utc};

crate::code_enum!(
    /// What a device is (F-WARN-1).
    DeviceKind, "device_kind", {
        FirePanel = "fire_panel",
        Smoke = "smoke",
        ElectricalFire = "electrical_fire",
        Gas = "gas",
        WaterLevel = "water_level",
        AccessGate = "access_gate",
        AlarmButton = "alarm_button",
        Camera = "camera",
        BusGps = "bus_gps",
    }
);

/// Longest device code (the school's own label, e.g. `YG-3F-01`).
pub const MAX_CODE: usize = 32;
/// Longest device name.
pub const MAX_NAME: usize = 64;

/// A device code: 1–32 letters, digits, `-`, `_` or `.` (it appears in MQTT topics and on
/// labels, so nothing else).
pub fn valid_code(code: &str) -> bool {
    (1..=MAX_CODE).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Online: an event arrived within the last `offline_minutes` (never seen: offline).
pub fn is_online(
    last_seen: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    offline_minutes: u32,
) -> bool {
    last_seen.is_some_and(|t| now - t <= Duration::minutes(i64::from(offline_minutes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_until_the_limit_and_not_after() {
        let now = Utc::now();
        assert!(!is_online(None, now, 30));
        assert!(is_online(Some(now - Duration::minutes(30)), now, 30));
        assert!(!is_online(
            Some(now - Duration::minutes(30) - Duration::seconds(1)),
            now,
            30
        ));
        // A clock a little ahead on the device still counts as seen.
        assert!(is_online(Some(now + Duration::seconds(5)), now, 30));
    }

    #[test]
    fn codes_are_short_and_plain() {
        assert!(valid_code("YG-3F-01"));
        assert!(valid_code("a.b_c"));
        for bad in ["", "有中文", "a b", "a/b", "+", "#", &"x".repeat(33)] {
            assert!(!valid_code(bad), "{bad}");
        }
    }
}
