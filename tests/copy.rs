//! `safecampus copy`: the demo district copied from SQLite to a fresh PostgreSQL database and
//! back to a new SQLite file. Each copy is compared table by table (rows and a checksum of
//! every column), verified (roll-ups, audit chain) and served (the demo's sign-in, the hazard
//! list); a new row on the target takes an id past the copied ones; a second copy into a
//! database that holds data is refused and writes nothing.
//!
//! PostgreSQL is needed whichever way: the test runs in the PostgreSQL run of the suite
//! (`SAFECAMPUS_TEST_DB=postgres`) and fails when the server is unreachable.

mod common;

use common::{TestApp, pg_admin, pg_url, sqlx_admin};
use safecampus::config::Config;
use safecampus::storage::copy;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

/// A PostgreSQL database of the test's own, dropped at the end.
struct PgDb {
    admin: String,
    name: String,
}

impl PgDb {
    async fn create() -> PgDb {
        let admin = pg_admin();
        let name = format!("sc_copy_{}", common::tempdir::rand_suffix());
        let (pool, _) = sqlx_admin(&admin).await;
        pool.execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin} must be reachable: {e}"));
        pool.close().await.ok();
        PgDb { admin, name }
    }

    fn url(&self) -> String {
        pg_url(&self.admin, &self.name)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok(c) = Database::connect(&admin).await {
                    c.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .ok();
                }
            });
        })
        .join()
        .ok();
    }
}

/// The column types of every table (from PostgreSQL's catalogue).
async fn column_types(pg: &DatabaseConnection) -> Vec<(String, String, String)> {
    let rows = pg
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
             FROM information_schema.columns c JOIN pg_class k ON k.relname = c.table_name \
             AND k.relnamespace = current_schema()::regnamespace \
             WHERE c.table_schema = current_schema() AND NOT k.relispartition \
             AND k.relkind IN ('r', 'p') ORDER BY c.table_name, c.ordinal_position",
        ))
        .await
        .expect("columns");
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
                r.try_get_by_index(2).unwrap(),
            )
        })
        .collect()
}

/// One statement per table: its rows, and per column the non-null values and a sum that
/// changes with the values (integers, booleans, instants to the second, days, text lengths
/// and first characters, bytes), written for each database.
fn checksum_sql(backend: DbBackend, table: &str, cols: &[(String, String)]) -> String {
    let pg = backend == DbBackend::Postgres;
    let mut parts = vec!["CAST(COUNT(*) AS BIGINT)".to_string()];
    for (name, ty) in cols {
        let c = format!("\"{name}\"");
        parts.push(format!("CAST(COUNT({c}) AS BIGINT)"));
        let sum = match ty.as_str() {
            "bigint" | "integer" | "smallint" => format!("SUM({c} % 1000003)"),
            "boolean" => format!("SUM(CASE WHEN {c} THEN 1 ELSE 0 END)"),
            "double precision" | "real" => format!("ROUND(SUM({c}) * 1000)"),
            "timestamp with time zone" if pg => {
                format!("SUM(CAST(FLOOR(EXTRACT(EPOCH FROM {c})) AS BIGINT) % 1000003)")
            }
            "timestamp with time zone" => {
                format!("SUM(CAST(strftime('%s', {c}) AS INTEGER) % 1000003)")
            }
            "date" if pg => format!("SUM({c} - DATE '1970-01-01')"),
            "date" => format!("SUM(CAST(julianday({c}) - 2440587.5 AS INTEGER))"),
            "bytea" if pg => format!("SUM(octet_length({c}))"),
            "bytea" => format!("SUM(length({c}))"),
            "text" | "character varying" if pg => format!("SUM(length({c}) * 7 + ascii({c}))"),
            "text" | "character varying" => {
                format!("SUM(length({c}) * 7 + COALESCE(unicode({c}), 0))")
            }
            // JSON: its text differs between the databases (key order, spaces).
            _ => "0".to_string(),
        };
        parts.push(format!("CAST(COALESCE({sum}, 0) AS BIGINT)"));
    }
    format!("SELECT {} FROM \"{table}\"", parts.join(", "))
}

/// Every copied table's checksum on both databases; returns the tables compared.
async fn compare(pg_url: &str, a: &str, b: &str, skip: &[&str]) -> usize {
    let pg = Database::connect(pg_url).await.expect("connect");
    let (a, b) = (
        Database::connect(a).await.expect("connect a"),
        Database::connect(b).await.expect("connect b"),
    );
    let types = column_types(&pg).await;
    let mut tables: Vec<&str> = types.iter().map(|(t, _, _)| t.as_str()).collect();
    tables.dedup();
    let mut compared = 0;
    for t in tables {
        // The verification after a copy moves the target's audit checkpoint.
        let own = ["seaql_migrations", "data_version", "audit_checkpoint"];
        if own.contains(&t) || skip.contains(&t) {
            continue;
        }
        let cols: Vec<(String, String)> = types
            .iter()
            .filter(|(x, _, _)| x == t)
            .map(|(_, c, ty)| (c.clone(), ty.clone()))
            .collect();
        let mut sums = Vec::new();
        for conn in [&a, &b] {
            let backend = conn.get_database_backend();
            let row = conn
                .query_one_raw(Statement::from_string(
                    backend,
                    checksum_sql(backend, t, &cols),
                ))
                .await
                .unwrap_or_else(|e| panic!("checksum of {t}: {e}"))
                .expect("a row");
            let v: Vec<i64> = (0..=cols.len() * 2)
                .map(|i| row.try_get_by_index::<i64>(i).expect("a number"))
                .collect();
            sums.push(v);
        }
        assert_eq!(
            sums[0], sums[1],
            "{t}: the copy differs (rows, then per column)"
        );
        compared += 1;
    }
    compared
}

async fn scalar(url: &str, sql: &str) -> i64 {
    let c = Database::connect(url).await.expect("connect");
    let row = c
        .query_one_raw(Statement::from_string(c.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a number")
}

/// The demo's sign-in works and the hazard list of the city has the same total.
async fn hazard_total(url: &str) -> u64 {
    let mut app = TestApp::on_database(url, Config::default()).await;
    let t = app.login("city.officer").await;
    let r = app.get("/api/v1/hazards", Some(&t)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["total"].as_u64().expect("total")
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_to_postgres_and_back() {
    if common::backend() != "postgres" {
        // The same copy runs in the PostgreSQL run of the suite (it needs the server).
        eprintln!("tests/copy.rs runs with SAFECAMPUS_TEST_DB=postgres");
        return;
    }
    let dir = common::tempdir::Dir::new();
    let source = dir.0.join("source.db");
    std::fs::copy(common::sqlite_template().await, &source).expect("copy the template");
    let src = format!("sqlite://{}?mode=rwc", source.display());
    let target = PgDb::create().await;
    let dst = target.url();

    // SQLite → PostgreSQL.
    let s = copy::copy(&src, &dst).await.expect("copy to PostgreSQL");
    assert!(s.rows() > 10_000, "the demo's rows: {}", s.render());
    assert!(s.audit_entries >= 1);
    let n = compare(&dst, &src, &dst, &[]).await;
    assert!(n > 50, "{n} tables compared");

    // The target verifies and serves like the source.
    let app = TestApp::on_database(&dst, Config::default()).await;
    let u = app
        .db
        .unsafe_unscoped(&safecampus::storage::Operator::command_line());
    assert!(u.verify_rollups().await.expect("verify").is_empty());
    let audit = u.verify_audit_anchored(&[]).await.expect("verify audit");
    assert!(audit.finding.is_none(), "{:?}", audit.finding);
    drop(app);
    let copied_audit = scalar(&dst, "SELECT MAX(id) FROM audit_log").await;
    let total = hazard_total(&dst).await;
    assert!(total > 0);
    assert_eq!(total, hazard_total(&src).await, "the hazard list's total");

    // New rows take ids past the copied ones (the sign-in above wrote an audit row).
    assert!(scalar(&dst, "SELECT MAX(id) FROM audit_log").await > copied_audit);
    let events = scalar(&dst, "SELECT COALESCE(MAX(id), 0) FROM device_events").await;
    assert!(scalar(&dst, "SELECT nextval('device_event_ids')").await > events);
    let people = scalar(&dst, "SELECT MAX(id) FROM people").await;
    let school = scalar(&dst, "SELECT MIN(org_id) FROM people").await;
    let pg = Database::connect(&dst).await.expect("connect");
    let row = pg
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "INSERT INTO people (org_id, name, post, phone, note, active, created_at, \
                 updated_at) SELECT org_id, 'copy test', post, phone, note, active, now(), \
                 now() FROM people \
                 WHERE org_id = {school} LIMIT 1 RETURNING id"
            ),
        ))
        .await;
    match row {
        Ok(Some(r)) => assert!(r.try_get_by_index::<i64>(0).unwrap() > people),
        other => panic!("a new person on the target: {other:?}"),
    }
    pg.execute_unprepared("DELETE FROM people WHERE name = 'copy test'")
        .await
        .expect("tidy");

    // A target that holds data is refused, and nothing is written to it.
    let before = (
        scalar(&dst, "SELECT COUNT(*) FROM audit_log").await,
        scalar(&dst, "SELECT COUNT(*) FROM people").await,
        scalar(&dst, "SELECT CAST(SUM(v) AS BIGINT) FROM data_version").await,
    );
    let e = copy::copy(&src, &dst).await.expect_err("a second copy");
    assert!(e.to_string().contains("already holds data"), "{e}");
    let after = (
        scalar(&dst, "SELECT COUNT(*) FROM audit_log").await,
        scalar(&dst, "SELECT COUNT(*) FROM people").await,
        scalar(&dst, "SELECT CAST(SUM(v) AS BIGINT) FROM data_version").await,
    );
    assert_eq!(before, after, "the refused copy wrote nothing");

    // PostgreSQL → a new SQLite file: the same rows again (the roll-ups are rebuilt there).
    let back = format!("sqlite://{}?mode=rwc", dir.0.join("back.db").display());
    let s = copy::copy(&dst, &back).await.expect("copy back to SQLite");
    assert!(s.audit_entries >= 1);
    let rollups = ["hazard_counts", "risk_counts", "compliance_evidence"];
    assert_eq!(
        compare(&dst, &dst, &back, &rollups).await,
        n - rollups.len()
    );
    assert_eq!(total, hazard_total(&back).await, "the hazard list's total");
    let back_app = TestApp::on_database(&back, Config::default()).await;
    let u = back_app
        .db
        .unsafe_unscoped(&safecampus::storage::Operator::command_line());
    assert!(u.verify_rollups().await.expect("verify").is_empty());
}
