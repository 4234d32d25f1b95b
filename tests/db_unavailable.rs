//! T-DU-5 (SQLite): another process holds the database's write lock longer than the busy
//! timeout. A write then answers 503 with `Retry-After` (no hang, no 500, nothing half
//! written); reads go on (WAL); once the lock is gone the same write succeeds without a
//! restart. PostgreSQL's outage is the soak's (it needs the server stopped).

mod common;
use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_lock_held_elsewhere_is_a_503_then_writes_resume() {
    if common::backend() == "postgres" {
        return;
    }
    let mut app = TestApp::new().await;
    let t = app.login("s001.principal").await;
    let school = app.org_id("S001").await;
    let url = app.state.config().database_url.clone();
    let file = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // Another process's writer: an open IMMEDIATE transaction holds the write lock.
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(&file).expect("open");
        c.execute_batch("BEGIN IMMEDIATE").expect("lock");
        locked_tx.send(()).unwrap();
        held_rx.recv().ok();
        c.execute_batch("ROLLBACK").expect("release");
    });
    locked_rx.recv().unwrap();

    let people = format!("/api/v1/schools/{school}/people");
    let started = Instant::now();
    let r = app
        .json(
            Method::POST,
            &people,
            Some(&t),
            &json!({"name": "锁住时", "post": "teacher", "phone": "13800003333"}),
        )
        .await;
    let waited = started.elapsed();
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.header("retry-after"), "5");
    assert_eq!(r.json()["error"]["code"], "unavailable");
    assert!(waited < Duration::from_secs(30), "no hang: {waited:?}");
    // Reads go on meanwhile.
    let r = app.get(&people, Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains("锁住时"), "nothing half written");

    held_tx.send(()).unwrap();
    holder.join().unwrap();
    let r = app
        .json(
            Method::POST,
            &people,
            Some(&t),
            &json!({"name": "解锁后", "post": "teacher", "phone": "13800003333"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(app.get(&people, Some(&t)).await.text().contains("解锁后"));
}
