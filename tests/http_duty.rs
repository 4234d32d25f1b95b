//! Holiday duty and the daily zero report (F-EMG-3/4): the bureau sets up a duty period, each
//! unit submits a roster (every day covered, days without a leader flagged) and a daily
//! report by the cutoff, China time (on time or late to the second); the board counts each
//! unit's reports, missing first; other schools' rosters and reports are not found; the sweep
//! warns of a missing report at the cutoff and a late one clears it.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate, NaiveTime, Timelike, Utc};
use common::{TestApp, fields};
use safecampus::config::HazardRules;
use safecampus::storage::Operator;
use serde_json::{Value, json};

fn today() -> NaiveDate {
    safecampus::storage::risk_points::today()
}

/// China time of day now.
fn china_now() -> NaiveTime {
    (Utc::now() + Duration::hours(8)).time()
}

async fn period(app: &TestApp, t: &str, body: Value) -> i64 {
    let r = app
        .json(Method::POST, "/api/v1/duty-periods", Some(t), &body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

async fn report(app: &TestApp, t: &str, id: i64, body: Value) -> common::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/duty-periods/{id}/reports"),
        Some(t),
        &body,
    )
    .await
}

async fn put_roster(app: &TestApp, t: &str, id: i64, school: i64, days: Value) -> common::Resp {
    app.json(
        Method::PUT,
        &format!("/api/v1/duty-periods/{id}/rosters/{school}"),
        Some(t),
        &json!({"days": days}),
    )
    .await
}

fn day(date: NaiveDate, leader: bool) -> Value {
    let mut d = json!({"date": date, "officers": [{"name": "王值班", "phone": "13900001111"}],
        "duty_phone": "0431-88886666"});
    if leader {
        d["leader"] = json!({"name": "李校长", "phone": "13900002222"});
    }
    d
}

#[tokio::test]
async fn the_bureau_sets_up_a_period_and_each_school_submits_its_roster() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let ed = app.org_id("ED").await;
    let (first, last) = (today() + Duration::days(1), today() + Duration::days(3));
    let id = period(
        &app,
        &officer,
        json!({"name": "元旦假期值班", "first": first, "last": last}),
    )
    .await;
    let p = app
        .get(&format!("/api/v1/duty-periods/{id}"), Some(&officer))
        .await
        .json();
    assert_eq!(p["cutoff"], "15:00:00", "the configured default");
    assert_eq!(p["org"]["id"], ed);
    assert!(
        p["units"].as_array().unwrap().len() > 10,
        "every school of 二道区"
    );
    // The school sees the period it reports in; the other district does not.
    let principal = app.login("s001.principal").await;
    let mine = app
        .get("/api/v1/duty-periods", Some(&principal))
        .await
        .json();
    let seen = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap();
    assert_eq!(
        seen["units"].as_array().unwrap().len(),
        1,
        "only its own unit"
    );
    let nanguan = app.login("nanguan.officer").await;
    let r = app
        .get(&format!("/api/v1/duty-periods/{id}"), Some(&nanguan))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A period the wrong way round, too long, or of a school is refused.
    for (body, field) in [
        (json!({"name": "x", "first": last, "last": first}), "last"),
        (
            json!({"name": "x", "first": first, "last": first + Duration::days(400)}),
            "last",
        ),
        (json!({"name": "", "first": first, "last": last}), "name"),
        (
            json!({"name": "x", "first": first, "last": last, "org_id": s001}),
            "org_id",
        ),
        (
            json!({"name": "x", "first": first, "last": last, "school_ids": [987654]}),
            "school_ids[0]",
        ),
    ] {
        let r = app
            .json(Method::POST, "/api/v1/duty-periods", Some(&officer), &body)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&r.json()), vec![field.to_string()], "{body}");
    }
    let r = app
        .json(
            Method::POST,
            "/api/v1/duty-periods",
            Some(&principal),
            &json!({"name": "x", "first": first, "last": last}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Before a roster, every day is uncovered.
    let path = format!("/api/v1/duty-periods/{id}/rosters/{s001}");
    let r = app.get(&path, Some(&principal)).await.json();
    assert_eq!(r["submitted"], false);
    assert_eq!(r["uncovered"].as_array().unwrap().len(), 3);
    // A day left uncovered, a bad phone, a day outside the period: refused.
    let d = |n: i64, leader: bool| day(first + Duration::days(n), leader);
    let r = put_roster(&app, &principal, id, s001, json!([d(0, true), d(1, true)])).await;
    assert_eq!(fields(&r.json()), vec!["days"]);
    let mut bad = d(0, true);
    bad["leader"]["phone"] = json!("call me");
    let r = put_roster(
        &app,
        &principal,
        id,
        s001,
        json!([bad, d(1, true), d(2, true)]),
    )
    .await;
    assert_eq!(fields(&r.json()), vec!["days[0].leader.phone"]);
    let r = put_roster(
        &app,
        &principal,
        id,
        s001,
        json!([d(0, true), d(1, true), d(5, true)]),
    )
    .await;
    assert_eq!(fields(&r.json()), vec!["days[2].date"]);
    // Covered, one day without a leader: accepted and flagged.
    let r = put_roster(
        &app,
        &principal,
        id,
        s001,
        json!([d(0, true), d(1, false), d(2, true)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = r.json();
    assert_eq!(r["without_leader"], json!([first + Duration::days(1)]));
    let r = app.get(&path, Some(&officer)).await.json();
    assert_eq!(r["submitted"], true, "the bureau reads it");
    assert!(r["uncovered"].as_array().unwrap().is_empty());
    // The bureau reads but does not submit; staff and guards do not submit; another
    // school's roster and a district are not found.
    let full = json!([d(0, true), d(1, true), d(2, true)]);
    assert_eq!(
        put_roster(&app, &officer, id, s001, full.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let guard = app.login("s001.guard").await;
    assert_eq!(
        put_roster(&app, &guard, id, s001, full.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put_roster(&app, &principal, id, s002, full.clone())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/duty-periods/{id}/rosters/{s002}"),
            Some(&principal)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        put_roster(&app, &principal, id, ed, full).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_daily_report_is_on_time_or_late_to_the_cutoff_china_time() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let (first, last) = (today() - Duration::days(1), today() + Duration::days(1));
    // The cutoff two minutes after now ("at 14:59 with a 15:00 cutoff") …
    let now = china_now();
    let soon = if now < NaiveTime::from_hms_opt(23, 57, 0).unwrap() {
        now + Duration::minutes(2)
    } else {
        NaiveTime::from_hms_opt(23, 59, 59).unwrap()
    };
    let ahead = period(
        &app,
        &officer,
        json!({"name": "a", "first": first, "last": last, "school_ids": [s001],
            "cutoff": soon.with_nanosecond(0).unwrap()}),
    )
    .await;
    let r = report(
        &app,
        &t,
        ahead,
        json!({"school_id": s001, "date": today(), "zero": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["status"], "on_time");
    // … and two minutes before now ("at 15:01"): late (before 00:02 China time, yesterday's
    // report is the late one).
    let (cutoff, date) = if now >= NaiveTime::from_hms_opt(0, 2, 0).unwrap() {
        (now - Duration::minutes(2), today())
    } else {
        (
            NaiveTime::from_hms_opt(23, 59, 0).unwrap(),
            today() - Duration::days(1),
        )
    };
    let past = period(
        &app,
        &officer,
        json!({"name": "b", "first": first, "last": last, "school_ids": [s001],
            "cutoff": cutoff.with_nanosecond(0).unwrap()}),
    )
    .await;
    let r = report(
        &app,
        &t,
        past,
        json!({"school_id": s001, "date": date, "zero": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let late = r.json();
    assert_eq!(late["status"], "late");

    // A second report of the same day updates the first; its timeliness stays.
    let r = report(
        &app,
        &t,
        past,
        json!({"school_id": s001, "date": date, "incidents": "夜间停电 20 分钟，已恢复"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let again = r.json();
    assert_eq!(again["id"], late["id"]);
    assert_eq!(again["zero"], false);
    assert_eq!(again["submitted_at"], late["submitted_at"]);
    assert_eq!(again["status"], "late");

    // Dates outside the period, or not begun, are refused; so are contradictions.
    for (body, field) in [
        (
            json!({"school_id": s001, "date": last + Duration::days(1), "zero": true}),
            "date",
        ),
        (
            json!({"school_id": s001, "date": first - Duration::days(1), "zero": true}),
            "date",
        ),
        (
            json!({"school_id": s001, "date": today() + Duration::days(1), "zero": true}),
            "date",
        ),
        (
            json!({"school_id": s001, "date": today(), "zero": true, "incidents": "有事"}),
            "incidents",
        ),
        (json!({"school_id": s001, "date": today()}), "incidents"),
    ] {
        let r = report(&app, &t, ahead, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&r.json()), vec![field.to_string()], "{body}");
    }
    // Another school's report is not found; the guard does not report; the bureau neither.
    let s002 = app.org_id("S002").await;
    let r = report(
        &app,
        &t,
        ahead,
        json!({"school_id": s002, "date": today(), "zero": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let guard = app.login("s001.guard").await;
    let r = report(
        &app,
        &guard,
        ahead,
        json!({"school_id": s001, "date": today(), "zero": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = report(
        &app,
        &officer,
        ahead,
        json!({"school_id": s001, "date": today(), "zero": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let other = app.login("s002.principal").await;
    let r = report(
        &app,
        &other,
        ahead,
        json!({"school_id": s001, "date": today(), "zero": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "the period is not S002's");
}

#[tokio::test]
async fn the_board_counts_each_unit_missing_first() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let (first, last) = (today() - Duration::days(2), today() + Duration::days(2));
    // Every day's report was due at 00:00:00 China time: past days and today are missing
    // unless sent.
    let id = period(
        &app,
        &officer,
        json!({"name": "看板", "first": first, "last": last, "school_ids": [s001, s002],
            "cutoff": "00:00:00"}),
    )
    .await;
    let t = app.login("s001.principal").await;
    for d in [first, first + Duration::days(1), today()] {
        let r = report(
            &app,
            &t,
            id,
            json!({"school_id": s001, "date": d, "zero": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let b = app
        .get(
            &format!("/api/v1/zero-report-board?period_id={id}"),
            Some(&officer),
        )
        .await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text());
    let b = b.json();
    assert_eq!(b["date"], json!(today()), "today by default");
    assert_eq!(b["schools"][0]["school"]["id"], s002, "missing first");
    assert_eq!(b["schools"][0]["status"], "missing");
    assert_eq!(b["schools"][0]["so_far"]["missing"], 3);
    assert_eq!(b["schools"][1]["status"], "late");
    assert_eq!(b["schools"][1]["so_far"]["late"], 3);
    assert_eq!(b["counts"]["missing"], 1);
    assert_eq!(b["counts"]["late"], 1);
    assert_eq!(b["days"][0]["date"], json!(today()), "today first");
    assert_eq!(b["days"].as_array().unwrap().len(), 3);
    // A school sees its own row only; another district's period is not found.
    let mine = app
        .get(
            &format!("/api/v1/zero-report-board?period_id={id}"),
            Some(&t),
        )
        .await
        .json();
    assert_eq!(mine["schools"].as_array().unwrap().len(), 1);
    let nanguan = app.login("nanguan.officer").await;
    let r = app
        .get(
            &format!("/api/v1/zero-report-board?period_id={id}"),
            Some(&nanguan),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!(
                "/api/v1/zero-report-board?period_id={id}&date={}",
                last + Duration::days(1)
            ),
            Some(&officer),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r.json()), vec!["date"]);
}

/// Runs the warning sweep of the slot of `at` (a past slot, so that it is due now).
async fn sweep(app: &TestApp, at: chrono::DateTime<Utc>) {
    let r = app.db.jobs(&Operator::command_line(), "t".into());
    assert!(r.schedule_warning_sweep(at).await.unwrap(), "a new slot");
    let pass = r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!(pass.failed, 0);
}

#[tokio::test]
async fn a_report_missing_at_the_cutoff_raises_a_warning_that_a_late_one_clears() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let yesterday = today() - Duration::days(1);
    let id = period(
        &app,
        &officer,
        json!({"name": "漏报", "first": yesterday, "last": today() + Duration::days(1),
            "school_ids": [s001, s002], "cutoff": "00:00:00"}),
    )
    .await;
    let t = app.login("s001.principal").await;
    for d in [yesterday, today()] {
        report(
            &app,
            &t,
            id,
            json!({"school_id": s001, "date": d, "zero": true}),
        )
        .await;
    }
    let now = Utc::now();
    sweep(&app, now - Duration::minutes(6)).await;
    let mine = |list: &Value| -> Vec<Value> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| {
                w["subject"]
                    .as_str()
                    .unwrap()
                    .contains(&format!(":duty:{id}:"))
            })
            .cloned()
            .collect()
    };
    let list = app
        .get(
            "/api/v1/warnings?per_page=200&open=true&source=zero_report",
            Some(&officer),
        )
        .await
        .json();
    let raised = mine(&list);
    let subjects: Vec<&str> = raised
        .iter()
        .map(|w| w["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects.len(),
        2,
        "S002's yesterday and today, none for S001, none for tomorrow: {subjects:?}"
    );
    let today_subject = format!("school:{s002}:duty:{id}:{}", today());
    assert!(subjects.contains(&today_subject.as_str()));
    assert!(
        raised
            .iter()
            .all(|w| w["school_id"] == s002 && w["level"] == "yellow")
    );
    assert!(raised.iter().all(|w| w["rule"] == "missed_zero_report"));
    // The unit sees its own.
    let p2 = app.login("s002.principal").await;
    let own = app
        .get(
            "/api/v1/warnings?per_page=200&open=true&source=zero_report",
            Some(&p2),
        )
        .await
        .json();
    assert_eq!(mine(&own).len(), 2);

    // Nothing new on the next sweep; then S002 reports today late: that warning resolves.
    sweep(&app, now - Duration::minutes(3)).await;
    let r = report(
        &app,
        &p2,
        id,
        json!({"school_id": s002, "date": today(), "zero": true}),
    )
    .await;
    assert_eq!(r.json()["status"], "late");
    sweep(&app, now).await;
    let list = app
        .get(
            "/api/v1/warnings?per_page=200&open=true&source=zero_report",
            Some(&officer),
        )
        .await
        .json();
    let left: Vec<Value> = mine(&list);
    assert_eq!(left.len(), 1, "yesterday's stays");
    assert_eq!(left[0]["repeats"], 0);
    assert_ne!(left[0]["subject"], json!(today_subject));
}

#[tokio::test]
async fn the_pages_set_up_a_period_and_file_todays_report_in_two_taps() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let list = app.get("/duty", Some(&officer)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("id=\"period-form\""));
    let (first, last) = (
        today().to_string(),
        (today() + Duration::days(2)).to_string(),
    );
    let r = app
        .form(
            "/duty",
            Some(&officer),
            &[
                ("name", "周末值班"),
                ("first", &first),
                ("last", &last),
                ("cutoff", "23:59"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let board = r.header("location");
    let id: i64 = board.trim_start_matches("/duty/").parse().unwrap();
    let bad = app
        .form(
            "/duty",
            Some(&officer),
            &[("name", "x"), ("first", &last), ("last", &first)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The principal: the list's button files today's zero report.
    let t = app.login("s001.principal").await;
    let html = app.get("/duty", Some(&t)).await.text();
    assert!(html.contains(&format!("action=\"/duty/{id}/report\"")));
    let r = app
        .form(&format!("/duty/{id}/report"), Some(&t), &[("zero", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get(&format!("/duty/{id}/report"), Some(&t)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("id=\"roster-form\""));
    // The roster, one row per day.
    let d: Vec<String> = (0..3)
        .map(|n| (today() + Duration::days(n)).to_string())
        .collect();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for date in &d {
        pairs.extend([
            ("date", date.as_str()),
            ("leader_name", "李校长"),
            ("leader_phone", "13900002222"),
            ("officer_name", "王老师"),
            ("officer_phone", "13900001111"),
            ("duty_phone", ""),
        ]);
    }
    let r = app
        .form(&format!("/duty/{id}/roster"), Some(&t), &pairs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // A roster leaving a day uncovered is shown again with its error.
    let r = app
        .form(&format!("/duty/{id}/roster"), Some(&t), &pairs[..6])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let b = app.get(&board, Some(&officer)).await;
    assert_eq!(b.status, StatusCode::OK);
    assert!(b.text().contains("id=\"board-schools\""));
    // The guard may read the board but not file the report.
    let guard = app.login("s001.guard").await;
    assert_eq!(
        app.get(&format!("/duty/{id}/report"), Some(&guard))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
