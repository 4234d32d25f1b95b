//! Campus zones as .xlsx: export, round trip, row-by-row refusal, scope.

mod common;
use axum::http::Method;
use common::TestApp;
use safecampus::xlsx::{Cell, Limits, read_first_sheet, write_sheet};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn sheet(rows: &[&[&str]]) -> Vec<u8> {
    let headers: Vec<String> = rows[0].iter().map(|s| s.to_string()).collect();
    let data: Vec<Vec<Cell>> = rows[1..]
        .iter()
        .map(|r| r.iter().map(|c| Cell::Text(c.to_string())).collect())
        .collect();
    write_sheet("区域", &headers, &data).expect("xlsx")
}

#[tokio::test]
async fn zones_round_trip_and_refuse_bad_rows() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let export = app
        .get(
            &format!("/api/v1/schools/{s001}/zones/export.xlsx"),
            Some(&t),
        )
        .await;
    assert_eq!(export.status, 200);
    let rows = read_first_sheet(&export.body, &Limits::default()).expect("workbook");
    let zones = app
        .get(&format!("/api/v1/schools/{s001}/zones"), Some(&t))
        .await
        .json();
    let n = zones.as_array().expect("zones").len();
    assert_eq!(rows.len(), n + 1, "header + one row per zone");
    assert_eq!(rows[0][..3], ["代码", "名称", "区域类型"]);
    // The export imports back unchanged.
    let before = app.fingerprint().await;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/schools/{s001}/zones/import"),
            Some(&t),
            Some(XLSX),
            export.body.clone(),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["updated"], n);
    assert_eq!(r.json()["created"], 0);
    let after = app
        .get(&format!("/api/v1/schools/{s001}/zones"), Some(&t))
        .await
        .json();
    let strip = |v: &serde_json::Value| -> Vec<(String, String, String)> {
        v.as_array()
            .expect("zones")
            .iter()
            .map(|z| {
                (
                    z["code"].to_string(),
                    z["parent_id"].to_string(),
                    z["responsible_person_id"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        strip(&zones),
        strip(&after),
        "codes, parents and responsible persons survive"
    );
    assert_ne!(before, app.fingerprint().await, "the update is a write");

    // A file with errors changes nothing and names each row.
    let bad = sheet(&[
        &["代码", "名称", "区域类型", "上级区域", "责任人"],
        &["NEW1", "新教学楼", "建筑物", "", ""],
        &["NEW2", "新楼层", "楼层", "NOPE", ""],
        &["NEW1", "重复", "区域", "", ""],
        &["NEW3", "错误类型", "火箭发射场", "", ""],
        &["NEW4", "无此人", "区域", "", "不存在的人"],
        &["NEW5", "自环", "区域", "NEW5", ""],
    ]);
    let before = app.fingerprint().await;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/schools/{s001}/zones/import"),
            Some(&t),
            Some(XLSX),
            bad,
            &[],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let errors: Vec<(u64, String)> = r.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().expect("row"),
                e["field"].as_str().expect("field").to_string(),
            )
        })
        .collect();
    for expected in [
        (3, "parent"),
        (4, "code"),
        (5, "zone_type"),
        (6, "responsible"),
        (7, "parent"),
    ] {
        assert!(
            errors.contains(&(expected.0, expected.1.to_string())),
            "{expected:?} in {errors:?}"
        );
    }
    assert_eq!(before, app.fingerprint().await, "nothing changed");

    // New zones with a parent from the same file are created.
    let good = sheet(&[
        &["code", "name", "zone_type", "parent", "x", "y", "w", "h"],
        &["NB1", "新教学楼", "building", "", "10", "10", "100", "80"],
        &["NB1F1", "新教学楼一层", "floor", "NB1", "", "", "", ""],
    ]);
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/schools/{s001}/zones/import"),
            Some(&t),
            Some(XLSX),
            good,
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["created"], 2);
    let after = app
        .get(&format!("/api/v1/schools/{s001}/zones"), Some(&t))
        .await
        .json();
    let nb1 = after
        .as_array()
        .expect("zones")
        .iter()
        .find(|z| z["code"] == "NB1")
        .expect("NB1");
    let f1 = after
        .as_array()
        .expect("zones")
        .iter()
        .find(|z| z["code"] == "NB1F1")
        .expect("NB1F1");
    assert_eq!(f1["parent_id"], nb1["id"]);
    assert_eq!(nb1["w"], 100);
}

#[tokio::test]
async fn zone_import_is_scoped() {
    let mut app = TestApp::new().await;
    let s002 = app.org_id("S002").await;
    let s001 = app.org_id("S001").await;
    let body = sheet(&[&["代码", "名称", "区域类型"], &["X1", "测试", "区域"]]);
    let t = app.login("s001.safety").await;
    let before = app.fingerprint().await;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/schools/{s002}/zones/import"),
            Some(&t),
            Some(XLSX),
            body.clone(),
            &[],
        )
        .await;
    assert_eq!(r.status, 404);
    let staff = app.login("s001.staff").await;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/schools/{s001}/zones/import"),
            Some(&staff),
            Some(XLSX),
            body,
            &[],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(before, app.fingerprint().await);
    let r = app
        .get(
            &format!("/api/v1/schools/{s002}/zones/export.xlsx"),
            Some(&t),
        )
        .await;
    assert_eq!(r.status, 404);
}
