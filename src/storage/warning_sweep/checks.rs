//! Missed half-month self-inspections (半月自查): once a period's due day (its end plus the
//! inspection grace days) has passed, every school without a self-inspection of it gets a
//! warning (source `inspection`, level `[warnings] missed_check_level`, yellow by default, so
//! the district sees it too). A late submission clears it. One warning per school and period.

use super::super::entity::{inspection, org};
use super::super::inspections::Period;
use super::super::warnings::Raise;
use crate::domain::Code;
use crate::domain::ids::{OrgId, WarningId};
use crate::domain::org::OrgLevel;
use crate::domain::warning::{Level, Source};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{DatabaseConnection, QueryOrder, QuerySelect};
use std::collections::HashSet;

/// The rule code of a missed self-inspection's warning.
pub const MISSED_CHECK: &str = "missed_self_inspection";

/// The subject of a school's missed period: `school:<id>:<period>`.
pub fn subject(school: OrgId, period: Period) -> String {
    format!("school:{}:{period}", school.0)
}

/// The school and period of a subject written by [`subject`].
fn parse_subject(s: &str) -> Option<(OrgId, Period)> {
    let rest = s.strip_prefix("school:")?;
    let (id, period) = rest.split_once(':')?;
    Some((OrgId(id.parse().ok()?), Period::parse(period)?))
}

/// The newest half-month whose due day has passed by `today`.
pub fn last_due(today: NaiveDate, grace_days: u32) -> Period {
    let mut p = Period::of(today);
    while p.due_on(grace_days) >= today {
        p = p.prev();
    }
    p
}

/// What the check did: warnings raised and cleared, with the schools they are about.
#[derive(Debug, Default)]
pub struct Checked {
    pub raised: Vec<(WarningId, OrgId)>,
    pub cleared: Vec<WarningId>,
}

/// The (school, period) pairs with a self-inspection, of the given periods.
async fn submitted(
    conn: &DatabaseConnection,
    periods: &[String],
) -> Result<HashSet<(OrgId, String)>> {
    Ok(inspection::Entity::find()
        .select_only()
        .column(inspection::Column::SchoolId)
        .column(inspection::Column::Period)
        .filter(inspection::Column::Kind.eq("half_month"))
        .filter(inspection::Column::Period.is_in(periods.to_vec()))
        .distinct()
        .into_tuple::<(OrgId, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

pub(super) async fn check(
    conn: &DatabaseConnection,
    now: DateTime<Utc>,
    today: NaiveDate,
    grace_days: u32,
    level: Level,
) -> Result<Checked> {
    let mut out = Checked::default();
    let period = last_due(today, grace_days);

    // Open warnings of this rule whose condition still holds: those whose school has
    // submitted since are cleared.
    let open = super::waiting_subjects(conn, Source::Inspection, MISSED_CHECK).await?;
    let waiting: Vec<(String, OrgId, Period)> = open
        .into_iter()
        .filter_map(|s| {
            let (school, p) = parse_subject(&s)?;
            Some((s, school, p))
        })
        .collect();
    let mut periods: Vec<String> = waiting.iter().map(|(_, _, p)| p.to_string()).collect();
    periods.push(period.to_string());
    periods.sort();
    periods.dedup();
    let done = submitted(conn, &periods).await?;
    let already: HashSet<&str> = waiting.iter().map(|(s, _, _)| s.as_str()).collect();
    for (s, school, p) in &waiting {
        if !done.contains(&(*school, p.to_string())) {
            continue;
        }
        let cleared = super::clear_alone(
            conn,
            Source::Inspection,
            s,
            MISSED_CHECK,
            now,
            "submitted late",
        )
        .await?;
        out.cleared.extend(cleared);
    }

    // Schools without a self-inspection of the newest period due.
    let schools: Vec<(OrgId, String)> = org::Entity::find()
        .select_only()
        .column(org::Column::Id)
        .column(org::Column::Name)
        .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
        .order_by_asc(org::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    // A warning of this period that was closed (resolved or false alarm) is not raised again.
    let closed = super::closed_subjects(conn, Source::Inspection, MISSED_CHECK).await?;
    let key = period.to_string();
    for (school, _name) in schools {
        let s = subject(school, period);
        if done.contains(&(school, key.clone()))
            || already.contains(s.as_str())
            || closed.contains(&s)
        {
            continue;
        }
        let w = super::raise_alone(
            conn,
            Raise {
                school,
                source: Source::Inspection,
                rule: MISSED_CHECK.into(),
                subject: s,
                level,
                device: None,
                zone: None,
                point: None,
                value: None,
                detail: format!("{key} · due {}", period.due_on(grace_days)),
                at: now,
                notify: true,
            },
        )
        .await?;
        out.raised.push((w, school));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_last_period_due_is_the_one_whose_due_day_has_passed() {
        // 2026-11-H2 ends on the 30th; with no grace it is due that day, missed from Dec 1.
        assert_eq!(last_due(d("2026-11-30"), 0).to_string(), "2026-11-H1");
        assert_eq!(last_due(d("2026-12-01"), 0).to_string(), "2026-11-H2");
        // Three grace days: still on time on Dec 3, missed on Dec 4.
        assert_eq!(last_due(d("2026-12-03"), 3).to_string(), "2026-11-H1");
        assert_eq!(last_due(d("2026-12-04"), 3).to_string(), "2026-11-H2");
        // Across the year.
        assert_eq!(last_due(d("2027-01-01"), 0).to_string(), "2026-12-H2");
    }

    #[test]
    fn subjects_round_trip() {
        let p = Period::parse("2026-11-H2").unwrap();
        let s = subject(OrgId(42), p);
        assert_eq!(s, "school:42:2026-11-H2");
        assert_eq!(parse_subject(&s), Some((OrgId(42), p)));
        assert_eq!(parse_subject("device:3"), None);
        assert_eq!(parse_subject("school:x:2026-11-H2"), None);
    }
}
