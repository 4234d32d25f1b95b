//! Each school's devices (smoke detectors, the fire panel, electrical fire and gas detectors,
//! the alarm button, the gate, a water-level gauge where there is water) and their normal
//! readings over the last 30 days, evenly spread, the newest a minute ago. Devices get no token
//! (the school issues one when it installs them).

use super::orgs::{Site, World};
use super::risk::PointW;
use super::{Args, Loader, T, at, rng_for};
use crate::domain::Code;
use crate::domain::device::DeviceKind;
use crate::domain::warning::Metric;
use crate::error::Result;
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

pub(crate) const DEVICE_COLUMNS: &[&str] = &[
    "id",
    "school_id",
    "code",
    "kind",
    "name",
    "zone_id",
    "risk_point_id",
    "last_seen_at",
    "last_values",
    "created_at",
    "updated_at",
];
pub(crate) const EVENT_COLUMNS: &[&str] = &[
    "id",
    "device_id",
    "school_id",
    "event_id",
    "at",
    "metric",
    "value",
    "received_at",
];

/// Devices of a school: (code, kind, name, zone type, the feature it needs).
const SET: &[(&str, DeviceKind, &str, &str, &str)] = &[
    (
        "YG-01",
        DeviceKind::Smoke,
        "教学楼走廊感烟探测器",
        "building",
        "",
    ),
    (
        "XF-01",
        DeviceKind::FirePanel,
        "消防控制室火灾报警控制器",
        "building",
        "",
    ),
    (
        "DQ-01",
        DeviceKind::ElectricalFire,
        "配电室电气火灾监控探测器",
        "facility",
        "",
    ),
    (
        "RQ-01",
        DeviceKind::Gas,
        "食堂操作间可燃气体探测器",
        "canteen",
        "canteen",
    ),
    (
        "BJ-01",
        DeviceKind::AlarmButton,
        "门卫室一键报警",
        "gate",
        "",
    ),
    ("MJ-01", DeviceKind::AccessGate, "校门门禁闸机", "gate", ""),
    (
        "SW-01",
        DeviceKind::WaterLevel,
        "校内水池水位监测仪",
        "water",
        "near_water",
    ),
];

/// Days of readings.
const DAYS: i64 = 30;

/// A normal reading of a device of `kind`.
fn normal(kind: DeviceKind, rng: &mut StdRng) -> (Metric, f64) {
    match kind {
        DeviceKind::Smoke => (Metric::Smoke, 0.0),
        DeviceKind::ElectricalFire => (Metric::ResidualCurrentMa, rng.random_range(20..120) as f64),
        DeviceKind::Gas => (
            Metric::GasLelPct,
            f64::from(rng.random_range(0..30u8)) / 10.0,
        ),
        DeviceKind::WaterLevel => (Metric::WaterLevelCm, rng.random_range(40..90) as f64),
        _ => (Metric::Heartbeat, 1.0),
    }
}

/// Writes a school's devices and `events` readings among them.
pub(crate) async fn write(
    l: &mut Loader,
    args: &Args,
    _world: &World,
    site: &Site,
    points: &[PointW],
    events: u64,
    today: NaiveDate,
) -> Result<()> {
    let s = &site.school;
    let mut rng = rng_for(args.seed, s.idx, 6);
    let created = at(today - Duration::days(DAYS + 10), 9, 0);
    // The newest reading a minute before the China day began: the same set all day.
    let last = at(today, 0, 0) - Duration::minutes(1);
    let set: Vec<_> = SET
        .iter()
        .filter(|d| d.4.is_empty() || s.has(d.4))
        .collect();
    let n = set.len() as u64;
    let mut devices = Vec::new();
    for (code, kind, name, zt, _) in &set {
        let id = l.ids.next(T::Devices);
        let zone = site.zones.iter().find(|z| z.1 == *zt).map(|z| z.0);
        let point = points.iter().find(|p| p.zone == zone && zone.is_some());
        let (metric, value) = normal(*kind, &mut rng);
        let values = serde_json::json!({ metric.as_str(): value }).to_string();
        let seen = (events > 0).then_some(last);
        l.push(
            T::Devices,
            row![
                id,
                s.id,
                *code,
                kind.as_str(),
                *name,
                zone,
                point.map(|p| p.id),
                seen,
                values,
                created,
                created
            ],
        )
        .await?;
        devices.push((id, *kind));
    }
    if n == 0 || events == 0 {
        return Ok(());
    }
    // Readings: the devices in turn, evenly over the last DAYS days, the newest last.
    let span = Duration::days(DAYS).num_seconds();
    let step = (span / events as i64).max(1);
    for k in 0..events {
        let (dev, kind) = devices[(k % n) as usize];
        let back = (events - 1 - k) as i64 * step;
        let t = last - Duration::seconds(back);
        let (metric, value) = normal(kind, &mut rng);
        let id = l.ids.next(T::DeviceEvents);
        l.push(
            T::DeviceEvents,
            row![
                id,
                dev,
                s.id,
                format!("g{k}"),
                t,
                metric.as_str(),
                value,
                t + Duration::seconds(1)
            ],
        )
        .await?;
    }
    Ok(())
}
