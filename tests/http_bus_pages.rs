//! The school-bus pages over HTTP: the register colours a date expiring within the warning
//! days; a vehicle shows its equipment and sign; the drivers' page names every failing
//! reason; a school's routes show their riders masked; the permit goes from the school's
//! form through each of the bureau's forms to the printable sign, a refused form answering
//! 422 with its values kept; another district's officer gets 404, the school 403 on the
//! bureau's step. The warning sweep warns of a date expiring within the warning days and
//! again once it has passed, once per bus, date and threshold however often it runs, clears
//! a renewed one, and a lapsed insurance blocks the bus's trips; the drivers' daily check
//! warns of a driver who stopped being eligible, once.

mod common;

use axum::http::{Method, StatusCode};
use chrono::Duration;
use common::TestApp;
use safecampus::config::HazardRules;
use safecampus::storage::Operator;
use safecampus::xlsx::{Cell, write_sheet};
use serde_json::{Value, json};

fn day(n: i64) -> String {
    (safecampus::clock::today() + Duration::days(n)).to_string()
}

async fn created(app: &TestApp, t: &str, path: &str, body: Value) -> Value {
    let r = app.json(Method::POST, path, Some(t), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text());
    r.json()
}

struct Fleet {
    school: i64,
    bus: i64,
    driver: i64,
    attendant: i64,
    route: i64,
}

/// A bus whose inspection runs out in 10 days, an eligible driver, an ineligible one (a
/// serious violation 8 months ago), an attendant and a route.
async fn fleet(app: &mut TestApp) -> Fleet {
    let school = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let bus = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/buses"),
        json!({"plate": "吉A·P0001", "owner": "页面校车公司", "seats": 19,
            "bus_type": "primary", "inspection_until": day(10), "insurance_until": day(200),
            "equipment": ["escape_hammer", "extinguisher"]}),
    )
    .await;
    let p = app.add_person(&t, school, "孙师傅", "bus_driver").await;
    let driver = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/bus-drivers"),
        json!({"person_id": p, "licence_class": "a1", "licensed_since": "2005-07-01",
            "birth_date": "1980-03-15", "health_certificate_until": day(300),
            "annual_review_until": day(300), "review_study_hours": 3.5}),
    )
    .await;
    let p2 = app.add_person(&t, school, "周师傅", "bus_driver").await;
    let other = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/bus-drivers"),
        json!({"person_id": p2, "licence_class": "a1", "licensed_since": "2005-07-01",
            "birth_date": "1979-05-01", "health_certificate_until": day(300),
            "annual_review_until": day(300), "review_study_hours": 3.5}),
    )
    .await;
    created(
        app,
        &t,
        &format!("/api/v1/bus-drivers/{}/records", other["id"]),
        json!({"kind": "serious_violation", "on": day(-240), "note": "超速 50%"}),
    )
    .await;
    let a = app.add_person(&t, school, "吴老师", "bus_attendant").await;
    let attendant = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/bus-attendants"),
        json!({"person_id": a, "birth_date": "1985-01-01",
            "trainings": [{"on": day(-30), "hours": 4.0, "topic": "应急处置"}]}),
    )
    .await;
    let route = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/bus-routes"),
        json!({"name": "页面一号线", "stops": [
            {"name": "东站", "lat": 43.880, "lon": 125.300, "time": "07:00"},
            {"name": "学校", "lat": 43.880, "lon": 125.320, "time": "07:20"}]}),
    )
    .await;
    Fleet {
        school,
        bus: bus["id"].as_i64().unwrap(),
        driver: driver["id"].as_i64().unwrap(),
        attendant: attendant["id"].as_i64().unwrap(),
        route: route["id"].as_i64().unwrap(),
    }
}

fn page(r: &common::Resp) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.text()
}

#[tokio::test]
async fn the_pages_show_the_register_vehicle_drivers_routes_and_trips() {
    let mut app = TestApp::new().await;
    let f = fleet(&mut app).await;
    let o = app.login("bureau.officer").await;
    let html = page(&app.get("/buses", Some(&o)).await);
    assert!(html.contains("吉A·P0001"));
    let row = &html[html.find("data-plate=\"吉A·P0001\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("exp-soon"), "the inspection in 10 days: {row}");
    assert!(row.contains("exp-expired"), "no sign yet: {row}");
    assert!(html.contains("href=\"/bus-permits\""), "the menu");
    let html = page(&app.get(&format!("/buses/{}", f.bus), Some(&o)).await);
    assert!(html.contains("eq-missing"), "{html}");
    assert!(html.contains("急救箱"));
    assert!(html.contains("id=\"no-sign\""));
    let html = page(&app.get(&format!("/buses/{}/sign", f.bus), Some(&o)).await);
    assert!(html.contains("id=\"no-sign\""));
    let html = page(&app.get("/bus-drivers", Some(&o)).await);
    assert!(html.contains("周师傅") && html.contains("孙师傅"));
    assert!(html.contains("reason-serious_violation"), "{html}");
    assert!(html.contains("最近一年内有严重交通违法记录"));
    // Riders are masked on the page, for every role.
    let t = app.login("s001.principal").await;
    let book = write_sheet(
        "Sheet1",
        &["学生姓名", "班级", "站点", "监护人", "电话"].map(String::from),
        &[vec![
            Cell::Text("张小明".into()),
            Cell::Text("三年一班".into()),
            Cell::Text("东站".into()),
            Cell::Text("张大山".into()),
            Cell::Text("13812341234".into()),
        ]],
    )
    .unwrap();
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/bus-routes/{}/riders/import", f.route),
            Some(&t),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            book,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    for who in [&t, &o] {
        let html = page(
            &app.get(&format!("/schools/{}/bus-routes", f.school), Some(who))
                .await,
        );
        assert!(html.contains("页面一号线"));
        assert!(html.contains("张*明"), "masked");
        assert!(!html.contains("张小明") && !html.contains("13812341234"));
    }
    let html = page(
        &app.get(&format!("/schools/{}/bus-trips", f.school), Some(&o))
            .await,
    );
    assert!(html.contains("id=\"trip-list\""));
    let r = app
        .get(&format!("/schools/{}/bus-trips?day=x", f.school), Some(&o))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another district's officer: 404 everywhere.
    let ng = app.login("nanguan.officer").await;
    for path in [
        format!("/buses/{}", f.bus),
        format!("/buses/{}/sign", f.bus),
        format!("/schools/{}/bus-routes", f.school),
        format!("/schools/{}/bus-trips", f.school),
    ] {
        let r = app.get(&path, Some(&ng)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let html = page(&app.get("/buses", Some(&ng)).await);
    assert!(!html.contains("吉A·P0001"));
    // English labels come from the catalogue too.
    let r = app
        .request(
            Method::GET,
            "/buses",
            Some(&o),
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await;
    assert!(page(&r).contains("Bus register"));
}

#[tokio::test]
async fn a_permit_goes_from_the_schools_form_to_the_printed_sign() {
    let mut app = TestApp::new().await;
    let f = fleet(&mut app).await;
    let t = app.login("s001.safety").await;
    let html = page(&app.get("/bus-permits/new", Some(&t)).await);
    assert!(html.contains("吉A·P0001") && html.contains("页面一号线"));
    // A refused application keeps its values and names what is missing.
    let (bus, route, driver) = (f.bus.to_string(), f.route.to_string(), f.driver.to_string());
    let r = app
        .form(
            "/bus-permits",
            Some(&t),
            &[
                ("vehicle_id", &bus),
                ("route_id", &route),
                ("operating_times", "07:00–07:20"),
                ("safety_rules", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(html.contains("value=\"07:00–07:20\""), "kept");
    assert!(html.contains("驾驶人均取得校车驾驶资格"), "{html}");
    assert!(html.contains("健全的安全管理制度"));
    let r = app
        .form(
            "/bus-permits",
            Some(&t),
            &[
                ("vehicle_id", &bus),
                ("route_id", &route),
                ("driver_ids", &driver),
                ("operating_times", "07:00–07:20"),
                ("safety_rules", "校车安全管理制度"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let at = r.header("location");
    assert!(at.starts_with("/bus-permits/"), "{at}");
    let html = page(&app.get(&at, Some(&t)).await);
    assert!(html.contains("step-forward"), "the forward deadline");
    assert!(
        !html.contains("id=\"form-forward\""),
        "the school does not decide"
    );
    let r = app.form(&at, Some(&t), &[("action", "forward")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let ng = app.login("nanguan.officer").await;
    let r = app.form(&at, Some(&ng), &[("action", "forward")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.form(&at, Some(&ng), &[("action", "nonsense")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "scope before the form");
    // The bureau's steps, each from its form.
    let o = app.login("bureau.officer").await;
    let html = page(&app.get(&at, Some(&o)).await);
    assert!(html.contains("id=\"form-forward\"") && html.contains("id=\"form-refuse\""));
    for pairs in [
        vec![("action", "forward")],
        vec![("action", "record_reply"), ("department", "traffic_police")],
        vec![("action", "record_reply"), ("department", "transport")],
        vec![
            ("action", "review"),
            ("favourable", "1"),
            ("opinion", "同意"),
        ],
        vec![("action", "decide")],
    ] {
        let r = app.form(&at, Some(&o), &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{pairs:?}: {}", r.text());
    }
    // A bad date: 422, the form keeps its values.
    let r = app
        .form(
            &at,
            Some(&o),
            &[
                ("action", "issue_sign"),
                ("number", "吉交校P0001"),
                ("authority", "长春市公安局交通警察支队"),
                ("valid_until", "2026-13-45"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("value=\"吉交校P0001\""), "kept");
    assert!(html.contains("请按 YYYY-MM-DD 格式填写日期"));
    let r = app
        .form(
            &at,
            Some(&o),
            &[
                ("action", "issue_sign"),
                ("number", "吉交校P0001"),
                ("authority", "长春市公安局交通警察支队"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = page(&app.get(&at, Some(&o)).await);
    assert!(html.contains("status-issued"));
    assert!(html.contains("id=\"sign-print\""));
    let html = page(&app.get(&format!("/buses/{}/sign", f.bus), Some(&t)).await);
    assert!(html.contains("id=\"bus-sign-doc\"") && html.contains("吉交校P0001"));
    assert!(html.contains(&day(10)), "valid until the inspection");
    assert!(html.contains("孙师傅"));
    let html = page(&app.get(&format!("{at}/print"), Some(&o)).await);
    assert!(html.contains("校车使用许可决定书"));
    let html = page(&app.get("/bus-permits", Some(&o)).await);
    assert!(html.contains("吉A·P0001"));
    let r = app.get(&format!("{at}/print"), Some(&ng)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Runs the warning sweep of the slot of `at` (a past slot, so that it is due now).
async fn sweep(app: &TestApp, at: chrono::DateTime<chrono::Utc>) {
    let r = app.db.jobs(&Operator::command_line(), "t".into());
    assert!(r.schedule_warning_sweep(at).await.unwrap(), "a new slot");
    let pass = r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!(pass.failed, 0);
}

/// The bus warnings `t` sees, of one subject or (ending in `:`) of a subject prefix.
async fn bus_warnings(app: &TestApp, t: &str, prefix: &str) -> Vec<Value> {
    let r = app
        .get("/api/v1/warnings?per_page=200&source=bus", Some(t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| {
            let s = w["subject"].as_str().unwrap_or("");
            // `bus:<id>:` names a bus's subjects, anything else one subject.
            if prefix.ends_with(':') {
                s.starts_with(prefix)
            } else {
                s == prefix
            }
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_sweep_warns_of_expiring_dates_once_and_a_lapsed_one_blocks_trips() {
    let mut app = TestApp::new().await;
    let f = fleet(&mut app).await;
    let t = app.login("s001.safety").await;
    let trip = created(
        &app,
        &t,
        "/api/v1/bus-trips",
        json!({"route_id": f.route, "vehicle_id": f.bus, "driver_id": f.driver,
            "attendant_ids": [f.attendant], "run": "早班"}),
    )
    .await;
    let refusals = |t: &Value| -> Vec<String> {
        t["refusals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect()
    };
    assert!(!refusals(&trip).contains(&"insurance_expired".to_string()));
    let now = chrono::Utc::now();
    let prefix = format!("bus:{}:", f.bus);
    sweep(&app, now - Duration::hours(3)).await;
    let ws = bus_warnings(&app, &t, &prefix).await;
    assert_eq!(ws.len(), 1, "{ws:?}");
    assert_eq!(ws[0]["rule"], "bus_inspection_expiry");
    assert_eq!(
        ws[0]["subject"],
        format!("bus:{}:inspection:{}:soon", f.bus, day(10))
    );
    assert_eq!(ws[0]["level"], "blue");
    // Run again: nothing new.
    sweep(&app, now - Duration::hours(2)).await;
    assert_eq!(bus_warnings(&app, &t, &prefix).await.len(), 1);
    // The insurance lapses: a warning the district sees, and the bus may not run.
    app.sql(&format!(
        "UPDATE bus_vehicles SET insurance_until = '{}' WHERE id = {}",
        day(-1),
        f.bus
    ))
    .await;
    sweep(&app, now - Duration::hours(1)).await;
    let o = app.login("bureau.officer").await;
    let ws = bus_warnings(&app, &o, &prefix).await;
    let lapsed: Vec<&Value> = ws
        .iter()
        .filter(|w| w["rule"] == "bus_insurance_expiry")
        .collect();
    assert_eq!(lapsed.len(), 1, "the district sees the lapse: {ws:?}");
    assert_eq!(
        lapsed[0]["subject"],
        format!("bus:{}:insurance:{}:expired", f.bus, day(-1))
    );
    assert_eq!(lapsed[0]["level"], "yellow");
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/bus-trips/{}/actions", trip["id"]),
            Some(&t),
            &json!({"action": "start"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.text().contains("refusals.insurance_expired"),
        "{}",
        r.text()
    );
    let html = page(
        &app.get(&format!("/schools/{}/bus-trips", f.school), Some(&t))
            .await,
    );
    assert!(html.contains("refusal-insurance_expired"));
    // The inspection renewed: its warning is cleared; a further sweep raises nothing.
    app.sql(&format!(
        "UPDATE bus_vehicles SET inspection_until = '{}' WHERE id = {}",
        day(100),
        f.bus
    ))
    .await;
    sweep(&app, now - Duration::minutes(30)).await;
    sweep(&app, now - Duration::minutes(10)).await;
    let ws = bus_warnings(&app, &t, &prefix).await;
    assert_eq!(ws.len(), 2, "{ws:?}");
    let inspection = ws
        .iter()
        .find(|w| w["rule"] == "bus_inspection_expiry")
        .unwrap();
    assert!(!inspection["cleared_at"].is_null(), "{inspection}");
    let insurance = ws
        .iter()
        .find(|w| w["rule"] == "bus_insurance_expiry")
        .unwrap();
    assert!(insurance["cleared_at"].is_null());
}

#[tokio::test]
async fn the_daily_check_warns_of_a_driver_who_stopped_being_eligible_once() {
    let mut app = TestApp::new().await;
    let f = fleet(&mut app).await;
    let t = app.login("s001.safety").await;
    // The health certificate ran out yesterday (no record was added: only the daily check
    // can notice).
    app.sql(&format!(
        "UPDATE bus_drivers SET health_certificate_until = '{}' WHERE id = {}",
        day(-1),
        f.driver
    ))
    .await;
    let subject = format!("bus_driver:{}", f.driver);
    assert!(bus_warnings(&app, &t, &subject).await.is_empty());
    let r = app.db.jobs(&Operator::command_line(), "t".into());
    let today = safecampus::clock::today();
    assert!(r.schedule_bus_drivers(today).await.unwrap());
    assert!(!r.schedule_bus_drivers(today).await.unwrap(), "once a day");
    let pass = r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!((pass.done, pass.failed), (1, 0));
    let ws = bus_warnings(&app, &t, &subject).await;
    assert_eq!(ws.len(), 1, "{ws:?}");
    assert_eq!(ws[0]["rule"], "bus_driver_ineligible");
    // Another day's check changes nothing.
    let r = app.db.jobs(&Operator::command_line(), "u".into());
    assert!(
        r.schedule_bus_drivers(today + Duration::days(1))
            .await
            .unwrap()
    );
    r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!(bus_warnings(&app, &t, &subject).await.len(), 1);
    // Renewed: the next check clears it.
    app.sql(&format!(
        "UPDATE bus_drivers SET health_certificate_until = '{}' WHERE id = {}",
        day(300),
        f.driver
    ))
    .await;
    assert!(
        r.schedule_bus_drivers(today + Duration::days(2))
            .await
            .unwrap()
    );
    r.run_due(&HazardRules::default()).await.unwrap();
    let ws = bus_warnings(&app, &t, &subject).await;
    assert!(!ws[0]["cleared_at"].is_null(), "{ws:?}");
}

#[tokio::test]
async fn the_riders_export_is_masked_unless_a_granted_role_asks_with_a_reason() {
    let mut app = TestApp::new().await;
    let f = fleet(&mut app).await;
    let t = app.login("s001.principal").await;
    let book = write_sheet(
        "Sheet1",
        &["学生姓名", "班级", "站点", "监护人", "电话"].map(String::from),
        &[vec![
            Cell::Text("=HYPERLINK(\"x\")".into()),
            Cell::Text("三年一班".into()),
            Cell::Text("东站".into()),
            Cell::Text("张大山".into()),
            Cell::Text("13812341234".into()),
        ]],
    )
    .unwrap();
    let import = format!("/api/v1/bus-routes/{}/riders/import", f.route);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    // Scope and role come before the file: another district 404, staff 403, even with no
    // file at all.
    let ng = app.login("nanguan.officer").await;
    let staff = app.login("s001.staff").await;
    for (who, status) in [(&ng, 404), (&staff, 403)] {
        for body in [Vec::new(), b"not a workbook".to_vec()] {
            let r = app
                .request(Method::POST, &import, Some(who), Some(xlsx), body, &[])
                .await;
            assert_eq!(r.status.as_u16(), status, "{}", r.text());
        }
    }
    let r = app
        .request(Method::POST, &import, Some(&t), Some(xlsx), book, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let export = format!("/api/v1/bus-routes/{}/riders/export.xlsx", f.route);
    let rows = |r: &common::Resp| {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        safecampus::xlsx::read_first_sheet(&r.body, &Default::default()).expect("xlsx")
    };
    let o = app.login("bureau.officer").await;
    for who in [&t, &o, &staff] {
        let sheet = rows(&app.get(&export, Some(who)).await);
        assert_eq!(sheet.len(), 2);
        assert_eq!(sheet[1][3], "张*山");
        assert_eq!(sheet[1][4], "138****1234");
        assert!(
            !sheet[1][0].contains("HYPERLINK(\"x\")"),
            "masked: {:?}",
            sheet[1]
        );
    }
    let r = app
        .get(&format!("{export}?unmasked=1&reason=x"), Some(&o))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.get(&format!("{export}?unmasked=1"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sheet = rows(
        &app.get(
            &format!("{export}?unmasked=1&reason=%E6%8E%A5%E9%80%81%E6%A0%B8%E5%AF%B9"),
            Some(&t),
        )
        .await,
    );
    // The formula-looking name is kept as text, not run.
    assert_eq!(sheet[1][0], "=HYPERLINK(\"x\")");
    assert_eq!(sheet[1][3], "张大山");
    let audit = app.audit("action=bus.rider_names").await;
    assert!(!audit.is_empty());
    assert!(
        audit
            .iter()
            .all(|a| !a.to_string().contains("张大山") && !a.to_string().contains("HYPERLINK")),
        "no rider in the audit"
    );
    let r = app.get(&export, Some(&ng)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_demo_runs_buses_with_a_late_permit_and_an_ineligible_driver() {
    let mut app = TestApp::new().await;
    let o = app.login("bureau.officer").await;
    let html = page(&app.get("/buses", Some(&o)).await);
    for plate in ["吉A·X1101", "吉A·X1102", "吉A·X1201", "吉A·X1202"] {
        assert!(html.contains(plate), "{plate}");
    }
    let row = |plate: &str| {
        let at = html.find(&format!("data-plate=\"{plate}\"")).unwrap();
        let r = &html[at..];
        r[..r.find("</tr>").unwrap()].to_string()
    };
    assert!(
        row("吉A·X1102").contains("exp-soon"),
        "a sign within the month"
    );
    let lapsed = row("吉A·X1201");
    let insurance = &lapsed[lapsed.find("insurance-cell").unwrap()..];
    assert!(insurance.contains("exp-expired"), "{lapsed}");
    let permits: Value = app.get("/api/v1/bus-permits", Some(&o)).await.json();
    let permits = permits.as_array().unwrap();
    assert!(
        permits
            .iter()
            .any(|p| p["status"] == "issued" && !p["sign"].is_null())
    );
    assert!(
        permits
            .iter()
            .any(|p| p["status"] == "forwarded" && p["late"] == true),
        "the replies are late: {permits:?}"
    );
    let s011 = app.org_id("S011").await;
    let drivers: Value = app
        .get(&format!("/api/v1/schools/{s011}/bus-drivers"), Some(&o))
        .await
        .json();
    let bad: Vec<&Value> = drivers
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["eligible"] == false)
        .collect();
    assert_eq!(bad.len(), 1, "{drivers}");
    assert_eq!(bad[0]["reasons"], json!(["serious_violation"]));
    let s012 = app.org_id("S012").await;
    let drivers: Value = app
        .get(&format!("/api/v1/schools/{s012}/bus-drivers"), Some(&o))
        .await
        .json();
    assert!(
        drivers
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["eligible"] == true && d["lapses_on"] == day(21)),
        "one passes the age limit in three weeks: {drivers}"
    );
    // Today's trip of the bus whose insurance lapsed may not start.
    let html = page(
        &app.get(&format!("/schools/{s012}/bus-trips"), Some(&o))
            .await,
    );
    assert!(html.contains("refusal-insurance_expired"));
    // The riders are masked.
    let html = page(
        &app.get(&format!("/schools/{s012}/bus-routes"), Some(&o))
            .await,
    );
    assert!(html.contains("李*轩") && !html.contains("李明轩"));
}

/// A browser's session cookie for `username`.
async fn cookie(app: &TestApp, username: &str) -> String {
    let form = [("username", username), ("password", common::PASSWORD)];
    let r = app.form("/login", None, &form).await;
    r.header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn get_as(app: &TestApp, path: &str, cookie: &str) -> common::Resp {
    app.request(Method::GET, path, None, None, vec![], &[("cookie", cookie)])
        .await
}

/// Posts a page's form as the browser does: the session cookie and the CSRF token of the
/// page `on` (none: without a token).
async fn post_form(
    app: &TestApp,
    on: Option<&str>,
    path: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
) -> common::Resp {
    let mut all: Vec<(&str, String)> = Vec::new();
    if let Some(on) = on {
        let html = page(&get_as(app, on, cookie).await);
        all.push(("_csrf", TestApp::form_token(&html)));
    }
    all.extend(pairs.iter().map(|(k, v)| (*k, v.to_string())));
    let body = serde_urlencoded::to_string(&all).unwrap();
    app.request(
        Method::POST,
        path,
        None,
        Some("application/x-www-form-urlencoded"),
        body.into_bytes(),
        &[("cookie", cookie)],
    )
    .await
}

#[tokio::test]
async fn the_school_registers_a_bus_a_driver_an_attendant_and_a_route_from_the_pages() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let c = cookie(&app, "s001.safety").await;
    // The vehicle, on the register.
    let html = page(&get_as(&app, "/buses", &c).await);
    assert!(
        html.contains(&format!("action=\"/schools/{s001}/buses\"")),
        "{html}"
    );
    let to = format!("/schools/{s001}/buses");
    let vehicle = [
        ("plate", "吉A·F0001"),
        ("owner", "表单校车公司"),
        ("seats", "5"),
        ("bus_type", "primary"),
        ("inspection_until", "2031-01-01"),
        ("insurance_until", "2031-02-01"),
        ("equipment", "escape_hammer"),
        ("equipment", "extinguisher"),
    ];
    let r = post_form(&app, None, &to, &c, &vehicle).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    let r = post_form(&app, Some("/buses"), &to, &c, &vehicle).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("value=\"吉A·F0001\"") && html.contains("value=\"5\""),
        "kept"
    );
    assert!(html.contains("座位数应在 7 至 80 之间"), "the field named");
    assert!(
        html.contains("value=\"extinguisher\" checked"),
        "ticks kept"
    );
    let mut ok = vehicle.to_vec();
    ok[2] = ("seats", "19");
    let r = post_form(&app, Some("/buses"), &to, &c, &ok).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let at = r.header("location");
    assert!(at.starts_with("/buses/"), "{at}");
    let bus: Value = app.get(&format!("/api/v1{at}"), Some(&t)).await.json();
    assert_eq!(bus["seats"], 19);
    assert_eq!(bus["equipment"], json!(["escape_hammer", "extinguisher"]));
    let r = post_form(&app, Some("/buses"), &to, &c, &ok).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the plate is taken"
    );
    assert!(r.text().contains("本校已有该号牌的校车"));
    // The driver, from the school's people with the post.
    let p = app.add_person(&t, s001, "表单司机", "bus_driver").await;
    let html = page(&get_as(&app, "/bus-drivers", &c).await);
    assert!(
        html.contains(&format!("<option value=\"{p}\">表单司机</option>")),
        "{html}"
    );
    let to = format!("/schools/{s001}/bus-drivers");
    let p = p.to_string();
    let mut driver = vec![
        ("person_id", p.as_str()),
        ("licence_class", "A1"),
        ("licensed_since", "2006-05-01"),
        ("birth_date", "1980-02-30"),
        ("health_certificate_until", "2031-01-01"),
        ("annual_review_until", "2031-01-01"),
        ("review_study_hours", "4"),
    ];
    let r = post_form(&app, Some("/bus-drivers"), &to, &c, &driver).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("value=\"2006-05-01\"") && html.contains("value=\"A1\""));
    assert!(html.contains("请按 YYYY-MM-DD 格式填写日期"));
    driver[3] = ("birth_date", "1980-02-28");
    let r = post_form(&app, Some("/bus-drivers"), &to, &c, &driver).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let drivers: Value = app
        .get(&format!("/api/v1/schools/{s001}/bus-drivers"), Some(&t))
        .await
        .json();
    assert!(
        drivers
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "表单司机" && d["eligible"] == true),
        "{drivers}"
    );
    let html = page(&get_as(&app, "/bus-drivers", &c).await);
    assert!(
        !html.contains(&format!("<option value=\"{p}\">")),
        "registered once"
    );
    // The attendant and the route, on the school's routes page.
    let routes = format!("/schools/{s001}/bus-routes");
    let a = app
        .add_person(&t, s001, "表单照管员", "bus_attendant")
        .await
        .to_string();
    let r = post_form(
        &app,
        Some(&routes),
        &format!("/schools/{s001}/bus-attendants"),
        &c,
        &[
            ("person_id", &a),
            ("birth_date", "1986-04-01"),
            ("training_on", &day(-10)),
            ("training_hours", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "hours missing");
    assert!(r.text().contains("value=\"1986-04-01\""));
    let r = post_form(
        &app,
        Some(&routes),
        &format!("/schools/{s001}/bus-attendants"),
        &c,
        &[
            ("person_id", &a),
            ("birth_date", "1986-04-01"),
            ("training_on", &day(-10)),
            ("training_hours", "4"),
            ("training_topic", "应急处置"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list: Value = app
        .get(&format!("/api/v1/schools/{s001}/bus-attendants"), Some(&t))
        .await
        .json();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == "表单照管员" && x["eligible"] == true),
        "{list}"
    );
    let bad = "东站, 43.880, 125.300, 07:00\n学校 43.880 125.320";
    let r = post_form(
        &app,
        Some(&routes),
        &routes,
        &c,
        &[("name", "表单二号线"), ("stops", bad)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("第 2 行应为"), "{html}");
    assert!(
        html.contains("value=\"表单二号线\"") && html.contains("学校 43.880 125.320</textarea>")
    );
    let r = post_form(
        &app,
        Some(&routes),
        &routes,
        &c,
        &[
            ("name", "表单二号线"),
            ("stops", "东站, 95, 125.300, 07:00"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("第 1 行：坐标超出范围"), "the line named");
    let good = "东站, 43.880, 125.300, 07:00\n学校，43.880，125.320，07:20";
    let r = post_form(
        &app,
        Some(&routes),
        &routes,
        &c,
        &[("name", "表单二号线"), ("stops", good)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list: Value = app.get(&format!("/api/v1{routes}"), Some(&t)).await.json();
    let r = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "表单二号线")
        .expect("the route");
    assert_eq!(r["stops"].as_array().unwrap().len(), 2);
    assert_eq!(r["stops"][1]["time"], "07:20");
    // Out of scope: 404 before the form is read; staff may not register: 403.
    let ng = app.login("nanguan.officer").await;
    let r = app
        .form(&format!("/schools/{s001}/buses"), Some(&ng), &ok)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .form(
            &format!("/schools/{s001}/bus-routes"),
            Some(&ng),
            &[("name", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let staff = app.login("s001.staff").await;
    let r = app
        .form(
            &format!("/schools/{s001}/bus-routes"),
            Some(&staff),
            &[("name", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let html = page(&app.get("/buses", Some(&staff)).await);
    assert!(!html.contains("id=\"vehicle-form\""), "no form for staff");
}

/// The fleet's bus permitted through the API, its sign valid until the inspection.
async fn signed(app: &mut TestApp, f: &Fleet) {
    let t = app.login("s001.safety").await;
    let p = created(
        app,
        &t,
        "/api/v1/bus-permits",
        json!({"vehicle_id": f.bus, "route_id": f.route, "driver_ids": [f.driver],
            "operating_times": "07:00–07:20", "safety_rules": "校车安全管理制度"}),
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    let o = app.login("bureau.officer").await;
    for body in [
        json!({"action": "forward"}),
        json!({"action": "record_reply", "department": "traffic_police"}),
        json!({"action": "record_reply", "department": "transport"}),
        json!({"action": "review", "favourable": true, "opinion": "同意"}),
        json!({"action": "decide"}),
        json!({"action": "issue_sign", "sign": {"number": format!("吉交校T{id:04}"),
            "authority": "长春市公安局交通警察支队", "valid_until": day(10)}}),
    ] {
        let r = app
            .json(
                Method::POST,
                &format!("/api/v1/bus-permits/{id}/actions"),
                Some(&o),
                &body,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text());
    }
}

#[tokio::test]
async fn a_trip_is_recorded_on_its_page_and_its_track_map_marks_its_warnings() {
    let mut app = TestApp::new().await;
    let f = fleet(&mut app).await;
    let t = app.login("s001.safety").await;
    let c = cookie(&app, "s001.safety").await;
    let trip = created(
        &app,
        &t,
        "/api/v1/bus-trips",
        json!({"route_id": f.route, "vehicle_id": f.bus, "driver_id": f.driver,
            "attendant_ids": [f.attendant], "run": "表单早班"}),
    )
    .await;
    let id = trip["id"].as_i64().unwrap();
    let at = format!("/bus-trips/{id}");
    // Linked from the school's trips.
    let html = page(&get_as(&app, &format!("/schools/{}/bus-trips", f.school), &c).await);
    assert!(html.contains(&format!("href=\"{at}\"")), "{html}");
    let html = page(&get_as(&app, &at, &c).await);
    for form in ["form-check", "form-board", "form-start"] {
        assert!(html.contains(&format!("id=\"{form}\"")), "{form}");
    }
    assert!(!html.contains("id=\"form-finish\""), "not before the start");
    assert!(html.contains("孙师傅") && html.contains("吴老师") && html.contains("页面一号线"));
    assert!(!html.contains("class=\"track\""), "no positions yet");
    // The bus gets its sign (valid until its inspection), then the trip is recorded.
    signed(&mut app, &f).await;
    // A bad count and a start refused with its reasons: 422, the form kept.
    let r = post_form(
        &app,
        Some(&at),
        &at,
        &c,
        &[("action", "board"), ("count", "300")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("value=\"300\"") && r.text().contains("人数应在 0 至 200 之间"));
    let r = post_form(&app, Some(&at), &at, &c, &[("action", "start")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("未记录出车前检查"), "{}", r.text());
    let r = post_form(&app, None, &at, &c, &[("action", "board"), ("count", "5")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    let mut check: Vec<(&str, &str)> = vec![("action", "check")];
    for i in [
        "brakes",
        "steering",
        "lights",
        "tyres",
        "emergency_door",
        "seats",
        "belts",
    ] {
        check.push(("items", i));
    }
    for pairs in [
        check,
        vec![("action", "board"), ("count", "5")],
        vec![("action", "start")],
    ] {
        let r = post_form(&app, Some(&at), &at, &c, &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{pairs:?}: {}", r.text());
    }
    // The bus's positions through the ingest: a stretch at 75 km/h, then 70 s some 650 m
    // off the route.
    let (dev, token) = app.s001_device("bus_gps", "GPS-P1").await;
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/buses/{}", f.bus),
            Some(&t),
            &json!({"gps_device_id": dev}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let when = |s: i64| (chrono::Utc::now() + Duration::seconds(s)).to_rfc3339();
    let mut events = vec![
        json!({"id": "m1", "at": when(2), "metric": "gps", "lat": 43.8801, "lon": 125.302, "speed_kmh": 40.0}),
        json!({"id": "m2", "at": when(12), "metric": "gps", "lat": 43.8801, "lon": 125.305, "speed_kmh": 75.0}),
        json!({"id": "m3", "at": when(22), "metric": "gps", "lat": 43.8801, "lon": 125.308, "speed_kmh": 40.0}),
    ];
    for k in 0..8 {
        events.push(
            json!({"id": format!("d{k}"), "at": when(32 + 10 * k), "metric": "gps",
            "lat": 43.886, "lon": 125.310, "speed_kmh": 30.0}),
        );
    }
    events.push(json!({"id": "m4", "at": when(112), "metric": "gps", "lat": 43.8801, "lon": 125.315, "speed_kmh": 35.0}));
    let rep = app.ingest(&token, Value::Array(events)).await;
    assert_eq!(rep["accepted"], 12, "{rep}");
    let track: Value = app
        .get(&format!("/api/v1/bus-trips/{id}/track"), Some(&t))
        .await
        .json();
    assert_eq!(track["points"].as_array().unwrap().len(), 12);
    let rules: Vec<&str> = track["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["bus_speeding", "bus_deviation"], "{track}");
    // The map: every point, both warnings marked with their levels and in the legend.
    let o = app.login("bureau.officer").await;
    let html = page(&app.get(&at, Some(&o)).await);
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert!(svg.contains("class=\"track-map\""));
    assert!(svg.contains("class=\"track\" data-count=\"12\""), "{svg}");
    assert_eq!(svg.matches("class=\"track-point\"").count(), 12);
    assert_eq!(svg.matches("class=\"stop\"").count(), 2);
    assert!(svg.contains("class=\"route-path\""));
    assert_eq!(svg.matches("class=\"warning-mark\"").count(), 2);
    assert!(
        svg.contains("data-rule=\"bus_speeding\" data-level=\"orange\""),
        "{svg}"
    );
    assert!(svg.contains("data-rule=\"bus_deviation\" data-level=\"yellow\""));
    assert_eq!(svg.matches("class=\"legend-warning\"").count(), 2);
    assert!(svg.contains("校车超速") && svg.contains("校车偏离线路"));
    assert!(!svg.contains("NaN"));
    assert!(html.contains("id=\"trip-status\"") && html.contains("运行中"));
    assert!(html.contains("5 / 19"));
    assert!(
        !html.contains("id=\"form-board\""),
        "the bureau records nothing"
    );
    let next = &html[html.find("id=\"trip-next\"").unwrap()..];
    let next = &next[..next.find("</dd>").unwrap()];
    assert!(
        next.contains("上车人数") && next.contains("收车") && !next.contains("发车"),
        "the steps allowed, named: {next}"
    );
    // The school's page allows what follows the start only.
    let html = page(&get_as(&app, &at, &c).await);
    assert!(html.contains("id=\"form-alight\"") && html.contains("id=\"form-finish\""));
    assert!(!html.contains("id=\"form-check\"") && !html.contains("id=\"form-start\""));
    // Out of scope: 404, for the page and the form alike; staff not on the trip: 403.
    let ng = app.login("nanguan.officer").await;
    assert_eq!(app.get(&at, Some(&ng)).await.status, StatusCode::NOT_FOUND);
    let r = app.form(&at, Some(&ng), &[("action", "finish")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.form(&at, Some(&ng), &[("action", "nonsense")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "scope before the form");
    let staff = app.login("s001.staff").await;
    let r = app.form(&at, Some(&staff), &[("action", "finish")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn s001s_demo_trip_is_running_with_a_speeding_and_a_deviation_warning() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let o = app.login("bureau.officer").await;
    let buses: Value = app
        .get(&format!("/api/v1/schools/{s001}/buses"), Some(&o))
        .await
        .json();
    let bus = &buses.as_array().unwrap()[0];
    assert_eq!(bus["plate"], "吉A·X1001");
    assert!(
        bus["gps_device_id"].is_i64() && !bus["sign"].is_null(),
        "{bus}"
    );
    let html = page(
        &app.get(&format!("/schools/{s001}/bus-trips"), Some(&o))
            .await,
    );
    let at = html
        .find("trip-row status-running")
        .expect("a running trip");
    let link = &html[at..];
    let link = &link[link.find("href=\"/bus-trips/").unwrap() + 6..];
    let path = &link[..link.find('"').unwrap()];
    let id: i64 = path.trim_start_matches("/bus-trips/").parse().unwrap();
    let track: Value = app
        .get(&format!("/api/v1/bus-trips/{id}/track"), Some(&o))
        .await
        .json();
    let n = track["points"].as_array().unwrap().len();
    assert!(n >= 24 * 6, "every 10 s since the start: {n}");
    let rules: Vec<&str> = track["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["bus_speeding", "bus_deviation"], "{track}");
    let html = page(&app.get(path, Some(&o)).await);
    assert_eq!(html.matches("class=\"warning-mark\"").count(), 2);
    assert!(html.contains(&format!("class=\"track\" data-count=\"{n}\"")));
    // Both in the warnings list (the speeding one waits for a person; the detour's is over).
    let ws: Value = app
        .get("/api/v1/warnings?per_page=200&source=bus", Some(&o))
        .await
        .json();
    let subject = format!("bus_trip:{id}");
    let mine: Vec<&Value> = ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["subject"] == subject.as_str())
        .collect();
    assert_eq!(mine.len(), 2, "{ws}");
    assert!(
        mine.iter()
            .any(|w| w["rule"] == "bus_speeding" && w["status"] == "raised")
    );
    assert!(
        mine.iter()
            .any(|w| w["rule"] == "bus_deviation" && w["status"] == "resolved")
    );
    // The steps' forms: for the school's managers, not for a staff member who is neither the
    // trip's driver nor one of its attendants (the step itself is refused to them too).
    let principal = app.login("s001.principal").await;
    let html = page(&app.get(path, Some(&principal)).await);
    assert!(
        html.contains("id=\"trip-forms\""),
        "the principal records steps"
    );
    let staff = app.login("s001.staff").await;
    let html = page(&app.get(path, Some(&staff)).await);
    assert!(!html.contains("id=\"trip-forms\""), "not on this trip");
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/bus-trips/{id}/actions"),
            Some(&staff),
            &json!({"action": "alight", "count": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
}
