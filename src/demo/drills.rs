//! The demo's drills, relative to the day it is seeded: from the start of the previous
//! semester to today, every school holds its monthly evacuation drill (kindergartens one a
//! quarter), a fire drill and a fire-safety training each semester, and a school-bus
//! evacuation drill where it runs buses; most are on time, a few schools missed last month's
//! (the warning sweep raises those), and the drills still ahead this month are planned.

use super::history::DistrictPeople;
use crate::domain::calendar::{Period, PeriodKind, SchoolCalendar};
use crate::domain::drill::{DrillConfig, DrillKind, DrillNotice, DrillRating};
use crate::domain::org::SchoolKind;
use crate::error::Result;
use crate::storage::seed::SeedTx;
use crate::storage::seed_emergency::PastDrill;
use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Whether the school at this place of its district skipped last month's drill.
fn skipped_last_month(i: usize) -> bool {
    i % 9 == 4
}

const ROTATION: [DrillKind; 4] = [
    DrillKind::Earthquake,
    DrillKind::Evacuation,
    DrillKind::Stampede,
    DrillKind::Combined,
];

const PROBLEMS: [&str; 4] = [
    "三楼东侧楼梯口疏导员到位稍晚，个别班级下楼拥挤",
    "部分学生未用湿毛巾捂住口鼻",
    "集合点清点人数报告不及时",
    "广播系统西侧教学楼音量偏小",
];

pub(super) async fn seed(
    tx: &mut SeedTx,
    districts: &[DistrictPeople],
    today: NaiveDate,
) -> Result<()> {
    let cfg = DrillConfig::default();
    let cal = SchoolCalendar::default();
    let mut rng = StdRng::seed_from_u64(2027);
    let this_semester = Period::of(PeriodKind::Semester, today, &cal);
    let start = this_semester.prev().first_day(&cal);
    let this_month = Period::of(PeriodKind::Month, today, &cal);
    let last_month = this_month.prev();
    // Every month from the start of the previous semester to this one.
    let mut months = vec![Period::of(PeriodKind::Month, start, &cal)];
    while let Some(m) = months.last().copied().filter(|m| *m < this_month) {
        months.push(m.next());
    }
    for d in districts {
        for (i, s) in d.schools.iter().enumerate() {
            let Some((profile, people)) = tx.school_profile(s.id).await? else {
                continue;
            };
            let kindergarten = profile.kind == SchoolKind::Kindergarten;
            for (n, m) in months.iter().enumerate() {
                let range = m.range(&cal);
                let first_of_semester = Period::of(PeriodKind::Semester, range.first, &cal)
                    .first_day(&cal)
                    .month()
                    == range.first.month();
                let mut kinds = Vec::new();
                // Kindergartens drill in the middle month of each quarter.
                if !kindergarten || range.first.month() % 3 == 2 {
                    kinds.push(if first_of_semester {
                        DrillKind::Fire
                    } else {
                        ROTATION[n % ROTATION.len()]
                    });
                }
                if first_of_semester {
                    kinds.push(DrillKind::FireTraining);
                    if profile.has_buses {
                        kinds.push(DrillKind::BusEvacuation);
                    }
                }
                if *m == last_month && skipped_last_month(i) {
                    kinds.retain(|k| !k.is_evacuation());
                }
                for (j, kind) in kinds.into_iter().enumerate() {
                    let day = range.first
                        + chrono::Duration::days(rng.random_range(3..20) + 2 * j as i64);
                    let day = day.min(range.last);
                    let held = day <= today;
                    let by = if j % 2 == 0 { &s.safety } else { &s.principal };
                    let with_problem = held && rng.random_range(0..6) == 0;
                    tx.drill(
                        &PastDrill {
                            school: s.id,
                            kind,
                            notice: if rng.random_range(0..4) == 0 {
                                DrillNotice::Unannounced
                            } else {
                                DrillNotice::Announced
                            },
                            by,
                            held_on: held.then_some(day),
                            planned_on: Some(day),
                            expected: people.max(60),
                            seconds: rng.random_range(85..150),
                            problems: if with_problem {
                                PROBLEMS[rng.random_range(0..PROBLEMS.len())]
                            } else {
                                ""
                            },
                            rating: held.then_some(if with_problem {
                                DrillRating::Pass
                            } else {
                                DrillRating::Good
                            }),
                        },
                        &cfg,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}
