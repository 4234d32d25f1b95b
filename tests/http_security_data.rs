//! Data-path security: zone parent cycles, paging bounds, text lengths, masked phone numbers,
//! QR links that ignore the Host header, the hazard source, the import's code message, the
//! cross-inspection window and its one submission, incremental audit verification, and 413 for
//! an oversized JSON body.

mod common;
use axum::http::{Method, StatusCode};
use common::{TestApp, expect, fields, msg};
use safecampus::config::Config;
use safecampus::storage::risk_points::today;
use safecampus::xlsx::{Cell, Limits, read_first_sheet, write_sheet};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::time::Duration;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What an attacker with the database owner's rights does first: removes the triggers that keep
/// the audit log append-only (the hash chain is what catches them after that).
async fn drop_audit_guard(app: &TestApp) {
    if common::backend() == "postgres" {
        app.sql("DROP TRIGGER audit_log_no_change ON audit_log")
            .await;
    } else {
        app.sql("DROP TRIGGER audit_log_no_update").await;
    }
}

/// A statement that must fail: answers the database's message.
async fn sql_refused(app: &TestApp, statement: &str) -> String {
    // As the tables' owner: the triggers refuse even it (the app's own PostgreSQL role is
    // refused earlier, by its grants: tests/rls.rs).
    let conn = sea_orm::Database::connect(app.owner_url().as_str())
        .await
        .expect("connect");
    let r = conn.execute_unprepared(statement).await;
    conn.close().await.ok();
    match r {
        Ok(_) => panic!("{statement} was accepted"),
        Err(e) => e.to_string(),
    }
}

fn book(headers: &[&str], rows: &[&[&str]]) -> Vec<u8> {
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| r.iter().map(|c| Cell::Text(c.to_string())).collect())
        .collect();
    write_sheet("Sheet1", &headers, &rows).expect("xlsx")
}

async fn send(
    app: &mut TestApp,
    user: &str,
    method: Method,
    path: &str,
    body: &Value,
) -> common::Resp {
    let t = app.login(user).await;
    app.json(method, path, Some(&t), body).await
}

async fn get(app: &mut TestApp, user: &str, path: &str) -> common::Resp {
    let t = app.login(user).await;
    app.get(path, Some(&t)).await
}

/// An 11-digit mainland mobile number anywhere in `text`.
fn has_whole_mobile(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(11).enumerate().any(|(i, w)| {
        w[0] == b'1'
            && (b'3'..=b'9').contains(&w[1])
            && w.iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 11).is_none_or(|c| !c.is_ascii_digit())
    })
}

// ---- 1. Zone parent cycles -------------------------------------------------------------

async fn new_zone(app: &mut TestApp, school: i64, code: &str, parent: Option<i64>) -> i64 {
    let r = send(
        app,
        "s001.safety",
        Method::POST,
        &format!("/api/v1/schools/{school}/zones"),
        &json!({"code": code, "name": format!("测试{code}"), "zone_type": "building", "parent_id": parent}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_zone_parent_cycle_is_refused_on_update() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let a = new_zone(&mut app, s001, "CYA", None).await;
    let b = new_zone(&mut app, s001, "CYB", Some(a)).await;
    let c = new_zone(&mut app, s001, "CYC", Some(b)).await;
    let before = app.fingerprint().await;
    for (parent, what) in [(b, "A → B → A"), (c, "A → C → B → A")] {
        let r = send(
            &mut app,
            "s001.safety",
            Method::PUT,
            &format!("/api/v1/zones/{a}"),
            &json!({"code": "CYA", "name": "测试CYA", "zone_type": "building", "parent_id": parent}),
        )
        .await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(fields(&j), ["parent_id"], "{what}");
        assert!(msg(&j).contains("循环"), "{what}: {j}");
    }
    assert_eq!(app.fingerprint().await, before, "nothing written");
    // A parent that is not below the zone is still fine.
    let r = send(
        &mut app,
        "s001.safety",
        Method::PUT,
        &format!("/api/v1/zones/{c}"),
        &json!({"code": "CYC", "name": "测试CYC", "zone_type": "building", "parent_id": a}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

/// Runs `f` on a thread of its own: `Ok` once it finished, `Err` if it is still running after
/// `secs` seconds (a request that never ends must fail the test, not hang it; the thread is
/// left behind and dies with the test process).
fn on_a_thread<F, Fut>(secs: u64, f: F) -> Result<(), &'static str>
where
    F: FnOnce(std::sync::mpsc::Sender<&'static str>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    let done = tx.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(f(tx));
        done.send("done").ok();
    });
    // The set-up (a fresh database) first, then the request under its own limit.
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok("ready") => {}
        Ok(other) => return Err(other),
        Err(_) => return Err("set-up did not finish"),
    }
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok("done") => Ok(()),
        Ok(other) => Err(other),
        Err(_) => Err("the request did not answer in time"),
    }
}

#[test]
fn a_cycle_already_in_the_database_does_not_hang_the_map() {
    let res = on_a_thread(20, |tx| async move {
        let mut app = TestApp::new().await;
        let s001 = app.org_id("S001").await;
        let a = new_zone(&mut app, s001, "CYA", None).await;
        let b = new_zone(&mut app, s001, "CYB", Some(a)).await;
        let c = new_zone(&mut app, s001, "CYC", Some(b)).await;
        // A → C → B → A, written past the API.
        app.sql(&format!("UPDATE zones SET parent_id = {c} WHERE id = {a}"))
            .await;
        let t = app.login("s001.safety").await;
        tx.send("ready").ok();
        for path in [
            format!("/api/v1/schools/{s001}/risk-map.svg"),
            format!("/schools/{s001}/risk-map"),
        ] {
            let r = app.get(&path, Some(&t)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
            assert!(r.text().contains("<svg"), "{path}");
        }
    });
    res.expect("the map answers although the zones form a loop");
}

// ---- 2. Paging --------------------------------------------------------------------------

#[tokio::test]
async fn every_paged_list_bounds_page_and_per_page() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let huge = u64::MAX;
    // Notifications for the inbox: each campaign notifies the school's managers.
    for n in 0..3 {
        let day = today().to_string();
        let r = send(
            &mut app,
            "bureau.officer",
            Method::POST,
            "/api/v1/campaigns",
            &json!({"name": format!("分页测试{n}"), "kind": "special", "starts_on": day,
                    "ends_on": day, "school_ids": [s001]}),
        )
        .await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    let lists = [
        ("city.officer", "/api/v1/schools".to_string(), "items"),
        ("city.officer", "/api/v1/hazards".to_string(), "items"),
        (
            "s001.safety",
            format!("/api/v1/schools/{s001}/hazards"),
            "items",
        ),
        ("auditadmin", "/api/v1/audit".to_string(), "items"),
        ("s001.safety", "/api/v1/inbox".to_string(), "items"),
        ("sysadmin", "/api/v1/users".to_string(), "items"),
    ];
    for (user, path, key) in &lists {
        // A page past the end, however large its number: an empty page, never a 500.
        for page in [huge.to_string(), "100000".to_string()] {
            let r = get(&mut app, user, &format!("{path}?page={page}")).await;
            assert_eq!(r.status, StatusCode::OK, "{path} page={page}: {}", r.text());
            let j = r.json();
            assert_eq!(j[key], json!([]), "{path} page={page}");
            assert!(j["total"].as_u64().unwrap() > 0, "{path}: a non-empty list");
        }
        // per_page within 1..=200.
        let r = get(&mut app, user, &format!("{path}?per_page=2")).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        assert_eq!(r.json()[key].as_array().unwrap().len(), 2, "{path}");
        let r = get(&mut app, user, &format!("{path}?per_page=200")).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        for bad in [
            "per_page=0",
            "per_page=201",
            "per_page=18446744073709551615",
        ] {
            let r = get(&mut app, user, &format!("{path}?{bad}")).await;
            let j = expect(&r, 422, "invalid");
            assert_eq!(fields(&j), ["per_page"], "{path}?{bad}");
        }
        let r = get(&mut app, user, &format!("{path}?page=0")).await;
        assert_eq!(fields(&expect(&r, 422, "invalid")), ["page"], "{path}");
        // Page 2 of 2-row pages follows page 1.
        let one = get(&mut app, user, &format!("{path}?per_page=2&page=1"))
            .await
            .json();
        let two = get(&mut app, user, &format!("{path}?per_page=2&page=2"))
            .await
            .json();
        if one["total"].as_u64().unwrap() > 2 {
            assert_ne!(one[key][0]["id"], two[key][0]["id"], "{path}");
        }
    }
    // The catalogue (its own page size, at most 500) past the end.
    let r = get(
        &mut app,
        "bureau.officer",
        &format!("/api/v1/risk-catalog?page={huge}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["items"], json!([]));
    // The pages of the lists too.
    for (user, path) in [
        ("city.officer", "/schools"),
        ("city.officer", "/hazards"),
        ("auditadmin", "/audit"),
    ] {
        let r = get(&mut app, user, &format!("{path}?page={huge}")).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    }
}

// ---- 3. Length limits -------------------------------------------------------------------

#[tokio::test]
async fn free_text_of_schools_people_and_zones_has_a_length_limit() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let before = app.fingerprint().await;
    let mega = "路".repeat(1_000_000 / 3);
    let long = |n: usize| "长".repeat(n);
    let r = send(
        &mut app,
        "bureau.officer",
        Method::POST,
        "/api/v1/schools",
        &json!({"code": "S981", "name": "长度测试", "kind": "primary", "address": mega, "name_en": "x".repeat(101)}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["name_en", "address"]);
    let r = send(
        &mut app,
        "s001.principal",
        Method::PATCH,
        &format!("/api/v1/schools/{s001}"),
        &json!({"address": long(201)}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["address"]);
    let r = send(
        &mut app,
        "s001.safety",
        Method::POST,
        &format!("/api/v1/schools/{s001}/people"),
        &json!({"name": "张三", "post": "teacher", "note": long(201)}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["note"]);
    let r = send(
        &mut app,
        "s001.safety",
        Method::POST,
        &format!("/api/v1/schools/{s001}/zones"),
        &json!({"code": "LZ1", "name": long(65), "zone_type": "area"}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["name"]);
    assert_eq!(app.fingerprint().await, before, "nothing stored");
    // The limits hold within their bounds.
    let r = send(
        &mut app,
        "s001.principal",
        Method::PATCH,
        &format!("/api/v1/schools/{s001}"),
        &json!({"address": long(200), "name_en": "x".repeat(100)}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // The imports check the same limits, row by row.
    let before = app.fingerprint().await;
    let t = app.login("bureau.officer").await;
    let addr = long(201);
    let file = book(
        &["代码", "名称", "类型", "地址"],
        &[&["S982", "导入长度测试", "小学", &addr]],
    );
    let r = app
        .request(
            Method::POST,
            "/api/v1/schools/import",
            Some(&t),
            Some(XLSX),
            file,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let errs = r.json()["errors"].clone();
    assert_eq!(errs[0]["field"], "address", "{errs}");
    let t = app.login("s001.safety").await;
    let note = long(201);
    let file = book(
        &["名称", "岗位", "电话", "备注"],
        &[&["赵长注", "教师", "", &note]],
    );
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/schools/{s001}/people/import"),
            Some(&t),
            Some(XLSX),
            file,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["field"], "note");
    assert_eq!(app.fingerprint().await, before, "no row imported");
}

// ---- 4. Phone numbers -------------------------------------------------------------------

#[tokio::test]
async fn phone_numbers_are_whole_only_for_those_who_manage_people() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let list = format!("/api/v1/schools/{s001}/people");
    let whole = get(&mut app, "s001.safety", &list).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert!(
        has_whole_mobile(&whole.text()),
        "the manager sees whole numbers"
    );
    let first = whole.json()[0].clone();
    let pid = first["id"].as_i64().unwrap();
    for user in [
        "s001.guard",
        "s001.staff",
        "bureau.leader",
        "bureau.inspector",
    ] {
        let r = get(&mut app, user, &list).await;
        assert_eq!(r.status, StatusCode::OK, "{user}");
        assert!(!has_whole_mobile(&r.text()), "{user}: {}", r.text());
        assert!(r.text().contains("****"), "{user}: masked, not dropped");
        let one = get(&mut app, user, &format!("/api/v1/people/{pid}")).await;
        assert!(!has_whole_mobile(&one.text()), "{user}: {}", one.text());
        let x = get(&mut app, user, &format!("{list}/export.xlsx")).await;
        assert_eq!(x.status, StatusCode::OK, "{user}");
        let rows = read_first_sheet(&x.body, &Limits::default()).expect("workbook");
        let cells = rows.concat().join(" ");
        assert!(!has_whole_mobile(&cells), "{user}: the export {cells}");
        assert!(cells.contains("****"), "{user}");
    }
    let x = get(&mut app, "s001.principal", &format!("{list}/export.xlsx")).await;
    let rows = read_first_sheet(&x.body, &Limits::default()).expect("workbook");
    assert!(
        has_whole_mobile(&rows.concat().join(" ")),
        "the principal's export"
    );
}

// ---- 5. QR links ------------------------------------------------------------------------

async fn first_point(app: &mut TestApp, s001: i64) -> i64 {
    let r = get(
        app,
        "s001.staff",
        &format!("/api/v1/schools/{s001}/risk-points"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    j["items"][0]["id"].as_i64().expect("a point")
}

#[tokio::test]
async fn risk_cards_never_print_the_request_host() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let p = first_point(&mut app, s001).await;
    let t = app.login("s001.staff").await;
    let forged = [("host", "phish.example")];
    let card = app
        .request(
            Method::GET,
            &format!("/risk-points/{p}/card"),
            Some(&t),
            None,
            vec![],
            &forged,
        )
        .await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.text());
    let html = card.text();
    assert!(!html.contains("phish.example"), "{html}");
    assert!(html.contains(&format!("/risk-points/{p}/check")));
    assert!(
        html.contains("id=\"card-url-note\""),
        "a note says the address is not set"
    );
    let qr = app
        .request(
            Method::GET,
            &format!("/api/v1/risk-points/{p}/qr.svg"),
            Some(&t),
            None,
            vec![],
            &forged,
        )
        .await;
    assert_eq!(qr.status, StatusCode::OK);
    let path_only = safecampus::web::svg::qr_svg(&format!("/risk-points/{p}/check"), 240).unwrap();
    assert_eq!(qr.text(), path_only, "the code holds only the path");

    // With the platform's address configured, the card and code use it (and still not Host).
    let mut app = TestApp::with_config(Config {
        public_url: Some("https://aq.example.cn/".into()),
        ..Config::default()
    })
    .await;
    let s001 = app.org_id("S001").await;
    let p = first_point(&mut app, s001).await;
    let t = app.login("s001.staff").await;
    let card = app
        .request(
            Method::GET,
            &format!("/risk-points/{p}/card"),
            Some(&t),
            None,
            vec![],
            &forged,
        )
        .await;
    let html = card.text();
    assert!(html.contains(&format!("https://aq.example.cn/risk-points/{p}/check")));
    assert!(!html.contains("phish.example") && !html.contains("card-url-note"));
    let qr = app
        .request(
            Method::GET,
            &format!("/api/v1/risk-points/{p}/qr.svg"),
            Some(&t),
            None,
            vec![],
            &forged,
        )
        .await;
    let want =
        safecampus::web::svg::qr_svg(&format!("https://aq.example.cn/risk-points/{p}/check"), 240);
    assert_eq!(qr.text(), want.unwrap());
}

// ---- 6. Hazard source -------------------------------------------------------------------

#[tokio::test]
async fn only_the_bureau_reports_as_supervision() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let path = format!("/api/v1/schools/{s001}/hazards");
    let report = |source: Option<&str>| {
        let mut b = json!({"title": "走廊灭火器过期", "aspect": "things", "category": "消防"});
        if let Some(s) = source {
            b["source"] = json!(s);
        }
        b
    };
    let before = app.fingerprint().await;
    for user in ["s001.guard", "s001.staff", "s001.safety", "s001.principal"] {
        let r = send(
            &mut app,
            user,
            Method::POST,
            &path,
            &report(Some("supervision")),
        )
        .await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(fields(&j), ["source"], "{user}");
        assert!(msg(&j).contains("教育局"), "{user}: {j}");
    }
    assert_eq!(app.fingerprint().await, before, "nothing reported");
    let r = send(&mut app, "s001.guard", Method::POST, &path, &report(None)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["source"], "daily");
    let r = send(
        &mut app,
        "s001.guard",
        Method::POST,
        &path,
        &report(Some("report")),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["source"], "report");
    for (given, want) in [(Some("supervision"), "supervision"), (None, "supervision")] {
        let r = send(
            &mut app,
            "bureau.inspector",
            Method::POST,
            &path,
            &report(given),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["source"], want);
    }
    // The school's report form does not offer it.
    let page = get(
        &mut app,
        "s001.guard",
        &format!("/schools/{s001}/hazards/new"),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text().contains("value=\"supervision\""));
}

// ---- 7. The import's code message -------------------------------------------------------

#[tokio::test]
async fn a_code_held_outside_scope_is_only_unusable() {
    let mut app = TestApp::new().await;
    let n001 = app.org_id("N001").await;
    let n001 = get(&mut app, "city.officer", &format!("/api/v1/schools/{n001}"))
        .await
        .json();
    let (name, district) = (
        n001["name"].as_str().unwrap().to_string(),
        n001["district"]["name"].as_str().unwrap().to_string(),
    );
    let t = app.login("bureau.officer").await;
    let before = app.fingerprint().await;
    let file = book(&["代码", "名称", "类型"], &[&["N001", "冒用代码", "小学"]]);
    let r = app
        .request(
            Method::POST,
            "/api/v1/schools/import",
            Some(&t),
            Some(XLSX),
            file,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let text = r.text();
    let e = &r.json()["errors"][0];
    assert_eq!(e["field"], "code");
    assert_eq!(e["message"], "该代码不能使用，请核对或换用其他代码。");
    for secret in [name.as_str(), district.as_str(), "已被使用"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let r = send(
        &mut app,
        "bureau.officer",
        Method::POST,
        "/api/v1/schools",
        &json!({"code": "N001", "name": "冒用代码", "kind": "primary"}),
    )
    .await;
    let j = expect(&r, 422, "invalid");
    assert!(
        msg(&j).contains("不能使用") && !msg(&j).contains("已被使用"),
        "{j}"
    );
    assert_eq!(app.fingerprint().await, before);
    // A code held in the caller's own scope may be called taken.
    let r = send(
        &mut app,
        "bureau.officer",
        Method::POST,
        "/api/v1/schools",
        &json!({"code": "S001", "name": "重复代码", "kind": "primary"}),
    )
    .await;
    assert!(msg(&expect(&r, 422, "invalid")).contains("已被使用"));
}

// ---- 8 and 9. Cross-inspections ---------------------------------------------------------

async fn user_id(app: &mut TestApp, user: &str) -> i64 {
    get(app, user, "/api/v1/me").await.json()["id"]
        .as_i64()
        .expect("id")
}

async fn cross_round(app: &mut TestApp, start: i64, end: i64) -> i64 {
    let s001 = app.org_id("S001").await;
    let inspector = user_id(app, "s002.staff").await;
    let day = |d: i64| (today() + chrono::Duration::days(d)).to_string();
    let r = send(
        app,
        "bureau.officer",
        Method::POST,
        "/api/v1/cross-assignments",
        &json!({"round_name": "交叉互查测试", "starts_on": day(start), "ends_on": day(end),
                "pairs": [{"inspector_user_id": inspector, "target_school_id": s001}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()[0]["id"].as_i64().expect("id")
}

#[tokio::test]
async fn the_inspectors_exception_ends_with_the_window() {
    let mut app = TestApp::new().await;
    let id = cross_round(&mut app, -20, -1).await;
    let checklist = format!("/api/v1/cross-assignments/{id}/checklist");
    let r = get(&mut app, "s002.staff", &checklist).await;
    expect(&r, 404, "not_found");
    let r = get(
        &mut app,
        "s002.staff",
        &format!("/cross-inspections/{id}/inspect"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(
        &mut app,
        "s002.staff",
        Method::POST,
        &format!("/api/v1/cross-assignments/{id}/inspection"),
        &json!({"kind": "cross", "items": []}),
    )
    .await;
    expect(&r, 404, "not_found");
    // The target school and the bureau still see it.
    for user in ["s001.safety", "bureau.officer"] {
        let r = get(&mut app, user, &checklist).await;
        assert_eq!(r.status, StatusCode::OK, "{user}: {}", r.text());
    }
    // Within the window the inspector reads it.
    let open = cross_round(&mut app, -1, 1).await;
    let r = get(
        &mut app,
        "s002.staff",
        &format!("/api/v1/cross-assignments/{open}/checklist"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_submissions_at_once_make_one_inspection() {
    let mut app = TestApp::new().await;
    let id = cross_round(&mut app, -1, 1).await;
    let c = get(
        &mut app,
        "s002.staff",
        &format!("/api/v1/cross-assignments/{id}/checklist"),
    )
    .await
    .json();
    let items: Vec<Value> = c["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| json!({"risk_point_id": i["risk_point_id"], "result": "pass"}))
        .collect();
    let t = app.login("s002.staff").await;
    let path = format!("/api/v1/cross-assignments/{id}/inspection");
    let body = json!({"kind": "cross", "items": items});
    let (a, b) = tokio::join!(
        app.json(Method::POST, &path, Some(&t), &body),
        app.json(Method::POST, &path, Some(&t), &body)
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    let head = |r: &common::Resp| r.text().chars().take(200).collect::<String>();
    assert_eq!(statuses, [201, 409], "{} / {}", head(&a), head(&b));
    let loser = if a.status == StatusCode::CONFLICT {
        &a
    } else {
        &b
    };
    expect(loser, 409, "conflict");
    let s001 = app.org_id("S001").await;
    let list = get(
        &mut app,
        "bureau.officer",
        &format!("/api/v1/schools/{s001}/inspections"),
    )
    .await;
    let n = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["cross_assignment_id"] == id)
        .count();
    assert_eq!(n, 1, "one inspection of the assignment");
}

// ---- 10. Incremental audit verification -------------------------------------------------

fn chain_state(html: &str) -> String {
    let at = html.find("id=\"chain-state\">").expect("chain state") + "id=\"chain-state\">".len();
    html[at..].split('<').next().unwrap_or("").to_string()
}

#[tokio::test]
async fn the_audit_view_verifies_new_rows_and_the_full_check_catches_old_tampering() {
    let mut app = TestApp::new().await;
    let page = get(&mut app, "auditadmin", "/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(chain_state(&page.text()).contains("校验通过"));
    // Tamper with a row the view has already verified.
    let first = get(&mut app, "auditadmin", "/api/v1/audit?per_page=200&page=1")
        .await
        .json();
    let total = first["total"].as_u64().unwrap();
    let oldest = get(
        &mut app,
        "auditadmin",
        &format!("/api/v1/audit?per_page=1&page={total}"),
    )
    .await
    .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    drop_audit_guard(&app).await;
    app.sql(&format!(
        "UPDATE audit_log SET detail = 'tampered' WHERE id = {oldest}"
    ))
    .await;
    // The view checks only what was appended since: it does not re-hash the old row.
    let page = get(&mut app, "auditadmin", "/audit").await;
    assert!(
        chain_state(&page.text()).contains("校验通过"),
        "{}",
        chain_state(&page.text())
    );
    // The full verification does, and the finding stays on the page.
    let page = get(&mut app, "auditadmin", "/audit?verify=full").await;
    assert_eq!(page.status, StatusCode::OK);
    let state = chain_state(&page.text());
    assert!(
        state.contains("校验失败") && state.contains(&format!("#{oldest}")),
        "{state}"
    );
    let page = get(&mut app, "auditadmin", "/audit").await;
    assert!(chain_state(&page.text()).contains("校验失败"), "kept");
    assert_eq!(
        app.db
            .unsafe_unscoped(&safecampus::storage::Operator::command_line())
            .verify_audit()
            .await
            .expect("verify"),
        Some(oldest),
        "the command line's full verification"
    );
    let log = get(&mut app, "auditadmin", "/api/v1/audit?action=audit.verify")
        .await
        .json();
    assert!(
        log["total"].as_u64().unwrap() >= 1,
        "the full verification is audited"
    );
}

#[tokio::test]
async fn tampering_after_the_last_verification_shows_on_the_next_view() {
    let mut app = TestApp::new().await;
    let page = get(&mut app, "auditadmin", "/audit").await;
    assert!(chain_state(&page.text()).contains("校验通过"));
    // A new row (a sign-in), then tampered.
    app.login("s001.guard").await;
    let newest = get(&mut app, "auditadmin", "/api/v1/audit?per_page=1")
        .await
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    drop_audit_guard(&app).await;
    app.sql(&format!(
        "UPDATE audit_log SET username = 'nobody' WHERE id = {newest}"
    ))
    .await;
    let page = get(&mut app, "auditadmin", "/audit").await;
    let state = chain_state(&page.text());
    assert!(state.contains("校验失败"), "{state}");
}

/// T-LG-6: the audit admin's own reading of the log is audited, with the filter it used, and
/// a page never shows its own reading.
#[tokio::test]
async fn reading_the_audit_log_is_itself_audited() {
    let mut app = TestApp::new().await;
    let first = get(
        &mut app,
        "auditadmin",
        "/api/v1/audit?per_page=5&user=s001.guard&action=auth.login",
    )
    .await;
    assert_eq!(first.status, StatusCode::OK);
    let shown = first.json();
    assert!(
        shown["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["action"] != "audit.read"),
        "a page does not show its own reading"
    );
    let page = get(&mut app, "auditadmin", "/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let reads = get(
        &mut app,
        "auditadmin",
        "/api/v1/audit?per_page=200&action=audit.read",
    )
    .await
    .json();
    let rows = reads["items"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "the API read and the page view: {reads}");
    let api = &rows[1];
    assert_eq!(api["username"], "auditadmin");
    assert_eq!(api["result"], "ok");
    let detail = api["detail"].as_str().unwrap();
    for part in [
        "page=1",
        "per_page=5",
        "user=s001.guard",
        "action=auth.login",
    ] {
        assert!(detail.contains(part), "{detail}");
    }
    // Nobody else may read it.
    let r = get(&mut app, "sysadmin", "/api/v1/audit").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// T-LG-6: the database itself refuses to change or remove an audit row, however the statement
/// reaches it; nothing changed, the chain still verifies.
#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_rows() {
    let mut app = TestApp::new().await;
    app.login("s001.guard").await;
    let newest = get(
        &mut app,
        "auditadmin",
        "/api/v1/audit?per_page=1&user=s001.guard",
    )
    .await
    .json()["items"][0]
        .clone();
    let id = newest["id"].as_i64().unwrap();
    let mut refused = vec![
        sql_refused(
            &app,
            &format!("UPDATE audit_log SET detail = 'tampered' WHERE id = {id}"),
        )
        .await,
        sql_refused(&app, &format!("DELETE FROM audit_log WHERE id = {id}")).await,
        sql_refused(&app, "DELETE FROM audit_log").await,
    ];
    if common::backend() == "postgres" {
        refused.push(sql_refused(&app, "TRUNCATE audit_log").await);
    }
    for message in &refused {
        assert!(message.contains("append-only"), "{message}");
    }
    let again = get(
        &mut app,
        "auditadmin",
        "/api/v1/audit?per_page=200&user=s001.guard",
    )
    .await
    .json();
    assert!(
        again["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id && r["hash"] == newest["hash"]),
        "the row is unchanged"
    );
    assert_eq!(
        app.db
            .unsafe_unscoped(&safecampus::storage::Operator::command_line())
            .verify_audit()
            .await
            .expect("verify"),
        None,
        "the chain verifies"
    );
}

// ---- 11. An oversized JSON body ---------------------------------------------------------

#[tokio::test]
async fn an_oversized_json_body_is_413() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let big = json!({"code": "S983", "name": "大请求", "kind": "primary", "address": "x".repeat(3 * 1024 * 1024)});
    let r = app
        .json(Method::POST, "/api/v1/schools", Some(&t), &big)
        .await;
    expect(&r, 413, "too_large");
}

// ---- A district is not a school -----------------------------------------------------------

/// Rows of a table, counted on the test's database.
async fn count(app: &TestApp, table: &str) -> i64 {
    let conn = sea_orm::Database::connect(app.owner_url().as_str())
        .await
        .expect("connect");
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count")
        .expect("a row");
    conn.close().await.ok();
    row.try_get::<i64>("", "n").expect("n")
}

#[tokio::test]
async fn school_writes_at_a_district_id_are_not_found_and_store_nothing() {
    let mut app = TestApp::new().await;
    let ed = app.org_id("ED").await;
    let s001 = app.org_id("S001").await;
    let before = (
        count(&app, "hazards").await,
        count(&app, "inspections").await,
        count(&app, "people").await,
        count(&app, "zones").await,
    );
    let hazard = json!({"title": "区级隐患", "aspect": "things", "category": "校舍"});
    let inspection = json!({"kind": "daily", "items": [{"label": "门卫值守", "result": "pass"}]});
    let person = json!({"name": "张三", "post": "teacher"});
    let zone = json!({"code": "DZ1", "name": "区级区域", "zone_type": "area"});
    for user in [
        "bureau.officer",
        "city.officer",
        "bureau.leader",
        "s001.principal",
    ] {
        for (path, body) in [
            (format!("/api/v1/schools/{ed}/hazards"), &hazard),
            (format!("/api/v1/schools/{ed}/inspections"), &inspection),
            (format!("/api/v1/schools/{ed}/people"), &person),
            (format!("/api/v1/schools/{ed}/zones"), &zone),
        ] {
            let r = send(&mut app, user, Method::POST, &path, body).await;
            expect(&r, 404, "not_found");
        }
    }
    let after = (
        count(&app, "hazards").await,
        count(&app, "inspections").await,
        count(&app, "people").await,
        count(&app, "zones").await,
    );
    assert_eq!(before, after, "nothing stored for a district");
    // The hazard list's school filter names a school of the list, or nothing: 404.
    for id in [ed, 987_654] {
        let r = get(
            &mut app,
            "bureau.officer",
            &format!("/api/v1/hazards?school_id={id}"),
        )
        .await;
        expect(&r, 404, "not_found");
    }
    let n001 = app.org_id("N001").await;
    let r = get(
        &mut app,
        "bureau.officer",
        &format!("/api/v1/hazards?school_id={n001}"),
    )
    .await;
    expect(&r, 404, "not_found");
    let r = get(
        &mut app,
        "bureau.officer",
        &format!("/api/v1/hazards?school_id={s001}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["total"].as_u64().unwrap() > 0);
}
