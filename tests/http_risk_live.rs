//! The live risk picture (F-WARN-3) over HTTP: a warning on a device placed in a zone and at a
//! risk point marks that zone on the school's four-colour map (over its colour, which stays)
//! and the school on the district map, only there, until the warning is resolved or closed as
//! a false alarm. Runs on SQLite, and on PostgreSQL with `SAFECAMPUS_TEST_DB=postgres`. In
//! Chromium on a phone (390 px), an open map page follows the warnings by itself; its
//! screenshots go to `artifacts/screenshots/`.

mod common;

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::TestApp;
use fantoccini::Locator;
use serde_json::{Value, json};

/// The red of a red (Ⅰ) warning's mark: the same red as the four colours'.
const RED: &str = "#E53935";

async fn get_ok(app: &TestApp, path: &str, t: &str) -> String {
    let r = app.get(path, Some(t)).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.text()
}

async fn campus_svg(app: &TestApp, t: &str, school: i64) -> String {
    let path = format!("/api/v1/schools/{school}/risk-map.svg");
    let r = app.get(&path, Some(t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), "image/svg+xml; charset=utf-8");
    r.text()
}

/// The warning mark of a zone on a campus map (its `<g class="alert">`), by the zone's code.
fn zone_mark(svg: &str, code: &str) -> Option<String> {
    let at = svg.find(&format!("<g class=\"alert\" data-code=\"{code}\""))?;
    let rest = &svg[at..];
    Some(rest[..rest.find("</g>").unwrap()].to_string())
}

/// The fill of a zone's rectangle (its risk grade's colour).
fn zone_fill(svg: &str, code: &str) -> String {
    let at = svg
        .find(&format!("<rect class=\"zone\" data-code=\"{code}\""))
        .expect("the zone is drawn");
    let tag = &svg[at..at + svg[at..].find("/>").unwrap()];
    let f = tag.find(" fill=\"").unwrap() + 7;
    tag[f..f + tag[f..].find('"').unwrap()].to_string()
}

/// A school's group on a district map, by its code.
fn school_group(svg: &str, code: &str) -> String {
    let at = svg
        .find(&format!("<g class=\"school\" data-code=\"{code}\""))
        .expect("the school is on the map");
    let rest = &svg[at + 1..];
    let end = rest.find("<g class=\"school\"").unwrap_or(rest.len());
    rest[..end].to_string()
}

/// The fill of a school's dot (its highest risk grade's colour).
fn marker_fill(group: &str) -> String {
    let m = &group[group.find("class=\"marker\"").expect("a marker")..];
    let f = m.find(" fill=\"").unwrap() + 7;
    m[f..f + m[f..].find('"').unwrap()].to_string()
}

/// The level of a school's ring, if it has one.
fn ring_level(group: &str) -> Option<String> {
    let tag = "<g class=\"alert-ring\" data-level=\"";
    let at = group.find(tag)? + tag.len();
    Some(group[at..at + group[at..].find('"').unwrap()].to_string())
}

/// A drawn zone of S001 with active risk points in it and no mark yet: (zone, a point of it).
async fn quiet_zone(app: &TestApp, t: &str, school: i64, svg: &str) -> (Value, i64) {
    let zones = app
        .get(&format!("/api/v1/schools/{school}/zones"), Some(t))
        .await
        .json();
    let points = app
        .get(&format!("/api/v1/schools/{school}/risk-points"), Some(t))
        .await
        .json();
    let points = points["items"].as_array().unwrap();
    for z in zones.as_array().unwrap() {
        let drawn = z["w"].as_i64().unwrap_or(0) > 0 && z["h"].as_i64().unwrap_or(0) > 0;
        let code = z["code"].as_str().unwrap();
        if !drawn || zone_mark(svg, code).is_some() {
            continue;
        }
        if let Some(p) = points.iter().find(|p| p["zone_id"] == z["id"]) {
            return (z.clone(), p["id"].as_i64().unwrap());
        }
    }
    panic!("S001 has a drawn zone with points and no warning");
}

/// Registers a smoke detector at S001 (as its safety director): (id, token).
async fn smoke_detector(app: &mut TestApp, code: &str, place: Value) -> (i64, String) {
    let t = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let mut body = json!({"code": code, "kind": "smoke", "name": format!("烟感{code}")});
    body.as_object_mut()
        .unwrap()
        .extend(place.as_object().unwrap().clone());
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/devices"),
            Some(&t),
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    (
        v["id"].as_i64().unwrap(),
        v["token"].as_str().unwrap().to_string(),
    )
}

/// Sends a smoke alarm (clear, then smoke) from a device; answers its open warning's id.
async fn smoke_alarm(app: &mut TestApp, token: &str, device: i64) -> i64 {
    let at = |s: i64| (Utc::now() - Duration::seconds(s)).to_rfc3339();
    let body = json!({"events": [
        {"id": format!("d{device}-1"), "at": at(20), "metric": "smoke", "value": 0.0},
        {"id": format!("d{device}-2"), "at": at(10), "metric": "smoke", "value": 1.0},
    ]});
    let auth = format!("Device {token}");
    let r = app
        .request(
            Method::POST,
            "/api/v1/ingest",
            None,
            Some("application/json"),
            serde_json::to_vec(&body).unwrap(),
            &[("authorization", auth.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = app.login("s001.principal").await;
    let open = app
        .get("/api/v1/warnings?open=true&per_page=200", Some(&t))
        .await
        .json();
    let w = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["subject"] == format!("device:{device}"))
        .expect("the alarm raised a warning")
        .clone();
    assert_eq!(w["level"], "red");
    w["id"].as_i64().unwrap()
}

async fn act(app: &TestApp, t: &str, id: i64, body: Value) {
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/warnings/{id}/actions"),
            Some(t),
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text());
}

#[tokio::test]
async fn a_smoke_alarm_marks_its_zone_and_school_until_it_is_resolved() {
    let mut app = TestApp::new().await;
    let (s001, s002) = (app.org_id("S001").await, app.org_id("S002").await);
    let safety = app.login("s001.safety").await;
    let principal = app.login("s001.principal").await;
    let bureau = app.login("bureau.officer").await;

    let before = campus_svg(&app, &safety, s001).await;
    let (zone, point) = quiet_zone(&app, &safety, s001, &before).await;
    let code = zone["code"].as_str().unwrap().to_string();
    assert!(zone_mark(&before, &code).is_none(), "no mark before");
    assert!(
        before.contains("未解除的预警"),
        "the legend explains the mark"
    );
    let district_before = get_ok(&app, "/api/v1/risk-map.svg", &bureau).await;
    let ring_before = ring_level(&school_group(&district_before, "S001"));
    let s002_before = campus_svg(&app, &bureau, s002).await;

    let (dev, token) = smoke_detector(
        &mut app,
        "YG-LIVE-01",
        json!({"zone_id": zone["id"], "risk_point_id": point}),
    )
    .await;
    let id = smoke_alarm(&mut app, &token, dev).await;

    // The zone is marked red, its four colours left as they are; the badge names the warning.
    let after = campus_svg(&app, &safety, s001).await;
    let mark = zone_mark(&after, &code).expect("the zone is marked");
    assert!(mark.contains("data-level=\"red\""), "{mark}");
    assert!(mark.contains(&format!("stroke=\"{RED}\"")), "{mark}");
    assert_eq!(zone_fill(&after, &code), zone_fill(&before, &code));
    assert!(
        after.contains("红色预警 · YG-LIVE-01 · smoke = 1 ≥ 1"),
        "the tooltip names the warning"
    );
    assert!(after.contains(&format!("href=\"/warnings/{id}\"")));
    // The bureau sees the same mark, in English too.
    let en = app
        .request(
            Method::GET,
            &format!("/api/v1/schools/{s001}/risk-map.svg"),
            Some(&bureau),
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await
        .text();
    assert!(zone_mark(&en, &code).is_some());
    assert!(en.contains("Red (I) · YG-LIVE-01 · smoke = 1 ≥ 1"));
    assert!(en.contains("Open warning"), "the legend in English");

    // The map page shows the map and lists the warning with its zone and point.
    let page = get_ok(&app, &format!("/schools/{s001}/risk-map"), &principal).await;
    assert!(zone_mark(&page, &code).is_some(), "the page's map");
    assert!(page.contains(&format!("data-warning-id=\"{id}\" data-level=\"red\"")));
    assert!(page.contains(zone["name"].as_str().unwrap()));
    assert!(
        page.contains("risk-live.js"),
        "the page follows the warnings"
    );
    assert!(page.contains("data-live-map"));

    // The district map rings S001 red, its dot's colour kept; the city's rings its district.
    let district = get_ok(&app, "/api/v1/risk-map.svg", &bureau).await;
    let group = school_group(&district, "S001");
    assert_eq!(ring_level(&group).as_deref(), Some("red"), "{group}");
    assert!(group.contains("未解除预警"), "the tooltip counts: {group}");
    // The ring is drawn over the dot, never instead of it: the dot keeps the colour of the
    // school's risk index band (which counts open warnings too).
    let index: Value =
        serde_json::from_str(&get_ok(&app, "/api/v1/risk-index", &bureau).await).expect("json");
    let s001_level = index["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["school_id"] == s001)
        .map(|i| i["level"].as_str().unwrap().to_string())
        .expect("S001's index");
    let band = match s001_level.as_str() {
        "red" => RED,
        "orange" => "#FB8C00",
        "yellow" => "#FDD835",
        _ => "#1E88E5",
    };
    assert_eq!(marker_fill(&group), band, "the dot keeps its risk colour");
    let overview = get_ok(&app, "/risk", &bureau).await;
    assert_eq!(
        ring_level(&school_group(&overview, "S001")).as_deref(),
        Some("red")
    );
    let city = app.login("city.officer").await;
    let city_map = get_ok(&app, "/api/v1/risk-map.svg", &city).await;
    assert_eq!(
        ring_level(&school_group(&city_map, "ED")).as_deref(),
        Some("red")
    );

    // Only there: another school's map, another district's map.
    let s002_after = campus_svg(&app, &bureau, s002).await;
    assert_eq!(s002_after, s002_before, "another school's map is unchanged");
    assert!(!s002_after.contains("YG-LIVE-01"));
    let nanguan = app.login("nanguan.officer").await;
    let other = get_ok(&app, "/api/v1/risk-map.svg", &nanguan).await;
    assert!(!other.contains("data-code=\"S001\""));
    let s002_user = app.login("s002.principal").await;
    let r = app
        .get(
            &format!("/api/v1/schools/{s001}/risk-map.svg"),
            Some(&s002_user),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Acknowledged, the warning is still open: still marked. Resolved: the marks are gone.
    act(&app, &principal, id, json!({"action": "acknowledge"})).await;
    assert!(zone_mark(&campus_svg(&app, &safety, s001).await, &code).is_some());
    act(
        &app,
        &principal,
        id,
        json!({"action": "resolve", "note": "探头积尘误报，已清洁复位"}),
    )
    .await;
    let resolved = campus_svg(&app, &safety, s001).await;
    assert!(
        zone_mark(&resolved, &code).is_none(),
        "the zone's mark is gone"
    );
    assert_eq!(resolved, before, "the map is as it was");
    let district = get_ok(&app, "/api/v1/risk-map.svg", &bureau).await;
    assert_eq!(ring_level(&school_group(&district, "S001")), ring_before);
    let page = get_ok(&app, &format!("/schools/{s001}/risk-map"), &principal).await;
    assert!(!page.contains(&format!("data-warning-id=\"{id}\"")));
}

#[tokio::test]
async fn a_device_at_a_risk_point_marks_the_points_zone_until_closed_as_a_false_alarm() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let before = campus_svg(&app, &safety, s001).await;
    let (zone, point) = quiet_zone(&app, &safety, s001, &before).await;
    let code = zone["code"].as_str().unwrap().to_string();

    // Placed at the point only: the point's zone is marked.
    let (dev, token) =
        smoke_detector(&mut app, "YG-LIVE-02", json!({"risk_point_id": point})).await;
    let id = smoke_alarm(&mut app, &token, dev).await;
    let after = campus_svg(&app, &safety, s001).await;
    let mark = zone_mark(&after, &code).expect("the point's zone is marked");
    assert!(mark.contains("data-level=\"red\""));

    let principal = app.login("s001.principal").await;
    act(
        &app,
        &principal,
        id,
        json!({"action": "false_alarm", "reason": "消防演练测试触发"}),
    )
    .await;
    let closed = campus_svg(&app, &safety, s001).await;
    assert!(zone_mark(&closed, &code).is_none(), "closed: no mark");
    assert_eq!(closed, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_map_page_follows_the_warnings_on_a_phone() {
    use harness::*;
    use std::time::{Duration as Wait, Instant};
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let before = campus_svg(&app, &safety, s001).await;
    let (zone, point) = quiet_zone(&app, &safety, s001, &before).await;
    let code = zone["code"].as_str().unwrap().to_string();
    let (dev, token) = smoke_detector(
        &mut app,
        "YG-LIVE-03",
        json!({"zone_id": zone["id"], "risk_point_id": point}),
    )
    .await;

    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.principal").await;
    let page = format!("/schools/{s001}/risk-map");
    visit(c, base, &page, Locator::Css("#risk-map svg")).await;
    wait_for(c, Locator::Css("#map-live:not([hidden])")).await;
    let mark = format!("#risk-map g.alert[data-code=\"{code}\"]");
    assert!(c.find(Locator::Css(&mark)).await.is_err(), "no mark yet");

    // The alarm: the zone is marked on the open page within about a second, and listed.
    let sent = Instant::now();
    let id = smoke_alarm(&mut app, &token, dev).await;
    let limit = Wait::from_millis(1500);
    loop {
        if c.find(Locator::Css(&mark)).await.is_ok() {
            break;
        }
        assert!(
            sent.elapsed() < limit,
            "the mark did not come within {limit:?}"
        );
        tokio::time::sleep(Wait::from_millis(20)).await;
    }
    println!("marked {:?} after the alarm was sent", sent.elapsed());
    let row = format!("#risk-map-warnings tr[data-warning-id=\"{id}\"]");
    let listed = text(c, &row).await;
    assert!(listed.contains("YG-LIVE-03"), "{listed}");
    assert!(listed.contains(zone["name"].as_str().unwrap()), "{listed}");
    let (scroll, inner) = widths(c).await;
    assert!(
        scroll <= inner + 1.0,
        "the page scrolls sideways: {scroll} > {inner}"
    );
    screenshot_page(c, "risk-map-live-390.png").await;

    // Resolved (through the API, by the safety director): the mark goes by itself.
    act(&app, &safety, id, json!({"action": "acknowledge"})).await;
    act(
        &app,
        &safety,
        id,
        json!({"action": "resolve", "note": "探头积尘误报，已清洁复位"}),
    )
    .await;
    let resolved = Instant::now();
    loop {
        if c.find(Locator::Css(&mark)).await.is_err() {
            break;
        }
        assert!(
            resolved.elapsed() < limit,
            "the mark stayed after {limit:?}"
        );
        tokio::time::sleep(Wait::from_millis(20)).await;
    }
    assert!(
        c.find(Locator::Css(&row)).await.is_err(),
        "no longer listed"
    );
    h.finish("an_open_map_page_follows_the_warnings_on_a_phone")
        .await;
}
