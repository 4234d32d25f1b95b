//! The demo's early warning: every school has its devices (bus GPS where it runs buses), all
//! heard from when the demo was seeded, past warnings in every state, and demo tokens that
//! work, so a newcomer's smoke alarm for S001 raises a red warning at once.

mod common;

use axum::http::{Method, StatusCode};
use chrono::Utc;
use common::TestApp;
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[tokio::test]
async fn every_demo_school_has_devices_and_warnings_in_every_state() {
    let mut app = TestApp::new().await;
    let city = app.login("city.officer").await;
    let schools = app
        .get("/api/v1/schools?per_page=200", Some(&city))
        .await
        .json();
    let schools: Vec<Value> = schools["items"].as_array().unwrap().clone();
    assert_eq!(schools.len(), 44);
    let mut buses = 0;
    for s in &schools {
        let id = s["id"].as_i64().unwrap();
        let devices = app
            .get(&format!("/api/v1/schools/{id}/devices"), Some(&city))
            .await
            .json();
        let devices = devices.as_array().unwrap();
        assert!(
            devices.len() >= 6,
            "{}: {} devices",
            s["code"],
            devices.len()
        );
        // Heard from when the demo was seeded (whether still online depends on the age of
        // the seeded database, which tests reuse within a day).
        assert!(
            devices
                .iter()
                .all(|d| d["last_seen_at"].is_string() && d["has_token"] == true),
            "{}: every device heard from, with a token",
            s["code"]
        );
        let gps = devices.iter().any(|d| d["kind"] == "bus_gps");
        if s["features"]["has_bus"] == true {
            assert!(gps, "{} runs buses: a bus GPS", s["code"]);
            buses += 1;
        }
    }
    assert!(buses > 0, "some demo schools run buses");
    let all = app
        .get("/api/v1/warnings?per_page=200", Some(&city))
        .await
        .json();
    let statuses: BTreeSet<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["status"].as_str().unwrap().to_string())
        .collect();
    for s in [
        "raised",
        "acknowledged",
        "dispatched",
        "resolved",
        "false_alarm",
    ] {
        assert!(statuses.contains(s), "a demo warning {s}: {statuses:?}");
    }
    assert!(all["total"].as_u64().unwrap() > 100, "a month of warnings");
}

#[tokio::test]
async fn a_smoke_alarm_with_the_demo_token_raises_a_red_warning_at_s001() {
    let mut app = TestApp::new().await;
    let body = json!({"events": [{"id": "readme-1", "at": Utc::now().to_rfc3339(), "metric": "smoke", "value": 1}]});
    let r = app
        .request(
            Method::POST,
            "/api/v1/ingest",
            None,
            Some("application/json"),
            serde_json::to_vec(&body).unwrap(),
            &[("authorization", "Device demo-s001-yg-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["accepted"], 1);
    let p = app.login("s001.principal").await;
    let open = app
        .get("/api/v1/warnings?open=true&level=red", Some(&p))
        .await
        .json();
    let red: Vec<&Value> = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["rule"] == "smoke.smoke.red")
        .collect();
    assert_eq!(red.len(), 1, "{open}");
    let inbox = app.get("/api/v1/inbox?limit=50", Some(&p)).await.json();
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "warning_raised"
                && n["link"] == format!("/warnings/{}", red[0]["id"])),
        "the principal is told"
    );
}
