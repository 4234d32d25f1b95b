//! The demo's early warning: every school gets its devices (smoke detectors, the fire-alarm
//! panel, an electrical-fire detector, a gas detector in the canteen, a one-key alarm at the
//! gate, an access gate; a water-level sensor where the campus has water; bus GPS where the
//! school runs buses, unless its bus is registered with its terminal (S001's, `buses.rs`)),
//! thirty days of readings (every six hours, and a last one just before
//! the demo starts), and past warnings in every state. Devices carry demo tokens
//! (`demo-<school>-<device>`, e.g. `demo-s001-yg-01`), so the simulator and the README's
//! examples can send readings; like the demo password, they are for the demo only.

use super::history::DistrictPeople;
use crate::domain::device::DeviceKind;
use crate::domain::ids::{DeviceId, OrgId, ZoneId};
use crate::domain::reading::Reading;
use crate::domain::warning::{Level, Metric};
use crate::error::Result;
use crate::storage::seed::SeedTx;
use crate::storage::seed_devices::{PastDevice, PastStep, PastWarning};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Days of readings before the demo starts.
const DAYS: i64 = 30;

/// The token of a demo device.
pub fn token(school_code: &str, device_code: &str) -> String {
    format!(
        "demo-{}-{}",
        school_code.to_lowercase(),
        device_code.to_lowercase()
    )
}

/// A device the demo registers: (code, kind, name, preferred zone type).
const SET: &[(&str, DeviceKind, &str, &str)] = &[
    (
        "YG-01",
        DeviceKind::Smoke,
        "教学楼走廊感烟探测器",
        "building",
    ),
    ("YG-02", DeviceKind::Smoke, "宿舍楼感烟探测器", "dormitory"),
    (
        "XF-01",
        DeviceKind::FirePanel,
        "消防控制室火灾报警控制器",
        "building",
    ),
    (
        "DQ-01",
        DeviceKind::ElectricalFire,
        "配电室电气火灾监控探测器",
        "facility",
    ),
    (
        "RQ-01",
        DeviceKind::Gas,
        "食堂操作间可燃气体探测器",
        "canteen",
    ),
    ("BJ-01", DeviceKind::AlarmButton, "门卫室一键报警", "gate"),
    ("MJ-01", DeviceKind::AccessGate, "校门门禁闸机", "gate"),
];

/// A normal reading of a device of `kind` (and its metric).
pub fn normal(kind: DeviceKind, rng: &mut StdRng) -> (Metric, f64) {
    match kind {
        DeviceKind::Smoke => (Metric::Smoke, 0.0),
        DeviceKind::ElectricalFire => (Metric::ResidualCurrentMa, rng.random_range(20..120) as f64),
        DeviceKind::Gas => (
            Metric::GasLelPct,
            f64::from(rng.random_range(0..30u8)) / 10.0,
        ),
        DeviceKind::WaterLevel => (Metric::WaterLevelCm, rng.random_range(40..90) as f64),
        DeviceKind::BusGps => (Metric::Gps, rng.random_range(0..40) as f64),
        _ => (Metric::Heartbeat, 1.0),
    }
}

fn zone_of(zones: &[(ZoneId, String)], want: &str, i: usize) -> Option<ZoneId> {
    zones
        .iter()
        .find(|(_, t)| t == want)
        .or_else(|| zones.get(i % zones.len().max(1)))
        .map(|z| z.0)
}

/// Registers the devices, writes their readings and past warnings.
pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(119);
    let mut n = 0usize;
    for d in districts {
        for s in &d.schools {
            n += 1;
            let (zones, bus, at) = tx.device_places(s.id).await?;
            let points = tx.points(s.id).await?;
            let mut set: Vec<(String, DeviceKind, String, &str)> = SET
                .iter()
                .map(|(c, k, name, z)| (c.to_string(), *k, name.to_string(), *z))
                .collect();
            if zones.iter().any(|(_, t)| t == "water") {
                set.push((
                    "SW-01".into(),
                    DeviceKind::WaterLevel,
                    "校内水池水位监测仪".into(),
                    "water",
                ));
            }
            if bus && !super::buses::has_own_gps(&s.code) {
                set.push((
                    "GPS-01".into(),
                    DeviceKind::BusGps,
                    "1号校车定位终端".into(),
                    "parking",
                ));
            }
            let mut mine = Vec::new();
            for (i, (code, kind, name, want)) in set.iter().enumerate() {
                let zone = zone_of(&zones, want, i);
                let point = points
                    .iter()
                    .find(|p| p.zone.is_some() && p.zone == zone)
                    .map(|p| p.id);
                let token = token(&s.code, code);
                let id = tx
                    .device(
                        &PastDevice {
                            school: s.id,
                            code,
                            kind: *kind,
                            name,
                            zone,
                            point,
                            token: &token,
                        },
                        now - Duration::days(DAYS + 5),
                    )
                    .await?;
                let mut rows = Vec::new();
                for h in (0..DAYS * 4).rev() {
                    let t = now
                        - Duration::hours(h * 6 + 6)
                        - Duration::minutes(rng.random_range(0..30));
                    let (metric, value) = normal(*kind, &mut rng);
                    let (lat, lon) = match (metric, at) {
                        (Metric::Gps, Some((la, lo))) => (
                            Some(la + rng.random_range(-20..20) as f64 / 1000.0),
                            Some(lo + rng.random_range(-20..20) as f64 / 1000.0),
                        ),
                        (Metric::Gps, None) => (Some(43.88), Some(125.32)),
                        _ => (None, None),
                    };
                    rows.push(Reading {
                        id: format!("h{h}"),
                        at: t,
                        metric,
                        value,
                        lat,
                        lon,
                    });
                }
                let (metric, value) = normal(*kind, &mut rng);
                rows.push(Reading {
                    id: "h-last".into(),
                    at: now - Duration::minutes(rng.random_range(1..5)),
                    metric,
                    value,
                    lat: rows.last().and_then(|r| r.lat),
                    lon: rows.last().and_then(|r| r.lon),
                });
                tx.readings(id, s.id, &rows).await?;
                mine.push((id, *kind, zone, point, code.clone()));
            }
            warnings(tx, &mut rng, s, &mine, n, now).await?;
        }
    }
    Ok(())
}

/// The demo devices of a database with their tokens (device, school, kind, token): the
/// demo's tokens follow from the codes.
pub async fn demo_devices(
    db: &crate::storage::Db,
) -> Result<Vec<(DeviceId, OrgId, DeviceKind, String)>> {
    let u = db.unsafe_unscoped(&crate::storage::Operator::command_line());
    Ok(u.devices_with_codes()
        .await?
        .into_iter()
        .map(|(id, school, school_code, code, kind)| (id, school, kind, token(&school_code, &code)))
        .collect())
}

type Mine = (
    DeviceId,
    DeviceKind,
    Option<ZoneId>,
    Option<crate::domain::ids::RiskPointId>,
    String,
);

/// Past warnings of a school: resolved alarms and a false alarm over the month, and — at some
/// schools — one still open (raised, acknowledged or dispatched).
async fn warnings(
    tx: &mut SeedTx,
    rng: &mut StdRng,
    s: &super::history::SchoolPeople,
    mine: &[Mine],
    n: usize,
    now: DateTime<Utc>,
) -> Result<()> {
    let find = |k: DeviceKind| mine.iter().find(|m| m.1 == k);
    let safety = Some(s.safety.user);
    let principal = Some(s.principal.user);
    let mut past = Vec::new();
    if let Some(d) = find(DeviceKind::Smoke) {
        let at = now
            - Duration::days(rng.random_range(3..DAYS))
            - Duration::hours(rng.random_range(0..12));
        past.push((
            d,
            "smoke.smoke.red",
            Level::Red,
            1.0,
            "smoke = 1 ≥ 1",
            at,
            vec![
                ("clear", 4, None, ""),
                ("acknowledge", 3, safety, ""),
                (
                    "resolve",
                    25,
                    safety,
                    "现场核查为粉尘误触发，已清洁探头并复位",
                ),
            ],
        ));
        let at2 = now - Duration::days(rng.random_range(3..DAYS));
        past.push((
            d,
            "smoke.smoke.red",
            Level::Red,
            1.0,
            "smoke = 1 ≥ 1",
            at2,
            vec![
                ("acknowledge", 2, safety, ""),
                ("false_alarm", 10, safety, "演练测试触发"),
            ],
        ));
    }
    if let Some(d) = find(DeviceKind::ElectricalFire) {
        let at = now - Duration::days(rng.random_range(2..DAYS));
        past.push((
            d,
            "electrical_fire.residual_current_ma.orange",
            Level::Orange,
            340.0,
            "residual_current_ma = 340 ≥ 300",
            at,
            vec![
                ("acknowledge", 8, safety, ""),
                ("dispatch", 12, principal, ""),
                ("clear", 60, None, ""),
                (
                    "resolve",
                    95,
                    principal,
                    "电工排查线路老化漏电，已更换配电箱漏保",
                ),
            ],
        ));
    }
    // Still open at some schools.
    let open = match n % 7 {
        2 => Some(("raised", DeviceKind::ElectricalFire)),
        4 => Some(("acknowledged", DeviceKind::Gas)),
        6 => Some(("dispatched", DeviceKind::ElectricalFire)),
        _ => None,
    };
    if let Some((state, kind)) = open
        && let Some(d) = find(kind)
    {
        let at = now - Duration::hours(rng.random_range(1..20));
        let (rule, level, value, detail) = if kind == DeviceKind::Gas {
            (
                "gas.gas_lel_pct.orange",
                Level::Orange,
                27.0,
                "gas_lel_pct = 27 ≥ 25",
            )
        } else {
            (
                "electrical_fire.residual_current_ma.orange",
                Level::Orange,
                360.0,
                "residual_current_ma = 360 ≥ 300",
            )
        };
        let steps = match state {
            "acknowledged" => vec![("acknowledge", 5, safety, "")],
            "dispatched" => vec![
                ("acknowledge", 5, safety, ""),
                ("dispatch", 9, principal, ""),
            ],
            _ => vec![],
        };
        past.push((d, rule, level, value, detail, at, steps));
    }
    for (d, rule, level, value, detail, at, steps) in past {
        tx.past_warning(PastWarning {
            school: s.id,
            device: d.0,
            zone: d.2,
            point: d.3,
            rule: rule.into(),
            level,
            value,
            detail: format!("{} · {detail}", d.4),
            raised_at: at,
            steps: steps
                .into_iter()
                .map(|(step, minutes, user, note)| PastStep {
                    step,
                    at: at + Duration::minutes(minutes),
                    user,
                    note: note.into(),
                })
                .collect(),
        })
        .await?;
    }
    Ok(())
}
