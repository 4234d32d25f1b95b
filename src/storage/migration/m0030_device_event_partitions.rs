//! Device events by month. A city's devices send tens of millions of events a year; on
//! PostgreSQL `device_events` becomes a table partitioned by range of `at`, one partition per
//! calendar month (UTC) named `device_events_pYYYYMM`, plus a default partition for anything
//! outside the months made so far. The daily job (`storage::device_events`) makes the coming
//! months' partitions ahead of time and drops whole months past the retention, which frees
//! the space at once instead of deleting rows one by one. SQLite keeps one table (the job
//! deletes old rows there).
//!
//! A partitioned table's unique keys must hold the partition key, so on both databases an
//! event is the same event when its device, its own id **and** its time are the same (a
//! device repeating an event under at-least-once delivery sends all three again). The trip
//! track reads by device and time: an index on `(device_id, at)`.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str = "DROP INDEX IF EXISTS idx_device_events_event; \
CREATE UNIQUE INDEX idx_device_events_event ON device_events (device_id, event_id, at); \
CREATE INDEX idx_device_events_device_at ON device_events (device_id, at);";

/// The table moved aside, the partitioned one made in its image (columns, types, defaults),
/// its ids from a sequence of its own (an identity column cannot move to a new table), its
/// keys and indexes, a default partition.
const PG_UP: &str = "ALTER TABLE device_events RENAME TO device_events_unpartitioned; \
ALTER INDEX idx_device_events_event RENAME TO idx_device_events_event_old; \
ALTER INDEX idx_device_events_school_at RENAME TO idx_device_events_school_at_old; \
CREATE TABLE device_events (LIKE device_events_unpartitioned INCLUDING DEFAULTS) \
  PARTITION BY RANGE (at); \
CREATE SEQUENCE device_event_ids AS BIGINT; \
ALTER TABLE device_events ALTER COLUMN id SET DEFAULT nextval('device_event_ids'); \
ALTER TABLE device_events ADD PRIMARY KEY (id, at); \
ALTER TABLE device_events ADD CONSTRAINT fk_device_events_device \
  FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE; \
CREATE UNIQUE INDEX idx_device_events_event ON device_events (device_id, event_id, at); \
CREATE INDEX idx_device_events_school_at ON device_events (school_id, at); \
CREATE INDEX idx_device_events_device_at ON device_events (device_id, at); \
CREATE TABLE device_events_default PARTITION OF device_events DEFAULT;";

/// The rows moved over with their ids, the sequence set past them and given to the new
/// table, the old table dropped.
const PG_MOVE: &str = "INSERT INTO device_events SELECT * FROM device_events_unpartitioned; \
SELECT setval('device_event_ids', COALESCE((SELECT MAX(id) FROM device_events), 0) + 1, false); \
ALTER SEQUENCE device_event_ids OWNED BY device_events.id; \
DROP TABLE device_events_unpartitioned;";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(PG_UP).await?;
                // A partition for every month from the oldest event's to a few months ahead,
                // so the rows land in their month and not in the default partition.
                let row = db
                    .query_one_raw(sea_orm::Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT CAST(to_char(COALESCE(MIN(at), now()) AT TIME ZONE 'UTC', \
                         'YYYYMM') AS INTEGER) AS m FROM device_events_unpartitioned",
                    ))
                    .await?;
                let first: i32 = match row {
                    Some(r) => r.try_get("", "m")?,
                    None => 0,
                };
                let now = chrono::Utc::now().date_naive();
                use crate::storage::device_events::{MONTHS_AHEAD, months_from};
                for month in months_from(first, now, MONTHS_AHEAD) {
                    db.execute_unprepared(&crate::storage::device_events::create_partition_sql(
                        month,
                    ))
                    .await?;
                }
                db.execute_unprepared(PG_MOVE).await?;
            }
            _ => {
                db.execute_unprepared(SQLITE_UP).await?;
            }
        }
        Ok(())
    }
}
