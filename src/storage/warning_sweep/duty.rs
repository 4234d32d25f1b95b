//! Missed daily reports of holiday duty (漏报, domain brief §7.2: "a missing daily report at
//! cutoff ⇒ alert to the unit + counted as 漏报"): once a date's cutoff (China time) has passed,
//! every unit of the period without a report of that date gets a warning (source
//! `zero_report`, rule [`MISSED_REPORT`], yellow: the unit's managers and the district), one per
//! unit, period and date (subject `school:<id>:duty:<period>:<date>`). A late report clears it;
//! a warning closed by a person is not raised again. Dates more than [`LOOKBACK_DAYS`] days
//! back are left to the board's 漏报 counts.

use super::super::duty::rules;
use super::super::entity::{duty_period, duty_report, duty_unit};
use super::super::warnings::Raise;
use super::checks::Checked;
use crate::domain::ids::{DutyPeriodId, OrgId};
use crate::domain::warning::{Level, Source};
use crate::error::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{DatabaseConnection, QueryOrder, QuerySelect};
use std::collections::HashSet;

/// The rule code of a missed daily report's warning.
pub const MISSED_REPORT: &str = "missed_zero_report";

/// How many days back a missed report still raises a warning.
pub const LOOKBACK_DAYS: i64 = 7;

/// The subject of a unit's missed date.
pub fn subject(school: OrgId, period: DutyPeriodId, date: NaiveDate) -> String {
    format!("school:{}:duty:{}:{date}", school.0, period.0)
}

/// The unit, period and date of a subject written by [`subject`].
fn parse_subject(s: &str) -> Option<(OrgId, DutyPeriodId, NaiveDate)> {
    let mut parts = s.strip_prefix("school:")?.splitn(4, ':');
    let school = OrgId(parts.next()?.parse().ok()?);
    (parts.next()? == "duty").then_some(())?;
    let period = DutyPeriodId(parts.next()?.parse().ok()?);
    let date = parts.next()?.parse().ok()?;
    Some((school, period, date))
}

pub(super) async fn check(
    conn: &DatabaseConnection,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Checked> {
    let mut out = Checked::default();
    let from = today - Duration::days(LOOKBACK_DAYS);
    let reported: HashSet<(DutyPeriodId, OrgId, NaiveDate)> = duty_report::Entity::find()
        .select_only()
        .column(duty_report::Column::PeriodId)
        .column(duty_report::Column::SchoolId)
        .column(duty_report::Column::Date)
        .filter(duty_report::Column::Date.gte(from - Duration::days(LOOKBACK_DAYS)))
        .into_tuple()
        .all(conn)
        .await?
        .into_iter()
        .collect();

    // Open warnings whose report has arrived since are cleared.
    let open = super::waiting_subjects(conn, Source::ZeroReport, MISSED_REPORT).await?;
    let mut already: HashSet<String> = HashSet::new();
    for s in open {
        let late = parse_subject(&s)
            .is_some_and(|(school, period, date)| reported.contains(&(period, school, date)));
        if !late {
            already.insert(s);
            continue;
        }
        let cleared = super::clear_alone(
            conn,
            Source::ZeroReport,
            &s,
            MISSED_REPORT,
            now,
            "reported late",
        )
        .await?;
        out.cleared.extend(cleared);
    }
    let closed = super::closed_subjects(conn, Source::ZeroReport, MISSED_REPORT).await?;

    // The periods running in the last days, their units and the dates whose cutoff passed.
    let periods = duty_period::Entity::find()
        .filter(duty_period::Column::LastDay.gte(from))
        .filter(duty_period::Column::FirstDay.lte(today))
        .order_by_asc(duty_period::Column::Id)
        .all(conn)
        .await?;
    for m in periods {
        let p = rules(&m);
        let units: Vec<OrgId> = duty_unit::Entity::find()
            .select_only()
            .column(duty_unit::Column::SchoolId)
            .filter(duty_unit::Column::PeriodId.eq(m.id))
            .order_by_asc(duty_unit::Column::SchoolId)
            .into_tuple()
            .all(conn)
            .await?;
        let dates: Vec<NaiveDate> = p
            .range()
            .days()
            .filter(|d| *d >= from && p.due_at(*d) < now)
            .collect();
        for date in dates {
            for school in &units {
                let s = subject(*school, m.id, date);
                if reported.contains(&(m.id, *school, date))
                    || already.contains(&s)
                    || closed.contains(&s)
                {
                    continue;
                }
                let w = super::raise_alone(
                    conn,
                    Raise {
                        school: *school,
                        source: Source::ZeroReport,
                        rule: MISSED_REPORT.into(),
                        subject: s.clone(),
                        level: Level::Yellow,
                        device: None,
                        zone: None,
                        point: None,
                        value: None,
                        detail: format!("{} · {date} · due {}", m.name, m.cutoff),
                        at: now,
                        notify: true,
                    },
                )
                .await?;
                already.insert(s);
                out.raised.push((w, *school));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip() {
        let d: NaiveDate = "2026-10-03".parse().unwrap();
        let s = subject(OrgId(9), DutyPeriodId(4), d);
        assert_eq!(s, "school:9:duty:4:2026-10-03");
        assert_eq!(parse_subject(&s), Some((OrgId(9), DutyPeriodId(4), d)));
        assert_eq!(parse_subject("school:9:evacuation:2026-11"), None);
        assert_eq!(parse_subject("school:9:duty:x:2026-10-03"), None);
    }
}
