//! The demo's governance and security, relative to the day it is seeded: each district's two
//! concentrated governance actions of the year (the seed's "at least two"), with results from
//! most schools — a few have not reported the autumn one — and every school's security
//! register: its guards from the people register with their licences, the gatehouse alarm,
//! cameras, perimeter and gate barriers, with chosen gaps (an alarm not linked to the police,
//! recordings kept 15 days, no barrier at the gate, a faulty camera, a guard over 60). The
//! boarding schools have no access control at their dormitories: the access gate each school's
//! devices register at the school gate (`devices.rs`) is no dormitory's, so they show that gap.

use super::history::DistrictPeople;
use crate::domain::Code;
use crate::domain::governance::ActionKind;
use crate::domain::person::Post;
use crate::domain::security::EquipmentKind;
use crate::error::Result;
use crate::storage::seed::SeedTx;
use crate::storage::seed_governance::{SeedAction, SeedEquipment};
use crate::storage::seed_history::at;
use chrono::{Datelike, Duration, NaiveDate};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    today: NaiveDate,
) -> Result<()> {
    let year = today.year();
    for d in districts {
        let schools: Vec<_> = d.schools.iter().map(|s| s.id).collect();
        let actions = [
            (
                ActionKind::Concentrated,
                "春季开学校园及周边环境集中整治",
                ymd(year, 3, 1),
                ymd(year, 3, 31),
                vec![
                    "校门口交通秩序",
                    "周边流动摊点",
                    "门卫查验登记",
                    "校园围墙及监控",
                ],
                0,
            ),
            (
                ActionKind::Special,
                "秋冬季校园消防安全专项行动",
                ymd(year, 10, 15),
                ymd(year, 11, 30),
                vec!["消防通道畅通", "灭火器及消火栓", "电气线路", "疏散指示标志"],
                5,
            ),
        ];
        for (kind, title, starts, ends, checklist, skip_every) in actions {
            if starts > today {
                continue;
            }
            let results = d
                .schools
                .iter()
                .enumerate()
                .filter(|(i, _)| skip_every == 0 || i % skip_every != 2)
                .map(|(i, s)| {
                    let day = std::cmp::min(ends - Duration::days((i % 6) as i64), today);
                    let found = (i % 4) as i32 + 1;
                    (
                        s.id,
                        day,
                        found,
                        found - i32::from(i % 5 == 1),
                        s.safety.clone(),
                    )
                })
                .filter(|r| r.1 >= starts)
                .collect();
            tx.seed_governance_action(&SeedAction {
                org: d.id,
                kind,
                title: title.into(),
                targets: "校园及周边无乱象，隐患整改到位".into(),
                starts_on: starts,
                ends_on: ends,
                checklist: checklist.into_iter().map(String::from).collect(),
                schools: schools.clone(),
                results,
                created: at(starts - Duration::days(3), 9, 0),
                by: d.officer.clone(),
            })
            .await?;
        }
        let mut rows = Vec::new();
        for (i, s) in d.schools.iter().enumerate() {
            let guards: Vec<String> = tx
                .roster(s.id)
                .await?
                .into_iter()
                .filter(|p| p.2 == Post::Guard.as_str())
                .map(|p| p.1)
                .collect();
            let entry = |kind: EquipmentKind, name: &str, location: &str| SeedEquipment {
                school: s.id,
                kind,
                name: name.into(),
                location: location.into(),
                quantity: 1,
                working: true,
                linked_police: None,
                retention_days: None,
                licence: String::new(),
                birth_year: None,
                by: s.safety.clone(),
            };
            for (k, g) in guards.iter().enumerate() {
                rows.push(SeedEquipment {
                    licence: format!("吉保 {:04}{k}", 1000 + i),
                    birth_year: Some(if i % 8 == 3 && k == 0 {
                        year - 62
                    } else {
                        year - 35 - (k as i32) * 4
                    }),
                    ..entry(EquipmentKind::Guard, g, "门卫室")
                });
            }
            rows.push(SeedEquipment {
                linked_police: Some(i % 9 != 4),
                ..entry(EquipmentKind::OneKeyAlarm, "门卫室一键报警", "校门")
            });
            rows.push(SeedEquipment {
                quantity: 16 + (i as i32 % 5) * 4,
                retention_days: Some(if i % 7 == 3 { 15 } else { 30 }),
                working: i % 11 != 2,
                ..entry(EquipmentKind::Camera, "校园视频监控系统", "监控室")
            });
            rows.push(entry(EquipmentKind::Perimeter, "校园围墙", "四周"));
            if i % 6 != 5 {
                rows.push(entry(EquipmentKind::AntiCollision, "校门升降柱", "校门外"));
            }
        }
        tx.seed_equipment(&rows).await?;
    }
    Ok(())
}
