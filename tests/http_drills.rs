//! Emergency drills (F-EMG-2): a school plans a drill, records it held (the head-count adds up,
//! the times are in order), evaluates it and opens a hazard from a problem found; illegal
//! steps are 409; the board counts each requirement per school kind and period; other
//! schools' drills are not found; the sweep warns of a missed drill and a late one clears it.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Duration};
use common::{TestApp, fields};
use safecampus::config::HazardRules;
use safecampus::domain::calendar::{Period, PeriodKind, SchoolCalendar};
use safecampus::storage::Operator;
use serde_json::{Value, json};

fn today() -> chrono::NaiveDate {
    safecampus::storage::risk_points::today()
}

async fn create(app: &TestApp, t: &str, school: i64, body: Value) -> common::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/schools/{school}/drills"),
        Some(t),
        &body,
    )
    .await
}

async fn patch(app: &TestApp, t: &str, id: i64, body: Value) -> common::Resp {
    app.json(
        Method::PATCH,
        &format!("/api/v1/drills/{id}"),
        Some(t),
        &body,
    )
    .await
}

/// An evacuation held on `day`: 400 expected, all counted, 105 s.
fn held(day: chrono::NaiveDate) -> Value {
    json!({"held_on": day, "classes": 10, "expected": 400, "assembled": 400, "missing": 0,
        "signal_at": "10:00:00", "completed_at": "10:01:45", "floors": 4})
}

fn status_of(board: &Value, school: i64, code: &str) -> Vec<(String, String)> {
    board["schools"]
        .as_array()
        .expect("schools")
        .iter()
        .find(|r| r["school"]["id"] == school)
        .expect("the school is on the board")["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| r["code"] == code)
        .map(|r| {
            (
                r["every"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_drill_is_planned_recorded_evaluated_and_its_problem_opens_a_hazard() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let on = today() + Duration::days(5);
    let r = create(&app, &t, s001, json!({"kind": "fire", "planned_on": on})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["status"], "planned");
    assert_eq!(d["notice"], "announced");
    // A plan is not evaluated.
    let r = patch(&app, &t, id, json!({"problems": "楼梯口拥挤"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());

    // Recorded held, with the time against the 120 s target of a 4-floor building.
    let r = patch(&app, &t, id, json!({"held": held(today()), "version": 0})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["status"], "held");
    assert_eq!(d["duration_seconds"], 105);
    assert_eq!(d["target_seconds"], 120);
    assert_eq!(d["target_met"], true);
    assert_eq!(d["version"], 1);
    // A stale version is refused.
    let r = patch(&app, &t, id, json!({"rating": "good", "version": 0})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The evaluation opens a hazard in the closed loop, source `drill`.
    let r = patch(
        &app,
        &t,
        id,
        json!({"problems": "三楼东侧楼梯口拥挤", "rating": "pass", "plan_needs_revision": true,
            "hazards": [{"title": "三楼东侧楼梯扶手松动", "aspect": "things", "category": "校舍安全"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["rating"], "pass");
    assert_eq!(d["plan_needs_revision"], true);
    let hazard = d["hazard_ids"][0].as_i64().expect("a hazard");
    let h = app
        .get(&format!("/api/v1/hazards/{hazard}"), Some(&t))
        .await
        .json();
    assert_eq!(h["source"], "drill");
    assert_eq!(h["status"], "reported");
    assert_eq!(h["school_id"], s001);

    // A held drill is neither cancelled nor re-planned.
    let r = patch(&app, &t, id, json!({"status": "cancelled"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = patch(&app, &t, id, json!({"planned_on": on})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // A bad hazard names its place in the list, and nothing is written.
    let r = patch(
        &app,
        &t,
        id,
        json!({"hazards": [{"title": "", "aspect": "things", "category": "校舍"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r.json()), vec!["hazards[0].title"]);
    let d = app
        .get(&format!("/api/v1/drills/{id}"), Some(&t))
        .await
        .json();
    assert_eq!(d["hazard_ids"].as_array().unwrap().len(), 1);

    // A plan cancelled is final.
    let r = create(
        &app,
        &t,
        s001,
        json!({"kind": "earthquake", "planned_on": on}),
    )
    .await;
    let other = r.json()["id"].as_i64().unwrap();
    let r = patch(&app, &t, other, json!({"status": "cancelled"})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "cancelled");
    let r = patch(&app, &t, other, json!({"held": held(today())})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    let list = app
        .get(&format!("/api/v1/schools/{s001}/drills"), Some(&t))
        .await
        .json();
    assert!(list.as_array().unwrap().iter().any(|d| d["id"] == id));
    let audit = app.audit("action=drill.record").await;
    assert!(!audit.is_empty(), "recording is audited");
}

#[tokio::test]
async fn a_record_that_does_not_add_up_is_refused_naming_the_field() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.principal").await;
    let s001 = app.org_id("S001").await;
    let cases: Vec<(Value, &str)> = vec![
        // Everyone expected is counted or missing.
        (json!({"assembled": 398, "missing": 1}), "held.missing"),
        (json!({"assembled": 401, "missing": 0}), "held.assembled"),
        (json!({"missing": -1}), "held.missing"),
        // The times are in order.
        (json!({"completed_at": "10:00:00"}), "held.completed_at"),
        (json!({"completed_at": "09:59:59"}), "held.completed_at"),
        (json!({"signal_at": null}), "held.signal_at"),
        (
            json!({"held_on": today() + Duration::days(1)}),
            "held.held_on",
        ),
        (json!({"expected": 0, "assembled": 0}), "held.expected"),
    ];
    for (change, field) in cases {
        let mut h = held(today());
        for (k, v) in change.as_object().unwrap() {
            h[k] = v.clone();
        }
        let r = create(&app, &t, s001, json!({"kind": "evacuation", "held": h})).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.text()
        );
        assert_eq!(fields(&r.json()), vec![field.to_string()], "{change}");
    }
    // The edges that pass: one second, a training without times or head-count.
    let mut h = held(today());
    h["completed_at"] = json!("10:00:01");
    let r = create(&app, &t, s001, json!({"kind": "fire", "held": h})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["duration_seconds"], 1);
    let r = create(
        &app,
        &t,
        s001,
        json!({"kind": "fire_training", "held": {"held_on": today(), "classes": 0, "expected": 30}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // A plan needs a day, not in the past.
    let r = create(&app, &t, s001, json!({"kind": "fire"})).await;
    assert_eq!(fields(&r.json()), vec!["planned_on"]);
    let r = create(
        &app,
        &t,
        s001,
        json!({"kind": "fire", "planned_on": today() - Duration::days(1)}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r.json()), vec!["planned_on"]);
    // Unknown fields are refused.
    let r = create(
        &app,
        &t,
        s001,
        json!({"kind": "fire", "planned_on": today(), "x": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_board_counts_each_requirement_by_school_kind_and_period_edges() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await; // primary school with a bus
    let s002 = app.org_id("S002").await; // junior middle school, no buses
    let s003 = app.org_id("S003").await; // kindergarten with buses
    let p1 = app.login("s001.principal").await;
    let p3 = app.login("s003.principal").await;
    // 2025 has no demo drills. S001 drills on the last day of October, S003 on the last day
    // of the fourth quarter.
    let r = create(
        &app,
        &p1,
        s001,
        json!({"kind": "earthquake", "held": held("2025-10-31".parse().unwrap())}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = create(
        &app,
        &p3,
        s003,
        json!({"kind": "evacuation", "held": held("2025-12-31".parse().unwrap())}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    let board = |period: &'static str| {
        let app = &app;
        let officer = officer.clone();
        async move {
            let r = app
                .get(
                    &format!("/api/v1/drill-board?period={period}"),
                    Some(&officer),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            r.json()
        }
    };
    let oct = board("2025-10").await;
    assert_eq!(oct["first"], "2025-10-01");
    assert_eq!(oct["last"], "2025-10-31");
    // The drill on the 31st counts for October, not for November.
    assert_eq!(
        status_of(&oct, s001, "evacuation"),
        vec![("month".into(), "done".into())]
    );
    let nov = board("2025-11").await;
    assert_eq!(
        status_of(&nov, s001, "evacuation"),
        vec![("month".into(), "missing".into())]
    );
    // No fire drill in the autumn semester of 2025: missing, and S001 is listed as missing,
    // missing schools first.
    assert_eq!(
        status_of(&oct, s001, "fire_drill"),
        vec![("semester".into(), "missing".into())]
    );
    assert_eq!(nov["schools"][0]["status"], "missing");
    // A school without buses has no bus drill to hold; those with buses have one a
    // semester, missing in 2025.
    assert!(status_of(&oct, s002, "bus_evacuation").is_empty());
    assert_eq!(status_of(&oct, s003, "bus_evacuation").len(), 1);
    assert_eq!(
        status_of(&oct, s001, "bus_evacuation"),
        vec![("semester".into(), "missing".into())]
    );
    // The kindergarten's drill is quarterly: the last day of the quarter counts for the
    // quarter, and for a month of it; the third quarter had none.
    let q4 = board("2025-Q4").await;
    assert_eq!(
        status_of(&q4, s003, "evacuation"),
        vec![("quarter".into(), "done".into())]
    );
    assert_eq!(
        status_of(&nov, s003, "evacuation"),
        vec![("quarter".into(), "done".into())]
    );
    let q3 = board("2025-Q3").await;
    assert_eq!(
        status_of(&q3, s003, "evacuation"),
        vec![("quarter".into(), "missing".into())]
    );
    // A semester asks about every month in it.
    let s1 = board("2025-S1").await;
    let months = s1["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["school"]["id"] == s001)
        .unwrap()["requirements"][0]["windows"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(months, 5, "September to January");
    // The current month has its windows open or done, never missing.
    let now = Period::of(PeriodKind::Month, today(), &SchoolCalendar::default()).to_string();
    let r = app
        .get(
            &format!("/api/v1/drill-board?period={now}&org_id={s001}"),
            Some(&officer),
        )
        .await
        .json();
    let monthly = status_of(&r, s001, "evacuation");
    assert!(
        monthly[0].1 == "done" || monthly[0].1 == "open",
        "{monthly:?}"
    );

    // A period in another shape is a field error.
    for bad in [
        "2026-13", "2026-Q5", "2026-S3", "26-11", "2026-1", "november",
    ] {
        let r = app
            .get(&format!("/api/v1/drill-board?period={bad}"), Some(&officer))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(fields(&r.json()), vec!["period"], "{bad}");
    }
    // A city sees its districts counted; the export lists every school and requirement.
    let city = app.login("city.officer").await;
    let c = app
        .get("/api/v1/drill-board?period=2025-10", Some(&city))
        .await
        .json();
    assert!(c["schools"].as_array().unwrap().is_empty());
    assert_eq!(c["districts"].as_array().unwrap().len(), 2);
    let x = app
        .get(
            "/api/v1/drill-board/export.xlsx?period=2025-10",
            Some(&officer),
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.header("content-type").contains("spreadsheetml"));
    assert!(x.body.starts_with(b"PK"));
}

#[tokio::test]
async fn other_schools_drills_are_not_found_and_roles_are_checked() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let ed = app.org_id("ED").await;
    let p2 = app.login("s002.principal").await;
    let r = create(
        &app,
        &p2,
        s002,
        json!({"kind": "fire", "planned_on": today()}),
    )
    .await;
    let theirs = r.json()["id"].as_i64().unwrap();
    let p1 = app.login("s001.principal").await;
    assert_eq!(
        app.get(&format!("/api/v1/drills/{theirs}"), Some(&p1))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        patch(&app, &p1, theirs, json!({"status": "cancelled"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        create(
            &app,
            &p1,
            s002,
            json!({"kind": "fire", "planned_on": today()})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/drills/{theirs}"), Some(&p1))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A district is not a school, for anyone.
    let officer = app.login("bureau.officer").await;
    assert_eq!(
        app.get(&format!("/api/v1/schools/{ed}/drills"), Some(&officer))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        create(
            &app,
            &p1,
            ed,
            json!({"kind": "fire", "planned_on": today()})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // The bureau reads, the school's managers record; staff and guards do not.
    assert_eq!(
        app.get(&format!("/api/v1/drills/{theirs}"), Some(&officer))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        patch(&app, &officer, theirs, json!({"status": "cancelled"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let guard = app.login("s001.guard").await;
    assert_eq!(
        create(
            &app,
            &guard,
            s001,
            json!({"kind": "fire", "planned_on": today()})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Another district's board is not found.
    let nanguan = app.login("nanguan.officer").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/drill-board?org_id={s001}"),
            Some(&nanguan)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let sys = app.login("sysadmin").await;
    assert_eq!(
        app.get("/api/v1/drill-board", Some(&sys)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// Runs the warning sweep of the slot of `at` (a past slot, so that it is due now).
async fn sweep(app: &TestApp, at: chrono::DateTime<chrono::Utc>) {
    let r = app.db.jobs(&Operator::command_line(), "t".into());
    assert!(r.schedule_warning_sweep(at).await.unwrap(), "a new slot");
    let pass = r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!(pass.failed, 0);
}

#[tokio::test]
async fn a_missed_monthly_drill_raises_a_warning_that_a_late_record_clears() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let cal = SchoolCalendar::default();
    let last = Period::of(PeriodKind::Month, today(), &cal).prev();
    // S001's drills of last month are moved out of it.
    app.sql(&format!(
        "UPDATE drills SET held_on = '2001-01-15' WHERE school_id = {s001} \
             AND held_on >= '{}' AND held_on <= '{}'",
        last.first_day(&cal),
        last.last_day(&cal)
    ))
    .await;
    let now = chrono::Utc::now();
    sweep(&app, now - Duration::minutes(6)).await;
    let officer = app.login("bureau.officer").await;
    let list = app
        .get(
            "/api/v1/warnings?per_page=200&open=true&source=drill",
            Some(&officer),
        )
        .await
        .json();
    let subject = format!("school:{s001}:evacuation:{last}");
    let w = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["subject"] == subject)
        .unwrap_or_else(|| panic!("no warning {subject}: {list}"))
        .clone();
    assert_eq!(w["rule"], "missed_drill");
    assert_eq!(w["level"], "yellow");
    let mine = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["school_id"] == s001)
        .count();
    assert_eq!(mine, 1, "one warning per school, requirement and window");

    // A second sweep repeats nothing.
    sweep(&app, now - Duration::minutes(3)).await;
    let again = app
        .get(&format!("/api/v1/warnings/{}", w["id"]), Some(&officer))
        .await
        .json();
    assert_eq!(again["repeats"], 0);

    // The drill held last month, recorded late: the next sweep resolves the warning.
    let t = app.login("s001.safety").await;
    let day = last.last_day(&cal);
    assert_eq!(day.month(), last.number());
    let r = create(
        &app,
        &t,
        s001,
        json!({"kind": "stampede", "held": held(day)}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    sweep(&app, now).await;
    let w = app
        .get(&format!("/api/v1/warnings/{}", w["id"]), Some(&officer))
        .await
        .json();
    assert_eq!(w["status"], "resolved", "{w}");
}

#[tokio::test]
async fn the_pages_plan_and_record_a_drill_and_show_the_board() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let page = app.get(&format!("/schools/{s001}/drills"), Some(&t)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("id=\"plan-form\"") && html.contains("id=\"record-form\""));
    let on = (today() + Duration::days(3)).to_string();
    let r = app
        .form(
            &format!("/schools/{s001}/drills"),
            Some(&t),
            &[
                ("action", "plan"),
                ("kind", "fire"),
                ("notice", "announced"),
                ("planned_on", &on),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let drill = r.header("location");
    assert!(drill.starts_with("/drills/"));
    // Recording it from its page, with a time without seconds.
    let d = today().to_string();
    let r = app
        .form(
            &drill,
            Some(&t),
            &[
                ("action", "record"),
                ("kind", "fire"),
                ("held_on", &d),
                ("classes", "12"),
                ("expected", "500"),
                ("assembled", "500"),
                ("missing", "0"),
                ("signal_at", "09:30"),
                ("completed_at", "09:32:10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = app.get(&drill, Some(&t)).await.text();
    assert!(html.contains("130"), "the time is shown");
    assert!(html.contains("id=\"evaluate-form\""));
    // A record that does not add up is shown again with its error.
    let r = app
        .form(
            &format!("/schools/{s001}/drills"),
            Some(&t),
            &[
                ("action", "record"),
                ("kind", "evacuation"),
                ("held_on", &d),
                ("classes", "1"),
                ("expected", "10"),
                ("assembled", "9"),
                ("missing", "0"),
                ("signal_at", "09:30"),
                ("completed_at", "09:31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let officer = app.login("bureau.officer").await;
    let b = app
        .get("/drills/board?period=2025-10", Some(&officer))
        .await;
    assert_eq!(b.status, StatusCode::OK);
    assert!(b.text().contains("id=\"board-schools\""));
    let bad = app
        .get("/drills/board?period=2025-13", Some(&officer))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
