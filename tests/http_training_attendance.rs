//! Training attendance from .xlsx and yearly training per person (F-EDU-1): a school's
//! training takes the people of a sheet — every row checked against the school's people
//! register first (unknown, ambiguous, repeated names, unknown posts reported row by row,
//! nothing written) — and the compliance list names who of a group has not had the year's
//! training.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, expect};
use safecampus::xlsx::{Cell, write_sheet};
use serde_json::{Value, json};

fn sheet(rows: &[&[&str]]) -> Vec<u8> {
    let headers = vec!["姓名".to_string(), "岗位".to_string(), "电话".to_string()];
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| r.iter().map(|c| Cell::Text(c.to_string())).collect())
        .collect();
    write_sheet("签到", &headers, &rows).expect("xlsx")
}

async fn upload(app: &TestApp, t: &str, id: i64, bytes: Vec<u8>) -> common::Resp {
    app.request(
        Method::POST,
        &format!("/api/v1/trainings/{id}/attendance"),
        Some(t),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        bytes,
        &[],
    )
    .await
}

async fn person(app: &TestApp, t: &str, school: i64, name: &str, post: &str, phone: &str) -> i64 {
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/people"),
            Some(t),
            &json!({"name": name, "post": post, "phone": phone}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

async fn compliance(app: &TestApp, t: &str, school: i64, group: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/training-compliance?org_id={school}&group={group}"),
            Some(t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn attendance_imports_row_by_row_and_the_untrained_are_named() {
    let mut app = TestApp::new().await;
    let principal = app.login("s001.principal").await;
    let s001 = app.org_id("S001").await;
    let a = person(&app, &principal, s001, "培训甲", "guard", "13900000001").await;
    let b1 = person(&app, &principal, s001, "培训乙", "guard", "13900000002").await;
    let b2 = person(&app, &principal, s001, "培训乙", "cook", "13900000003").await;
    let c = person(&app, &principal, s001, "培训丙", "guard", "13900000004").await;
    let before = compliance(&app, &principal, s001, "guards").await;
    let untrained = |v: &Value| -> Vec<i64> {
        v["people"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["trained"] == false)
            .map(|p| p["person_id"].as_i64().unwrap())
            .collect()
    };
    for p in [a, b1, c] {
        assert!(untrained(&before).contains(&p), "{p} untrained at first");
    }
    assert!(
        !untrained(&before).contains(&b2),
        "a cook is not of the guards' group"
    );
    assert_eq!(before["untrained"], untrained(&before).len());
    let r = app
        .json(
            Method::POST,
            "/api/v1/trainings",
            Some(&principal),
            &json!({"org_id": s001, "group": "guards",
                "held_on": safecampus::storage::risk_points::today(),
                "topic": "保安业务培训", "hours": 2.0, "attendee_count": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();

    // Every bad row reported, nothing written.
    let bad = sheet(&[
        &["培训甲", "", ""],
        &["培训乙", "", ""],
        &["无此人", "", ""],
        &["培训甲", "保安", ""],
        &["培训丙", "飞行员", ""],
    ]);
    let r = upload(&app, &principal, id, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let errors: Vec<(i64, String)> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors.iter().map(|e| e.0).collect::<Vec<_>>(),
        [3, 4, 5, 6],
        "{errors:?}"
    );
    assert!(errors[0].1.contains("岗位或电话"), "{errors:?}");
    assert_eq!(
        untrained(&compliance(&app, &principal, s001, "guards").await).len(),
        before["untrained"].as_u64().unwrap() as usize
    );

    // The right sheet: the ambiguous name told apart by post (the label) or phone.
    let good = sheet(&[
        &["培训甲", "", ""],
        &["培训乙", "保安（门卫）", ""],
        &["", "", ""],
    ]);
    let r = upload(&app, &principal, id, good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["created"], 2);
    let again = sheet(&[&["培训乙", "", "13900000002"], &["培训丙", "", ""]]);
    let r = upload(&app, &principal, id, again).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        (r.json()["created"].clone(), r.json()["updated"].clone()),
        (json!(1), json!(1))
    );
    let t = app
        .get(
            &format!("/api/v1/trainings?org_id={s001}"),
            Some(&principal),
        )
        .await
        .json();
    let t = t
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .cloned()
        .unwrap();
    assert_eq!(t["person_ids"], json!([a, b1, c]));
    assert_eq!(t["attendee_count"], 3);
    let after = compliance(&app, &principal, s001, "guards").await;
    for p in [a, b1, c] {
        assert!(!untrained(&after).contains(&p), "{p} trained now");
    }
    let first = &after["people"][0];
    if after["untrained"].as_u64().unwrap() > 0 {
        assert_eq!(first["trained"], false, "the untrained first");
    }
    // Another group's list does not count a guards' training.
    let cooks = compliance(&app, &principal, s001, "cooks").await;
    assert!(untrained(&cooks).contains(&b2));

    // Scope and role: another school's training is not found, staff may not import.
    let n = app.login("n001.principal").await;
    expect(
        &upload(&app, &n, id, sheet(&[&["培训甲", "", ""]])).await,
        404,
        "not_found",
    );
    let staff = app.login("s001.staff").await;
    expect(
        &upload(&app, &staff, id, sheet(&[&["培训甲", "", ""]])).await,
        403,
        "forbidden",
    );
    let r = app
        .get(
            &format!("/api/v1/training-compliance?org_id={s001}&group=pilots"),
            Some(&principal),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let n001 = app.org_id("N001").await;
    expect(
        &app.get(
            &format!("/api/v1/training-compliance?org_id={n001}&group=guards"),
            Some(&principal),
        )
        .await,
        404,
        "not_found",
    );
    // The page, with the untrained count.
    let page = app
        .get(
            &format!("/trainings/compliance?org_id={s001}&group=guards"),
            Some(&principal),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("training-people"));
}
