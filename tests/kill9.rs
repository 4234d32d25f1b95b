//! T-DU-2: the server killed with SIGKILL under write load loses no acknowledged write and
//! stores none twice. The real binary serves a copy of the demo database; eight clients add
//! people as fast as it takes them, each write with its own `Idempotency-Key`, and retry a
//! write whose answer they did not get (connection refused or cut, 503) with the same key
//! until it is answered; the server is killed five times at random after 1–5 s and started
//! again. Afterwards every acknowledged write is there exactly once, no write is there twice,
//! the database is sound (SQLite: `integrity_check`, `foreign_key_check`) and the audit chain
//! verifies. On PostgreSQL the database also ends all the server's connections once a round
//! (T-DU-2p, `pg_terminate_backend`): writes resume within 10 s without a restart.
//! `SAFECAMPUS_KILL9_ROUNDS` sets the number of kills (20 for the soak run, `scripts/soak.sh`).
//! Also the replies themselves: a replay answers the first answer, a key on another request 422.

mod common;

use common::server::{self, Http, free_port, ready, spawn};
use common::{PASSWORD, TestApp};
use rand::Rng;
use safecampus::storage::Operator;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What a client's write ended as, once answered.
#[derive(Debug)]
struct Acked {
    key: String,
    id: String,
}

/// The clients' shared state: when to stop, and the writes acknowledged so far.
#[derive(Default)]
struct Run {
    stop: AtomicBool,
    acks: AtomicUsize,
}

/// Waits until the clients' acknowledged writes pass `from`; the time it took.
async fn progress(run: &Run, from: usize) -> Duration {
    let start = Instant::now();
    while run.acks.load(Ordering::Relaxed) <= from {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "writes did not resume"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    start.elapsed()
}

/// A client: writes until told to stop, each write retried with its key until answered.
async fn client(
    http: Http,
    port: u16,
    token: String,
    path: String,
    n: usize,
    run: Arc<Run>,
) -> (Vec<Acked>, usize) {
    let (mut acked, mut in_doubt) = (Vec::new(), 0);
    let mut i = 0;
    while !run.stop.load(Ordering::Relaxed) {
        i += 1;
        let key = format!("kill9-{n}-{i}");
        let body = json!({"name": format!("K{n}-{i}"), "post": "teacher", "note": key});
        let mut retried = false;
        loop {
            match common::server::post(&http, port, &path, Some(&token), &key, &body).await {
                Some((200, j)) => {
                    let id = j["id"].to_string();
                    acked.push(Acked { key, id });
                    run.acks.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Some((409, j)) if j["error"]["code"] == "already_applied" => {
                    let id = j["object"]["id"].as_str().unwrap_or("").to_string();
                    acked.push(Acked { key, id });
                    run.acks.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                // Another request of the same key is still in the database's hands.
                Some((409, _)) | Some((503, _)) | None => {
                    retried = true;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Some((s, j)) => panic!("write {key}: {s} {j}"),
            }
        }
        in_doubt += usize::from(retried);
    }
    (acked, in_doubt)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill9_no_acked_loss() {
    let rounds: usize = std::env::var("SAFECAMPUS_KILL9_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut app = TestApp::new().await;
    let url = app.owner_url();
    let s001 = app.org_id("S001").await;
    let dir = common::tempdir::Dir::new();
    let conf: PathBuf = common::server::config(&dir.0);
    let port = free_port();
    let http: Http = common::server::http();
    let path = format!("/api/v1/schools/{s001}/people");
    let mut tokens = Vec::new();
    for _ in 0..8 {
        let r = app
            .json(
                http::Method::POST,
                "/api/v1/auth/login",
                None,
                &json!({"username": "s001.principal", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        tokens.push(r.json()["token"].as_str().unwrap().to_string());
    }

    let raw = app.raw().await;
    server::durable_commits(&raw).await;
    let mut child = spawn(&conf, &url, port);
    ready(&http, port, &mut child, &conf).await;
    let run = Arc::new(Run::default());
    let clients: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(n, t)| tokio::spawn(client(http.clone(), port, t, path.clone(), n, run.clone())))
        .collect();
    let (mut restarts, mut reconnects) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let wait = rand::rng().random_range(1000..5000);
        tokio::time::sleep(Duration::from_millis(wait / 2)).await;
        if common::backend() == "postgres" {
            // The database ends the server's connections (as a crashed backend or a failover
            // would); the server reconnects by itself.
            raw.execute_unprepared(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .await
            .expect("end the backends");
            let from = run.acks.load(Ordering::Relaxed);
            reconnects.push(progress(&run, from).await);
        }
        tokio::time::sleep(Duration::from_millis(wait / 2)).await;
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        child = spawn(&conf, &url, port);
        restarts.push(ready(&http, port, &mut child, &conf).await);
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    run.stop.store(true, Ordering::Relaxed);
    let (mut acked, mut in_doubt) = (Vec::new(), 0);
    for c in clients {
        let (a, d) = c.await.expect("client");
        acked.extend(a);
        in_doubt += d;
    }

    // Every acknowledged write exactly once, none twice.
    let raw = app.raw().await;
    let rows = raw
        .query_all_raw(sea_orm::Statement::from_string(
            raw.get_database_backend(),
            "SELECT note, COUNT(*) AS n FROM people WHERE note LIKE 'kill9-%' GROUP BY note",
        ))
        .await
        .expect("count");
    let stored: BTreeMap<String, i64> = rows
        .iter()
        .map(|r| (r.try_get("", "note").unwrap(), r.try_get("", "n").unwrap()))
        .collect();
    let twice: Vec<_> = stored.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "stored twice: {twice:?}");
    let lost: Vec<_> = acked
        .iter()
        .filter(|a| !stored.contains_key(&a.key))
        .collect();
    assert!(lost.is_empty(), "acknowledged, not stored: {lost:?}");
    assert!(
        acked.iter().all(|a| !a.id.is_empty()),
        "every acknowledgement names its person"
    );
    let floor = 100 * rounds;
    assert!(
        acked.len() >= floor,
        "{} writes acknowledged, fewer than {floor}",
        acked.len()
    );

    // The replies: a replay is the first answer; the key on another request is refused.
    let token = app.login("s001.principal").await;
    let body = json!({"name": "重放", "post": "teacher", "note": "replay"});
    let first = common::server::post(&http, port, &path, Some(&token), "replay-1", &body)
        .await
        .expect("answered");
    assert_eq!(first.0, 200, "{first:?}");
    let again = common::server::post(&http, port, &path, Some(&token), "replay-1", &body)
        .await
        .expect("answered");
    assert_eq!(
        again, first,
        "a replay answers what the first request answered"
    );
    let zones = format!("/api/v1/schools/{s001}/zones");
    let reused = common::server::post(&http, port, &zones, Some(&token), "replay-1", &json!({}))
        .await
        .expect("answered");
    assert_eq!(reused.0, 422, "{reused:?}");
    assert_eq!(reused.1["error"]["fields"][0]["field"], "Idempotency-Key");
    let bad = common::server::post(&http, port, &path, Some(&token), "空 格", &body).await;
    assert_eq!(bad.map(|b| b.0), Some(422));

    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    if common::backend() == "sqlite" {
        for (check, want) in [
            ("PRAGMA integrity_check", Some("ok")),
            ("PRAGMA foreign_key_check", None),
        ] {
            let rows = raw
                .query_all_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Sqlite,
                    check,
                ))
                .await
                .expect(check);
            match want {
                Some(w) => {
                    let got: String = rows[0].try_get_by_index(0).unwrap();
                    assert_eq!(got, w, "{check}");
                }
                None => assert!(rows.is_empty(), "{check}: {} rows", rows.len()),
            }
        }
    }
    assert_eq!(
        app.db
            .unsafe_unscoped(&Operator::command_line())
            .verify_audit()
            .await
            .expect("verify"),
        None,
        "the audit chain verifies"
    );
    let slowest = restarts.iter().max().copied().unwrap_or_default();
    println!(
        "kill9: {rounds} kills, {} writes acknowledged ({} after a retry), {} stored, slowest restart to ready {:?}",
        acked.len(),
        in_doubt,
        stored.len(),
        slowest
    );
    assert!(
        slowest <= Duration::from_secs(5),
        "ready again within 5 s: {restarts:?}"
    );
    if let Some(worst) = reconnects.iter().max() {
        println!(
            "kill9: the database ended the server's connections {} times; writes resumed within {worst:?}",
            reconnects.len()
        );
        assert!(
            *worst <= Duration::from_secs(10),
            "writes resume within 10 s of the connections' end: {reconnects:?}"
        );
    }
}
