//! `safecampus generate` at a small size (12 schools in 2 districts): the roll-ups agree with
//! their rows, the demo's accounts sign in with the demo's password, the pages open and list
//! only their scope's rows, the same seed gives the same rows on SQLite and PostgreSQL (run
//! with `SAFECAMPUS_TEST_DB=postgres` the app's database is PostgreSQL and the copy SQLite), and
//! a database that already holds orgs is refused.

mod common;
use axum::http::StatusCode;
use common::TestApp;
use safecampus::config::Config;
use safecampus::generate::{self, Args};
use safecampus::storage::{Db, Operator};
use sea_orm::ConnectionTrait;

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let raw = app.raw().await;
    let row = raw
        .query_one_raw(sea_orm::Statement::from_string(
            raw.get_database_backend(),
            sql,
        ))
        .await
        .expect(sql)
        .expect("a row");
    let n = row.try_get_by_index::<i64>(0).expect("a number");
    raw.close().await.ok();
    n
}

async fn small(app: &TestApp) -> generate::Summary {
    generate::run(&app.db, &Args::new(12, 2, 1), false)
        .await
        .expect("generate")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_small_city_opens_for_the_demo_accounts() {
    let mut app = TestApp::empty(Config::default()).await;
    let s = small(&app).await;
    assert_eq!(s.rows("orgs"), 1 + 2 + 12);
    for t in [
        "people",
        "users",
        "zones",
        "risk_points",
        "risk_assessments",
        "inspections",
        "inspection_items",
        "hazards",
        "hazard_events",
        "devices",
        "device_events",
    ] {
        assert!(s.rows(t) > 0, "{t} is empty");
    }
    assert_eq!(s.rows("device_events"), 12 * 5000);
    assert!(
        s.rows("risk_points") > 12 * 150,
        "{}",
        s.rows("risk_points")
    );
    assert!(s.rows("hazards") > 12 * 150, "{}", s.rows("hazards"));
    let diffs = app
        .db
        .unsafe_unscoped(&Operator::command_line())
        .verify_rollups()
        .await
        .expect("verify");
    assert!(diffs.is_empty(), "{diffs:?}");

    // Every demo account signs in with the demo's password.
    for (username, _, _) in safecampus::demo::accounts() {
        app.login(&username).await;
    }

    // The district's hazard list: all of its schools' hazards, none of the other district's.
    let t = app.login("bureau.officer").await;
    let ed = scalar(
        &app,
        "SELECT COUNT(*) FROM hazards h JOIN orgs o ON o.id = h.school_id \
         WHERE o.code LIKE 'S%'",
    )
    .await;
    let r = app.get("/api/v1/hazards?per_page=100", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["total"].as_i64(), Some(ed), "{}", j["total"]);
    let items = j["items"].as_array().expect("items");
    assert!(!items.is_empty());
    for h in items {
        let code = h["school_code"].as_str().expect("school code");
        assert!(code.starts_with('S'), "{code} is not the district's");
    }
    let id = items[0]["id"].as_i64().expect("id");
    for path in [
        "/hazards".to_string(),
        format!("/hazards/{id}"),
        format!("/api/v1/hazards/{id}"),
        "/inspections/board".into(),
        "/api/v1/self-inspection-board".into(),
        "/".into(),
        "/api/v1/home".into(),
        "/risk".into(),
        "/api/v1/risk-summary".into(),
    ] {
        let r = app.get(&path, Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    }
    // A hazard of the other district is out of scope.
    let other = scalar(
        &app,
        "SELECT MIN(h.id) FROM hazards h JOIN orgs o ON o.id = h.school_id \
         WHERE o.code LIKE 'N%'",
    )
    .await;
    let r = app.get(&format!("/api/v1/hazards/{other}"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The first school's register, board and home for its principal and the bureau.
    let s001 = scalar(&app, "SELECT id FROM orgs WHERE code = 'S001'").await;
    let points = scalar(
        &app,
        &format!("SELECT COUNT(*) FROM risk_points WHERE school_id = {s001}"),
    )
    .await;
    let p = app.login("s001.principal").await;
    for tok in [&p, &t] {
        for path in [
            format!("/schools/{s001}/risks"),
            format!("/api/v1/schools/{s001}/risk-points"),
            "/inspections/board".into(),
            "/".into(),
            "/api/v1/home".into(),
            "/hazards".into(),
        ] {
            let r = app.get(&path, Some(tok)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        }
    }
    let r = app
        .get(&format!("/api/v1/schools/{s001}/risk-points"), Some(&p))
        .await;
    let j = r.json();
    let n = j["items"]
        .as_array()
        .map(|a| a.len() as i64)
        .or_else(|| j.as_array().map(|a| a.len() as i64))
        .unwrap_or(-1);
    assert!(n > 0 && n <= points, "{n} of {points}");
    let r = app.get("/api/v1/hazards", Some(&p)).await;
    for h in r.json()["items"].as_array().expect("items") {
        assert_eq!(h["school_code"], "S001");
    }

    // The city sees both districts.
    let c = app.login("city.officer").await;
    let all = scalar(&app, "SELECT COUNT(*) FROM hazards").await;
    let r = app.get("/api/v1/hazards", Some(&c)).await;
    assert_eq!(r.json()["total"].as_i64(), Some(all));
    for path in [
        "/",
        "/api/v1/home",
        "/risk",
        "/api/v1/risk-summary",
        "/hazards",
    ] {
        let r = app.get(path, Some(&c)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_seed_gives_the_same_rows_on_either_database() {
    let app = TestApp::empty(Config::default()).await;
    small(&app).await;
    let here = generate::fingerprint(&app.db).await.expect("fingerprint");
    // The same plan into a SQLite file of its own.
    let dir = common::tempdir::Dir::new();
    let url = format!("sqlite://{}?mode=rwc", dir.0.join("copy.db").display());
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    generate::run(&db, &Args::new(12, 2, 1), false)
        .await
        .expect("generate");
    let there = generate::fingerprint(&db).await.expect("fingerprint");
    db.close().await;
    assert_eq!(here, there);
    assert!(here.iter().any(|(k, v)| k == "hazards rows" && v != "0"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_with_orgs_is_refused() {
    let app = TestApp::new().await;
    let before = app.fingerprint().await;
    let e = generate::run(&app.db, &Args::new(2, 1, 1), false)
        .await
        .expect_err("refused");
    assert!(
        matches!(e, safecampus::Error::Conflict(ref m) if m.contains("empty database")),
        "{e:?}"
    );
    assert_eq!(app.fingerprint().await, before);
}
