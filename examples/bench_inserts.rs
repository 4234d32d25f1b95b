//! Baseline B of `scripts/bench.sh`: what raw inserts cost on the database the platform runs
//! on, with none of the platform (no ORM, no scope, no audit): sqlx directly, statements bound
//! and prepared, one connection, one writer at a time.
//!
//! - `single_tx`: one row per transaction (`BEGIN IMMEDIATE … COMMIT` on SQLite), the shape of
//!   one request's write.
//! - `batched`: many rows in one transaction, in multi-row `INSERT … VALUES (…), (…)` of
//!   `--batch` rows each: the ceiling for bulk imports.
//!
//! SQLite is opened as the platform opens it (WAL, `synchronous = NORMAL`); PostgreSQL with its
//! defaults (`synchronous_commit = on`). Prints one `RESULT` line per measurement:
//!
//! ```text
//! cargo run --release --example bench_inserts -- sqlite /tmp/raw.db [--single N] [--rows N] [--batch N]
//! cargo run --release --example bench_inserts -- postgres postgres://postgres@127.0.0.1/safecampus_bench
//! RESULT backend=sqlite kind=single_tx rows=3000 secs=0.412 rows_per_s=7281
//! ```

use sea_orm::sqlx::{
    self, Connection, PgConnection, Postgres, QueryBuilder, Sqlite, SqliteConnection,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};
use std::time::{Duration, Instant};

struct Args {
    backend: String,
    target: String,
    single: usize,
    rows: usize,
    batch: usize,
}

fn args() -> Args {
    let mut it = std::env::args().skip(1);
    let backend = it.next().unwrap_or_default();
    let target = it.next().unwrap_or_default();
    let mut a = Args {
        backend,
        target,
        single: 3000,
        rows: 100_000,
        batch: 500,
    };
    while let Some(flag) = it.next() {
        let v: usize = it
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| usage(&format!("{flag} needs a number")));
        match flag.as_str() {
            "--single" => a.single = v,
            "--rows" => a.rows = v,
            "--batch" => a.batch = v.max(1),
            _ => usage(&format!("unknown option {flag}")),
        }
    }
    if a.target.is_empty() || !matches!(a.backend.as_str(), "sqlite" | "postgres") {
        usage("give a backend and a target");
    }
    a
}

fn usage(why: &str) -> ! {
    eprintln!(
        "bench_inserts: {why}\nusage: bench_inserts sqlite FILE | postgres URL \
         [--single N] [--rows N] [--batch N]"
    );
    std::process::exit(2);
}

fn report(backend: &str, kind: &str, rows: usize, d: Duration) {
    let secs = d.as_secs_f64();
    println!(
        "RESULT backend={backend} kind={kind} rows={rows} secs={secs:.3} rows_per_s={:.0}",
        rows as f64 / secs
    );
}

/// A row about the size of a hazard's list columns.
fn title(i: usize) -> String {
    format!("走廊灯不亮 第{i}号 教学楼三层东侧")
}
const STATE: &str = r#"{"status":"reported","level":null,"deadline":null,"closure_number":null}"#;
const AT: &str = "2026-11-28T08:00:00Z";

async fn sqlite(a: &Args) -> Result<(), sqlx::Error> {
    let _ = std::fs::remove_file(&a.target);
    let opts = SqliteConnectOptions::new()
        .filename(&a.target)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let mut c = SqliteConnection::connect_with(&opts).await?;
    sqlx::raw_sql(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, school_id INTEGER NOT NULL, \
         title TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL)",
    )
    .execute(&mut c)
    .await?;
    let start = Instant::now();
    for i in 0..a.single {
        let mut tx = c.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO t (school_id, title, state, created_at) VALUES (?, ?, ?, ?)")
            .bind((i % 42) as i64)
            .bind(title(i))
            .bind(STATE)
            .bind(AT)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    report("sqlite", "single_tx", a.single, start.elapsed());
    let start = Instant::now();
    let mut tx = c.begin_with("BEGIN IMMEDIATE").await?;
    let mut done = 0;
    while done < a.rows {
        let n = a.batch.min(a.rows - done);
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO t (school_id, title, state, created_at) ");
        q.push_values(done..done + n, |mut b, i| {
            b.push_bind((i % 42) as i64)
                .push_bind(title(i))
                .push_bind(STATE)
                .push_bind(AT);
        });
        q.build().execute(&mut *tx).await?;
        done += n;
    }
    tx.commit().await?;
    report("sqlite", "batched", a.rows, start.elapsed());
    c.close().await?;
    Ok(())
}

async fn postgres(a: &Args) -> Result<(), sqlx::Error> {
    let mut c = PgConnection::connect(&a.target).await?;
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS bench_raw_inserts; CREATE TABLE bench_raw_inserts (\
         id BIGSERIAL PRIMARY KEY, school_id BIGINT NOT NULL, title TEXT NOT NULL, \
         state TEXT NOT NULL, created_at TEXT NOT NULL)",
    )
    .execute(&mut c)
    .await?;
    let start = Instant::now();
    for i in 0..a.single {
        let mut tx = c.begin().await?;
        sqlx::query(
            "INSERT INTO bench_raw_inserts (school_id, title, state, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind((i % 42) as i64)
        .bind(title(i))
        .bind(STATE)
        .bind(AT)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    report("postgres", "single_tx", a.single, start.elapsed());
    let start = Instant::now();
    let mut tx = c.begin().await?;
    let mut done = 0;
    while done < a.rows {
        let n = a.batch.min(a.rows - done);
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
            "INSERT INTO bench_raw_inserts (school_id, title, state, created_at) ",
        );
        q.push_values(done..done + n, |mut b, i| {
            b.push_bind((i % 42) as i64)
                .push_bind(title(i))
                .push_bind(STATE)
                .push_bind(AT);
        });
        q.build().execute(&mut *tx).await?;
        done += n;
    }
    tx.commit().await?;
    report("postgres", "batched", a.rows, start.elapsed());
    sqlx::raw_sql("DROP TABLE bench_raw_inserts")
        .execute(&mut c)
        .await?;
    c.close().await?;
    Ok(())
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let res = rt.block_on(async {
        match a.backend.as_str() {
            "sqlite" => sqlite(&a).await,
            _ => postgres(&a).await,
        }
    });
    if let Err(e) = res {
        eprintln!("bench_inserts: {e}");
        std::process::exit(1);
    }
}
