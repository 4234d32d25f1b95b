//! A school bus route of S001 with riders imported from a sheet, as its people make one.

use super::TestApp;
use axum::http::{Method, StatusCode};
use safecampus::xlsx::{Cell, write_sheet};
use serde_json::json;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The riders' import sheet: name, class, stop, guardian, phone per row.
pub fn riders_xlsx(rows: &[[&str; 5]]) -> Vec<u8> {
    let headers: Vec<String> = ["学生姓名", "班级", "站点", "监护人", "电话"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| r.iter().map(|c| Cell::Text(c.to_string())).collect())
        .collect();
    write_sheet("riders", &headers, &rows).expect("a sheet")
}

/// A two-stop route of S001 (东站 → 学校) named `name`, made by its safety officer, with
/// `rows` imported by its principal (every row must be created); answers the route's id.
pub async fn route_with_riders(app: &mut TestApp, name: &str, rows: &[[&str; 5]]) -> i64 {
    let school = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/bus-routes"),
            Some(&t),
            &json!({"name": name, "stops": [
                {"name": "东站", "lat": 43.880, "lon": 125.300, "time": "07:00"},
                {"name": "学校", "lat": 43.880, "lon": 125.320, "time": "07:20"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let route = r.json()["id"].as_i64().expect("route id");
    let p = app.login("s001.principal").await;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/bus-routes/{route}/riders/import"),
            Some(&p),
            Some(XLSX),
            riders_xlsx(rows),
            &[],
        )
        .await;
    assert_eq!(r.json()["created"], rows.len(), "{}", r.text());
    route
}
