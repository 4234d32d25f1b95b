//! 春华小学 S001's bus: one vehicle with its sign and GPS terminal (`demo-s001-gps-bus-01`),
//! a driver, two attendants, a route with riders, and today's trip under way. The trip's
//! positions since its start are sent through the device ingest's code as the terminal sends
//! them (one event every 10 s, each received a second later), so the live rules raise one
//! speeding warning (a stretch at 70 km/h) and one deviation warning (a detour of about
//! 500 m for 100 s), both back to normal since, exactly as for a terminal reporting; the
//! demo's simulator drives the bus on along its route.

use super::{AUTHORITY, StaffAndRoute, issued_steps, staff_and_route, years_before};
use crate::domain::Code;
use crate::domain::bus::{BusConfig, BusType};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::device::DeviceKind;
use crate::domain::ids::OrgId;
use crate::domain::reading::Reading;
use crate::domain::warning::Metric;
use crate::error::Result;
use crate::storage::buses::seed::{SeedDriver, SeedPermit, SeedVehicle};
use crate::storage::seed::SeedTx;
use crate::storage::seed_devices::PastDevice;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};

/// S001 and its coordinates (`assets/demo/schools.toml`).
pub(super) const S001: (&str, f64, f64) = ("S001", 43.9156, 125.3518);

/// S001's GPS device code (its token `demo-s001-gps-bus-01`).
pub const S001_GPS: &str = "GPS-BUS-01";

/// Minutes since the start of S001's running trip when the demo is seeded; the trip takes
/// `TRIP_MINUTES` from the first stop to the school.
const RUNNING_FOR: i64 = 24;
const TRIP_MINUTES: f64 = 30.0;

/// A point `f` (0 … 1) of the way along a polyline, by length.
fn along(path: &[(f64, f64)], f: f64) -> (f64, f64) {
    let k = S001.1.to_radians().cos();
    let seg =
        |a: (f64, f64), b: (f64, f64)| ((b.0 - a.0).powi(2) + ((b.1 - a.1) * k).powi(2)).sqrt();
    let total: f64 = path.windows(2).map(|w| seg(w[0], w[1])).sum();
    let mut left = f.clamp(0.0, 1.0) * total;
    for w in path.windows(2) {
        let l = seg(w[0], w[1]);
        if left <= l && l > 0.0 {
            let t = left / l;
            return (
                w[0].0 + (w[1].0 - w[0].0) * t,
                w[0].1 + (w[1].1 - w[0].1) * t,
            );
        }
        left -= l;
    }
    *path.last().unwrap_or(&(S001.1, S001.2))
}

/// The positions of S001's bus from `start` to `now`, every 10 s: on the route at town
/// speeds, but 68–74 km/h from minute 6 for 30 s (speeding on an ordinary road, limit 60)
/// and about 500 m north-west of the route from minute 14 for 100 s (a detour: deviation
/// after 60 s beyond 300 m).
fn s001_positions(path: &[(f64, f64)], start: DateTime<Utc>, now: DateTime<Utc>) -> Vec<Reading> {
    let mut out = Vec::new();
    let mut n = 0i64;
    loop {
        let at = start + Duration::seconds(10 * n + 5);
        if at >= now {
            break;
        }
        let secs = 10 * n + 5;
        let (mut lat, mut lon) = along(path, secs as f64 / 60.0 / TRIP_MINUTES);
        let speed = match secs {
            360..=395 => [68.0, 72.0, 74.0, 70.0][((secs - 360) / 10) as usize],
            _ => 28.0 + ((n * 7) % 11) as f64,
        };
        if (840..=950).contains(&secs) {
            lat += 0.004;
            lon -= 0.004;
        }
        lat = (lat * 1e5).round() / 1e5;
        lon = (lon * 1e5).round() / 1e5;
        out.push(Reading {
            id: format!("trip-{n}"),
            at,
            metric: Metric::Gps,
            value: speed,
            lat: Some(lat),
            lon: Some(lon),
        });
        n += 1;
    }
    out
}

/// A position as the terminal sends it (`{"id", "at", "metric": "gps", "lat", "lon",
/// "speed_kmh"}`) and the instant it is received: a second after it was taken, never after
/// `now`.
fn sent(r: &Reading, now: DateTime<Utc>) -> (DateTime<Utc>, serde_json::Value) {
    let event = serde_json::json!({
        "id": r.id,
        "at": r.at.to_rfc3339(),
        "metric": r.metric.as_str(),
        "lat": r.lat,
        "lon": r.lon,
        "speed_kmh": r.value,
    });
    ((r.at + Duration::seconds(1)).min(now), event)
}

/// S001's bus: one vehicle with its sign and GPS terminal, a driver, two attendants, a route
/// with riders, and today's trip running with its positions so far (see the module's text).
pub(super) async fn seed(
    tx: &mut SeedTx,
    school: OrgId,
    officer: &str,
    cal: &WorkingCalendar,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    let (_, lat, lng) = S001;
    let owner = "长春市二道区春华校车服务有限公司".to_string();
    let bus = tx
        .seed_bus_vehicle(&SeedVehicle {
            school,
            plate: "吉A·X1001".into(),
            owner,
            seats: 41,
            bus_type: BusType::Primary,
            inspection_until: today + Duration::days(170),
            insurance_until: today + Duration::days(260),
            equipment_checked_on: today - Duration::days(9),
        })
        .await?;
    let token = crate::demo::devices::token(S001.0, S001_GPS);
    let device = tx
        .device(
            &PastDevice {
                school,
                code: S001_GPS,
                kind: DeviceKind::BusGps,
                name: "春华 1 号校车定位终端",
                zone: None,
                point: None,
                token: &token,
            },
            now - Duration::days(40),
        )
        .await?;
    tx.seed_bus_gps(bus, device).await?;
    let driver = tx
        .seed_bus_driver(&SeedDriver {
            school,
            name: "赵卫东".into(),
            phone: "13943100901".into(),
            licence_class: "A1".into(),
            licensed_since: years_before(today, 16),
            birth_date: years_before(today, 45),
            health_certificate_until: today + Duration::days(210),
            annual_review_until: today + Duration::days(230),
            records: vec![],
        })
        .await?;
    let (att, route, stops) = staff_and_route(
        tx,
        school,
        (lat, lng),
        today,
        &StaffAndRoute {
            attendants: [("钱淑芬", 36, 45), ("冯玉梅", 44, 65)],
            route: "春华一号线",
            stops: [
                ("临河街口", -0.045, -0.066, "06:55"),
                ("吉林大路站", -0.030, -0.044, "07:05"),
                ("东方广场", -0.015, -0.022, "07:15"),
                ("春华小学", 0.0, 0.0, "07:25"),
            ],
            phones_from: 900,
        },
    )
    .await?;
    let (applied, forwarded, replied, reviewed, decided) = issued_steps(cal, today, 90);
    tx.seed_bus_permit(&SeedPermit {
        school,
        vehicle: bus,
        route,
        drivers: vec![driver],
        operating_times: "06:55–07:25，16:10–16:40".into(),
        applied_on: applied,
        forwarded_on: Some(forwarded),
        replies_on: Some(replied),
        reviewed_on: Some(reviewed),
        decided_on: Some(decided),
        sign: Some((
            "吉交校01001".into(),
            AUTHORITY.into(),
            today + Duration::days(170),
        )),
        by: officer.to_string(),
    })
    .await?;
    // Today's running trip (the morning's before noon China time, else the afternoon's) and
    // the other run, planned.
    let afternoon = (now + Duration::hours(8)).hour() >= 12;
    let (running, planned) = if afternoon {
        ("午班", "早班")
    } else {
        ("早班", "午班")
    };
    let start = now - Duration::minutes(RUNNING_FOR);
    tx.seed_running_bus_trip(school, route, bus, driver, &att, today, running, 18, start)
        .await?;
    tx.seed_bus_trip(school, route, bus, driver, &att, today, planned)
        .await?;
    let path: Vec<(f64, f64)> = stops.iter().map(|s| (s.lat, s.lon)).collect();
    let events: Vec<_> = s001_positions(&path, start, now)
        .iter()
        .map(|r| sent(r, now))
        .collect();
    tx.seed_bus_positions(&token, &events, &BusConfig::default())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bus::gps;

    /// The positions cross the speed limit once and leave the path for more than a minute
    /// once, and are otherwise on the path within the limit.
    #[test]
    fn s001s_positions_speed_once_and_deviate_once() {
        let path: Vec<(f64, f64)> = [
            (-0.045, -0.066),
            (-0.03, -0.044),
            (-0.015, -0.022),
            (0.0, 0.0),
        ]
        .iter()
        .map(|(a, b)| (S001.1 + a, S001.2 + b))
        .collect();
        let pp: Vec<gps::PathPoint> = path
            .iter()
            .map(|&(lat, lon)| gps::PathPoint {
                lat,
                lon,
                road: crate::domain::bus::RoadClass::Ordinary,
            })
            .collect();
        let now = Utc::now();
        let rows = s001_positions(&path, now - Duration::minutes(RUNNING_FOR), now);
        assert_eq!(rows.len(), (RUNNING_FOR * 6) as usize);
        let fast: Vec<_> = rows.iter().filter(|r| r.value > 60.0).collect();
        assert_eq!(fast.len(), 4);
        let off: Vec<_> = rows
            .iter()
            .filter(|r| gps::off_path(&pp, (r.lat.unwrap(), r.lon.unwrap())).0 > 300.0)
            .collect();
        assert_eq!(off.len(), 11, "100 s off the path");
        assert!((off[10].at - off[0].at).num_seconds() >= 60);
        // Sent as the terminal sends them: each read back by the ingest's check as it was.
        let max_age = Duration::hours(72);
        for r in &rows {
            let (received, event) = sent(r, now);
            assert!(received > r.at && received <= now);
            let back = crate::domain::reading::parse(&event, DeviceKind::BusGps, received, max_age)
                .expect("taken");
            assert_eq!(
                (
                    back.id.as_str(),
                    back.at,
                    back.metric,
                    back.value,
                    back.lat,
                    back.lon
                ),
                (r.id.as_str(), r.at, r.metric, r.value, r.lat, r.lon)
            );
        }
    }
}
