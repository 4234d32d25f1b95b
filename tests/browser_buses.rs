mod common;

// School buses in Chromium:
// - The district officer at a desk (1366 px): the bus register from the menu (dates
//   coloured), a vehicle, then a use permit S001 applied for, taken step by step through the
//   page's forms — forward, both replies, the review, the decision, the sign — a bad date
//   refused with the form kept; the printable sign.
// - S001's safety director on a phone (390 px): the register, the vehicle with its sign, the
//   permit's steps and the printable sign, none scrolling sideways.
// - A bus attendant (staff of S001 registered as the trip's attendant) on a phone (390 px):
//   from the school's trips to the trip's page, the boarding count recorded with its form (a
//   bad count refused with the form kept), then the demo's running trip with its track map
//   and warning marks, none scrolling sideways.
// Screenshots go to `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use chrono::Duration;
use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::{Value, json};

fn day(n: i64) -> String {
    (safecampus::clock::today() + Duration::days(n)).to_string()
}

async fn created(app: &TestApp, t: &str, path: &str, body: Value) -> Value {
    let r = app.json(Method::POST, path, Some(t), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text());
    r.json()
}

/// S001's bus (inspection valid 120 days), driver and route, and its application: (bus,
/// permit).
async fn applied(app: &mut TestApp) -> (i64, i64) {
    let school = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let bus = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/buses"),
        json!({"plate": "吉A·B0001", "owner": "长春市第一实验小学", "seats": 19,
            "bus_type": "primary", "inspection_until": day(120), "insurance_until": day(25),
            "equipment": ["escape_hammer", "extinguisher", "first_aid_kit",
                "satellite_positioning", "school_bus_lamps", "stop_sign"]}),
    )
    .await;
    let p = app.add_person(&t, school, "钱师傅", "bus_driver").await;
    let driver = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/bus-drivers"),
        json!({"person_id": p, "licence_class": "a1", "licensed_since": "2005-07-01",
            "birth_date": "1980-03-15", "health_certificate_until": day(300),
            "annual_review_until": day(300), "review_study_hours": 3.5}),
    )
    .await;
    let route = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/bus-routes"),
        json!({"name": "浏览器一号线", "stops": [
            {"name": "东站", "lat": 43.900, "lon": 125.340, "time": "07:00"},
            {"name": "学校", "lat": 43.915, "lon": 125.351, "time": "07:20"}]}),
    )
    .await;
    let permit = created(
        app,
        &t,
        "/api/v1/bus-permits",
        json!({"vehicle_id": bus["id"], "route_id": route["id"], "driver_ids": [driver["id"]],
            "operating_times": "07:00–07:20，16:30–16:50", "safety_rules": "校车安全管理制度"}),
    )
    .await;
    (bus["id"].as_i64().unwrap(), permit["id"].as_i64().unwrap())
}

async fn no_sideways_scroll(c: &Client, what: &str, width: f64) {
    let (scroll, inner) = widths(c).await;
    assert!(
        (inner - width).abs() <= 20.0,
        "{what}: the viewport is {inner}px wide, not about {width}px"
    );
    assert!(
        scroll <= inner + 1.0,
        "{what}: the page scrolls sideways at {inner}px ({scroll}px wide)"
    );
}

/// Sets a field by script (date inputs type differently per locale).
async fn set(c: &Client, css: &str, value: &str) {
    let ok = c
        .execute(
            "const e = document.querySelector(arguments[0]); if (!e) return false; \
             e.value = arguments[1]; return true;",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap_or_else(|e| panic!("set {css}: {e}"));
    assert_eq!(ok, json!(true), "{css}");
}

/// Submits the form of a permit step and waits for the status it leads to.
async fn step(c: &Client, action: &str, status: &str) {
    tap(c, &format!("#submit-{action}")).await;
    shows(c, "#permit-status", status).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_officer_takes_a_permit_to_its_sign_and_the_school_reads_it_on_a_phone() {
    let mut app = TestApp::new().await;
    let (bus, permit) = applied(&mut app).await;

    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "bureau.officer").await;

    // The register from the menu: the insurance expiring in 25 days is coloured.
    tap(c, "nav.menu a[href='/buses']").await;
    wait_for(c, Locator::Id("bus-register")).await;
    let row = "#bus-register tr[data-plate='吉A·B0001']";
    shows(c, row, "吉A·B0001").await;
    let soon = c
        .find_all(Locator::Css(&format!("{row} .insurance-cell .exp-soon")))
        .await
        .expect("cells");
    assert_eq!(soon.len(), 1, "the insurance expiring within 30 days");
    no_sideways_scroll(c, "the register", 1366.0).await;
    screenshot_page(c, "bus-1-register-1366.png").await;

    // The vehicle: every piece of equipment, no sign yet.
    tap(c, &format!("{row} a.bus-link")).await;
    wait_for(c, Locator::Id("bus-equipment")).await;
    assert_eq!(path(c).await, format!("/buses/{bus}"));
    wait_for(c, Locator::Id("no-sign")).await;
    screenshot_page(c, "bus-2-vehicle-1366.png").await;

    // The permit, step by step.
    visit(
        c,
        base,
        &format!("/bus-permits/{permit}"),
        Locator::Id("permit-steps"),
    )
    .await;
    shows(c, "#permit-status", "已申请").await;
    screenshot_page(c, "bus-3-permit-applied-1366.png").await;
    step(c, "forward", "已送").await;
    set(
        c,
        "#form-record_reply select[name=department]",
        "traffic_police",
    )
    .await;
    step(c, "record_reply", "已送").await;
    // The second reply: the police's is recorded, the transport department remains.
    shows(
        c,
        "#form-record_reply select[name=department]",
        "交通运输部门",
    )
    .await;
    step(c, "record_reply", "已回复").await;
    fill(
        c,
        "#form-review textarea[name=opinion]",
        "符合条件，建议许可",
    )
    .await;
    step(c, "review", "已审查").await;
    step(c, "decide", "已批准").await;
    // A bad date is refused and the form keeps what was typed.
    fill(c, "#form-issue_sign input[name=number]", "吉交校B0001").await;
    fill(
        c,
        "#form-issue_sign input[name=authority]",
        "长春市公安局交通警察支队",
    )
    .await;
    c.execute(
        "const e = document.querySelector('#form-issue_sign input[name=valid_until]'); \
         e.type = 'text'; e.value = '2026-02-30';",
        vec![],
    )
    .await
    .expect("a bad date");
    tap(c, "#submit-issue_sign").await;
    shows(c, "#form-error", "YYYY-MM-DD").await;
    let kept = c
        .find(Locator::Css("#form-issue_sign input[name=number]"))
        .await
        .expect("number")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("吉交校B0001"));
    screenshot_page(c, "bus-4-permit-refused-form-1366.png").await;
    set(c, "#form-issue_sign input[name=valid_until]", "").await;
    step(c, "issue_sign", "已发放标牌").await;
    let steps = text(c, "#deadlines").await;
    assert!(
        steps.contains("转送") && steps.contains("审查意见"),
        "{steps}"
    );
    screenshot_page(c, "bus-5-permit-issued-1366.png").await;

    // The printable sign: valid until the inspection.
    tap(c, "#sign-print").await;
    wait_for(c, Locator::Id("bus-sign-doc")).await;
    shows(c, "#doc-sign-number", "吉交校B0001").await;
    shows(c, "#doc-valid", &day(120)).await;
    screenshot_page(c, "bus-6-sign-print-1366.png").await;
    h.finish("the officer's permit").await;

    // The school on a phone.
    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.safety").await;
    visit(c, base, "/buses", Locator::Id("bus-register")).await;
    no_sideways_scroll(c, "the register", 390.0).await;
    screenshot_page(c, "bus-7-register-390.png").await;
    visit(c, base, &format!("/buses/{bus}"), Locator::Id("bus-sign")).await;
    shows(c, "#sign-number", "吉交校B0001").await;
    no_sideways_scroll(c, "the vehicle", 390.0).await;
    screenshot_page(c, "bus-8-vehicle-390.png").await;
    visit(
        c,
        base,
        &format!("/bus-permits/{permit}"),
        Locator::Id("permit-steps"),
    )
    .await;
    no_sideways_scroll(c, "the permit", 390.0).await;
    assert!(
        c.find(Locator::Id("permit-forms")).await.is_err(),
        "the school has no bureau's forms"
    );
    screenshot_page(c, "bus-9-permit-390.png").await;
    visit(
        c,
        base,
        &format!("/buses/{bus}/sign"),
        Locator::Id("bus-sign-doc"),
    )
    .await;
    no_sideways_scroll(c, "the printable sign", 390.0).await;
    screenshot_page(c, "bus-10-sign-print-390.png").await;
    h.finish("the school's phone").await;
}

/// The id of the first item of a list whose `key` is `want`.
fn id_of(list: &Value, key: &str, want: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == want)
        .unwrap_or_else(|| panic!("{want} in {list}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attendant_records_boarding_on_a_phone() {
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    // S001's staff account becomes a registered bus attendant.
    let person = app
        .add_person(&t, school, "浏览器照管员", "bus_attendant")
        .await;
    app.sql(&format!(
        "UPDATE users SET person_id = {person} WHERE username = 's001.staff'"
    ))
    .await;
    let attendant = created(
        &app,
        &t,
        &format!("/api/v1/schools/{school}/bus-attendants"),
        json!({"person_id": person, "birth_date": "1984-06-01",
            "trainings": [{"on": day(-20), "hours": 4.0, "topic": "应急处置"}]}),
    )
    .await;
    // A trip of the demo's bus (its sign valid), driver and route, with this attendant.
    let get = |p: String| {
        let (app, t) = (&app, &t);
        async move { app.get(&p, Some(t)).await.json() }
    };
    let bus = id_of(
        &get(format!("/api/v1/schools/{school}/buses")).await,
        "plate",
        "吉A·X1001",
    );
    let driver = id_of(
        &get(format!("/api/v1/schools/{school}/bus-drivers")).await,
        "name",
        "赵卫东",
    );
    let route = id_of(
        &get(format!("/api/v1/schools/{school}/bus-routes")).await,
        "name",
        "春华一号线",
    );
    let trip = created(
        &app,
        &t,
        "/api/v1/bus-trips",
        json!({"route_id": route, "vehicle_id": bus, "driver_id": driver,
            "attendant_ids": [attendant["id"]], "run": "浏览器班"}),
    )
    .await;
    let trip = trip["id"].as_i64().unwrap();

    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.staff").await;
    visit(
        c,
        base,
        &format!("/schools/{school}/bus-trips"),
        Locator::Id("trip-list"),
    )
    .await;
    no_sideways_scroll(c, "the trips", 390.0).await;
    screenshot_page(c, "bus-11-trips-390.png").await;
    tap(c, &format!("a.trip-link[href='/bus-trips/{trip}']")).await;
    wait_for(c, Locator::Id("form-board")).await;
    assert_eq!(path(c).await, format!("/bus-trips/{trip}"));
    shows(c, "#trip-attendants", "浏览器照管员").await;
    // A count past the limit is refused; the form keeps it.
    fill(c, "#form-board input[name=count]", "260").await;
    c.execute(
        "document.querySelector('#form-board input[name=count]').removeAttribute('max');",
        vec![],
    )
    .await
    .expect("the browser's own check off");
    tap(c, "#submit-board").await;
    shows(c, "#form-error", "人数应在 0 至 200 之间").await;
    let kept = c
        .find(Locator::Css("#form-board input[name=count]"))
        .await
        .expect("count")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("260"));
    no_sideways_scroll(c, "the refused count", 390.0).await;
    screenshot_page(c, "bus-12-boarding-refused-390.png").await;
    fill(c, "#form-board input[name=count]", "12").await;
    tap(c, "#submit-board").await;
    shows(c, "#trip-boarded", "12 / 41").await;
    assert!(
        c.find(Locator::Id("form-error")).await.is_err(),
        "recorded without an error"
    );
    no_sideways_scroll(c, "the trip", 390.0).await;
    screenshot_page(c, "bus-13-boarded-390.png").await;
    let stored: Value = app
        .get(&format!("/api/v1/bus-trips/{trip}/track"), Some(&t))
        .await
        .json();
    assert_eq!(stored["trip"]["boarded"], 12);

    // The demo's running trip: its track map with both warnings fits the phone.
    let html = app
        .get(&format!("/schools/{school}/bus-trips"), Some(&t))
        .await
        .text();
    let at = html
        .find("trip-row status-running")
        .expect("a running trip");
    let rest = &html[at..];
    let rest = &rest[rest.find("href=\"/bus-trips/").unwrap() + 6..];
    let running = &rest[..rest.find('"').unwrap()];
    visit(c, base, running, Locator::Id("track-map")).await;
    let marks = c
        .find_all(Locator::Css("#track-map svg .warning-mark"))
        .await
        .expect("marks");
    assert_eq!(marks.len(), 2, "speeding and deviation");
    let w = c
        .execute(
            "return document.querySelector('#track-map svg').getBoundingClientRect().width;",
            vec![],
        )
        .await
        .expect("width");
    assert!(w.as_f64().unwrap() <= 390.0, "the map fits: {w}");
    no_sideways_scroll(c, "the track map", 390.0).await;
    screenshot_page(c, "bus-14-track-map-390.png").await;
    h.finish("the attendant's phone").await;
}
