//! The read routes' shared database on PostgreSQL: one copy of the matrix template per test
//! run (nextest's `NEXTEST_RUN_ID`, else the process), made by the first read case under a
//! file lock; copies of earlier runs are dropped when no one uses them any more.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::common;

/// The run's shared copy of `template`, made if missing.
pub async fn database(template: &str) -> String {
    let run = std::env::var("NEXTEST_RUN_ID")
        .map(|id| id.replace('-', "")[..12].to_string())
        .unwrap_or_else(|_| format!("p{}", std::process::id()));
    let name = format!("sc_mxr_{run}");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(std::env::temp_dir().join("safecampus-matrix-read.lock"))
        .expect("lock file");
    lock.lock().expect("lock the shared database");
    let admin = common::pg_admin();
    let (pool, _) = common::sqlx_admin(&admin).await;
    let found = pool
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT datname::text AS d FROM pg_database WHERE datname LIKE 'sc\\_mxr\\_%'",
        ))
        .await
        .expect("list databases");
    let names: Vec<String> = found
        .iter()
        .filter_map(|r| r.try_get::<String>("", "d").ok())
        .collect();
    for old in names.iter().filter(|n| **n != name) {
        // In use by a run still going: the drop fails, and is tried again next time.
        pool.execute_unprepared(&format!("DROP DATABASE IF EXISTS {old}"))
            .await
            .ok();
    }
    if !names.contains(&name) {
        pool.execute_unprepared(&format!(
            "CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"
        ))
        .await
        .expect("create the shared database");
        pool.execute_unprepared(&format!(
            "ALTER DATABASE {name} SET synchronous_commit = off"
        ))
        .await
        .expect("database settings");
        let raw = sea_orm::Database::connect(common::pg_url(&admin, &name))
            .await
            .expect("connect");
        refresh_sessions(&raw).await;
        raw.close().await.ok();
    }
    pool.close().await.ok();
    lock.unlock().ok();
    name
}

/// The sessions were made when the template was built: make them fresh.
pub async fn refresh_sessions(raw: &DatabaseConnection) {
    let backend = raw.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        "UPDATE sessions SET created_at = $1, last_seen_at = $2"
    } else {
        "UPDATE sessions SET created_at = ?, last_seen_at = ?"
    };
    let now = chrono::Utc::now();
    raw.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [now.into(), now.into()],
    ))
    .await
    .expect("refresh sessions");
}
