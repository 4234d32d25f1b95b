//! Governance (item 15 of the work plan): the bureau launches a concentrated governance action
//! over its schools with a checklist; each school reports its result (a second report replaces
//! the first); the action with a result is the district's `governance` evidence in the
//! compliance calendar (the index verified against its sources); other districts' schools
//! see nothing of it. The yearly star rating is computed from what the platform holds — each
//! criterion traced to its count — and awarded by the bureau as computed, every award kept.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Duration, NaiveDate};
use common::{TestApp, expect, fields};
use safecampus::storage::Operator;
use serde_json::{Value, json};

fn today() -> NaiveDate {
    safecampus::storage::risk_points::today()
}

async fn launch(app: &TestApp, t: &str, body: Value) -> common::Resp {
    app.json(Method::POST, "/api/v1/governance-actions", Some(t), &body)
        .await
}

async fn result(app: &TestApp, t: &str, id: i64, body: Value) -> common::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/governance-actions/{id}/results"),
        Some(t),
        &body,
    )
    .await
}

/// The district's governance cell of this year in the compliance calendar.
async fn governance_cell(app: &TestApp, t: &str, district: i64) -> Value {
    let r = app
        .get(
            &format!(
                "/api/v1/compliance?org_id={district}&period={}",
                today().year()
            ),
            Some(t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["evidence_kind"] == "governance" && c["org_id"] == district)
        .cloned()
        .expect("the district's governance obligation")
}

#[tokio::test]
async fn the_bureau_launches_an_action_and_each_school_reports_its_result() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let n001 = app.org_id("N001").await;
    let ed = app.org_id("ED").await;
    let before = governance_cell(&app, &officer, ed).await;
    let body = json!({"kind": "concentrated", "title": "校园周边集中整治",
        "targets": "周边无乱象", "starts_on": today() - Duration::days(3),
        "ends_on": today() + Duration::days(20),
        "checklist": ["校门口交通秩序", "周边摊点"], "school_ids": [s001, s002]});
    // Refused input: every field named, nothing written.
    let mut bad = body.clone();
    bad["ends_on"] = json!(today() - Duration::days(10));
    bad["checklist"] = json!([]);
    bad["school_ids"] = json!([s001, n001]);
    let r = launch(&app, &officer, bad).await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(fields(&j), ["ends_on", "checklist", "school_ids"]);
    // A school cannot launch one; the other district's officer cannot launch in 二道区.
    let principal = app.login("s001.principal").await;
    expect(
        &launch(&app, &principal, body.clone()).await,
        403,
        "forbidden",
    );
    let nanguan = app.login("nanguan.officer").await;
    let mut theirs = body.clone();
    theirs["org_id"] = json!(ed);
    expect(&launch(&app, &nanguan, theirs).await, 404, "not_found");

    let r = launch(&app, &officer, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let a = r.json();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["schools"].as_array().unwrap().len(), 2);
    assert_eq!(a["missing"].as_array().unwrap().len(), 2);
    assert!(a["first_result_on"].is_null());
    // No result yet: not evidence.
    assert_eq!(
        governance_cell(&app, &officer, ed).await["counted"],
        before["counted"]
    );

    // S001 sees it and reports; a wrong number of answers is refused.
    let listed = app
        .get("/api/v1/governance-actions", Some(&principal))
        .await;
    assert!(
        listed
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id),
        "{}",
        listed.text()
    );
    let r = result(&app, &principal, id, json!({"checks": [true]})).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["checks"]);
    let r = result(
        &app,
        &principal,
        id,
        json!({"checks": [true, false], "found": 3, "fixed": 4}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["fixed"]);
    let r = result(
        &app,
        &principal,
        id,
        json!({"checks": [true, false], "found": 3, "fixed": 2, "summary": "清理摊点 2 处"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let j = r.json();
    assert_eq!(j["first_result_on"], json!(today()));
    // The school sees its own result only.
    assert_eq!(j["schools"].as_array().unwrap().len(), 1);
    assert_eq!(j["results"][0]["checks"], json!([true, false]));
    // A second report replaces the first.
    let r = result(
        &app,
        &principal,
        id,
        json!({"checks": [true, true], "found": 3, "fixed": 3}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let a = app
        .get(&format!("/api/v1/governance-actions/{id}"), Some(&officer))
        .await
        .json();
    assert_eq!(a["results"].as_array().unwrap().len(), 1);
    assert_eq!(a["results"][0]["fixed"], 3);
    assert_eq!(a["missing"][0]["id"], s002);
    // The district's evidence now holds the action, and the index equals its recomputation.
    let cell = governance_cell(&app, &officer, ed).await;
    assert_eq!(
        cell["counted"].as_i64().unwrap(),
        before["counted"].as_i64().unwrap() + 1
    );
    assert!(
        cell["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["source"] == "governance" && e["id"] == id),
        "{cell}"
    );
    let diffs = app
        .db
        .unsafe_unscoped(&Operator::command_line())
        .verify_rollups()
        .await
        .expect("verify");
    assert!(diffs.is_empty(), "{diffs:?}");

    // Other schools: N001 sees nothing of it; a school's staff may not report.
    let n = app.login("n001.principal").await;
    expect(
        &app.get(&format!("/api/v1/governance-actions/{id}"), Some(&n))
            .await,
        404,
        "not_found",
    );
    expect(
        &result(&app, &n, id, json!({"checks": [true, true]})).await,
        404,
        "not_found",
    );
    let staff = app.login("s002.safety").await;
    let r = result(&app, &staff, id, json!({"checks": [true, true]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // The audit names the school and the counts.
    let audit = app.audit("action=governance.report").await;
    assert!(audit.len() >= 3, "{audit:?}");

    // The pages: the list, the action with the school's form; the school reports there.
    let page = app.get("/governance-actions", Some(&officer)).await.text();
    assert!(page.contains("校园周边集中整治") && page.contains("launch-form"));
    let page = app
        .get(&format!("/governance-actions/{id}"), Some(&principal))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("result-form"));
    let r = app
        .form(
            &format!("/governance-actions/{id}/results"),
            Some(&principal),
            &[("check", "0"), ("found", "1"), ("fixed", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let a = app
        .get(
            &format!("/api/v1/governance-actions/{id}"),
            Some(&principal),
        )
        .await
        .json();
    assert_eq!(a["results"][0]["checks"], json!([true, false]));
    let r = app
        .form(
            "/governance-actions",
            Some(&officer),
            &[
                ("kind", "special"),
                ("title", "食品安全专项"),
                ("starts_on", "2026-02-30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

fn criterion<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == code)
        .unwrap_or_else(|| panic!("{code} in {r}"))
}

#[tokio::test]
async fn the_star_rating_is_computed_and_awarded_as_computed() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let safety = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let year = today().year();
    let path = format!("/api/v1/schools/{s001}/star-rating?year={year}");
    let r = app.get(&path, Some(&safety)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let before = r.json();
    assert_eq!(before["criteria"].as_array().unwrap().len(), 6);
    let unmet = before["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["met"] == false)
        .count() as i64;
    let stars = if before["veto"] == true {
        0
    } else {
        (5 - unmet).max(0)
    };
    assert_eq!(before["stars"], stars, "{before}");
    for c in before["criteria"].as_array().unwrap() {
        assert_eq!(c["met"], c["count"] == 0, "{c}");
    }

    // An action that ended without the school's result fails the governance criterion.
    let r = launch(
        &app,
        &officer,
        json!({"kind": "special", "title": "防溺水专项", "starts_on": today() - Duration::days(5),
            "ends_on": today(), "checklist": ["河塘巡查"], "school_ids": [s001]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let r = app.get(&path, Some(&safety)).await.json();
    let g = criterion(&r, "governance");
    assert_eq!(g["met"], false);
    assert_eq!(
        g["count"].as_i64().unwrap(),
        criterion(&before, "governance")["count"].as_i64().unwrap() + 1
    );
    let rep = result(&app, &safety, id, json!({"checks": [true]})).await;
    assert_eq!(rep.status, StatusCode::CREATED, "{}", rep.text());
    let r = app.get(&path, Some(&safety)).await.json();
    assert_eq!(
        criterion(&r, "governance"),
        criterion(&before, "governance")
    );

    // A faulty device of the register fails the security criterion by one more shortfall
    // (or names it among the others).
    let add = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/security-equipment"),
            Some(&safety),
            &json!({"kind": "other", "name": "防爆盾", "working": false}),
        )
        .await;
    assert_eq!(add.status, StatusCode::CREATED, "{}", add.text());
    let gaps = add.json()["gaps"].as_array().unwrap().len() as i64;
    let r = app.get(&path, Some(&safety)).await.json();
    assert_eq!(criterion(&r, "security")["count"], gaps);
    assert_eq!(criterion(&r, "security")["met"], false);

    // The bureau awards it as computed; the school cannot; every award is kept.
    let n001 = app.org_id("N001").await;
    let nanguan = app.login("nanguan.officer").await;
    let put = |t: String, body: Value| {
        let app = &app;
        let p = format!("/api/v1/schools/{s001}/star-rating");
        async move { app.json(Method::PUT, &p, Some(&t), &body).await }
    };
    expect(
        &put(safety.clone(), json!({"year": year})).await,
        403,
        "forbidden",
    );
    let r = put(officer.clone(), json!({"year": year, "note": "年度评定"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["awards"][0]["stars"], j["stars"]);
    assert_eq!(j["awards"][0]["criteria"], j["criteria"]);
    assert_eq!(j["awards"][0]["note"], "年度评定");
    let r = put(officer.clone(), json!({"year": year})).await;
    assert_eq!(r.json()["awards"].as_array().unwrap().len(), 2);
    let r = put(officer.clone(), json!({"year": year + 1})).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["year"]);
    let r = put(officer.clone(), json!({"year": year, "stars": 5})).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "stars are never typed"
    );
    // Out of scope: 404 for reading and awarding alike.
    expect(
        &app.get(
            &format!("/api/v1/schools/{n001}/star-rating"),
            Some(&officer),
        )
        .await,
        404,
        "not_found",
    );
    expect(&put(nanguan, json!({"year": year})).await, 404, "not_found");
    // The bureau's list: S001 with its computed stars and its latest award.
    let list = app
        .get(&format!("/api/v1/star-ratings?year={year}"), Some(&officer))
        .await
        .json();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["school"]["id"] == s001)
        .cloned()
        .expect("S001");
    assert_eq!(row["stars"], j["stars"]);
    assert_eq!(row["awarded"], j["stars"]);
    let stars: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["stars"].as_i64().unwrap())
        .collect();
    assert!(stars.windows(2).all(|w| w[0] <= w[1]), "fewest first");
    // Pages.
    let page = app
        .get(&format!("/schools/{s001}/star-rating"), Some(&officer))
        .await
        .text();
    assert!(page.contains("award-form") && page.contains("criterion-security"));
    let page = app.get("/star-ratings", Some(&officer)).await;
    assert_eq!(page.status, StatusCode::OK);
    let r = app
        .form(
            &format!("/schools/{s001}/star-rating"),
            Some(&officer),
            &[("year", &year.to_string()), ("note", "页面评定")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

#[tokio::test]
async fn the_demo_has_actions_with_results_registers_with_gaps_and_ratings() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let actions = app
        .get("/api/v1/governance-actions", Some(&officer))
        .await
        .json();
    let actions = actions.as_array().unwrap();
    assert!(!actions.is_empty(), "the spring action at least");
    assert!(
        actions
            .iter()
            .all(|a| !a["results"].as_array().unwrap().is_empty())
    );
    let roll = app
        .get("/api/v1/security-equipment", Some(&officer))
        .await
        .json();
    let schools = roll["schools"].as_array().unwrap();
    let with_gaps = schools
        .iter()
        .filter(|s| !s["gaps"].as_array().unwrap().is_empty())
        .count();
    assert!(with_gaps > 0 && with_gaps < schools.len(), "{with_gaps}");
    let started = std::time::Instant::now();
    let ratings = app.get("/api/v1/star-ratings", Some(&officer)).await;
    assert_eq!(ratings.status, StatusCode::OK, "{}", ratings.text());
    let ratings = ratings.json();
    assert_eq!(ratings.as_array().unwrap().len(), schools.len());
    eprintln!(
        "star ratings of {} schools in {:?}",
        schools.len(),
        started.elapsed()
    );
}
