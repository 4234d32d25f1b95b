mod common;
use common::{expect, fields};

// Inspections over HTTP: checklists from the risk register, submissions stored whole or not
// at all, failed items opening hazards pre-filled from their point, the half-month board
// (on time / late / missing / open, per district for the city), campaigns seen only by the
// schools they target, cross-inspections (never the inspector's own school; the assigned
// inspector may read and submit for the target school, everyone else gets 404), scope and the
// .xlsx export.
//
// The submission time is the server's clock and cannot be set through the API, so `late` and
// `missing` are made with a half-month long past (2020-01-H1): a submission for it now is
// late, a school without one is missing; the current half-month gives `on_time` and `open`
// (grace days 0: the current half is due at its last day, never before today). The pure
// status function is tested with dates in `storage::inspections::period`.

use axum::http::{Method, StatusCode};
use common::TestApp;
use safecampus::xlsx::{Limits, read_first_sheet};
use serde_json::{Value, json};

const PAST: &str = "2020-01-H1";

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

async fn me(app: &mut TestApp, user: &str) -> i64 {
    let t = app.login(user).await;
    app.get("/api/v1/me", Some(&t)).await.json()["id"]
        .as_i64()
        .expect("id")
}

async fn checklist(app: &mut TestApp, user: &str, school: i64, q: &str) -> Value {
    let t = app.login(user).await;
    let r = app
        .get(&format!("/api/v1/schools/{school}/checklist?{q}"), Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn inspections_of(app: &mut TestApp, school: i64) -> usize {
    let t = app.login("city.officer").await;
    let r = app
        .get(&format!("/api/v1/schools/{school}/inspections"), Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json().as_array().expect("list").len()
}

async fn post(app: &mut TestApp, user: &str, path: &str, body: &Value) -> common::Resp {
    let t = app.login(user).await;
    app.json(Method::POST, path, Some(&t), body).await
}

/// All rows of a checklist passed, as submission items.
fn all_pass(c: &Value) -> Vec<Value> {
    c["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| json!({"risk_point_id": i["risk_point_id"], "result": "pass"}))
        .collect()
}

#[tokio::test]
async fn checklist_comes_from_the_schools_active_points() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let reg = app
        .get(&format!("/api/v1/schools/{s001}/risk-points"), Some(&t))
        .await
        .json();
    let c = checklist(&mut app, "s001.safety", s001, "kind=half_month").await;
    assert_eq!(c["kind"], "half_month");
    assert_eq!(c["period"], Value::from(period_of(today())));
    let items = c["items"].as_array().expect("items");
    // The half-month takes every point checked monthly or more often; semester and yearly
    // points belong to the term and yearly sweeps.
    let due: Vec<&Value> = reg["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            ["daily", "weekly", "half_month", "monthly"]
                .contains(&p["check_frequency"].as_str().unwrap())
        })
        .collect();
    assert_eq!(items.len(), due.len());
    assert!(items.len() < reg["total"].as_u64().unwrap() as usize);
    assert!(!items.is_empty());
    // Every row is one of the school's points, with its check items as the prompt.
    for i in items {
        let p = reg["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == i["risk_point_id"])
            .expect("a point of the register");
        assert_eq!(p["check_items"], i["check_items"]);
        assert_eq!(p["zone_id"], i["zone_id"]);
        assert_eq!(p["aspect"], i["aspect"]);
    }
    // Grouped: rows with a zone come first, ordered by zone name.
    let zones: Vec<Option<String>> = items
        .iter()
        .map(|i| i["zone_name"].as_str().map(String::from))
        .collect();
    let mut sorted = zones.clone();
    sorted.sort_by_key(|z| (z.is_none(), z.clone()));
    assert_eq!(zones, sorted);

    // Daily post checks: only the points checked daily.
    let daily = checklist(&mut app, "s001.guard", s001, "kind=daily").await;
    let expected = reg["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["check_frequency"] == "daily")
        .count();
    assert_eq!(daily["items"].as_array().unwrap().len(), expected);
    assert!(
        daily["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["check_frequency"] == "daily")
    );
    // One point (the QR check).
    let one = items[0]["risk_point_id"].as_i64().unwrap();
    let c1 = checklist(
        &mut app,
        "s001.guard",
        s001,
        &format!("kind=daily&risk_point_id={one}"),
    )
    .await;
    assert_eq!(c1["items"].as_array().unwrap().len(), 1);
    assert_eq!(c1["items"][0]["risk_point_id"], one);

    // Unknown kind and another school's point.
    let r = app
        .get(
            &format!("/api/v1/schools/{s001}/checklist?kind=monthly"),
            Some(&t),
        )
        .await;
    expect(&r, 422, "invalid");
    let s002 = app.org_id("S002").await;
    let other = checklist(&mut app, "s002.safety", s002, "").await["items"][0]["risk_point_id"]
        .as_i64()
        .unwrap();
    let r = app
        .get(
            &format!("/api/v1/schools/{s001}/checklist?risk_point_id={other}"),
            Some(&t),
        )
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["risk_point_id"]);
}

fn period_of(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!(
        "{:04}-{:02}-H{}",
        d.year(),
        d.month(),
        if d.day() <= 15 { 1 } else { 2 }
    )
}

#[tokio::test]
async fn a_submission_is_stored_whole_or_not_at_all() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let c = checklist(&mut app, "s001.safety", s001, "kind=half_month").await;
    let other =
        checklist(&mut app, "s002.safety", s002, "").await["items"][0]["risk_point_id"].clone();
    let before_fp = app.fingerprint().await;
    let before = inspections_of(&mut app, s001).await;
    let path = format!("/api/v1/schools/{s001}/inspections");

    // A failed item first (it would open a hazard), then another school's point.
    let mut items = all_pass(&c);
    items[0]["result"] = json!("fail");
    items[0]["note"] = json!("灭火器压力不足");
    items.push(json!({"risk_point_id": other, "result": "pass"}));
    let n = items.len() - 1;
    let r = post(
        &mut app,
        "s001.safety",
        &path,
        &json!({"kind": "half_month", "items": items}),
    )
    .await;
    assert_eq!(
        fields(&expect(&r, 422, "invalid")),
        vec![format!("items[{n}].risk_point_id")]
    );
    // A failed item without a note names that item.
    let mut items = all_pass(&c);
    items[1]["result"] = json!("fail");
    let r = post(
        &mut app,
        "s001.safety",
        &path,
        &json!({"kind": "half_month", "items": items}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["items[1].note"]);
    // The same point twice, an empty list, a future date, a bad period, an unknown field.
    let mut items = all_pass(&c);
    items.push(items[0].clone());
    let r = post(
        &mut app,
        "s001.safety",
        &path,
        &json!({"kind": "half_month", "items": items}),
    )
    .await;
    expect(&r, 422, "invalid");
    let r = post(
        &mut app,
        "s001.safety",
        &path,
        &json!({"kind": "half_month", "items": []}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["items"]);
    let tomorrow = (today() + chrono::Days::new(1)).to_string();
    let r = post(
        &mut app,
        "s001.safety",
        &path,
        &json!({"kind": "daily", "inspected_on": tomorrow, "items": all_pass(&c)}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["inspected_on"]);
    for p in ["2026-13-H1", "2099-01-H1"] {
        let r = post(
            &mut app,
            "s001.safety",
            &path,
            &json!({"kind": "half_month", "period": p, "items": all_pass(&c)}),
        )
        .await;
        assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["period"], "{p}");
    }
    let r = post(
        &mut app,
        "s001.safety",
        &path,
        &json!({"kind": "half_month", "items": all_pass(&c), "extra": 1}),
    )
    .await;
    expect(&r, 422, "invalid");
    let r = post(
        &mut app,
        "s001.safety",
        &path,
        &json!({"kind": "cross", "items": all_pass(&c)}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["kind"]);
    assert_eq!(inspections_of(&mut app, s001).await, before);
    assert_eq!(app.fingerprint().await, before_fp);

    // A good one is stored with its counts.
    let mut items = all_pass(&c);
    items[1]["result"] = json!("na");
    let r = post(
        &mut app,
        "s001.safety",
        &path,
        &json!({"kind": "half_month", "note": "例行自查", "items": items}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    assert_eq!(d["total"].as_u64().unwrap() as usize, items.len());
    assert_eq!(d["not_applicable"], 1);
    assert_eq!(d["failed"], 0);
    assert_eq!(d["period"], Value::from(period_of(today())));
    assert_eq!(d["timeliness"], "on_time");
    assert_eq!(
        d["inspector_name"].as_str().map(|s| !s.is_empty()),
        Some(true)
    );
    assert_eq!(d["items"].as_array().unwrap().len(), items.len());
    assert_eq!(inspections_of(&mut app, s001).await, before + 1);
}

#[tokio::test]
async fn failed_items_open_hazards_prefilled_from_the_point() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let c = checklist(&mut app, "s001.safety", s001, "kind=half_month").await;
    // A point with a zone, so the hazard carries it.
    let row = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| !i["zone_id"].is_null())
        .cloned()
        .expect("a placed point");
    let r = post(
        &mut app,
        "s001.safety",
        &format!("/api/v1/schools/{s001}/inspections"),
        &json!({"kind": "half_month", "items": [
            {"risk_point_id": row["risk_point_id"], "result": "fail", "note": "疏散通道堆放杂物"},
            {"label": "消防控制室值班记录", "result": "fail", "note": "记录缺失"},
            {"label": "应急照明", "result": "pass"}
        ]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    assert_eq!(d["failed"], 2);
    assert_eq!(d["passed"], 1);
    let items = d["items"].as_array().unwrap();
    assert_eq!(items[0]["risk_point_id"], row["risk_point_id"]);
    assert_eq!(items[0]["zone_id"], row["zone_id"]);
    assert_eq!(items[0]["label"], row["name"]);
    assert_eq!(items[0]["detail"], row["check_items"]);
    assert_eq!(items[0]["hazard_status"], "reported");
    assert!(items[0]["hazard_id"].as_i64().is_some());
    assert!(items[1]["hazard_id"].as_i64().is_some());
    assert!(items[2]["hazard_id"].is_null());
    // The same through GET.
    let t = app.login("bureau.officer").await;
    let g = app
        .get(&format!("/api/v1/inspections/{}", d["id"]), Some(&t))
        .await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.json()["items"], d["items"]);
    // The hazard itself, where the hazard API is present.
    let h = app
        .get(
            &format!("/api/v1/hazards/{}", items[0]["hazard_id"]),
            Some(&t),
        )
        .await;
    if h.status == StatusCode::OK {
        let h = h.json();
        assert_eq!(h["risk_point_id"], row["risk_point_id"]);
        assert_eq!(h["zone_id"], row["zone_id"]);
        assert_eq!(h["aspect"], row["aspect"]);
        assert_eq!(h["category"], row["category"]);
        assert_eq!(h["title"], row["name"]);
        assert_eq!(h["description"], "疏散通道堆放杂物");
        assert_eq!(h["source"], "half_month_self_inspection");
        assert_eq!(h["status"], "reported");
    }
    // A bureau inspector's inspection is supervision.
    let r = post(
        &mut app,
        "bureau.inspector",
        &format!("/api/v1/schools/{s001}/inspections"),
        &json!({"kind": "daily", "items": [
            {"risk_point_id": row["risk_point_id"], "result": "fail", "note": "督查发现"}
        ]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let hid = r.json()["items"][0]["hazard_id"].clone();
    let h = app.get(&format!("/api/v1/hazards/{hid}"), Some(&t)).await;
    if h.status == StatusCode::OK {
        assert_eq!(h.json()["source"], "supervision");
    }
}

/// A new school in district ED with its risk points, created by the bureau.
async fn new_school(app: &mut TestApp, code: &str) -> i64 {
    let t = app.login("bureau.officer").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/schools",
            Some(&t),
            &json!({"code": code, "name": format!("测试学校{code}"), "kind": "primary"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/schools/{id}/risk-points/instantiate"),
            Some(&t),
            None,
            vec![],
            &[],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    id
}

#[tokio::test]
async fn the_board_shows_on_time_late_missing_and_open() {
    let mut app = TestApp::new().await;
    let a = new_school(&mut app, "TB01").await;
    let b = new_school(&mut app, "TB02").await;
    let c = checklist(&mut app, "bureau.officer", a, "kind=half_month").await;
    let path = format!("/api/v1/schools/{a}/inspections");
    // School A: the current half-month now (on time) and a long-past one now (late).
    let mut items = all_pass(&c);
    items[0]["result"] = json!("fail");
    items[0]["note"] = json!("问题");
    let r = post(
        &mut app,
        "bureau.officer",
        &path,
        &json!({"kind": "half_month", "items": items}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let current_id = r.json()["id"].clone();
    let r = post(
        &mut app,
        "bureau.officer",
        &path,
        &json!({"kind": "half_month", "period": PAST, "items": all_pass(&c)}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["timeliness"], "late");

    let ed = app.org_id("ED").await;
    let t = app.login("bureau.officer").await;
    let row = |board: &Value, id: i64| -> Value {
        board["schools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["school"]["id"] == id)
            .cloned()
            .expect("the school is on the board")
    };
    // The current half-month (the default).
    let now = app
        .get(
            &format!("/api/v1/self-inspection-board?org_id={ed}"),
            Some(&t),
        )
        .await;
    assert_eq!(now.status, StatusCode::OK, "{}", now.text());
    let now = now.json();
    assert_eq!(now["period"], Value::from(period_of(today())));
    assert_eq!(row(&now, a)["status"], "on_time");
    assert_eq!(row(&now, a)["inspection_id"], current_id);
    assert_eq!(row(&now, a)["failed"], 1);
    assert!(row(&now, a)["submitted_at"].is_string());
    assert_eq!(row(&now, b)["status"], "open");
    assert!(row(&now, b)["inspection_id"].is_null());
    // The past one.
    let past = app
        .get(
            &format!("/api/v1/self-inspection-board?org_id={ed}&period={PAST}"),
            Some(&t),
        )
        .await
        .json();
    assert_eq!(row(&past, a)["status"], "late");
    assert_eq!(row(&past, b)["status"], "missing");
    // Missing first, and the counts add up.
    let schools = past["schools"].as_array().unwrap();
    assert_eq!(schools[0]["status"], "missing");
    let rank = |s: &Value| match s.as_str() {
        Some("missing") => 0,
        Some("late") => 1,
        Some("open") => 2,
        _ => 3,
    };
    assert!(
        schools
            .windows(2)
            .all(|w| rank(&w[0]["status"]) <= rank(&w[1]["status"]))
    );
    let n = |k: &str| past["counts"][k].as_u64().unwrap();
    assert_eq!(n("late"), 1);
    assert_eq!(
        n("missing") + n("late") + n("on_time") + n("open"),
        n("total")
    );
    assert_eq!(n("total") as usize, schools.len());
    assert_eq!(past["prev_period"], "2019-12-H2");
    assert_eq!(past["next_period"], "2020-01-H2");

    // The city sees the same per district, and drills down.
    let tc = app.login("city.officer").await;
    let city = app
        .get(
            &format!("/api/v1/self-inspection-board?period={PAST}"),
            Some(&tc),
        )
        .await;
    assert_eq!(city.status, StatusCode::OK, "{}", city.text());
    let city = city.json();
    assert!(city["schools"].as_array().unwrap().is_empty());
    let d = city["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["org"]["id"] == ed)
        .cloned()
        .expect("district ED");
    assert_eq!(d["counts"], past["counts"]);
    let drill = app
        .get(
            &format!("/api/v1/self-inspection-board?org_id={ed}&period={PAST}"),
            Some(&tc),
        )
        .await
        .json();
    assert_eq!(drill["counts"], past["counts"]);

    // A school sees its own row; a bad period is refused; another district is out of scope.
    let s = app.login("s001.safety").await;
    let own = app
        .get("/api/v1/self-inspection-board", Some(&s))
        .await
        .json();
    assert_eq!(own["schools"].as_array().unwrap().len(), 1);
    let r = app
        .get("/api/v1/self-inspection-board?period=2020-1-H1", Some(&t))
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["period"]);
    let tn = app.login("nanguan.officer").await;
    let ng = app.get("/api/v1/self-inspection-board", Some(&tn)).await;
    assert_eq!(ng.status, StatusCode::OK);
    let r = app
        .get(
            &format!("/api/v1/self-inspection-board?org_id={ed}"),
            Some(&tn),
        )
        .await;
    expect(&r, 404, "not_found");
}

/// Whether `user`'s inbox holds a notification of `kind` linking to `link`.
async fn notified(app: &mut TestApp, user: &str, kind: &str, link: &str) -> bool {
    let t = app.login(user).await;
    let r = app.get("/api/v1/inbox?limit=200", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == kind && n["link"] == link)
}

#[tokio::test]
async fn campaigns_are_seen_by_the_schools_they_target() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let n001 = app.org_id("N001").await;
    let start = today().to_string();
    let end = (today() + chrono::Days::new(30)).to_string();
    let body = json!({
        "name": "冬春火灾防控", "kind": "seasonal", "description": "冬春季消防安全专项检查",
        "starts_on": start, "ends_on": end, "items": ["消防通道畅通", "电动车不进楼"],
        "school_ids": [s001]
    });
    // Schools and the bureau leader may not issue one; another district's school is refused.
    let r = post(&mut app, "s001.principal", "/api/v1/campaigns", &body).await;
    expect(&r, 403, "forbidden");
    let r = post(&mut app, "bureau.leader", "/api/v1/campaigns", &body).await;
    expect(&r, 403, "forbidden");
    let mut bad = body.clone();
    bad["school_ids"] = json!([s001, n001]);
    let r = post(&mut app, "bureau.officer", "/api/v1/campaigns", &bad).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["school_ids[1]"]);
    let mut bad = body.clone();
    bad["ends_on"] = json!("2020-01-01");
    let r = post(&mut app, "bureau.officer", "/api/v1/campaigns", &bad).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["ends_on"]);

    let r = post(&mut app, "bureau.officer", "/api/v1/campaigns", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let camp = r.json();
    let id = camp["id"].as_i64().unwrap();
    assert_eq!(camp["kind"], "seasonal");
    assert_eq!(camp["progress"].as_array().unwrap().len(), 1);
    assert_eq!(camp["progress"][0]["inspected"], false);
    // The targeted school's managers are told; others are not.
    let link = format!("/campaigns/{id}");
    assert!(notified(&mut app, "s001.principal", "campaign", &link).await);
    assert!(notified(&mut app, "s001.safety", "campaign", &link).await);
    assert!(!notified(&mut app, "s002.safety", "campaign", &link).await);

    let sees = |j: &Value| j.as_array().unwrap().iter().any(|c| c["id"] == id);
    for (user, visible) in [
        ("s001.safety", true),
        ("s001.guard", true),
        ("bureau.leader", true),
        ("city.officer", true),
        ("s002.safety", false),
        ("n001.safety", false),
        ("nanguan.officer", false),
    ] {
        let t = app.login(user).await;
        let list = app.get("/api/v1/campaigns", Some(&t)).await.json();
        assert_eq!(sees(&list), visible, "{user}");
        let one = app.get(&format!("/api/v1/campaigns/{id}"), Some(&t)).await;
        assert_eq!(
            one.status,
            if visible {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            },
            "{user}"
        );
    }

    // The targeted school's checklist carries the campaign's own items; it submits.
    let c = checklist(
        &mut app,
        "s001.safety",
        s001,
        &format!("kind=campaign&campaign_id={id}"),
    )
    .await;
    assert_eq!(c["campaign_name"], "冬春火灾防控");
    assert_eq!(c["extra_items"], json!(["消防通道畅通", "电动车不进楼"]));
    let mut items = all_pass(&c);
    items.push(json!({"label": "电动车不进楼", "result": "fail", "note": "楼道停放电动车"}));
    let r = post(
        &mut app,
        "s001.safety",
        &format!("/api/v1/schools/{s001}/inspections"),
        &json!({"kind": "campaign", "campaign_id": id, "items": items}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["campaign_name"], "冬春火灾防控");
    // Another school cannot submit for it, nor read its checklist.
    let c2 = checklist(&mut app, "s002.safety", s002, "kind=half_month").await;
    let r = post(
        &mut app,
        "s002.safety",
        &format!("/api/v1/schools/{s002}/inspections"),
        &json!({"kind": "campaign", "campaign_id": id, "items": all_pass(&c2)}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["campaign_id"]);
    let t2 = app.login("s002.safety").await;
    let r = app
        .get(
            &format!("/api/v1/schools/{s002}/checklist?kind=campaign&campaign_id={id}"),
            Some(&t2),
        )
        .await;
    expect(&r, 422, "invalid");

    // Progress: inspected, one hazard found, none closed.
    let t = app.login("bureau.officer").await;
    let d = app
        .get(&format!("/api/v1/campaigns/{id}"), Some(&t))
        .await
        .json();
    assert_eq!(d["progress"][0]["school"]["id"], s001);
    assert_eq!(d["progress"][0]["inspected"], true);
    assert_eq!(d["progress"][0]["hazards_found"], 1);
    assert_eq!(d["progress"][0]["hazards_closed"], 0);
    assert_eq!(d["inspected"], 1);
    // The board shows the campaign for the school in this half-month.
    let ed = app.org_id("ED").await;
    let b = app
        .get(
            &format!("/api/v1/self-inspection-board?org_id={ed}"),
            Some(&t),
        )
        .await
        .json();
    let row = b["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["school"]["id"] == s001)
        .cloned()
        .unwrap();
    let k = row["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["campaign_id"] == id)
        .cloned()
        .expect("the campaign on the board");
    assert_eq!(k["inspected"], true);

    // Without school_ids: every school of the district.
    let mut all = body.clone();
    all["school_ids"] = json!([]);
    all["kind"] = json!("special");
    all["name"] = json!("查帮建");
    let r = post(&mut app, "bureau.officer", "/api/v1/campaigns", &all).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let progress = r.json()["progress"].as_array().unwrap().len();
    let schools = app
        .get(&format!("/api/v1/schools?org_id={ed}"), Some(&t))
        .await
        .json()["total"]
        .as_u64()
        .unwrap();
    assert_eq!(progress as u64, schools);
}

#[tokio::test]
async fn cross_inspections_grant_the_assigned_inspector_alone() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let n001 = app.org_id("N001").await;
    let inspector = me(&mut app, "s002.staff").await;
    let own = me(&mut app, "s001.staff").await;
    let start = today().to_string();
    let end = (today() + chrono::Days::new(14)).to_string();
    let round = |pairs: Value| json!({"round_name": "2026年秋季交叉互查", "starts_on": start, "ends_on": end, "pairs": pairs});
    // Never the inspector's own school; both in the bureau's scope.
    let r = post(
        &mut app,
        "bureau.officer",
        "/api/v1/cross-assignments",
        &round(json!([{"inspector_user_id": own, "target_school_id": s001}])),
    )
    .await;
    assert_eq!(
        fields(&expect(&r, 422, "invalid")),
        vec!["pairs[0].target_school_id"]
    );
    let r = post(
        &mut app,
        "bureau.officer",
        "/api/v1/cross-assignments",
        &round(json!([{"inspector_user_id": inspector, "target_school_id": n001}])),
    )
    .await;
    assert_eq!(
        fields(&expect(&r, 422, "invalid")),
        vec!["pairs[0].target_school_id"]
    );
    let outsider = me(&mut app, "n001.staff").await;
    let r = post(
        &mut app,
        "bureau.officer",
        "/api/v1/cross-assignments",
        &round(json!([{"inspector_user_id": outsider, "target_school_id": s001}])),
    )
    .await;
    assert_eq!(
        fields(&expect(&r, 422, "invalid")),
        vec!["pairs[0].inspector_user_id"]
    );
    let r = post(
        &mut app,
        "s001.principal",
        "/api/v1/cross-assignments",
        &round(json!([{"inspector_user_id": inspector, "target_school_id": s001}])),
    )
    .await;
    expect(&r, 403, "forbidden");

    let r = post(
        &mut app,
        "bureau.officer",
        "/api/v1/cross-assignments",
        &round(json!([{"inspector_user_id": inspector, "target_school_id": s001}])),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let a = r.json()[0].clone();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["target_school"]["id"], s001);
    assert_eq!(a["inspector_school"]["code"], "S002");
    let link = format!("/cross-inspections/{id}");
    assert!(notified(&mut app, "s002.staff", "cross_assigned", &link).await);
    assert!(!notified(&mut app, "s002.safety", "cross_assigned", &link).await);

    // The inspector reads the target's checklist through the assignment, not directly.
    let ti = app.login("s002.staff").await;
    let c = app
        .get(
            &format!("/api/v1/cross-assignments/{id}/checklist"),
            Some(&ti),
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    let c = c.json();
    assert_eq!(c["school"]["id"], s001);
    assert_eq!(c["cross_assignment_id"], id);
    let r = app
        .get(&format!("/api/v1/schools/{s001}/checklist"), Some(&ti))
        .await;
    expect(&r, 404, "not_found");
    let list = app.get("/api/v1/cross-assignments", Some(&ti)).await.json();
    assert!(list.as_array().unwrap().iter().any(|x| x["id"] == id));
    // Everyone else outside the target school's scope: 404.
    for user in [
        "s002.safety",
        "s002.principal",
        "n001.staff",
        "nanguan.officer",
    ] {
        let t = app.login(user).await;
        for path in [
            format!("/api/v1/cross-assignments/{id}"),
            format!("/api/v1/cross-assignments/{id}/checklist"),
        ] {
            let r = app.get(&path, Some(&t)).await;
            expect(&r, 404, "not_found");
        }
        let r = post(
            &mut app,
            user,
            &format!("/api/v1/cross-assignments/{id}/inspection"),
            &json!({"kind": "cross", "items": all_pass(&c)}),
        )
        .await;
        expect(&r, 404, "not_found");
        let list = app.get("/api/v1/cross-assignments", Some(&t)).await.json();
        assert!(
            !list.as_array().unwrap().iter().any(|x| x["id"] == id),
            "{user}"
        );
    }
    // Those who see the target school but were not assigned may not submit through it.
    let r = post(
        &mut app,
        "s001.safety",
        &format!("/api/v1/cross-assignments/{id}/inspection"),
        &json!({"kind": "cross", "items": all_pass(&c)}),
    )
    .await;
    expect(&r, 409, "conflict");

    // The inspector submits once; failed items open hazards of the target school.
    let mut items = all_pass(&c);
    items[0]["result"] = json!("fail");
    items[0]["note"] = json!("互查发现：配电箱未上锁");
    let r = post(
        &mut app,
        "s002.staff",
        &format!("/api/v1/cross-assignments/{id}/inspection"),
        &json!({"kind": "cross", "items": items}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    assert_eq!(d["school"]["id"], s001);
    assert_eq!(d["kind"], "cross");
    assert_eq!(d["cross_assignment_id"], id);
    assert!(d["items"][0]["hazard_id"].as_i64().is_some());
    let iid = d["id"].as_i64().unwrap();
    let r = post(
        &mut app,
        "s002.staff",
        &format!("/api/v1/cross-assignments/{id}/inspection"),
        &json!({"kind": "cross", "items": all_pass(&c)}),
    )
    .await;
    expect(&r, 409, "conflict");
    // The inspector and the target school read it; the inspector's colleagues do not.
    let r = app
        .get(&format!("/api/v1/inspections/{iid}"), Some(&ti))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let t1 = app.login("s001.principal").await;
    let r = app
        .get(&format!("/api/v1/inspections/{iid}"), Some(&t1))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let t2 = app.login("s002.safety").await;
    let r = app
        .get(&format!("/api/v1/inspections/{iid}"), Some(&t2))
        .await;
    expect(&r, 404, "not_found");
    let tb = app.login("bureau.officer").await;
    let list = app.get("/api/v1/cross-assignments", Some(&tb)).await.json();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .cloned()
        .unwrap();
    assert_eq!(row["inspection_id"], iid);
    if let Some(h) = d["items"][0]["hazard_id"].as_i64() {
        let r = app.get(&format!("/api/v1/hazards/{h}"), Some(&tb)).await;
        if r.status == StatusCode::OK {
            assert_eq!(r.json()["source"], "cross_inspection");
            assert_eq!(r.json()["school_id"], s001);
        }
    }
}

#[tokio::test]
async fn scope_and_roles() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let c = checklist(&mut app, "s001.safety", s001, "").await;
    let body = json!({"kind": "daily", "items": all_pass(&c)});
    // Another school: 404 for reads and writes.
    let t = app.login("s002.safety").await;
    for path in [
        format!("/api/v1/schools/{s001}/checklist"),
        format!("/api/v1/schools/{s001}/inspections"),
    ] {
        expect(&app.get(&path, Some(&t)).await, 404, "not_found");
    }
    let r = post(
        &mut app,
        "s002.safety",
        &format!("/api/v1/schools/{s001}/inspections"),
        &body,
    )
    .await;
    expect(&r, 404, "not_found");
    let r = post(
        &mut app,
        "nanguan.officer",
        &format!("/api/v1/schools/{s001}/inspections"),
        &body,
    )
    .await;
    expect(&r, 404, "not_found");
    // The bureau leader reads but does not inspect; a guard does.
    let r = post(
        &mut app,
        "bureau.leader",
        &format!("/api/v1/schools/{s001}/inspections"),
        &body,
    )
    .await;
    expect(&r, 403, "forbidden");
    let r = post(
        &mut app,
        "s001.guard",
        &format!("/api/v1/schools/{s001}/inspections"),
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    expect(
        &app.get(&format!("/api/v1/inspections/{id}"), Some(&t))
            .await,
        404,
        "not_found",
    );
    let tn = app.login("nanguan.officer").await;
    expect(
        &app.get(&format!("/api/v1/inspections/{id}"), Some(&tn))
            .await,
        404,
        "not_found",
    );
    expect(
        &app.get("/api/v1/inspections/987654", Some(&t)).await,
        404,
        "not_found",
    );
    // System roles see no inspections.
    let ts = app.login("sysadmin").await;
    expect(
        &app.get(&format!("/api/v1/inspections/{id}"), Some(&ts))
            .await,
        403,
        "forbidden",
    );
    // Lists follow scope.
    let l = app
        .get(&format!("/api/v1/schools/{s002}/inspections"), Some(&t))
        .await
        .json();
    assert!(!l.as_array().unwrap().iter().any(|i| i["id"] == id));
    let tb = app.login("bureau.officer").await;
    let l = app.get("/api/v1/inspections", Some(&tb)).await.json();
    assert!(l.as_array().unwrap().iter().any(|i| i["id"] == id));
    let l = app.get("/api/v1/inspections", Some(&tn)).await.json();
    assert!(!l.as_array().unwrap().iter().any(|i| i["id"] == id));
}

#[tokio::test]
async fn inspections_export_as_xlsx() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let c = checklist(&mut app, "s001.safety", s001, "").await;
    let r = post(
        &mut app,
        "s001.safety",
        &format!("/api/v1/schools/{s001}/inspections"),
        &json!({"kind": "half_month", "note": "导出测试", "items": all_pass(&c)}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let ed = app.org_id("ED").await;
    let t = app.login("bureau.officer").await;
    let from = (today() - chrono::Days::new(1)).to_string();
    let to = today().to_string();
    let r = app
        .get(
            &format!("/api/v1/inspections/export.xlsx?org_id={ed}&from={from}&to={to}"),
            Some(&t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.header("content-type").contains("spreadsheetml"));
    let rows = read_first_sheet(&r.body, &Limits::default()).expect("a workbook");
    assert_eq!(rows[0][0], "学校代码");
    let row = rows
        .iter()
        .find(|r| r[0] == "S001" && r[13] == "导出测试")
        .expect("S001's inspection");
    assert_eq!(row[2], "半月自查");
    assert_eq!(row[7], "按时");
    assert_eq!(row[13], "导出测试");
    // Out of scope: 404; a bad date: 422.
    let tn = app.login("nanguan.officer").await;
    let r = app
        .get(
            &format!("/api/v1/inspections/export.xlsx?org_id={ed}"),
            Some(&tn),
        )
        .await;
    expect(&r, 404, "not_found");
    let r = app
        .get("/api/v1/inspections/export.xlsx?from=yesterday", Some(&t))
        .await;
    expect(&r, 422, "invalid");
}

/// Signs in through the login form; returns the session cookie.
async fn sign_in(app: &TestApp, user: &str) -> String {
    let form = [("username", user), ("password", common::PASSWORD)];
    let r = app.form("/login", None, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> String {
    let h = [("cookie", cookie)];
    let r = app.request(Method::GET, path, None, None, vec![], &h).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.text()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let at = html.find(marker).expect("the token") + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
) -> common::Resp {
    let body = serde_urlencoded::to_string(pairs).unwrap().into_bytes();
    let h = [("cookie", cookie)];
    let ct = Some("application/x-www-form-urlencoded");
    app.request(Method::POST, path, None, ct, body, &h).await
}

#[tokio::test]
async fn the_phone_form_submits_with_the_session_and_marks_the_rest_as_pass() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let cookie = sign_in(&app, "s001.safety").await;
    let path = format!("/schools/{s001}/inspections/new?kind=half_month");
    let html = page(&app, &path, &cookie).await;
    let c = checklist(&mut app, "s001.safety", s001, "kind=half_month").await;
    let first = c["items"][0]["risk_point_id"].as_i64().unwrap();
    let second = c["items"][1]["risk_point_id"].as_i64().unwrap();
    assert!(html.contains(&format!("name=\"res_p{first}\"")));
    assert!(html.contains("id=\"rest-pass\""));
    assert!(html.contains("type=\"radio\""));
    assert!(html.contains(&format!("name=\"photos_p{first}\"")));
    assert!(html.contains("capture=\"environment\""));
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let csrf = csrf_of(&html);
    let action = format!("/schools/{s001}/inspections/new");
    let with_token = format!("{action}?_csrf={csrf}");
    let before = inspections_of(&mut app, s001).await;
    // Without the token: refused.
    let r = app
        .post_multipart(
            &action,
            &cookie,
            &[("kind", "half_month"), ("rest", "pass")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A failed row without a note: the form comes back with the message on that row ("the
    // rest as pass" confirmed with the count of rows it marks).
    let res_first = format!("res_p{first}");
    let n = c["items"].as_array().unwrap().len();
    let rest_one = (n - 1).to_string();
    let rest_two = (n - 2).to_string();
    let r = app
        .post_multipart(
            &with_token,
            &cookie,
            &[
                ("kind", "half_month"),
                (&res_first, "fail"),
                ("rest", "pass"),
                ("confirm_rest", &rest_one),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let again = r.text();
    assert!(again.contains("不合格项须填写问题说明"), "{again}");
    assert_eq!(inspections_of(&mut app, s001).await, before);
    // With a note and a photo, the rest passed: stored, and the page goes to the inspection.
    let note_first = format!("note_p{first}");
    let res_second = format!("res_p{second}");
    let photos_first = format!("photos_p{first}");
    let r = app
        .post_multipart(
            &with_token,
            &cookie,
            &[
                ("kind", "half_month"),
                (&res_first, "fail"),
                (&note_first, "灭火器过期"),
                (&res_second, "na"),
                ("rest", "pass"),
                ("confirm_rest", &rest_two),
            ],
            &[&photos_first],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.header("location");
    assert!(
        to.starts_with("/inspections/") && to.ends_with("/result"),
        "{to}"
    );
    let detail = page(&app, &to, &cookie).await;
    assert!(detail.contains("灭火器过期"));
    assert!(detail.contains("/hazards/"));
    let id: i64 = to
        .trim_start_matches("/inspections/")
        .trim_end_matches("/result")
        .parse()
        .unwrap();
    let t = app.login("s001.safety").await;
    let d = app
        .get(&format!("/api/v1/inspections/{id}"), Some(&t))
        .await
        .json();
    assert_eq!(
        d["total"].as_u64().unwrap() as usize,
        c["items"].as_array().unwrap().len()
    );
    assert_eq!(d["failed"], 1);
    assert_eq!(d["not_applicable"], 1);
    let photo = d["items"][0]["photo_ids"][0]
        .as_i64()
        .expect("the photo is on the item");
    // The hazard carries the photo too, where the hazard API is present.
    let h = app
        .get(
            &format!("/api/v1/hazards/{}", d["items"][0]["hazard_id"]),
            Some(&t),
        )
        .await;
    if h.status == StatusCode::OK {
        assert_eq!(h.json()["photo_ids"][0], photo);
    }
    assert_eq!(inspections_of(&mut app, s001).await, before + 1);
}

#[tokio::test]
async fn the_qr_check_and_the_pages_render_in_both_languages() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let c = checklist(&mut app, "s001.guard", s001, "").await;
    let point = c["items"][0]["risk_point_id"].as_i64().unwrap();
    // The QR address: the point's one-item check, submitted by a guard.
    let guard = sign_in(&app, "s001.guard").await;
    let html = page(&app, &format!("/risk-points/{point}/check"), &guard).await;
    assert_eq!(html.matches("class=\"card check-row\"").count(), 1);
    let csrf = csrf_of(&html);
    let res = format!("res_p{point}");
    let r = app
        .post_multipart(
            &format!("/risk-points/{point}/check?_csrf={csrf}"),
            &guard,
            &[(&res, "pass")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let t = app.login("s001.guard").await;
    let l = app
        .get(
            &format!("/api/v1/schools/{s001}/inspections?kind=daily"),
            Some(&t),
        )
        .await
        .json();
    assert_eq!(l[0]["total"], 1);
    // The bureau's pages, in Chinese and in English.
    let officer = sign_in(&app, "bureau.officer").await;
    let board = page(&app, "/inspections/board", &officer).await;
    assert!(board.contains("id=\"count-missing\""));
    assert!(board.contains("半月自查看板"));
    for p in [
        "/inspections",
        "/campaigns",
        "/campaigns/new",
        "/cross-inspections",
        "/cross-inspections/new",
    ] {
        page(&app, p, &officer).await;
    }
    for p in [
        "/inspections/board",
        "/inspections",
        "/campaigns",
        "/cross-inspections",
    ] {
        let h = [("cookie", officer.as_str()), ("accept-language", "en")];
        let r = app.request(Method::GET, p, None, None, vec![], &h).await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
        assert!(r.text().contains("<html lang=\"en\""), "{p}");
    }
    let h = [("cookie", officer.as_str()), ("accept-language", "en")];
    let r = app
        .request(Method::GET, "/inspections/board", None, None, vec![], &h)
        .await;
    assert!(r.text().contains("Self-inspection board"));
    let city = sign_in(&app, "city.officer").await;
    let html = page(&app, "/inspections/board", &city).await;
    assert!(html.contains("id=\"board-districts\""));
    // A campaign through its form, then its page.
    let form = page(&app, "/campaigns/new", &officer).await;
    let csrf = csrf_of(&form);
    let s = s001.to_string();
    let r = post_form(
        &app,
        "/campaigns/new",
        &officer,
        &[
            ("_csrf", &csrf),
            ("name", "夏季攻坚"),
            ("kind", "seasonal"),
            ("starts_on", &today().to_string()),
            ("ends_on", &(today() + chrono::Days::new(10)).to_string()),
            ("items", "防溺水警示牌\n泳池救生设备"),
            ("school_ids", &s),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let camp = page(&app, &r.header("location"), &officer).await;
    assert!(camp.contains("夏季攻坚") && camp.contains("泳池救生设备"));
    let school = sign_in(&app, "s001.safety").await;
    let camp = page(&app, &r.header("location"), &school).await;
    assert!(camp.contains("id=\"start-campaign\""));
}

/// The inspection list pages like every other list: `per_page` bounded, a page past the end
/// empty, pages that do not overlap.
#[tokio::test]
async fn the_inspection_list_takes_page_and_per_page() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let ids = |r: &common::Resp| -> Vec<i64> {
        let v: Value = r.json();
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let first = app.get("/api/v1/inspections?per_page=3", Some(&t)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let second = app
        .get("/api/v1/inspections?per_page=3&page=2", Some(&t))
        .await;
    let (a, b) = (ids(&first), ids(&second));
    assert_eq!((a.len(), b.len()), (3, 3));
    assert!(a.iter().all(|i| !b.contains(i)), "{a:?} {b:?}");
    let all = ids(&app.get("/api/v1/inspections", Some(&t)).await);
    assert_eq!(
        &all[..6],
        [a, b].concat().as_slice(),
        "the same order as unpaged"
    );
    for q in [
        "page=100000",
        "page=18446744073709551615",
        "page=3074457345618258603",
    ] {
        let r = app.get(&format!("/api/v1/inspections?{q}"), Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text());
        assert!(ids(&r).is_empty(), "{q}");
    }
    for q in ["per_page=0", "per_page=201", "page=0"] {
        let r = app.get(&format!("/api/v1/inspections?{q}"), Some(&t)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
    }
}

/// The inspections page and a school's inspection list page too: the page shows one page
/// at a time with a link to the next, and the school's list takes `page` / `per_page`.
#[tokio::test]
async fn the_inspection_pages_and_the_school_list_are_paged() {
    let mut app = TestApp::new().await;
    let cookie = sign_in(&app, "bureau.officer").await;
    let html = page(&app, "/inspections", &cookie).await;
    let rows = |h: &str| h.matches("<a href=\"/inspections/").count();
    assert_eq!(rows(&html), 50, "the first page holds 50");
    assert!(html.contains("id=\"inspection-pager\""), "a pager");
    assert!(html.contains("/inspections?page=2"), "a link to page 2");
    let html2 = page(&app, "/inspections?kind=half_month&page=2", &cookie).await;
    assert!(rows(&html2) > 0);
    let pager = &html2[html2.find("id=\"inspection-pager\"").expect("a pager")..];
    let pager = &pager[..pager.find("</nav>").unwrap()];
    assert!(
        pager.contains("kind=half_month&#38;page=1"),
        "back to page 1 keeps the filter: {pager}"
    );
    let past = page(&app, "/inspections?page=100000", &cookie).await;
    assert_eq!(rows(&past), 0);
    let r = app
        .request(
            Method::GET,
            "/inspections?per_page=500",
            None,
            None,
            vec![],
            &[("cookie", cookie.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let t = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let path = format!("/api/v1/schools/{s001}/inspections?per_page=2");
    let r = app.get(&path, Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    let r = app.get(&format!("{path}&page=100000"), Some(&t)).await;
    assert_eq!(r.json().as_array().unwrap().len(), 0);
    let r = app
        .get(
            &format!("/api/v1/schools/{s001}/inspections?per_page=201"),
            Some(&t),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
