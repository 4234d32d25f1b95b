//! Six months of a living bureau for the demo: half-month self-inspections (most on time, some
//! late, some missing), three campaigns, a cross-inspection round, and hazards in every state —
//! fixed on the spot, rectified and closed with 销号 numbers, overdue, deferred, escalated, major
//! under bureau supervision, cancelled, reopened. Every hazard's history is made by the same
//! rules as live ones, on the days it happened, relative to the day the demo is seeded.

use crate::domain::hazard::{Action, Amount, Funds, Level, Source, Treatment};
use crate::domain::ids::{CampaignId, CrossAssignmentId, FileId, OrgId, RiskPointId, ZoneId};
use crate::error::Result;
use crate::storage::inspections::Period;
use crate::storage::seed::SeedTx;
use crate::storage::seed_history::{PastHazard, PastItem, PastStep, Person, Point, at};
use crate::storage::seed_placement::PlanZone;
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The people of a school the history needs.
pub(super) struct SchoolPeople {
    pub id: OrgId,
    pub code: String,
    pub principal: Person,
    pub safety: Person,
    /// A staff member with an account (the account schools only).
    pub staff: Option<Person>,
}

/// A district with its safety section and schools.
pub(super) struct DistrictPeople {
    pub id: OrgId,
    pub code: String,
    pub officer: Person,
    pub schools: Vec<SchoolPeople>,
}

/// Days after which the escalation job lists an overdue hazard (the default configuration).
const ESCALATE_AFTER: u32 = 7;

/// What a failed check found, by category (a generic finding otherwise).
fn finding(category: &str, point: &str, rng: &mut StdRng) -> String {
    let pick = |v: &[&str], rng: &mut StdRng| v[rng.random_range(0..v.len())].to_string();
    match category {
        "消防安全" => pick(
            &[
                "二楼东侧灭火器压力表指针处于红区，需更换",
                "安全出口指示灯不亮",
                "疏散通道堆放课桌椅，影响通行",
                "消火栓箱内水带缺失",
            ],
            rng,
        ),
        "用电安全" | "燃气安全" => pick(
            &[
                "配电箱未上锁，箱内有杂物",
                "教室插座面板破损，线头外露",
                "燃气报警器未通电",
            ],
            rng,
        ),
        "食品安全" => pick(
            &[
                "留样冰箱温度记录缺两天",
                "食堂操作间防鼠板缺失",
                "食品添加剂未专柜存放",
            ],
            rng,
        ),
        "校舍安全" => pick(
            &[
                "教学楼三楼走廊护栏螺丝松动",
                "操场东侧围墙出现裂缝",
                "楼梯踏步防滑条脱落",
            ],
            rng,
        ),
        "门卫安保" => pick(
            &[
                "来访登记簿未记录离校时间",
                "防刺服、钢叉未放在门卫室便于取用处",
                "监控室一路摄像头无画面",
            ],
            rng,
        ),
        _ => format!("{point}：检查不符合要求"),
    }
}

/// The steps of one hazard by plan; steps after `today` are dropped with all that follow.
struct Plan<'a> {
    school: &'a SchoolPeople,
    bureau: &'a Person,
    after: FileId,
    today: NaiveDate,
    steps: Vec<PastStep<'a>>,
    cut: bool,
}

impl<'a> Plan<'a> {
    fn step(&mut self, day: NaiveDate, by: Option<&'a Person>, a: Action) -> bool {
        if self.cut || day > self.today {
            self.cut = true;
            return false;
        }
        self.steps.push(match by {
            Some(p) => PastStep::Act(day, p, a),
            None => PastStep::Escalate(day),
        });
        true
    }

    /// The escalation job lists the hazard for bureau supervision on `day`.
    fn escalated(&mut self, day: NaiveDate) -> bool {
        if self.cut || day > self.today {
            self.cut = true;
            return false;
        }
        self.steps.push(PastStep::Escalate(day));
        true
    }

    fn responsible(&self) -> &'a Person {
        self.school.staff.as_ref().unwrap_or(&self.school.safety)
    }

    fn assess(&mut self, day: NaiveDate, level: Level, treatment: Treatment) -> bool {
        let by = &self.school.safety;
        self.step(day, Some(by), Action::Assess { level, treatment })
    }

    fn fix_and_close(&mut self, day: NaiveDate) {
        let fixer = self.responsible();
        let closer = &self.school.principal;
        if self.step(
            day,
            Some(fixer),
            Action::FixOnSpot {
                note: "已现场整改完毕，见整改后照片".into(),
                photo_ids: vec![self.after.0],
            },
        ) {
            self.step(day + Duration::days(1), Some(closer), Action::Close {});
        }
    }

    fn notice(&mut self, day: NaiveDate, deadline: NaiveDate, amount_fen: i64) -> bool {
        let r = self.responsible();
        let by = &self.school.principal;
        self.step(
            day,
            Some(by),
            Action::IssueNotice {
                responsible_user_id: r.user.0,
                measures: "落实专人整改，整改完成后拍照上传并申请验收".into(),
                funds: Funds {
                    amount: Amount::from_fen(amount_fen),
                    source: "学校公用经费".into(),
                },
                deadline,
                interim_plan: "整改期间设置警示标志，划定隔离区域，每日专人巡查".into(),
            },
        ) && self.step(day + Duration::days(1), Some(r), Action::Start {})
    }

    fn submit(&mut self, day: NaiveDate) -> bool {
        let r = self.responsible();
        self.step(
            day,
            Some(r),
            Action::Submit {
                note: "已按整改通知书要求完成整改".into(),
                photo_ids: vec![self.after.0],
            },
        )
    }

    /// Acceptance and closing: the principal, or the bureau for a supervised hazard.
    fn accept_close(&mut self, day: NaiveDate, supervised: bool) {
        let by = if supervised {
            self.bureau
        } else {
            &self.school.principal
        };
        if self.step(
            day,
            Some(by),
            Action::Accept {
                note: Some("现场复查合格".into()),
            },
        ) {
            self.step(day + Duration::days(1), Some(by), Action::Close {});
        }
    }

    fn extend(&mut self, day: NaiveDate, new_deadline: NaiveDate, decide: bool, supervised: bool) {
        let r = self.responsible();
        let ok = self.step(
            day,
            Some(r),
            Action::RequestExtension {
                new_deadline,
                reason: "所需材料尚未到货，需延期完成".into(),
                interim_plan: "延期期间继续封闭隔离，加密巡查".into(),
            },
        );
        if ok && decide {
            let by = if supervised {
                self.bureau
            } else {
                &self.school.principal
            };
            self.step(
                day + Duration::days(1),
                Some(by),
                Action::ApproveExtension {},
            );
        }
    }
}

/// A random course for a hazard found on `found`.
fn random_course<'a>(rng: &mut StdRng, p: &mut Plan<'a>, found: NaiveDate) {
    let today = p.today;
    let age = (today - found).num_days();
    let r: f64 = rng.random();
    if age <= 1 && rng.random_bool(0.5) {
        return; // just reported
    }
    if r < 0.03 {
        let by = &p.school.principal;
        p.step(
            found + Duration::days(1),
            Some(by),
            Action::Cancel {
                reason: "经复核不构成隐患".into(),
            },
        );
    } else if r < 0.55 {
        if p.assess(found, Level::General, Treatment::FixOnSpot) {
            p.fix_and_close(found);
        }
    } else {
        let major = r >= 0.96;
        let level = if major { Level::Major } else { Level::General };
        if !p.assess(found, level, Treatment::ByDeadline) {
            return;
        }
        let days = rng.random_range(7..=25);
        let deadline = found + Duration::days(days);
        if !p.notice(found, deadline, rng.random_range(50..2000) * 100) {
            return;
        }
        let late = rng.random_bool(0.12);
        if late && deadline < today {
            // Not done in time: sometimes deferred, otherwise overdue and, after a week,
            // escalated.
            if rng.random_bool(0.3) {
                p.extend(
                    deadline - Duration::days(2),
                    deadline + Duration::days(20),
                    true,
                    major,
                );
            } else if !major && (today - deadline).num_days() > i64::from(ESCALATE_AFTER) {
                p.escalated(deadline + Duration::days(i64::from(ESCALATE_AFTER) + 1));
            }
            return;
        }
        let done = found + Duration::days(rng.random_range(2..=days));
        if !p.submit(done) {
            return;
        }
        if rng.random_bool(0.1) {
            let by = if major { p.bureau } else { &p.school.principal };
            if !p.step(
                done + Duration::days(1),
                Some(by),
                Action::Reject {
                    reason: "整改不彻底，请补充整改后重新申请验收".into(),
                },
            ) || !p.submit(done + Duration::days(3))
            {
                return;
            }
            p.accept_close(done + Duration::days(4), major);
        } else {
            p.accept_close(done + Duration::days(1), major);
        }
    }
}

/// The photos of a school: what was found, and after the fix.
pub(super) struct Photos {
    pub before: FileId,
    pub after: FileId,
}

/// A showcase hazard: title, category, aspect, steps, the day it was found.
type Showcase<'a> = (
    String,
    &'static str,
    &'static str,
    Vec<PastStep<'a>>,
    NaiveDate,
);

/// Where each showcase hazard was found: the places tried in order (a zone's exact name, then
/// a fragment of it) and words of the fitting risk point's name. The hazard sits in the first
/// place the school has, at a risk point of that zone (of its category, one named by a word
/// first).
pub(super) const SHOWCASE_PLACES: &[(&str, &[&str], &[&str])] = &[
    (
        "科学教室实验药品柜未双人双锁",
        &["实验", "科学", "教学楼三至四层", "教学楼"],
        &["化学品", "实验"],
    ),
    (
        "体育器材室货架未固定",
        &["体育器材室", "器材"],
        &["器材", "货架"],
    ),
    (
        "综合办公楼一处插座松动",
        &["综合办公楼", "办公楼"],
        &["插座", "用电", "电气", "线路"],
    ),
    (
        "食堂排油烟管道油污较多",
        &["学生食堂", "食堂", "厨房"],
        &["排油烟", "烟道", "油烟"],
    ),
    ("教学楼北侧雨棚锈蚀", &["教学楼"], &["雨棚", "校舍", "建筑"]),
    (
        "校门口减速带损坏",
        &["正门", "大门", "校门", "门卫"],
        &["交通", "减速", "门口"],
    ),
    (
        "教学楼二层应急照明灯不亮",
        &["教学楼二层", "教学楼"],
        &["应急照明", "疏散", "消防"],
    ),
    (
        "操场看台栏杆油漆剥落",
        &["操场", "运动场"],
        &["看台", "栏杆", "场地"],
    ),
    (
        "监控室值班记录不全",
        &["门卫", "监控"],
        &["值班", "监控", "门卫"],
    ),
    (
        "食堂蒸饭柜安全阀超期未校验",
        &["学生食堂", "食堂", "厨房"],
        &["蒸", "压力", "特种设备"],
    ),
    ("学校北侧围墙局部倾斜", &["围墙"], &["围墙"]),
    ("教学楼消防自动报警系统故障", &["教学楼"], &["报警", "消防"]),
    (
        "教学楼二层开水间电热水器漏电保护失效",
        &["教学楼二层", "教学楼"],
        &["热水", "漏电", "用电"],
    ),
];

/// The zone and risk point of a showcase hazard on a school's plan (see [`SHOWCASE_PLACES`]):
/// the point is always in the hazard's zone; no place the school has leaves both empty.
fn showcase_place(
    title: &str,
    category: &str,
    zones: &[PlanZone],
    points: &[Point],
) -> (Option<ZoneId>, Option<RiskPointId>) {
    let Some((_, places, words)) = SHOWCASE_PLACES.iter().find(|(t, ..)| *t == title) else {
        return (None, None);
    };
    let zone = places.iter().find_map(|place| {
        zones
            .iter()
            .find(|z| z.name == *place)
            .or_else(|| zones.iter().find(|z| z.name.contains(place)))
    });
    let Some(zone) = zone.map(|z| z.id) else {
        return (None, None);
    };
    let named = |p: &Point| words.iter().any(|w| p.name.contains(w));
    let here: Vec<&Point> = points.iter().filter(|p| p.zone == Some(zone)).collect();
    let point = here
        .iter()
        .find(|p| p.category == category && named(p))
        .or_else(|| here.iter().find(|p| p.category == category))
        .or_else(|| here.iter().find(|p| named(p)));
    (Some(zone), point.map(|p| p.id))
}

/// The showcase at the first account school: one hazard in each state the loop knows.
fn showcase<'a>(
    s: &'a SchoolPeople,
    bureau: &'a Person,
    photos: &Photos,
    today: NaiveDate,
) -> Vec<Showcase<'a>> {
    let d = |n: i64| today - Duration::days(n);
    let mut out = Vec::new();
    let mut add = |title: &str,
                   category: &'static str,
                   aspect: &'static str,
                   found: NaiveDate,
                   f: &dyn Fn(&mut Plan<'a>)| {
        let mut p = Plan {
            school: s,
            bureau,
            after: photos.after,
            today,
            steps: Vec::new(),
            cut: false,
        };
        f(&mut p);
        out.push((title.to_string(), category, aspect, p.steps, found));
    };
    add(
        "科学教室实验药品柜未双人双锁",
        "实验室安全",
        "management",
        d(0),
        &|_| {},
    );
    add(
        "体育器材室货架未固定",
        "校舍安全",
        "things",
        d(2),
        &|p| {
            p.assess(d(1), Level::General, Treatment::ByDeadline);
        },
    );
    add(
        "综合办公楼一处插座松动",
        "用电安全",
        "things",
        d(1),
        &|p| {
            p.assess(d(1), Level::General, Treatment::FixOnSpot);
            let fixer = p.responsible();
            p.step(
                d(1),
                Some(fixer),
                Action::FixOnSpot {
                    note: "已更换插座面板".into(),
                    photo_ids: vec![p.after.0],
                },
            );
        },
    );
    add(
        "食堂排油烟管道油污较多",
        "食品安全",
        "environment",
        d(3),
        &|p| {
            p.assess(d(3), Level::General, Treatment::ByDeadline);
            let r = p.responsible();
            let by = &s.principal;
            p.step(
                d(2),
                Some(by),
                Action::IssueNotice {
                    responsible_user_id: r.user.0,
                    measures: "联系专业公司清洗排油烟管道".into(),
                    funds: Funds {
                        amount: Amount::from_fen(380_000),
                        source: "学校公用经费".into(),
                    },
                    deadline: today + Duration::days(12),
                    interim_plan: "清洗前每日关火后检查灶台，备足灭火毯".into(),
                },
            );
        },
    );
    add(
        "教学楼北侧雨棚锈蚀",
        "校舍安全",
        "things",
        d(20),
        &|p| {
            p.assess(d(20), Level::General, Treatment::ByDeadline);
            p.notice(d(19), today + Duration::days(2), 1_200_000);
            p.extend(d(1), today + Duration::days(21), false, false);
        },
    );
    add(
        "校门口减速带损坏",
        "周边交通",
        "environment",
        d(25),
        &|p| {
            p.assess(d(25), Level::General, Treatment::ByDeadline);
            p.notice(d(24), d(6), 650_000);
            p.extend(d(8), today + Duration::days(9), true, false);
        },
    );
    add(
        "教学楼二层应急照明灯不亮",
        "消防安全",
        "things",
        d(6),
        &|p| {
            p.assess(d(6), Level::General, Treatment::ByDeadline);
            p.notice(d(6), today + Duration::days(5), 90_000);
            p.submit(d(1));
        },
    );
    add(
        "操场看台栏杆油漆剥落",
        "校舍安全",
        "things",
        d(12),
        &|p| {
            p.assess(d(12), Level::General, Treatment::ByDeadline);
            p.notice(d(12), d(2), 300_000);
            p.submit(d(3));
            let by = &s.principal;
            p.step(
                d(1),
                Some(by),
                Action::Accept {
                    note: Some("复查合格".into()),
                },
            );
        },
    );
    add(
        "监控室值班记录不全",
        "门卫安保",
        "management",
        d(9),
        &|p| {
            p.step(
                d(8),
                Some(&s.principal),
                Action::Cancel {
                    reason: "已核实为交接班记录在另一本簿册，不构成隐患".into(),
                },
            );
        },
    );
    add(
        "食堂蒸饭柜安全阀超期未校验",
        "特种设备",
        "things",
        d(18),
        &|p| {
            p.assess(d(18), Level::General, Treatment::ByDeadline);
            p.notice(d(18), d(4), 200_000);
        },
    );
    add(
        "学校北侧围墙局部倾斜",
        "校舍安全",
        "environment",
        d(30),
        &|p| {
            p.assess(d(30), Level::General, Treatment::ByDeadline);
            p.notice(d(30), d(15), 4_500_000);
            p.escalated(d(15 - i64::from(ESCALATE_AFTER) - 1));
        },
    );
    add(
        "教学楼消防自动报警系统故障",
        "消防安全",
        "things",
        d(10),
        &|p| {
            p.assess(d(10), Level::Major, Treatment::ByDeadline);
            p.notice(d(9), today + Duration::days(20), 8_600_000);
        },
    );
    add(
        "教学楼二层开水间电热水器漏电保护失效",
        "用电安全",
        "things",
        d(40),
        &|p| {
            p.assess(d(40), Level::General, Treatment::ByDeadline);
            p.notice(d(40), d(30), 150_000);
            p.submit(d(33));
            p.accept_close(d(32), false);
            let b = p.bureau;
            p.step(
                d(5),
                Some(b),
                Action::Reopen {
                    reason: "督查复查发现同一位置再次出现漏电".into(),
                    new_deadline: Some(today + Duration::days(7)),
                },
            );
        },
    );
    out
}

/// A demo campaign: id, window, its own items, the categories it covers, and the share of
/// schools that have done it.
type Campaign = (
    CampaignId,
    NaiveDate,
    NaiveDate,
    Vec<&'static str>,
    Vec<&'static str>,
    f64,
);

/// Writes the history for every school of every district.
pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    photos: &std::collections::HashMap<OrgId, Photos>,
    today: NaiveDate,
) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(2026);
    // Twelve half-months back, oldest first, then the current one.
    let this_half = Period::of(today);
    let mut periods: Vec<Period> = std::iter::successors(Some(this_half), |p| Some(p.prev()))
        .take(13)
        .collect();
    periods.reverse();
    for dist in districts {
        let bureau = &dist.officer;
        let ed = dist.code == "ED";
        let all: Vec<OrgId> = dist.schools.iter().map(|s| s.id).collect();
        let mut campaigns: Vec<Campaign> = Vec::new();
        if ed {
            for (kind, name, desc, start, end, items, categories, share) in [
                (
                    "seasonal",
                    "夏季攻坚·防溺水专项行动",
                    "暑期前后对防溺水宣传、警示标志、家校联系和周边水域巡查开展专项检查。",
                    today - Duration::days(170),
                    today - Duration::days(120),
                    vec![
                        "暑假前防溺水安全教育已覆盖全体学生",
                        "《致家长的一封信》回执收齐",
                        "周边危险水域警示标志完好",
                    ],
                    vec!["防溺水", "体育运动"],
                    0.93,
                ),
                (
                    "special",
                    "查帮建专项行动",
                    "教育局组织对各校安全管理制度落实情况进行检查、帮扶和建设。",
                    today - Duration::days(90),
                    today - Duration::days(45),
                    vec![
                        "安全工作责任制逐级签订",
                        "隐患排查台账完整、销号及时",
                        "应急预案按规定修订并演练",
                    ],
                    vec!["安全管理制度", "应急管理"],
                    0.9,
                ),
                (
                    "seasonal",
                    "冬春火灾防控专项行动",
                    "冬春季节针对消防设施、用电用气和疏散通道开展专项排查整治。",
                    today - Duration::days(20),
                    today + Duration::days(40),
                    vec![
                        "灭火器、消火栓完好有效",
                        "疏散通道、安全出口畅通",
                        "电取暖设备使用符合规定",
                        "燃气报警装置运行正常",
                    ],
                    vec!["消防安全", "用电安全", "燃气安全"],
                    0.45,
                ),
            ] {
                let id = tx
                    .campaign(
                        dist.id,
                        kind,
                        name,
                        desc,
                        (start, end),
                        &items,
                        &categories,
                        &all,
                        bureau,
                    )
                    .await?;
                campaigns.push((id, start, end, items, categories, share));
            }
        }
        // One cross-inspection round in the autumn: school i inspects school i+1.
        let mut cross: Vec<(CrossAssignmentId, usize, usize)> = Vec::new();
        let round = (today - Duration::days(60), today - Duration::days(35));
        if ed && dist.schools.len() > 9 {
            for i in 0..8 {
                let (from, to) = (&dist.schools[i], &dist.schools[i + 1]);
                let id = tx
                    .cross(
                        dist.id,
                        "秋季校际交叉互查",
                        (from.safety.user, from.id),
                        to.id,
                        round,
                        bureau,
                    )
                    .await?;
                cross.push((id, i, i + 1));
            }
        }
        for (si, s) in dist.schools.iter().enumerate() {
            let points = tx.points(s.id).await?;
            if points.is_empty() {
                continue;
            }
            let half_month_points: Vec<Point> = points
                .iter()
                .filter(|p| crate::storage::seed_history::due_by_half_month(&p.check_frequency))
                .cloned()
                .collect();
            let ph = &photos[&s.id];
            let diligent = si == 0;
            // Half-month self-inspections.
            for period in &periods {
                let (start, end, code) =
                    (&period.starts_on(), &period.ends_on(), period.to_string());
                let current = *period == this_half;
                let roll: f64 = rng.random();
                let day = if current {
                    if roll < 0.55 && today > *start {
                        Some(
                            *start
                                + Duration::days(rng.random_range(0..=(today - *start).num_days())),
                        )
                    } else {
                        None
                    }
                } else if diligent || roll < 0.78 {
                    Some(*end - Duration::days(rng.random_range(0..=4)))
                } else if roll < 0.9 {
                    Some(*end + Duration::days(rng.random_range(1..=6)))
                } else {
                    None
                };
                let Some(day) = day.filter(|d| *d <= today) else {
                    continue;
                };
                let fails = match rng.random_range(0..20) {
                    0..=9 => 0,
                    10..=15 => 1,
                    16..=18 => 2,
                    _ => 3,
                };
                inspect(
                    tx,
                    &mut rng,
                    s,
                    bureau,
                    ph,
                    today,
                    Inspection {
                        kind: "half_month",
                        period: Some(&code),
                        campaign: None,
                        cross: None,
                        by: &s.safety,
                        on: day,
                        source: Source::HalfMonthSelfInspection,
                    },
                    &half_month_points,
                    &[],
                    fails,
                )
                .await?;
            }
            // Campaign checks.
            for (id, start, end, items, categories, share) in &campaigns {
                let covered: Vec<Point> = points
                    .iter()
                    .filter(|p| categories.contains(&p.category.as_str()))
                    .cloned()
                    .collect();
                if !rng.random_bool(*share) {
                    continue;
                }
                let last = (*end).min(today);
                if last < *start {
                    continue;
                }
                let day = *start + Duration::days(rng.random_range(0..=(last - *start).num_days()));
                let fails = usize::from(rng.random_bool(0.3));
                inspect(
                    tx,
                    &mut rng,
                    s,
                    bureau,
                    ph,
                    today,
                    Inspection {
                        kind: "campaign",
                        period: None,
                        campaign: Some(*id),
                        cross: None,
                        by: &s.safety,
                        on: day,
                        source: Source::Campaign,
                    },
                    &covered,
                    items,
                    fails,
                )
                .await?;
            }
        }
        // Cross-inspections: all but the last pair done.
        for (n, (id, from, to)) in cross.iter().enumerate() {
            if n + 1 == cross.len() {
                continue;
            }
            let target = &dist.schools[*to];
            let points = tx.points(target.id).await?;
            let by = &dist.schools[*from].safety;
            let day = round.0 + Duration::days(rng.random_range(3..20));
            inspect(
                tx,
                &mut rng,
                target,
                bureau,
                &photos[&target.id],
                today,
                Inspection {
                    kind: "cross",
                    period: None,
                    campaign: None,
                    cross: Some(*id),
                    by,
                    on: day,
                    source: Source::CrossInspection,
                },
                &points,
                &[],
                2,
            )
            .await?;
        }
        // The showcase: every state at the first school.
        if let Some(s) = dist.schools.first().filter(|_| ed) {
            let ph = &photos[&s.id];
            let points = tx.points(s.id).await?;
            let (zones, _) = tx.placement_inputs(s.id).await?;
            for (title, category, aspect, steps, found) in showcase(s, bureau, ph, today) {
                let (zone, point) = showcase_place(&title, category, &zones, &points);
                tx.hazard(
                    &PastHazard {
                        school: s.id,
                        school_code: &s.code,
                        title: title.clone(),
                        description: format!("{title}，需及时处置。"),
                        aspect: aspect.into(),
                        category: category.into(),
                        zone,
                        point,
                        source: Source::Daily,
                        inspection: None,
                        campaign: None,
                        reporter: &s.safety,
                        reported_on: found,
                        photos: vec![ph.before],
                        steps,
                    },
                    ESCALATE_AFTER,
                )
                .await?;
            }
        }
    }
    Ok(())
}

struct Inspection<'a> {
    kind: &'static str,
    period: Option<&'a str>,
    campaign: Option<CampaignId>,
    cross: Option<CrossAssignmentId>,
    by: &'a Person,
    on: NaiveDate,
    source: Source,
}

/// One inspection: every point (or campaign item) checked, `fails` of them failed, each
/// failure a hazard with its own course.
#[allow(clippy::too_many_arguments)]
async fn inspect(
    tx: &mut SeedTx,
    rng: &mut StdRng,
    s: &SchoolPeople,
    bureau: &Person,
    ph: &Photos,
    today: NaiveDate,
    i: Inspection<'_>,
    points: &[Point],
    items: &[&str],
    fails: usize,
) -> Result<()> {
    let submitted = at(i.on, 16, rng.random_range(0..60));
    let id = tx
        .inspection(
            s.id, i.kind, i.period, i.campaign, i.cross, i.by, i.on, submitted,
        )
        .await?;
    let n = points.len() + items.len();
    let mut failed: Vec<usize> = (0..fails.min(n)).map(|_| rng.random_range(0..n)).collect();
    failed.sort_unstable();
    failed.dedup();
    let mut rows = Vec::with_capacity(n);
    for k in 0..n {
        let (point, label, detail, category, aspect, zone) = match points.get(k) {
            Some(p) => (
                Some(p),
                p.name.clone(),
                p.check_items.clone(),
                p.category.clone(),
                p.aspect.clone(),
                p.zone,
            ),
            None => (
                None,
                items[k - points.len()].to_string(),
                String::new(),
                "安全管理制度".to_string(),
                "management".to_string(),
                None,
            ),
        };
        if failed.contains(&k) {
            let note = finding(&category, &label, rng);
            let mut plan = Plan {
                school: s,
                bureau,
                after: ph.after,
                today,
                steps: Vec::new(),
                cut: false,
            };
            random_course(rng, &mut plan, i.on);
            let hazard = tx
                .hazard(
                    &PastHazard {
                        school: s.id,
                        school_code: &s.code,
                        title: note.clone(),
                        description: format!("{label}：{note}"),
                        aspect,
                        category,
                        zone,
                        point: point.map(|p| p.id),
                        source: i.source,
                        inspection: Some(id),
                        campaign: i.campaign,
                        reporter: i.by,
                        reported_on: i.on,
                        photos: vec![ph.before],
                        steps: plan.steps,
                    },
                    ESCALATE_AFTER,
                )
                .await?;
            rows.push(PastItem {
                point: point.map(|p| p.id),
                zone,
                label,
                detail,
                result: "fail",
                note,
                photos: vec![ph.before],
                hazard: Some(hazard),
            });
        } else {
            let na = point.is_some() && rng.random_range(0..40) == 0;
            rows.push(PastItem {
                point: point.map(|p| p.id),
                zone,
                label,
                detail,
                result: if na { "na" } else { "pass" },
                note: String::new(),
                photos: Vec::new(),
                hazard: None,
            });
        }
    }
    tx.inspection_items(id, rows).await
}
