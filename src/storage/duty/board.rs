//! The daily zero-report board of a duty period: for one date (today by default), every unit
//! the caller sees with its report's status — missing first, then not yet sent, late, on
//! time — and its counts over the period so far; the counts of each day, the latest first.

use super::super::entity::{duty_check_in, duty_report, duty_roster, duty_spot_check, org};
use super::super::views::OrgRef;
use super::{DutyPeriodView, rules};
use crate::domain::Code;
use crate::domain::duty::{DutyPeriod, ReportStatus, SpotCheckResult};
use crate::domain::ids::{DutyPeriodId, IncidentId, OrgId};
use crate::error::{Error, Result};
use crate::storage::Duty;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// Which board.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ZeroBoardQuery {
    pub period_id: i64,
    /// A date of the period (default: today, or the period's nearest day to today).
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub date: Option<NaiveDate>,
}

/// Reports per status.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct DayCounts {
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub open: u32,
    pub total: u32,
}

impl DayCounts {
    fn add(&mut self, s: ReportStatus) {
        match s {
            ReportStatus::OnTime => self.on_time += 1,
            ReportStatus::Late => self.late += 1,
            ReportStatus::Missing => self.missing += 1,
            ReportStatus::Open => self.open += 1,
        }
        self.total += 1;
    }
}

/// One unit on the board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZeroBoardRow {
    pub school: OrgRef,
    /// The status of the date's report.
    pub status: ReportStatus,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Nothing to report (`null` before a report).
    pub zero: Option<bool>,
    pub incidents: String,
    /// The incidents the date's report names.
    pub incident_ids: Vec<IncidentId>,
    pub roster_submitted: bool,
    /// Days of its roster without a leader on duty.
    pub days_without_leader: u32,
    /// Its reports from the first day of the period to the date (迟报 late, 漏报 missing).
    pub so_far: DayCounts,
    /// Check-ins on the date, and the first one's instant.
    pub check_ins: u32,
    pub first_check_in_at: Option<DateTime<Utc>>,
    /// The bureau's phone spot checks on the date, and how many failed (not answered nor
    /// called back in time).
    pub spot_checks: u32,
    pub spot_checks_failed: u32,
}

/// The counts of one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZeroBoardDay {
    pub date: NaiveDate,
    pub counts: DayCounts,
}

/// The board of one date of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZeroBoard {
    pub period: DutyPeriodView,
    pub date: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub counts: DayCounts,
    /// Every unit the caller sees: missing first, then not yet sent, late, on time.
    pub schools: Vec<ZeroBoardRow>,
    /// Each day of the period up to today, the latest first.
    pub days: Vec<ZeroBoardDay>,
}

fn rank(s: ReportStatus) -> u8 {
    match s {
        ReportStatus::Missing => 0,
        ReportStatus::Open => 1,
        ReportStatus::Late => 2,
        ReportStatus::OnTime => 3,
    }
}

/// The date the board shows: the one asked for (a day of the period, else 422), or today
/// moved into the period.
fn board_date(p: &DutyPeriod, asked: Option<NaiveDate>, today: NaiveDate) -> Result<NaiveDate> {
    match asked {
        Some(d) if p.contains(d) => Ok(d),
        Some(_) => Err(Error::field("date", "err.duty.outside_period")),
        None => Ok(today.clamp(p.first, p.last)),
    }
}

impl Duty<'_> {
    pub async fn board(&self, q: &ZeroBoardQuery) -> Result<ZeroBoard> {
        let id = DutyPeriodId(q.period_id);
        let m = self.period_row(id, &self.read).await?;
        self.permit()?;
        let p = rules(&m);
        let now = Utc::now();
        let today = crate::clock::china_date(now);
        let date = board_date(&p, q.date, today)?;
        let units: Vec<org::Model> = self.units(id).await?;
        let ids: Vec<OrgId> = units.iter().map(|s| s.id).collect();
        let reports = duty_report::Entity::find()
            .filter(duty_report::Column::PeriodId.eq(id))
            .filter(duty_report::Column::SchoolId.is_in(ids.clone()))
            .read_all(&self.read)
            .await?;
        let rosters: HashMap<OrgId, duty_roster::Model> = duty_roster::Entity::find()
            .filter(duty_roster::Column::PeriodId.eq(id))
            .filter(duty_roster::Column::SchoolId.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|r| (r.school_id, r))
            .collect();
        let (start, end) = super::checks::day_bounds(date);
        let check_ins = duty_check_in::Entity::find()
            .filter(duty_check_in::Column::PeriodId.eq(id))
            .filter(duty_check_in::Column::Date.eq(date))
            .read_all(&self.read)
            .await?;
        let spot_checks = duty_spot_check::Entity::find()
            .filter(duty_spot_check::Column::PeriodId.eq(id))
            .filter(duty_spot_check::Column::CalledAt.gte(start))
            .filter(duty_spot_check::Column::CalledAt.lt(end))
            .read_all(&self.read)
            .await?;
        let last_shown = today.clamp(p.first, p.last).max(date);
        let mut per_day: Vec<ZeroBoardDay> = p
            .range()
            .days()
            .filter(|d| *d <= last_shown)
            .map(|date| ZeroBoardDay {
                date,
                counts: DayCounts::default(),
            })
            .collect();
        let mut counts = DayCounts::default();
        let mut rows = Vec::new();
        for s in units {
            let mine: Vec<&duty_report::Model> =
                reports.iter().filter(|r| r.school_id == s.id).collect();
            let submitted: Vec<(NaiveDate, DateTime<Utc>)> =
                mine.iter().map(|r| (r.date, r.submitted_at)).collect();
            let summary = p.summary(&submitted, now);
            let mut so_far = DayCounts::default();
            for d in &summary.days {
                if d.date <= date {
                    so_far.add(d.status);
                }
                if let Some(day) = per_day.iter_mut().find(|x| x.date == d.date) {
                    day.counts.add(d.status);
                }
            }
            let today_row = summary.days.iter().find(|d| d.date == date);
            let status = today_row.map(|d| d.status).unwrap_or(ReportStatus::Open);
            counts.add(status);
            let report = mine.iter().find(|r| r.date == date);
            let roster = rosters.get(&s.id);
            let mine_in: Vec<&duty_check_in::Model> =
                check_ins.iter().filter(|c| c.school_id == s.id).collect();
            let mine_spot: Vec<&duty_spot_check::Model> =
                spot_checks.iter().filter(|c| c.school_id == s.id).collect();
            let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            rows.push(ZeroBoardRow {
                check_ins: count(mine_in.len()),
                first_check_in_at: mine_in.iter().map(|c| c.checked_in_at).min(),
                spot_checks: count(mine_spot.len()),
                spot_checks_failed: count(
                    mine_spot
                        .iter()
                        .filter(|c| {
                            !SpotCheckResult::parse(&c.result).is_some_and(SpotCheckResult::passed)
                        })
                        .count(),
                ),
                incident_ids: report
                    .map(|r| serde_json::from_str(&r.incident_ids).unwrap_or_default())
                    .unwrap_or_default(),
                status,
                submitted_at: report.map(|r| r.submitted_at),
                zero: report.map(|r| r.zero),
                incidents: report.map(|r| r.incidents.clone()).unwrap_or_default(),
                roster_submitted: roster.is_some(),
                days_without_leader: roster
                    .map(|r| u32::try_from(super::dates(&r.without_leader).len()).unwrap_or(0))
                    .unwrap_or(0),
                so_far,
                school: s.into(),
            });
        }
        rows.sort_by(|a, b| {
            (rank(a.status), &a.school.code).cmp(&(rank(b.status), &b.school.code))
        });
        per_day.reverse();
        Ok(ZeroBoard {
            period: self.view(m).await?,
            due_at: p.due_at(date),
            date,
            counts,
            schools: rows,
            days: per_day,
        })
    }
}
