//! The demo's holiday duty, relative to the day it is seeded: each district bureau has a duty
//! period running now (three days back, four ahead) with most schools' rosters in, most past
//! days reported on time, a few late (迟报) or missing (漏报), and this morning's reports
//! partly in, the officers' morning check-ins and the bureau's evening phone spot checks; and
//! a past holiday period, six weeks ago, with a few missing.

use super::history::DistrictPeople;
use crate::domain::duty::{DutyConfig, DutyPeriod, DutyPerson, RosterDay};
use crate::domain::ids::OrgId;
use crate::error::Result;
use crate::storage::seed::SeedTx;
use crate::storage::seed_emergency::PastDutyPeriod;
use crate::storage::seed_history::at;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const INCIDENTS: [&str; 3] = [
    "夜间巡查发现东侧围墙外有积水，已设警示并报街道处理",
    "一名学生家长来电咨询返校时间，已答复",
    "值班期间停电约 20 分钟，应急照明正常，已恢复供电",
];

fn phone(rng: &mut StdRng) -> String {
    format!("139{:08}", rng.random_range(0..100_000_000u32))
}

pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(2028);
    let cutoff = DutyConfig::default().daily_cutoff;
    for d in districts {
        let units: Vec<OrgId> = d.schools.iter().map(|s| s.id).collect();
        for (first, last, now_running) in [
            (
                today - Duration::days(45),
                today - Duration::days(39),
                false,
            ),
            (today - Duration::days(3), today + Duration::days(4), true),
        ] {
            let name = if now_running {
                format!(
                    "重点时段值班（{}—{}）",
                    first.format("%m.%d"),
                    last.format("%m.%d")
                )
            } else {
                format!(
                    "节假日值班（{}—{}）",
                    first.format("%m.%d"),
                    last.format("%m.%d")
                )
            };
            let period = tx
                .duty_period(&PastDutyPeriod {
                    bureau: d.id,
                    name,
                    first,
                    last,
                    by: &d.officer,
                    units: &units,
                })
                .await?;
            let rules = DutyPeriod {
                first,
                last,
                cutoff,
            };
            for (i, s) in d.schools.iter().enumerate() {
                // Rosters: most schools, a few without a leader on a weekend day.
                if i % 6 != 5 {
                    let days: Vec<RosterDay> = rules
                        .range()
                        .days()
                        .enumerate()
                        .map(|(n, date)| RosterDay {
                            date,
                            leader: (i % 7 != 3 || n % 3 != 1).then(|| DutyPerson {
                                name: s.principal.name.clone(),
                                phone: phone(&mut rng),
                                user_id: Some(s.principal.user),
                            }),
                            officers: vec![DutyPerson {
                                name: s.safety.name.clone(),
                                phone: phone(&mut rng),
                                user_id: Some(s.safety.user),
                            }],
                            duty_phone: Some("0431-8".to_string() + &format!("{:07}", 1000 + i)),
                        })
                        .collect();
                    let sent = at(first - Duration::days(2), 16, 0);
                    tx.duty_roster(period, &rules, s.id, &days, &s.safety, sent)
                        .await?;
                }
                // Daily reports: past days mostly on time, some late, a few missing.
                for date in rules.range().days().filter(|d| *d <= today) {
                    let roll = rng.random_range(0..100);
                    let sent = if date == today {
                        // This morning: about half are in (never after now).
                        let t = at(date, 7, 30) + Duration::minutes(7 * i as i64);
                        if roll >= 50 || t >= now {
                            continue;
                        }
                        t
                    } else if roll < 4 {
                        continue; // 漏报
                    } else if roll < 10 && now_running {
                        at(date, 16, rng.random_range(0..59)) // 迟报
                    } else {
                        at(date, 8, 0) + Duration::minutes(rng.random_range(0..360))
                    };
                    let incidents = if rng.random_range(0..25) == 0 {
                        INCIDENTS[rng.random_range(0..INCIDENTS.len())]
                    } else {
                        ""
                    };
                    let by = if i % 2 == 0 { &s.safety } else { &s.principal };
                    tx.duty_report(period, s.id, date, incidents, by, sent)
                        .await?;
                }
                // The officer on duty checks in each morning (a few forget).
                if now_running && i % 6 != 5 {
                    for date in rules.range().days().filter(|d| *d <= today) {
                        let t = at(date, 7, 40) + Duration::minutes(i as i64 % 20);
                        if t >= now || rng.random_range(0..10) == 0 {
                            continue;
                        }
                        tx.duty_check_in(period, s.id, date, &s.safety, true, t)
                            .await?;
                    }
                }
            }
            // The bureau's phone spot checks in the evenings: most answered, one called back
            // in time, one too late, one not at all.
            if now_running {
                let outcomes = [
                    (true, None),
                    (false, Some(3)),
                    (true, None),
                    (false, Some(9)),
                    (false, None),
                ];
                for (n, (s, (answered, back))) in d.schools.iter().zip(outcomes).enumerate() {
                    let date = first + Duration::days(n as i64 % 3);
                    let called = at(date, 20, 10 + 7 * n as u32);
                    if date >= today || called >= now {
                        continue;
                    }
                    let phone = format!("0431-8{:07}", 1000 + n);
                    let back = back.map(|m| called + Duration::minutes(m));
                    tx.duty_spot_check(
                        period, s.id, d.id, &phone, called, answered, back, &d.officer,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}
