//! The demo's incident reports (紧急信息报告), relative to the moment it is seeded, in the
//! first district (二道区): a sports injury twelve days ago at its second school whose first
//! report went out 35 minutes late (迟报, kept in the record), followed up the next day and
//! closed with a final report; and a traffic accident outside its first school this morning,
//! reported on time and followed up, still open. The district acknowledged the reports and
//! forwarded the first of each to the city.

use super::history::DistrictPeople;
use crate::domain::incident::{
    Casualty, HurtPerson, IncidentLevel, IncidentType, ReportDeadlines, ReportKind,
};
use crate::error::Result;
use crate::storage::seed::SeedTx;
use crate::storage::seed_history::at;
use crate::storage::seed_incidents::{PastIncident, PastReceipt, PastReport};
use chrono::{DateTime, Duration, NaiveDate, Utc};

fn hurt(name: &str, age: i64, note: &str) -> HurtPerson {
    HurtPerson {
        name: name.into(),
        casualty: Casualty::Injured,
        age: Some(age),
        note: note.into(),
    }
}

/// Whom the district reports upward to.
const CITY_DUTY: &str = "市教育局总值班室";

pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(d) = districts.first() else {
        return Ok(());
    };
    let (Some(first), Some(second)) = (d.schools.first(), d.schools.get(1)) else {
        return Ok(());
    };
    let cfg = ReportDeadlines::default();

    // Twelve days ago: a sports injury, first report 35 minutes late, then closed.
    let day = today - Duration::days(12);
    let known = at(day, 10, 20);
    let pupil = vec![hurt("刘子涵", 11, "五年级三班，右小腿骨折，已送市儿童医院")];
    let s = &second.safety;
    tx.incident(
        &PastIncident {
            school: second.id,
            incident_type: IncidentType::SportsInjury,
            occurred_at: at(day, 10, 5),
            known_at: known,
            place: "操场篮球场",
            reports: vec![
                PastReport {
                    kind: ReportKind::First,
                    level: IncidentLevel::General,
                    deaths: 0,
                    injured: 1,
                    missing: 0,
                    summary: "大课间篮球活动中一名五年级学生与同学相撞摔倒，右小腿受伤，不能站立。",
                    measures: "校医现场处置并固定伤肢，拨打 120 送医，已通知家长，班主任陪同。",
                    persons: pupil.clone(),
                    sent_at: known + Duration::minutes(95),
                    by: s,
                    phone: "13904310002",
                },
                PastReport {
                    kind: ReportKind::FollowUp,
                    level: IncidentLevel::General,
                    deaths: 0,
                    injured: 1,
                    missing: 0,
                    summary: "经医院诊断为右胫骨骨折，已手术复位，生命体征平稳，家长在院陪护。",
                    measures: "学校领导到医院看望；对体育活动场地和组织方式开展排查。",
                    persons: pupil.clone(),
                    sent_at: at(day + Duration::days(1), 9, 30),
                    by: s,
                    phone: "13904310002",
                },
                PastReport {
                    kind: ReportKind::Final,
                    level: IncidentLevel::General,
                    deaths: 0,
                    injured: 1,
                    missing: 0,
                    summary: "学生已出院居家休养，学校安排送教；事件处置结束。",
                    measures: "调整大课间篮球活动分组和场地划分，增加巡查教师。",
                    persons: pupil,
                    sent_at: at(day + Duration::days(2), 9, 0),
                    by: s,
                    phone: "13904310002",
                },
            ],
            receipts: vec![
                PastReceipt {
                    seq: 1,
                    bureau: d.id,
                    by: &d.officer,
                    at: known + Duration::minutes(100),
                    forwarded: Some((CITY_DUTY, known + Duration::minutes(115))),
                },
                PastReceipt {
                    seq: 2,
                    bureau: d.id,
                    by: &d.officer,
                    at: at(day + Duration::days(1), 9, 45),
                    forwarded: None,
                },
                PastReceipt {
                    seq: 3,
                    bureau: d.id,
                    by: &d.officer,
                    at: at(day + Duration::days(2), 9, 20),
                    forwarded: Some((CITY_DUTY, at(day + Duration::days(2), 10, 0))),
                },
            ],
        },
        &cfg,
    )
    .await?;

    // This morning: a traffic accident outside the school gate, on time, still open.
    let known = now - Duration::minutes(290);
    let p = &first.principal;
    let pupils = vec![
        hurt("王一诺", 9, "三年级一班，额头擦伤，已包扎"),
        hurt("陈思远", 9, "三年级一班，左臂软组织挫伤，留院观察"),
    ];
    tx.incident(
        &PastIncident {
            school: first.id,
            incident_type: IncidentType::Traffic,
            occurred_at: known - Duration::minutes(10),
            known_at: known,
            place: "学校南门外人行横道",
            reports: vec![
                PastReport {
                    kind: ReportKind::First,
                    level: IncidentLevel::General,
                    deaths: 0,
                    injured: 2,
                    missing: 0,
                    summary: "早上入校时段，一辆电动自行车在南门外人行横道刮倒两名学生，两人受轻伤。",
                    measures: "护学岗教师现场处置，拨打 120 和 122，通知家长；肇事人已被交警控制。",
                    persons: pupils.clone(),
                    sent_at: known + Duration::minutes(40),
                    by: p,
                    phone: "13904310001",
                },
                PastReport {
                    kind: ReportKind::FollowUp,
                    level: IncidentLevel::General,
                    deaths: 0,
                    injured: 2,
                    missing: 0,
                    summary: "一名学生包扎后已返校，另一名留院观察，无骨折；交警正在调查处理。",
                    measures: "加派护学岗人员，联系交警在上下学时段加强南门路段管控。",
                    persons: pupils,
                    sent_at: now - Duration::minutes(30),
                    by: p,
                    phone: "13904310001",
                },
            ],
            receipts: vec![PastReceipt {
                seq: 1,
                bureau: d.id,
                by: &d.officer,
                at: known + Duration::minutes(48),
                forwarded: Some((CITY_DUTY, known + Duration::minutes(70))),
            }],
        },
        &cfg,
    )
    .await?;
    Ok(())
}
