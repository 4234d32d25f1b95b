//! The home pages' figures (the day's picture of a bureau, a school's to-do, the charts) and
//! the key figures of a school's hub page, for one org node in scope: the caller's own, or a
//! school or district below it.
//!
//! Fast by construction: hazard counts come from the roll-up `hazard_counts` (one grouped
//! statement), risk grades from the covering index of `risk_points` (school, status, grade,
//! review day), warnings from the open ones (`open_key` set), the boards of self-inspection
//! and drills over the node's schools, the weekly chart from the hazards reported or closed
//! within its weeks (indexes of migration m0021), and the lists from at most [`LIST_LIMIT`]
//! rows each. Nothing reads every row of a table.
//!
//! Every count equals the total of the list a page links it to: hazards by status
//! (`/hazards?status=…`), under supervision (`supervised=true`: supervised or major, as the
//! list filters), overdue (`overdue=true`); the boards' counts; the register's grades.

use super::entity::{hazard, hazard_count, inspection, org, warning};
use super::views::OrgRef;
use crate::domain::Code;
use crate::domain::calendar::SchoolCalendar;
use crate::domain::drill::{ComplianceStatus, DrillConfig, DrillKind, DrillStatus};
use crate::domain::hazard::Status as HazardStatus;
use crate::domain::ids::{HazardId, InspectionId, OrgId};
use crate::domain::org::{OrgLevel, OrgPath, SchoolKind};
use crate::domain::risk::Grade;
use crate::domain::warning::Level as WarningLevel;
use crate::error::{Error, Result};
use crate::storage::Home;
use crate::storage::drills::{DrillBoardQuery, DrillCounts};
use crate::storage::duty::{DayCounts, ZeroBoardQuery};
use crate::storage::inspections::{BoardQuery, Period, Status as InspectionStatus, StatusCounts};
use crate::storage::risk_points::GradeCounts;
use crate::storage::views::sum_where;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{Condition, Order};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

/// The most rows a list of the home page shows (the counts are exact).
pub const LIST_LIMIT: u64 = 10;
/// Weeks of the opened / closed chart, this week included.
pub const WEEKS: usize = 8;
/// Half-months of the self-inspection chart, this one included.
pub const HALF_MONTHS: usize = 6;
/// Schools of the overdue chart.
pub const TOP_SCHOOLS: u64 = 10;

/// Whose figures.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HomeQuery {
    /// A district or school in scope (defaults to the caller's own node).
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub org_id: Option<i64>,
}

/// The board rules a home page applies (from the configuration).
pub struct HomeRules<'a> {
    /// `[inspection] grace_days`.
    pub grace: u32,
    pub drills: &'a DrillConfig,
    pub calendar: &'a SchoolCalendar,
}

/// Hazards in one status (not closed or cancelled).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct HazardStatusCount {
    pub status: HazardStatus,
    /// `/hazards?status=<status>`.
    pub count: u64,
    /// Of them under bureau supervision (挂牌督办) or major: `&supervised=true`.
    pub supervised: u64,
}

/// The node's hazards, from the roll-up.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct HazardFigures {
    /// Not closed or cancelled (`status=open`).
    pub open: u64,
    /// Past their deadline with the clock running (`overdue=true`).
    pub overdue: u64,
    /// Open and under bureau supervision or major (`supervised=true&status=open`).
    pub supervised: u64,
    /// Overdue and under supervision (`supervised=true&overdue=true`).
    pub supervised_overdue: u64,
    /// The clock runs and the deadline is within the next seven days, today included.
    pub due_this_week: u64,
    /// Every open status, in the loop's order.
    pub by_status: Vec<HazardStatusCount>,
}

impl HazardFigures {
    /// Hazards in `status`, and of them supervised.
    pub fn status(&self, status: HazardStatus) -> (u64, u64) {
        self.by_status
            .iter()
            .find(|s| s.status == status)
            .map(|s| (s.count, s.supervised))
            .unwrap_or((0, 0))
    }
}

/// One hazard in a short list.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct HazardBrief {
    pub id: HazardId,
    pub title: String,
    pub school_name: String,
    pub status: HazardStatus,
    pub deadline: Option<NaiveDate>,
}

/// This half-month's self-inspection of the node's schools.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionFigures {
    /// `YYYY-MM-H1` or `YYYY-MM-H2`.
    pub period: String,
    pub due_on: NaiveDate,
    /// The self-inspection board's counts (`/inspections/board`).
    pub counts: StatusCounts,
    /// For a school: its own status and submission.
    pub school_status: Option<InspectionStatus>,
    pub inspection_id: Option<InspectionId>,
}

/// Current risk grades of the node's active points.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct RiskFigures {
    pub counts: GradeCounts,
    pub total: u64,
    /// Points whose re-assessment is due (today or earlier).
    pub review_due: u64,
}

/// Open warnings of one level.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct WarningCount {
    pub level: WarningLevel,
    /// `/warnings?open=true&level=<level>`.
    pub open: u64,
}

/// A drill held.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct HeldDrill {
    pub id: crate::domain::ids::DrillId,
    pub kind: DrillKind,
    pub held_on: NaiveDate,
}

/// This month's drill compliance of the node's schools.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrillFigures {
    /// The drill board's period (`2026-11`).
    pub period: String,
    /// The drill board's counts (`/drills/board`).
    pub counts: DrillCounts,
    /// For a school: its own status and the last drills it held (newest first, at most 3).
    pub school_status: Option<ComplianceStatus>,
    pub last_held: Vec<HeldDrill>,
}

/// Today's zero reports of one holiday-duty period that covers today: the counts of its
/// daily board for today (`/duty/{period_id}?date=<today>`) over the node's units.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ZeroReportsToday {
    pub period_id: crate::domain::ids::DutyPeriodId,
    pub name: String,
    pub date: NaiveDate,
    /// Units whose report for today is in (on time or late).
    pub submitted: u32,
    /// The board's counts for today: `missing` past the cutoff, `open` not yet due.
    pub counts: DayCounts,
}

/// What waits for the signed-in person at their own school.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct MyWork {
    /// Open hazards the person is responsible for (named on the rectification notice).
    pub assigned: u64,
    /// The first of them, nearest deadline first.
    pub assigned_items: Vec<HazardBrief>,
    /// Unread notifications.
    pub unread: u64,
}

/// Hazards reported and closed in one week (Monday to Sunday, China dates).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct WeekCount {
    pub week_of: NaiveDate,
    pub opened: u64,
    pub closed: u64,
}

/// Overdue hazards of one school.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SchoolCount {
    pub school: OrgRef,
    pub count: u64,
}

/// One half-month of the self-inspection chart.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct HalfMonthCount {
    pub period: String,
    pub counts: StatusCounts,
    /// On-time submissions in percent of the schools whose period is settled (not `open`);
    /// `null` while none is.
    pub on_time_rate: Option<f64>,
}

/// Risk grades of the schools of one kind.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct KindGrades {
    pub kind: SchoolKind,
    pub schools: u64,
    pub counts: GradeCounts,
}

/// The charts of a home page.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Charts {
    /// Oldest week first.
    pub weeks: Vec<WeekCount>,
    /// The schools with the most overdue hazards, most first (a bureau's node only).
    pub overdue_by_school: Vec<SchoolCount>,
    /// Oldest half-month first.
    pub half_months: Vec<HalfMonthCount>,
    /// By school kind (a bureau's node only).
    pub grades_by_kind: Vec<KindGrades>,
}

/// Everything a home page or a school's hub shows, in one answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HomeData {
    pub org: OrgRef,
    /// Today (China date).
    pub today: NaiveDate,
    /// Schools below the node (1 for a school).
    pub schools: u64,
    pub hazards: HazardFigures,
    /// Hazards due within the week, nearest deadline first (at most [`LIST_LIMIT`]).
    pub due_soon: Vec<HazardBrief>,
    pub inspections: InspectionFigures,
    pub risk: RiskFigures,
    /// Open warnings by level, red first.
    pub warnings: Vec<WarningCount>,
    pub drills: DrillFigures,
    /// Today's holiday-duty zero reports, one entry per duty period covering today (a
    /// bureau's node only; empty when no period covers today).
    pub zero_reports: Vec<ZeroReportsToday>,
    /// The caller's own work, when the node is the caller's own school.
    pub mine: Option<MyWork>,
    pub charts: Charts,
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The UTC instant a China day begins.
fn china_midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::hours(8)
}

/// The Monday of `d`'s week.
pub fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Counts instants per week (`weeks`: Mondays, oldest first; instants outside are ignored).
fn per_week(weeks: &[NaiveDate], instants: &[DateTime<Utc>]) -> Vec<u64> {
    let mut by: BTreeMap<NaiveDate, u64> = weeks.iter().map(|w| (*w, 0)).collect();
    for t in instants {
        if let Some(n) = by.get_mut(&week_of(crate::clock::china_date(*t))) {
            *n += 1;
        }
    }
    weeks.iter().map(|w| by[w]).collect()
}

/// The last `n` half-months, oldest first, ending with `p`.
fn half_months(p: Period, n: usize) -> Vec<Period> {
    let mut v = vec![p];
    while v.len() < n {
        let first = v[0].prev();
        v.insert(0, first);
    }
    v
}

/// Percent of settled schools on time, one decimal.
fn on_time_rate(c: &StatusCounts) -> Option<f64> {
    let settled = c.on_time + c.late + c.missing;
    (settled > 0).then(|| (c.on_time as f64 * 1000.0 / settled as f64).round() / 10.0)
}

/// Statuses whose deadline clock is stopped.
fn clock_stopped() -> Vec<&'static str> {
    HazardStatus::ALL
        .iter()
        .filter(|s| s.stops_clock())
        .map(|s| s.as_str())
        .collect()
}

impl Home<'_> {
    /// The figures of `q.org_id` (a node in scope) or of the caller's own node.
    pub async fn data(&self, q: &HomeQuery, rules: &HomeRules<'_>) -> Result<HomeData> {
        let id = match q.org_id {
            Some(id) => OrgId(id),
            None => self.actor().org_id().ok_or(Error::NotFound)?,
        };
        let node = self.org_row(id, &self.read).await?;
        self.permit()?;
        let level = OrgLevel::parse(&node.level).ok_or(Error::NotFound)?;
        let path = OrgPath::parse(&node.path).ok_or(Error::NotFound)?;
        let today = crate::storage::risk_points::today();
        let school = (level == OrgLevel::School).then_some(node.id);

        let schools = self.schools_below(&path).await?;
        let below = Self::below(&path);
        let hazards = self.hazards_figures(&below, today).await?;
        let due_soon = self.due_soon(&below, today).await?;
        let inspections = self
            .inspection_figures(node.id, school, rules.grace)
            .await?;
        let risk = self.risk_figures(&below, &schools, today).await?;
        let warnings = self.warning_figures(&below).await?;
        let drills = self.drill_figures(node.id, school, rules).await?;
        let mine = match school {
            Some(s) if self.actor().org_id() == Some(s) => Some(self.my_work(s).await?),
            _ => None,
        };
        let bureau = school.is_none();
        let zero_reports = if bureau {
            self.zero_reports(&schools, today).await?
        } else {
            Vec::new()
        };
        let charts = Charts {
            weeks: self.weeks(&below, today).await?,
            overdue_by_school: if bureau {
                self.overdue_by_school(&below, today).await?
            } else {
                Vec::new()
            },
            half_months: self.half_month_chart(&schools, today, rules.grace).await?,
            grades_by_kind: if bureau { risk.1 } else { Vec::new() },
        };
        Ok(HomeData {
            org: OrgRef::from(node),
            today,
            schools: schools.len() as u64,
            hazards,
            due_soon,
            inspections,
            risk: risk.0,
            warnings,
            drills,
            zero_reports,
            mine,
            charts,
        })
    }

    /// `SELECT id FROM orgs WHERE path LIKE '<node>%' AND level = 'school'`.
    fn below(path: &OrgPath) -> SelectStatement {
        let mut q = Query::select();
        q.column(org::Column::Id)
            .from(org::Entity)
            .and_where(Expr::col(org::Column::Path).like(path.like_pattern()))
            .and_where(org::Column::Level.eq(OrgLevel::School.as_str()));
        q
    }

    /// The schools below the node: id, kind.
    async fn schools_below(&self, path: &OrgPath) -> Result<Vec<(OrgId, Option<String>)>> {
        let mut q = Query::select();
        q.column(org::Column::Id)
            .column(org::Column::SchoolKind)
            .from(org::Entity)
            .and_where(Expr::col(org::Column::Path).like(path.like_pattern()))
            .and_where(org::Column::Level.eq(OrgLevel::School.as_str()));
        self.read.all(&q).await
    }

    /// Hazards by status with the supervised, overdue and due-this-week ones: one grouped
    /// statement over the roll-up.
    async fn hazards_figures(
        &self,
        below: &SelectStatement,
        today: NaiveDate,
    ) -> Result<HazardFigures> {
        use hazard_count as hc;
        let stopped = clock_stopped();
        let n = || Expr::col(hc::Column::N);
        let supervised = || {
            Condition::any()
                .add(hc::Column::Supervised.eq(true))
                .add(hc::Column::Major.eq(true))
        };
        let overdue = || {
            Condition::all()
                .add(hc::Column::Deadline.lt(today))
                .add(hc::Column::Status.is_not_in(stopped.clone()))
        };
        let week = Condition::all()
            .add(hc::Column::Deadline.gte(today))
            .add(hc::Column::Deadline.lte(today + Duration::days(6)))
            .add(hc::Column::Status.is_not_in(stopped.clone()));
        let mut q = Query::select();
        q.column(hc::Column::Status)
            .expr(sum_where(Condition::all(), n()))
            .expr(sum_where(supervised(), n()))
            .expr(sum_where(overdue(), n()))
            .expr(sum_where(overdue().add(supervised()), n()))
            .expr(sum_where(week, n()))
            .from(hc::Entity)
            .and_where(hc::Column::SchoolId.in_subquery(below.clone()))
            .and_where(hc::Column::Status.is_not_in(["closed", "cancelled"]))
            .group_by_col(hc::Column::Status);
        let rows: Vec<(String, i64, i64, i64, i64, i64)> = self.read.all(&q).await?;
        let mut f = HazardFigures::default();
        for (_, all, sup, od, sup_od, wk) in &rows {
            f.open += count(*all);
            f.supervised += count(*sup);
            f.overdue += count(*od);
            f.supervised_overdue += count(*sup_od);
            f.due_this_week += count(*wk);
        }
        f.by_status = HazardStatus::ALL
            .iter()
            .filter(|s| !s.is_final())
            .map(|s| {
                let row = rows.iter().find(|r| r.0 == s.as_str());
                HazardStatusCount {
                    status: *s,
                    count: row.map(|r| count(r.1)).unwrap_or(0),
                    supervised: row.map(|r| count(r.2)).unwrap_or(0),
                }
            })
            .collect();
        Ok(f)
    }

    /// Hazards whose deadline falls within the week (clock running), nearest first.
    async fn due_soon(
        &self,
        below: &SelectStatement,
        today: NaiveDate,
    ) -> Result<Vec<HazardBrief>> {
        let cond = Condition::all()
            .add(Expr::col((hazard::Entity, hazard::Column::Deadline)).gte(today))
            .add(
                Expr::col((hazard::Entity, hazard::Column::Deadline))
                    .lte(today + Duration::days(6)),
            )
            .add(Expr::col((hazard::Entity, hazard::Column::Status)).is_not_in(clock_stopped()))
            .add(Expr::col((hazard::Entity, hazard::Column::SchoolId)).in_subquery(below.clone()));
        self.briefs(cond).await
    }

    /// At most [`LIST_LIMIT`] hazards of `cond`, nearest deadline first, with their school.
    async fn briefs(&self, cond: Condition) -> Result<Vec<HazardBrief>> {
        let h = |c: hazard::Column| Expr::col((hazard::Entity, c));
        let mut q = Query::select();
        q.expr(h(hazard::Column::Id))
            .expr(h(hazard::Column::Title))
            .expr(Expr::col((org::Entity, org::Column::Name)))
            .expr(h(hazard::Column::Status))
            .expr(h(hazard::Column::Deadline))
            .from(hazard::Entity)
            .inner_join(
                org::Entity,
                Expr::col((org::Entity, org::Column::Id))
                    .equals((hazard::Entity, hazard::Column::SchoolId)),
            )
            .cond_where(cond)
            .order_by((hazard::Entity, hazard::Column::Deadline), Order::Asc)
            .order_by((hazard::Entity, hazard::Column::Id), Order::Asc)
            .limit(LIST_LIMIT);
        let rows: Vec<(HazardId, String, String, String, Option<NaiveDate>)> =
            self.read.all(&q).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, title, school_name, status, deadline)| {
                Some(HazardBrief {
                    id,
                    title,
                    school_name,
                    status: HazardStatus::parse(&status)?,
                    deadline,
                })
            })
            .collect())
    }

    /// The self-inspection board's counts of this half-month (and the school's own row).
    async fn inspection_figures(
        &self,
        node: OrgId,
        school: Option<OrgId>,
        grace: u32,
    ) -> Result<InspectionFigures> {
        let board = self
            .inspections()
            .board(
                &BoardQuery {
                    org_id: Some(node.0),
                    period: None,
                },
                grace,
            )
            .await?;
        let own = school.and_then(|s| board.schools.iter().find(|r| r.school.id == s));
        Ok(InspectionFigures {
            school_status: own.map(|r| r.status),
            inspection_id: own.and_then(|r| r.inspection_id),
            period: board.period,
            due_on: board.due_on,
            counts: board.counts,
        })
    }

    /// Grades and reviews due over the covering index, per school and grade; with the
    /// grades per school kind.
    async fn risk_figures(
        &self,
        below: &SelectStatement,
        schools: &[(OrgId, Option<String>)],
        today: NaiveDate,
    ) -> Result<(RiskFigures, Vec<KindGrades>)> {
        // Grades from the roll-up, reviews due through their own index.
        let mut rows: Vec<(OrgId, Option<String>, i64, i64)> =
            super::risk_counts::grades(&self.read, below)
                .await?
                .into_iter()
                .map(|(school, grade, n)| (school, grade, n, 0))
                .collect();
        rows.extend(
            super::risk_counts::due(&self.read, below, today)
                .await?
                .into_iter()
                .map(|(school, n)| (school, None, 0, n)),
        );
        let kind_of: HashMap<OrgId, SchoolKind> = schools
            .iter()
            .filter_map(|(id, k)| Some((*id, SchoolKind::parse(k.as_deref()?)?)))
            .collect();
        let mut f = RiskFigures::default();
        let mut by_kind: BTreeMap<&'static str, (SchoolKind, GradeCounts)> = BTreeMap::new();
        for (school, grade, n, due) in rows {
            let g = grade.as_deref().and_then(Grade::parse);
            f.counts.add_n(g, count(n));
            f.review_due += count(due);
            if let Some(k) = kind_of.get(&school) {
                by_kind
                    .entry(k.as_str())
                    .or_insert_with(|| (*k, GradeCounts::default()))
                    .1
                    .add_n(g, count(n));
            }
        }
        f.total = f.counts.total();
        let kinds = SchoolKind::ALL
            .iter()
            .filter_map(|k| {
                let (_, counts) = by_kind.remove(k.as_str())?;
                Some(KindGrades {
                    kind: *k,
                    schools: kind_of.values().filter(|v| *v == k).count() as u64,
                    counts,
                })
            })
            .collect();
        Ok((f, kinds))
    }

    /// Open warnings per level.
    async fn warning_figures(&self, below: &SelectStatement) -> Result<Vec<WarningCount>> {
        let mut q = Query::select();
        q.column(warning::Column::Level)
            .expr(Expr::col(warning::Column::Id).count())
            .from(warning::Entity)
            .and_where(warning::Column::OpenKey.is_not_null())
            .and_where(warning::Column::SchoolId.in_subquery(below.clone()))
            .group_by_col(warning::Column::Level);
        let rows: Vec<(String, i64)> = self.read.all(&q).await?;
        Ok(WarningLevel::ALL
            .iter()
            .map(|l| WarningCount {
                level: *l,
                open: rows
                    .iter()
                    .filter(|(c, _)| c == l.as_str())
                    .map(|(_, n)| count(*n))
                    .sum(),
            })
            .collect())
    }

    /// The drill board's counts of this month (and the school's own row and last drills).
    async fn drill_figures(
        &self,
        node: OrgId,
        school: Option<OrgId>,
        rules: &HomeRules<'_>,
    ) -> Result<DrillFigures> {
        let q = DrillBoardQuery {
            org_id: Some(node.0),
            period: None,
        };
        let board = self
            .drills()
            .board(&q, rules.drills, rules.calendar, false)
            .await?;
        let own = school.and_then(|s| board.schools.iter().find(|r| r.school.id == s));
        let last_held = match school {
            Some(s) => {
                let mut held: Vec<HeldDrill> = self
                    .drills()
                    .list(s)
                    .await?
                    .into_iter()
                    .filter(|d| d.status == DrillStatus::Held)
                    .filter_map(|d| {
                        Some(HeldDrill {
                            id: d.id,
                            kind: d.kind,
                            held_on: d.held_on?,
                        })
                    })
                    .collect();
                held.sort_by_key(|d| std::cmp::Reverse((d.held_on, d.id)));
                held.truncate(3);
                held
            }
            None => Vec::new(),
        };
        Ok(DrillFigures {
            period: board.period.to_string(),
            school_status: own.map(|r| r.status),
            counts: board.counts,
            last_held,
        })
    }

    /// Today's zero reports of each duty period the caller sees that covers today: its daily
    /// board for today, counted over the units below the node.
    async fn zero_reports(
        &self,
        schools: &[(OrgId, Option<String>)],
        today: NaiveDate,
    ) -> Result<Vec<ZeroReportsToday>> {
        let below: std::collections::HashSet<OrgId> = schools.iter().map(|s| s.0).collect();
        let mut out = Vec::new();
        for p in self.duty().list().await? {
            if !(p.first <= today && today <= p.last) {
                continue;
            }
            let board = self
                .duty()
                .board(&ZeroBoardQuery {
                    period_id: p.id.0,
                    date: Some(today),
                })
                .await?;
            let mut counts = DayCounts::default();
            for r in board
                .schools
                .iter()
                .filter(|r| below.contains(&r.school.id))
            {
                use crate::domain::duty::ReportStatus as S;
                match r.status {
                    S::OnTime => counts.on_time += 1,
                    S::Late => counts.late += 1,
                    S::Missing => counts.missing += 1,
                    S::Open => counts.open += 1,
                }
                counts.total += 1;
            }
            if counts.total == 0 {
                continue;
            }
            out.push(ZeroReportsToday {
                period_id: p.id,
                name: p.name,
                date: board.date,
                submitted: counts.on_time + counts.late,
                counts,
            });
        }
        out.sort_by_key(|z| (z.date, z.period_id));
        Ok(out)
    }

    /// The open hazards the caller is responsible for at their school, and their unread
    /// notifications.
    async fn my_work(&self, school: OrgId) -> Result<MyWork> {
        let me = self.actor().user_id();
        let h = |c: hazard::Column| Expr::col((hazard::Entity, c));
        let cond = Condition::all()
            .add(h(hazard::Column::SchoolId).eq(school))
            .add(h(hazard::Column::Status).is_not_in(clock_stopped()))
            .add(h(hazard::Column::ResponsibleUserId).eq(me));
        let mut q = Query::select();
        q.expr(h(hazard::Column::Id).count())
            .from(hazard::Entity)
            .cond_where(cond.clone());
        let (n,): (i64,) = self.read.one(&q).await?.unwrap_or((0,));
        Ok(MyWork {
            assigned: count(n),
            assigned_items: self.briefs(cond).await?,
            unread: self.actor().unread(),
        })
    }

    /// Hazards reported and closed per week over the last [`WEEKS`] weeks.
    async fn weeks(&self, below: &SelectStatement, today: NaiveDate) -> Result<Vec<WeekCount>> {
        let this = week_of(today);
        let weeks: Vec<NaiveDate> = (0..WEEKS)
            .rev()
            .map(|i| this - Duration::weeks(i as i64))
            .collect();
        let since = china_midnight(weeks[0]);
        let mut q = Query::select();
        q.column(hazard::Column::ReportedAt)
            .from(hazard::Entity)
            .and_where(hazard::Column::ReportedAt.gte(since))
            .and_where(hazard::Column::SchoolId.in_subquery(below.clone()));
        let opened: Vec<(DateTime<Utc>,)> = self.read.all(&q).await?;
        let mut q = Query::select();
        q.column(hazard::Column::ClosedAt)
            .from(hazard::Entity)
            .and_where(hazard::Column::ClosedAt.gte(since))
            .and_where(hazard::Column::Status.eq(HazardStatus::Closed.as_str()))
            .and_where(hazard::Column::SchoolId.in_subquery(below.clone()));
        let closed: Vec<(Option<DateTime<Utc>>,)> = self.read.all(&q).await?;
        let o = per_week(&weeks, &opened.into_iter().map(|t| t.0).collect::<Vec<_>>());
        let c = per_week(
            &weeks,
            &closed.into_iter().filter_map(|t| t.0).collect::<Vec<_>>(),
        );
        Ok(weeks
            .into_iter()
            .zip(o.into_iter().zip(c))
            .map(|(week_of, (opened, closed))| WeekCount {
                week_of,
                opened,
                closed,
            })
            .collect())
    }

    /// The schools with the most overdue hazards, from the roll-up.
    async fn overdue_by_school(
        &self,
        below: &SelectStatement,
        today: NaiveDate,
    ) -> Result<Vec<SchoolCount>> {
        use hazard_count as hc;
        let total = sum_where(Condition::all(), Expr::col((hc::Entity, hc::Column::N)));
        let mut q = Query::select();
        q.expr(Expr::col((org::Entity, org::Column::Id)))
            .expr(Expr::col((org::Entity, org::Column::Code)))
            .expr(Expr::col((org::Entity, org::Column::Name)))
            .expr_as(total.clone(), "overdue")
            .from(hc::Entity)
            .inner_join(
                org::Entity,
                Expr::col((org::Entity, org::Column::Id))
                    .equals((hc::Entity, hc::Column::SchoolId)),
            )
            .and_where(Expr::col((hc::Entity, hc::Column::Deadline)).lt(today))
            .and_where(Expr::col((hc::Entity, hc::Column::Status)).is_not_in(clock_stopped()))
            .and_where(Expr::col((hc::Entity, hc::Column::N)).gt(0))
            .and_where(Expr::col((hc::Entity, hc::Column::SchoolId)).in_subquery(below.clone()))
            .group_by_col((org::Entity, org::Column::Id))
            .group_by_col((org::Entity, org::Column::Code))
            .group_by_col((org::Entity, org::Column::Name))
            .order_by_expr(total, Order::Desc)
            .order_by((org::Entity, org::Column::Code), Order::Asc)
            .limit(TOP_SCHOOLS);
        let rows: Vec<(OrgId, String, String, i64)> = self.read.all(&q).await?;
        Ok(rows
            .into_iter()
            .filter(|r| r.3 > 0)
            .map(|(id, code, name, n)| SchoolCount {
                school: OrgRef {
                    id,
                    code,
                    name,
                    kind: OrgLevel::School,
                },
                count: count(n),
            })
            .collect())
    }

    /// The self-inspection status of every school over the last [`HALF_MONTHS`] half-months.
    async fn half_month_chart(
        &self,
        schools: &[(OrgId, Option<String>)],
        today: NaiveDate,
        grace: u32,
    ) -> Result<Vec<HalfMonthCount>> {
        let periods = half_months(Period::of(today), HALF_MONTHS);
        let ids: Vec<OrgId> = schools.iter().map(|s| s.0).collect();
        let mut q = Query::select();
        q.column(inspection::Column::SchoolId)
            .column(inspection::Column::Period)
            .expr(Expr::col(inspection::Column::SubmittedAt).min())
            .from(inspection::Entity)
            .and_where(inspection::Column::SchoolId.is_in(ids))
            .and_where(inspection::Column::Kind.eq("half_month"))
            .and_where(inspection::Column::Period.is_in(periods.iter().map(|p| p.to_string())))
            .group_by_col(inspection::Column::SchoolId)
            .group_by_col(inspection::Column::Period);
        let rows: Vec<(OrgId, Option<String>, Option<DateTime<Utc>>)> = self.read.all(&q).await?;
        let first: HashMap<(OrgId, String), NaiveDate> = rows
            .into_iter()
            .filter_map(|(s, p, t)| Some(((s, p?), crate::clock::china_date(t?))))
            .collect();
        Ok(periods
            .into_iter()
            .map(|p| {
                let key = p.to_string();
                let mut c = StatusCounts::default();
                for (s, _) in schools {
                    let on = first.get(&(*s, key.clone())).copied();
                    match p.status(on, today, grace) {
                        InspectionStatus::OnTime => c.on_time += 1,
                        InspectionStatus::Late => c.late += 1,
                        InspectionStatus::Missing => c.missing += 1,
                        InspectionStatus::Open => c.open += 1,
                    }
                    c.total += 1;
                }
                HalfMonthCount {
                    on_time_rate: on_time_rate(&c),
                    period: key,
                    counts: c,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn weeks_start_on_monday_in_china_time() {
        // 2026-11-02 is a Monday.
        assert_eq!(week_of(d(2026, 11, 8)), d(2026, 11, 2));
        assert_eq!(week_of(d(2026, 11, 2)), d(2026, 11, 2));
        assert_eq!(week_of(d(2026, 11, 9)), d(2026, 11, 9));
        let weeks = [d(2026, 11, 2), d(2026, 11, 9)];
        let at = |day, h| Utc.with_ymd_and_hms(2026, 11, day, h, 0, 0).unwrap();
        // Sunday the 8th 16:00 UTC is Monday the 9th in China.
        let n = per_week(
            &weeks,
            &[at(1, 15), at(1, 16), at(8, 15), at(8, 16), at(20, 0)],
        );
        assert_eq!(n, vec![2, 1]);
    }

    #[test]
    fn half_months_end_with_the_current_one() {
        let p = Period::parse("2026-01-H2").expect("period");
        let v: Vec<String> = half_months(p, 4).iter().map(|p| p.to_string()).collect();
        assert_eq!(v, ["2025-12-H1", "2025-12-H2", "2026-01-H1", "2026-01-H2"]);
    }

    #[test]
    fn the_rate_counts_settled_schools_only() {
        let c = StatusCounts {
            on_time: 2,
            late: 1,
            missing: 0,
            open: 5,
            total: 8,
        };
        assert_eq!(on_time_rate(&c), Some(66.7));
        let open = StatusCounts {
            open: 3,
            total: 3,
            ..Default::default()
        };
        assert_eq!(on_time_rate(&open), None);
    }
}
