//! The warning sweep (a job): a device that went quiet raises an offline warning that its next
//! event clears; overdue hazards raise warnings; an acknowledged red warning left unresolved
//! past its hours opens a hazard in the closed loop, linked both ways; a second sweep changes
//! nothing.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::TestApp;
use safecampus::config::HazardRules;
use safecampus::storage::Operator;
use serde_json::{Value, json};

async fn device(app: &mut TestApp, kind: &str, code: &str) -> (i64, String) {
    app.s001_device(kind, code).await
}

async fn ingest(app: &TestApp, token: &str, id: &str, secs_ago: i64, metric: &str, value: f64) {
    let at = (Utc::now() - Duration::seconds(secs_ago)).to_rfc3339();
    let r = app
        .ingest(
            token,
            json!([{"id": id, "at": at, "metric": metric, "value": value}]),
        )
        .await;
    assert_eq!(r["accepted"], 1, "{r}");
}

/// Runs the warning sweep of the slot of `at` (a past slot, so that it is due now).
async fn sweep(app: &TestApp, at: chrono::DateTime<Utc>) {
    let r = app.db.jobs(&Operator::command_line(), "t".into());
    assert!(r.schedule_warning_sweep(at).await.unwrap(), "a new slot");
    let pass = r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!(pass.failed, 0);
    assert!(pass.done >= 1);
}

async fn warnings(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/warnings?per_page=200&{query}"),
            Some(token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

async fn sql(app: &TestApp, statement: &str) {
    use sea_orm::ConnectionTrait;
    let raw = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    raw.execute_unprepared(statement).await.expect(statement);
    raw.close().await.ok();
}

#[tokio::test]
async fn a_quiet_device_raises_an_offline_warning_that_its_next_event_clears() {
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "smoke", "YG-Q-01").await;
    let (_, never) = device(&mut app, "gas", "RQ-Q-01").await;
    let _ = never;
    // Heard from two hours ago (a smoke detector is offline after 30 minutes).
    ingest(&app, &token, "q1", 2 * 3600, "heartbeat", 1.0).await;
    let p = app.login("s001.principal").await;
    sweep(&app, Utc::now() - Duration::minutes(6)).await;
    let subject = format!("device:{dev}");
    let offline: Vec<Value> = warnings(&app, &p, "open=true")
        .await
        .into_iter()
        .filter(|w| w["rule"] == "offline" && w["subject"] == subject)
        .collect();
    assert_eq!(offline.len(), 1, "the device that went quiet: {offline:?}");
    // The device never heard from raises nothing (the demo's own devices may: they go quiet
    // as the seeded template ages).
    let never: Vec<Value> = warnings(&app, &p, "open=true")
        .await
        .into_iter()
        .filter(|w| {
            w["rule"] == "offline"
                && w["detail"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("RQ-Q-01"))
        })
        .collect();
    assert!(never.is_empty(), "{never:?}");
    assert_eq!(offline[0]["level"], "blue");
    let id = offline[0]["id"].as_i64().unwrap();
    // The next sweep does not repeat it.
    sweep(&app, Utc::now() - Duration::minutes(3)).await;
    let w = app
        .get(&format!("/api/v1/warnings/{id}"), Some(&p))
        .await
        .json();
    assert_eq!(w["repeats"], 0);
    // An event clears it, and a blue warning is resolved by that.
    ingest(&app, &token, "q2", 0, "heartbeat", 1.0).await;
    let w = app
        .get(&format!("/api/v1/warnings/{id}"), Some(&p))
        .await
        .json();
    assert_eq!(w["status"], "resolved", "{w}");
    assert!(w["cleared_at"].is_string());
}

#[tokio::test]
async fn overdue_hazards_raise_warnings_once() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let overdue = app
        .get("/api/v1/hazards?overdue=true&per_page=200", Some(&officer))
        .await
        .json();
    let n = overdue["total"].as_u64().unwrap();
    assert!(n > 0, "the demo has overdue hazards");
    sweep(&app, Utc::now() - Duration::minutes(6)).await;
    let raised = warnings(&app, &officer, "open=true&source=hazard").await;
    assert_eq!(
        raised.len() as u64,
        n,
        "one warning per overdue hazard in scope"
    );
    assert!(raised.iter().all(|w| w["rule"] == "overdue"));
    sweep(&app, Utc::now() - Duration::minutes(3)).await;
    let again = warnings(&app, &officer, "open=true&source=hazard").await;
    assert_eq!(again.len(), raised.len());
    assert!(again.iter().all(|w| w["repeats"] == 0));
}

#[tokio::test]
async fn a_red_warning_left_unresolved_opens_a_hazard_linked_both_ways() {
    let mut app = TestApp::new().await;
    let (_, token) = device(&mut app, "smoke", "YG-Q-02").await;
    ingest(&app, &token, "r1", 1, "smoke", 1.0).await;
    let p = app.login("s001.principal").await;
    let open = warnings(&app, &p, "open=true&level=red").await;
    let id = open[0]["id"].as_i64().unwrap();
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/warnings/{id}/actions"),
            Some(&p),
            &json!({"action": "acknowledge"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Not yet: acknowledged just now.
    sweep(&app, Utc::now() - Duration::minutes(6)).await;
    let w = app
        .get(&format!("/api/v1/warnings/{id}"), Some(&p))
        .await
        .json();
    assert!(w["hazard_id"].is_null());
    // Acknowledged five hours ago (red: four hours).
    let ago = (Utc::now() - Duration::hours(5)).to_rfc3339();
    sql(
        &app,
        &format!("UPDATE warnings SET acknowledged_at = '{ago}' WHERE id = {id}"),
    )
    .await;
    sweep(&app, Utc::now() - Duration::minutes(3)).await;
    let w = app
        .get(&format!("/api/v1/warnings/{id}"), Some(&p))
        .await
        .json();
    let hazard = w["hazard_id"].as_i64().expect("a hazard was opened");
    assert_eq!(
        w["history"].as_array().unwrap().last().unwrap()["step"],
        "hazard"
    );
    let h = app
        .get(&format!("/api/v1/hazards/{hazard}"), Some(&p))
        .await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.text());
    let h = h.json();
    assert_eq!(h["source"], "device_alarm");
    assert_eq!(h["status"], "reported");
    // The warning stays open for a person to resolve; a later sweep opens no second hazard.
    assert_eq!(w["status"], "acknowledged");
    sweep(&app, Utc::now()).await;
    let w2 = app
        .get(&format!("/api/v1/warnings/{id}"), Some(&p))
        .await
        .json();
    assert_eq!(w2["hazard_id"], hazard);
    let audit = app.audit("action=hazard.report").await;
    assert!(
        audit.iter().any(
            |a| a["object_id"].as_str() == Some(hazard.to_string().as_str())
                && a["username"] == "system"
        ),
        "the system's report is audited: {audit:?}"
    );
}

#[tokio::test]
async fn a_missed_self_inspection_raises_a_warning_that_a_late_one_clears() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let today = safecampus::storage::risk_points::today();
    let period = safecampus::storage::warning_sweep::last_due(today, 0).to_string();
    // S001 has not inspected the period (its inspection, if any, is moved out of it).
    sql(
        &app,
        &format!(
            "UPDATE inspections SET period = '2001-01-H1' \
             WHERE school_id = {s001} AND kind = 'half_month' AND period = '{period}'"
        ),
    )
    .await;
    let board = app
        .get(
            &format!("/api/v1/self-inspection-board?period={period}"),
            Some(&officer),
        )
        .await
        .json();
    let missing: std::collections::BTreeSet<i64> = board["schools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "missing")
        .map(|r| r["school"]["id"].as_i64().unwrap())
        .collect();
    assert!(missing.contains(&s001), "{board}");

    sweep(&app, Utc::now() - Duration::minutes(6)).await;
    let raised = warnings(&app, &officer, "open=true&source=inspection").await;
    let schools: std::collections::BTreeSet<i64> = raised
        .iter()
        .map(|w| w["school_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        schools, missing,
        "one warning per school that missed it, seen by the district"
    );
    let w = raised
        .iter()
        .find(|w| w["school_id"] == s001)
        .unwrap()
        .clone();
    assert_eq!(w["rule"], "missed_self_inspection");
    assert_eq!(w["level"], "yellow");
    assert_eq!(w["subject"], format!("school:{s001}:{period}"));
    let principal = app.login("s001.principal").await;
    let own = warnings(&app, &principal, "open=true&source=inspection").await;
    assert_eq!(own.len(), 1, "the principal sees the school's own only");
    let page = app.get("/warnings", Some(&principal)).await;
    assert!(
        page.text().contains("半月自查逾期未提交"),
        "the list names it"
    );

    // A second sweep changes nothing.
    sweep(&app, Utc::now() - Duration::minutes(3)).await;
    let again = warnings(&app, &officer, "open=true&source=inspection").await;
    assert_eq!(again.len(), raised.len());
    assert!(again.iter().all(|w| w["repeats"] == 0));

    // The inspection arrives late: the next sweep clears and resolves the yellow warning.
    sql(
        &app,
        &format!(
            "UPDATE inspections SET period = '{period}' \
             WHERE school_id = {s001} AND period = '2001-01-H1'"
        ),
    )
    .await;
    let any = app
        .get(
            &format!("/api/v1/self-inspection-board?period={period}"),
            Some(&officer),
        )
        .await
        .json();
    let inspected = any["schools"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["school"]["id"] == s001 && r["status"] != "missing");
    if !inspected {
        // The demo had none for S001 in that period: file one as the school would, late.
        sql(
            &app,
            &format!(
                "UPDATE inspections SET period = '{period}' WHERE id = \
                 (SELECT MIN(id) FROM inspections WHERE school_id = {s001} AND kind = 'half_month')"
            ),
        )
        .await;
    }
    sweep(&app, Utc::now()).await;
    let w = app
        .get(&format!("/api/v1/warnings/{}", w["id"]), Some(&officer))
        .await
        .json();
    assert_eq!(w["status"], "resolved", "{w}");
    assert!(w["cleared_at"].is_string());
    let after = warnings(&app, &officer, "open=true&source=inspection").await;
    assert_eq!(after.len(), raised.len() - 1);
}
