//! The device events' months (migration `m0030_device_event_partitions`): the daily job makes
//! the coming months' partitions on PostgreSQL ahead of time and removes events older than
//! `[devices] event_retention_months` — whole monthly partitions dropped at once on
//! PostgreSQL, rows deleted in batches on SQLite. Months are calendar months in UTC.

use crate::error::Result;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::Serialize;

/// The daily job.
pub const JOB: &str = "device-events";

/// How many months after the current one have their partition made in advance.
pub(crate) const MONTHS_AHEAD: u32 = 2;

/// Rows deleted per statement on SQLite (a writer holds the lock for one batch at a time).
const BATCH: u32 = 20_000;

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Maintained {
    /// Partitions made (`device_events_pYYYYMM`).
    pub created: Vec<String>,
    /// Partitions dropped past the retention.
    pub dropped: Vec<String>,
    /// Rows deleted one by one (SQLite, and PostgreSQL's default partition).
    pub deleted: u64,
}

/// A month as `YYYYMM`.
fn month_of(d: NaiveDate) -> i32 {
    d.year() * 100 + d.month() as i32
}

/// The month `n` months after `m` (`YYYYMM`; `n` may be negative).
fn add_months(m: i32, n: i32) -> i32 {
    let k = (m / 100) * 12 + (m % 100 - 1) + n;
    k.div_euclid(12) * 100 + k.rem_euclid(12) + 1
}

/// The first instant of month `m`, as SQL text in UTC.
fn start_of(m: i32) -> String {
    format!("{:04}-{:02}-01 00:00:00+00", m / 100, m % 100)
}

/// The months from `first` (`YYYYMM`; 0 or a later month: the current one) through `ahead`
/// months after `today`'s, in order.
pub(crate) fn months_from(first: i32, today: NaiveDate, ahead: u32) -> Vec<i32> {
    let now = month_of(today);
    let last = add_months(now, ahead as i32);
    let mut m = if first <= 0 || first > now {
        now
    } else {
        first
    };
    let mut out = Vec::new();
    while m <= last {
        out.push(m);
        m = add_months(m, 1);
    }
    out
}

/// The name of month `m`'s partition.
pub(crate) fn partition_name(m: i32) -> String {
    format!("device_events_p{m:06}")
}

/// The month of a partition's name, if it is one of ours.
fn month_of_name(name: &str) -> Option<i32> {
    let digits = name.strip_prefix("device_events_p")?;
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|m: &i32| (1..=12).contains(&(m % 100)))
}

/// Makes month `m`'s partition unless it exists (PostgreSQL): made beside the table, the
/// month's rows that fell into the default partition moved into it, then attached — so it
/// succeeds whatever the default partition holds.
pub(crate) fn create_partition_sql(m: i32) -> String {
    let (name, from, to) = (partition_name(m), start_of(m), start_of(add_months(m, 1)));
    format!(
        "DO $$ BEGIN IF to_regclass('{name}') IS NULL THEN \
         CREATE TABLE {name} (LIKE device_events INCLUDING DEFAULTS); \
         INSERT INTO {name} SELECT * FROM device_events_default \
           WHERE at >= '{from}' AND at < '{to}'; \
         DELETE FROM device_events_default WHERE at >= '{from}' AND at < '{to}'; \
         ALTER TABLE device_events ATTACH PARTITION {name} \
           FOR VALUES FROM ('{from}') TO ('{to}'); \
         END IF; END $$"
    )
}

/// The monthly partitions that exist (PostgreSQL), by month.
pub async fn partitions(conn: &impl ConnectionTrait) -> Result<Vec<(i32, String)>> {
    let rows = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname AS name FROM pg_inherits i \
             JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent \
             WHERE p.relname = 'device_events' AND p.relnamespace = current_schema()::regnamespace",
        ))
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let name: String = r.try_get("", "name")?;
        if let Some(m) = month_of_name(&name) {
            out.push((m, name));
        }
    }
    out.sort();
    Ok(out)
}

/// Makes a month's partition through the owner's function (`storage::rls`).
const MAKE: &str = "SELECT safecampus_make_event_partition($1) AS done";
/// Drops a month's partition through the owner's function.
const DROP: &str = "SELECT safecampus_drop_event_partition($1) AS done";

/// [`MAKE`] or [`DROP`] for month `m`: whether it made (dropped) the partition.
async fn partition_call(conn: &DatabaseConnection, sql: &str, m: i32) -> Result<bool> {
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [m.into()],
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get("", "done")?,
        None => false,
    })
}

/// The daily run for `today`: partitions ahead (PostgreSQL), then events before the first
/// month kept removed (`retention_months` months back from `today`'s; 0 keeps everything).
pub async fn maintain(
    conn: &DatabaseConnection,
    today: NaiveDate,
    retention_months: u32,
) -> Result<Maintained> {
    let mut done = Maintained::default();
    let pg = conn.get_database_backend() == DbBackend::Postgres;
    if pg {
        let have: Vec<i32> = partitions(conn).await?.into_iter().map(|p| p.0).collect();
        for m in months_from(0, today, MONTHS_AHEAD) {
            // Through the owner's function (`storage::rls`): the application's role owns
            // no table.
            if !have.contains(&m) && partition_call(conn, MAKE, m).await? {
                done.created.push(partition_name(m));
            }
        }
    }
    if retention_months == 0 {
        return Ok(done);
    }
    let keep_from = add_months(month_of(today), 1 - retention_months as i32);
    let cutoff = start_of(keep_from);
    if pg {
        for (m, name) in partitions(conn).await? {
            if m < keep_from && partition_call(conn, DROP, m).await? {
                done.dropped.push(name);
            }
        }
        done.deleted = conn
            .execute_unprepared(&format!(
                "DELETE FROM device_events_default WHERE at < '{cutoff}'"
            ))
            .await?
            .rows_affected();
    } else {
        // SQLite stores instants as text in UTC (`YYYY-MM-DD HH:MM:SS…+00:00`).
        let before = format!("{:04}-{:02}-01", keep_from / 100, keep_from % 100);
        loop {
            let n = conn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "DELETE FROM device_events WHERE id IN \
                     (SELECT id FROM device_events WHERE at < ? LIMIT ?)",
                    [before.clone().into(), BATCH.into()],
                ))
                .await?
                .rows_affected();
            done.deleted += n;
            if n < u64::from(BATCH) {
                break;
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_wrap_around_the_year() {
        assert_eq!(add_months(202612, 1), 202701);
        assert_eq!(add_months(202701, -1), 202612);
        assert_eq!(add_months(202601, -13), 202412);
        assert_eq!(add_months(202612, 0), 202612);
        assert_eq!(months_from(0, d(2026, 12, 31), 2), [202612, 202701, 202702]);
        assert_eq!(
            months_from(202610, d(2026, 12, 1), 1),
            [202610, 202611, 202612, 202701]
        );
        assert_eq!(months_from(203001, d(2026, 12, 1), 0), [202612]);
    }

    #[test]
    fn only_our_names_are_months() {
        assert_eq!(month_of_name("device_events_p202612"), Some(202612));
        assert_eq!(month_of_name("device_events_default"), None);
        assert_eq!(month_of_name("device_events_p202613"), None);
        assert_eq!(month_of_name("device_events_p20261"), None);
        assert_eq!(partition_name(202701), "device_events_p202701");
        assert_eq!(start_of(202701), "2027-01-01 00:00:00+00");
    }
}
