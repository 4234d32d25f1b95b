//! School buses (F-BUS-1 … 4) over HTTP: a school registers its bus, driver, attendant and
//! route and applies for the use permit (each missing condition named); the bureau takes it
//! from forward to sign, the sign capped at the inspection's validity; scope (another
//! district) is 404, a role's refusal 403, an illegal step 409. A trip is refused with its
//! reasons until checked and then runs; a GPS position above the limit raises a speeding
//! warning on the trip's track, boarding above the seats an overload warning. Riders are
//! masked for every role unless a granted one asks with a reason (audited); the eligibility
//! check stores nothing.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::{TestApp, expect, fields};
use serde_json::{Value, json};

fn day(n: i64) -> String {
    (safecampus::clock::today() + Duration::days(n)).to_string()
}

async fn post(app: &TestApp, t: &str, path: &str, body: Value) -> common::Resp {
    app.json(Method::POST, path, Some(t), &body).await
}

async fn created(app: &TestApp, t: &str, path: &str, body: Value) -> Value {
    let r = post(app, t, path, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text());
    r.json()
}

/// What a school needs before it applies: a bus, an eligible driver, an attendant, a route.
struct Fleet {
    school: i64,
    bus: i64,
    driver: i64,
    attendant: i64,
    route: i64,
}

/// The route around 43.880 N, 125.300–125.320 E: a straight road east, ordinary.
fn route_body() -> Value {
    json!({"name": "一号线", "stops": [
        {"name": "东站", "lat": 43.880, "lon": 125.300, "time": "07:00"},
        {"name": "中站", "lat": 43.880, "lon": 125.310, "time": "07:10"},
        {"name": "学校", "lat": 43.880, "lon": 125.320, "time": "07:20"}]})
}

async fn fleet(app: &mut TestApp) -> Fleet {
    let school = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let bus = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/buses"),
        json!({"plate": "吉A·12345", "owner": "长春市第一实验小学", "seats": 19,
            "bus_type": "primary", "inspection_until": day(150), "insurance_until": day(200),
            "equipment": ["escape_hammer", "extinguisher", "first_aid_kit"]}),
    )
    .await;
    assert_eq!(bus["equipment_missing"].as_array().unwrap().len(), 3);
    assert_eq!(bus["sign_expired"], true, "no sign yet");
    let p = app.add_person(&t, school, "赵师傅", "bus_driver").await;
    let driver = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/bus-drivers"),
        json!({"person_id": p, "licence_class": "a1", "licensed_since": "2005-07-01",
            "birth_date": "1980-03-15", "health_certificate_until": day(300),
            "annual_review_until": day(300), "review_study_hours": 3.5}),
    )
    .await;
    assert_eq!(driver["eligible"], true, "{driver}");
    assert_eq!(driver["licence_class"], "A1");
    let a = app.add_person(&t, school, "钱老师", "bus_attendant").await;
    let attendant = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/bus-attendants"),
        json!({"person_id": a, "birth_date": "1985-01-01",
            "trainings": [{"on": day(-30), "hours": 4.0, "topic": "应急处置"}]}),
    )
    .await;
    assert_eq!(attendant["eligible"], true);
    let route = created(
        app,
        &t,
        &format!("/api/v1/schools/{school}/bus-routes"),
        route_body(),
    )
    .await;
    assert_eq!(
        route["path"].as_array().unwrap().len(),
        3,
        "the stops are the path"
    );
    Fleet {
        school,
        bus: bus["id"].as_i64().unwrap(),
        driver: driver["id"].as_i64().unwrap(),
        attendant: attendant["id"].as_i64().unwrap(),
        route: route["id"].as_i64().unwrap(),
    }
}

async fn step(app: &TestApp, t: &str, id: i64, body: Value) -> common::Resp {
    post(app, t, &format!("/api/v1/bus-permits/{id}/actions"), body).await
}

/// Applies and takes the permit to its sign; answers the permit.
async fn permitted(app: &mut TestApp, f: &Fleet, sign_until: &str) -> Value {
    let t = app.login("s001.safety").await;
    let p = created(
        app,
        &t,
        "/api/v1/bus-permits",
        json!({"vehicle_id": f.bus, "route_id": f.route, "driver_ids": [f.driver],
            "operating_times": "07:00–07:20, 16:30–16:50", "safety_rules": "校车安全管理制度……"}),
    )
    .await;
    assert_eq!(p["status"], "applied");
    assert_eq!(p["deadlines"][0]["action"], "forward");
    assert_eq!(p["late"], false);
    let id = p["id"].as_i64().unwrap();
    let o = app.login("bureau.officer").await;
    for body in [
        json!({"action": "forward"}),
        json!({"action": "record_reply", "department": "traffic_police", "note": "同意"}),
        json!({"action": "record_reply", "department": "transport"}),
        json!({"action": "review", "favourable": true, "opinion": "符合条件，建议许可"}),
        json!({"action": "decide"}),
        json!({"action": "issue_sign", "sign": {"number": format!("吉交校{id:05}"),
            "authority": "长春市公安局交通警察支队", "valid_until": sign_until}}),
    ] {
        let r = step(app, &o, id, body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text());
    }
    let r = app
        .get(&format!("/api/v1/bus-permits/{id}"), Some(&o))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

#[tokio::test]
async fn the_bureau_takes_a_permit_from_application_to_sign() {
    let mut app = TestApp::new().await;
    let f = fleet(&mut app).await;
    let t = app.login("s001.safety").await;
    // Each missing condition is named, and nothing is stored.
    let r = post(
        &app,
        &t,
        "/api/v1/bus-permits",
        json!({"vehicle_id": f.bus, "route_id": f.route, "driver_ids": [],
            "operating_times": "", "safety_rules": " "}),
    )
    .await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(
        fields(&j),
        vec![
            "conditions.drivers",
            "conditions.route",
            "conditions.safety_rules"
        ]
    );
    // Another district's officer does not see the school; the school may not decide.
    let p = permitted(&mut app, &f, &day(3650)).await;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["status"], "issued");
    assert_eq!(p["events"].as_array().unwrap().len(), 6);
    assert_eq!(p["deadlines"].as_array().unwrap().len(), 4);
    let sign = &p["sign"];
    assert_eq!(sign["valid_until"], day(150), "capped at the inspection");
    assert_eq!(sign["drivers"], json!(["赵师傅"]));
    assert_eq!(sign["stops"], json!(["东站", "中站", "学校"]));
    let school_step = step(&app, &t, id, json!({"action": "refuse", "reasons": "x"})).await;
    expect(&school_step, 403, "forbidden");
    let ng = app.login("nanguan.officer").await;
    let r = app
        .get(&format!("/api/v1/bus-permits/{id}"), Some(&ng))
        .await;
    expect(&r, 404, "not_found");
    let r = step(&app, &ng, id, json!({"action": "refuse", "reasons": "x"})).await;
    expect(&r, 404, "not_found");
    let o = app.login("bureau.officer").await;
    let r = step(&app, &o, id, json!({"action": "decide"})).await;
    expect(&r, 409, "conflict");
    // The bus shows its sign; the district's list holds it.
    let r = app.get(&format!("/api/v1/buses/{}", f.bus), Some(&o)).await;
    let bus = r.json();
    assert_eq!(bus["sign_expired"], false);
    assert_eq!(bus["sign"]["number"], sign["number"]);
    let list = app.get("/api/v1/bus-permits", Some(&o)).await.json();
    assert!(list.as_array().unwrap().iter().any(|x| x["id"] == id));
    let list = app.get("/api/v1/bus-permits", Some(&ng)).await.json();
    assert!(list.as_array().unwrap().iter().all(|x| x["id"] != id));
    // A second application: a step dated in the future is 422, a refusal needs reasons.
    let p2 = created(
        &app,
        &t,
        "/api/v1/bus-permits",
        json!({"vehicle_id": f.bus, "route_id": f.route, "driver_ids": [f.driver],
            "operating_times": "07:00", "safety_rules": "制度"}),
    )
    .await;
    let id2 = p2["id"].as_i64().unwrap();
    let r = step(&app, &o, id2, json!({"action": "forward", "on": day(1)})).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["on"]);
    let r = step(&app, &o, id2, json!({"action": "refuse"})).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["reasons"]);
    let r = step(
        &app,
        &o,
        id2,
        json!({"action": "refuse", "reasons": "重复申请"}),
    )
    .await;
    assert_eq!(r.json()["status"], "refused", "{}", r.text());
    // Retiring the bus recovers its sign.
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/buses/{}", f.bus),
            Some(&t),
            &json!({"status": "retired"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["sign"].is_null());
    let _ = f.school;
}

async fn trip_step(app: &TestApp, t: &str, id: i64, body: Value) -> common::Resp {
    post(app, t, &format!("/api/v1/bus-trips/{id}/actions"), body).await
}

fn all_items(pass: bool) -> Value {
    json!({"brakes": true, "steering": true, "lights": true, "tyres": pass,
        "emergency_door": true, "seats": true, "belts": true})
}

#[tokio::test]
async fn a_trip_is_refused_until_ready_then_speeding_and_overload_warn() {
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
    let id = trip["id"].as_i64().unwrap();
    assert_eq!(trip["refusals"], json!(["no_sign", "check_missing"]));
    let r = trip_step(&app, &t, id, json!({"action": "start"})).await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(
        fields(&j),
        vec!["refusals.no_sign", "refusals.check_missing"]
    );
    permitted(&mut app, &f, &day(60)).await;
    let r = trip_step(
        &app,
        &t,
        id,
        json!({"action": "check", "items": {"brakes": true}}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")).len(), 6);
    let r = trip_step(
        &app,
        &t,
        id,
        json!({"action": "check", "items": all_items(false)}),
    )
    .await;
    assert_eq!(r.json()["refusals"], json!(["check_failed"]));
    let r = trip_step(
        &app,
        &t,
        id,
        json!({"action": "check", "items": all_items(true)}),
    )
    .await;
    assert_eq!(r.json()["refusals"], json!([]));
    // 20 aboard a 19-seat bus with one attendant: two refusals.
    let r = trip_step(&app, &t, id, json!({"action": "board", "count": 20})).await;
    assert_eq!(
        r.json()["refusals"],
        json!(["too_few_attendants", "overload"])
    );
    let r = trip_step(&app, &t, id, json!({"action": "start"})).await;
    assert_eq!(
        fields(&expect(&r, 422, "invalid")),
        vec!["refusals.too_few_attendants", "refusals.overload"]
    );
    trip_step(&app, &t, id, json!({"action": "board", "count": 19})).await;
    // Staff who neither drive nor attend may not record it.
    let staff = app.login("s001.staff").await;
    let r = trip_step(&app, &staff, id, json!({"action": "start"})).await;
    expect(&r, 403, "forbidden");
    let r = trip_step(&app, &t, id, json!({"action": "start"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "running");
    let r = trip_step(
        &app,
        &t,
        id,
        json!({"action": "check", "items": all_items(true)}),
    )
    .await;
    expect(&r, 409, "conflict");
    // The bus's GPS: 60 km/h is the limit (no warning), 60.5 is over it.
    let (dev, token) = app.s001_device("bus_gps", "GPS-BUS-1").await;
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/buses/{}", f.bus),
            Some(&t),
            &json!({"gps_device_id": dev}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Positions a second or two after the start (the track begins at the start).
    let at = |s: i64| (Utc::now() - Duration::seconds(s)).to_rfc3339();
    let rep = app
        .ingest(
            &token,
            json!([{"id": "p1", "at": at(-1), "metric": "gps", "lat": 43.8801, "lon": 125.305, "speed_kmh": 60.0}]),
        )
        .await;
    assert_eq!(rep["accepted"], 1);
    let track = app
        .get(&format!("/api/v1/bus-trips/{id}/track"), Some(&t))
        .await
        .json();
    assert_eq!(track["points"].as_array().unwrap().len(), 1);
    assert!(track["warnings"].as_array().unwrap().is_empty(), "{track}");
    app.ingest(
        &token,
        json!([{"id": "p2", "at": at(-2), "metric": "gps", "lat": 43.8801, "lon": 125.306, "speed_kmh": 60.5}]),
    )
    .await;
    let track = app
        .get(&format!("/api/v1/bus-trips/{id}/track"), Some(&t))
        .await
        .json();
    let w = &track["warnings"][0];
    assert_eq!(w["rule"], "bus_speeding", "{track}");
    assert_eq!(w["value"], 60.5);
    assert_eq!(w["level"], "orange");
    // Boarding above the seats while running warns of overload.
    trip_step(&app, &t, id, json!({"action": "board", "count": 21})).await;
    let track = app
        .get(&format!("/api/v1/bus-trips/{id}/track"), Some(&t))
        .await
        .json();
    let rules: Vec<&str> = track["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"bus_overload"), "{rules:?}");
    // Another district sees neither the trip nor its track.
    let ng = app.login("nanguan.officer").await;
    let r = app
        .get(&format!("/api/v1/bus-trips/{id}/track"), Some(&ng))
        .await;
    expect(&r, 404, "not_found");
    for a in ["alight", "finish"] {
        let body = if a == "alight" {
            json!({"action": a, "count": 21})
        } else {
            json!({"action": a})
        };
        let r = trip_step(&app, &t, id, body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
}

#[tokio::test]
async fn riders_are_masked_unless_a_granted_role_asks_and_each_view_is_audited() {
    let mut app = TestApp::new().await;
    let f = fleet(&mut app).await;
    let principal = app.login("s001.principal").await;
    let path = format!("/api/v1/bus-routes/{}/riders/import", f.route);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    // A bad row refuses the whole workbook, with no name or phone echoed.
    let bad = common::riders::riders_xlsx(&[
        ["孙小明", "三年二班", "东站", "孙大明", "13912345678"],
        ["李小红", "三年一班", "西站", "李大红", "12ab"],
    ]);
    let r = app
        .request(Method::POST, &path, Some(&principal), Some(xlsx), bad, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["created"], 0);
    let errs: Vec<(i64, String)> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(errs, vec![(3, "stop".into()), (3, "phone".into())]);
    assert!(!r.text().contains("12ab") && !r.text().contains("李小红"));
    let good = common::riders::riders_xlsx(&[
        ["孙小明", "三年二班", "东站", "孙大明", "13912345678"],
        ["欧阳小红", "三年一班", "中站", "", ""],
    ]);
    let r = app
        .request(Method::POST, &path, Some(&principal), Some(xlsx), good, &[])
        .await;
    assert_eq!(r.json()["created"], 2, "{}", r.text());
    let list = format!("/api/v1/bus-routes/{}/riders", f.route);
    for user in [
        "s001.principal",
        "s001.safety",
        "s001.staff",
        "s001.guard",
        "bureau.officer",
        "city.officer",
    ] {
        let t = app.login(user).await;
        let r = app.get(&list, Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{user}");
        let text = r.text();
        for secret in ["孙小明", "孙大明", "欧阳小红", "13912345678"] {
            assert!(!text.contains(secret), "{user} got {secret}");
        }
        assert!(
            text.contains("孙*明") && text.contains("139****5678"),
            "{text}"
        );
        assert!(text.contains("欧**红"));
        let r = app
            .get(&format!("{list}?unmasked=1&reason=核对名单"), Some(&t))
            .await;
        if ["s001.principal", "s001.safety"].contains(&user) {
            assert_eq!(r.status, StatusCode::OK, "{user}");
            assert!(r.text().contains("孙小明"));
        } else {
            expect(&r, 403, "forbidden");
            assert!(!r.text().contains("孙小明"));
        }
    }
    let t = app.login("s001.principal").await;
    let r = app.get(&format!("{list}?unmasked=1"), Some(&t)).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["reason"]);
    let ng = app.login("nanguan.officer").await;
    expect(&app.get(&list, Some(&ng)).await, 404, "not_found");
    let audit = app.audit("action=bus.rider_names").await;
    let ok: Vec<&Value> = audit.iter().filter(|a| a["result"] == "ok").collect();
    assert_eq!(ok.len(), 2, "{audit:?}");
    assert!(
        ok[0]["detail"]
            .as_str()
            .unwrap()
            .contains("reason=核对名单")
    );
    assert!(audit.iter().all(|a| !a.to_string().contains("孙小明")));
    assert!(audit.iter().any(|a| a["result"] == "denied"));
}

#[tokio::test]
async fn eligibility_is_evaluated_without_storing_anything() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let on = safecampus::clock::today();
    let body = |days_ago: i64| {
        json!({"birth_date": "1980-03-15", "licensed_since": "2005-07-01",
            "serious_violations": [(on - Duration::days(days_ago)).to_string()],
            "health_certificate_until": day(10), "annual_review_until": day(10),
            "on": on.to_string()})
    };
    let r = post(&app, &t, "/api/v1/bus-drivers/eligibility", body(364)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["eligible"], false);
    assert_eq!(r.json()["reasons"], json!(["serious_violation"]));
    let r = post(&app, &t, "/api/v1/bus-drivers/eligibility", body(366)).await;
    assert_eq!(r.json()["eligible"], true);
    assert_eq!(r.json()["reasons"], json!([]));
    let r = post(
        &app,
        &t,
        "/api/v1/bus-drivers/eligibility",
        json!({"birth_date": "2010-01-01", "licensed_since": "2028-01-01",
            "drink_driving": true, "on": "2030-01-01"}),
    )
    .await;
    assert_eq!(
        r.json()["reasons"],
        json!([
            "too_young",
            "short_experience",
            "drink_driving",
            "health_certificate",
            "annual_review"
        ])
    );
    let r = post(
        &app,
        &t,
        "/api/v1/bus-drivers/eligibility",
        json!({"birth": 1}),
    )
    .await;
    expect(&r, 422, "invalid");
    assert!(app.audit("action=bus.driver_create").await.is_empty());
}

#[tokio::test]
async fn a_record_that_makes_a_driver_ineligible_warns() {
    let mut app = TestApp::new().await;
    let f = fleet(&mut app).await;
    let o = app.login("bureau.officer").await;
    let r = post(
        &app,
        &o,
        &format!("/api/v1/bus-drivers/{}/records", f.driver),
        json!({"kind": "serious_violation", "on": day(-240), "note": "客车超速 50% 以上"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    assert_eq!(d["eligible"], false);
    assert_eq!(d["reasons"], json!(["serious_violation"]));
    let w = app
        .get("/api/v1/warnings?source=bus", Some(&o))
        .await
        .json();
    assert!(w.to_string().contains("bus_driver_ineligible"), "{w}");
    let r = post(
        &app,
        &o,
        &format!("/api/v1/bus-drivers/{}/records", f.driver),
        json!({"kind": "accident", "on": day(-1)}),
    )
    .await;
    assert_eq!(
        fields(&expect(&r, 422, "invalid")),
        vec!["severity", "responsibility"]
    );
    let list = app
        .get(
            &format!("/api/v1/schools/{}/bus-drivers", f.school),
            Some(&o),
        )
        .await
        .json();
    assert_eq!(list[0]["eligible"], false);
}
