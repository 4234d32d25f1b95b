//! The write routes' databases on PostgreSQL: a few work databases, copies of the matrix
//! template made once, each used by one case at a time (a file lock per slot) and put back as
//! the template was by undoing the change log ([`changes::undo`]) before each use.
//!
//! A copy of the template costs a checkpoint and the files' fsync on PostgreSQL (0.2–0.6 s,
//! the larger part of a write case); undoing a case's changes costs milliseconds. The undo
//! runs when a case takes the slot, not when it leaves it, so a case that crashed half-way
//! leaves nothing behind for the next one. A refused request is still checked against the
//! log as before: the log is the same table.

use super::changes;
use super::shared;
use crate::common;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::fs::File;

/// How many cases can hold a work database at once (nextest's threads, with room).
const SLOTS: usize = 8;

/// A work database held by this process until it ends.
pub struct Work {
    pub name: String,
    _lock: File,
}

/// Takes a free work database copied from `template` (`sc_mtx_<hash>`), making it on first
/// use, and puts it back as the template was.
pub async fn take(template: &str) -> Work {
    let hash = template.trim_start_matches("sc_mtx_");
    let dir = std::env::temp_dir();
    let (slot, lock) = loop {
        let free = (0..SLOTS).find_map(|n| {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(dir.join(format!("safecampus-matrix-work-{hash}-{n}.lock")))
                .expect("lock file");
            f.try_lock().is_ok().then_some((n, f))
        });
        match free {
            Some(found) => break found,
            // Every slot is taken (more cases at once than slots): wait for one.
            None => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    };
    let name = format!("sc_mxw_{hash}_{slot}");
    let admin = common::pg_admin();
    let (pool, _) = common::sqlx_admin(&admin).await;
    let exists = pool
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .expect("query")
        .is_some();
    if !exists {
        // Work databases of older templates are not needed any more (one in use by a run of
        // other sources is left: its drop fails).
        let old = pool
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                format!(
                    "SELECT datname::text AS d FROM pg_database WHERE datname LIKE 'sc\\_mxw\\_%' \
                     AND datname NOT LIKE 'sc\\_mxw\\_{hash}\\_%'"
                ),
            ))
            .await
            .expect("list databases");
        for r in old {
            if let Ok(d) = r.try_get::<String>("", "d") {
                pool.execute_unprepared(&format!("DROP DATABASE IF EXISTS {d}"))
                    .await
                    .ok();
            }
        }
        pool.execute_unprepared(&format!(
            "CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"
        ))
        .await
        .expect("create a work database");
        pool.execute_unprepared(&format!(
            "ALTER DATABASE {name} SET synchronous_commit = off"
        ))
        .await
        .expect("database settings");
    }
    pool.close().await.ok();
    let raw = sea_orm::Database::connect(common::pg_url(&admin, &name))
        .await
        .expect("connect");
    changes::undo(&raw).await;
    // The template's sessions were made when it was built: fresh times, not logged as a
    // change of the case.
    shared::refresh_sessions(&raw).await;
    raw.execute_unprepared("DELETE FROM matrix_changes")
        .await
        .expect("clear the log");
    raw.close().await.ok();
    Work { name, _lock: lock }
}
