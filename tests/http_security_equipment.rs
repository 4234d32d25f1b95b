//! The security register (item 16 of the work plan): a school registers its guards and
//! technical protection; the register is checked against the staffing and equipment rules
//! (domain.md §6) with every shortfall named; a fault is a shortfall until repaired; the
//! bureau's roll-up lists every school's shortfalls; other schools' registers are not found.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, expect, fields};
use serde_json::{Value, json};

fn codes(r: &Value) -> Vec<String> {
    r["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap().to_string())
        .collect()
}

async fn add(app: &TestApp, t: &str, school: i64, body: Value) -> common::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/schools/{school}/security-equipment"),
        Some(t),
        &body,
    )
    .await
}

#[tokio::test]
async fn a_register_is_checked_against_the_rules_and_each_shortfall_named() {
    let mut app = TestApp::new().await;
    let safety = app.login("s001.safety").await;
    let officer = app.login("bureau.officer").await;
    // A school of its own, so the demo's register does not count: 850 pupils, 60 staff.
    let ed = app.org_id("ED").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/schools",
            Some(&officer),
            &json!({"code": "SEC1", "name": "安防测试学校", "kind": "primary",
                "district_id": ed, "students": 850, "staff": 60}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let school = r.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/schools/{school}/security-equipment");
    let r = app.get(&path, Some(&officer)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let empty = r.json();
    assert_eq!(empty["people_on_campus"], 910);
    assert_eq!(empty["guards_required"], 2);
    assert_eq!(
        codes(&empty),
        [
            "guards_short",
            "no_one_key_alarm",
            "no_video",
            "no_perimeter",
            "no_anti_collision"
        ]
    );
    // Refused input: named fields, nothing written.
    let r = add(
        &app,
        &officer,
        school,
        json!({"kind": "one_key_alarm", "name": "", "retention_days": 30}),
    )
    .await;
    assert_eq!(
        fields(&expect(&r, 422, "invalid")),
        ["name", "retention_days"]
    );
    let r = add(
        &app,
        &officer,
        school,
        json!({"kind": "camera", "name": "东门", "licence": "X"}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["kind"]);
    let r = add(&app, &officer, school, json!({"kind": "tank", "name": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Guards: one without a licence, one over 60.
    let this_year = chrono::Datelike::year(&safecampus::storage::risk_points::today());
    for (name, licence, born) in [
        ("张保安", "", this_year - 40),
        ("李保安", "吉保 0002", this_year - 63),
    ] {
        let r = add(
            &app,
            &officer,
            school,
            json!({"kind": "guard", "name": name, "licence": licence, "birth_year": born}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    for body in [
        json!({"kind": "one_key_alarm", "name": "门卫室一键报警", "linked_police": false}),
        json!({"kind": "camera", "name": "校门摄像头", "quantity": 4, "retention_days": 15}),
    ] {
        let r = add(&app, &officer, school, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = add(
        &app,
        &officer,
        school,
        json!({"kind": "perimeter", "name": "围墙"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let reg = r.json();
    assert_eq!(reg["guards"], 2);
    assert_eq!(
        codes(&reg),
        [
            "guard_no_licence",
            "guard_over_age",
            "alarm_not_linked",
            "video_retention_short",
            "no_anti_collision"
        ]
    );
    let gap = |code: &str| {
        reg["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(gap("guard_no_licence")["names"], json!(["张保安"]));
    assert_eq!(gap("guard_over_age")["names"], json!(["李保安"]));
    assert_eq!(gap("video_retention_short")["names"], json!(["校门摄像头"]));
    assert_eq!(gap("video_retention_short")["need"], 30);
    // Entries registered by hand are no early-warning device: none listed with them.
    assert!(
        reg["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["devices"] == json!([]))
    );
    // Put right through PATCH and a new entry; then a fault appears and is named.
    let id_of = |name: &str| {
        reg["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .and_then(|e| e["id"].as_i64())
            .unwrap()
    };
    let patch = |id: i64, body: Value| {
        let app = &app;
        let t = officer.clone();
        async move {
            app.json(
                Method::PATCH,
                &format!("/api/v1/security-equipment/{id}"),
                Some(&t),
                &body,
            )
            .await
        }
    };
    for (name, body) in [
        ("张保安", json!({"licence": "吉保 0001"})),
        ("李保安", json!({"retired": true})),
        ("门卫室一键报警", json!({"linked_police": true})),
        ("校门摄像头", json!({"retention_days": 30})),
    ] {
        let r = patch(id_of(name), body).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.text());
    }
    expect(
        &patch(id_of("李保安"), json!({"working": true})).await,
        409,
        "conflict",
    );
    let r = patch(id_of("围墙"), json!({"retention_days": 30})).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["retention_days"]);
    for body in [
        json!({"kind": "guard", "name": "王保安", "licence": "吉保 0003"}),
        json!({"kind": "anti_collision", "name": "升降柱"}),
    ] {
        assert_eq!(
            add(&app, &officer, school, body).await.status,
            StatusCode::CREATED
        );
    }
    let reg = app.get(&path, Some(&officer)).await.json();
    assert!(codes(&reg).is_empty(), "{reg}");
    let r = patch(id_of("校门摄像头"), json!({"working": false}))
        .await
        .json();
    assert_eq!(codes(&r), ["not_working"]);
    assert_eq!(r["gaps"][0]["names"], json!(["校门摄像头"]));

    // The roll-up: the school among the district's, with its shortfall; another district's
    // node is not found.
    let roll = app
        .get(
            &format!("/api/v1/security-equipment?org_id={ed}"),
            Some(&officer),
        )
        .await
        .json();
    let row = roll["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["school"]["id"] == school)
        .cloned()
        .unwrap();
    assert_eq!(row["gaps"][0]["code"], "not_working");
    let counts: Vec<usize> = roll["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["gaps"].as_array().unwrap().len())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most first");
    let ng = app.org_id("NG").await;
    expect(
        &app.get(
            &format!("/api/v1/security-equipment?org_id={ng}"),
            Some(&officer),
        )
        .await,
        404,
        "not_found",
    );
    // Scope: S001's safety director cannot read or write another school's register.
    expect(&app.get(&path, Some(&safety)).await, 404, "not_found");
    expect(
        &add(
            &app,
            &safety,
            school,
            json!({"kind": "perimeter", "name": "x"}),
        )
        .await,
        404,
        "not_found",
    );
    let s001 = app.org_id("S001").await;
    let staff = app.login("s001.staff").await;
    expect(
        &add(
            &app,
            &staff,
            s001,
            json!({"kind": "perimeter", "name": "x"}),
        )
        .await,
        403,
        "forbidden",
    );
    // Pages: the register with its form, the roll-up; the form registers an entry.
    let page = app
        .get(
            &format!("/schools/{school}/security-equipment"),
            Some(&officer),
        )
        .await
        .text();
    assert!(page.contains("add-form") && page.contains("gap-not_working"));
    let r = app
        .form(
            &format!("/schools/{school}/security-equipment"),
            Some(&officer),
            &[("kind", "access_control"), ("name", "宿舍门禁")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .form(
            &format!("/schools/{school}/security-equipment"),
            Some(&officer),
            &[
                ("kind", "camera"),
                ("name", "操场"),
                ("retention_days", "三十"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = app.get("/security-equipment", Some(&officer)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("安防测试学校"));
}
