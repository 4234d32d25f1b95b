//! The access matrix: every registered route × every demo account (and anonymous) × object
//! positions {S001, S002 (same district as S001), N001 (other district), a nonexistent id}.
//! The expected answer is computed from the policy table and each account's scope; the test
//! fails on any mismatch, on a route without a policy row, and on any refused write that
//! changed data.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use safecampus::domain::Code;
use safecampus::domain::role::Role;
use safecampus::policy::{self, Action};
use safecampus::web::routes::RouteInfo;
use safecampus::xlsx::{Cell, write_sheet};
use serde_json::{Value, json};
use std::collections::HashMap;

const NONEXISTENT: i64 = 987_654;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MULTIPART: &str = "multipart/form-data; boundary=----matrix-boundary";

/// A tiny valid PNG.
fn tiny_png() -> Vec<u8> {
    use image::ImageEncoder;
    let img = image::RgbImage::from_pixel(2, 2, image::Rgb([10, 120, 200]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), 2, 2, image::ExtendedColorType::Rgb8)
        .expect("png");
    out
}

/// A multipart body with text fields and one `file` part (a tiny PNG).
fn multipart_png(fields: &[(&str, String)]) -> Vec<u8> {
    let b = "----matrix-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(&tiny_png());
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    body
}

/// What a route's `{id}` stands for.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Obj {
    School,
    Person,
    Zone,
    User,
    RiskPoint,
    CatalogItem,
    Inspection,
    Campaign,
    Cross,
    Hazard,
    File,
}

fn object_of(path: &str) -> Option<Obj> {
    if !path.contains("{id}") {
        return None;
    }
    Some(if path.contains("/files/{id}") {
        Obj::File
    } else if path.contains("/risk-points/{id}") {
        Obj::RiskPoint
    } else if path.contains("/inspections/{id}") {
        Obj::Inspection
    } else if path.contains("/campaigns/{id}") {
        Obj::Campaign
    } else if path.contains("/cross-assignments/{id}") || path.contains("/cross-inspections/{id}") {
        Obj::Cross
    } else if path.contains("/hazards/{id}") {
        Obj::Hazard
    } else if path.contains("catalog/items/{id}") {
        Obj::CatalogItem
    } else if path.contains("/people/{id}") {
        Obj::Person
    } else if path.contains("/zones/{id}") {
        Obj::Zone
    } else if path.contains("/users/{id}") {
        Obj::User
    } else {
        Obj::School
    })
}

/// Fixtures: ids of the objects at each position.
struct Fixture {
    schools: [i64; 3],
    /// People per school; index 0 is never removed.
    people: [Vec<i64>; 3],
    zones: [i64; 3],
    users: [i64; 3],
    points: [i64; 3],
    /// Catalogue items of 二道区 (positions 0 and 1) and 南关区 (position 2).
    items: [i64; 3],
    /// An inspection of each school (submitted by the city officer).
    inspections: [i64; 3],
    /// A campaign of the school's district targeting that school alone.
    campaigns: [i64; 3],
    /// A cross assignment targeting the school, whose inspector (from another school of the
    /// same district) is no demo account.
    crosses: [i64; 3],
    /// The inspector of `crosses[0]` (of S002), for the assignment route's body.
    inspector: i64,
    /// Hazards (reported, never moved on) per school.
    hazards: [i64; 3],
    /// An uploaded photo of each school.
    files: [i64; 3],
    district_of: HashMap<i64, &'static str>,
    next_person: [usize; 3],
    counter: u64,
}

impl Fixture {
    fn id(&mut self, obj: Obj, pos: usize, destructive: bool) -> i64 {
        if pos == 3 {
            return NONEXISTENT;
        }
        match obj {
            Obj::School => self.schools[pos],
            Obj::Zone => self.zones[pos],
            Obj::User => self.users[pos],
            Obj::RiskPoint => self.points[pos],
            Obj::CatalogItem => self.items[pos],
            Obj::Inspection => self.inspections[pos],
            Obj::Campaign => self.campaigns[pos],
            Obj::Cross => self.crosses[pos],
            Obj::Hazard => self.hazards[pos],
            Obj::File => self.files[pos],
            Obj::Person if destructive => {
                self.next_person[pos] += 1;
                self.people[pos][self.next_person[pos]]
            }
            Obj::Person => self.people[pos][0],
        }
    }
}

/// Whether the account sees the catalogue at `pos` (its own district's, or an ancestor's).
fn sees_catalog(role: Role, org: Option<&str>, pos: usize, fx: &Fixture) -> bool {
    if pos == 3 {
        return false;
    }
    if role.is_system() {
        return true;
    }
    let district = if pos == 2 { "NG" } else { "ED" };
    match org {
        Some("CC") => true,
        Some(d @ ("ED" | "NG")) => d == district,
        Some(code) => {
            let school = fx
                .schools
                .iter()
                .zip(["S001", "S002", "N001"])
                .find(|(_, c)| *c == code);
            school.is_some_and(|(id, _)| fx.district_of.get(id) == Some(&district))
        }
        None => false,
    }
}

/// Whether the account (role, org code) sees the school at `pos`.
fn in_scope(role: Role, org: Option<&str>, pos: usize, fx: &Fixture) -> bool {
    if pos == 3 {
        return false;
    }
    if role.is_system() {
        return true;
    }
    let school = fx.schools[pos];
    let code = ["S001", "S002", "N001"][pos];
    match org {
        Some("CC") => true,
        Some(d @ ("ED" | "NG")) => fx.district_of.get(&school) == Some(&d),
        Some(c) => c == code,
        None => false,
    }
}

fn workbook(headers: &[&str], row: Vec<Cell>) -> Vec<u8> {
    let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
    write_sheet("Sheet1", &h, &[row]).expect("xlsx")
}

/// A valid body for each write route, so that an allowed request really succeeds.
fn body_for(r: &RouteInfo, n: u64, fx: &Fixture) -> (Option<&'static str>, Vec<u8>) {
    let j = |v: Value| {
        (
            Some("application/json"),
            serde_json::to_vec(&v).expect("json"),
        )
    };
    let f = |pairs: &[(&str, String)]| {
        (
            Some("application/x-www-form-urlencoded"),
            serde_urlencoded::to_string(pairs)
                .expect("form")
                .into_bytes(),
        )
    };
    let s001 = fx.schools[0];
    match (r.method.as_str(), r.path) {
        ("POST", "/api/v1/orgs") => {
            j(json!({"code": format!("X{n}"), "name": "测试区", "kind": "district"}))
        }
        ("POST", "/api/v1/schools") => {
            j(json!({"code": format!("T{n}"), "name": "测试学校", "kind": "primary"}))
        }
        ("PATCH", "/api/v1/schools/{id}") => j(json!({"phone": "0431-88888888"})),
        ("POST", "/api/v1/schools/{id}/people") => {
            j(json!({"name": "测试人员", "post": "teacher"}))
        }
        ("PUT", "/api/v1/people/{id}") => {
            j(json!({"name": "测试人员", "post": "teacher", "phone": "13800000000"}))
        }
        ("POST", "/api/v1/schools/{id}/zones") => {
            j(json!({"code": format!("TZ{n}"), "name": "测试区域", "zone_type": "area"}))
        }
        ("PUT", "/api/v1/zones/{id}") => {
            j(json!({"code": format!("TU{n}"), "name": "测试区域", "zone_type": "area"}))
        }
        ("POST", "/api/v1/users") => j(
            json!({"username": format!("tu{n}"), "display_name": "测试", "password": "Test#Passw0rd9"}),
        ),
        ("POST", "/api/v1/users/{id}/account") => j(json!({"op": "unlock"})),
        ("PUT", "/api/v1/users/{id}/grant") => j(json!({"role": "staff", "org_id": s001})),
        ("POST", "/api/v1/schools/import") | ("POST", "/schools/import") => (
            Some(XLSX),
            workbook(
                &["代码", "名称", "类型"],
                vec![
                    Cell::Text("S001".into()),
                    Cell::Text("长春市二道区春华小学".into()),
                    Cell::Text("小学".into()),
                ],
            ),
        ),
        ("POST", "/api/v1/schools/{id}/people/import")
        | ("POST", "/schools/{id}/people/import") => (
            Some(XLSX),
            workbook(
                &["姓名", "岗位"],
                vec![Cell::Text(format!("导入{n}")), Cell::Text("教师".into())],
            ),
        ),
        ("POST", "/schools/new") => f(&[
            ("code", format!("H{n}")),
            ("name", "测试学校".into()),
            ("kind", "primary".into()),
        ]),
        ("POST", "/schools/{id}/edit") => {
            f(&[("name", "测试学校名称".into()), ("kind", "primary".into())])
        }
        ("POST", "/schools/{id}/people/new") | ("POST", "/people/{id}/edit") => {
            f(&[("name", "测试人员".into()), ("post", "teacher".into())])
        }
        ("POST", "/schools/{id}/zones/new") | ("POST", "/zones/{id}/edit") => f(&[
            ("code", format!("HZ{n}")),
            ("name", "测试区域".into()),
            ("zone_type", "area".into()),
        ]),
        ("POST", "/admin/users") => f(&[
            ("username", format!("hu{n}")),
            ("display_name", "测试".into()),
            ("password", "Test#Passw0rd9".into()),
        ]),
        ("POST", "/admin/users/{id}/account") => f(&[("op", "unlock".into())]),
        ("POST", "/admin/users/{id}/grant") => {
            f(&[("role", "staff".into()), ("org_id", s001.to_string())])
        }
        ("POST", "/account/password") => f(&[
            ("current", "wrong".into()),
            ("password", "x".into()),
            ("confirm", "y".into()),
        ]),
        ("POST", "/people/{id}/remove") | ("DELETE", _) => (None, vec![]),
        ("POST", "/api/v1/schools/{id}/zones/import") | ("POST", "/schools/{id}/zones/import") => (
            Some(XLSX),
            workbook(
                &["代码", "名称", "区域类型"],
                vec![
                    Cell::Text(format!("Q{n}")),
                    Cell::Text("测试区域".into()),
                    Cell::Text("区域".into()),
                ],
            ),
        ),
        ("POST", "/api/v1/risk-catalog/import") | ("POST", "/risk/catalog/import") => {
            (Some(XLSX), {
                let (entries, _) = safecampus::domain::catalog::parse_csv(
                    safecampus::domain::catalog::DEFAULT_CSV,
                )
                .expect("csv");
                let headers: Vec<&str> = safecampus::domain::catalog::COLUMNS.to_vec();
                workbook(
                    &headers,
                    entries[0].cells().into_iter().map(Cell::Text).collect(),
                )
            })
        }
        ("PUT", "/api/v1/risk-catalog/items/{id}") => j(json!({
            "aspect": "things", "category": "校舍安全", "point_type": "facility", "name": "教学楼楼梯间",
            "hazard_factors": "扶手松动", "default_l": 3, "default_e": 6, "default_c": 7,
            "measures": {"management": "每周检查", "emergency": "疏散"}, "check_items": "扶手牢固",
            "check_frequency": "weekly", "control_level": "department", "responsible_post": "safety_director"
        })),
        ("POST", "/risk/catalog/items/{id}") => f(&[
            ("aspect", "things".into()),
            ("category", "校舍安全".into()),
            ("point_type", "facility".into()),
            ("name", "教学楼楼梯间".into()),
            ("hazard_factors", "扶手松动".into()),
            ("default_l", "3".into()),
            ("default_e", "6".into()),
            ("default_c", "7".into()),
            ("m_management", "每周检查".into()),
            ("m_emergency", "疏散".into()),
            ("check_items", "扶手牢固".into()),
            ("check_frequency", "weekly".into()),
            ("control_level", "department".into()),
            ("responsible_post", "safety_director".into()),
        ]),
        ("POST", "/api/v1/risk/evaluate") => j(json!({"method": "LEC", "l": 3, "e": 6, "c": 7})),
        ("POST", "/api/v1/schools/{id}/risk-points") => j(json!({
            "code": format!("X{n}"), "name": "自有风险点", "aspect": "things", "category": "校舍安全",
            "hazard_factors": "墙皮脱落"
        })),
        ("POST", "/api/v1/schools/{id}/risk-points/instantiate")
        | ("POST", "/schools/{id}/risks/instantiate") => (None, vec![]),
        ("PATCH", "/api/v1/risk-points/{id}") => j(json!({"check_frequency": "weekly"})),
        ("POST", "/api/v1/risk-points/{id}/assessments") => {
            j(json!({"method": "LEC", "l": 3, "e": 6, "c": 7}))
        }
        ("POST", "/schools/{id}/risks/new") => f(&[
            ("code", format!("Y{n}")),
            ("name", "自有风险点".into()),
            ("aspect", "things".into()),
            ("category", "校舍安全".into()),
            ("point_type", "facility".into()),
            ("hazard_factors", "墙皮脱落".into()),
        ]),
        ("POST", "/risk-points/{id}/assess") => f(&[
            ("method", "LS".into()),
            ("ls_l", "2".into()),
            ("ls_s", "3".into()),
        ]),
        ("POST", "/risk-points/{id}/edit") => f(&[
            ("control_level", "school".into()),
            ("control_level_reason", "校级统一管控".into()),
        ]),
        ("POST", "/api/v1/schools/{id}/inspections") => {
            j(json!({"kind": "daily", "items": [{"label": "门卫值守", "result": "pass"}]}))
        }
        // Only the assigned inspector (no demo account) may submit: others who see it get 409.
        ("POST", "/api/v1/cross-assignments/{id}/inspection") => {
            j(json!({"kind": "cross", "items": [{"label": "互查", "result": "pass"}]}))
        }
        ("POST", "/api/v1/campaigns") => j(json!({
            "name": format!("专项检查{n}"), "kind": "special",
            "starts_on": "2026-01-01", "ends_on": "2030-12-31", "school_ids": []
        })),
        ("POST", "/api/v1/cross-assignments") => j(json!({
            "round_name": format!("互查{n}"), "starts_on": "2026-01-01", "ends_on": "2030-12-31",
            "pairs": [{"inspector_user_id": fx.inspector, "target_school_id": s001}]
        })),
        // The phone forms post multipart with photos.
        ("POST", "/schools/{id}/inspections/new") => (
            Some(MULTIPART),
            multipart_png(&[("kind", "daily".into()), ("rest", "pass".into())]),
        ),
        ("POST", "/risk-points/{id}/check") => {
            (Some(MULTIPART), multipart_png(&[("rest", "pass".into())]))
        }
        ("POST", "/cross-inspections/{id}/inspect") => f(&[("rest", "pass".into())]),
        ("POST", "/campaigns/new") => f(&[
            ("name", format!("专项{n}")),
            ("kind", "special".into()),
            ("starts_on", "2026-01-01".into()),
            ("ends_on", "2030-12-31".into()),
        ]),
        ("POST", "/cross-inspections/new") => f(&[
            ("round_name", format!("互查{n}")),
            ("starts_on", "2026-01-01".into()),
            ("ends_on", "2030-12-31".into()),
            ("inspector_0", fx.inspector.to_string()),
            ("target_0", s001.to_string()),
        ]),
        ("POST", "/api/v1/schools/{id}/hazards") => j(json!({
            "title": format!("隐患{n}"), "aspect": "things", "category": "校舍"
        })),
        ("POST", "/schools/{id}/hazards/new") => f(&[
            ("title", format!("隐患{n}")),
            ("aspect", "things".into()),
            ("category", "校舍".into()),
            ("source", "daily".into()),
        ]),
        // Closing a reported hazard is impossible (409) for everyone the policy lets act,
        // before any check of the person.
        ("POST", "/api/v1/hazards/{id}/actions") => j(json!({"action": "close"})),
        ("POST", "/hazards/{id}/actions") => f(&[("action", "close".into())]),
        ("POST", "/api/v1/inbox/read") => j(json!({"all": true})),
        ("POST", "/inbox/read") => f(&[("all", "1".into())]),
        // No school named: a school user's own school; a bureau user is asked for one (422).
        ("POST", "/api/v1/files") => (Some(MULTIPART), multipart_png(&[])),
        (m, p) => panic!("the access matrix has no body for {m} {p}: add one"),
    }
}

fn is_ok(s: StatusCode) -> bool {
    s.is_success()
        || s.is_redirection()
        || s == StatusCode::UNPROCESSABLE_ENTITY
        || s == StatusCode::CONFLICT
}

async fn fixture(app: &mut TestApp) -> Fixture {
    let codes = ["S001", "S002", "N001"];
    let mut schools = [0; 3];
    let mut district_of = HashMap::new();
    let t = app.login("city.officer").await;
    for (i, c) in codes.iter().enumerate() {
        schools[i] = app.org_id(c).await;
        let s = app
            .get(&format!("/api/v1/schools/{}", schools[i]), Some(&t))
            .await
            .json();
        let d = if s["district"]["code"] == "ED" {
            "ED"
        } else {
            "NG"
        };
        district_of.insert(schools[i], d);
    }
    let mut people: [Vec<i64>; 3] = Default::default();
    let mut zones = [0; 3];
    for i in 0..3 {
        let p = app
            .get(&format!("/api/v1/schools/{}/people", schools[i]), Some(&t))
            .await
            .json();
        people[i] = p
            .as_array()
            .expect("people")
            .iter()
            .filter_map(|x| x["id"].as_i64())
            .collect();
        let z = app
            .get(&format!("/api/v1/schools/{}/zones", schools[i]), Some(&t))
            .await
            .json();
        zones[i] = z[0]["id"].as_i64().expect("a zone");
    }
    // Target accounts for the user-administration routes, never used to sign in.
    let u = app.db.unsafe_unscoped();
    let mut users = [0; 3];
    for (i, c) in codes.iter().enumerate() {
        let name = format!("target.{}", c.to_lowercase());
        users[i] = u
            .create_user(&name, "目标账号", "Target#Passw0rd9", Role::Staff, Some(c))
            .await
            .expect("target user")
            .0;
    }
    let mut points = [0; 3];
    for i in 0..3 {
        let r = app
            .get(
                &format!("/api/v1/schools/{}/risk-points", schools[i]),
                Some(&t),
            )
            .await
            .json();
        points[i] = r["items"][0]["id"].as_i64().expect("a risk point");
    }
    let mut items = [0; 3];
    for (i, d) in ["ED", "ED", "NG"].iter().enumerate() {
        let org = app.org_id(d).await;
        let r = app
            .get(
                &format!("/api/v1/risk-catalog?org_id={org}&per_page=2"),
                Some(&t),
            )
            .await
            .json();
        items[i] = r["items"][i % 2]["id"].as_i64().expect("a catalogue item");
    }
    // Inspections, campaigns and cross assignments at each position.
    let mut inspections = [0; 3];
    for i in 0..3 {
        let r = app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{}/inspections", schools[i]),
                Some(&t),
                &json!({"kind": "daily", "items": [{"risk_point_id": points[i], "result": "pass"}]}),
            )
            .await;
        inspections[i] = r.json()["id"].as_i64().expect("an inspection");
    }
    let mut campaigns = [0; 3];
    for i in 0..3 {
        let district = app.org_id(if i == 2 { "NG" } else { "ED" }).await;
        let r = app
            .json(
                Method::POST,
                "/api/v1/campaigns",
                Some(&t),
                &json!({"name": format!("专项{i}"), "kind": "seasonal", "org_id": district,
                    "starts_on": "2026-01-01", "ends_on": "2030-12-31", "school_ids": [schools[i]]}),
            )
            .await;
        campaigns[i] = r.json()["id"].as_i64().expect("a campaign");
    }
    let mut inspectors = [0; 3];
    for (i, c) in ["S002", "S001", "N002"].iter().enumerate() {
        let name = format!("inspector.{}", c.to_lowercase());
        inspectors[i] = u
            .create_user(
                &name,
                "互查检查人",
                "Target#Passw0rd9",
                Role::Staff,
                Some(c),
            )
            .await
            .expect("inspector")
            .0;
    }
    let pairs: Vec<Value> = (0..3)
        .map(|i| json!({"inspector_user_id": inspectors[i], "target_school_id": schools[i]}))
        .collect();
    let r = app
        .json(
            Method::POST,
            "/api/v1/cross-assignments",
            Some(&t),
            &json!({"round_name": "互查", "starts_on": "2026-01-01", "ends_on": "2030-12-31", "pairs": pairs}),
        )
        .await;
    let mut crosses = [0; 3];
    for (i, a) in r.json().as_array().expect("assignments").iter().enumerate() {
        crosses[i] = a["id"].as_i64().expect("an assignment");
    }
    let mut hazards = [0; 3];
    for i in 0..3 {
        let r = app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{}/hazards", schools[i]),
                Some(&t),
                &json!({"title": "楼梯扶手松动", "aspect": "things", "category": "校舍"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        hazards[i] = r.json()["id"].as_i64().expect("a hazard");
    }
    let mut files = [0; 3];
    for i in 0..3 {
        let r = app
            .request(
                Method::POST,
                "/api/v1/files",
                Some(&t),
                Some(MULTIPART),
                multipart_png(&[("school_id", schools[i].to_string())]),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        files[i] = r.json()["id"].as_i64().expect("a file");
    }
    Fixture {
        files,
        schools,
        people,
        zones,
        users,
        points,
        items,
        inspections,
        campaigns,
        crosses,
        inspector: inspectors[0],
        hazards,
        district_of,
        next_person: [0; 3],
        counter: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_every_role_every_position() {
    let mut app = TestApp::new().await;
    let mut fx = fixture(&mut app).await;
    let routes = app.routes.clone();
    for r in &routes {
        assert!(
            policy::has_row(r.action),
            "{} {} has no row in the policy table",
            r.method,
            r.path
        );
    }
    let accounts = safecampus::demo::accounts();
    let mut tokens = Vec::new();
    for (u, role, org) in &accounts {
        tokens.push((Some(app.login(u).await), Some(*role), *org, u.clone()));
    }
    tokens.push((None, None, None, "anonymous".into()));

    let mut checked = 0;
    let mut mismatches = Vec::new();
    for r in routes.iter().filter(|r| r.action != Action::Public) {
        // Ending the session would sign the account out for the rest of the matrix;
        // sign-out is tested in http_auth.
        if r.path.ends_with("logout") {
            continue;
        }
        let obj = object_of(r.path);
        let positions: &[usize] = if obj.is_some() { &[0, 1, 2, 3] } else { &[0] };
        let write = r.method != Method::GET;
        let destructive = r.method == Method::DELETE || r.path.ends_with("/remove");
        for (token, role, org, name) in &tokens {
            for &pos in positions {
                let path = match obj {
                    Some(o) => r
                        .path
                        .replace("{id}", &fx.id(o, pos, destructive).to_string()),
                    None => r.path.to_string(),
                };
                fx.counter += 1;
                let (ct, body) = if write {
                    body_for(r, fx.counter, &fx)
                } else {
                    (None, vec![])
                };
                let expected: &str = match (role, obj) {
                    (None, _) => {
                        if r.path.starts_with("/api/") {
                            "401"
                        } else {
                            "login"
                        }
                    }
                    (Some(role), Some(Obj::CatalogItem)) => {
                        if !sees_catalog(*role, *org, pos, &fx) {
                            "404"
                        } else if !policy::allows(*role, r.action) {
                            "403"
                        } else {
                            "ok"
                        }
                    }
                    (Some(role), Some(Obj::User)) => {
                        if !policy::allows(*role, r.action) {
                            "403"
                        } else if pos == 3 {
                            "404"
                        } else {
                            "ok"
                        }
                    }
                    (Some(role), Some(_)) => {
                        if !in_scope(*role, *org, pos, &fx) {
                            "404"
                        } else if !policy::allows(*role, r.action) {
                            "403"
                        } else {
                            "ok"
                        }
                    }
                    (Some(role), None) => {
                        if policy::allows(*role, r.action) {
                            "ok"
                        } else {
                            "403"
                        }
                    }
                };
                let before = if write && expected != "ok" {
                    Some(app.fingerprint().await)
                } else {
                    None
                };
                let res = app
                    .request(r.method.clone(), &path, token.as_deref(), ct, body, &[])
                    .await;
                let got_ok = match expected {
                    "401" => res.status == StatusCode::UNAUTHORIZED,
                    "login" => {
                        res.status == StatusCode::SEE_OTHER
                            && res.header("location").starts_with("/login")
                    }
                    "403" => res.status == StatusCode::FORBIDDEN,
                    "404" => res.status == StatusCode::NOT_FOUND,
                    _ => is_ok(res.status),
                };
                checked += 1;
                if !got_ok {
                    mismatches.push(format!(
                        "{} {} as {name} (role {}) at position {pos}: expected {expected}, got {} {}",
                        r.method,
                        path,
                        role.map(|r| r.as_str()).unwrap_or("-"),
                        res.status,
                        res.text().chars().take(160).collect::<String>()
                    ));
                }
                if let Some(b) = before {
                    let after = app.fingerprint().await;
                    if b != after {
                        mismatches.push(format!(
                            "{} {path} as {name}: refused but data changed",
                            r.method
                        ));
                    }
                }
            }
        }
    }
    println!(
        "access matrix: {checked} requests checked, {} mismatches",
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        checked > 2000,
        "the matrix must cover every route ({checked})"
    );
}
