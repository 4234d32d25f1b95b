//! Leavers among the bus riders (T-PR-7, PIPL Art. 19 and 47): a rider who left the route —
//! graduated, moved, changed route — is marked with the China day they left
//! (`bus_riders.left_on`, migration `m0033_rider_leaving`), is no longer listed nor counted
//! among the route's riders, and keeps their personal data only `[privacy]
//! leaver_retention_days` (30 by default): the daily job [`JOB`] deletes every rider who left
//! longer ago, in one transaction with one audit row carrying the count (never a name).
//!
//! Marking goes through the scoped handle under `BusManage` (a rider out of scope is 404,
//! audited as a refusal); its audit row names the rider's id, route and day, never the name.

use crate::domain::ids::{BusRiderId, BusRouteId, OrgId};
use crate::error::{Error, Result};
use crate::storage::audit::{Event, append};
use crate::storage::entity::bus_rider;
use crate::storage::orgs::SchoolOwned;
use crate::storage::{Actor, Buses, begin_write};
use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait as _};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The daily purge job.
pub const JOB: &str = "bus-rider-leavers";

closed_codes! {
    AuditCode:
    /// What the leavers' marking and purge write.
    pub enum LeaverAudit {
        RiderLeft = "bus.rider_left",
        LeaversPurge = "bus.leavers_purge",
    }
}

impl SchoolOwned for bus_rider::Entity {
    fn school_of(m: &Self::Model) -> OrgId {
        m.school_id
    }
}

fn table() -> Alias {
    Alias::new("bus_riders")
}

fn left_on() -> Alias {
    Alias::new("left_on")
}

/// The riders still on their route (`left_on IS NULL`): the condition every list and count
/// of a route's riders adds.
pub fn on_route() -> SimpleExpr {
    Expr::col((table(), left_on())).is_null()
}

/// A rider marked as left (`POST /api/v1/bus-riders/{id}/leave`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Leaving {
    /// The China day the rider left; today when left out. Not later than today.
    pub left_on: Option<NaiveDate>,
}

/// What marking did: the rider's personal data is deleted on `purge_on`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiderLeft {
    pub id: BusRiderId,
    pub route_id: BusRouteId,
    pub left_on: NaiveDate,
    /// The first China day on which the daily job deletes the rider.
    pub purge_on: NaiveDate,
}

/// The first China day on which the daily job deletes a leaver of `left_on`, after `days` of
/// retention (kept while `left_on` is not before `today - days`).
fn purge_on(left_on: NaiveDate, days: u32) -> NaiveDate {
    left_on + Duration::days(i64::from(days) + 1)
}

impl Buses<'_> {
    /// Marks a rider of a school in scope as left on `input.left_on` (today when left out);
    /// marking again moves the day. Out of scope 404, a role without `BusManage` 403 (both
    /// audited), a day after today 422.
    pub async fn mark_left(
        &self,
        id: BusRiderId,
        input: Leaving,
        retention_days: u32,
    ) -> Result<RiderLeft> {
        let mut tx = self
            .begin_owned::<bus_rider::Entity>(
                Event::new(LeaverAudit::RiderLeft, "bus_rider", id),
                id,
            )
            .await?;
        let res: Result<RiderLeft> = async {
            let today = crate::clock::today();
            let day = input.left_on.unwrap_or(today);
            if day > today {
                return Err(Error::field("left_on", "err.bus.future_date"));
            }
            let rider = bus_rider::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let upd = Query::update()
                .table(table())
                .value(left_on(), day)
                .and_where(Expr::col(Alias::new("id")).eq(id.0))
                .take();
            tx.txn.execute(&upd).await?;
            Ok(RiderLeft {
                id,
                route_id: rider.route_id,
                left_on: day,
                purge_on: purge_on(day, retention_days),
            })
        }
        .await;
        match res {
            Ok(r) => {
                tx.event.detail = format!("route={} left_on={}", r.route_id, r.left_on);
                tx.commit().await?;
                Ok(r)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

/// What a purge did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    /// Riders deleted.
    pub purged: u64,
    /// Riders who left before this China day were deleted.
    pub before: Option<NaiveDate>,
}

/// Deletes the riders who left more than `retention_days` before `today`, in one
/// transaction with one audit row (`bus.leavers_purge`, the count and the day) when any
/// went. Running it twice deletes nothing the second time.
pub async fn purge(
    conn: &DatabaseConnection,
    today: NaiveDate,
    retention_days: u32,
) -> Result<Purged> {
    let before = today - Duration::days(i64::from(retention_days));
    let txn = begin_write(conn).await?;
    let del = Query::delete()
        .from_table(table())
        .and_where(Expr::col(left_on()).is_not_null())
        .and_where(Expr::col(left_on()).lt(before))
        .take();
    let n = txn.execute(&del).await?.rows_affected();
    if n > 0 {
        append(
            &txn,
            &Actor::system(),
            &Event::new(LeaverAudit::LeaversPurge, "bus_rider", "").detail(format!(
                "purged={n} left_before={before} days={retention_days}"
            )),
            "ok",
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Purged {
        purged: n,
        before: Some(before),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leaver_is_deleted_the_day_after_the_last_day_of_retention() {
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(
            purge_on(d, 30),
            NaiveDate::from_ymd_opt(2026, 8, 1).unwrap()
        );
        assert_eq!(purge_on(d, 0), NaiveDate::from_ymd_opt(2026, 7, 2).unwrap());
    }
}
