//! The early warning's ingest and warnings (F-WARN-2/3/4) over HTTP: a device sends readings
//! with its token; bad events are refused one by one with a reason while the good ones are
//! kept; a batch sent twice (or twice at once) stores every event once; thresholds raise
//! warnings at their edges, after their duration, and clear past their hysteresis; one open
//! warning per source, subject and rule; the lifecycle's steps, its illegal steps and its
//! history; escalation to the district and the city; the rules as the bureau's configuration.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::TestApp;
use serde_json::{Value, json};

async fn device(app: &mut TestApp, kind: &str, code: &str) -> (i64, String) {
    app.s001_device(kind, code).await
}

async fn ingest_raw(app: &TestApp, auth: &str, body: Vec<u8>) -> common::Resp {
    app.ingest_raw(auth, body).await
}

async fn ingest(app: &TestApp, token: &str, events: Value) -> Value {
    app.ingest(token, events).await
}

fn at(secs_ago: i64) -> String {
    (Utc::now() - Duration::seconds(secs_ago)).to_rfc3339()
}

fn ev(id: &str, secs_ago: i64, metric: &str, value: f64) -> Value {
    json!({"id": id, "at": at(secs_ago), "metric": metric, "value": value})
}

async fn warnings_of(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/warnings?{query}"), Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// The open warnings of a device (the subject `device:<id>`).
async fn open_of(app: &TestApp, token: &str, device: i64) -> Vec<Value> {
    let v = warnings_of(app, token, "open=true&per_page=200").await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["subject"] == format!("device:{device}"))
        .cloned()
        .collect()
}

async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> common::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/warnings/{id}/actions"),
        Some(token),
        &body,
    )
    .await
}

#[tokio::test]
async fn a_smoke_alarm_raises_one_red_warning_that_is_followed_to_resolution() {
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "smoke", "YG-T-01").await;
    let principal = app.login("s001.principal").await;
    let report = ingest(
        &app,
        &token,
        json!([ev("a1", 30, "smoke", 0.0), ev("a2", 20, "smoke", 1.0)]),
    )
    .await;
    assert_eq!(report["accepted"], 2);
    assert_eq!(report["duplicates"], 0);
    assert_eq!(report["rejected"], json!([]));
    let open = open_of(&app, &principal, dev).await;
    assert_eq!(open.len(), 1, "{open:?}");
    let w = &open[0];
    assert_eq!(w["level"], "red");
    assert_eq!(w["status"], "raised");
    assert_eq!(w["source"], "device");
    assert_eq!(w["rule"], "smoke.smoke.red");
    assert_eq!(w["escalated_to"], json!(["district", "city"]));
    let id = w["id"].as_i64().unwrap();

    // A second alarm while it is open repeats it; it does not multiply.
    ingest(
        &app,
        &token,
        json!([ev("a3", 15, "smoke", 0.0), ev("a4", 10, "smoke", 1.0)]),
    )
    .await;
    let open = open_of(&app, &principal, dev).await;
    assert_eq!(
        open.len(),
        1,
        "one open warning per source, subject and rule"
    );
    assert_eq!(open[0]["id"], id);
    assert_eq!(open[0]["repeats"], 1);
    assert!(
        open[0]["cleared_at"].is_null(),
        "the condition came back: no longer cleared"
    );

    // The device's page shows what it sent.
    let d = app
        .get(&format!("/api/v1/devices/{dev}"), Some(&principal))
        .await
        .json();
    assert_eq!(d["online"], true);
    assert_eq!(d["last_values"]["smoke"], 1.0);

    // Notified: the school's managers, the district's officers, the city's.
    for who in [
        "s001.principal",
        "s001.safety",
        "bureau.officer",
        "city.officer",
    ] {
        let t = app.login(who).await;
        let inbox = app.get("/api/v1/inbox?limit=200", Some(&t)).await.json();
        let found = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "warning_raised" && n["link"] == format!("/warnings/{id}"));
        assert!(found, "{who} was told: {inbox}");
    }
    let nanguan = app.login("nanguan.officer").await;
    let r = app
        .get(&format!("/api/v1/warnings/{id}"), Some(&nanguan))
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "another district's warning"
    );
    let s002 = app.login("s002.principal").await;
    assert_eq!(
        app.get(&format!("/api/v1/warnings/{id}"), Some(&s002))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let listed = warnings_of(&app, &s002, "per_page=200").await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["id"] != id),
        "another school's list"
    );

    // Illegal steps answer 409, missing fields 422, and change nothing.
    let r = act(
        &app,
        &principal,
        id,
        json!({"action": "resolve", "note": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = act(&app, &principal, id, json!({"action": "dispatch"})).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "raised cannot be dispatched"
    );
    let staff = app.login("s001.staff").await;
    let r = act(&app, &staff, id, json!({"action": "acknowledge"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "staff read warnings only");

    let r = act(&app, &principal, id, json!({"action": "acknowledge"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "acknowledged");
    let guard_id = app.user_id("s001.guard").await;
    let other_school_user = app.user_id("s002.guard").await;
    let r = act(
        &app,
        &principal,
        id,
        json!({"action": "dispatch", "user_id": other_school_user}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = act(
        &app,
        &principal,
        id,
        json!({"action": "dispatch", "user_id": guard_id}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["assignee_id"], guard_id);
    let guard = app.login("s001.guard").await;
    let inbox = app.get("/api/v1/inbox?limit=50", Some(&guard)).await.json();
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "warning_dispatched"),
        "{inbox}"
    );
    let r = act(&app, &guard, id, json!({"action": "resolve", "note": "  "})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a blank note");
    let r = act(
        &app,
        &guard,
        id,
        json!({"action": "resolve", "note": "三楼走廊烟感误触，已复位"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let done = r.json();
    assert_eq!(done["status"], "resolved");
    assert!(done["closed_at"].is_string());
    let steps: Vec<&str> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "raise",
            "clear",
            "repeat",
            "acknowledge",
            "dispatch",
            "resolve"
        ]
    );
    assert_eq!(done["history"][5]["note"], "三楼走廊烟感误触，已复位");
    assert!(done["history"][3]["user_name"].as_str().is_some());
    for step in ["acknowledge", "resolve", "false_alarm"] {
        let r = act(
            &app,
            &principal,
            id,
            json!({"action": step, "note": "n", "reason": "r"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{step} after resolve");
    }
    let audit = app.audit("action=warning.resolve").await;
    assert!(!audit.is_empty(), "the steps are audited");

    // After it is resolved, the next alarm raises a new warning.
    ingest(
        &app,
        &token,
        json!([ev("a5", 5, "smoke", 0.0), ev("a6", 4, "smoke", 1.0)]),
    )
    .await;
    let open = open_of(&app, &principal, dev).await;
    assert_eq!(open.len(), 1);
    assert_ne!(open[0]["id"], id);
    let r = act(
        &app,
        &principal,
        open[0]["id"].as_i64().unwrap(),
        json!({"action": "false_alarm"}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is needed"
    );
    let r = act(
        &app,
        &principal,
        open[0]["id"].as_i64().unwrap(),
        json!({"action": "false_alarm", "reason": "测试按钮"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "false_alarm");
}

#[tokio::test]
async fn a_batch_sent_twice_or_twice_at_once_is_stored_once() {
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "electrical_fire", "DH-T-01").await;
    let events: Vec<Value> = (0..100)
        .map(|i| {
            ev(
                &format!("e{i}"),
                200 - i,
                "residual_current_ma",
                50.0 + i as f64,
            )
        })
        .collect();
    let first = ingest(&app, &token, json!(events)).await;
    assert_eq!(first["accepted"], 100);
    let again = ingest(&app, &token, json!(events)).await;
    assert_eq!(again["accepted"], 0);
    assert_eq!(again["duplicates"], 100);

    let more: Vec<Value> = (100..160)
        .map(|i| ev(&format!("e{i}"), 60, "residual_current_ma", 10.0))
        .collect();
    let body = serde_json::to_vec(&json!({ "events": more })).unwrap();
    let auth = format!("Device {token}");
    let (a, b) = tokio::join!(
        ingest_raw(&app, &auth, body.clone()),
        ingest_raw(&app, &auth, body.clone())
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(b.status, StatusCode::OK, "{}", b.text());
    let (a, b) = (a.json(), b.json());
    assert_eq!(
        a["accepted"].as_u64().unwrap() + b["accepted"].as_u64().unwrap(),
        60,
        "{a} {b}"
    );
    assert_eq!(
        a["duplicates"].as_u64().unwrap() + b["duplicates"].as_u64().unwrap(),
        60
    );
    // The same id twice within one batch.
    let r = ingest(
        &app,
        &token,
        json!([ev("z", 5, "heartbeat", 1.0), ev("z", 5, "heartbeat", 1.0)]),
    )
    .await;
    assert_eq!(
        (r["accepted"].as_u64(), r["duplicates"].as_u64()),
        (Some(1), Some(1))
    );
    let _ = dev;
}

#[tokio::test]
async fn bad_events_are_refused_one_by_one_and_kept_for_the_device_page() {
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "gas", "RQ-T-01").await;
    let report = ingest(
        &app,
        &token,
        json!([
            ev("ok1", 10, "gas_lel_pct", 3.0),
            {"id": "f", "at": at(-600), "metric": "gas_lel_pct", "value": 1},
            {"id": "o", "at": at(4 * 24 * 3600), "metric": "gas_lel_pct", "value": 1},
            {"id": "k", "at": at(1), "metric": "smoke", "value": 1},
            {"id": "r", "at": at(1), "metric": "gas_lel_pct", "value": 101},
            {"id": "n", "at": at(1), "metric": "gas_lel_pct", "value": "high"},
            {"id": "u", "at": at(1), "metric": "gas_lel_pct", "value": 1, "extra": true},
            {"at": at(1), "metric": "gas_lel_pct", "value": 1},
            "not an object",
            ev("ok2", 5, "gas_lel_pct", 4.0),
        ]),
    )
    .await;
    assert_eq!(report["accepted"], 2, "{report}");
    let reasons: Vec<(u64, &str)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [
            (1, "in_future"),
            (2, "too_old"),
            (3, "metric_not_for_kind"),
            (4, "out_of_range"),
            (5, "not_a_number"),
            (6, "unknown_field"),
            (7, "missing_id"),
            (8, "not_an_object"),
        ]
    );
    let safety = app.login("s001.safety").await;
    let kept = app
        .get(&format!("/api/v1/devices/{dev}/rejections"), Some(&safety))
        .await
        .json();
    assert_eq!(kept.as_array().unwrap().len(), 8, "{kept}");
    assert!(
        kept.as_array()
            .unwrap()
            .iter()
            .any(|r| r["reason"] == "in_future" && r["event_id"] == "f")
    );

    // Whole bodies: empty, too many, not a batch, too large; each 4xx with the envelope.
    let auth = format!("Device {token}");
    let r = ingest_raw(&app, &auth, br#"{"events": []}"#.to_vec()).await;
    common::expect(&r, 422, "invalid");
    let many: Vec<Value> = (0..1001)
        .map(|i| ev(&format!("m{i}"), 1, "heartbeat", 1.0))
        .collect();
    let r = ingest_raw(
        &app,
        &auth,
        serde_json::to_vec(&json!({ "events": many })).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    let r = ingest_raw(&app, &auth, b"{not json".to_vec()).await;
    common::expect(&r, 422, "invalid");
    let r = ingest_raw(&app, &auth, br#"{"events": [], "x": 1}"#.to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let big = format!(
        r#"{{"events": [{{"id": "b", "at": "{}", "metric": "heartbeat", "value": 1, "pad": "{}"}}]}}"#,
        at(1),
        "x".repeat(1024 * 1024)
    );
    let r = ingest_raw(&app, &auth, big.into_bytes()).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    let kept = app
        .get(&format!("/api/v1/devices/{dev}/rejections"), Some(&safety))
        .await
        .json();
    assert!(
        kept.as_array().unwrap().len() >= 12,
        "whole refused payloads are kept too: {kept}"
    );
}

#[tokio::test]
async fn only_a_devices_own_live_token_ingests_and_it_opens_nothing_else() {
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "smoke", "YG-T-02").await;
    let body = serde_json::to_vec(&json!({"events": [ev("t1", 1, "smoke", 0.0)]})).unwrap();
    for auth in [
        "Device wrong-token".to_string(),
        "Device ".to_string(),
        format!("Bearer {token}"),
        token.clone(),
    ] {
        let r = ingest_raw(&app, &auth, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{auth}");
    }
    let user = app.login("s001.safety").await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/ingest",
            Some(&user),
            Some("application/json"),
            body.clone(),
            &[],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a user token cannot ingest"
    );
    // The device token opens no other route.
    for path in [
        "/api/v1/warnings",
        &format!("/api/v1/devices/{dev}"),
        "/api/v1/me",
    ] {
        let r = app
            .request(
                Method::GET,
                path,
                None,
                None,
                vec![],
                &[("authorization", &format!("Device {token}"))],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // Rotated: the old token stops working; revoked: none works.
    let new = app
        .request(
            Method::POST,
            &format!("/api/v1/devices/{dev}/token"),
            Some(&user),
            None,
            vec![],
            &[],
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = ingest_raw(&app, &format!("Device {token}"), body.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = ingest_raw(&app, &format!("Device {new}"), body.clone()).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/devices/{dev}"),
            Some(&user),
            &json!({"revoked": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = ingest_raw(&app, &format!("Device {new}"), body).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn thresholds_raise_at_their_edge_after_their_duration_and_clear_past_hysteresis() {
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "electrical_fire", "DH-T-02").await;
    let p = app.login("s001.principal").await;
    let rc = "residual_current_ma";
    // Just below the orange edge (300 mA, 10 s): nothing, however long.
    ingest(
        &app,
        &token,
        json!([ev("b1", 100, rc, 299.9), ev("b2", 60, rc, 299.9)]),
    )
    .await;
    assert!(open_of(&app, &p, dev).await.is_empty());
    // At the edge, but not for 10 s yet: nothing.
    ingest(
        &app,
        &token,
        json!([ev("b3", 59, rc, 300.0), ev("b4", 51, rc, 300.0)]),
    )
    .await;
    assert!(open_of(&app, &p, dev).await.is_empty(), "9 s is not 10 s");
    // A dip resets the clock; 10 s at the edge raises.
    ingest(
        &app,
        &token,
        json!([
            ev("b5", 50, rc, 120.0),
            ev("b6", 49, rc, 300.0),
            ev("b7", 39, rc, 300.0)
        ]),
    )
    .await;
    let open = open_of(&app, &p, dev).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["level"], "orange");
    assert_eq!(
        open[0]["rule"],
        "electrical_fire.residual_current_ma.orange"
    );
    // Inside the hysteresis band (30 mA) it stays; at threshold − hysteresis it clears, and
    // an orange warning waits for a person.
    ingest(&app, &token, json!([ev("b8", 30, rc, 280.0)])).await;
    assert!(open_of(&app, &p, dev).await[0]["cleared_at"].is_null());
    ingest(&app, &token, json!([ev("b9", 20, rc, 270.0)])).await;
    let open = open_of(&app, &p, dev).await;
    assert_eq!(open.len(), 1, "red and orange are resolved by a person");
    assert!(open[0]["cleared_at"].is_string(), "{open:?}");

    // A yellow warning is resolved by its clearing (the water level's default: 150 cm, 60 s).
    let (w, wt) = device(&mut app, "water_level", "SW-T-01").await;
    ingest(
        &app,
        &wt,
        json!([
            ev("w1", 200, "water_level_cm", 150.0),
            ev("w2", 140, "water_level_cm", 151.0)
        ]),
    )
    .await;
    let open = open_of(&app, &p, w).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["level"], "yellow");
    let id = open[0]["id"].as_i64().unwrap();
    ingest(&app, &wt, json!([ev("w3", 100, "water_level_cm", 100.0)])).await;
    assert!(open_of(&app, &p, w).await.is_empty());
    let done = app
        .get(&format!("/api/v1/warnings/{id}"), Some(&p))
        .await
        .json();
    assert_eq!(done["status"], "resolved");
    let steps: Vec<&str> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["raise", "clear", "resolve"]);
    // A yellow warning is escalated to the district, not to the city.
    assert_eq!(done["escalated_to"], json!(["district"]));
}

#[tokio::test]
async fn the_bureau_sets_its_rules_and_the_schools_work_under_them() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let rules = app.get("/api/v1/warning-rules", Some(&officer)).await;
    assert_eq!(rules.status, StatusCode::OK);
    let rules: Vec<Value> = rules.json().as_array().unwrap().clone();
    let gas = rules
        .iter()
        .find(|r| r["code"] == "gas.gas_lel_pct.orange")
        .expect("the default gas rule")
        .clone();
    assert!(gas["org_id"].is_null(), "a default");
    assert_eq!(gas["value"], 25.0);
    let id = gas["id"].as_i64().unwrap();
    // A school reads the rules; it cannot change them.
    let principal = app.login("s001.principal").await;
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/warning-rules/{id}"),
            Some(&principal),
            &json!({"value": 10}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Bad values are field errors.
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/warning-rules/{id}"),
            Some(&officer),
            &json!({"value": 1000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // The district's own value, beside the default.
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/warning-rules/{id}"),
            Some(&officer),
            &json!({"value": 10, "min_duration_s": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let own = r.json();
    assert_ne!(own["id"], id);
    assert_eq!(own["value"], 10.0);
    let ed = app.org_id("ED").await;
    assert_eq!(own["org_id"], ed);
    // The other district still works under the default, and cannot see this value.
    let nanguan = app.login("nanguan.officer").await;
    let theirs: Vec<Value> = app
        .get("/api/v1/warning-rules", Some(&nanguan))
        .await
        .json()
        .as_array()
        .unwrap()
        .clone();
    let g = theirs
        .iter()
        .find(|r| r["code"] == "gas.gas_lel_pct.orange")
        .unwrap();
    assert_eq!(g["value"], 25.0);
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/warning-rules/{}", own["id"]),
            Some(&nanguan),
            &json!({"value": 12}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // S001 (in 二道区) raises at 10 % LEL now.
    let (dev, token) = device(&mut app, "gas", "RQ-T-02").await;
    ingest(&app, &token, json!([ev("g1", 5, "gas_lel_pct", 10.0)])).await;
    let open = open_of(&app, &principal, dev).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["level"], "orange");
    let audit = app.audit("action=warning.rule").await;
    assert!(!audit.is_empty());
    // The list's filters are checked.
    let r = app
        .get("/api/v1/warnings?level=purple", Some(&officer))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let s002 = app.org_id("S002").await;
    let r = app
        .get(&format!("/api/v1/warnings?org_id={s002}"), Some(&principal))
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "another school as a filter"
    );
    let listed = warnings_of(
        &app,
        &officer,
        &format!("org_id={ed}&level=orange&open=true"),
    )
    .await;
    assert!(listed["total"].as_u64().unwrap() >= 1);
    assert!(listed["open_by_level"]["orange"].as_u64().unwrap() >= 1);
}

/// An open warnings stream: the body of `GET /api/v1/warnings/stream`, read frame by frame.
struct Stream {
    body: axum::body::BodyDataStream,
    buf: String,
}

impl Stream {
    async fn open(app: &TestApp, token: &str) -> Stream {
        use tower::ServiceExt;
        let req = axum::http::Request::builder()
            .uri("/api/v1/warnings/stream")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let res = app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let mut s = Stream {
            body: res.into_body().into_data_stream(),
            buf: String::new(),
        };
        let first = s.next_event(std::time::Duration::from_secs(2)).await;
        assert_eq!(first.map(|e| e.0), Some("open".to_string()));
        s
    }

    /// The next event (name, data) within `wait`, skipping keep-alive comments.
    async fn next_event(&mut self, wait: std::time::Duration) -> Option<(String, Value)> {
        use futures_util::StreamExt;
        let until = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..end + 2).collect();
                let mut name = String::new();
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if name.is_empty() {
                    continue;
                }
                return Some((name, serde_json::from_str(&data).unwrap_or(Value::Null)));
            }
            let chunk = tokio::time::timeout_at(until, self.body.next())
                .await
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk.ok()?));
        }
    }
}

#[tokio::test]
async fn a_schools_stream_carries_its_own_warnings_within_a_second_and_never_another_schools() {
    let mut app = TestApp::new().await;
    let (_, token) = device(&mut app, "smoke", "YG-S-01").await;
    let t = app.login("s001.principal").await;
    let mut own = Stream::open(&app, &t).await;
    let t = app.login("s002.principal").await;
    let mut sibling = Stream::open(&app, &t).await;
    let t = app.login("bureau.officer").await;
    let mut district = Stream::open(&app, &t).await;
    let t = app.login("nanguan.officer").await;
    let mut other = Stream::open(&app, &t).await;
    let sent = std::time::Instant::now();
    ingest(&app, &token, json!([ev("s1", 1, "smoke", 1.0)])).await;
    let s001 = app.org_id("S001").await;
    let mut id = 0;
    for s in [&mut own, &mut district] {
        let (name, w) = s
            .next_event(std::time::Duration::from_secs(1))
            .await
            .expect("the warning within a second");
        assert_eq!(name, "warning");
        assert_eq!(w["school_id"], s001);
        assert_eq!(w["level"], "red");
        id = w["id"].as_i64().unwrap();
    }
    assert!(sent.elapsed() < std::time::Duration::from_secs(1));
    // A step is pushed too.
    let p = app.login("s001.principal").await;
    let r = act(&app, &p, id, json!({"action": "acknowledge"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let (_, w) = own
        .next_event(std::time::Duration::from_secs(1))
        .await
        .expect("the step");
    assert_eq!(w["status"], "acknowledged");
    for s in [&mut sibling, &mut other] {
        assert!(
            s.next_event(std::time::Duration::from_millis(500))
                .await
                .is_none(),
            "another school's warning reached a stream out of its scope"
        );
    }
    // Without a session, no stream.
    let r = app.get("/api/v1/warnings/stream", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
