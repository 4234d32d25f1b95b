//! Emergency plans over the API: the calls the plan suites share.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::TestApp;

pub fn today() -> chrono::NaiveDate {
    safecampus::storage::risk_points::today()
}

pub async fn create(app: &TestApp, t: &str, school: i64, body: Value) -> super::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/schools/{school}/emergency-plans"),
        Some(t),
        &body,
    )
    .await
}

pub async fn step(app: &TestApp, t: &str, id: i64, body: Value) -> super::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/emergency-plans/{id}/actions"),
        Some(t),
        &body,
    )
    .await
}

pub async fn ok_step(app: &TestApp, t: &str, id: i64, body: Value) -> Value {
    let r = step(app, t, id, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text());
    r.json()
}
