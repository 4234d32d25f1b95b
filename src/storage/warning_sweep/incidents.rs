//! Incident reports past their deadline (迟报, domain brief §7.1: 迟报/漏报/瞒报 are
//! criticised): for every open incident the clocks are read now ([`clocks`], `[incidents]`);
//! when the next report — the first, a follow-up or the final — is past its deadline the
//! school gets a warning (source `incident`, rule [`LATE_REPORT`], yellow: the district sees
//! it too), one per incident and report number (subject `incident:<id>:<seq>`). Sending that
//! report clears it (its lateness stays in the report's record); a warning closed by a person
//! is not raised again for the same report.

use super::super::entity::{incident, incident_report};
use super::super::warnings::Raise;
use super::checks::Checked;
use crate::domain::Code;
use crate::domain::ids::IncidentId;
use crate::domain::incident::{
    IncidentLevel, IncidentType, ReportDeadlines, ReportKind, SentReport, clocks,
};
use crate::domain::warning::{Level, Source};
use crate::error::Result;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{DatabaseConnection, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};

/// The rule code of a late incident report's warning.
pub const LATE_REPORT: &str = "late_incident_report";

/// The subject of an incident's report number `seq` (1 for the first report).
pub fn subject(id: IncidentId, seq: usize) -> String {
    format!("incident:{}:{seq}", id.0)
}

/// The incident and report number of a subject written by [`subject`].
fn parse_subject(s: &str) -> Option<(IncidentId, usize)> {
    let (id, seq) = s.strip_prefix("incident:")?.split_once(':')?;
    Some((IncidentId(id.parse().ok()?), seq.parse().ok()?))
}

pub(super) async fn check(
    conn: &DatabaseConnection,
    now: DateTime<Utc>,
    cfg: &ReportDeadlines,
) -> Result<Checked> {
    let mut out = Checked::default();
    // The open incidents and their reports so far.
    let incidents = incident::Entity::find()
        .filter(incident::Column::Status.eq("open"))
        .order_by_asc(incident::Column::Id)
        .all(conn)
        .await?;
    let open_ids: Vec<IncidentId> = incidents.iter().map(|m| m.id).collect();
    let rows: Vec<(IncidentId, String, DateTime<Utc>)> = incident_report::Entity::find()
        .select_only()
        .column(incident_report::Column::IncidentId)
        .column(incident_report::Column::Kind)
        .column(incident_report::Column::SentAt)
        .filter(incident_report::Column::IncidentId.is_in(open_ids))
        .order_by_asc(incident_report::Column::IncidentId)
        .order_by_asc(incident_report::Column::Seq)
        .into_tuple()
        .all(conn)
        .await?;
    let mut sent: HashMap<IncidentId, Vec<SentReport>> =
        incidents.iter().map(|m| (m.id, Vec::new())).collect();
    for (id, kind, sent_at) in rows {
        if let (Some(kind), Some(v)) = (ReportKind::parse(&kind), sent.get_mut(&id)) {
            v.push(SentReport { kind, sent_at });
        }
    }

    // Open warnings whose report has been sent since, or whose incident is closed, are
    // cleared.
    let waiting = super::waiting_subjects(conn, Source::Incident, LATE_REPORT).await?;
    let mut already: HashSet<String> = HashSet::new();
    for s in waiting {
        let done =
            parse_subject(&s).is_none_or(|(id, seq)| sent.get(&id).is_none_or(|r| r.len() >= seq));
        if !done {
            already.insert(s);
            continue;
        }
        let cleared = super::clear_alone(
            conn,
            Source::Incident,
            &s,
            LATE_REPORT,
            now,
            "reported late",
        )
        .await?;
        out.cleared.extend(cleared);
    }
    let closed = super::closed_subjects(conn, Source::Incident, LATE_REPORT).await?;

    for m in incidents {
        let (Some(t), Some(level)) = (
            IncidentType::parse(&m.incident_type),
            IncidentLevel::parse(&m.level),
        ) else {
            continue;
        };
        let reports = sent.get(&m.id).map(Vec::as_slice).unwrap_or_default();
        let c = clocks(cfg, t, level, m.known_at, reports, now);
        let Some(next) = c.next.filter(|_| c.overdue) else {
            continue;
        };
        let s = subject(m.id, reports.len() + 1);
        if already.contains(&s) || closed.contains(&s) {
            continue;
        }
        let w = super::raise_alone(
            conn,
            Raise {
                school: m.school_id,
                source: Source::Incident,
                rule: LATE_REPORT.into(),
                subject: s.clone(),
                level: Level::Yellow,
                device: None,
                zone: None,
                point: None,
                value: None,
                // Codes and instants only: never a name.
                detail: format!(
                    "#{} {} · {} · due {}",
                    m.id,
                    t.as_str(),
                    next.kind.as_str(),
                    next.due_at.to_rfc3339()
                ),
                at: now,
                notify: true,
            },
        )
        .await?;
        already.insert(s);
        out.raised.push((w, m.school_id));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip() {
        let s = subject(IncidentId(12), 3);
        assert_eq!(s, "incident:12:3");
        assert_eq!(parse_subject(&s), Some((IncidentId(12), 3)));
        assert_eq!(parse_subject("incident:x:3"), None);
        assert_eq!(parse_subject("school:12:duty:3:2026-10-03"), None);
    }
}
