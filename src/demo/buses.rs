//! The demo's school buses, relative to the day it is seeded: two primary schools of 二道区
//! that run buses (稻香小学 S011 and 远帆小学 S012), each with its vehicles, drivers,
//! attendants, a route with stops around the school and riders (invented names), permits and
//! today's trips. Chosen cases: a sign expiring within the month, an insurance lapsed (its
//! trip refused), a driver not eligible (a serious violation 8 months ago), one passing the
//! age limit within the month, permits issued with their signs and one forwarded whose
//! replies are late.
//!
//! 春华小学 S001 runs one bus with its GPS device (`demo-s001-gps-bus-01`): today's trip is
//! under way, its positions since the start taken as the ingest takes them, so the live
//! rules raise one speeding warning (a stretch at 70 km/h) and one deviation warning (a
//! detour of about 500 m for 100 s), both back to normal since; the demo's simulator drives
//! the bus on along its route.

use super::history::DistrictPeople;
use crate::domain::bus::{BusConfig, BusType};
use crate::domain::device::DeviceKind;
use crate::domain::reading::Reading;
use crate::domain::warning::Metric;
use crate::error::Result;
use crate::storage::buses::routes::Stop;
use crate::storage::buses::seed::{SeedDriver, SeedPermit, SeedVehicle};
use crate::storage::seed::SeedTx;
use crate::storage::seed_devices::PastDevice;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Timelike, Utc};

/// The schools that run the demo's buses, with their coordinates (`assets/demo/schools.toml`).
const SCHOOLS: &[(&str, f64, f64)] = &[("S011", 43.9056, 125.4747), ("S012", 43.8736, 125.4637)];

const AUTHORITY: &str = "长春市公安局交通警察支队";

/// Pupils' names, classes and guardians (made up).
const RIDERS: &[(&str, &str, &str)] = &[
    ("李明轩", "一年级一班", "李国华"),
    ("王梓涵", "二年级三班", "王建军"),
    ("张一诺", "三年级二班", "张丽"),
    ("刘浩然", "四年级一班", "刘志刚"),
    ("陈思雨", "五年级二班", "陈红梅"),
    ("杨子墨", "二年级一班", "杨海"),
    ("赵欣怡", "六年级三班", "赵立新"),
    ("黄俊熙", "三年级一班", "黄伟"),
];

fn years_before(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(years * 12)).unwrap_or(d)
}

/// `n` working days (Monday to Friday) before `d`.
fn working_days_before(d: NaiveDate, n: u32) -> NaiveDate {
    let mut out = d;
    let mut left = n;
    while left > 0 {
        out -= Duration::days(1);
        if out.weekday().number_from_monday() <= 5 {
            left -= 1;
        }
    }
    out
}

pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    today: NaiveDate,
) -> Result<()> {
    for d in districts {
        for (i, s) in d.schools.iter().enumerate() {
            if s.code == S001.0 {
                seed_s001(tx, s.id, &d.officer.name, today, Utc::now()).await?;
                continue;
            }
            let Some(&(_, lat, lng)) = SCHOOLS.iter().find(|(c, _, _)| *c == s.code) else {
                continue;
            };
            let k = SCHOOLS
                .iter()
                .position(|(c, _, _)| *c == s.code)
                .unwrap_or(0) as i64;
            let owner = format!(
                "长春市二道区{}校车服务有限公司",
                ["稻香", "远帆"][k as usize % 2]
            );
            let plate = |n: i64| format!("吉A·X{}{:02}", 11 + k, n);
            // The first bus: sign valid for a year (S011) or its insurance lapsed (S012).
            let first = tx
                .seed_bus_vehicle(&SeedVehicle {
                    school: s.id,
                    plate: plate(1),
                    owner: owner.clone(),
                    seats: 41,
                    bus_type: BusType::Primary,
                    inspection_until: today + Duration::days(150),
                    insurance_until: if k == 0 {
                        today + Duration::days(240)
                    } else {
                        today - Duration::days(5)
                    },
                    equipment_checked_on: today - Duration::days(12),
                })
                .await?;
            // The second: S011's sign runs out with its inspection within the month; S012's
            // is still being permitted.
            let second = tx
                .seed_bus_vehicle(&SeedVehicle {
                    school: s.id,
                    plate: plate(2),
                    owner: owner.clone(),
                    seats: 19,
                    bus_type: BusType::Primary,
                    inspection_until: if k == 0 {
                        today + Duration::days(20)
                    } else {
                        today + Duration::days(170)
                    },
                    insurance_until: today + Duration::days(300),
                    equipment_checked_on: today - Duration::days(30),
                })
                .await?;
            let names: [[&str; 2]; 2] = [["刘建国", "陈志强"], ["王海涛", "杨立新"]];
            let [n1, n2] = names[k as usize % 2];
            let first_driver = tx
                .seed_bus_driver(&SeedDriver {
                    school: s.id,
                    name: n1.into(),
                    phone: format!("1394310{:04}", 1001 + i),
                    licence_class: "A1".into(),
                    licensed_since: years_before(today, 18),
                    // S012's first driver passes the age limit (60 full years) in three weeks.
                    birth_date: if k == 0 {
                        years_before(today, 47)
                    } else {
                        years_before(today + Duration::days(21), 61)
                    },
                    health_certificate_until: today + Duration::days(200),
                    annual_review_until: today + Duration::days(250),
                    records: vec![],
                })
                .await?;
            let second_driver = tx
                .seed_bus_driver(&SeedDriver {
                    school: s.id,
                    name: n2.into(),
                    phone: format!("1394310{:04}", 2001 + i),
                    licence_class: "A1".into(),
                    licensed_since: years_before(today, 12),
                    birth_date: years_before(today, 41),
                    health_certificate_until: today + Duration::days(180),
                    annual_review_until: today + Duration::days(220),
                    // S011's second driver: a serious violation 8 months ago.
                    records: if k == 0 {
                        vec![(
                            "serious_violation".into(),
                            today - Duration::days(243),
                            "超过规定时速 50% 以上（交警月度通报）".into(),
                        )]
                    } else {
                        vec![]
                    },
                })
                .await?;
            let attendants = [["孙秀英", "周丽华"], ["吴桂兰", "郑晓燕"]][k as usize % 2];
            let mut att = Vec::new();
            for (j, a) in attendants.iter().enumerate() {
                att.push(
                    tx.seed_bus_attendant(
                        s.id,
                        a,
                        years_before(today, 38 + j as u32 * 6),
                        today - Duration::days(60 + 30 * j as i64),
                    )
                    .await?,
                );
            }
            let stop = |n: &str, dlat: f64, dlng: f64, t: &str| Stop {
                name: n.into(),
                lat: lat + dlat,
                lon: lng + dlng,
                time: t.into(),
            };
            let stops = vec![
                stop("东盛小区", -0.018, 0.021, "06:50"),
                stop("荣光路口", -0.012, 0.014, "07:00"),
                stop("英俊乡政府", -0.006, 0.007, "07:10"),
                stop("学校", 0.0, 0.0, "07:20"),
            ];
            let riders: Vec<(String, String, String, String, String)> = RIDERS
                .iter()
                .enumerate()
                .map(|(j, (name, class, guardian))| {
                    (
                        (*name).to_string(),
                        (*class).to_string(),
                        stops[j % 3].name.clone(),
                        (*guardian).to_string(),
                        format!("1384310{:04}", 100 * (k + 1) + j as i64),
                    )
                })
                .collect();
            let route = tx
                .seed_bus_route(s.id, "一号线（东线）", &stops, &riders)
                .await?;
            let by = d.officer.name.clone();
            let times = "06:50–07:20，16:10–16:40".to_string();
            // The first bus's permit: issued with its sign a year's validity ago … ahead.
            let decided = today - Duration::days(100);
            tx.seed_bus_permit(&SeedPermit {
                school: s.id,
                vehicle: first,
                route,
                drivers: vec![first_driver, second_driver],
                operating_times: times.clone(),
                applied_on: decided - Duration::days(20),
                forwarded_on: Some(decided - Duration::days(18)),
                replies_on: Some(decided - Duration::days(14)),
                reviewed_on: Some(decided - Duration::days(8)),
                decided_on: Some(decided),
                sign: Some((
                    format!("吉交校{:05}", 1101 + k * 100),
                    AUTHORITY.into(),
                    today + Duration::days(150),
                )),
                by: by.clone(),
            })
            .await?;
            if k == 0 {
                // S011's second bus: its sign ends with the inspection, within the month.
                let decided = today - Duration::days(160);
                tx.seed_bus_permit(&SeedPermit {
                    school: s.id,
                    vehicle: second,
                    route,
                    drivers: vec![first_driver],
                    operating_times: times.clone(),
                    applied_on: decided - Duration::days(21),
                    forwarded_on: Some(decided - Duration::days(19)),
                    replies_on: Some(decided - Duration::days(15)),
                    reviewed_on: Some(decided - Duration::days(9)),
                    decided_on: Some(decided),
                    sign: Some((
                        format!("吉交校{:05}", 1102),
                        AUTHORITY.into(),
                        today + Duration::days(20),
                    )),
                    by: by.clone(),
                })
                .await?;
            } else {
                // S012's second bus: forwarded 10 working days ago, the replies are late.
                let forwarded = working_days_before(today, 10);
                tx.seed_bus_permit(&SeedPermit {
                    school: s.id,
                    vehicle: second,
                    route,
                    drivers: vec![second_driver],
                    operating_times: times.clone(),
                    applied_on: working_days_before(forwarded, 2),
                    forwarded_on: Some(forwarded),
                    replies_on: None,
                    reviewed_on: None,
                    decided_on: None,
                    sign: None,
                    by: by.clone(),
                })
                .await?;
            }
            // Today's trips: the morning and afternoon runs of the first bus.
            for run in ["早班", "午班"] {
                tx.seed_bus_trip(s.id, route, first, first_driver, &att, today, run)
                    .await?;
            }
        }
    }
    Ok(())
}

/// S001 and its coordinates (`assets/demo/schools.toml`).
const S001: (&str, f64, f64) = ("S001", 43.9156, 125.3518);

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

/// S001's bus: one vehicle with its sign and GPS device, a driver, two attendants, a route
/// with riders, and today's trip running with its positions so far (see the module's text).
async fn seed_s001(
    tx: &mut SeedTx,
    school: crate::domain::ids::OrgId,
    officer: &str,
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
    let token = super::devices::token(S001.0, S001_GPS);
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
    let mut att = Vec::new();
    for (j, a) in ["钱淑芬", "冯玉梅"].iter().enumerate() {
        att.push(
            tx.seed_bus_attendant(
                school,
                a,
                years_before(today, 36 + j as u32 * 8),
                today - Duration::days(45 + 20 * j as i64),
            )
            .await?,
        );
    }
    let stop = |n: &str, dlat: f64, dlng: f64, t: &str| Stop {
        name: n.into(),
        lat: lat + dlat,
        lon: lng + dlng,
        time: t.into(),
    };
    let stops = vec![
        stop("临河街口", -0.045, -0.066, "06:55"),
        stop("吉林大路站", -0.030, -0.044, "07:05"),
        stop("东方广场", -0.015, -0.022, "07:15"),
        stop("春华小学", 0.0, 0.0, "07:25"),
    ];
    let riders: Vec<(String, String, String, String, String)> = RIDERS
        .iter()
        .enumerate()
        .map(|(j, (name, class, guardian))| {
            (
                (*name).to_string(),
                (*class).to_string(),
                stops[j % 3].name.clone(),
                (*guardian).to_string(),
                format!("1384310{:04}", 900 + j as i64),
            )
        })
        .collect();
    let route = tx
        .seed_bus_route(school, "春华一号线", &stops, &riders)
        .await?;
    let decided = today - Duration::days(90);
    tx.seed_bus_permit(&SeedPermit {
        school,
        vehicle: bus,
        route,
        drivers: vec![driver],
        operating_times: "06:55–07:25，16:10–16:40".into(),
        applied_on: decided - Duration::days(20),
        forwarded_on: Some(decided - Duration::days(18)),
        replies_on: Some(decided - Duration::days(14)),
        reviewed_on: Some(decided - Duration::days(8)),
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
    let rows = s001_positions(&path, start, now);
    tx.seed_bus_positions(device, school, &rows, &BusConfig::default())
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
    }
}
