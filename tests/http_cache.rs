//! The response cache of the most-read lists and pages (`web::cache`) and the data version it
//! keys on (`storage::data_version`): every table but the unversioned ones carries the
//! version's trigger; a business write raises the version, a device's event does not; every
//! cached route answers byte for byte what an uncached instance on the same database answers,
//! before and after writes made through either instance, for callers of every level; an
//! answer is never another caller's; `If-None-Match` with the current validator gets a `304`,
//! and a write makes it stale. Runs on SQLite and on PostgreSQL (`SAFECAMPUS_TEST_DB=postgres`).

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use safecampus::config::Config;
use safecampus::storage::data_version::{UNVERSIONED, tables, triggered_tables};
use safecampus::web::cache::ROUTES;
use serde_json::json;

/// The app (cache on) and a second instance on the same database with the cache off.
async fn pair() -> (TestApp, TestApp) {
    let app = TestApp::new().await;
    let mut off = Config::default();
    off.cache.enabled = false;
    let url = app.state.config().database_url.clone();
    let plain = TestApp::on_database(&url, off).await;
    (app, plain)
}

/// Every cached route with the ids of school `school` filled in.
fn paths(school: i64) -> Vec<String> {
    let mut out = Vec::new();
    for r in ROUTES {
        let p = r.replace("{id}", &school.to_string());
        out.push(p.clone());
        if p.starts_with("/api/v1/hazards") {
            out.push(format!("{p}?status=open&per_page=5"));
            out.push(format!("{p}?page=2"));
        }
    }
    out
}

async fn same_answers(app: &TestApp, plain: &TestApp, token: &str, school: i64, when: &str) {
    for p in paths(school) {
        let first = app.get(&p, Some(token)).await;
        let again = app.get(&p, Some(token)).await;
        let fresh = plain.get(&p, Some(token)).await;
        assert_eq!(first.status, fresh.status, "{when} {p}");
        assert_eq!(again.status, fresh.status, "{when} {p}");
        if fresh.status != StatusCode::OK {
            continue;
        }
        assert_eq!(first.text(), fresh.text(), "{when} {p}: first answer");
        assert_eq!(again.text(), fresh.text(), "{when} {p}: kept answer");
        assert_eq!(
            first.header("content-type"),
            again.header("content-type"),
            "{when} {p}"
        );
    }
}

#[tokio::test]
async fn every_table_but_the_unversioned_carries_the_trigger() {
    let app = TestApp::new().await;
    let url = app.owner_url();
    let conn = sea_orm::Database::connect(url.as_str())
        .await
        .expect("connect");
    let all = tables(&conn).await.expect("tables");
    assert!(all.len() > 50, "{all:?}");
    let expected: Vec<String> = all
        .into_iter()
        .filter(|t| !UNVERSIONED.contains(&t.as_str()))
        .collect();
    assert_eq!(triggered_tables(&conn).await.expect("triggers"), expected);
}

#[tokio::test]
async fn the_cached_routes_are_registered_gets() {
    let app = TestApp::new().await;
    let cached: Vec<&str> = app
        .routes
        .iter()
        .filter(|r| r.cached)
        .map(|r| r.path)
        .collect();
    for r in ROUTES {
        assert!(cached.contains(r), "{r} is not a registered GET route");
    }
    assert_eq!(cached.len(), ROUTES.len(), "{cached:?}");
    assert!(
        app.routes
            .iter()
            .filter(|r| r.cached)
            .all(|r| r.method == Method::GET)
    );
}

#[tokio::test]
async fn every_cached_route_answers_as_an_uncached_instance_before_and_after_writes() {
    let (mut app, plain) = pair().await;
    let s001 = app.org_id("S001").await;
    let n001 = app.org_id("N001").await;
    let users = [
        ("city.officer", s001),
        ("bureau.officer", s001),
        ("s001.principal", s001),
        ("s001.staff", s001),
        ("n001.principal", n001),
    ];
    let mut tokens = Vec::new();
    for (u, school) in users {
        tokens.push((app.login(u).await, school));
    }
    for (t, school) in &tokens {
        same_answers(&app, &plain, t, *school, "before").await;
    }

    // A hazard reported through the cached instance, another through the uncached one.
    let v0 = app.db.data_version().await.expect("version");
    let staff = app.login("s001.staff").await;
    for (via, title) in [(&app, "楼梯扶手松动"), (&plain, "消防通道堆放杂物")] {
        let r = via
            .json(
                Method::POST,
                &format!("/api/v1/schools/{s001}/hazards"),
                Some(&staff),
                &json!({"title": title, "description": "东侧", "aspect": "things",
                        "category": "校舍"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let v1 = app.db.data_version().await.expect("version");
    assert!(v1 > v0, "a business write raises the version ({v0} → {v1})");
    for (t, school) in &tokens {
        same_answers(&app, &plain, t, *school, "after").await;
    }
    let principal = app.login("s001.principal").await;
    let list = app
        .get("/api/v1/hazards?per_page=100", Some(&principal))
        .await
        .json();
    let titles: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|h| h["title"].as_str())
        .collect();
    assert!(titles.contains(&"楼梯扶手松动") && titles.contains(&"消防通道堆放杂物"));
}

#[tokio::test]
async fn an_answer_is_never_another_callers() {
    let (mut app, _plain) = pair().await;
    let a = app.login("s001.principal").await;
    let b = app.login("n001.principal").await;
    let ha = app.get("/api/v1/hazards", Some(&a)).await.json();
    let hb = app.get("/api/v1/hazards", Some(&b)).await.json();
    let schools = |j: &serde_json::Value| -> Vec<i64> {
        let mut s: Vec<i64> = j["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|h| h["school_id"].as_i64())
            .collect();
        s.dedup();
        s
    };
    let s001 = app.org_id("S001").await;
    let n001 = app.org_id("N001").await;
    assert!(
        schools(&ha).iter().all(|s| *s == s001),
        "{:?}",
        schools(&ha)
    );
    assert!(
        schools(&hb).iter().all(|s| *s == n001),
        "{:?}",
        schools(&hb)
    );
    // Another school's page stays 404 however often it was answered to its own principal.
    let own = format!("/schools/{s001}");
    assert_eq!(app.get(&own, Some(&a)).await.status, StatusCode::OK);
    assert_eq!(app.get(&own, Some(&b)).await.status, StatusCode::NOT_FOUND);
    // The language is part of the key.
    let zh = app
        .request(
            Method::GET,
            "/hazards",
            Some(&a),
            None,
            vec![],
            &[("accept-language", "zh-CN")],
        )
        .await;
    let en = app
        .request(
            Method::GET,
            "/hazards",
            Some(&a),
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await;
    assert_ne!(zh.text(), en.text());
    assert!(en.text().contains("lang=\"en\""), "{}", &en.text()[..200]);
}

#[tokio::test]
async fn a_validator_holds_until_the_data_changes() {
    let (mut app, _plain) = pair().await;
    let t = app.login("bureau.officer").await;
    let first = app.get("/api/v1/hazards", Some(&t)).await;
    let tag = first.header("etag");
    assert!(tag.starts_with("W/\""), "{tag:?}");
    let again = app
        .request(
            Method::GET,
            "/api/v1/hazards",
            Some(&t),
            None,
            vec![],
            &[("if-none-match", &tag)],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // Another caller's validator is not this caller's.
    let other = app.login("city.officer").await;
    let theirs = app
        .request(
            Method::GET,
            "/api/v1/hazards",
            Some(&other),
            None,
            vec![],
            &[("if-none-match", &tag)],
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    // A write makes it stale.
    let s001 = app.org_id("S001").await;
    let staff = app.login("s001.staff").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/hazards"),
            Some(&staff),
            &json!({"title": "配电室门锁损坏", "description": "门锁", "aspect": "things",
                    "category": "校舍"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let after = app
        .request(
            Method::GET,
            "/api/v1/hazards",
            Some(&t),
            None,
            vec![],
            &[("if-none-match", &tag)],
        )
        .await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(after.header("etag"), tag);
    assert_eq!(
        after.json()["total"].as_u64(),
        first.json()["total"].as_u64().map(|n| n + 1)
    );
}

#[tokio::test]
async fn a_devices_event_does_not_raise_the_version() {
    let mut app = TestApp::new().await;
    let (_, token) = app.s001_device("smoke", "CACHE-YG-1").await;
    let v0 = app.db.data_version().await.expect("version");
    let at = chrono::Utc::now().to_rfc3339();
    app.ingest(
        &token,
        json!([{"id": "c1", "at": at, "metric": "smoke", "value": 0.0}]),
    )
    .await;
    let v1 = app.db.data_version().await.expect("version");
    assert_eq!(
        v0, v1,
        "an ordinary reading leaves the business data as it was"
    );
}
