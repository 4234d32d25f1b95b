//! Missed drills (domain brief §5: "monthly (quarterly for 幼儿园) drill missing by month end ⇒
//! compliance warning"): for every school and every drill requirement that applies to it, the
//! requirement's last window that has ended (last month for a monthly one, last quarter, last
//! semester) is checked; without enough drills of its kinds held in it the school gets a
//! warning (source `drill`, rule [`MISSED_DRILL`], yellow, so the district sees it too), one
//! per school, requirement and window (subject `school:<id>:<requirement>:<period>`). A drill
//! recorded late (held in the window) clears it; a warning closed by a person is not raised
//! again for the same window.

use super::super::drills::{held_between, profile};
use super::super::entity::org;
use super::super::warnings::Raise;
use super::checks::Checked;
use crate::domain::Code;
use crate::domain::calendar::{Period, SchoolCalendar};
use crate::domain::drill::{DrillConfig, DrillKind, Requirement};
use crate::domain::ids::OrgId;
use crate::domain::org::OrgLevel;
use crate::domain::warning::{Level, Source};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{DatabaseConnection, QueryOrder};
use std::collections::HashSet;

/// The rule code of a missed drill's warning.
pub const MISSED_DRILL: &str = "missed_drill";

/// The level of a missed drill's warning (yellow: the district sees it).
pub const LEVEL: Level = Level::Yellow;

/// The emergency rules the sweep checks (`[drills]`, `[calendar]`, `[incidents]`, `[plans]`).
#[derive(Debug, Clone, Default)]
pub struct Emergency {
    pub drills: DrillConfig,
    pub calendar: SchoolCalendar,
    pub incidents: crate::domain::incident::ReportDeadlines,
    pub plans: crate::domain::emergency_plan::PlanConfig,
    /// The school buses' expiry days and warning levels (`[buses]`).
    pub buses: crate::domain::bus::BusConfig,
}

/// The subject of a school's missed requirement window.
pub fn subject(school: OrgId, requirement: &str, period: Period) -> String {
    format!("school:{}:{requirement}:{period}", school.0)
}

/// The school, requirement and window of a subject written by [`subject`].
fn parse_subject(s: &str) -> Option<(OrgId, String, Period)> {
    let mut parts = s.strip_prefix("school:")?.splitn(3, ':');
    let id = parts.next()?.parse().ok()?;
    let code = parts.next()?.to_string();
    let period = parts.next()?.parse().ok()?;
    Some((OrgId(id), code, period))
}

/// The last window of `r` that has ended by `today`.
pub fn last_ended(r: &Requirement, today: NaiveDate, cal: &SchoolCalendar) -> Period {
    Period::of(r.every, today, cal).prev()
}

fn count(
    held: &[(OrgId, DrillKind, NaiveDate)],
    school: OrgId,
    r: &Requirement,
    p: Period,
    cal: &SchoolCalendar,
) -> u32 {
    let range = p.range(cal);
    let n = held
        .iter()
        .filter(|(s, k, d)| *s == school && r.kinds.contains(k) && range.contains(*d))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(super) async fn check(
    conn: &DatabaseConnection,
    now: DateTime<Utc>,
    today: NaiveDate,
    rules: &Emergency,
) -> Result<Checked> {
    let cal = &rules.calendar;
    let mut out = Checked::default();
    let reqs = rules.drills.requirements();
    // The drills of the windows checked now and of the open warnings.
    let open = super::waiting_subjects(conn, Source::Drill, MISSED_DRILL).await?;
    let waiting: Vec<(String, OrgId, String, Period)> = open
        .into_iter()
        .filter_map(|s| {
            let (school, code, p) = parse_subject(&s)?;
            Some((s, school, code, p))
        })
        .collect();
    let mut windows: Vec<Period> = reqs.iter().map(|r| last_ended(r, today, cal)).collect();
    windows.extend(waiting.iter().map(|(_, _, _, p)| *p));
    let first = windows
        .iter()
        .map(|p| p.first_day(cal))
        .min()
        .unwrap_or(today);
    let last = windows
        .iter()
        .map(|p| p.last_day(cal))
        .max()
        .unwrap_or(today);
    let held = held_between(conn, None, first, last).await?;

    // Open warnings whose window has its drills by now (recorded late) are cleared.
    let already: HashSet<&str> = waiting.iter().map(|(s, _, _, _)| s.as_str()).collect();
    for (s, school, code, p) in &waiting {
        let met = reqs
            .iter()
            .filter(|r| r.code.as_str() == code && r.every == p.kind())
            .any(|r| count(&held, *school, r, *p, cal) >= r.at_least);
        if !met {
            continue;
        }
        let cleared =
            super::clear_alone(conn, Source::Drill, s, MISSED_DRILL, now, "drill recorded").await?;
        out.cleared.extend(cleared);
    }

    // Every school's requirements, their last ended window.
    let schools: Vec<org::Model> = org::Entity::find()
        .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
        .order_by_asc(org::Column::Id)
        .all(conn)
        .await?;
    // Warnings of those windows closed by a person are not raised again.
    let closed = super::closed_subjects(conn, Source::Drill, MISSED_DRILL).await?;
    let mut raised: HashSet<String> = HashSet::new();
    for s in schools {
        let Some(p) = profile(&s) else { continue };
        for r in reqs.iter().filter(|r| r.applies_to(p.kind, p.has_buses)) {
            let w = last_ended(r, today, cal);
            let n = count(&held, s.id, r, w, cal);
            let subj = subject(s.id, r.code.as_str(), w);
            if n >= r.at_least
                || already.contains(subj.as_str())
                || closed.contains(&subj)
                || raised.contains(&subj)
            {
                continue;
            }
            let id = super::raise_alone(
                conn,
                Raise {
                    school: s.id,
                    source: Source::Drill,
                    rule: MISSED_DRILL.into(),
                    subject: subj.clone(),
                    level: LEVEL,
                    device: None,
                    zone: None,
                    point: None,
                    value: None,
                    detail: format!("{} · {w} · {n}/{}", r.code, r.at_least),
                    at: now,
                    notify: true,
                },
            )
            .await?;
            raised.insert(subj);
            out.raised.push((id, s.id));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip() {
        let p: Period = "2026-11".parse().unwrap();
        let s = subject(OrgId(7), "evacuation", p);
        assert_eq!(s, "school:7:evacuation:2026-11");
        assert_eq!(parse_subject(&s), Some((OrgId(7), "evacuation".into(), p)));
        let q: Period = "2026-Q3".parse().unwrap();
        assert_eq!(
            parse_subject("school:7:evacuation:2026-Q3"),
            Some((OrgId(7), "evacuation".into(), q))
        );
        assert_eq!(parse_subject("school:7:2026-11-H1"), None);
    }

    #[test]
    fn the_last_window_checked_is_the_one_before_today() {
        let cal = SchoolCalendar::default();
        let cfg = DrillConfig::default();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let monthly = &cfg.requirements()[0];
        let quarterly = &cfg.requirements()[1];
        // On the last day of November, November is still open: October is checked.
        assert_eq!(
            last_ended(monthly, d("2026-11-30"), &cal).to_string(),
            "2026-10"
        );
        assert_eq!(
            last_ended(monthly, d("2026-12-01"), &cal).to_string(),
            "2026-11"
        );
        assert_eq!(
            last_ended(quarterly, d("2027-01-01"), &cal).to_string(),
            "2026-Q4"
        );
        assert_eq!(
            last_ended(quarterly, d("2026-12-31"), &cal).to_string(),
            "2026-Q3"
        );
    }
}
