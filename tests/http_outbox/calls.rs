//! The API calls the tests make, and the job loop run until the outbox is drained.

use super::common::TestApp;
use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use safecampus::config::{Config, HazardRules};
use safecampus::storage::Operator;
use serde_json::{Value, json};

/// Registers a device of `kind` at S001 (as its safety director); answers its token.
pub async fn device(app: &mut TestApp, kind: &str, code: &str) -> String {
    let t = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/devices"),
            Some(&t),
            &json!({"code": code, "kind": kind, "name": format!("测试{code}")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_string()
}

/// Sends readings (`(id, seconds ago, metric, value)`); answers how long the ingest took.
pub async fn ingest(app: &TestApp, token: &str, events: &[(&str, i64, &str, f64)]) -> f64 {
    let events: Vec<Value> = events
        .iter()
        .map(|(id, ago, metric, value)| {
            let at = (Utc::now() - Duration::seconds(*ago)).to_rfc3339();
            json!({"id": id, "at": at, "metric": metric, "value": value})
        })
        .collect();
    let started = std::time::Instant::now();
    let r = app
        .request(
            Method::POST,
            "/api/v1/ingest",
            None,
            Some("application/json"),
            serde_json::to_vec(&json!({ "events": events })).unwrap(),
            &[("authorization", &format!("Device {token}"))],
        )
        .await;
    let took = started.elapsed().as_secs_f64();
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    took
}

/// Creates a channel as `who`; answers it.
pub async fn channel(app: &mut TestApp, who: &str, body: Value) -> Value {
    let t = app.login(who).await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/notification-channels",
            Some(&t),
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

/// Runs the jobs until no outbox job is pending, making each retry due at once.
pub async fn drain(app: &TestApp) {
    let runner = app
        .db
        .jobs(&Operator::command_line(), "t".into())
        .with_outbox(app.state.config());
    for _ in 0..12 {
        runner.run_due(&HazardRules::default()).await.unwrap();
        let pending = runner
            .recent(500)
            .await
            .unwrap()
            .into_iter()
            .filter(|(kind, _, status, _)| kind == "outbox" && status == "pending")
            .count();
        if pending == 0 {
            return;
        }
        sql(
            app,
            "UPDATE jobs SET run_at = '2000-01-01T00:00:00+00:00' \
             WHERE kind = 'outbox' AND status = 'pending'",
        )
        .await;
    }
    panic!("outbox jobs still pending");
}

async fn sql(app: &TestApp, statement: &str) {
    use sea_orm::ConnectionTrait;
    let raw = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    raw.execute_unprepared(statement).await.expect(statement);
    raw.close().await.ok();
}

pub async fn deliveries(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/notification-deliveries?per_page=200&{query}"),
            Some(token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

pub async fn newest_warning(app: &mut TestApp) -> Value {
    let t = app.login("s001.principal").await;
    let r = app.get("/api/v1/warnings?per_page=1", Some(&t)).await;
    r.json()["items"][0].clone()
}

pub fn config(smtp_port: u16) -> Config {
    let mut c = Config::default();
    c.outbox.smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    c.outbox.from = "alarm@safecampus.test".into();
    c.public_url = Some("http://safecampus.test/".into());
    c
}
