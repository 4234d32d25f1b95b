//! The data version: one number the database raises whenever a change to the business tables
//! commits, so a reader can tell "nothing changed since" without looking at the data. The web
//! layer's response cache keys its entries by it (`web::cache`).
//!
//! The database keeps it, not the process: a change made by another instance on the same
//! PostgreSQL, by a command-line import or by a job is seen like one of this process's own.
//! Triggers raise it, installed on **every** table at start-up (after the migrations, so a
//! table a later migration adds is covered without a line of code) except the [`UNVERSIONED`]
//! ones, whose rows change at a device's or a request's rate and which no cached answer reads.
//!
//! - SQLite has one writer at a time: a row trigger adds one to row 0 of `data_version`.
//! - PostgreSQL runs writers concurrently: a row lock taken mid-transaction on a shared row
//!   would make two writers that later touch each other's rows deadlock. The trigger there is a
//!   deferred constraint trigger: it fires at commit, when the transaction takes no further
//!   lock, raises one of [`SHARDS`] rows (by backend) once per transaction and marks the
//!   transaction as counted.
//!
//! The version is the sum of the rows; it only grows. A reader takes it **before** it reads
//! the data, so what it reads is at least as new as the version it files it under.

use super::read::Reader;
use crate::error::Result;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// Tables whose changes do not raise the version: sessions (touched on requests), sign-in
/// throttles, jobs' runs, the audit trail (reads are audited too), device events and their
/// side tables (a device's rate), the devices' last values (every event updates them),
/// outgoing deliveries, the checklist's answers saved as one taps them, and the writes'
/// idempotency keys. A cached route must not read them (`web::cache`).
pub const UNVERSIONED: &[&str] = &[
    "data_version",
    "seaql_migrations",
    "sessions",
    "login_throttles",
    "jobs",
    "audit_log",
    "audit_head",
    "audit_checkpoint",
    "audit_base",
    "audit_purge_gate",
    "devices",
    "device_events",
    "device_rejections",
    "device_rule_states",
    "notification_deliveries",
    "inspection_drafts",
    "idempotency_keys",
];

/// Rows of `data_version` on PostgreSQL (writers raise one by their backend's number).
pub const SHARDS: i64 = 16;

/// The statement that reads the version (the same on both databases).
pub(super) const READ: &str = "SELECT CAST(COALESCE(SUM(v), 0) AS BIGINT) FROM data_version";

/// The version as a scalar subquery (read with the session in one statement).
pub(super) const SUBQUERY: &str = "(SELECT CAST(COALESCE(SUM(v), 0) AS BIGINT) FROM data_version)";

const PG_FUNCTION: &str = "CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger \
LANGUAGE plpgsql AS $$ BEGIN \
IF current_setting('safecampus.data_version_counted', true) IS DISTINCT FROM '1' THEN \
UPDATE data_version SET v = v + 1 WHERE id = pg_backend_pid() % 16; \
PERFORM set_config('safecampus.data_version_counted', '1', true); \
END IF; RETURN NULL; END $$";

/// Installs the version's triggers on every table but the unversioned ones, and removes them
/// from those (a table moved into [`UNVERSIONED`]). Idempotent; run after the migrations.
pub async fn install(conn: &DatabaseConnection) -> Result<()> {
    let backend = conn.get_database_backend();
    let tables = tables(conn).await?;
    match backend {
        DbBackend::Postgres => {
            conn.execute_unprepared(PG_FUNCTION).await?;
            let have = names(
                conn,
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                 WHERE t.tgname = 'data_version_bump' AND c.relnamespace = current_schema()::regnamespace",
            )
            .await?;
            for t in &tables {
                let versioned = !UNVERSIONED.contains(&t.as_str());
                let sql = match (versioned, have.contains(t)) {
                    (true, false) => format!(
                        "CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE \
                         ON \"{t}\" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
                         EXECUTE FUNCTION data_version_bump()"
                    ),
                    (false, true) => format!("DROP TRIGGER data_version_bump ON \"{t}\""),
                    _ => continue,
                };
                conn.execute_unprepared(&sql).await?;
            }
        }
        _ => {
            for t in &tables {
                let versioned = !UNVERSIONED.contains(&t.as_str());
                for (suffix, event) in [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")] {
                    let sql = if versioned {
                        format!(
                            "CREATE TRIGGER IF NOT EXISTS \"data_version_{t}_{suffix}\" AFTER {event} \
                             ON \"{t}\" BEGIN UPDATE data_version SET v = v + 1 WHERE id = 0; END"
                        )
                    } else {
                        format!("DROP TRIGGER IF EXISTS \"data_version_{t}_{suffix}\"")
                    };
                    conn.execute_unprepared(&sql).await?;
                }
            }
        }
    }
    Ok(())
}

/// The tables of the database (of the connection's schema on PostgreSQL).
pub async fn tables(conn: &DatabaseConnection) -> Result<Vec<String>> {
    let sql = match conn.get_database_backend() {
        DbBackend::Postgres => {
            // Partitions are parts of their table, not tables of their own.
            "SELECT c.relname FROM pg_class c WHERE c.relkind IN ('r', 'p') \
             AND NOT c.relispartition AND c.relnamespace = current_schema()::regnamespace \
             ORDER BY 1"
        }
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        }
    };
    names(conn, sql).await
}

/// The tables that carry the version's trigger (for the test that every table but the
/// unversioned ones does).
pub async fn triggered_tables(conn: &DatabaseConnection) -> Result<Vec<String>> {
    let sql = match conn.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             WHERE t.tgname = 'data_version_bump' \
             AND c.relnamespace = current_schema()::regnamespace ORDER BY 1"
        }
        // A table counts when all three of its triggers are there.
        _ => {
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' \
             AND name LIKE 'data_version_%' GROUP BY tbl_name HAVING COUNT(*) = 3 ORDER BY 1"
        }
    };
    names(conn, sql).await
}

async fn names(conn: &DatabaseConnection, sql: &str) -> Result<Vec<String>> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(Statement::from_string(backend, sql.to_string()))
        .await?;
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).map_err(Into::into))
        .collect()
}

/// The current version, read on the read path (no thread hop on SQLite).
pub(super) async fn read(reader: &Reader) -> Result<i64> {
    reader.integer(READ).await
}
