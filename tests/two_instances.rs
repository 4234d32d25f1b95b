//! Two instances of the platform on one database, as a city runs them behind a load
//! balancer: a warning raised through one appears on the other's live stream (PostgreSQL's
//! `LISTEN/NOTIFY`; a SQLite file is served by one instance), a lockout earned on one holds on
//! the other, a job is claimed by one runner of the two, and a change made through one is seen
//! at once in the other's cached lists (the data version is the database's).

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Utc;
use common::{PASSWORD, TestApp};
use futures_util::StreamExt;
use safecampus::config::Config;
use safecampus::storage::Operator;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;
use tower::ServiceExt;

/// The app and a second instance (its own pools, its own process state) on its database.
async fn two() -> (TestApp, TestApp) {
    let a = TestApp::new().await;
    let url = a.state.config().database_url.clone();
    let b = TestApp::on_database(&url, Config::default()).await;
    (a, b)
}

fn at(secs_ago: i64) -> String {
    (Utc::now() - chrono::Duration::seconds(secs_ago)).to_rfc3339()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warning_raised_through_one_instance_reaches_the_others_stream() {
    if common::backend() != "postgres" {
        // One instance serves a SQLite file: there is no other instance to reach.
        return;
    }
    let (mut a, mut b) = two().await;
    let (_, device) = a.s001_device("smoke", "YG-2I-01").await;
    let officer = b.login("bureau.officer").await;
    let req = Request::builder()
        .method(Method::GET)
        .uri("/api/v1/warnings/stream")
        .header(header::AUTHORIZATION, format!("Bearer {officer}"))
        .body(Body::empty())
        .unwrap();
    let res = b.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body().into_data_stream();
    let first = tokio::time::timeout(Duration::from_secs(5), body.next())
        .await
        .expect("the stream opens")
        .expect("a first event")
        .expect("bytes");
    assert!(String::from_utf8_lossy(&first).contains("event: open"));
    // The second instance's listener started with its pool; give its LISTEN a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let report = a
        .ingest(
            &device,
            json!([
                {"id": "2i-1", "at": at(30), "metric": "smoke", "value": 0.0},
                {"id": "2i-2", "at": at(20), "metric": "smoke", "value": 1.0}
            ]),
        )
        .await;
    assert_eq!(report["accepted"], 2, "{report}");

    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains("smoke.smoke.red") {
        match tokio::time::timeout_at(deadline, body.next()).await {
            Ok(Some(Ok(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            other => panic!("no warning reached the other instance's stream: {other:?} {seen}"),
        }
    }
    assert!(seen.contains("event: warning"), "{seen}");
}

#[tokio::test]
async fn a_lockout_earned_on_one_instance_holds_on_the_other() {
    let (a, b) = two().await;
    let max = Config::default().security.max_failures;
    for _ in 0..max {
        assert_eq!(
            login_as(&a, "s001.staff", "Wrong#Pass2021").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_as(&b, "s001.staff", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the pause holds on the other instance"
    );
    // Another account from the same address is not paused.
    assert_eq!(login_as(&b, "s001.guard", PASSWORD).await, StatusCode::OK);
}

async fn login_as(app: &TestApp, user: &str, password: &str) -> StatusCode {
    let body = json!({"username": user, "password": password});
    app.json(Method::POST, "/api/v1/auth/login", None, &body)
        .await
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_job_is_claimed_by_one_instance() {
    let (a, b) = two().await;
    let now = Utc::now();
    let setup = a.db.jobs(&Operator::command_line(), "setup".into());
    for i in 0..30 {
        setup
            .enqueue("test", &format!("2i:{i}"), json!({}), now)
            .await
            .unwrap();
    }
    let mut handles = Vec::new();
    for (name, db) in [("a", a.db.clone()), ("b", b.db.clone())] {
        handles.push(tokio::spawn(async move {
            let r = db.jobs(&Operator::command_line(), name.into());
            let mut got = Vec::new();
            while let Some(j) = r.claim(Utc::now()).await.expect("claim") {
                got.push(j.key.clone());
            }
            got
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let unique: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(all.len(), 30, "every job claimed once: {all:?}");
    assert_eq!(unique.len(), 30);
}

#[tokio::test]
async fn a_change_through_one_instance_is_seen_in_the_others_cached_list() {
    let (mut a, mut b) = two().await;
    let principal = b.login("s001.principal").await;
    let before = b.get("/api/v1/hazards", Some(&principal)).await.json()["total"]
        .as_u64()
        .expect("total");
    // Read twice: the second answer comes from the second instance's cache.
    b.get("/api/v1/hazards", Some(&principal)).await;
    let s001 = a.org_id("S001").await;
    let staff = a.login("s001.staff").await;
    let r = a
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/hazards"),
            Some(&staff),
            &json!({"title": "围墙裂缝", "description": "北侧", "aspect": "environment",
                    "category": "校舍"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let after = b.get("/api/v1/hazards", Some(&principal)).await.json()["total"]
        .as_u64()
        .expect("total");
    assert_eq!(after, before + 1);
}
