//! The database's durability settings, read back from the connections themselves (T-DU-1):
//! an acknowledged write must survive a crash or a power cut. SQLite: every connection of both
//! pools in WAL mode with `synchronous=FULL` (or EXTRA), foreign keys on and a busy timeout of
//! at least 5 s. PostgreSQL: `fsync`, `synchronous_commit` and `full_page_writes` on. `serve`
//! refuses to start on a database that falls short unless `[ops] allow_unsafe_durability` is
//! set (a throwaway test database, say).

use super::Db;
use crate::error::Result;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// What the check read: one line per setting and connection that falls short (empty: all
/// good), and how many connections were read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    pub problems: Vec<String>,
    pub connections: usize,
}

/// SQLite connections of the writers' pool read at once (its maximum).
const SQLITE_WRITERS: u32 = 8;

/// Reads the settings of every pooled connection (SQLite) or of the server (PostgreSQL).
pub async fn check(db: &Db) -> Result<Findings> {
    let mut f = Findings::default();
    match db.conn.get_database_backend() {
        DbBackend::Postgres => {
            for (name, ok) in [
                ("fsync", &["on"][..]),
                (
                    "synchronous_commit",
                    &["on", "remote_apply", "remote_write", "local"][..],
                ),
                ("full_page_writes", &["on"][..]),
            ] {
                let value = show(db, name).await?;
                if !ok.contains(&value.as_str()) {
                    f.problems.push(format!("PostgreSQL {name} = {value}"));
                }
            }
            f.connections = 1;
        }
        _ => {
            let pool = db.conn.get_sqlite_connection_pool();
            let mut held = Vec::new();
            for _ in 0..SQLITE_WRITERS {
                held.push(pool.acquire().await.map_err(crate::Error::internal)?);
            }
            for (i, c) in held.iter_mut().enumerate() {
                let mode = pragma(c, "PRAGMA journal_mode").await?;
                let sync: i64 = pragma(c, "PRAGMA synchronous").await?.parse().unwrap_or(-1);
                let fk: i64 = pragma(c, "PRAGMA foreign_keys")
                    .await?
                    .parse()
                    .unwrap_or(-1);
                let busy: i64 = pragma(c, "PRAGMA busy_timeout")
                    .await?
                    .parse()
                    .unwrap_or(-1);
                sqlite_problems(
                    &mut f.problems,
                    &format!("writer {i}"),
                    &mode,
                    sync,
                    fk,
                    busy,
                );
            }
            f.connections += held.len();
            drop(held);
            if let Some(readers) = db.read.sqlite_pragmas(SQLITE_WRITERS as usize)? {
                for (i, (mode, sync, fk, busy)) in readers.iter().enumerate() {
                    sqlite_problems(
                        &mut f.problems,
                        &format!("reader {i}"),
                        mode,
                        *sync,
                        *fk,
                        *busy,
                    );
                }
                f.connections += readers.len();
            }
        }
    }
    Ok(f)
}

async fn pragma(
    c: &mut sea_orm::sqlx::SqliteConnection,
    statement: &'static str,
) -> Result<String> {
    use sea_orm::sqlx::Row as _;
    let row = sea_orm::sqlx::query(statement)
        .fetch_one(&mut *c)
        .await
        .map_err(crate::Error::internal)?;
    row.try_get::<String, _>(0)
        .or_else(|_| row.try_get::<i64, _>(0).map(|v| v.to_string()))
        .map_err(crate::Error::internal)
}

fn sqlite_problems(out: &mut Vec<String>, who: &str, mode: &str, sync: i64, fk: i64, busy: i64) {
    // An in-memory database has no journal on disk (tests only).
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        out.push(format!("SQLite {who}: journal_mode = {mode}"));
    }
    if sync < 2 {
        out.push(format!("SQLite {who}: synchronous = {sync}"));
    }
    if fk != 1 {
        out.push(format!("SQLite {who}: foreign_keys = {fk}"));
    }
    if busy < 5000 {
        out.push(format!("SQLite {who}: busy_timeout = {busy} ms"));
    }
}

async fn show(db: &Db, name: &str) -> Result<String> {
    let row = db
        .conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SHOW {name}"),
        ))
        .await?
        .ok_or_else(|| crate::Error::internal(anyhow::anyhow!("SHOW {name}: no answer")))?;
    Ok(row.try_get_by_index::<String>(0)?)
}
