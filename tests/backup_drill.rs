//! T-DU-6: the backup and restore drill under write load. The real binary serves a copy of the
//! demo; two clients add people (about 50 writes a second here, the rate recorded); meanwhile the database is backed
//! up the way `docs/deploy.md` says (SQLite: `safecampus backup`, an online `VACUUM INTO`;
//! PostgreSQL: `pg_dump -Fc`, here from a snapshot the test holds open, so the snapshot's
//! contents can be compared), then restored into a fresh instance (`safecampus restore`;
//! `pg_restore` into a new database) which a new server serves. The restored database holds
//! every table exactly as at the snapshot boundary (per-table row counts and digests of every
//! row), every write acknowledged before the backup began, each with its audit row; its audit
//! chain verifies; every evidence file's bytes have the SHA-256 they had in the source; a
//! sign-in works. The drill is recorded — times, the RTO (restore until the new server is
//! ready), counts — in `target/tmp/drills/backup-<database>.json` and on stdout, for the
//! assessor. SQLite and PostgreSQL.

mod common;
use common::TestApp;
use common::server;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

async fn rows(c: &impl ConnectionTrait, sql: &str) -> Vec<sea_orm::QueryResult> {
    c.query_all_raw(Statement::from_string(
        c.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Runs a command to its end off the async threads; panics with its output when it fails.
async fn run(mut cmd: Command) {
    tokio::task::spawn_blocking(move || run_now(&mut cmd))
        .await
        .expect("the command's thread");
}

/// The platform's own command line on `url`.
fn platform(url: &str, args: &[&std::ffi::OsStr]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_safecampus"));
    c.args(args).env("SAFECAMPUS_DATABASE_URL", url);
    c
}

fn run_now(cmd: &mut Command) {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every table's row count and a digest of all its rows, in a stable order (PostgreSQL: each
/// row's text; SQLite: each value's bytes).
async fn digests(c: &impl ConnectionTrait) -> BTreeMap<String, (i64, String)> {
    let pg = c.get_database_backend() == DbBackend::Postgres;
    let tables: Vec<String> = if pg {
        rows(
            c,
            "SELECT tablename::text AS t FROM pg_tables WHERE schemaname = current_schema()",
        )
        .await
    } else {
        rows(
            c,
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .await
    }
    .iter()
    .map(|r| r.try_get("", "t").expect("name"))
    .collect();
    let mut out = BTreeMap::new();
    for t in tables {
        let (n, digest) = if pg {
            let r = rows(
                c,
                &format!(
                    "SELECT COUNT(*) AS n, md5(COALESCE(string_agg(x::text, '|' ORDER BY x::text), '')) AS d \
                     FROM ONLY \"{t}\" x"
                ),
            )
            .await;
            (
                r[0].try_get::<i64>("", "n").expect("n"),
                r[0].try_get::<String>("", "d").expect("d"),
            )
        } else {
            let all = rows(c, &format!("SELECT * FROM \"{t}\" ORDER BY rowid")).await;
            let mut h = Sha256::new();
            for r in &all {
                // Every value as the database hands it back, whatever its type.
                for i in 0.. {
                    let v = if let Ok(v) = r.try_get_by_index::<Option<Vec<u8>>>(i) {
                        format!("{v:?}")
                    } else if let Ok(v) = r.try_get_by_index::<Option<i64>>(i) {
                        format!("{v:?}")
                    } else if let Ok(v) = r.try_get_by_index::<Option<f64>>(i) {
                        format!("{v:?}")
                    } else if let Ok(v) = r.try_get_by_index::<Option<String>>(i) {
                        format!("{v:?}")
                    } else {
                        break;
                    };
                    h.update(v.as_bytes());
                    h.update([0]);
                }
                h.update([1]);
            }
            (all.len() as i64, hex::encode(h.finalize()))
        };
        out.insert(t, (n, digest));
    }
    out
}

/// SHA-256 of every stored file variant, by `(file id, variant)`.
async fn evidence(c: &impl ConnectionTrait) -> BTreeMap<(i64, String), String> {
    rows(c, "SELECT file_id, variant, data FROM file_blobs")
        .await
        .iter()
        .map(|r| {
            let data: Vec<u8> = r.try_get("", "data").expect("data");
            (
                (
                    r.try_get("", "file_id").expect("id"),
                    r.try_get("", "variant").expect("variant"),
                ),
                hex::encode(Sha256::digest(&data)),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_whole_and_the_drill_is_recorded() {
    let pg = common::backend() == "postgres";
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let source_url = app.owner_url();
    let dir = common::tempdir::Dir::new();
    let conf = server::config(&dir.0);
    let http = server::http();
    let port = server::free_port();
    let token = app.login("s001.principal").await;
    server::durable_commits(&app.raw().await).await;
    let mut child = server::spawn(&conf, &source_url, port);
    server::ready(&http, port, &mut child, &conf).await;

    // Two writers, each pausing 15 ms between writes (about 50 a second together here).
    let writing = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let path = format!("/api/v1/schools/{s001}/people");
    let writers: Vec<_> = (0..2)
        .map(|n| {
            let (http, token, path) = (http.clone(), token.clone(), path.clone());
            let (stop, acked) = (stop.clone(), acked.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let note = format!("drill-{n}-{i}");
                    let body =
                        json!({"name": format!("D{n}-{i}"), "post": "teacher", "note": note});
                    if let Some((200, _)) =
                        server::post(&http, port, &path, Some(&token), "", &body).await
                    {
                        acked.lock().unwrap().push((Instant::now(), note));
                    }
                    tokio::time::sleep(Duration::from_millis(15)).await;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The backup, under load. On PostgreSQL from a snapshot held open here, so that what the
    // snapshot saw can be compared with what comes back; SQLite's backup is its own snapshot.
    let owner = Database::connect(source_url.as_str())
        .await
        .expect("connect");
    let boundary = Instant::now();
    let started = Instant::now();
    let (file, snapshot) = if pg {
        let held = sea_orm::TransactionTrait::begin_with_config(
            &owner,
            Some(sea_orm::IsolationLevel::RepeatableRead),
            Some(sea_orm::AccessMode::ReadOnly),
        )
        .await
        .expect("a snapshot");
        let id: String = held
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT pg_export_snapshot() AS s",
            ))
            .await
            .expect("export")
            .expect("row")
            .try_get("", "s")
            .expect("id");
        let file = dir.0.join("backup.dump");
        let mut dump = Command::new("pg_dump");
        dump.args(["-Fc", "--snapshot", &id, "-f"])
            .arg(&file)
            .arg(&source_url);
        run(dump).await;
        let seen = digests(&held).await;
        held.rollback().await.ok();
        (file, seen)
    } else {
        let file = dir.0.join("backup.db");
        run(platform(
            &source_url,
            &["backup".as_ref(), "--out".as_ref(), file.as_os_str()],
        ))
        .await;
        let backup = Database::connect(format!("sqlite://{}?mode=ro", file.display()).as_str())
            .await
            .expect("open the backup");
        let seen = digests(&backup).await;
        backup.close().await.ok();
        (file, seen)
    };
    let backup_time = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer");
    }
    child.kill().expect("stop the server");
    child.wait().expect("reaped");
    let rate = acked.lock().unwrap().len() as f64 / writing.elapsed().as_secs_f64();
    let acked = acked.lock().unwrap().clone();
    let before: BTreeSet<String> = acked
        .iter()
        .filter(|(t, _)| *t < boundary)
        .map(|(_, n)| n.clone())
        .collect();
    assert!(
        before.len() >= 20,
        "{} writes before the backup",
        before.len()
    );

    // The restore into a fresh instance, timed until a new server answers.
    let restore_started = Instant::now();
    let (restored_url, pg_db) = if pg {
        let name = common::pg_create("sc_drill").await;
        let url = common::pg_url(&common::pg_admin(), &name);
        let mut restore = Command::new("pg_restore");
        restore.args(["--exit-on-error", "-d"]).arg(&url).arg(&file);
        run(restore).await;
        (url, Some(name))
    } else {
        let url = format!("sqlite://{}?mode=rwc", dir.0.join("restored.db").display());
        run(platform(
            &url,
            &["restore".as_ref(), "--from".as_ref(), file.as_os_str()],
        ))
        .await;
        (url, None)
    };
    let restore_time = restore_started.elapsed();
    let restored = Database::connect(restored_url.as_str())
        .await
        .expect("connect to the restored database");
    // Exactly the snapshot, table by table.
    let back = digests(&restored).await;
    let tables: BTreeSet<&String> = snapshot.keys().chain(back.keys()).collect();
    let differ: Vec<_> = tables
        .iter()
        .filter(|t| snapshot.get(**t) != back.get(**t))
        .map(|t| format!("{t}: {:?} / {:?}", snapshot.get(*t), back.get(*t)))
        .collect();
    assert!(differ.is_empty(), "restored ≠ snapshot: {differ:#?}");
    assert!(tables.len() > 50, "{} tables", tables.len());
    // Every write acknowledged before the backup began is there, with its audit row.
    let stored: BTreeMap<String, i64> = rows(
        &restored,
        "SELECT note, id FROM people WHERE note LIKE 'drill-%'",
    )
    .await
    .iter()
    .map(|r| (r.try_get("", "note").unwrap(), r.try_get("", "id").unwrap()))
    .collect();
    let lost: Vec<_> = before.iter().filter(|n| !stored.contains_key(*n)).collect();
    assert!(
        lost.is_empty(),
        "acknowledged before the backup, not restored: {lost:?}"
    );
    let audited: BTreeSet<String> = rows(
        &restored,
        "SELECT object_id FROM audit_log WHERE object_type = 'person' AND result = 'ok'",
    )
    .await
    .iter()
    .map(|r| r.try_get("", "object_id").unwrap())
    .collect();
    let unaudited: Vec<_> = stored
        .values()
        .filter(|id| !audited.contains(&id.to_string()))
        .collect();
    assert!(
        unaudited.is_empty(),
        "restored without their audit rows: {unaudited:?}"
    );
    // The evidence files: every variant's bytes as they are in the source.
    let source = evidence(&owner).await;
    let files = evidence(&restored).await;
    assert!(files.len() >= 100, "{} stored files", files.len());
    let changed: Vec<_> = files
        .iter()
        .filter(|(k, sha)| source.get(*k) != Some(*sha))
        .map(|(k, _)| k)
        .collect();
    assert!(changed.is_empty(), "files whose bytes changed: {changed:?}");
    restored.close().await.ok();
    owner.close().await.ok();

    // A new instance serves it: ready, its chain verifies, a sign-in works.
    let port2 = server::free_port();
    let conf_dir = dir.0.join("restored");
    std::fs::create_dir_all(&conf_dir).expect("a directory");
    let conf2 = server::config(&conf_dir);
    let serve_started = Instant::now();
    let mut child = server::spawn(&conf2, &restored_url, port2);
    server::ready(&http, port2, &mut child, &conf2).await;
    let rto = restore_time + serve_started.elapsed();
    let login = server::post(
        &http,
        port2,
        "/api/v1/auth/login",
        None,
        "",
        &json!({"username": "s001.principal", "password": common::PASSWORD}),
    )
    .await;
    assert_eq!(
        login.map(|l| l.0),
        Some(200),
        "a sign-in on the restored instance"
    );
    child.kill().expect("stop");
    child.wait().expect("reaped");
    let db = safecampus::storage::Db::connect(&restored_url)
        .await
        .expect("connect");
    let chain = db
        .unsafe_unscoped(&safecampus::storage::Operator::command_line())
        .verify_audit()
        .await
        .expect("verify");
    assert_eq!(chain, None, "the restored audit chain verifies");
    db.close().await;

    // The drill's record.
    let record = json!({
        "drill": "backup and restore under write load (T-DU-6)",
        "database": common::backend(),
        "at": chrono::Utc::now().to_rfc3339(),
        "writes_acknowledged": acked.len(),
        "writes_per_second": (rate * 10.0).round() / 10.0,
        "writes_before_backup": before.len(),
        "backup_seconds": backup_time.as_secs_f64(),
        "restore_seconds": restore_time.as_secs_f64(),
        "rto_seconds": rto.as_secs_f64(),
        "tables_compared": tables.len(),
        "rows_compared": back.values().map(|(n, _)| n).sum::<i64>(),
        "files_verified": files.len(),
        "audit_chain": "verified",
    });
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("drills");
    std::fs::create_dir_all(&out).expect("drills dir");
    std::fs::write(
        out.join(format!("backup-{}.json", common::backend())),
        serde_json::to_string_pretty(&record).expect("json"),
    )
    .expect("drill record");
    println!("{record:#}");
    assert!(rto < Duration::from_secs(60), "RTO {rto:?}");
    if let Some(name) = pg_db {
        common::pg_drop(&name).await;
    }
}
