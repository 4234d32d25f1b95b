//! T-DU-7: `safecampus migrate` killed with SIGKILL inside each migration step in turn (0–3 ms
//! after the step starts) while it builds a new database, then run to its end: it finishes,
//! and the schema is exactly the one a run without interruption makes (every table, column,
//! index and trigger, and the migrations' own record). Each migration runs in one transaction
//! with the row that records it, on SQLite as on PostgreSQL (`migration::Atomic`), so a killed
//! one leaves nothing half made.

mod common;

use rand::Rng;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A new, empty database: its URL, and a PostgreSQL database's name to drop after.
async fn fresh(dir: &std::path::Path, name: &str) -> (String, Option<String>) {
    if common::backend() == "postgres" {
        let db = format!("sc_test_{}", common::tempdir::rand_suffix());
        let (pool, _) = common::sqlx_admin(&common::pg_admin()).await;
        pool.execute_unprepared(&format!("CREATE DATABASE {db}"))
            .await
            .expect("create database");
        pool.close().await.ok();
        (common::pg_url(&common::pg_admin(), &db), Some(db))
    } else {
        let file = dir.join(format!("{name}.db"));
        (format!("sqlite://{}?mode=rwc", file.display()), None)
    }
}

fn migrate(url: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_safecampus"))
        .arg("migrate")
        .env("SAFECAMPUS_DATABASE_URL", url)
        .env("RUST_LOG", "sea_orm_migration=info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run migrate")
}

/// Runs `migrate` once per step: each run applies the next migration, then is SIGKILLed
/// 0–3 ms into the one after it (the library logs each migration as it starts it). The runs
/// killed inside a step, and the URL back.
fn kill_in_each_step(url: &str, steps: usize) -> (usize, String) {
    use std::io::BufRead;
    let mut killed = 0;
    for _ in 0..steps {
        let mut child = migrate(url);
        // The log goes to standard output.
        let log = child.stdout.take().expect("stdout");
        let mut started = 0;
        for line in std::io::BufReader::new(log).lines() {
            let Ok(line) = line else { break };
            if line.contains("Applying migration '") {
                started += 1;
                if started == 2 {
                    let ms = rand::rng().random_range(0..=3);
                    std::thread::sleep(Duration::from_millis(ms));
                    if child.try_wait().expect("status").is_none() {
                        child.kill().expect("SIGKILL");
                        killed += 1;
                    }
                    break;
                }
            }
        }
        let status = child.wait().expect("reaped");
        if started < 2 && !status.success() {
            // Not killed, and failed: a step killed before left something it trips over.
            let mut err = String::new();
            use std::io::Read;
            child.stderr.take().map(|mut e| e.read_to_string(&mut err));
            panic!("a run after {killed} kills failed: {err}");
        }
    }
    (killed, url.to_string())
}

/// The schema as the database describes it, one line per object, sorted.
async fn schema(conn: &DatabaseConnection) -> Vec<String> {
    let sql = match conn.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' \
             || is_nullable || ' ' || coalesce(column_default, '') AS line \
             FROM information_schema.columns WHERE table_schema = 'public' \
             UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' \
             UNION ALL SELECT 'trigger ' || event_object_table || ' ' || trigger_name || ' ' \
             || event_manipulation FROM information_schema.triggers \
             UNION ALL SELECT 'function ' || routine_name FROM information_schema.routines \
             WHERE routine_schema = 'public' \
             UNION ALL SELECT 'migration ' || version FROM seaql_migrations"
        }
        _ => {
            "SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS line FROM sqlite_master \
             UNION ALL SELECT 'migration ' || version FROM seaql_migrations"
        }
    };
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .expect("schema");
    let mut lines: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "line").expect("line"))
        .collect();
    lines.sort();
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_killed_half_way_is_finished_by_the_next_run() {
    let dir = common::tempdir::Dir::new();
    // A run without interruption: the schema to reach.
    let (clean_url, clean_pg) = fresh(&dir.0, "clean").await;
    let out = migrate(&clean_url).wait_with_output().expect("migrate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clean = Database::connect(&clean_url).await.expect("connect");
    let want = schema(&clean).await;
    assert!(
        want.iter().any(|l| l.contains("idempotency_keys")),
        "{want:?}"
    );

    let (url, pg) = fresh(&dir.0, "killed").await;
    let steps = want.iter().filter(|l| l.starts_with("migration ")).count();
    let killed = tokio::task::spawn_blocking(move || kill_in_each_step(&url, steps))
        .await
        .expect("runs");
    let url = killed.1;
    let killed = killed.0;
    assert!(
        killed >= steps / 2,
        "{killed} of {steps} steps were killed half-way"
    );
    let out = migrate(&url).wait_with_output().expect("migrate");
    assert!(
        out.status.success(),
        "the run after {killed} kills finishes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conn = Database::connect(&url).await.expect("connect");
    assert_eq!(schema(&conn).await, want, "the same schema as a clean run");
    if conn.get_database_backend() == DbBackend::Sqlite {
        let ok = conn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA integrity_check",
            ))
            .await
            .expect("check")
            .expect("row");
        assert_eq!(ok.try_get_by_index::<String>(0).unwrap(), "ok");
    }
    conn.close().await.ok();
    clean.close().await.ok();
    for db in [clean_pg, pg].into_iter().flatten() {
        let (pool, _) = common::sqlx_admin(&common::pg_admin()).await;
        pool.execute_unprepared(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .await
            .ok();
        pool.close().await.ok();
    }
}
