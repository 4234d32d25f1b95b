//! The demo's school buses, relative to the day it is seeded: two primary schools of 二道区
//! that run buses (稻香小学 S011 and 远帆小学 S012), each with its vehicles, drivers,
//! attendants, a route with stops around the school and riders (invented names), permits and
//! today's trips. Chosen cases: a sign expiring within the month, an insurance lapsed (its
//! trip refused), a driver not eligible (a serious violation 8 months ago), one passing the
//! age limit within the month, permits issued with their signs and one forwarded whose
//! replies are late. Permits' steps are dated in working days on the calendar in force, as
//! their deadlines are counted: an issued permit took every step in time.
//!
//! 春华小学 S001 runs one bus with its GPS terminal, its trip of the day under way
//! ([`s001`]).

mod s001;

use super::history::DistrictPeople;
use crate::domain::bus::BusType;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::ids::{BusAttendantId, BusRouteId, OrgId};
use crate::error::Result;
use crate::storage::buses::routes::Stop;
use crate::storage::buses::seed::{SeedDriver, SeedPermit, SeedVehicle};
use crate::storage::seed::SeedTx;
use chrono::{Duration, Months, NaiveDate, Utc};

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

/// The `n`-th working day before `d` on `cal` (`d` itself is not counted): the mirror of
/// [`WorkingCalendar::add_working_days`], so a step taken on `d` is within `n` working days
/// of one taken on the answer.
fn working_days_before(cal: &WorkingCalendar, d: NaiveDate, n: u32) -> NaiveDate {
    let mut out = d;
    let mut left = n;
    while left > 0 {
        let Some(prev) = out.pred_opt() else {
            return NaiveDate::MIN;
        };
        out = prev;
        if cal.is_working_day(out) {
            left -= 1;
        }
    }
    out
}

/// The days of an issued permit's steps (applied, forwarded, replied, reviewed, decided):
/// decided on the last working day at least `ago` days before `today`, each step before it a
/// few working days earlier, within its deadline (forward 3, replies 3, review 5).
fn issued_steps(
    cal: &WorkingCalendar,
    today: NaiveDate,
    ago: i64,
) -> (NaiveDate, NaiveDate, NaiveDate, NaiveDate, NaiveDate) {
    let mut decided = today - Duration::days(ago);
    while !cal.is_working_day(decided) {
        decided -= Duration::days(1);
    }
    let reviewed = working_days_before(cal, decided, 4);
    let replied = working_days_before(cal, reviewed, 4);
    let forwarded = working_days_before(cal, replied, 2);
    let applied = working_days_before(cal, forwarded, 2);
    (applied, forwarded, replied, reviewed, decided)
}

/// A school's two attendants (name, age in years, trained that many days ago) and its route:
/// stops at offsets from the school's coordinates (name, Δlat, Δlng, time), the demo's riders
/// spread over the first three stops, guardians' phones numbered from `phones_from`.
struct StaffAndRoute<'a> {
    attendants: [(&'a str, u32, i64); 2],
    route: &'a str,
    stops: [(&'a str, f64, f64, &'a str); 4],
    phones_from: i64,
}

async fn staff_and_route(
    tx: &mut SeedTx,
    school: OrgId,
    (lat, lng): (f64, f64),
    today: NaiveDate,
    p: &StaffAndRoute<'_>,
) -> Result<(Vec<BusAttendantId>, BusRouteId, Vec<Stop>)> {
    let mut att = Vec::new();
    for (name, age, trained_ago) in p.attendants {
        att.push(
            tx.seed_bus_attendant(
                school,
                name,
                years_before(today, age),
                today - Duration::days(trained_ago),
            )
            .await?,
        );
    }
    let stops: Vec<Stop> = p
        .stops
        .iter()
        .map(|&(name, dlat, dlng, time)| Stop {
            name: name.into(),
            lat: lat + dlat,
            lon: lng + dlng,
            time: time.into(),
        })
        .collect();
    let riders: Vec<(String, String, String, String, String)> = RIDERS
        .iter()
        .enumerate()
        .map(|(j, (name, class, guardian))| {
            (
                (*name).to_string(),
                (*class).to_string(),
                stops[j % 3].name.clone(),
                (*guardian).to_string(),
                format!("1384310{:04}", p.phones_from + j as i64),
            )
        })
        .collect();
    let route = tx.seed_bus_route(school, p.route, &stops, &riders).await?;
    Ok((att, route, stops))
}

/// Whether the school's bus GPS terminal is registered with its bus here (S001's), rather
/// than among the school's devices.
pub(super) fn has_own_gps(school_code: &str) -> bool {
    school_code == s001::S001.0
}

pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    today: NaiveDate,
) -> Result<()> {
    let cal = tx.working_calendar().await?;
    for d in districts {
        for (i, s) in d.schools.iter().enumerate() {
            if s.code == s001::S001.0 {
                s001::seed(tx, s.id, &d.officer.name, &cal, today, Utc::now()).await?;
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
            let [a, b] = [["孙秀英", "周丽华"], ["吴桂兰", "郑晓燕"]][k as usize % 2];
            let (att, route, _) = staff_and_route(
                tx,
                s.id,
                (lat, lng),
                today,
                &StaffAndRoute {
                    attendants: [(a, 38, 60), (b, 44, 90)],
                    route: "一号线（东线）",
                    stops: [
                        ("东盛小区", -0.018, 0.021, "06:50"),
                        ("荣光路口", -0.012, 0.014, "07:00"),
                        ("英俊乡政府", -0.006, 0.007, "07:10"),
                        ("学校", 0.0, 0.0, "07:20"),
                    ],
                    phones_from: 100 * (k + 1),
                },
            )
            .await?;
            let by = d.officer.name.clone();
            let times = "06:50–07:20，16:10–16:40".to_string();
            // The first bus's permit: issued with its sign a year's validity ago … ahead.
            let (applied, forwarded, replied, reviewed, decided) = issued_steps(&cal, today, 100);
            tx.seed_bus_permit(&SeedPermit {
                school: s.id,
                vehicle: first,
                route,
                drivers: vec![first_driver, second_driver],
                operating_times: times.clone(),
                applied_on: applied,
                forwarded_on: Some(forwarded),
                replies_on: Some(replied),
                reviewed_on: Some(reviewed),
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
                let (applied, forwarded, replied, reviewed, decided) =
                    issued_steps(&cal, today, 160);
                tx.seed_bus_permit(&SeedPermit {
                    school: s.id,
                    vehicle: second,
                    route,
                    drivers: vec![first_driver],
                    operating_times: times.clone(),
                    applied_on: applied,
                    forwarded_on: Some(forwarded),
                    replies_on: Some(replied),
                    reviewed_on: Some(reviewed),
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
                let forwarded = working_days_before(&cal, today, 10);
                tx.seed_bus_permit(&SeedPermit {
                    school: s.id,
                    vehicle: second,
                    route,
                    drivers: vec![second_driver],
                    operating_times: times.clone(),
                    applied_on: working_days_before(&cal, forwarded, 2),
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
