//! The demo's responsibility letters and leading groups: each district's letter of this
//! year, signed by most principals (every fifth school has not signed yet); every school's
//! leading group from its register, two of them with a gap (no safety director named at
//! one, no legal vice-principal at another), and each bureau's own group.

use super::history::DistrictPeople;
use crate::error::Result;
use crate::storage::seed::SeedTx;
use crate::storage::seed_history::at;
use crate::storage::seed_responsibility::{SeedGroup, SeedLetter};
use chrono::{Datelike, Duration, NaiveDate};

const BODY: &str = "一、认真贯彻落实党和国家关于学校安全工作的方针政策，坚持“党政同责、一岗双责、齐抓共管、失职追责”。\n\
二、建立健全学校安全工作领导小组，明确安全副校长（安全主任），配齐法制副校长。\n\
三、每月开展两次隐患自查、召开一次安全形势分析会，每学期开展消防培训和应急疏散演练。\n\
四、落实门卫值守、封闭化管理，一键报警与视频监控联网率 100%，视频保存不少于 30 天。\n\
五、发生安全事件按规定时限如实报告，不迟报、漏报、瞒报。";

pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    today: NaiveDate,
) -> Result<()> {
    let year = today.year();
    let issued = at(
        NaiveDate::from_ymd_opt(year, 1, 10)
            .unwrap_or(today)
            .min(today),
        9,
        0,
    );
    let mut groups = Vec::new();
    for (d, dp) in districts.iter().enumerate() {
        let signed = dp
            .schools
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 5 != 4)
            .map(|(i, s)| {
                let day = (issued + Duration::days(2 + i as i64 % 10)).min(at(today, 8, 0));
                (s.id, s.principal.clone(), day)
            })
            .collect();
        tx.seed_letter(&SeedLetter {
            district: dp.id,
            year,
            title: format!("{year} 年度学校安全工作目标责任书"),
            body: BODY.into(),
            issued,
            by: dp.officer.clone(),
            signed,
        })
        .await?;
        groups.push(SeedGroup {
            org: dp.id,
            school: false,
            names: vec![
                "王局长".into(),
                "李副局长".into(),
                "张科长".into(),
                "刘干事".into(),
            ],
            director: true,
            legal: None,
            by: dp.officer.clone(),
            at: issued,
        });
        for (i, s) in dp.schools.iter().enumerate() {
            // Two gaps in the first district: its third school names no safety director,
            // its fourth has no legal vice-principal.
            let gap = |n: usize| d == 0 && i == n;
            groups.push(SeedGroup {
                org: s.id,
                school: true,
                names: Vec::new(),
                director: !gap(2),
                legal: (!gap(3)).then(|| {
                    (
                        format!("派出所民警{}", i + 1),
                        "属地派出所".to_string(),
                        format!("139{:08}", 40_000_000 + i),
                    )
                }),
                by: s.principal.clone(),
                at: issued + Duration::days(1),
            });
        }
    }
    tx.seed_groups(&groups).await
}
