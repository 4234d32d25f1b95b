//! The demo's emergency plans, relative to the day it is seeded: each bureau's expert pool and
//! its own comprehensive plan; at S001 a plan in every status (a draft, one under review
//! waiting for S002's principal, one sent back for revision, one approved, one published and
//! overdue for filing, one carried over as filed, plans in force — the fire plan in its second
//! version, the first superseded — and the earthquake plan under evaluation after a drill
//! showed a defect); across the district most schools with a comprehensive plan and some topic
//! plans, a few without, so the roll-up has uncovered red and orange points, overdue filings
//! and evaluations due.

use super::history::DistrictPeople;
use crate::domain::drill::DrillKind;
use crate::domain::emergency_plan::{PlanAction, PlanForm, PlanType};
use crate::domain::ids::{OrgId, PersonId};
use crate::error::Result;
use crate::storage::emergency_plans::{
    Contact, PlanContent, PlanRole, Procedure, Resource, ResponseLevel,
};
use crate::storage::seed::SeedTx;
use crate::storage::seed_history::Person;
use crate::storage::seed_plans::{PastPlan, SeedExpert};
use chrono::{Duration, NaiveDate};

use PlanAction as A;

fn days(today: NaiveDate, n: i64) -> NaiveDate {
    today - Duration::days(n)
}

/// The steps from a draft to in force: submitted `start` days ago, reviewed, approved,
/// published, filed `filed_after` days after publication.
fn to_in_force(today: NaiveDate, start: i64, filed_after: i64) -> Vec<(PlanAction, NaiveDate)> {
    let d = |n: i64| days(today, start - n);
    vec![
        (A::SubmitReview, d(0)),
        (A::AssignReviewer, d(1)),
        (A::Review, d(6)),
        (A::Approve, d(8)),
        (A::Publish, d(12)),
        (A::File, d(12 + filed_after)),
    ]
}

fn title_of(school: &str, t: PlanType, f: PlanForm) -> String {
    let topic = match t {
        PlanType::Fire => "火灾事故",
        PlanType::Earthquake => "地震灾害",
        PlanType::Stampede => "拥挤踩踏事故",
        PlanType::Drowning => "防溺水",
        PlanType::FoodPoisoning => "食物中毒事件",
        PlanType::PublicHealth => "突发公共卫生事件",
        PlanType::Violence => "校园暴力与外来侵害",
        PlanType::BusAccident => "校车交通事故",
        PlanType::ExtremeWeather => "极端天气",
        PlanType::Gas => "燃气泄漏",
        PlanType::Electrical => "触电事故",
        PlanType::Other => "安全事故",
    };
    let form = match f {
        PlanForm::Comprehensive => "综合应急预案",
        PlanForm::Topic => "专项应急预案",
        PlanForm::OnSite => "现场处置方案",
        PlanForm::PocketCard => "应急处置卡",
    };
    format!("{school}{topic}{form}")
}

/// A plan's content: the school's people in the organisation, three response levels, the
/// procedures of its type, the usual contacts and resources.
fn content(t: PlanType, people: &[(PersonId, String, String)]) -> PlanContent {
    let roles = [
        (
            "总指挥",
            "全面指挥应急处置，决定启动和终止响应，向教育局报告。",
        ),
        ("副总指挥", "协助总指挥，负责现场协调与信息汇总。"),
        ("疏散引导组", "按疏散路线引导师生撤离，在集合点清点人数。"),
        ("医疗救护组", "对伤员进行现场救护，联系 120 并护送就医。"),
        ("通讯联络组", "负责报警、对外联络和家长通知。"),
    ];
    let organisation = roles
        .iter()
        .enumerate()
        .map(|(i, (role, duties))| {
            let who = people.get(i);
            PlanRole {
                role: (*role).into(),
                person_id: who.map(|p| p.0),
                name: if who.is_some() {
                    String::new()
                } else {
                    "（待定）".into()
                },
                phone: String::new(),
                duties: (*duties).into(),
                inactive: false,
            }
        })
        .collect();
    let steps = match t {
        PlanType::Fire => vec![
            (
                "报警与初期扑救",
                "发现火情立即报告并拨打 119；义务消防队使用就近灭火器扑救初期火灾；切断电源。",
            ),
            (
                "疏散",
                "鸣警报，各班按疏散路线低姿撤离，湿毛巾捂口鼻，教师最后离开并关门。",
            ),
            ("清点与报告", "集合点按班清点人数，10 分钟内向教育局报告。"),
        ],
        PlanType::Earthquake => vec![
            ("避震", "震时就近躲避于课桌下，远离窗户、吊灯。"),
            ("疏散", "震动停止后按路线有序撤离至操场，不乘电梯。"),
            ("清点与救护", "清点人数，搜救被困人员，救护伤员。"),
        ],
        PlanType::Stampede => vec![
            ("预防", "上下学、集会分时分段，楼梯口安排教师值守。"),
            ("现场处置", "发现拥挤立即喝止，疏导人流，组织倒地人员救助。"),
        ],
        _ => vec![
            ("报告", "发现险情立即报告，启动相应响应级别。"),
            ("先期处置", "控制现场，疏散无关人员，救护伤员。"),
            ("后期处置", "配合调查，做好善后与心理疏导。"),
        ],
    };
    PlanContent {
        scope: "为有效预防和处置校园突发事件，保障师生生命财产安全，依据国家和地方有关规定制定本预案，适用于本单位。".into(),
        organisation,
        levels: vec![
            ResponseLevel {
                level: "Ⅰ级".into(),
                criteria: "发生人员死亡或 3 人以上重伤".into(),
                actions: "总指挥到场指挥，立即报告教育局和属地政府，请求支援。".into(),
            },
            ResponseLevel {
                level: "Ⅱ级".into(),
                criteria: "发生人员受伤或需疏散整栋建筑".into(),
                actions: "启动全部应急小组，组织疏散和救护，1 小时内书面报告。".into(),
            },
            ResponseLevel {
                level: "Ⅲ级".into(),
                criteria: "险情可控，无人员受伤".into(),
                actions: "值班领导组织处置，当日报告。".into(),
            },
        ],
        procedures: steps
            .into_iter()
            .map(|(t, s)| Procedure {
                title: t.into(),
                steps: s.into(),
            })
            .collect(),
        contacts: vec![
            Contact {
                name: "火警".into(),
                unit: "消防救援".into(),
                phone: "119".into(),
            },
            Contact {
                name: "急救".into(),
                unit: "120 急救中心".into(),
                phone: "120".into(),
            },
            Contact {
                name: "报警".into(),
                unit: "公安".into(),
                phone: "110".into(),
            },
            Contact {
                name: "区教育局安全科".into(),
                unit: "值班电话".into(),
                phone: "0431-88886666".into(),
            },
        ],
        resources: vec![
            Resource {
                name: "干粉灭火器".into(),
                quantity: "48 具".into(),
                location: "各楼层消防箱".into(),
                keeper: "总务处".into(),
            },
            Resource {
                name: "急救箱".into(),
                quantity: "6 个".into(),
                location: "校医室、各年级办公室".into(),
                keeper: "校医".into(),
            },
            Resource {
                name: "应急照明与疏散指示".into(),
                quantity: "全覆盖".into(),
                location: "走廊、楼梯".into(),
                keeper: "总务处".into(),
            },
        ],
    }
}

/// A filing number: `ED-2026-017`.
fn filing_no(district: &str, day: NaiveDate, n: usize) -> String {
    format!("{district}-{}-{:03}", chrono::Datelike::year(&day), n)
}

pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    today: NaiveDate,
) -> Result<()> {
    let mut n = 0usize;
    for d in districts {
        // The pool: the account schools' principals and the district's officer.
        let mut experts: Vec<(OrgId, SeedExpert)> = Vec::new();
        for s in &d.schools {
            experts.push((
                s.id,
                tx.expert(d.id, &s.principal, "校园安全管理", "中学高级教师")
                    .await?,
            ));
        }
        let officer_expert = tx
            .expert(d.id, &d.officer, "应急管理、消防安全", "高级工程师")
            .await?;
        // A reviewer from elsewhere than the school.
        let reviewer_for = |school: OrgId| -> SeedExpert {
            experts
                .iter()
                .find(|(s, _)| *s != school)
                .map(|(_, e)| e.clone())
                .unwrap_or_else(|| officer_expert.clone())
        };
        // The bureau's own comprehensive plan, reviewed by an expert of one of its schools.
        n += 1;
        let bureau_reviewer = experts
            .first()
            .map(|(_, e)| e.clone())
            .unwrap_or_else(|| officer_expert.clone());
        tx.plan(&PastPlan {
            org: d.id,
            title: "区教育系统校园安全突发事件综合应急预案".into(),
            plan_type: PlanType::Other,
            form: PlanForm::Comprehensive,
            content: content(PlanType::Other, &[]),
            author: &d.officer,
            signer: &d.officer,
            officer: &d.officer,
            reviewer: Some(&bureau_reviewer),
            steps: to_in_force(today, 420, 9),
            filing_no: filing_no(&d.code, days(today, 400), n),
            carried_over: false,
            previous: None,
            defect: None,
        })
        .await?;

        let all = tx.district_schools(d.id).await?;
        for (i, (school, code, name)) in all.iter().enumerate() {
            let people = tx.roster(*school).await?;
            let account = d.schools.iter().find(|s| s.id == *school);
            // Schools without accounts have their plans entered by the district officer.
            let (author, signer): (&Person, &Person) = match account {
                Some(s) => (&s.safety, &s.principal),
                None => (&d.officer, &d.officer),
            };
            let reviewer = reviewer_for(*school);
            let mut plan =
                |t: PlanType, f: PlanForm, steps: Vec<(PlanAction, NaiveDate)>, carried: bool| {
                    n += 1;
                    let filed = steps
                        .iter()
                        .find(|(a, _)| *a == A::File)
                        .map_or(today, |(_, d)| *d);
                    PastPlan {
                        org: *school,
                        title: title_of(name, t, f),
                        plan_type: t,
                        form: f,
                        content: content(t, &people),
                        author,
                        signer,
                        officer: &d.officer,
                        reviewer: Some(&reviewer),
                        steps,
                        filing_no: filing_no(&d.code, filed, n),
                        carried_over: carried,
                        previous: None,
                        defect: None,
                    }
                };
            if code == "S001" {
                let comprehensive = plan(
                    PlanType::Other,
                    PlanForm::Comprehensive,
                    to_in_force(today, 380, 10),
                    false,
                );
                tx.plan(&comprehensive).await?;
                // The fire plan: a first version three and a half years ago, superseded when
                // the second was filed.
                let mut v1 = plan(
                    PlanType::Fire,
                    PlanForm::Topic,
                    to_in_force(today, 1300, 15),
                    false,
                );
                let v2_filed = days(today, 200 - 12 - 8);
                v1.steps.push((A::Supersede, v2_filed));
                let v1_id = tx.plan(&v1).await?;
                let mut v2 = plan(
                    PlanType::Fire,
                    PlanForm::Topic,
                    to_in_force(today, 200, 8),
                    false,
                );
                v2.previous = Some(v1_id);
                tx.plan(&v2).await?;
                // The earthquake plan: under evaluation after a drill showed a defect.
                let flagged = tx.flag_last_drill(*school, DrillKind::Earthquake).await?;
                let mut quake = plan(
                    PlanType::Earthquake,
                    PlanForm::Topic,
                    to_in_force(today, 500, 12),
                    false,
                );
                let (flag_day, note) = match flagged {
                    Some((id, held)) => (held.max(days(today, 20)), format!("drill:{id}")),
                    None => (days(today, 20), "drill".into()),
                };
                quake.steps.push((A::StartEvaluation, flag_day));
                quake.defect = Some((flag_day, note));
                tx.plan(&quake).await?;
                // Published forty days ago and still not filed: overdue.
                let mut stampede = plan(
                    PlanType::Stampede,
                    PlanForm::OnSite,
                    to_in_force(today, 52, 0),
                    false,
                );
                stampede.steps.pop();
                tx.plan(&stampede).await?;
                // Carried over with its filing.
                let violence = plan(
                    PlanType::Violence,
                    PlanForm::Topic,
                    to_in_force(today, 700, 6),
                    true,
                );
                tx.plan(&violence).await?;
                // Approved, waiting for the principal's signature.
                let mut drowning = plan(
                    PlanType::Drowning,
                    PlanForm::Topic,
                    to_in_force(today, 12, 0),
                    false,
                );
                drowning.steps.truncate(4);
                tx.plan(&drowning).await?;
                // Under review: the expert (S002's principal) has not written yet.
                let mut food = plan(
                    PlanType::FoodPoisoning,
                    PlanForm::Topic,
                    to_in_force(today, 3, 0),
                    false,
                );
                food.steps.truncate(2);
                tx.plan(&food).await?;
                // Sent back for revision.
                let gas = plan(
                    PlanType::Gas,
                    PlanForm::OnSite,
                    vec![
                        (A::SubmitReview, days(today, 30)),
                        (A::AssignReviewer, days(today, 29)),
                        (A::Review, days(today, 25)),
                        (A::RequestRevision, days(today, 22)),
                    ],
                    false,
                );
                tx.plan(&gas).await?;
                // A draft.
                let card = plan(
                    PlanType::Electrical,
                    PlanForm::PocketCard,
                    Vec::new(),
                    false,
                );
                tx.plan(&card).await?;
                continue;
            }
            match i % 4 {
                // A comprehensive plan, fire and drowning plans in force.
                0 => {
                    for (t, f) in [
                        (PlanType::Other, PlanForm::Comprehensive),
                        (PlanType::Fire, PlanForm::Topic),
                        (PlanType::Drowning, PlanForm::OnSite),
                    ] {
                        let p = plan(t, f, to_in_force(today, 300 + i as i64, 7), false);
                        tx.plan(&p).await?;
                    }
                }
                // A comprehensive plan three years old: its evaluation is due.
                1 => {
                    let p = plan(
                        PlanType::Other,
                        PlanForm::Comprehensive,
                        to_in_force(today, 1130, 10),
                        false,
                    );
                    tx.plan(&p).await?;
                    let p = plan(PlanType::Fire, PlanForm::OnSite, Vec::new(), false);
                    tx.plan(&p).await?;
                }
                // A comprehensive plan and a fire plan published but not filed in time.
                2 => {
                    let p = plan(
                        PlanType::Other,
                        PlanForm::Comprehensive,
                        to_in_force(today, 250, 12),
                        false,
                    );
                    tx.plan(&p).await?;
                    let mut late = plan(
                        PlanType::Fire,
                        PlanForm::Topic,
                        to_in_force(today, 70, 0),
                        false,
                    );
                    late.steps.pop();
                    tx.plan(&late).await?;
                }
                // No plan yet.
                _ => {}
            }
        }
    }
    Ok(())
}
