//! The monitoring screen's counts (`/api/v1/screen`) and its page (`/screen`), for the bureau
//! only: the counts agree with the lists they summarise (overdue hazards, the self-inspection
//! board, hazards reported and warnings raised over 30 days), a new device and its first alarm
//! move them, a city sees its districts with their schools, and school and system accounts
//! are refused. Runs on SQLite and on PostgreSQL (`SAFECAMPUS_TEST_DB=postgres`).

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate, Utc};
use common::TestApp;
use serde_json::{Value, json};

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("a count: {v}"))
}

async fn screen(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/screen", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// Warnings in the caller's scope raised on or after `since`, counted over the list's pages.
async fn warnings_since(app: &TestApp, token: &str, since: chrono::DateTime<Utc>) -> u64 {
    let mut count = 0;
    for page in 1.. {
        let r = app
            .get(
                &format!("/api/v1/warnings?per_page=200&page={page}"),
                Some(token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let items = r.json()["items"].as_array().expect("items").clone();
        if items.is_empty() {
            break;
        }
        count += items
            .iter()
            .filter(|w| {
                let at = w["raised_at"].as_str().expect("raised_at");
                chrono::DateTime::parse_from_rfc3339(at).expect("instant") >= since
            })
            .count() as u64;
    }
    count
}

#[tokio::test]
async fn the_screen_counts_what_the_lists_show() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s = screen(&app, &officer).await;

    // The district officer's screen is of 二道区 and its 42 schools.
    assert_eq!(s["org"]["name"], "二道区", "{s}");
    assert_eq!(s["org"]["level"], "district");
    let districts = s["districts"].as_array().expect("districts");
    assert_eq!(districts.len(), 1);
    assert_eq!(districts[0]["name"], "二道区");
    assert_eq!(
        districts[0]["school_ids"].as_array().expect("ids").len(),
        42
    );

    // Overdue hazards: as the hazard list counts them.
    let r = app
        .get("/api/v1/hazards?overdue=true&per_page=1", Some(&officer))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(n(&s["overdue_hazards"]), n(&r.json()["total"]));
    assert!(n(&s["overdue_hazards"]) > 0, "the demo has overdue hazards");

    // This half-month's self-inspections: as the board counts them.
    let r = app
        .get("/api/v1/self-inspection-board", Some(&officer))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let board = r.json();
    assert_eq!(s["inspections"]["period"], board["period"]);
    assert_eq!(s["inspections"]["counts"], board["counts"]);
    assert_eq!(n(&s["inspections"]["counts"]["total"]), 42);

    // The trend: 30 China days, today last; hazards reported and warnings raised in them.
    let trend = s["trend"].as_array().expect("trend").clone();
    assert_eq!(trend.len(), 30);
    let today: NaiveDate = s["today"].as_str().expect("today").parse().expect("date");
    assert_eq!(today, safecampus::clock::today());
    assert_eq!(trend[29]["day"], today.to_string());
    let first = today - Duration::days(29);
    assert_eq!(trend[0]["day"], first.to_string());
    let hazards: u64 = trend.iter().map(|d| n(&d["hazards"])).sum();
    let r = app
        .get(
            &format!("/api/v1/hazards?from={first}&per_page=1"),
            Some(&officer),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        hazards,
        n(&r.json()["total"]),
        "hazards reported in 30 days"
    );
    assert!(hazards > 0, "the demo reports hazards every month");
    let since = first.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::hours(8);
    let warnings: u64 = trend.iter().map(|d| n(&d["warnings"])).sum();
    assert_eq!(warnings, warnings_since(&app, &officer, since).await);

    // A smoke detector registered at S001: in service, offline until it reports; its first
    // alarm is today's warning and brings it online.
    let (_, token) = app
        .s001_device_named("smoke", "YG-SCR-9", "大屏计数烟感")
        .await;
    let after = screen(&app, &officer).await;
    assert_eq!(n(&after["devices"]["total"]), n(&s["devices"]["total"]) + 1);
    assert_eq!(
        n(&after["devices"]["offline"]),
        n(&s["devices"]["offline"]) + 1,
        "a device that never reported is offline"
    );
    app.ingest(
        &token,
        json!([{"id": "scr-9", "at": Utc::now().to_rfc3339(),
        "metric": "smoke", "value": 1}]),
    )
    .await;
    let alarmed = screen(&app, &officer).await;
    assert_eq!(
        n(&alarmed["devices"]["offline"]),
        n(&s["devices"]["offline"]),
        "online once it reported"
    );
    assert_eq!(
        n(&alarmed["trend"][29]["warnings"]),
        n(&s["trend"][29]["warnings"]) + 1,
        "today's warnings"
    );

    // Another district's officer counts none of it.
    let nanguan = app.login("nanguan.officer").await;
    let ng = screen(&app, &nanguan).await;
    assert_eq!(ng["org"]["name"], "南关区");
    assert_eq!(n(&ng["inspections"]["counts"]["total"]), 2);
    let ng_warnings: u64 = ng["trend"]
        .as_array()
        .expect("trend")
        .iter()
        .map(|d| n(&d["warnings"]))
        .sum();
    assert_eq!(ng_warnings, warnings_since(&app, &nanguan, since).await);
}

#[tokio::test]
async fn a_city_sees_its_districts_and_schools_are_refused() {
    let mut app = TestApp::new().await;
    let city = app.login("city.officer").await;
    let s = screen(&app, &city).await;
    assert_eq!(s["org"]["level"], "city");
    let districts: Vec<(String, usize)> = s["districts"]
        .as_array()
        .expect("districts")
        .iter()
        .map(|d| {
            (
                d["name"].as_str().expect("name").to_string(),
                d["school_ids"].as_array().expect("ids").len(),
            )
        })
        .collect();
    assert_eq!(
        districts,
        vec![("二道区".to_string(), 42), ("南关区".to_string(), 2)]
    );
    assert_eq!(n(&s["inspections"]["counts"]["total"]), 44);

    // The bureau's roles open the screen and find it in their menu; schools and system
    // accounts do not.
    for who in ["city.officer", "bureau.leader", "bureau.inspector"] {
        let t = app.login(who).await;
        let r = app.get("/screen", Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.text());
        assert!(r.text().contains("数据大屏"), "{who}");
        let r = app.get("/schools", Some(&t)).await;
        assert!(r.text().contains("href=\"/screen\""), "{who}'s menu");
    }
    for who in ["s001.principal", "s001.safety", "sysadmin", "auditadmin"] {
        let t = app.login(who).await;
        for path in ["/api/v1/screen", "/screen"] {
            let r = app.get(path, Some(&t)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} {path}");
        }
    }
    let t = app.login("s001.principal").await;
    let r = app.get("/schools", Some(&t)).await;
    assert!(!r.text().contains("href=\"/screen\""), "a school's menu");

    // In English.
    let r = app
        .request(
            Method::GET,
            "/screen",
            Some(&city),
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("Monitoring screen"), "{html}");
    assert!(html.contains("Changchun"), "the city's English name");
}
