//! Holiday duty and the daily zero report (F-EMG-3/4): the bureau sets up a duty period, each
//! unit submits a roster (every day covered, days without a leader flagged) and a daily
//! report by the cutoff, China time (on time or late to the second); the board counts each
//! unit's reports, missing first; other schools' rosters and reports are not found; the sweep
//! warns of a missing report at the cutoff and a late one clears it; the bureau corrects a
//! phone spot check, the replaced values kept.

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

#[tokio::test]
async fn the_duty_officer_checks_in_and_the_bureau_spot_checks_the_duty_phone() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let (first, last) = (today() - Duration::days(1), today() + Duration::days(1));
    let id = period(
        &app,
        &officer,
        json!({"name": "签到抽查", "first": first, "last": last, "school_ids": [s001]}),
    )
    .await;
    let principal = app.login("s001.principal").await;
    let days: Vec<Value> = (-1..=1)
        .map(|n| {
            let mut d = day(today() + Duration::days(n), true);
            d["officers"] = json!([
                {"name": "门卫值班", "phone": "13900003333"},
                {"name": "王值班", "phone": "13900001111"}
            ]);
            d
        })
        .collect();
    let r = put_roster(&app, &principal, id, s001, json!(days)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json()["days"][0]["officers"].as_array().unwrap().len(),
        2,
        "several officers a day"
    );
    let guard = app.login("s001.guard").await;
    let staff = app.login("s001.staff").await;
    let other = app.login("s002.staff").await;
    let nanguan = app.login("nanguan.officer").await;
    let check_in = |t: String, school: i64| {
        let app = &app;
        async move {
            app.json(
                Method::POST,
                &format!("/api/v1/duty-periods/{id}/check-ins"),
                Some(&t),
                &json!({"school_id": school}),
            )
            .await
        }
    };
    // The guard checks in today: new, then unchanged.
    let r = check_in(guard.clone(), s001).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let c = r.json();
    assert_eq!(c["date"], json!(today()));
    assert_eq!(
        c["on_roster"], false,
        "the demo guard is not on this roster"
    );
    assert_eq!(check_in(guard.clone(), s001).await.status, StatusCode::OK);
    assert_eq!(
        check_in(staff.clone(), s001).await.status,
        StatusCode::CREATED
    );
    // Another school, a school not of the period, the bureau: refused.
    assert_eq!(check_in(other, s001).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        check_in(staff.clone(), s002).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        check_in(officer.clone(), s001).await.status,
        StatusCode::FORBIDDEN
    );
    let list = app
        .get(
            &format!("/api/v1/duty-periods/{id}/check-ins?date={}", today()),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    // A period not running today: no check-in.
    let later = period(
        &app,
        &officer,
        json!({"name": "下周", "first": today() + Duration::days(7),
            "last": today() + Duration::days(8), "school_ids": [s001]}),
    )
    .await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/duty-periods/{later}/check-ins"),
            Some(&guard),
            &json!({"school_id": s001}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r.json()), vec!["date"]);

    // The bureau's spot checks: answered; called back at the fifth minute; later; never.
    let spot = |t: String, body: Value| {
        let app = &app;
        async move {
            app.json(
                Method::POST,
                &format!("/api/v1/duty-periods/{id}/spot-checks"),
                Some(&t),
                &body,
            )
            .await
        }
    };
    // A few minutes back, so the calls fall on the China day the board shows (unless the
    // test runs in that day's first minutes).
    let called = Utc::now() - Duration::minutes(6);
    for (body, result, passed) in [
        (
            json!({"school_id": s001, "answered": true}),
            "answered",
            true,
        ),
        (
            json!({"school_id": s001, "answered": false, "called_at": called,
                "called_back_at": called + Duration::minutes(5)}),
            "called_back",
            true,
        ),
        (
            json!({"school_id": s001, "answered": false, "called_at": called,
                "called_back_at": called + Duration::minutes(5) + Duration::seconds(1)}),
            "called_back_late",
            false,
        ),
        (
            json!({"school_id": s001, "answered": false, "called_at": called}),
            "no_answer",
            false,
        ),
    ] {
        let r = spot(officer.clone(), body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{body}: {}", r.text());
        let s = r.json();
        assert_eq!(s["result"], result, "{body}");
        assert_eq!(s["passed"], passed, "{body}");
        assert_eq!(s["phone"], "0431-88886666", "the day's duty phone");
    }
    for (body, field) in [
        (
            json!({"school_id": s001, "answered": false, "called_at": called,
                "called_back_at": called - Duration::minutes(1)}),
            "called_back_at",
        ),
        (
            json!({"school_id": s001, "answered": true, "called_at": Utc::now() + Duration::hours(1)}),
            "called_at",
        ),
        (
            json!({"school_id": s001, "answered": true, "phone": "call me"}),
            "phone",
        ),
        (
            json!({"school_id": s001, "answered": true,
                "called_at": Utc::now() - Duration::days(5)}),
            "called_at",
        ),
    ] {
        let r = spot(officer.clone(), body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&r.json()), vec![field.to_string()], "{body}");
    }
    assert_eq!(
        spot(
            principal.clone(),
            json!({"school_id": s001, "answered": true})
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "a school does not spot-check itself"
    );
    assert_eq!(
        spot(nanguan, json!({"school_id": s001, "answered": true}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The unit sees its spot checks; the board counts check-ins and failed spot checks.
    let mine = app
        .get(
            &format!("/api/v1/duty-periods/{id}/spot-checks"),
            Some(&principal),
        )
        .await
        .json();
    assert_eq!(mine.as_array().unwrap().len(), 4);
    let b = app
        .get(
            &format!("/api/v1/zero-report-board?period_id={id}"),
            Some(&officer),
        )
        .await
        .json();
    let row = &b["schools"][0];
    assert_eq!(row["check_ins"], 2);
    assert_eq!(row["spot_checks"], 4);
    assert_eq!(row["spot_checks_failed"], 2);
    // The board as .xlsx, and the pages: the board (printable, with the spot-check form),
    // the roster for print, the check-in button.
    let x = app
        .get(
            &format!("/api/v1/zero-report-board/export.xlsx?period_id={id}"),
            Some(&officer),
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let sheet =
        safecampus::xlsx::read_first_sheet(&x.body, &Default::default()).expect("the export");
    assert_eq!(sheet.len(), 2, "a header and the unit");
    assert!(sheet[1].iter().any(|c| c == "S001"));
    let board = app.get(&format!("/duty/{id}"), Some(&officer)).await.text();
    assert!(board.contains("id=\"spot-check-form\"") && board.contains("data-print"));
    let r = app
        .form(
            &format!("/duty/{id}/spot-checks"),
            Some(&officer),
            &[("school_id", &s001.to_string()), ("answered", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .form(
            &format!("/duty/{id}/spot-checks"),
            Some(&officer),
            &[("school_id", &s002.to_string()), ("answered", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not a unit of the period");
    let roster = app
        .get(&format!("/duty/{id}/rosters/{s001}"), Some(&officer))
        .await;
    assert_eq!(roster.status, StatusCode::OK);
    assert!(roster.text().contains("id=\"roster-table\""));
    assert!(roster.text().contains("门卫值班"));
    let r = app
        .form(&format!("/duty/{id}/check-in"), Some(&staff), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let list = app.get("/duty", Some(&guard)).await.text();
    assert!(list.contains(&format!("action=\"/duty/{id}/check-in\"")));
}

#[tokio::test]
async fn a_daily_report_names_the_units_incidents_and_the_roster_form_takes_several_officers() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let id = period(
        &app,
        &officer,
        json!({"name": "关联", "first": today(), "last": today() + Duration::days(1),
            "school_ids": [s001, s002]}),
    )
    .await;
    let t = app.login("s001.principal").await;
    let now = Utc::now();
    let incident = |school: i64| {
        json!({"school_id": school, "incident_type": "fall", "level": "general",
            "occurred_at": now - Duration::minutes(20), "known_at": now - Duration::minutes(10),
            "place": "操场", "summary": "学生摔伤", "injured": 1,
            "reporter": "李校长", "phone": "13900001111"})
    };
    let r = app
        .json(Method::POST, "/api/v1/incidents", Some(&t), &incident(s001))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mine = r.json()["incident"]["id"].as_i64().unwrap();
    let t2 = app.login("s002.principal").await;
    let theirs = app
        .json(
            Method::POST,
            "/api/v1/incidents",
            Some(&t2),
            &incident(s002),
        )
        .await
        .json()["incident"]["id"]
        .as_i64()
        .unwrap();
    for (body, field) in [
        (
            json!({"school_id": s001, "date": today(), "incident_ids": [theirs]}),
            "incident_ids[0]",
        ),
        (
            json!({"school_id": s001, "date": today(), "zero": true, "incident_ids": [mine]}),
            "incident_ids",
        ),
    ] {
        let r = report(&app, &t, id, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&r.json()), vec![field.to_string()], "{body}");
    }
    let r = report(
        &app,
        &t,
        id,
        json!({"school_id": s001, "date": today(), "incident_ids": [mine, mine]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["incident_ids"], json!([mine]));
    let b = app
        .get(
            &format!("/api/v1/zero-report-board?period_id={id}"),
            Some(&officer),
        )
        .await
        .json();
    let row = b["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["school"]["id"] == s001)
        .unwrap();
    assert_eq!(row["incident_ids"], json!([mine]));
    // The school's page offers its incidents; the form sends them.
    let page = app
        .get(&format!("/duty/{id}/report"), Some(&t))
        .await
        .text();
    assert!(page.contains(&format!("name=\"incident_id\" value=\"{mine}\"")));
    assert!(!page.contains(&format!("value=\"{theirs}\"")));
    // The roster form: a second officer per day.
    let d: Vec<String> = (0..2)
        .map(|n| (today() + Duration::days(n)).to_string())
        .collect();
    let more: Vec<String> = d.iter().map(|x| format!("more_name.{x}")).collect();
    let more_phone: Vec<String> = d.iter().map(|x| format!("more_phone.{x}")).collect();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for (i, date) in d.iter().enumerate() {
        pairs.extend([
            ("date", date.as_str()),
            ("leader_name", "李校长"),
            ("leader_phone", "13900002222"),
            ("officer_name", "王老师"),
            ("officer_phone", "13900001111"),
            (more[i].as_str(), "赵老师"),
            (more_phone[i].as_str(), "13900004444"),
            (more[i].as_str(), ""),
            (more_phone[i].as_str(), ""),
            ("duty_phone", ""),
        ]);
    }
    let r = app
        .form(&format!("/duty/{id}/roster"), Some(&t), &pairs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let roster = app
        .get(
            &format!("/api/v1/duty-periods/{id}/rosters/{s001}"),
            Some(&t),
        )
        .await
        .json();
    let officers = roster["days"][1]["officers"].as_array().unwrap();
    assert_eq!(officers.len(), 2);
    assert_eq!(officers[1]["name"], "赵老师");
    let page = app
        .get(&format!("/duty/{id}/report"), Some(&t))
        .await
        .text();
    assert!(
        page.contains("value=\"赵老师\""),
        "the page shows the second officer"
    );
}

#[tokio::test]
async fn the_bureau_corrects_a_spot_check_and_the_replaced_values_are_kept() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let (first, last) = (today() - Duration::days(1), today() + Duration::days(1));
    let id = period(
        &app,
        &officer,
        json!({"name": "抽查更正", "first": first, "last": last, "school_ids": [s001]}),
    )
    .await;
    // A few minutes back, so the call falls on the China day the board shows (unless the
    // test runs in that day's first minutes).
    let called = Utc::now() - Duration::minutes(4);
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/duty-periods/{id}/spot-checks"),
            Some(&officer),
            &json!({"school_id": s001, "called_at": called, "answered": false,
                "phone": "0431-88886666", "note": "无人接听"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let check = r.json();
    assert_eq!(check["result"], "no_answer");
    assert_eq!(check["revisions"], json!([]));
    let principal = app.login("s001.principal").await;
    let nanguan = app.login("nanguan.officer").await;
    let path = format!("/api/v1/duty-periods/{id}/spot-checks/{}", check["id"]);
    let correct = |t: String, body: Value| {
        let (app, path) = (&app, path.clone());
        async move { app.json(Method::PATCH, &path, Some(&t), &body).await }
    };
    // It did call back, at the third minute: the officer corrects the record, saying why.
    let back = called + Duration::minutes(3);
    let body = json!({"answered": false, "called_back_at": back, "note": "已回电",
        "reason": "回电登记遗漏，补录"});
    let r = correct(officer.clone(), body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let fixed = r.json();
    assert_eq!(fixed["result"], "called_back");
    assert_eq!(fixed["passed"], true);
    assert_eq!(fixed["phone"], "0431-88886666", "left out: unchanged");
    let revisions = fixed["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0]["seq"], 1);
    assert_eq!(revisions[0]["result"], "no_answer", "the value it replaced");
    assert_eq!(revisions[0]["note"], "无人接听");
    assert_eq!(revisions[0]["called_back_at"], Value::Null);
    assert_eq!(revisions[0]["reason"], "回电登记遗漏，补录");
    // The same correction again changes nothing and keeps no second revision.
    let r = correct(officer.clone(), body).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["revisions"].as_array().unwrap().len(), 1);
    // The list carries the history; the board counts the corrected result.
    let list = app
        .get(
            &format!("/api/v1/duty-periods/{id}/spot-checks"),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(list[0]["result"], "called_back");
    assert_eq!(list[0]["revisions"][0]["result"], "no_answer");
    // Without a reason, or with a call back before the call: 422, nothing changed.
    let r = correct(officer.clone(), json!({"answered": true, "reason": " "})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r.json()), vec!["reason"]);
    let r = correct(
        officer.clone(),
        json!({"answered": false, "called_back_at": called - Duration::minutes(1),
            "reason": "x"}),
    )
    .await;
    assert_eq!(fields(&r.json()), vec!["called_back_at"]);
    // A school cannot correct the bureau's record; another district does not see it; a
    // check of another period is not found under this one.
    let r = correct(principal, json!({"answered": true, "reason": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = correct(nanguan, json!({"answered": true, "reason": "x"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let other = period(
        &app,
        &officer,
        json!({"name": "另一时段", "first": first, "last": last, "school_ids": [s001]}),
    )
    .await;
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/duty-periods/{other}/spot-checks/{}", check["id"]),
            Some(&officer),
            &json!({"answered": true, "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let after = app
        .get(
            &format!("/api/v1/duty-periods/{id}/spot-checks"),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(after[0]["revisions"].as_array().unwrap().len(), 1);
    // Audited: the fields and results, not the phone or the note.
    let audit = app.audit("action=duty.spot_check_amend&result=ok").await;
    let details: Vec<&str> = audit.iter().filter_map(|a| a["detail"].as_str()).collect();
    assert!(
        details.contains(
            &format!("school={s001} result=no_answer->called_back changed=called_back_at,note")
                .as_str()
        ),
        "{details:?}"
    );
    assert!(
        details.contains(&format!("school={s001} unchanged").as_str()),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .all(|d| !d.contains("8888") && !d.contains("回电")),
        "{details:?}"
    );
    // The board's row offers the correction form and shows the history; the form corrects.
    let page = app.get(&format!("/duty/{id}"), Some(&officer)).await.text();
    assert!(
        page.contains(&format!("id=\"spot-correct-form-{}\"", check["id"]))
            && page.contains(&format!("id=\"spot-history-{}\"", check["id"])),
        "the board's spot-check row"
    );
    let form = format!("/duty/{id}/spot-checks/{}", check["id"]);
    let r = app
        .form(
            &form,
            Some(&officer),
            &[("answered", "1"), ("reason", "其实已接听")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .form(&form, Some(&officer), &[("answered", "1"), ("reason", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let after = app
        .get(
            &format!("/api/v1/duty-periods/{id}/spot-checks"),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(after[0]["result"], "answered");
    assert_eq!(after[0]["revisions"].as_array().unwrap().len(), 2);
    assert_eq!(after[0]["revisions"][1]["result"], "called_back");
}
