//! The work plan (F-PLAN-1…3) through the API: the demo's plan and calendar on first start,
//! obligation targeting (kindergartens only, schools with buses, large schools), status
//! edges (done on the period's last day, late by one day, the China day of recording), a
//! copy to next year, a stale PATCH, another district's org, the .xlsx export; the sweep's
//! warning of a missed obligation, cleared by late evidence; and a property: after random
//! writes, moves and deletes of evidence, the calendar equals a recomputation from the
//! records themselves and the index equals its sources (`rollups verify`).

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Duration, NaiveDate};
use common::TestApp;
use safecampus::config::HazardRules;
use safecampus::domain::Code;
use safecampus::domain::calendar::SchoolCalendar;
use safecampus::domain::work_plan::{Evidence, Frequency, PlanPeriod, Proof, Status, status};
use safecampus::storage::Operator;
use serde_json::{Value, json};

fn today() -> NaiveDate {
    safecampus::storage::risk_points::today()
}

/// The district's plan of this year (the demo's copy of 2021's).
async fn this_years_plan(app: &TestApp, t: &str) -> Value {
    let list = app.get("/api/v1/work-plans", Some(t)).await.json();
    let id = list
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["year"] == today().year() && p["district_name"] == "二道区")
        .unwrap_or_else(|| panic!("this year's plan: {list}"))["id"]
        .clone();
    app.get(&format!("/api/v1/work-plans/{id}"), Some(t))
        .await
        .json()
}

/// A plan's items as a PATCH writes them (ids kept).
fn as_input(plan: &Value) -> Vec<Value> {
    plan["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            let obligations: Vec<Value> = i["obligations"]
                .as_array()
                .expect("obligations")
                .iter()
                .map(|o| {
                    let mut v = json!({"id": o["id"], "who": o["who"], "org_ids": o["org_ids"],
                        "evidence": o["evidence"], "every": o["every"], "count": o["count"],
                        "note": o["note"]});
                    for k in ["kind", "min_students"] {
                        if !o[k].is_null() {
                            v[k] = o[k].clone();
                        }
                    }
                    v
                })
                .collect();
            json!({"id": i["id"], "number": i["number"], "group": i["group"],
                "title": i["title"], "text": i["text"], "lead": i["lead"],
                "cooperating": i["cooperating"], "obligations": obligations})
        })
        .collect()
}

/// Adds obligations to the plan's first item; returns their ids.
async fn add_obligations(app: &TestApp, t: &str, new: &[Value]) -> Vec<i64> {
    let plan = this_years_plan(app, t).await;
    let mut items = as_input(&plan);
    let before = items[0]["obligations"].as_array().unwrap().len();
    for o in new {
        items[0]["obligations"]
            .as_array_mut()
            .unwrap()
            .push(o.clone());
    }
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/work-plans/{}", plan["id"]),
            Some(t),
            &json!({"version": plan["version"], "items": items, "note": "test"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"][0]["obligations"].as_array().unwrap()[before..]
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

async fn calendar(app: &TestApp, t: &str, org: i64, period: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/compliance?org_id={org}&period={period}"),
            Some(t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn cells_of(cal: &Value, obligation: i64) -> Vec<Value> {
    cal["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["obligation_id"] == obligation)
        .cloned()
        .collect()
}

async fn activity(app: &TestApp, t: &str, school: i64, kind: &str, day: NaiveDate) -> i64 {
    let r = app
        .json(
            Method::POST,
            "/api/v1/education-activities",
            Some(t),
            &json!({"school_id": school, "kind": kind, "held_on": day, "title": "家长会",
                "classes": 3, "pupils": 120}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_demo_calendar_shows_every_status_and_targets_its_schools() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let ed = app.org_id("ED").await;
    let plan = this_years_plan(&app, &t).await;
    assert_eq!(plan["items"].as_array().unwrap().len(), 17);
    let year = today().year();
    let cal = calendar(&app, &t, ed, &year.to_string()).await;
    for s in ["due", "done", "late", "missed"] {
        assert!(
            cal["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["status"] == s),
            "no {s} cell in the year"
        );
    }
    // Targeting: the kindergartens' obligation, the bus drill, the large schools' drill.
    let schools = app
        .get("/api/v1/schools?per_page=200", Some(&t))
        .await
        .json();
    let schools = schools["items"].as_array().unwrap().clone();
    let obligation = |evidence: &str, who: &str| -> i64 {
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|i| i["obligations"].as_array().unwrap().iter())
            .find(|o| o["evidence"] == evidence && o["who"] == who)
            .unwrap_or_else(|| panic!("{evidence} of {who}"))["id"]
            .as_i64()
            .unwrap()
    };
    let orgs = |ob: i64| -> Vec<i64> {
        let mut v: Vec<i64> = cells_of(&cal, ob)
            .iter()
            .map(|c| c["org_id"].as_i64().unwrap())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let expect = |f: &dyn Fn(&Value) -> bool| -> Vec<i64> {
        let mut v: Vec<i64> = schools
            .iter()
            .filter(|s| f(s))
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        v.sort();
        v
    };
    let kg = expect(&|s| s["kind"] == "kindergarten");
    assert!(!kg.is_empty() && kg.len() < schools.len());
    assert_eq!(orgs(obligation("document", "kindergartens")), kg);
    let bus = expect(&|s| s["features"]["has_bus"] == true);
    assert!(!bus.is_empty());
    assert_eq!(orgs(obligation("drill", "bus_schools")), bus);
    let large = expect(&|s| s["students"].as_i64().unwrap() >= 2000);
    assert_eq!(orgs(obligation("drill", "large_schools")), large);
    // The district's own obligations are the district's.
    assert_eq!(orgs(obligation("governance", "district")), vec![ed]);
}

#[tokio::test]
async fn status_edges_done_on_the_last_day_late_by_one_day() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let t = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let ids = add_obligations(
        &app,
        &officer,
        &[
            json!({"who": "named", "org_ids": [s001], "evidence": "activity", "kind": "other",
                "every": "day", "count": 1}),
            json!({"who": "named", "org_ids": [s001], "evidence": "activity",
                "kind": "parent_contact", "every": "month", "count": 1}),
        ],
    )
    .await;
    let (daily, monthly) = (ids[0], ids[1]);
    let day = today();
    let status_on = |cal: &Value, ob: i64| -> String {
        let c = cells_of(cal, ob);
        assert_eq!(c.len(), 1, "{cal}");
        c[0]["status"].as_str().unwrap().to_string()
    };
    // Today's period: due, then done when recorded on its (last) day.
    let cal = calendar(&app, &t, s001, &day.to_string()).await;
    assert_eq!(status_on(&cal, daily), "due");
    activity(&app, &t, s001, "other", day).await;
    let cal = calendar(&app, &t, s001, &day.to_string()).await;
    assert_eq!(status_on(&cal, daily), "done");
    assert_eq!(
        cells_of(&cal, daily)[0]["evidence"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Yesterday's: missed, then late when recorded a day after its last day.
    let yesterday = day - Duration::days(1);
    if yesterday.year() == day.year() {
        let cal = calendar(&app, &t, s001, &yesterday.to_string()).await;
        assert_eq!(status_on(&cal, daily), "missed");
        activity(&app, &t, s001, "other", yesterday).await;
        let cal = calendar(&app, &t, s001, &yesterday.to_string()).await;
        assert_eq!(status_on(&cal, daily), "late");
    }
    // Last month: recorded at 23:59 China time on its last day is done, a minute later late.
    let cal_cfg = SchoolCalendar::default();
    let last = PlanPeriod::of(Frequency::Month, day, &cal_cfg)
        .unwrap()
        .prev(&cal_cfg);
    let end = last.range(&cal_cfg).last;
    if end.year() == day.year() {
        let id = activity(&app, &t, s001, "parent_contact", end).await;
        let cal = calendar(&app, &t, s001, &last.to_string()).await;
        assert_eq!(status_on(&cal, monthly), "late");
        let set = |utc: &str| {
            format!(
                "UPDATE education_activities SET created_at = '{end} {utc}+00:00' WHERE id = {id}"
            )
        };
        app.sql(&set("15:59:00")).await;
        let cal = calendar(&app, &t, s001, &last.to_string()).await;
        assert_eq!(status_on(&cal, monthly), "done");
        app.sql(&set("16:00:00")).await;
        let cal = calendar(&app, &t, s001, &last.to_string()).await;
        assert_eq!(status_on(&cal, monthly), "late");
    }
}

#[tokio::test]
async fn copy_stale_patch_other_district_and_export() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let plan = this_years_plan(&app, &t).await;
    let id = plan["id"].clone();
    // A copy to next year carries every item and obligation.
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/work-plans/{id}/copy"),
            Some(&t),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let copy = r.json();
    assert_eq!(copy["year"], today().year() + 1);
    assert_eq!(copy["version"], 1);
    let count = |p: &Value| -> usize {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["obligations"].as_array().unwrap().len())
            .sum()
    };
    assert_eq!(count(&copy), count(&plan));
    assert_eq!(count(&copy), 22);
    let again = app
        .json(
            Method::POST,
            &format!("/api/v1/work-plans/{id}/copy"),
            Some(&t),
            &json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // A PATCH with a stale version is refused and changes nothing.
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/work-plans/{id}"),
            Some(&t),
            &json!({"version": 0, "title": "改过的标题"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(this_years_plan(&app, &t).await["title"], plan["title"]);
    // Another district's org is not found, for the calendar and for a record.
    let ng = app.org_id("NG").await;
    let n001 = app.org_id("N001").await;
    for path in [
        format!("/api/v1/compliance?org_id={ng}"),
        format!("/api/v1/compliance?org_id={n001}"),
        format!("/api/v1/compliance/export.xlsx?org_id={n001}"),
        format!("/api/v1/meetings?org_id={ng}"),
    ] {
        assert_eq!(
            app.get(&path, Some(&t)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = app
        .json(
            Method::POST,
            "/api/v1/meetings",
            Some(&t),
            &json!({"org_id": ng, "kind": "district_analysis", "held_on": today(),
                "title": "分析会"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The export opens and has a row per cell.
    let s001 = app.org_id("S001").await;
    let year = today().year();
    let cal = calendar(&app, &t, s001, &year.to_string()).await;
    let r = app
        .get(
            &format!("/api/v1/compliance/export.xlsx?org_id={s001}&period={year}"),
            Some(&t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let sheet = safecampus::xlsx::read_first_sheet(&r.body, &Default::default()).expect("xlsx");
    assert_eq!(sheet[0][0], "单位");
    assert_eq!(sheet.len(), cal["items"].as_array().unwrap().len() + 1);
    assert!(
        sheet[1..]
            .iter()
            .any(|row| row.iter().any(|c| c == "未完成"))
    );
}

/// Runs the warning sweep of the slot of `at`.
async fn sweep(app: &TestApp, at: chrono::DateTime<chrono::Utc>) {
    let r = app.db.jobs(&Operator::command_line(), "t".into());
    assert!(r.schedule_warning_sweep(at).await.unwrap(), "a new slot");
    let pass = r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!(pass.failed, 0);
}

#[tokio::test]
async fn a_missed_obligation_warns_once_and_late_evidence_clears_it() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let now = chrono::Utc::now();
    sweep(&app, now - Duration::minutes(9)).await;
    let list = app
        .get(
            "/api/v1/warnings?per_page=200&open=true&source=work_plan",
            Some(&officer),
        )
        .await
        .json();
    let items = list["items"].as_array().unwrap().clone();
    assert!(!items.is_empty(), "the demo's gaps warn: {list}");
    let mut subjects: Vec<&str> = items
        .iter()
        .map(|w| w["subject"].as_str().unwrap())
        .collect();
    let n = subjects.len();
    subjects.sort();
    subjects.dedup();
    assert_eq!(
        subjects.len(),
        n,
        "one warning per school, obligation and period"
    );
    // Only ended periods, of meetings, trainings and activities.
    let cal = SchoolCalendar::default();
    let month = PlanPeriod::of(Frequency::Month, today(), &cal).unwrap();
    assert!(subjects.iter().all(|s| !s.ends_with(&format!(":{month}"))));
    // A school's missed monthly meeting: S-warning of last month for a school that skipped.
    let last = month.prev(&cal).to_string();
    let w = items
        .iter()
        .find(|w| {
            w["subject"]
                .as_str()
                .unwrap()
                .ends_with(&format!(":{last}"))
        })
        .unwrap_or_else(|| panic!("a warning of {last}: {list}"))
        .clone();
    assert_eq!(w["rule"], "missed_obligation");
    assert_eq!(w["level"], "yellow");
    // A second sweep repeats nothing.
    sweep(&app, now - Duration::minutes(6)).await;
    let again = app
        .get(
            "/api/v1/warnings?per_page=200&open=true&source=work_plan",
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(again["items"].as_array().unwrap().len(), n);
    // The meeting recorded late clears it.
    let school = w["school_id"].as_i64().unwrap();
    let end = month.prev(&cal).range(&cal).last;
    let r = app
        .json(
            Method::POST,
            "/api/v1/meetings",
            Some(&officer),
            &json!({"org_id": school, "kind": "school_analysis", "held_on": end,
                "title": "补开的分析会"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    sweep(&app, now - Duration::minutes(3)).await;
    let w = app
        .get(&format!("/api/v1/warnings/{}", w["id"]), Some(&officer))
        .await
        .json();
    assert_eq!(w["status"], "resolved", "{w}");
}

/// One step of the property: add evidence on a day of the month, move one, delete one,
/// or change the day one was recorded.
#[derive(Debug, Clone)]
enum Op {
    Add(u32),
    Move(usize, u32),
    Delete(usize),
    Recorded(usize, u32),
}

fn ops() -> impl proptest::strategy::Strategy<Value = Vec<Op>> {
    use proptest::prelude::*;
    let op = prop_oneof![
        3 => (0u32..31).prop_map(Op::Add),
        1 => (0usize..8, 0u32..31).prop_map(|(i, d)| Op::Move(i, d)),
        1 => (0usize..8).prop_map(Op::Delete),
        1 => (0usize..8, 0u32..40).prop_map(|(i, d)| Op::Recorded(i, d)),
    ];
    proptest::collection::vec(op, 1..8)
}

/// The ids of S001's activities of kind `other`.
async fn other_ids(app: &TestApp, t: &str, s001: i64) -> Vec<i64> {
    app.get(
        &format!("/api/v1/education-activities?org_id={s001}"),
        Some(t),
    )
    .await
    .json()
    .as_array()
    .unwrap()
    .iter()
    .filter(|a| a["kind"] == "other")
    .map(|a| a["id"].as_i64().unwrap())
    .collect()
}

#[test]
fn the_calendar_equals_a_recomputation_after_random_evidence() {
    use proptest::test_runner::{Config, TestRunner};
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (app, t, s001, obs, month) = rt.block_on(async {
        let mut app = TestApp::new().await;
        let officer = app.login("bureau.officer").await;
        let t = app.login("s001.safety").await;
        let s001 = app.org_id("S001").await;
        let obs = add_obligations(
            &app,
            &officer,
            &[
                json!({"who": "named", "org_ids": [s001], "evidence": "activity",
                    "kind": "other", "every": "month", "count": 3}),
                json!({"who": "named", "org_ids": [s001], "evidence": "activity",
                    "kind": "other", "every": "half_month", "count": 2}),
            ],
        )
        .await;
        // A month of this year that has ended (or this one in January).
        let cal = SchoolCalendar::default();
        let m = PlanPeriod::of(Frequency::Month, today(), &cal).unwrap();
        let month = if today().month() > 1 { m.prev(&cal) } else { m };
        (app, t, s001, obs, month)
    });
    let cal = SchoolCalendar::default();
    let range = month.range(&cal);
    let day = |d: u32| (range.first + Duration::days(i64::from(d))).min(range.last);
    let mut runner = TestRunner::new(Config {
        cases: 10,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&ops(), |ops| {
            rt.block_on(async {
                for op in ops {
                    let ids = other_ids(&app, &t, s001).await;
                    let pick = |i: usize| ids.get(i % ids.len().max(1)).copied();
                    match op {
                        Op::Add(d) => {
                            activity(&app, &t, s001, "other", day(d).min(today())).await;
                        }
                        Op::Move(i, d) => {
                            if let Some(id) = pick(i) {
                                let to = day(d).min(today());
                                app.sql(&format!("UPDATE education_activities SET held_on = '{to}' WHERE id = {id}")).await;
                            }
                        }
                        Op::Delete(i) => {
                            if let Some(id) = pick(i) {
                                app.sql(&format!("DELETE FROM education_activities WHERE id = {id}")).await;
                            }
                        }
                        Op::Recorded(i, d) => {
                            if let Some(id) = pick(i) {
                                let at = range.first + Duration::days(i64::from(d));
                                app.sql(&format!("UPDATE education_activities SET created_at = '{at} 08:00:00+00:00' WHERE id = {id}")).await;
                            }
                        }
                    }
                }
                // The calendar as served …
                let served = calendar(&app, &t, s001, &month.to_string()).await;
                // … and recomputed from the records themselves.
                let records = app
                    .get(&format!("/api/v1/education-activities?org_id={s001}"), Some(&t))
                    .await
                    .json();
                let proofs: Vec<Proof> = records
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|a| a["kind"] == "other")
                    .map(|a| {
                        let at: chrono::DateTime<chrono::Utc> =
                            a["created_at"].as_str().unwrap().parse().unwrap();
                        Proof {
                            happened_on: a["held_on"].as_str().unwrap().parse().unwrap(),
                            recorded_on: (at + Duration::hours(8)).date_naive(),
                        }
                    })
                    .collect();
                for (ob, count, freq) in [(obs[0], 3, Frequency::Month), (obs[1], 2, Frequency::HalfMonth)] {
                    let periods = PlanPeriod::overlapping(freq, range, &cal);
                    let cells = cells_of(&served, ob);
                    assert_eq!(cells.len(), periods.len());
                    for (c, p) in cells.iter().zip(&periods) {
                        assert_eq!(c["period"], p.to_string());
                        let want: Status = status(Evidence::Activity, count, &proofs, p.range(&cal), today());
                        assert_eq!(c["status"], want.as_str(), "{p}: {c}");
                        let within = proofs.iter().filter(|x| p.range(&cal).contains(x.happened_on)).count();
                        assert_eq!(c["counted"], within);
                    }
                }
                let op = Operator::command_line();
                let diffs = app.db.unsafe_unscoped(&op).verify_rollups().await.expect("verify");
                assert!(diffs.is_empty(), "{diffs:?}");
            });
            Ok(())
        })
        .expect("the property");
}

#[tokio::test]
async fn the_plan_page_edits_and_the_city_sees_districts() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let plan = this_years_plan(&app, &t).await;
    let id = plan["id"].as_i64().unwrap();
    let page = app.get(&format!("/work-plans/{id}"), Some(&t)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("id=\"edit-item-3\""));
    let v = plan["version"].as_i64().unwrap().to_string();
    // An item's text and departments.
    let r = app
        .form(
            &format!("/work-plans/{id}"),
            Some(&t),
            &[
                ("op", "item"),
                ("version", &v),
                ("number", "3"),
                ("text", "新的条目内容"),
                ("lead", "安全科"),
                ("cooperating", "办公室、财务科"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let p = this_years_plan(&app, &t).await;
    let item = &p["items"][2];
    assert_eq!(item["text"], "新的条目内容");
    assert_eq!(item["cooperating"], json!(["办公室", "财务科"]));
    assert_eq!(p["version"], plan["version"].as_i64().unwrap() + 1);
    // The same version again is stale.
    let r = app
        .form(
            &format!("/work-plans/{id}"),
            Some(&t),
            &[("op", "item"), ("version", &v), ("number", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // An obligation added, then removed.
    let v = p["version"].as_i64().unwrap().to_string();
    let r = app
        .form(
            &format!("/work-plans/{id}"),
            Some(&t),
            &[
                ("op", "add"),
                ("version", &v),
                ("number", "3"),
                ("who", "kindergartens"),
                ("evidence", "activity"),
                ("kind", "parent_contact"),
                ("every", "semester"),
                ("count", "2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let p = this_years_plan(&app, &t).await;
    let added = p["items"][2]["obligations"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(added["who"], "kindergartens");
    assert_eq!(added["count"], 2);
    // A bad count is a form error, nothing written.
    let v = p["version"].as_i64().unwrap().to_string();
    let r = app
        .form(
            &format!("/work-plans/{id}"),
            Some(&t),
            &[
                ("op", "add"),
                ("version", &v),
                ("number", "3"),
                ("who", "schools"),
                ("evidence", "meeting"),
                ("every", "month"),
                ("count", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let oid = added["id"].to_string();
    let r = app
        .form(
            &format!("/work-plans/{id}"),
            Some(&t),
            &[
                ("op", "remove"),
                ("version", &v),
                ("number", "3"),
                ("obligation_id", &oid),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let p = this_years_plan(&app, &t).await;
    assert!(
        p["items"][2]["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["id"] != added["id"])
    );
    // A school reads the plan without the forms and cannot post them.
    let s = app.login("s001.principal").await;
    let page = app.get(&format!("/work-plans/{id}"), Some(&s)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text().contains("edit-item-3"));
    let r = app
        .form(
            &format!("/work-plans/{id}"),
            Some(&s),
            &[("op", "item"), ("number", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The city sees a row per district, each leading to its school grid.
    let city = app.login("city.officer").await;
    let ed = app.org_id("ED").await;
    let page = app.get("/compliance", Some(&city)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("id=\"calendar-districts\""), "{html}");
    assert!(html.contains(&format!("id=\"district-{ed}\"")));
    assert!(html.contains("南关区"));
    let grid = app
        .get(&format!("/compliance?org_id={ed}"), Some(&city))
        .await;
    assert!(grid.text().contains("id=\"calendar-grid\""));
}
