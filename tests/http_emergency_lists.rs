//! The emergency module's lists as .xlsx: a school's drills, the duty periods, a unit's
//! roster and a school's plans each download with the rows of their page or API, headers
//! from the catalogue (Chinese by default, English on request), a link on the page, and
//! another district's school (or a school that is not one of a period's units) not found.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate};
use common::{Resp, TestApp, expect};
use serde_json::{Value, json};

fn today() -> NaiveDate {
    safecampus::storage::risk_points::today()
}

/// The first sheet of an .xlsx answer (header row first), after checking it is one.
fn sheet(r: &Resp, file: &str) -> Vec<Vec<String>> {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.header("content-type").contains("spreadsheetml"));
    assert!(
        r.header("content-disposition").contains(file),
        "{}",
        r.header("content-disposition")
    );
    safecampus::xlsx::read_first_sheet(&r.body, &Default::default()).expect("xlsx")
}

async fn english(app: &TestApp, path: &str, t: &str) -> Vec<Vec<String>> {
    let r = app
        .request(
            Method::GET,
            path,
            Some(t),
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    safecampus::xlsx::read_first_sheet(&r.body, &Default::default()).expect("xlsx")
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x["id"].to_string())
        .collect()
}

#[tokio::test]
async fn a_schools_drills_export_with_the_rows_of_its_list() {
    let mut app = TestApp::new().await;
    let safety = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    // One held drill with known figures beside the demo's.
    let held = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/drills"),
            Some(&safety),
            &json!({"kind": "fire", "held": {"held_on": today(), "classes": 3,
                "expected": 120, "assembled": 118, "missing": 2,
                "signal_at": "10:00:00", "completed_at": "10:01:40"}}),
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.text());
    let held = held.json();
    let list = app
        .get(&format!("/api/v1/schools/{s001}/drills"), Some(&safety))
        .await
        .json();
    let path = format!("/api/v1/schools/{s001}/drills/export.xlsx");
    let rows = sheet(&app.get(&path, Some(&safety)).await, "drills-S001.xlsx");
    assert_eq!(rows[0][0], "编号");
    assert_eq!(rows[0][2], "演练类型");
    assert_eq!(rows.len(), list.as_array().unwrap().len() + 1);
    let listed: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(listed, ids(&list), "the list's drills in the list's order");
    let held_id = held["id"].to_string();
    let row = rows
        .iter()
        .find(|r| r[0] == held_id)
        .expect("the new drill");
    assert_eq!(row[1], today().to_string());
    assert_eq!(row[2], "消防疏散演练");
    assert_eq!(row[4], "已开展");
    assert_eq!(&row[7..11], ["120", "118", "2", "100"]);
    assert_eq!(row[11], held["target_seconds"].to_string());
    assert_eq!(row[12], "是");
    let en = english(&app, &path, &safety).await;
    assert_eq!(en[0][2], "Kind of drill");
    // The bureau reads it too; another district's school is not found, for the school and
    // the bureau alike.
    let officer = app.login("bureau.officer").await;
    assert_eq!(
        sheet(&app.get(&path, Some(&officer)).await, "drills-S001.xlsx").len(),
        rows.len()
    );
    let n001 = app.org_id("N001").await;
    let other = format!("/api/v1/schools/{n001}/drills/export.xlsx");
    expect(&app.get(&other, Some(&safety)).await, 404, "not_found");
    expect(&app.get(&other, Some(&officer)).await, 404, "not_found");
    let s002 = app.org_id("S002").await;
    expect(
        &app.get(
            &format!("/api/v1/schools/{s002}/drills/export.xlsx"),
            Some(&safety),
        )
        .await,
        404,
        "not_found",
    );
    // The page links to it.
    let page = app
        .get(&format!("/schools/{s001}/drills"), Some(&safety))
        .await
        .text();
    assert!(page.contains(&format!("id=\"drills-export\" href=\"{path}\"")));
}

#[tokio::test]
async fn the_duty_periods_and_a_units_roster_export() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let safety = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let (first, last) = (today() + Duration::days(1), today() + Duration::days(3));
    let r = app
        .json(
            Method::POST,
            "/api/v1/duty-periods",
            Some(&officer),
            &json!({"name": "导出测试值班", "first": first, "last": last,
                "school_ids": [s001]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    // The periods: the bureau's list and the school's, each as its API answers.
    for t in [&officer, &safety] {
        let list = app.get("/api/v1/duty-periods", Some(t)).await.json();
        let rows = sheet(
            &app.get("/api/v1/duty-periods/export.xlsx", Some(t)).await,
            "duty-periods.xlsx",
        );
        assert_eq!(rows[0][1], "名称", "{:?}", rows[0]);
        let listed: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
        assert_eq!(listed, ids(&list));
        let row = rows.iter().find(|r| r[0] == id.to_string()).expect("new");
        assert_eq!(row[1], "导出测试值班");
        assert_eq!(row[3], first.to_string());
        assert_eq!(row[4], last.to_string());
        assert_eq!(row[6], "1");
    }
    let s002_safety = app.login("s002.safety").await;
    let theirs = sheet(
        &app.get("/api/v1/duty-periods/export.xlsx", Some(&s002_safety))
            .await,
        "duty-periods.xlsx",
    );
    assert!(
        theirs.iter().all(|r| r[0] != id.to_string()),
        "a period S002 does not report in is not in its export"
    );
    // A roster: the first day with a leader, the second without, the third uncovered.
    let officer_of = |d: NaiveDate| json!({"date": d, "officers": [{"name": "王值班", "phone": "13900001111"}, {"name": "赵值班", "phone": "13900003333"}], "duty_phone": "0431-88886666"});
    let mut d1 = officer_of(first);
    d1["leader"] = json!({"name": "李校长", "phone": "13900002222"});
    let days = json!([d1, officer_of(first + Duration::days(1)), officer_of(last)]);
    let put = app
        .json(
            Method::PUT,
            &format!("/api/v1/duty-periods/{id}/rosters/{s001}"),
            Some(&safety),
            &json!({"days": days}),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    let path = format!("/api/v1/duty-periods/{id}/rosters/{s001}/export.xlsx");
    let rows = sheet(
        &app.get(&path, Some(&officer)).await,
        &format!("duty-roster-{id}-S001.xlsx"),
    );
    assert_eq!(rows[0][..2], ["日期", "带班领导"]);
    assert_eq!(rows.len(), 4, "a header and a row per day of the period");
    assert_eq!(rows[1][0], first.to_string());
    assert_eq!(rows[1][1], "李校长");
    assert_eq!(rows[1][2], "13900002222");
    assert_eq!(rows[1][3], "王值班 13900001111\n赵值班 13900003333");
    assert_eq!(rows[1][4], "0431-88886666");
    assert!(rows[1].get(5).is_none_or(|g| g.is_empty()));
    assert_eq!(rows[2][1], "");
    assert_eq!(rows[2][5], "无带班领导");
    let en = english(&app, &path, &safety).await;
    assert_eq!(en[0][0], "Date");
    // Not one of the period's units, another district's school, another period: not found.
    for p in [
        format!("/api/v1/duty-periods/{id}/rosters/{s002}/export.xlsx"),
        format!(
            "/api/v1/duty-periods/{}/rosters/{s001}/export.xlsx",
            id + 10_000
        ),
    ] {
        expect(&app.get(&p, Some(&officer)).await, 404, "not_found");
    }
    let ng_officer = app.login("nanguan.officer").await;
    expect(&app.get(&path, Some(&ng_officer)).await, 404, "not_found");
    expect(&app.get(&path, Some(&s002_safety)).await, 404, "not_found");
    // The pages link to them.
    let page = app.get("/duty", Some(&officer)).await.text();
    assert!(page.contains("id=\"periods-export\" href=\"/api/v1/duty-periods/export.xlsx\""));
    let page = app
        .get(&format!("/duty/{id}/rosters/{s001}"), Some(&officer))
        .await
        .text();
    assert!(page.contains(&format!("id=\"roster-export\" href=\"{path}\"")));
}

#[tokio::test]
async fn a_schools_plans_export_with_the_rows_of_its_page() {
    let mut app = TestApp::new().await;
    let safety = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let api = app
        .get(
            &format!("/api/v1/schools/{s001}/emergency-plans"),
            Some(&safety),
        )
        .await
        .json();
    let plans = &api["plans"];
    assert!(plans.as_array().unwrap().len() > 3, "the demo has plans");
    let path = format!("/api/v1/schools/{s001}/emergency-plans/export.xlsx");
    let rows = sheet(
        &app.get(&path, Some(&safety)).await,
        "emergency-plans-S001.xlsx",
    );
    assert_eq!(rows[0][1], "预案名称", "{:?}", rows[0]);
    let listed: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(listed, ids(plans), "the page's plans in the page's order");
    for (row, p) in rows[1..].iter().zip(plans.as_array().unwrap()) {
        assert_eq!(row[1], p["title"].as_str().unwrap());
        assert_eq!(row[2], p["version_no"].to_string());
        let due = p["filing"]["due_on"].as_str().unwrap_or("");
        assert_eq!(row[7], due);
        let eval = p["evaluation_due"].as_str().unwrap_or("");
        assert_eq!(row[10], eval);
        assert_eq!(
            row[11],
            if p["evaluation_overdue"] == true {
                "是"
            } else {
                "否"
            }
        );
    }
    assert!(
        rows.iter().any(|r| r[5] == "已备案" || r[5] == "施行中"),
        "{rows:?}"
    );
    let en = english(&app, &path, &safety).await;
    assert_eq!(en[0][1], "Title", "{:?}", en[0]);
    let n001 = app.org_id("N001").await;
    let officer = app.login("bureau.officer").await;
    expect(
        &app.get(
            &format!("/api/v1/schools/{n001}/emergency-plans/export.xlsx"),
            Some(&officer),
        )
        .await,
        404,
        "not_found",
    );
    let page = app
        .get(&format!("/schools/{s001}/emergency-plans"), Some(&safety))
        .await
        .text();
    assert!(page.contains(&format!("id=\"plans-export\" href=\"{path}\"")));
}
