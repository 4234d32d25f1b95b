//! The monitoring screen's aggregates (数据大屏): for the caller's own node, the districts and
//! their schools, overdue hazards, this half-month's self-inspections, devices offline and the
//! last 30 days of warnings and hazards per day. Every count is taken in the database over the
//! schools below the node; only counts and the instants of the trend leave it. The screen's
//! map (risk index) and live list (open warnings, their stream) come from their own routes.

use super::entity::{device, hazard, hazard_count, org, warning};
use crate::domain::Code;
use crate::domain::hazard::Status as HazardStatus;
use crate::domain::ids::OrgId;
use crate::domain::org::{OrgLevel, OrgPath};
use crate::error::{Error, Result};
use crate::storage::Screen;
use crate::storage::inspections::{BoardQuery, StatusCounts};
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Days the trend covers, today included.
pub const TREND_DAYS: u32 = 30;

/// The node the screen shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreenOrg {
    pub id: OrgId,
    pub name: String,
    pub name_en: Option<String>,
    pub level: OrgLevel,
}

/// A district with its schools (for a city, every district below it; for a district, itself).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreenDistrict {
    pub id: OrgId,
    pub name: String,
    pub name_en: Option<String>,
    pub school_ids: Vec<OrgId>,
}

/// This half-month's self-inspections of the schools below.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreenInspections {
    /// `YYYY-MM-H1` or `YYYY-MM-H2`.
    pub period: String,
    pub due_on: NaiveDate,
    pub counts: StatusCounts,
}

/// Devices in service (their token in force) and how many of them sent nothing within
/// `[devices] offline_minutes` (a device that never reported is offline).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ScreenDevices {
    pub total: u64,
    pub offline: u64,
}

/// One China day of the trend.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct TrendDay {
    pub day: NaiveDate,
    /// Warnings raised that day.
    pub warnings: u64,
    /// Hazards reported that day.
    pub hazards: u64,
}

/// Everything the screen counts, in one answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreenData {
    pub org: ScreenOrg,
    /// Today (China date).
    pub today: NaiveDate,
    pub districts: Vec<ScreenDistrict>,
    /// Hazards past their deadline whose clock still runs.
    pub overdue_hazards: u64,
    pub inspections: ScreenInspections,
    pub devices: ScreenDevices,
    /// The last [`TREND_DAYS`] days, oldest first, today last.
    pub trend: Vec<TrendDay>,
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The UTC instant a China day begins.
fn china_midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::hours(8)
}

/// Counts instants per China day over `days` (oldest first); instants outside are ignored.
fn per_day(days: &[NaiveDate], instants: &[DateTime<Utc>]) -> Vec<u64> {
    let mut by_day: BTreeMap<NaiveDate, u64> = days.iter().map(|d| (*d, 0)).collect();
    for t in instants {
        if let Some(n) = by_day.get_mut(&crate::clock::china_date(*t)) {
            *n += 1;
        }
    }
    days.iter().map(|d| by_day[d]).collect()
}

impl Screen<'_> {
    /// The caller's own node (the screen is always of it).
    pub async fn org(&self) -> Result<ScreenOrg> {
        self.permit()?;
        let id = self.actor().org_id().ok_or(Error::NotFound)?;
        let m = self.org_row(id, &self.read).await?;
        Ok(ScreenOrg {
            id: m.id,
            name: m.name,
            name_en: m.name_en,
            level: OrgLevel::parse(&m.level).ok_or(Error::NotFound)?,
        })
    }

    /// The screen's counts below the caller's node.
    pub async fn data(
        &self,
        today: NaiveDate,
        grace: u32,
        offline_minutes: u32,
    ) -> Result<ScreenData> {
        let org = self.org().await?;
        let root = self.org_row(org.id, &self.read).await?;
        let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
        let mut below = Query::select();
        below
            .column(org::Column::Id)
            .from(org::Entity)
            .and_where(Expr::col(org::Column::Path).like(path.like_pattern()))
            .and_where(org::Column::Level.eq(OrgLevel::School.as_str()));

        let districts = self.districts(&path).await?;
        let overdue_hazards = self.overdue_hazards(&below, today).await?;
        let board = self
            .inspections()
            .board(&BoardQuery::default(), grace)
            .await?;
        let devices = self.devices_offline(&below, offline_minutes).await?;
        let trend = self.trend(&below, today).await?;
        Ok(ScreenData {
            org,
            today,
            districts,
            overdue_hazards,
            inspections: ScreenInspections {
                period: board.period,
                due_on: board.due_on,
                counts: board.counts,
            },
            devices,
            trend,
        })
    }

    /// The schools below `path` grouped by their parent (a district), parents by code.
    async fn districts(&self, path: &OrgPath) -> Result<Vec<ScreenDistrict>> {
        let mut q = Query::select();
        q.column(org::Column::Id)
            .column(org::Column::ParentId)
            .from(org::Entity)
            .and_where(Expr::col(org::Column::Path).like(path.like_pattern()))
            .and_where(org::Column::Level.eq(OrgLevel::School.as_str()))
            .order_by(org::Column::Code, sea_orm::Order::Asc);
        let schools: Vec<(OrgId, Option<OrgId>)> = self.read.all(&q).await?;
        let mut by_parent: BTreeMap<OrgId, Vec<OrgId>> = BTreeMap::new();
        for (school, parent) in schools {
            if let Some(p) = parent {
                by_parent.entry(p).or_default().push(school);
            }
        }
        let parents = org::Entity::find()
            .filter(org::Column::Id.is_in(by_parent.keys().copied()))
            .filter(self.org_scope())
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        Ok(parents
            .into_iter()
            .map(|p| ScreenDistrict {
                school_ids: by_parent.remove(&p.id).unwrap_or_default(),
                id: p.id,
                name: p.name,
                name_en: p.name_en,
            })
            .collect())
    }

    /// Overdue hazards, from the hazards' roll-up.
    async fn overdue_hazards(&self, below: &SelectStatement, today: NaiveDate) -> Result<u64> {
        let stopped: Vec<&str> = HazardStatus::ALL
            .iter()
            .filter(|s| s.stops_clock())
            .map(|s| s.as_str())
            .collect();
        let mut q = Query::select();
        q.expr(crate::storage::views::sum_where(
            sea_orm::Condition::all(),
            Expr::col(hazard_count::Column::N),
        ))
        .from(hazard_count::Entity)
        .and_where(hazard_count::Column::Status.is_not_in(stopped))
        .and_where(Expr::col(hazard_count::Column::Deadline).lt(today))
        .and_where(hazard_count::Column::SchoolId.in_subquery(below.clone()));
        let (n,): (i64,) = self.read.one(&q).await?.unwrap_or((0,));
        Ok(count(n))
    }

    /// Devices in service and those offline.
    async fn devices_offline(
        &self,
        below: &SelectStatement,
        offline_minutes: u32,
    ) -> Result<ScreenDevices> {
        let since = Utc::now() - Duration::minutes(i64::from(offline_minutes));
        let in_service = sea_orm::Condition::all()
            .add(device::Column::TokenHash.is_not_null())
            .add(device::Column::SchoolId.in_subquery(below.clone()));
        let offline = sea_orm::Condition::any()
            .add(device::Column::LastSeenAt.is_null())
            .add(device::Column::LastSeenAt.lt(since));
        let mut q = Query::select();
        q.expr(Expr::col(device::Column::Id).count())
            .expr(crate::storage::views::sum_where(offline, Expr::val(1)))
            .from(device::Entity)
            .cond_where(in_service);
        let (total, offline): (i64, i64) = self.read.one(&q).await?.unwrap_or((0, 0));
        Ok(ScreenDevices {
            total: count(total),
            offline: count(offline),
        })
    }

    /// Warnings raised and hazards reported per China day over the last [`TREND_DAYS`] days.
    async fn trend(&self, below: &SelectStatement, today: NaiveDate) -> Result<Vec<TrendDay>> {
        let first = today - Duration::days(i64::from(TREND_DAYS) - 1);
        let days: Vec<NaiveDate> = first.iter_days().take(TREND_DAYS as usize).collect();
        let since = china_midnight(first);
        let mut q = Query::select();
        q.column(warning::Column::RaisedAt)
            .from(warning::Entity)
            .and_where(warning::Column::RaisedAt.gte(since))
            .and_where(warning::Column::SchoolId.in_subquery(below.clone()));
        let warnings: Vec<(DateTime<Utc>,)> = self.read.all(&q).await?;
        let mut q = Query::select();
        q.column(hazard::Column::ReportedAt)
            .from(hazard::Entity)
            .and_where(hazard::Column::ReportedAt.gte(since))
            .and_where(hazard::Column::SchoolId.in_subquery(below.clone()));
        let hazards: Vec<(DateTime<Utc>,)> = self.read.all(&q).await?;
        let w = per_day(
            &days,
            &warnings.into_iter().map(|t| t.0).collect::<Vec<_>>(),
        );
        let h = per_day(&days, &hazards.into_iter().map(|t| t.0).collect::<Vec<_>>());
        Ok(days
            .into_iter()
            .zip(w.into_iter().zip(h))
            .map(|(day, (warnings, hazards))| TrendDay {
                day,
                warnings,
                hazards,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_fall_on_their_china_day() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).expect("date");
        let days = [d(29), d(30)];
        let at = |day, h| Utc.with_ymd_and_hms(2026, 11, day, h, 0, 0).unwrap();
        // 29th 15:00 UTC is the 29th 23:00 in China; 29th 16:00 UTC is the 30th.
        let n = per_day(
            &days,
            &[at(28, 15), at(28, 16), at(29, 15), at(29, 16), at(30, 16)],
        );
        assert_eq!(n, vec![2, 1]);
        assert_eq!(china_midnight(d(30)), at(29, 16));
    }
}
