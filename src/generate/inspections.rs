//! A year of half-month self-inspections per school (most on time, some late, some missing),
//! each checking the school's half-month points; every failed item opens a hazard whose course
//! is made step by step by the platform's pure rules on the days it happened, so its state,
//! projections and history agree (fixed on the spot, rectified and closed with 销号 numbers,
//! overdue, deferred, escalated, major under bureau supervision, cancelled, still open).

use super::orgs::{Site, World};
use super::risk::PointW;
use super::{Args, Loader, T, at, rng_for};
use crate::domain::Code;
use crate::domain::hazard::{
    self as rules, Action, Amount, Funds, Hazard, HistoryEvent, Level, Source, Status, Treatment,
};
use crate::error::{Error, Result};
use crate::storage::inspections::Period;
use crate::storage::seed_history::Person;
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use std::collections::BTreeMap;

pub(crate) const INSPECTION_COLUMNS: &[&str] = &[
    "id",
    "school_id",
    "kind",
    "period",
    "inspector_user_id",
    "inspector_name",
    "inspected_on",
    "submitted_at",
    "note",
    "total",
    "passed",
    "failed",
    "not_applicable",
];
pub(crate) const HAZARD_COLUMNS: &[&str] = &[
    "id",
    "school_id",
    "title",
    "description",
    "aspect",
    "category",
    "zone_id",
    "risk_point_id",
    "source",
    "inspection_id",
    "status",
    "level",
    "treatment",
    "supervised",
    "deadline",
    "responsible_user_id",
    "closure_number",
    "state",
    "photo_ids",
    "reported_by",
    "reported_by_name",
    "reported_at",
    "updated_at",
    "closed_at",
    "version",
];
pub(crate) const EVENT_COLUMNS: &[&str] = &[
    "id",
    "hazard_id",
    "seq",
    "at",
    "day",
    "user_id",
    "user_name",
    "role",
    "from_status",
    "to_status",
    "kind",
    "event",
];
pub(crate) const ITEM_COLUMNS: &[&str] = &[
    "id",
    "inspection_id",
    "seq",
    "risk_point_id",
    "zone_id",
    "label",
    "detail",
    "result",
    "note",
    "photo_ids",
    "hazard_id",
];

/// Failed items (each a hazard) per inspection on average: ~250 hazards per school a year.
pub(crate) const FAILS_PER_INSPECTION: f64 = 11.4;
/// Half-month periods per year.
const PERIODS: f64 = 24.0;
/// Most items per inspection.
const MAX_ITEMS: usize = 110;
/// Days after which the escalation job lists an overdue hazard (the default configuration).
const ESCALATE_AFTER: u32 = 7;

/// What a failed check found, by category.
fn finding(category: &str, point: &str, rng: &mut StdRng) -> String {
    let pick = |v: &[&str], rng: &mut StdRng| v[rng.random_range(0..v.len())].to_string();
    match category {
        "消防安全" => pick(
            &[
                "灭火器压力表指针处于红区，需更换",
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
                "教学楼走廊护栏螺丝松动",
                "围墙出现裂缝",
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

/// The steps of one hazard; a step after `today` ends the course there.
struct Course<'a> {
    site: &'a Site,
    bureau: &'a Person,
    photo: i64,
    today: NaiveDate,
    steps: Vec<(NaiveDate, Option<&'a Person>, Option<Action>)>,
    cut: bool,
}

impl<'a> Course<'a> {
    fn step(&mut self, day: NaiveDate, by: &'a Person, a: Action) -> bool {
        if self.cut || day > self.today {
            self.cut = true;
            return false;
        }
        self.steps.push((day, Some(by), Some(a)));
        true
    }

    fn escalated(&mut self, day: NaiveDate) {
        if self.cut || day > self.today {
            self.cut = true;
            return;
        }
        self.steps.push((day, None, None));
    }

    fn responsible(&self) -> &'a Person {
        &self.site.staff
    }

    fn approver(&self, supervised: bool) -> &'a Person {
        if supervised {
            self.bureau
        } else {
            &self.site.principal
        }
    }

    fn fix_and_close(&mut self, day: NaiveDate) {
        let (fixer, closer) = (self.responsible(), &self.site.principal);
        let photo = self.photo;
        if self.step(
            day,
            fixer,
            Action::FixOnSpot {
                note: "已现场整改完毕，见整改后照片".into(),
                photo_ids: vec![photo],
            },
        ) {
            self.step(day + Duration::days(1), closer, Action::Close {});
        }
    }

    fn notice(&mut self, day: NaiveDate, deadline: NaiveDate, fen: i64) -> bool {
        let r = self.responsible();
        let by = &self.site.principal;
        self.step(
            day,
            by,
            Action::IssueNotice {
                responsible_user_id: r.user.0,
                measures: "落实专人整改，整改完成后拍照上传并申请验收".into(),
                funds: Funds {
                    amount: Amount::from_fen(fen),
                    source: "学校公用经费".into(),
                },
                deadline,
                interim_plan: "整改期间设置警示标志，划定隔离区域，每日专人巡查".into(),
            },
        ) && self.step(day + Duration::days(1), r, Action::Start {})
    }

    fn submit(&mut self, day: NaiveDate) -> bool {
        let r = self.responsible();
        let photo = self.photo;
        self.step(
            day,
            r,
            Action::Submit {
                note: "已按整改通知书要求完成整改".into(),
                photo_ids: vec![photo],
            },
        )
    }

    fn accept_close(&mut self, day: NaiveDate, supervised: bool) {
        let by = self.approver(supervised);
        if self.step(
            day,
            by,
            Action::Accept {
                note: Some("现场复查合格".into()),
            },
        ) {
            self.step(day + Duration::days(1), by, Action::Close {});
        }
    }

    /// A random course for a hazard found on `found`.
    fn random(&mut self, rng: &mut StdRng, found: NaiveDate) {
        let today = self.today;
        let r: f64 = rng.random();
        if r < 0.02 || ((today - found).num_days() <= 1 && rng.random_bool(0.5)) {
            return; // reported, not yet assessed
        }
        let safety = &self.site.safety;
        if r < 0.05 {
            let by = &self.site.principal;
            self.step(
                found + Duration::days(1),
                by,
                Action::Cancel {
                    reason: "经复核不构成隐患".into(),
                },
            );
            return;
        }
        if r < 0.55 {
            if self.step(
                found,
                safety,
                Action::Assess {
                    level: Level::General,
                    treatment: Treatment::FixOnSpot,
                },
            ) {
                self.fix_and_close(found);
            }
            return;
        }
        let major = r >= 0.96;
        let level = if major { Level::Major } else { Level::General };
        if !self.step(
            found,
            safety,
            Action::Assess {
                level,
                treatment: Treatment::ByDeadline,
            },
        ) {
            return;
        }
        let days = rng.random_range(7..=25);
        let deadline = found + Duration::days(days);
        if !self.notice(found, deadline, rng.random_range(50..2000) * 100) {
            return;
        }
        let late = rng.random_bool(0.12);
        if late && deadline < today {
            let r = self.responsible();
            match rng.random_range(0..10) {
                // Deferred: asked for and approved (or still waiting for the decision).
                0..=3 => {
                    let asked = self.step(
                        deadline - Duration::days(2),
                        r,
                        Action::RequestExtension {
                            new_deadline: deadline + Duration::days(20),
                            reason: "所需材料尚未到货，需延期完成".into(),
                            interim_plan: "延期期间继续封闭隔离，加密巡查".into(),
                        },
                    );
                    if asked && rng.random_bool(0.7) {
                        let by = self.approver(major);
                        self.step(
                            deadline - Duration::days(1),
                            by,
                            Action::ApproveExtension {},
                        );
                    }
                }
                // Overdue and, after a week, listed for bureau supervision.
                _ if !major && (today - deadline).num_days() > i64::from(ESCALATE_AFTER) => {
                    self.escalated(deadline + Duration::days(i64::from(ESCALATE_AFTER) + 1));
                }
                _ => {}
            }
            return;
        }
        let done = found + Duration::days(rng.random_range(2..=days));
        if !self.submit(done) {
            return;
        }
        if rng.random_bool(0.1) {
            let by = self.approver(major);
            if !self.step(
                done + Duration::days(1),
                by,
                Action::Reject {
                    reason: "整改不彻底，请补充整改后重新申请验收".into(),
                },
            ) || !self.submit(done + Duration::days(3))
            {
                return;
            }
            self.accept_close(done + Duration::days(4), major);
        } else {
            self.accept_close(done + Duration::days(1), major);
        }
    }
}

/// The periods of the last year, oldest first (the current one excluded).
fn periods(today: NaiveDate, n: usize) -> Vec<Period> {
    let mut p = Period::of(today);
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        p = p.prev();
        v.push(p);
    }
    v.reverse();
    v
}

/// Writes a school's year of self-inspections with their hazards.
pub(crate) async fn write(
    l: &mut Loader,
    args: &Args,
    world: &World,
    site: &Site,
    points: &[PointW],
    today: NaiveDate,
) -> Result<()> {
    let s = &site.school;
    let mut rng = rng_for(args.seed, s.idx, 5);
    let bureau = &world.districts[s.district].officer;
    let mut checked: Vec<&PointW> = points.iter().filter(|p| p.half_month).collect();
    if checked.is_empty() {
        checked = points.iter().collect();
    }
    checked.truncate(MAX_ITEMS);
    if checked.is_empty() {
        return Ok(());
    }
    let n_periods = (PERIODS * args.scale.max(0.0)).round() as usize;
    let mut closures: BTreeMap<i32, u32> = BTreeMap::new();
    let photos = format!("[{}]", site.photo);
    let diligent = rng.random_bool(0.6);
    for period in periods(today, n_periods) {
        let end = period.ends_on();
        let roll: f64 = rng.random();
        let day = if diligent || roll < 0.8 {
            end - Duration::days(rng.random_range(0..=4))
        } else if roll < 0.92 {
            end + Duration::days(rng.random_range(1..=6))
        } else {
            continue; // missing
        };
        if day > today {
            continue;
        }
        // Which items failed and which do not apply.
        let n = checked.len();
        let fails = rng.random_range(0..=(2.0 * FAILS_PER_INSPECTION).round() as usize);
        let mut result = vec!["pass"; n];
        for _ in 0..fails.min(n) {
            result[rng.random_range(0..n)] = "fail";
        }
        for r in result.iter_mut() {
            if *r == "pass" && rng.random_range(0..40) == 0 {
                *r = "na";
            }
        }
        let count = |x: &str| result.iter().filter(|r| **r == x).count() as i32;
        let iid = l.ids.next(T::Inspections);
        let submitted = at(day, 16, rng.random_range(0..60));
        l.push(
            T::Inspections,
            row![
                iid,
                s.id,
                "half_month",
                Some(period.to_string()),
                Some(site.safety.user.0),
                site.safety.name.clone(),
                day,
                submitted,
                "",
                n as i32,
                count("pass"),
                count("fail"),
                count("na")
            ],
        )
        .await?;
        let mut items = Vec::with_capacity(n);
        for (k, p) in checked.iter().enumerate() {
            let (note, hazard) = if result[k] == "fail" {
                let note = finding(&p.category, &p.name, &mut rng);
                let mut c = Course {
                    site,
                    bureau,
                    photo: site.photo,
                    today,
                    steps: Vec::new(),
                    cut: false,
                };
                c.random(&mut rng, day);
                let hid = hazard(l, site, p, iid, day, &note, c.steps, &mut closures).await?;
                (note, Some(hid))
            } else {
                (String::new(), None)
            };
            items.push(row![
                l.ids.next(T::InspectionItems),
                iid,
                k as i32 + 1,
                Some(p.id),
                p.zone,
                p.name.clone(),
                p.check_items.clone(),
                result[k],
                note,
                if hazard.is_some() {
                    photos.clone()
                } else {
                    "[]".to_string()
                },
                hazard
            ]);
        }
        for r in items {
            l.push(T::InspectionItems, r).await?;
        }
    }
    for (year, n) in closures {
        l.push(
            T::Counters,
            row![format!("closure:{}:{year}", s.code), i64::from(n)],
        )
        .await?;
    }
    Ok(())
}

/// Writes one hazard with its history; every step goes through the rules on its day.
#[allow(clippy::too_many_arguments)]
async fn hazard(
    l: &mut Loader,
    site: &Site,
    p: &PointW,
    inspection: i64,
    found: NaiveDate,
    note: &str,
    steps: Vec<(NaiveDate, Option<&Person>, Option<Action>)>,
    closures: &mut BTreeMap<i32, u32>,
) -> Result<i64> {
    let s = &site.school;
    let mut state = Hazard::new_reported();
    let mut events: Vec<(HistoryEvent, Option<&Person>)> = Vec::new();
    for (day, by, action) in steps {
        let t = match (by, action) {
            (Some(by), Some(a)) => rules::apply(&state, &a, &by.who(), day).map_err(|e| {
                Error::internal(anyhow::anyhow!(
                    "generated hazard at {}: step {:?}: {e:?}",
                    s.code,
                    a.kind()
                ))
            })?,
            _ => rules::escalation(&state, day, ESCALATE_AFTER).ok_or_else(|| {
                Error::internal(anyhow::anyhow!(
                    "generated hazard at {}: no escalation",
                    s.code
                ))
            })?,
        };
        let t = if t.needs_closure_number() {
            let year = t.closing_year().unwrap_or(2026);
            let seq = closures.entry(year).or_insert(0);
            *seq += 1;
            let n = rules::closure_number(&s.code, year, *seq);
            t.with_closure_number(n)
        } else {
            t
        };
        state = t.next;
        events.push((t.event, by));
    }
    let reported = at(found, 10, 0);
    let last = events
        .last()
        .map(|(e, _)| at(e.on, 16, 0))
        .unwrap_or(reported);
    let id = l.ids.next(T::Hazards);
    let json = serde_json::to_string(&state).map_err(Error::internal)?;
    l.push(
        T::Hazards,
        row![
            id,
            s.id,
            note.to_string(),
            format!("{}：{note}", p.name),
            p.aspect,
            p.category.clone(),
            p.zone,
            Some(p.id),
            Source::HalfMonthSelfInspection.as_str(),
            Some(inspection),
            state.status.as_str(),
            state.level.map(|x| x.as_str().to_string()),
            state.treatment.map(|x| x.as_str().to_string()),
            state.supervised,
            state.deadline,
            state.responsible_user_id,
            state.closure_number.clone(),
            json,
            format!("[{}]", site.photo),
            Some(site.safety.user.0),
            site.safety.name.clone(),
            reported,
            last,
            (state.status == Status::Closed).then_some(last),
            events.len() as i32
        ],
    )
    .await?;
    for (n, (e, by)) in events.iter().enumerate() {
        let kind = match e.action() {
            Some(a) => a.kind().as_str().to_string(),
            None => "escalated".into(),
        };
        let eid = l.ids.next(T::HazardEvents);
        l.push(
            T::HazardEvents,
            row![
                eid,
                id,
                n as i32 + 1,
                at(e.on, 10 + (n as u32 % 6), (n as u32 * 7) % 60),
                e.on,
                by.map(|p| p.user.0),
                by.map(|p| p.name.clone())
                    .unwrap_or_else(|| "system".into()),
                by.map(|p| p.role.as_str().to_string()).unwrap_or_default(),
                e.from.as_str(),
                e.to.as_str(),
                kind,
                serde_json::to_string(e).map_err(Error::internal)?
            ],
        )
        .await?;
    }
    Ok(id)
}
