//! The school risk index (F-WARN-3): counted from risk grades, open and overdue hazards,
//! missed half-month self-inspections and open warnings; weighted by configuration; scoped
//! like every list.

mod common;

use axum::http::StatusCode;
use chrono::Utc;
use common::TestApp;
use safecampus::config::Config;
use serde_json::{Value, json};

async fn index(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/risk-index?{query}"), Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn school(list: &Value, id: i64) -> &Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["school_id"] == id)
        .expect("the school is listed")
}

async fn smoke_alarm(app: &mut TestApp) {
    let (_, token) = app.s001_device("smoke", "YG-I-01").await;
    let at = Utc::now().to_rfc3339();
    app.ingest(
        &token,
        json!([{"id": "i1", "at": at, "metric": "smoke", "value": 1}]),
    )
    .await;
}

#[tokio::test]
async fn every_school_gets_an_index_from_what_the_platform_saw() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let before = index(&app, &officer, "").await;
    let items = before["items"].as_array().unwrap();
    assert_eq!(items.len(), 42, "every school of 二道区");
    let mut last = 101;
    for i in items {
        let v = i["index"].as_i64().unwrap();
        assert!((0..=100).contains(&v));
        assert!(v <= last, "riskiest first");
        last = v;
        assert!(["red", "orange", "yellow", "blue"].contains(&i["level"].as_str().unwrap()));
        for part in ["grades", "hazards", "overdue", "missed_checks", "warnings"] {
            let p = i["parts"][part].as_f64().unwrap();
            assert!((0.0..=100.0).contains(&p), "{part} {p}");
        }
    }
    // The hazards part counts what the hazard list counts.
    let s = school(&before, s001);
    let open = app
        .get(
            &format!("/api/v1/hazards?school_id={s001}&status=open&per_page=1"),
            Some(&officer),
        )
        .await
        .json();
    let overdue = app
        .get(
            &format!("/api/v1/hazards?school_id={s001}&overdue=true&per_page=1"),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(s["inputs"]["overdue_hazards"], overdue["total"]);
    assert!(s["inputs"]["open_hazards"].as_u64() <= open["total"].as_u64());
    assert_eq!(s["inputs"]["checks_due"], 6);
    // The grades part counts the school's active points by grade, as the summary does
    // (重大 red, 较大 orange, 一般 yellow).
    let summary = app.get("/api/v1/risk-summary", Some(&officer)).await.json();
    let row = summary
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["org"]["id"] == s001)
        .expect("S001 in the summary");
    for (input, grade) in [
        ("red_points", "major"),
        ("orange_points", "significant"),
        ("yellow_points", "general"),
    ] {
        assert_eq!(s["inputs"][input], row["counts"][grade], "{input}");
    }
    assert!(
        s["inputs"]["orange_points"].as_u64() > Some(0),
        "the demo school has 较大 points"
    );
    assert_eq!(s["inputs"]["points"], row["total"]);
    // A red warning raises S001's index.
    smoke_alarm(&mut app).await;
    let after = index(&app, &officer, "").await;
    let s2 = school(&after, s001);
    assert_eq!(s2["inputs"]["open_red_warnings"], 1);
    assert!(s2["parts"]["warnings"].as_f64() > s["parts"]["warnings"].as_f64());
    assert!(s2["index"].as_i64() >= s["index"].as_i64());
    // A principal sees the own school only; another school is not found.
    let p = app.login("s001.principal").await;
    let own = index(&app, &p, "").await;
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    let s002 = app.org_id("S002").await;
    let r = app
        .get(&format!("/api/v1/risk-index?org_id={s002}"), Some(&p))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The city sees both districts' schools.
    let city = app.login("city.officer").await;
    let all = index(&app, &city, "").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 44);
}

#[tokio::test]
async fn the_weights_are_configuration() {
    let mut config = Config::default();
    let w = &mut config.warnings.index_weights;
    w.grades = 0.0;
    w.hazards = 0.0;
    w.overdue = 0.0;
    w.missed_checks = 0.0;
    w.warnings = 1.0;
    let mut app = TestApp::with_config(config).await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let quiet = index(&app, &officer, "").await;
    for i in quiet["items"].as_array().unwrap() {
        assert_eq!(
            i["index"].as_f64().unwrap().round(),
            i["parts"]["warnings"].as_f64().unwrap().round(),
            "only warnings weigh: {i}"
        );
    }
    // S001 starts with the demo's open bus-speeding warning (orange) and nothing else.
    let before = school(&quiet, s001)["index"].as_f64().unwrap();
    smoke_alarm(&mut app).await;
    let loud = index(&app, &officer, "").await;
    let s = school(&loud, s001);
    assert_eq!(
        s["index"].as_f64().unwrap().round(),
        s["parts"]["warnings"].as_f64().unwrap().round()
    );
    assert!(
        s["index"].as_f64().unwrap() > before,
        "the alarm raises the index: {before} → {s}"
    );
    assert_eq!(loud["items"][0]["school_id"], s001, "the riskiest first");
}
