//! The report deadlines of an incident and its running clocks.

use super::{IncidentLevel, IncidentType, ReportKind, SentReport};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::num::NonZeroU32;

/// Hours between reports while an incident is open, per level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LevelHours {
    pub general: NonZeroU32,
    pub major: NonZeroU32,
    pub serious: NonZeroU32,
    pub especially_serious: NonZeroU32,
}

fn hours(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Default for LevelHours {
    /// At least one follow-up a day for general and major incidents, two a day for serious and
    /// especially serious ones (domain brief §7.1).
    fn default() -> Self {
        LevelHours {
            general: hours(24),
            major: hours(24),
            serious: hours(12),
            especially_serious: hours(12),
        }
    }
}

impl LevelHours {
    pub fn get(&self, level: IncidentLevel) -> NonZeroU32 {
        match level {
            IncidentLevel::General => self.general,
            IncidentLevel::Major => self.major,
            IncidentLevel::Serious => self.serious,
            IncidentLevel::EspeciallySerious => self.especially_serious,
        }
    }
}

/// The report deadlines (configuration), all counted from `known_at`. Defaults (domain brief
/// §7.1; the province's rule may be stricter, so every value is configurable):
///
/// - first report within 60 minutes; public-health events (food poisoning, infectious
///   disease) within 120 minutes;
/// - `first_minutes_by_type` / `first_minutes_by_level` (empty by default) set the first
///   report's minutes for a type or a level (e.g. a local "特别重大: 30 minutes"); when both a
///   type's and a level's value apply, **the shorter** one binds;
/// - a follow-up at least every `follow_up_hours` of the level after the previous report while
///   no final report has been sent (24 h for general and major, 12 h for serious and above);
/// - the final report within 30 days (the 30-day window for casualty changes), public-health
///   events within 7 days (the closing report "within about a week").
///
/// A first-report minutes value of 0 means "immediately" (due at `known_at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportDeadlines {
    pub first_minutes: u32,
    pub public_health_first_minutes: u32,
    pub first_minutes_by_type: BTreeMap<IncidentType, u32>,
    pub first_minutes_by_level: BTreeMap<IncidentLevel, u32>,
    pub follow_up_hours: LevelHours,
    pub final_days: NonZeroU32,
    pub public_health_final_days: NonZeroU32,
}

impl Default for ReportDeadlines {
    fn default() -> Self {
        ReportDeadlines {
            first_minutes: 60,
            public_health_first_minutes: 120,
            first_minutes_by_type: BTreeMap::new(),
            first_minutes_by_level: BTreeMap::new(),
            follow_up_hours: LevelHours::default(),
            final_days: hours(30),
            public_health_final_days: hours(7),
        }
    }
}

impl ReportDeadlines {
    /// The time allowed for the first report of an incident of this type and level.
    pub fn first_report(&self, t: IncidentType, level: IncidentLevel) -> TimeDelta {
        let by_type =
            self.first_minutes_by_type
                .get(&t)
                .copied()
                .unwrap_or(if t.is_public_health() {
                    self.public_health_first_minutes
                } else {
                    self.first_minutes
                });
        let minutes = match self.first_minutes_by_level.get(&level) {
            Some(m) => by_type.min(*m),
            None => by_type,
        };
        TimeDelta::minutes(i64::from(minutes))
    }

    /// The longest gap between two reports while the incident is open.
    pub fn follow_up_interval(&self, level: IncidentLevel) -> TimeDelta {
        TimeDelta::hours(i64::from(self.follow_up_hours.get(level).get()))
    }

    /// The time allowed for the final report.
    pub fn final_report(&self, t: IncidentType) -> TimeDelta {
        let days = if t.is_public_health() {
            self.public_health_final_days
        } else {
            self.final_days
        };
        TimeDelta::days(i64::from(days.get()))
    }
}

/// The next report due and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Due {
    pub kind: ReportKind,
    pub due_at: DateTime<Utc>,
}

/// A report sent after its deadline (迟报).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LateReport {
    /// Its place among the reports (0 for the first report).
    pub index: usize,
    pub kind: ReportKind,
    pub due_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
    /// Minutes after the deadline, rounded up (1 for any lateness under a minute).
    pub late_minutes: i64,
}

/// The running clocks of an incident at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Clocks {
    /// When the first report is (or was) due.
    pub first_due_at: DateTime<Utc>,
    /// When the final report is (or was) due.
    pub final_due_at: DateTime<Utc>,
    /// The next report due; `None` once the final report has been sent.
    pub next: Option<Due>,
    /// The next report is past its deadline.
    pub overdue: bool,
    /// Minutes past that deadline, rounded up (0 when not overdue).
    pub overdue_minutes: i64,
    /// The reports that were sent late, in order.
    pub late: Vec<LateReport>,
    /// A final report has been sent.
    pub closed: bool,
}

fn minutes_after(later: DateTime<Utc>, earlier: DateTime<Utc>) -> i64 {
    let secs = (later - earlier).num_seconds();
    if secs <= 0 { 0 } else { (secs + 59) / 60 }
}

/// Minutes a report sent at `sent_at` was late for its deadline `due_at`, rounded up (0 when
/// in time; at the deadline itself it is in time).
pub fn minutes_late(sent_at: DateTime<Utc>, due_at: DateTime<Utc>) -> i64 {
    minutes_after(sent_at, due_at)
}

/// When a report of `kind` is due, the report before it (if any) sent at `prev`: the first
/// report `first_report` after `known_at`; a later one one `follow_up_interval` after the
/// report before it — the final report at the latest `final_report` after `known_at`.
pub fn due_at(
    cfg: &super::ReportDeadlines,
    t: IncidentType,
    level: IncidentLevel,
    known_at: DateTime<Utc>,
    prev: Option<DateTime<Utc>>,
    kind: ReportKind,
) -> DateTime<Utc> {
    let interval = cfg.follow_up_interval(level);
    match prev {
        None => known_at + cfg.first_report(t, level),
        Some(p) if kind == ReportKind::Final => (p + interval).min(known_at + cfg.final_report(t)),
        Some(p) => p + interval,
    }
}

/// The clocks of an incident of type `t` and (current) level `level`, known at `known_at`,
/// given the reports sent so far (as [`check_reports`](super::check_reports) accepts them,
/// sorted here by their instants) at the instant `now`.
///
/// - The first report is due `first_report` after `known_at`.
/// - Every later report is due one `follow_up_interval` after the report before it, and the
///   final report in any case `final_report` after `known_at`; a report sent after its due
///   instant is late (a gap in the follow-ups makes the report that ends it late).
/// - While no final report has been sent, the next one due is the first report if none has
///   been sent, else a follow-up one interval after the last report — or the final report, when
///   its deadline comes first. It is overdue once `now` is past its instant (at the instant
///   itself it is not).
pub fn clocks(
    cfg: &super::ReportDeadlines,
    t: IncidentType,
    level: IncidentLevel,
    known_at: DateTime<Utc>,
    reports: &[SentReport],
    now: DateTime<Utc>,
) -> Clocks {
    let first_due_at = known_at + cfg.first_report(t, level);
    let final_due_at = known_at + cfg.final_report(t);
    let interval = cfg.follow_up_interval(level);
    let mut sorted = reports.to_vec();
    sorted.sort_by_key(|r| r.sent_at);

    let mut late = Vec::new();
    let mut prev: Option<DateTime<Utc>> = None;
    for (index, r) in sorted.iter().enumerate() {
        let due_at = due_at(cfg, t, level, known_at, prev, r.kind);
        if r.sent_at > due_at {
            late.push(LateReport {
                index,
                kind: r.kind,
                due_at,
                sent_at: r.sent_at,
                late_minutes: minutes_after(r.sent_at, due_at),
            });
        }
        prev = Some(r.sent_at);
    }

    let closed = sorted.iter().any(|r| r.kind == ReportKind::Final);
    let next = if closed {
        None
    } else {
        Some(match prev {
            None => Due {
                kind: ReportKind::First,
                due_at: first_due_at,
            },
            Some(p) if final_due_at <= p + interval => Due {
                kind: ReportKind::Final,
                due_at: final_due_at,
            },
            Some(p) => Due {
                kind: ReportKind::FollowUp,
                due_at: p + interval,
            },
        })
    };
    let overdue = next.is_some_and(|n| now > n.due_at);
    Clocks {
        first_due_at,
        final_due_at,
        next,
        overdue,
        overdue_minutes: match next {
            Some(n) if overdue => minutes_after(now, n.due_at),
            _ => 0,
        },
        late,
        closed,
    }
}
