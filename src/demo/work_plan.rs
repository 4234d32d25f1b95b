//! The demo's work plan, relative to the day it is seeded: the seed's 2021 plan loaded for
//! each district and copied to this year with its obligations; this year's district safety
//! and quarterly analysis meetings, the bureau's yearly trainings, every school's monthly
//! analysis meetings, its fire-safety training and 开学第一课 each semester, the key-date
//! activities and a guards' training naming its guards. Most schools keep up; a few miss a
//! month's meeting or record it late, skip a semester's training or lesson, leave a key date
//! or a guard out; the bureau missed one quarter's analysis meeting and recorded another
//! late, and has not trained the bus attendants yet: so the calendar shows due, done, late
//! and missed cells on first start.

use super::history::{DistrictPeople, SchoolPeople};
use crate::domain::Code;
use crate::domain::calendar::SchoolCalendar;
use crate::domain::ids::OrgId;
use crate::domain::person::Post;
use crate::domain::work_plan::{ActivityKind, Frequency, MeetingKind, PlanPeriod, TrainingGroup};
use crate::error::Result;
use crate::storage::seed::SeedTx;
use crate::storage::seed_history::{Person, at};
use crate::storage::seed_work_plan::{SeedActivity, SeedMeeting, SeedTraining};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// When a record of `held` is entered: the same evening, or `late` days after its period
/// ended (never after `now`).
fn recorded(held: NaiveDate, period_end: Option<NaiveDate>, now: DateTime<Utc>) -> DateTime<Utc> {
    let t = match period_end {
        Some(end) => at(end + Duration::days(4), 10, 0),
        None => at(held, 17, 30),
    };
    t.min(now)
}

/// The last Monday of March (全国中小学生安全教育日).
fn safety_day(y: i32) -> NaiveDate {
    let mut d = ymd(y, 3, 31);
    while d.weekday() != Weekday::Mon {
        d = d.pred_opt().unwrap_or(d);
    }
    d
}

/// Everything written for one district.
#[derive(Default)]
struct Rows {
    meetings: Vec<SeedMeeting>,
    trainings: Vec<SeedTraining>,
    activities: Vec<SeedActivity>,
}

pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    let cal = SchoolCalendar::default();
    let year = today.year();
    for d in districts {
        tx.example_work_plan(d.id, year).await?;
        let mut rows = Rows::default();
        bureau(&mut rows, d.id, &d.officer, year, now, &cal);
        for (i, s) in d.schools.iter().enumerate() {
            let Some((_, people)) = tx.school_profile(s.id).await? else {
                continue;
            };
            let guards: Vec<_> = tx
                .roster(s.id)
                .await?
                .into_iter()
                .filter(|p| p.2 == Post::Guard.as_str())
                .map(|p| p.0)
                .collect();
            school(&mut rows, i, s, people, guards, year, today, now, &cal);
        }
        let keep = |day: NaiveDate| day <= today && day.year() == year;
        rows.meetings.retain(|m| keep(m.held_on));
        rows.trainings.retain(|t| keep(t.held_on));
        rows.activities.retain(|a| keep(a.held_on));
        tx.seed_meetings(&rows.meetings).await?;
        tx.seed_trainings(&rows.trainings).await?;
        tx.seed_activities(&rows.activities).await?;
    }
    Ok(())
}

/// The bureau's meetings and trainings of the year.
fn bureau(
    rows: &mut Rows,
    district: OrgId,
    officer: &Person,
    year: i32,
    now: DateTime<Utc>,
    cal: &SchoolCalendar,
) {
    let meeting = |kind, day: NaiveDate, title: &str, late: Option<NaiveDate>| SeedMeeting {
        org: district,
        kind,
        held_on: day,
        title: title.into(),
        attendees: "各中小学校、幼儿园校（园）长，安全副校长".into(),
        decisions: "一、落实安全工作责任制（责任人：各校校长，期限：本月底）".into(),
        recorded: recorded(day, late, now),
        by: officer.clone(),
    };
    rows.meetings.push(meeting(
        MeetingKind::DistrictSafety,
        ymd(year, 2, 24),
        "春季开学全区中小学（幼儿园）安全工作会议",
        None,
    ));
    rows.meetings.push(meeting(
        MeetingKind::DistrictSafety,
        ymd(year, 8, 27),
        "秋季开学全区中小学（幼儿园）安全工作会议",
        None,
    ));
    // Quarterly analysis: the second quarter's missed, the third's recorded late.
    for (q, day) in [
        (1, ymd(year, 3, 28)),
        (3, ymd(year, 9, 26)),
        (4, ymd(year, 11, 20)),
    ] {
        let late = (q == 3)
            .then(|| PlanPeriod::of(Frequency::Quarter, day, cal).map(|p| p.range(cal).last))
            .flatten();
        rows.meetings.push(meeting(
            MeetingKind::DistrictAnalysis,
            day,
            &format!("第{q}季度校园安全形势分析会"),
            late,
        ));
    }
    // The yearly trainings; the bus attendants' is still to come.
    for (group, day, topic) in [
        (
            TrainingGroup::Cadres,
            ymd(year, 4, 16),
            "学校管理干部安全管理培训",
        ),
        (
            TrainingGroup::Teachers,
            ymd(year, 7, 9),
            "教师安全教育能力培训",
        ),
        (
            TrainingGroup::Guards,
            ymd(year, 3, 19),
            "校园保安业务技能培训",
        ),
        (
            TrainingGroup::BusDrivers,
            ymd(year, 8, 20),
            "校车驾驶人安全驾驶培训",
        ),
    ] {
        rows.trainings.push(SeedTraining {
            org: district,
            group,
            held_on: day,
            topic: topic.into(),
            hours_tenths: 40,
            trainer: "区教育局安全科".into(),
            attendees: 60,
            people: Vec::new(),
            recorded: recorded(day, None, now),
            by: officer.clone(),
        });
    }
}

/// One school's records of the year; `i` is its place in the district (the gaps).
#[allow(clippy::too_many_arguments)]
fn school(
    rows: &mut Rows,
    i: usize,
    s: &SchoolPeople,
    people: i64,
    guards: Vec<crate::domain::ids::PersonId>,
    year: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
    cal: &SchoolCalendar,
) {
    let pupils = i32::try_from(people).unwrap_or(500).clamp(30, 5000);
    let last_month = PlanPeriod::of(Frequency::Month, today, cal)
        .map(|p| p.prev(cal).range(cal))
        .map(|r| r.first.month());
    // The monthly analysis meeting.
    for m in 1..=12u32 {
        let day = ymd(year, m, 20 + (i % 6) as u32);
        let last = Some(m) == last_month;
        if (last && i % 9 == 2) || (m == 3 && i % 7 == 3) {
            continue;
        }
        let late = (last && i % 11 == 5)
            .then(|| PlanPeriod::of(Frequency::Month, day, cal).map(|p| p.range(cal).last))
            .flatten();
        rows.meetings.push(SeedMeeting {
            org: s.id,
            kind: MeetingKind::SchoolAnalysis,
            held_on: day,
            title: format!("{m}月安全形势分析会"),
            attendees: "校长、安全副校长、各处室主任、年级组长".into(),
            decisions: "排查出的隐患按期整改（责任人：总务主任）".into(),
            recorded: recorded(day, late, now),
            by: s.safety.clone(),
        });
    }
    // Each semester: the fire-safety training and 开学第一课.
    for (n, probe) in [(0, ymd(year, 3, 15)), (1, ymd(year, 9, 15))] {
        let Some(sem) = PlanPeriod::of(Frequency::Semester, probe, cal).map(|p| p.range(cal))
        else {
            continue;
        };
        let skip_training = (n == 0 && i % 10 == 6) || (n == 1 && i % 12 == 1);
        let skip_lesson = n == 0 && i % 13 == 4;
        if !skip_training {
            let day = sem.first + Duration::days(12 + (i % 5) as i64);
            rows.trainings.push(SeedTraining {
                org: s.id,
                group: TrainingGroup::TeachersPupils,
                held_on: day,
                topic: "师生消防安全知识培训".into(),
                hours_tenths: 15,
                trainer: "辖区消防救援站".into(),
                attendees: pupils,
                people: Vec::new(),
                recorded: recorded(day, None, now),
                by: s.safety.clone(),
            });
        }
        if !skip_lesson {
            let day = sem.first + Duration::days((i % 3) as i64);
            rows.activities.push(activity(
                s,
                ActivityKind::FirstLesson,
                day,
                "开学第一课：安全伴我行",
                pupils,
                now,
            ));
        }
    }
    // The key dates.
    let mut dates = vec![
        (
            ActivityKind::DisasterDay,
            ymd(year, 5, 12),
            "“5.12”防灾减灾日疏散演练与宣传",
        ),
        (
            ActivityKind::Drowning,
            ymd(year, 6, 10 + (i % 10) as u32),
            "防溺水安全教育主题班会",
        ),
        (
            ActivityKind::FireDay,
            ymd(year, 11, 9),
            "“11.9”消防安全日主题教育",
        ),
    ];
    if i % 10 != 3 {
        dates.push((
            ActivityKind::SafetyDay,
            safety_day(year),
            "全国中小学生安全教育日主题活动",
        ));
    }
    for (kind, day, title) in dates {
        rows.activities
            .push(activity(s, kind, day, title, pupils, now));
    }
    // The guards' yearly training at the school, naming them (one left out at a few).
    if !guards.is_empty() {
        let mut named = guards;
        if i % 6 == 2 {
            named.pop();
        }
        let day = ymd(year, 9, 8 + (i % 10) as u32);
        rows.trainings.push(SeedTraining {
            org: s.id,
            group: TrainingGroup::Guards,
            held_on: day,
            topic: "门卫安保与应急处置培训".into(),
            hours_tenths: 20,
            trainer: "派出所民警".into(),
            attendees: 0,
            people: named,
            recorded: recorded(day, None, now),
            by: s.safety.clone(),
        });
    }
}

fn activity(
    s: &SchoolPeople,
    kind: ActivityKind,
    day: NaiveDate,
    title: &str,
    pupils: i32,
    now: DateTime<Utc>,
) -> SeedActivity {
    SeedActivity {
        school: s.id,
        kind,
        held_on: day,
        title: title.into(),
        classes: (pupils / 45).max(1),
        pupils,
        recorded: recorded(day, None, now),
        by: s.safety.clone(),
    }
}
