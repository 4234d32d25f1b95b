//! Missed obligations of the work plan (F-PLAN-3: "a missed obligation raises a warning"):
//! for every school and every obligation of its district's plan that asks for a meeting, a
//! training or an education activity, the obligation's last period that has ended (last
//! month for a monthly one, last quarter, last semester, last year …) is read from the
//! compliance calendar; a missed cell raises one warning (source `work_plan`, rule
//! [`MISSED_OBLIGATION`], yellow: the district sees it), one per school, obligation and
//! period (subject `school:<id>:<obligation>:<period>`). Evidence recorded late (the cell
//! turns late) clears it, as does the obligation leaving the plan; a warning closed by a
//! person is not raised again for the same period.
//!
//! Self-inspections, drills and daily duty reports have checks of their own (`checks.rs`,
//! `drills.rs`, `duty.rs`), and governance actions and documents are not recorded by the
//! platform yet: their cells warn nobody, so one missing record is never two warnings.

use super::super::compliance::{Cell, compute_some};
use super::super::entity::org;
use super::super::warnings::Raise;
use super::checks::Checked;
use crate::domain::Code;
use crate::domain::calendar::{DateRange, SchoolCalendar};
use crate::domain::ids::{ObligationId, OrgId};
use crate::domain::org::OrgLevel;
use crate::domain::warning::{Level, Source};
use crate::domain::work_plan::{Evidence, Frequency, PlanPeriod, Status};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{DatabaseConnection, QueryOrder};
use std::collections::{HashMap, HashSet};

/// The rule code of a missed obligation's warning.
pub const MISSED_OBLIGATION: &str = "missed_obligation";

/// The level of a missed obligation's warning (yellow: the district sees it).
pub const LEVEL: Level = Level::Yellow;

/// Whether a missed cell of this evidence warns (the others have checks of their own, or no
/// records yet).
pub fn warns(e: Evidence) -> bool {
    matches!(
        e,
        Evidence::Meeting | Evidence::Training | Evidence::Activity
    )
}

/// The subject of a school's missed obligation in a period.
pub fn subject(school: OrgId, obligation: ObligationId, period: &PlanPeriod) -> String {
    format!("school:{}:{}:{period}", school.0, obligation.0)
}

/// The school, obligation and period of a subject written by [`subject`].
fn parse_subject(s: &str) -> Option<(OrgId, ObligationId, PlanPeriod)> {
    let mut parts = s.strip_prefix("school:")?.splitn(3, ':');
    let school = parts.next()?.parse().ok()?;
    let ob = parts.next()?.parse().ok()?;
    let period = parts.next()?.parse().ok()?;
    Some((OrgId(school), ObligationId(ob), period))
}

/// The frequencies whose last ended period is checked (a duty period has its own check).
const CHECKED: [Frequency; 6] = [
    Frequency::Day,
    Frequency::HalfMonth,
    Frequency::Month,
    Frequency::Quarter,
    Frequency::Semester,
    Frequency::Year,
];

/// The last period of `f` that has ended by `today`.
pub fn last_ended(f: Frequency, today: NaiveDate, cal: &SchoolCalendar) -> Option<PlanPeriod> {
    PlanPeriod::of(f, today, cal).map(|p| p.prev(cal))
}

type Key = (OrgId, ObligationId, String);

/// The cells of `periods` for `schools`, by school, obligation and period.
async fn cells_of(
    conn: &DatabaseConnection,
    schools: &[org::Model],
    periods: &HashSet<PlanPeriod>,
    cal: &SchoolCalendar,
    today: NaiveDate,
) -> Result<HashMap<Key, Cell>> {
    let mut out = HashMap::new();
    for p in periods {
        let range: DateRange = p.range(cal);
        let keep = |o: &super::super::work_plans::Obligation, q: &PlanPeriod| {
            q == p && warns(o.evidence) && Some(o.every) == p.frequency()
        };
        let (_, cells) = compute_some(conn, schools, range, cal, today, &keep).await?;
        for c in cells {
            out.insert((c.org_id, c.obligation_id, c.period.to_string()), c);
        }
    }
    Ok(out)
}

pub(super) async fn check(
    conn: &DatabaseConnection,
    now: DateTime<Utc>,
    today: NaiveDate,
    cal: &SchoolCalendar,
) -> Result<Checked> {
    let mut out = Checked::default();
    let schools: Vec<org::Model> = org::Entity::find()
        .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
        .order_by_asc(org::Column::Id)
        .all(conn)
        .await?;
    let waiting: Vec<(String, OrgId, ObligationId, PlanPeriod)> =
        super::waiting_subjects(conn, Source::WorkPlan, MISSED_OBLIGATION)
            .await?
            .into_iter()
            .filter_map(|s| {
                let (school, ob, p) = parse_subject(&s)?;
                Some((s, school, ob, p))
            })
            .collect();
    let lasts: HashSet<PlanPeriod> = CHECKED
        .iter()
        .filter_map(|f| last_ended(*f, today, cal))
        .collect();
    let mut periods = lasts.clone();
    periods.extend(waiting.iter().map(|w| w.3));
    let cells = cells_of(conn, &schools, &periods, cal, today).await?;

    // Open warnings whose evidence arrived (late), or whose obligation is gone, are cleared.
    let already: HashSet<&str> = waiting.iter().map(|w| w.0.as_str()).collect();
    for (s, school, ob, p) in &waiting {
        let why = match cells.get(&(*school, *ob, p.to_string())) {
            Some(c) if c.status == Status::Missed => continue,
            Some(_) => "evidence recorded",
            None => "obligation removed",
        };
        let cleared =
            super::clear_alone(conn, Source::WorkPlan, s, MISSED_OBLIGATION, now, why).await?;
        out.cleared.extend(cleared);
    }

    // The missed cells of the last ended periods, in a stable order.
    let closed = super::closed_subjects(conn, Source::WorkPlan, MISSED_OBLIGATION).await?;
    let mut missed: Vec<&Cell> = cells
        .values()
        .filter(|c| c.status == Status::Missed && lasts.contains(&c.period))
        .collect();
    missed.sort_by_key(|c| (c.org_id, c.obligation_id, c.period.to_string()));
    for c in missed {
        let subj = subject(c.org_id, c.obligation_id, &c.period);
        if already.contains(subj.as_str()) || closed.contains(&subj) {
            continue;
        }
        let kind = c.kind.as_deref().unwrap_or("");
        let id = super::raise_alone(
            conn,
            Raise {
                school: c.org_id,
                source: Source::WorkPlan,
                rule: MISSED_OBLIGATION.into(),
                subject: subj,
                level: LEVEL,
                device: None,
                zone: None,
                point: None,
                value: None,
                detail: format!(
                    "{}. {} {kind} · {} · {}/{}",
                    c.item_number,
                    c.evidence_kind.as_str(),
                    c.period,
                    c.counted,
                    c.required
                ),
                at: now,
                notify: true,
            },
        )
        .await?;
        out.raised.push((id, c.org_id));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip() {
        let p: PlanPeriod = "2026-11-H2".parse().unwrap();
        let s = subject(OrgId(7), ObligationId(12), &p);
        assert_eq!(s, "school:7:12:2026-11-H2");
        assert_eq!(parse_subject(&s), Some((OrgId(7), ObligationId(12), p)));
        let q: PlanPeriod = "2026-S1".parse().unwrap();
        assert_eq!(
            parse_subject("school:7:12:2026-S1"),
            Some((OrgId(7), ObligationId(12), q))
        );
        assert_eq!(parse_subject("school:7:2026-11"), None);
    }

    #[test]
    fn only_ended_periods_are_checked() {
        let cal = SchoolCalendar::default();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let last = |f, day| last_ended(f, d(day), &cal).unwrap().to_string();
        assert_eq!(last(Frequency::Month, "2026-11-30"), "2026-10");
        assert_eq!(last(Frequency::Month, "2026-12-01"), "2026-11");
        assert_eq!(last(Frequency::HalfMonth, "2026-12-16"), "2026-12-H1");
        assert_eq!(last(Frequency::Year, "2026-12-31"), "2025");
        assert_eq!(last(Frequency::Quarter, "2027-01-01"), "2026-Q4");
    }
}
