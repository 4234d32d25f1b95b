mod common;
use common::{expect, fields, msg};

// School risk registers over HTTP: every grade traced to a stored assessment, filters and
// counts, instantiation from the district catalogue by kind and features, LEC/LS/DIRECT
// assessments and the calculator, control levels, retiring, scope, the roll-ups, the
// four-colour and district maps, the QR code, the printable card, the register export, the
// pages in both languages and the assessment form with its session and CSRF token.
// "Nothing changed" is checked with the harness fingerprint and with a fingerprint of the risk
// tables, which the harness one does not cover.

use axum::http::{Method, StatusCode};
use common::{PASSWORD, Resp, TestApp};
use safecampus::config::Config;
use safecampus::domain::Code;
use safecampus::domain::catalog::{DEFAULT_CSV, Entry, parse_csv};
use safecampus::domain::org::SchoolKind;
use safecampus::xlsx::{Limits, read_first_sheet};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const NOT_FOUND: &str = "未找到该对象，或它不在您的管辖范围内。";
const RED: &str = "#E53935";

/// Today in China time, as the platform counts review dates.
fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn review_on(days: u64) -> String {
    (today() + chrono::Days::new(days)).to_string()
}

/// The fill of a grade on the maps (`null`: no assessed point).
fn fill(grade: &Value) -> &'static str {
    match grade.as_str() {
        Some("major") => RED,
        Some("significant") => "#FB8C00",
        Some("general") => "#FDD835",
        Some("low") => "#1E88E5",
        _ => "#ECEFF1",
    }
}

fn rank(grade: &Value) -> u8 {
    match grade.as_str() {
        Some("major") => 4,
        Some("significant") => 3,
        Some("general") => 2,
        Some("low") => 1,
        _ => 0,
    }
}

fn shipped() -> Vec<Entry> {
    let (entries, errors) = parse_csv(DEFAULT_CSV).expect("the catalogue file parses");
    assert!(errors.is_empty(), "{errors:?}");
    entries
}

/// Whether a school (its API view) has a catalogue feature (`bus`, `near_water` …).
fn has(school: &Value, feature: &str) -> bool {
    let f = &school["features"];
    f[feature]
        .as_bool()
        .or_else(|| f[format!("has_{feature}")].as_bool())
        .unwrap_or_else(|| panic!("unknown feature {feature}"))
}

/// The catalogue codes that apply to a school, by its kind and features.
fn applicable(school: &Value) -> BTreeSet<String> {
    let kind = SchoolKind::parse(school["kind"].as_str().unwrap()).expect("kind");
    shipped()
        .into_iter()
        .filter(|e| e.applies(kind, |f| has(school, f)))
        .map(|e| e.code)
        .collect()
}

/// A fingerprint of the risk tables (catalogues, entries, history, points, assessments).
async fn risk_fp(app: &TestApp) -> String {
    // The harness fingerprint covers the risk tables too.
    app.fingerprint().await
}

async fn fps(app: &TestApp) -> (String, String) {
    (app.fingerprint().await, risk_fp(app).await)
}

async fn send(app: &TestApp, m: Method, path: &str, t: &str, body: &Value) -> Resp {
    app.json(m, path, Some(t), body).await
}

/// A school's register (`query` as in the URL).
async fn register(app: &TestApp, t: &str, school: i64, query: &str) -> Value {
    let path = format!("/api/v1/schools/{school}/risk-points?{query}");
    let r = app.get(&path, Some(t)).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
    r.json()
}

fn items(reg: &Value) -> Vec<Value> {
    reg["items"].as_array().expect("items").clone()
}

fn ids_of(list: &[Value]) -> Vec<i64> {
    list.iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

async fn point(app: &TestApp, t: &str, id: i64) -> Value {
    let r = app.get(&format!("/api/v1/risk-points/{id}"), Some(t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// The id of a school's point by its code.
async fn point_id(app: &TestApp, t: &str, school: i64, code: &str) -> i64 {
    let reg = register(app, t, school, "status=all").await;
    let p = items(&reg).into_iter().find(|p| p["code"] == code);
    p.unwrap_or_else(|| panic!("{code} in the register"))["id"]
        .as_i64()
        .unwrap()
}

async fn assess(app: &TestApp, t: &str, id: i64, body: &Value) -> Resp {
    let path = format!("/api/v1/risk-points/{id}/assessments");
    send(app, Method::POST, &path, t, body).await
}

async fn school(app: &mut TestApp, id: i64) -> Value {
    let t = app.login("city.officer").await;
    let r = app.get(&format!("/api/v1/schools/{id}"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

async fn zones(app: &TestApp, t: &str, school: i64) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/schools/{school}/zones"), Some(t))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.json().as_array().unwrap().clone()
}

/// The counts by grade of a list of points.
fn tally(list: &[Value]) -> Value {
    let mut c: BTreeMap<&str, u64> = ["major", "significant", "general", "low", "unassessed"]
        .into_iter()
        .map(|g| (g, 0))
        .collect();
    for p in list {
        *c.get_mut(p["grade"].as_str().unwrap_or("unassessed"))
            .unwrap() += 1;
    }
    json!(c)
}

fn html_escape(s: &str) -> String {
    // As the templates escape: numeric character references.
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

// ---------------------------------------------------------------------------------------------
// Registers
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_grade_of_a_register_is_its_latest_stored_assessment() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("bureau.officer").await;
    let reg = register(&app, &t, s001, "").await;
    let list = items(&reg);
    assert!(list.len() > 200, "{}", list.len());
    assert_eq!(reg["total"], list.len() as u64);
    assert_eq!(reg["counts"], tally(&list));
    let c = &reg["counts"];
    let sum: u64 = ["major", "significant", "general", "low", "unassessed"]
        .iter()
        .map(|g| c[*g].as_u64().unwrap())
        .sum();
    assert_eq!(sum, list.len() as u64, "counts by grade sum to the total");
    // Highest grade first, then by code.
    let keys: Vec<(u8, String)> = list
        .iter()
        .map(|p| (4 - rank(&p["grade"]), p["code"].as_str().unwrap().into()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "sorted by grade, then code");

    for p in &list {
        let id = p["id"].as_i64().unwrap();
        let d = point(&app, &t, id).await;
        let a = d["assessments"].as_array().expect("assessments");
        assert!(!a.is_empty(), "{}: graded without an assessment", p["code"]);
        let latest = &a[0];
        assert_eq!(p["grade"], latest["grade"], "{}", p["code"]);
        assert_eq!(p["assessment_id"], latest["id"], "{}", p["code"]);
        assert_eq!(p["score"], latest["score"], "{}", p["code"]);
        assert_eq!(p["color"], latest["color"], "{}", p["code"]);
        assert_eq!(latest["risk_point_id"], id);
        let ids: Vec<i64> = a.iter().map(|x| x["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        // The register row is the point as the detail shows it.
        let mut row = d.clone();
        let obj = row.as_object_mut().unwrap();
        obj.remove("assessments");
        assert_eq!(obj.remove("school").unwrap()["code"], "S001");
        assert_eq!(&row, p, "{}", p["code"]);
    }
}

#[tokio::test]
async fn register_filters_narrow_the_list_and_counts_follow() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    // A point of the school's own: not assessed yet, so its review is due today.
    let body = json!({"code": "S001-OWN1", "name": "校园自建风险点", "aspect": "environment",
        "category": "自定义", "hazard_factors": "施工围挡", "check_items": "围挡完好"});
    let r = send(
        &app,
        Method::POST,
        &format!("/api/v1/schools/{s001}/risk-points"),
        &t,
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let own = r.json();
    assert_eq!(own["grade"], Value::Null);
    assert_eq!(own["next_review_on"], today().to_string());
    assert_eq!(own["review_due"], true);

    let all = items(&register(&app, &t, s001, "").await);
    let pick = |f: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        all.iter().filter(|p| f(p)).cloned().collect::<Vec<_>>()
    };
    let mut cases: Vec<(String, Vec<Value>)> = Vec::new();
    for a in ["people", "things", "management", "environment"] {
        cases.push((format!("aspect={a}"), pick(&|p| p["aspect"] == a)));
    }
    for g in ["major", "significant", "general", "low"] {
        cases.push((format!("grade={g}"), pick(&|p| p["grade"] == g)));
    }
    let zone_ids: BTreeSet<i64> = all.iter().filter_map(|p| p["zone_id"].as_i64()).collect();
    assert!(
        zone_ids.len() >= 5,
        "points are placed in zones: {zone_ids:?}"
    );
    for z in &zone_ids {
        cases.push((format!("zone_id={z}"), pick(&|p| p["zone_id"] == *z)));
    }
    let cats: BTreeSet<String> = all
        .iter()
        .map(|p| p["category"].as_str().unwrap().to_string())
        .collect();
    for c in &cats {
        let q = serde_urlencoded::to_string([("category", c)]).unwrap();
        cases.push((q, pick(&|p| p["category"] == c.as_str())));
    }
    let people: BTreeSet<i64> = all
        .iter()
        .filter_map(|p| p["responsible_person_id"].as_i64())
        .collect();
    assert!(!people.is_empty());
    for id in &people {
        cases.push((
            format!("responsible_person_id={id}"),
            pick(&|p| p["responsible_person_id"] == *id),
        ));
    }
    cases.push(("due=true".into(), pick(&|p| p["review_due"] == true)));
    cases.push((
        "aspect=things&grade=general".into(),
        pick(&|p| p["aspect"] == "things" && p["grade"] == "general"),
    ));
    cases.push(("status=active".into(), all.clone()));
    cases.push(("status=retired".into(), vec![]));
    cases.push(("zone_id=999999".into(), vec![]));
    for (q, want) in cases {
        let reg = register(&app, &t, s001, &q).await;
        let got = items(&reg);
        assert_eq!(ids_of(&got), ids_of(&want), "{q}");
        assert_eq!(reg["total"], want.len() as u64, "{q}");
        assert_eq!(reg["counts"], tally(&want), "{q}");
        let due = want.iter().filter(|p| p["review_due"] == true).count();
        assert_eq!(reg["review_due"], due as u64, "{q}");
    }
    let due = register(&app, &t, s001, "due=true").await;
    assert_eq!(ids_of(&items(&due)), [own["id"].as_i64().unwrap()]);
    assert_eq!(due["counts"]["unassessed"], 1);

    for (q, field) in [
        ("aspect=persons", Some("aspect")),
        ("grade=red", Some("grade")),
        ("status=gone", Some("status")),
        ("zone_id=abc", None),
        ("colour=red", None),
    ] {
        let r = app
            .get(&format!("/api/v1/schools/{s001}/risk-points?{q}"), Some(&t))
            .await;
        let j = expect(&r, 422, "invalid");
        if let Some(f) = field {
            assert_eq!(fields(&j), [f], "{q}");
        }
    }
}

#[tokio::test]
async fn registers_follow_the_schools_kind_and_features() {
    let mut app = TestApp::new().await;
    let file = shipped();
    let by_code: BTreeMap<&str, &Entry> = file.iter().map(|e| (e.code.as_str(), e)).collect();
    let t = app.login("bureau.officer").await;
    let kg_only = |e: &Entry| e.applies_to == [SchoolKind::Kindergarten];
    let lab = |e: &Entry| e.requires.iter().any(|f| f == "lab");
    let bus = |e: &Entry| e.requires.iter().any(|f| f == "bus");
    for code in ["S001", "S002", "S003"] {
        let id = app.org_id(code).await;
        let s = school(&mut app, id).await;
        let reg = register(&app, &t, id, "status=all").await;
        let got: BTreeSet<String> = items(&reg)
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            got,
            applicable(&s),
            "{code}: exactly the applicable catalogue points"
        );
        let entries: Vec<&Entry> = got.iter().map(|c| by_code[c.as_str()]).collect();
        let kg = entries.iter().filter(|e| kg_only(e)).count();
        let labs = entries.iter().filter(|e| lab(e)).count();
        let buses = entries.iter().filter(|e| bus(e)).count();
        match code {
            "S001" => {
                assert_eq!(s["kind"], "primary");
                assert_eq!(s["features"]["has_bus"], true);
                assert_eq!((kg, labs), (0, 0), "{code}");
                assert!(buses > 0, "{code}: the bus points");
            }
            "S002" => {
                assert_eq!(s["features"]["has_lab"], true);
                assert!(labs > 0 && kg == 0, "{code}: {labs} lab points");
            }
            _ => {
                assert_eq!(s["kind"], "kindergarten");
                assert_eq!(s["features"]["has_bus"], true);
                assert!(kg >= 5, "{code}: {kg} kindergarten points");
                assert_eq!(labs, 0, "{code}: no lab points");
                let lab_rooms = entries
                    .iter()
                    .filter(|e| e.category == "实验室安全")
                    .count();
                assert_eq!(lab_rooms, 0, "{code}: nothing of the lab category");
                assert!(buses > 0, "{code}: the bus points");
            }
        }
    }
}

#[tokio::test]
async fn instantiating_again_adds_nothing_and_never_duplicates() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let n = applicable(&school(&mut app, s001).await).len();
    let t = app.login("s001.safety").await;
    let path = format!("/api/v1/schools/{s001}/risk-points/instantiate");
    let want = json!({"added": 0, "existing": n, "not_applicable": 290 - n});

    let r = send(&app, Method::POST, &path, &t, &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json(), want, "the demo register is complete");

    let first = items(&register(&app, &t, s001, "").await)[0].clone();
    let id = first["id"].as_i64().unwrap();
    let patch = json!({"retired": true, "retired_reason": "该设施已拆除"});
    let r = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/risk-points/{id}"),
        &t,
        &patch,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let r = send(&app, Method::POST, &path, &t, &json!({})).await;
    assert_eq!(r.json(), want, "a retired point is not added back");
    let all = items(&register(&app, &t, s001, "status=all").await);
    assert_eq!(all.len(), n);
    let codes: BTreeSet<&str> = all.iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), n, "no code twice");
    assert_eq!(register(&app, &t, s001, "").await["total"], n as u64 - 1);

    let a = app.login("auditadmin").await;
    let log = app
        .get("/api/v1/audit?action=risk.instantiate", Some(&a))
        .await
        .json();
    assert_eq!(log["total"], 2);
    assert_eq!(log["items"][0]["detail"], format!("added=0 existing={n}"));
}

#[tokio::test]
async fn a_new_feature_brings_exactly_its_points() {
    let mut app = TestApp::new().await;
    let s002 = app.org_id("S002").await;
    let before = school(&mut app, s002).await;
    let old = applicable(&before);
    let t = app.login("s002.principal").await;
    let mut features = before["features"].clone();
    assert_eq!(features["has_bus"], false);
    features["has_bus"] = json!(true);
    let r = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/schools/{s002}"),
        &t,
        &json!({ "features": features }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let after = school(&mut app, s002).await;
    assert_eq!(after["features"], features);
    let new = applicable(&after);
    let added: BTreeSet<String> = new.difference(&old).cloned().collect();
    let file = shipped();
    let bus: BTreeSet<String> = file
        .iter()
        .filter(|e| e.requires.iter().any(|f| f == "bus"))
        .filter(|e| e.applies(SchoolKind::JuniorMiddle, |f| has(&after, f)))
        .map(|e| e.code.clone())
        .collect();
    assert!(!bus.is_empty());
    assert_eq!(
        added, bus,
        "turning the bus on makes exactly the bus points applicable"
    );
    assert!(old.is_subset(&new));

    let path = format!("/api/v1/schools/{s002}/risk-points/instantiate");
    let r = send(&app, Method::POST, &path, &t, &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let want =
        json!({"added": bus.len(), "existing": old.len(), "not_applicable": 290 - new.len()});
    assert_eq!(r.json(), want);

    let all = items(&register(&app, &t, s002, "status=all").await);
    let codes: BTreeSet<String> = all
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, new);
    for code in &bus {
        let p = all.iter().find(|p| p["code"] == code.as_str()).unwrap();
        let e = file.iter().find(|e| &e.code == code).unwrap();
        let (l, ex, c) = e.default_lec;
        let d = point(&app, &t, p["id"].as_i64().unwrap()).await;
        let a = d["assessments"].as_array().unwrap();
        assert_eq!(
            a.len(),
            1,
            "{code}: assessed once, with the catalogue default"
        );
        assert_eq!(a[0]["method"], "LEC");
        assert_eq!(a[0]["l"], l.as_f64());
        assert_eq!(a[0]["e"], ex.as_f64());
        assert_eq!(a[0]["c"], c.as_f64());
        let score = l.as_f64() * ex.as_f64() * c.as_f64();
        assert!(
            (a[0]["score"].as_f64().unwrap() - score).abs() < 1e-9,
            "{code}"
        );
        assert_eq!(d["grade"], a[0]["grade"]);
        assert!(d["catalog_item_id"].is_i64(), "{code}: from the catalogue");
    }
    let r = send(&app, Method::POST, &path, &t, &json!({})).await;
    assert_eq!(r.json()["added"], 0, "and only once");
}

#[tokio::test]
async fn points_are_added_from_the_catalogue_or_as_the_schools_own() {
    let mut app = TestApp::new().await;
    let (s001, s002) = (app.org_id("S001").await, app.org_id("S002").await);
    let t = app.login("s001.safety").await;
    let path = format!("/api/v1/schools/{s001}/risk-points");
    let own_zone = zones(&app, &t, s001).await[1]["id"].as_i64().unwrap();
    let b = app.login("bureau.officer").await;
    let other_zone = zones(&app, &b, s002).await[1]["id"].as_i64().unwrap();
    let before = fps(&app).await;
    // body | fields
    let refused = [
        (json!({"catalog_code": "R-E-002"}), vec!["code"]),
        (json!({"catalog_code": "R-NO-999"}), vec!["catalog_code"]),
        (
            json!({"code": "x", "name": "", "hazard_factors": ""}),
            vec!["code", "name", "category", "hazard_factors", "aspect"],
        ),
        (
            json!({"code": "S001-OWN2", "name": "某点", "aspect": "things", "category": "自定义",
                   "hazard_factors": "某因素", "zone_id": other_zone}),
            vec!["zone_id"],
        ),
    ];
    for (body, want) in refused {
        let r = send(&app, Method::POST, &path, &t, &body).await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(fields(&j), want, "{body}");
        assert_eq!(fps(&app).await, before, "{body}");
    }
    // A catalogue point the school does not have yet (a kindergarten point).
    let kg = shipped()
        .into_iter()
        .find(|e| e.applies_to == [SchoolKind::Kindergarten])
        .unwrap();
    let r = send(
        &app,
        Method::POST,
        &path,
        &t,
        &json!({"catalog_code": kg.code, "zone_id": own_zone}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!(p["code"], kg.code.as_str());
    assert_eq!(p["name"], kg.name.as_str());
    assert_eq!(p["zone_id"], own_zone);
    assert_eq!(p["assessments"].as_array().unwrap().len(), 1);
    assert_eq!(p["assessment_id"], p["assessments"][0]["id"]);

    let own = json!({"code": "S001-OWN2", "name": "校门外临时施工", "aspect": "environment",
        "category": "自定义", "point_type": "activity", "hazard_factors": "施工车辆进出；围挡不牢",
        "measures": {"management": "专人看护", "emergency": "立即疏散"}, "zone_id": own_zone});
    let r = send(&app, Method::POST, &path, &t, &own).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!(
        (&p["code"], &p["catalog_item_id"], &p["grade"], &p["status"]),
        (
            &json!("S001-OWN2"),
            &Value::Null,
            &Value::Null,
            &json!("active")
        )
    );
    assert_eq!(p["assessments"], json!([]));
    let r = send(&app, Method::POST, &path, &t, &own).await;
    assert_eq!(
        fields(&expect(&r, 422, "invalid")),
        ["code"],
        "a code once per school"
    );
}

// ---------------------------------------------------------------------------------------------
// Assessments
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn assessments_grade_the_point_and_the_calculator_agrees() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let id = point_id(&app, &t, s001, "R-P-001").await;
    let staff = app.login("s001.staff").await;
    // body | score | grade | colour | raw band | band set | control level | review days
    let cases = [
        r#"{"method":"LEC","l":6,"e":6,"c":7}|252|significant|orange|high|-|school|90"#,
        r#"{"method":"LS","l":4,"s":4}|16|significant|orange|-|A|school|90"#,
        r#"{"method":"LS","l":4,"s":4,"band_set":"B"}|16|significant|orange|-|B|school|90"#,
        r#"{"method":"LS","l":2,"s":4,"band_set":"B"}|8|general|yellow|-|B|department|180"#,
        r#"{"method":"LS","l":2,"s":4}|8|low|blue|-|A|post|365"#,
        r#"{"method":"LS","l":3,"s":3,"band_set":"C"}|9|general|yellow|-|C|department|180"#,
        r#"{"method":"LS","l":5,"s":4}|20|major|red|-|A|bureau|30"#,
        r#"{"method":"LEC","l":1,"e":10,"c":7}|70|general|yellow|notable|-|department|180"#,
        r#"{"method":"LEC","l":0.5,"e":1,"c":40}|20|low|blue|attention|-|post|365"#,
        r#"{"method":"LEC","l":0.1,"e":0.5,"c":1}|0.05|low|blue|acceptable|-|post|365"#,
        r#"{"method":"LEC","l":10,"e":10,"c":100}|10000|major|red|extreme|-|bureau|30"#,
        r#"{"method":"DIRECT","grade":"major","reason":"上级通报同类事故，提级管控"}|-|major|red|-|-|bureau|30"#,
        r#"{"method":"DIRECT","grade":"low","reason":"设施已拆除改造"}|-|low|blue|-|-|post|365"#,
    ];
    let opt = |s: &str| if s == "-" { Value::Null } else { json!(s) };
    let mut count = point(&app, &t, id).await["assessments"]
        .as_array()
        .unwrap()
        .len();
    for case in cases {
        let c: Vec<&str> = case.split('|').collect();
        let body: Value = serde_json::from_str(c[0]).unwrap();
        let score = match c[1] {
            "-" => Value::Null,
            n => json!(n.parse::<f64>().unwrap()),
        };
        let (grade, color, raw, band) = (c[2], c[3], opt(c[4]), opt(c[5]));
        let (level, days): (&str, u64) = (c[6], c[7].parse().unwrap());
        // The calculator: the same result, nothing stored, for any business role.
        let before = fps(&app).await;
        let r = send(&app, Method::POST, "/api/v1/risk/evaluate", &staff, &body).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text());
        let ev = r.json();
        let want = json!({"method": body["method"], "score": score, "grade": grade,
            "color": color, "raw_band": raw});
        assert_eq!(ev, want, "{body}");
        assert_eq!(
            fps(&app).await,
            before,
            "{body}: the calculator stores nothing"
        );
        assert_eq!(
            point(&app, &t, id).await["assessments"]
                .as_array()
                .unwrap()
                .len(),
            count
        );

        let r = assess(&app, &t, id, &body).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text());
        let a = r.json();
        count += 1;
        for k in ["method", "score", "grade", "color"] {
            assert_eq!(a[k], ev[k], "{body}: {k}");
        }
        assert_eq!(a["raw_band"], raw.as_str().unwrap_or(""), "{body}");
        assert_eq!(a["band_set"], band, "{body}");
        assert_eq!(a["risk_point_id"], id);
        assert!(a["assessed_by"].is_i64(), "{a}");
        assert!(!a["assessed_by_name"].as_str().unwrap().is_empty());
        match body["method"].as_str().unwrap() {
            "LEC" => {
                for k in ["l", "e", "c"] {
                    assert_eq!(a[k].as_f64(), body[k].as_f64(), "{body}: {k}");
                }
                assert_eq!(a["s"], Value::Null);
            }
            "LS" => {
                assert_eq!(a["l"].as_f64(), body["l"].as_f64());
                assert_eq!(a["s"].as_f64(), body["s"].as_f64());
                assert_eq!((&a["e"], &a["c"]), (&Value::Null, &Value::Null));
            }
            _ => assert_eq!(a["reason"], body["reason"]),
        }
        let p = point(&app, &t, id).await;
        assert_eq!(p["assessments"].as_array().unwrap().len(), count, "{body}");
        assert_eq!(p["assessments"][0], a, "{body}: stored as returned");
        assert_eq!(p["assessment_id"], a["id"], "{body}");
        assert_eq!(
            (&p["grade"], &p["color"], &p["score"]),
            (&json!(grade), &json!(color), &score),
            "{body}"
        );
        assert_eq!(
            p["control_level"], level,
            "{body}: the control level follows the grade"
        );
        assert_eq!(p["next_review_on"], review_on(days), "{body}");
        assert_eq!(p["review_due"], false);
    }
    let a = app.login("auditadmin").await;
    let log = app
        .get("/api/v1/audit?action=risk.assess", Some(&a))
        .await
        .json();
    assert_eq!(log["total"], 13);
    assert_eq!(log["items"][0]["username"], "s001.safety");
    assert_eq!(
        log["items"][0]["detail"],
        "method=DIRECT score=None grade=low"
    );
}

#[tokio::test]
async fn invalid_assessments_are_refused_naming_the_field_and_store_nothing() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    let id = point_id(&app, &t, s001, "R-E-002").await;
    let before_point = point(&app, &t, id).await;
    // body | field ("-": refused by the JSON reader) | a piece of the message
    let long = format!(
        r#"{{"method":"DIRECT","grade":"major","reason":"{}"}}|reason|500"#,
        "长".repeat(501)
    );
    let cases = [
        r#"{"method":"LEC","l":4,"e":6,"c":7}|l|10、6、3、1、0.5、0.2、0.1"#,
        r#"{"method":"LEC","l":6,"e":7,"c":7}|e|10、6、3、2、1、0.5"#,
        r#"{"method":"LEC","l":6,"e":6,"c":50}|c|100、40、15、7、3、1"#,
        r#"{"method":"LEC","l":0,"e":6,"c":7}|l|L（事故发生的可能性）"#,
        r#"{"method":"LEC","l":6.05,"e":6,"c":7}|l|L（事故发生的可能性）"#,
        r#"{"method":"LS","l":6,"s":4}|l|1 到 5 的整数"#,
        r#"{"method":"LS","l":4,"s":0}|s|1 到 5 的整数"#,
        r#"{"method":"DIRECT","grade":"major","reason":""}|reason|直接评定须填写理由"#,
        r#"{"method":"DIRECT","grade":"major","reason":"   "}|reason|直接评定须填写理由"#,
        long.as_str(),
        r#"{"method":"DIRECT","grade":"major"}|-|"#,
        r#"{"method":"DIRECT","grade":"red","reason":"x"}|-|"#,
        r#"{"method":"LS","l":4,"s":4,"band_set":"D"}|-|"#,
        r#"{"method":"LS","l":300,"s":4}|-|"#,
        r#"{"method":"LEC","l":6,"e":6}|-|"#,
        r#"{"method":"LEC","l":6,"e":6,"c":7,"s":1}|-|"#,
        r#"{"method":"AHP","l":6}|-|"#,
    ];
    let before = fps(&app).await;
    for case in cases {
        let c: Vec<&str> = case.split('|').collect();
        let body: Value = serde_json::from_str(c[0]).unwrap();
        let (field, piece) = (Some(c[1]).filter(|f| *f != "-"), c[2]);
        for path in [
            format!("/api/v1/risk-points/{id}/assessments"),
            "/api/v1/risk/evaluate".to_string(),
        ] {
            let r = send(&app, Method::POST, &path, &t, &body).await;
            let j = expect(&r, 422, "invalid");
            if let Some(f) = field {
                assert_eq!(fields(&j), [f], "{path} {body}");
                assert!(msg(&j).contains(piece), "{body}: {}", msg(&j));
            }
            assert_eq!(fps(&app).await, before, "{body}: nothing stored");
        }
    }
    assert_eq!(
        point(&app, &t, id).await,
        before_point,
        "the point is as it was"
    );
}

#[tokio::test]
async fn the_control_level_follows_the_grade_unless_set_with_a_reason() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    let id = point_id(&app, &t, s001, "R-P-001").await;
    let path = format!("/api/v1/risk-points/{id}");
    let r = assess(&app, &t, id, &json!({"method": "LS", "l": 5, "s": 5})).await;
    assert_eq!(r.json()["grade"], "major");
    assert_eq!(point(&app, &t, id).await["control_level"], "bureau");

    let before = (fps(&app).await, point(&app, &t, id).await);
    for body in [
        json!({"control_level": "school"}),
        json!({"control_level": "school", "control_level_reason": "  "}),
    ] {
        let r = send(&app, Method::PATCH, &path, &t, &body).await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(fields(&j), ["control_level_reason"]);
        assert!(msg(&j).contains("须说明理由"), "{}", msg(&j));
        assert_eq!((fps(&app).await, point(&app, &t, id).await), before);
    }
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &t,
        &json!({"control_level": "city"}),
    )
    .await;
    expect(&r, 422, "invalid");

    let reason = "已上报区教育局，由学校自行管控";
    let body = json!({"control_level": "school", "control_level_reason": reason});
    let r = send(&app, Method::PATCH, &path, &t, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!(
        (&p["control_level"], &p["control_level_reason"]),
        (&json!("school"), &json!(reason))
    );
    assert_eq!(p["grade"], "major", "the grade stays");
    // A new grade does not override a level set by hand.
    assess(&app, &t, id, &json!({"method": "LS", "l": 1, "s": 2})).await;
    let p = point(&app, &t, id).await;
    assert_eq!(
        (&p["grade"], &p["control_level"]),
        (&json!("low"), &json!("school"))
    );
    // Back to the grade's default level: no reason needed, the old one is cleared…
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &t,
        &json!({"control_level": "post"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!(
        (&p["control_level"], &p["control_level_reason"]),
        (&json!("post"), &json!(""))
    );
    // …and the level follows the grade again.
    assess(
        &app,
        &t,
        id,
        &json!({"method": "LEC", "l": 6, "e": 6, "c": 7}),
    )
    .await;
    assert_eq!(point(&app, &t, id).await["control_level"], "school");

    let a = app.login("auditadmin").await;
    let log = app
        .get("/api/v1/audit?action=risk.update", Some(&a))
        .await
        .json();
    assert_eq!(log["items"][0]["detail"], "changed=control_level");
    assert_eq!(log["total"], 2, "the refused patches wrote nothing");
}

#[tokio::test]
async fn a_retired_point_leaves_the_list_stays_in_history_and_cannot_be_assessed() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    let id = point_id(&app, &t, s001, "R-E-002").await;
    let path = format!("/api/v1/risk-points/{id}");
    let active = register(&app, &t, s001, "").await;
    let before = fps(&app).await;
    for body in [
        json!({"retired": true}),
        json!({"retired": true, "retired_reason": " "}),
    ] {
        let r = send(&app, Method::PATCH, &path, &t, &body).await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(fields(&j), ["retired_reason"]);
        assert_eq!(fps(&app).await, before);
    }
    let body = json!({"retired": true, "retired_reason": "校门改建，道路已封闭"});
    let r = send(&app, Method::PATCH, &path, &t, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!(
        (&p["status"], &p["retired_reason"]),
        (&json!("retired"), &json!("校门改建，道路已封闭"))
    );
    assert_eq!(p["grade"], "significant", "its last grade is kept");

    let now = register(&app, &t, s001, "").await;
    assert!(
        !ids_of(&items(&now)).contains(&id),
        "not in the default list"
    );
    assert_eq!(now["total"], active["total"].as_u64().unwrap() - 1);
    assert_eq!(
        now["counts"]["significant"],
        active["counts"]["significant"].as_u64().unwrap() - 1
    );
    let all = register(&app, &t, s001, "status=all").await;
    assert!(ids_of(&items(&all)).contains(&id), "kept with status=all");
    assert_eq!(all["total"], active["total"]);
    let retired = register(&app, &t, s001, "status=retired").await;
    assert_eq!(ids_of(&items(&retired)), [id]);

    let before = fps(&app).await;
    let r = assess(
        &app,
        &t,
        id,
        &json!({"method": "LEC", "l": 6, "e": 6, "c": 7}),
    )
    .await;
    let j = expect(&r, 409, "conflict");
    assert_eq!(msg(&j), "该风险点已停用，不能再评估。");
    assert_eq!(fps(&app).await, before);
    assert_eq!(
        point(&app, &t, id).await["assessments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Brought back, it is listed and assessable again.
    let r = send(&app, Method::PATCH, &path, &t, &json!({"retired": false})).await;
    assert_eq!(r.json()["status"], "active");
    let r = assess(
        &app,
        &t,
        id,
        &json!({"method": "LEC", "l": 6, "e": 6, "c": 7}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(register(&app, &t, s001, "").await["total"], active["total"]);
}

#[tokio::test]
async fn a_point_is_placed_in_the_schools_own_zones_with_its_own_people() {
    let mut app = TestApp::new().await;
    let (s001, s002) = (app.org_id("S001").await, app.org_id("S002").await);
    let t = app.login("s001.safety").await;
    let b = app.login("bureau.officer").await;
    let id = point_id(&app, &t, s001, "R-P-001").await;
    let path = format!("/api/v1/risk-points/{id}");
    let z = zones(&app, &t, s001).await[2].clone();
    let other_zone = zones(&app, &b, s002).await[0]["id"].clone();
    let person = |school: i64| {
        let app = &app;
        let b = b.clone();
        async move {
            let r = app
                .get(&format!("/api/v1/schools/{school}/people"), Some(&b))
                .await;
            r.json()[3].clone()
        }
    };
    let mine = person(s001).await;
    let theirs = person(s002).await;
    let before = (fps(&app).await, point(&app, &t, id).await);
    for (body, field) in [
        (json!({"zone_id": other_zone}), "zone_id"),
        (
            json!({"responsible_person_id": theirs["id"]}),
            "responsible_person_id",
        ),
        (json!({"zone_id": 999_999}), "zone_id"),
    ] {
        let r = send(&app, Method::PATCH, &path, &t, &body).await;
        assert_eq!(fields(&expect(&r, 422, "invalid")), [field], "{body}");
        assert_eq!((fps(&app).await, point(&app, &t, id).await), before);
    }
    let body = json!({"zone_id": z["id"], "responsible_person_id": mine["id"]});
    let r = send(&app, Method::PATCH, &path, &t, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!((&p["zone_id"], &p["zone_name"]), (&z["id"], &z["name"]));
    assert_eq!(
        (&p["responsible_person_id"], &p["responsible_name"]),
        (&mine["id"], &mine["name"])
    );
    let listed = register(&app, &t, s001, &format!("zone_id={}", z["id"])).await;
    assert!(ids_of(&items(&listed)).contains(&id));
    let r = send(&app, Method::PATCH, &path, &t, &json!({"zone_id": null})).await;
    assert_eq!(
        (&r.json()["zone_id"], &r.json()["zone_name"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(
        r.json()["responsible_person_id"],
        mine["id"],
        "absent fields stay"
    );
}

// ---------------------------------------------------------------------------------------------
// Scope and roles
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn another_schools_points_are_404_and_refused_writes_change_nothing() {
    let mut app = TestApp::new().await;
    let (s001, s002, n001) = (
        app.org_id("S001").await,
        app.org_id("S002").await,
        app.org_id("N001").await,
    );
    let b = app.login("bureau.officer").await;
    let p1 = point_id(&app, &b, s001, "R-E-002").await;
    let p2 = point_id(&app, &b, s002, "R-E-002").await;
    let nb = app.login("nanguan.officer").await;
    let pn = point_id(&app, &nb, n001, "R-E-002").await;
    let lec = json!({"method": "LEC", "l": 6, "e": 6, "c": 7});
    let patch = json!({"check_frequency": "weekly"});
    let none = json!({});
    let new = json!({"catalog_code": "R-P-001"});
    // method | path ({p}: the point, {s}: its school) | body
    let reqs = [
        "GET|/api/v1/risk-points/{p}|",
        "PATCH|/api/v1/risk-points/{p}|patch",
        "POST|/api/v1/risk-points/{p}/assessments|lec",
        "GET|/api/v1/risk-points/{p}/qr.svg|",
        "GET|/api/v1/schools/{s}/risk-points|",
        "POST|/api/v1/schools/{s}/risk-points|new",
        "POST|/api/v1/schools/{s}/risk-points/instantiate|none",
        "GET|/api/v1/schools/{s}/risk-points/export.xlsx|",
        "GET|/api/v1/schools/{s}/risk-map.svg|",
        "GET|/risk-points/{p}|",
        "GET|/risk-points/{p}/card|",
        "GET|/schools/{s}/risks|",
        "GET|/schools/{s}/risk-map|",
    ];
    let bodies = BTreeMap::from([
        ("patch", &patch),
        ("lec", &lec),
        ("new", &new),
        ("none", &none),
    ]);
    let before = fps(&app).await;
    for (user, p, s) in [
        ("s001.principal", p2, s002),
        ("s001.staff", p2, s002),
        ("s002.safety", p1, s001),
        ("nanguan.officer", p1, s001),
        ("bureau.officer", pn, n001),
        ("n001.principal", p2, s002),
    ] {
        let t = app.login(user).await;
        for req in reqs {
            let c: Vec<&str> = req.split('|').collect();
            let m: Method = c[0].parse().unwrap();
            let path = c[1]
                .replace("{p}", &p.to_string())
                .replace("{s}", &s.to_string());
            let r = match bodies.get(c[2]) {
                Some(b) => send(&app, m.clone(), &path, &t, b).await,
                None => {
                    app.request(m.clone(), &path, Some(&t), None, vec![], &[])
                        .await
                }
            };
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{user} {m} {path}: {}",
                r.text()
            );
            if path.starts_with("/api/") {
                assert_eq!(msg(&r.json()), NOT_FOUND, "{user} {m} {path}");
            } else {
                assert!(r.text().contains(NOT_FOUND), "{user} {path}");
            }
        }
        assert_eq!(fps(&app).await, before, "{user}: nothing changed");
    }
    // In scope but not allowed: 403, nothing changed; reading stays allowed.
    let writes = |p: i64, s: i64| -> Vec<(String, Value)> {
        vec![
            (format!("/api/v1/risk-points/{p}"), patch.clone()),
            (format!("/api/v1/schools/{s}/risk-points"), new.clone()),
            (
                format!("/api/v1/schools/{s}/risk-points/instantiate"),
                none.clone(),
            ),
        ]
    };
    for user in [
        "s001.staff",
        "s001.guard",
        "bureau.leader",
        "bureau.inspector",
    ] {
        let t = app.login(user).await;
        for (path, body) in writes(p1, s001) {
            let m = if path.ends_with(&p1.to_string()) {
                Method::PATCH
            } else {
                Method::POST
            };
            let r = send(&app, m, &path, &t, &body).await;
            expect(&r, 403, "forbidden");
        }
        let r = assess(&app, &t, p1, &lec).await;
        if user == "bureau.inspector" {
            assert_eq!(r.status, StatusCode::OK, "the inspector assesses");
            continue;
        }
        expect(&r, 403, "forbidden");
        assert_eq!(fps(&app).await, before, "{user}: nothing changed");
        let r = app
            .get(&format!("/api/v1/risk-points/{p1}"), Some(&t))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{user} reads");
    }
    for user in ["sysadmin", "auditadmin"] {
        let t = app.login(user).await;
        let r = app
            .get(&format!("/api/v1/risk-points/{p1}"), Some(&t))
            .await;
        expect(&r, 403, "forbidden");
    }
}

// ---------------------------------------------------------------------------------------------
// Seeing the risk
// ---------------------------------------------------------------------------------------------

fn sum_counts(rows: &[Value]) -> Value {
    let mut c: BTreeMap<&str, u64> = BTreeMap::new();
    for r in rows {
        for g in ["major", "significant", "general", "low", "unassessed"] {
            *c.entry(g).or_default() += r["counts"][g].as_u64().unwrap();
        }
    }
    json!(c)
}

fn check_row(r: &Value) {
    let c = &r["counts"];
    let sum: u64 = ["major", "significant", "general", "low", "unassessed"]
        .iter()
        .map(|g| c[*g].as_u64().unwrap())
        .sum();
    assert_eq!(
        r["total"], sum,
        "{}: counts sum to the total",
        r["org"]["code"]
    );
    let highest = ["major", "significant", "general", "low"]
        .into_iter()
        .find(|g| c[*g].as_u64().unwrap() > 0);
    assert_eq!(r["highest"], json!(highest), "{}", r["org"]["code"]);
}

#[tokio::test]
async fn the_roll_ups_count_every_school_and_district() {
    let mut app = TestApp::new().await;
    let (ed, ng, s001) = (
        app.org_id("ED").await,
        app.org_id("NG").await,
        app.org_id("S001").await,
    );
    let b = app.login("bureau.officer").await;
    let r = app.get("/api/v1/risk-summary", Some(&b)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rows = r.json().as_array().unwrap().clone();
    assert_eq!(rows.len(), 42);
    let schools = app.get("/api/v1/schools", Some(&b)).await.json();
    let want: BTreeSet<&str> = schools["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    let got: BTreeSet<&str> = rows
        .iter()
        .map(|r| r["org"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(got, want, "one row per school of the district");
    rows.iter().for_each(check_row);
    assert!(rows.iter().all(|r| r["total"].as_u64().unwrap() > 100));
    let s = rows.iter().find(|r| r["org"]["code"] == "S001").unwrap();
    let reg = register(&app, &b, s001, "").await;
    assert_eq!(
        s["counts"], reg["counts"],
        "the school's row is its register"
    );
    assert_eq!(s["total"], reg["total"]);
    assert!(
        rows.iter().any(|r| r["highest"] == "major"),
        "the demo has red schools"
    );

    let c = app.login("city.officer").await;
    let city = app.get("/api/v1/risk-summary", Some(&c)).await.json();
    let city = city.as_array().unwrap();
    let codes: Vec<&str> = city
        .iter()
        .map(|r| r["org"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ED", "NG"]);
    city.iter().for_each(check_row);
    assert_eq!(
        city[0]["counts"],
        sum_counts(&rows),
        "the district is its schools"
    );
    let n = app.login("nanguan.officer").await;
    let ng_rows = app.get("/api/v1/risk-summary", Some(&n)).await.json();
    assert_eq!(ng_rows.as_array().unwrap().len(), 2);
    assert_eq!(city[1]["counts"], sum_counts(ng_rows.as_array().unwrap()));
    let drill = app
        .get(&format!("/api/v1/risk-summary?org_id={ed}"), Some(&c))
        .await
        .json();
    assert_eq!(
        drill.as_array().unwrap(),
        &rows,
        "the city drills down to the district"
    );

    for (user, org) in [
        ("bureau.officer", ng),
        ("nanguan.officer", ed),
        ("s001.principal", ed),
    ] {
        let t = app.login(user).await;
        let r = app
            .get(&format!("/api/v1/risk-summary?org_id={org}"), Some(&t))
            .await;
        expect(&r, 404, "not_found");
    }
}

/// The fill of each zone rectangle of a campus map, by zone code.
fn zone_fills(svg: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in svg.split("<rect class=\"zone\"").skip(1) {
        let tag = &part[..part.find("/>").unwrap()];
        let attr = |name: &str| {
            let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            tag[at..at + tag[at..].find('"').unwrap()].to_string()
        };
        let prev = out.insert(attr("data-code"), attr("fill"));
        assert!(prev.is_none(), "one rectangle per zone");
    }
    out
}

/// The fill each zone must have: the highest current grade of the active points in the zone
/// and its descendants.
async fn expected_fills(app: &TestApp, t: &str, school: i64) -> BTreeMap<String, String> {
    let zs = zones(app, t, school).await;
    let points = items(&register(app, t, school, "").await);
    let mut out = BTreeMap::new();
    for z in &zs {
        if z["w"].as_i64().unwrap_or(0) <= 0 || z["h"].as_i64().unwrap_or(0) <= 0 {
            continue;
        }
        let mut tree = vec![z["id"].as_i64().unwrap()];
        let mut i = 0;
        while i < tree.len() {
            let cur = tree[i];
            tree.extend(
                zs.iter()
                    .filter(|c| c["parent_id"] == cur)
                    .map(|c| c["id"].as_i64().unwrap()),
            );
            i += 1;
        }
        let top = points
            .iter()
            .filter(|p| p["zone_id"].as_i64().is_some_and(|id| tree.contains(&id)))
            .map(|p| p["grade"].clone())
            .max_by_key(rank)
            .unwrap_or(Value::Null);
        out.insert(
            z["code"].as_str().unwrap().to_string(),
            fill(&top).to_string(),
        );
    }
    out
}

async fn campus_map(app: &TestApp, t: &str, school: i64) -> String {
    let r = app
        .get(&format!("/api/v1/schools/{school}/risk-map.svg"), Some(t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), "image/svg+xml; charset=utf-8");
    let svg = r.text();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{svg:.80}"
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    svg
}

#[tokio::test]
async fn the_four_colour_map_fills_each_zone_with_its_highest_grade() {
    let mut app = TestApp::new().await;
    let (s001, s003) = (app.org_id("S001").await, app.org_id("S003").await);
    let t = app.login("s001.safety").await;
    let b = app.login("bureau.officer").await;
    for (school, who) in [(s001, &t), (s003, &b)] {
        let svg = campus_map(&app, who, school).await;
        let want = expected_fills(&app, who, school).await;
        assert!(want.len() >= 8, "{want:?}");
        assert_eq!(zone_fills(&svg), want);
        for label in ["重大风险", "较大风险", "一般风险", "低风险"] {
            assert!(svg.contains(label), "legend: {label}");
        }
    }
    let before = expected_fills(&app, &t, s001).await;
    assert!(
        !before.values().any(|f| f == RED),
        "no red zone in S001 yet"
    );

    // A major point on a floor colours the floor and its building red.
    let zs = zones(&app, &t, s001).await;
    let floor = zs.iter().find(|z| z["parent_id"].is_i64()).unwrap().clone();
    let building = zs
        .iter()
        .find(|z| z["id"] == floor["parent_id"])
        .unwrap()
        .clone();
    let id = point_id(&app, &t, s001, "R-P-002").await;
    let path = format!("/api/v1/risk-points/{id}");
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &t,
        &json!({"zone_id": floor["id"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let direct = json!({"method": "DIRECT", "grade": "major", "reason": "护栏松动，尚未整改"});
    assert_eq!(assess(&app, &t, id, &direct).await.status, StatusCode::OK);
    let fills = zone_fills(&campus_map(&app, &t, s001).await);
    assert_eq!(fills, expected_fills(&app, &t, s001).await);
    let code = |z: &Value| z["code"].as_str().unwrap().to_string();
    assert_eq!(fills[&code(&floor)], RED, "the floor holding a major point");
    assert_eq!(fills[&code(&building)], RED, "its building covers it");
    let red: Vec<&String> = fills
        .iter()
        .filter(|(_, f)| *f == RED)
        .map(|(c, _)| c)
        .collect();
    assert_eq!(red.len(), 2, "{red:?}");

    // The district map counts the major point in S001's tooltip, its colour its risk index's.
    let map = app.get("/api/v1/risk-map.svg", Some(&b)).await.text();
    assert_eq!(
        school_fills(&map)["S001"],
        index_fills(&app, &b, "").await["S001"]
    );
    let major = items(&register(&app, &t, s001, "grade=major").await).len();
    let group = &map[map.find("data-code=\"S001\"").unwrap()..];
    assert!(
        group[..group.find("</title>").unwrap()].contains(&format!("风险点：重大 {major}、")),
        "{group:.400}"
    );

    // Retired, the point no longer colours the map.
    let body = json!({"retired": true, "retired_reason": "护栏已更换"});
    assert_eq!(
        send(&app, Method::PATCH, &path, &t, &body).await.status,
        StatusCode::OK
    );
    let fills = zone_fills(&campus_map(&app, &t, s001).await);
    assert_eq!(fills, expected_fills(&app, &t, s001).await);
    assert_ne!(fills[&code(&building)], RED);
}

/// The marker fill of each school (or district) of a district map, by code.
fn school_fills(svg: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in svg.split("<g class=\"school\" data-code=\"").skip(1) {
        let code = &part[..part.find('"').unwrap()];
        let marker = &part[part.find("class=\"marker\"").expect("a marker")..];
        let at = marker.find(" fill=\"").unwrap() + 7;
        let f = &marker[at..at + marker[at..].find('"').unwrap()];
        assert!(
            out.insert(code.to_string(), f.to_string()).is_none(),
            "{code} twice"
        );
    }
    out
}

/// The fill of a risk index level (red from 75, orange from 50, yellow from 25, else blue).
fn level_fill(level: &Value) -> &'static str {
    match level.as_str() {
        Some("red") => RED,
        Some("orange") => "#FB8C00",
        Some("yellow") => "#FDD835",
        Some("blue") => "#1E88E5",
        other => panic!("a level: {other:?}"),
    }
}

/// Each school's colour by its risk index band (`/api/v1/risk-index?<q>`), by code.
async fn index_fills(app: &TestApp, t: &str, q: &str) -> BTreeMap<String, String> {
    let list = app
        .get(&format!("/api/v1/risk-index?{q}"), Some(t))
        .await
        .json();
    let rows = app
        .get(&format!("/api/v1/risk-summary?{q}"), Some(t))
        .await
        .json();
    let code: BTreeMap<i64, String> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["org"]["id"].as_i64().unwrap(),
                r["org"]["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut out = BTreeMap::new();
    for i in list["items"].as_array().expect("items") {
        let id = i["school_id"].as_i64().unwrap();
        out.insert(code[&id].clone(), level_fill(&i["level"]).to_string());
    }
    out
}

/// The tooltip of a school's marker (or a district's).
fn school_title(svg: &str, code: &str) -> String {
    let at = svg
        .find(&format!("<g class=\"school\" data-code=\"{code}\"><title>"))
        .unwrap_or_else(|| panic!("{code} on the map"));
    let rest = &svg[at..];
    let from = rest.find("<title>").unwrap() + 7;
    rest[from..rest.find("</title>").unwrap()].to_string()
}

#[tokio::test]
async fn the_district_map_places_every_school_in_its_colour() {
    let mut app = TestApp::new().await;
    for (user, n) in [
        ("bureau.officer", 42),
        ("nanguan.officer", 2),
        ("city.officer", 2),
    ] {
        let t = app.login(user).await;
        let r = app.get("/api/v1/risk-map.svg", Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("content-type"), "image/svg+xml; charset=utf-8");
        let svg = r.text();
        let rows = app.get("/api/v1/risk-summary", Some(&t)).await.json();
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), n, "{user}");
        let fills = school_fills(&svg);
        if user == "city.officer" {
            // Districts: the share of red and orange among the assessed points.
            for r in rows {
                let c = &r["counts"];
                let g = |k: &str| c[k].as_u64().unwrap() as f64;
                let assessed = g("major") + g("significant") + g("general") + g("low");
                let share = (g("major") + g("significant")) / assessed;
                let want = if share >= 0.10 {
                    RED
                } else if share >= 0.05 {
                    "#FB8C00"
                } else if share > 0.0 {
                    "#FDD835"
                } else {
                    "#1E88E5"
                };
                let code = r["org"]["code"].as_str().unwrap();
                assert_eq!(fills[code], want, "{code}: {share}");
                assert!(school_title(&svg, code).contains("红橙风险点占比"));
            }
            assert!(svg.contains("红橙风险点占比"), "the legend names the rule");
            assert!(svg.contains(">区（县）</text>"), "the district's shape");
            continue;
        }
        // Schools: the band of their school risk index, as /api/v1/risk-index has it.
        assert_eq!(fills, index_fills(&app, &t, "").await, "{user}");
        assert!(svg.contains("风险指数"), "{user}: legend");
        assert!(
            svg.contains("<g class=\"map-rule\">"),
            "{user}: the rule in words"
        );
        // Each tooltip names the school and its counts; labels are short names at 15 units.
        for r in rows {
            let code = r["org"]["code"].as_str().unwrap();
            let tip = school_title(&svg, code);
            let name = r["org"]["name"].as_str().unwrap();
            assert!(tip.starts_with(&format!("{name}（{code}）")), "{tip}");
            let c = &r["counts"];
            assert!(
                tip.contains(&format!(
                    "风险点：重大 {}、较大 {}、一般 {}、低 {}",
                    c["major"], c["significant"], c["general"], c["low"]
                )),
                "{tip}"
            );
            assert!(
                tip.contains("风险指数 ") && tip.contains("未销号隐患 "),
                "{tip}"
            );
        }
        let labels: Vec<&str> = svg
            .split("<text class=\"label\" ")
            .skip(1)
            .map(|l| &l[..l.find("</text>").unwrap()])
            .collect();
        assert!(
            labels.len() * 10 >= n * 7,
            "{user}: most schools carry their name: {} of {n}",
            labels.len()
        );
        for l in &labels {
            assert!(l.contains("font-size=\"15\""), "{l}");
            let text = &l[l.rfind('>').unwrap() + 1..];
            assert!(
                !text.starts_with('S') && !text.starts_with('N'),
                "a name, not a code: {l}"
            );
        }
    }
    // Erdao's 42 schools are not one colour.
    let b = app.login("bureau.officer").await;
    let fills = school_fills(&app.get("/api/v1/risk-map.svg", Some(&b)).await.text());
    let colours: BTreeSet<&String> = fills.values().collect();
    assert!(colours.len() >= 2, "{colours:?}");
    let c = app.login("city.officer").await;
    let ed = app.org_id("ED").await;
    let drill = app
        .get(&format!("/api/v1/risk-map.svg?org_id={ed}"), Some(&c))
        .await
        .text();
    assert_eq!(
        school_fills(&drill),
        index_fills(&app, &c, &format!("org_id={ed}")).await
    );
    // The page repeats the rule over the map, draws it wide enough to read and lets a phone
    // scroll it with a hint.
    let page = app.get("/risk", Some(&b)).await.text();
    assert!(page.contains("id=\"district-map-rule\""));
    assert!(page.contains("class=\"map-scroll-hint\""));
    assert!(page.contains("risk-map.css"));
    assert!(page.contains("class=\"card map-card map-scroll\" id=\"district-map\""));
}

/// (point code, the zone its S001 placement must be in).
const S001_PLACES: &[(&str, &str)] = &[
    ("R-T-036", "配电室"),
    ("R-T-043", "配电室"),
    ("R-P-039", "配电室"),
    ("R-T-094", "教学楼一层"),
    ("R-T-021", "教学楼一层"),
    ("R-T-096", "教学楼二层"),
    ("R-T-007", "教学楼二层"),
    ("R-T-006", "教学楼三至四层"),
    ("R-T-023", "教学楼三至四层"),
    ("R-T-001", "教学楼"),
    ("R-T-052", "学生食堂"),
    ("R-T-044", "学生食堂"),
    ("R-T-079", "体育器材室及库房"),
    ("R-T-077", "操场及200米跑道"),
    ("R-T-097", "正门及门卫室"),
    ("R-T-101", "围墙周界（北侧后墙）"),
];

#[tokio::test]
async fn the_demo_places_s001s_points_where_they_are_and_the_map_counts_the_rest() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let all = items(&register(&app, &t, s001, "").await);
    let zone_of: BTreeMap<String, Option<String>> = all
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_string(),
                p["zone_name"].as_str().map(String::from),
            )
        })
        .collect();
    for (code, zone) in S001_PLACES {
        assert_eq!(zone_of[*code].as_deref(), Some(*zone), "{code}");
    }
    // By category: nothing electrical in the sports store, food and gas in the canteen, sport
    // on the field or in its store, the guard's points at the gate or the wall.
    for p in &all {
        let (cat, zone) = (p["category"].as_str().unwrap(), p["zone_name"].as_str());
        let ok = match cat {
            "用电安全" => zone != Some("体育器材室及库房"),
            // (Take-away meals are handed over at the gate.)
            "食品安全" if p["code"] == "R-E-033" => zone == Some("正门及门卫室"),
            "食品安全" | "燃气安全" => zone.is_none() || zone == Some("学生食堂"),
            "体育运动" => matches!(zone, Some("操场及200米跑道" | "体育器材室及库房")),
            "门卫安保" => matches!(
                zone,
                Some("正门及门卫室" | "围墙周界（北侧后墙）" | "综合办公楼")
            ),
            "防拥挤踩踏" => {
                zone.is_some_and(|z| z.starts_with("教学楼") || z.starts_with("操场"))
            }
            "实验室安全" => zone != Some("配电室"),
            _ => true,
        };
        assert!(ok, "{} {} in {zone:?}", p["code"], p["name"]);
    }
    // On the map, 配电室 and every floor of the teaching building have a colour.
    let zs = zones(&app, &t, s001).await;
    let svg = campus_map(&app, &t, s001).await;
    let fills = zone_fills(&svg);
    for z in &zs {
        let name = z["name"].as_str().unwrap();
        if name == "配电室" || name.starts_with("教学楼") {
            assert_ne!(
                fills[z["code"].as_str().unwrap()],
                "#ECEFF1",
                "{name} is grey"
            );
        }
    }
    // The unplaced: the register's filter, the map's note and the page's link agree.
    let unplaced = register(&app, &t, s001, "unplaced=true").await;
    let n = unplaced["total"].as_u64().unwrap();
    assert!(n > 0 && n < all.len() as u64 / 2, "{n} of {}", all.len());
    assert!(items(&unplaced).iter().all(|p| p["zone_id"].is_null()));
    let placed = all.iter().filter(|p| !p["zone_id"].is_null()).count() as u64;
    assert_eq!(placed + n, all.len() as u64);
    let note = format!("ⓘ {n} 个风险点未落位");
    assert!(svg.contains(&note), "the map says how many");
    assert!(svg.contains(&format!("href=\"/schools/{s001}/risks?unplaced=true\"")));
    let page = app
        .get(&format!("/schools/{s001}/risk-map"), Some(&t))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!(
        "<a id=\"map-unplaced\" data-count=\"{n}\" href=\"/schools/{s001}/risks?unplaced=true\">"
    )));
    assert!(html.contains("class=\"map-scroll-hint\""));
    let list = app
        .get(&format!("/schools/{s001}/risks?unplaced=true"), Some(&t))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let html = list.text();
    assert!(html.contains("id=\"filter-unplaced\" checked"));
    assert_eq!(html.matches("<a href=\"/risk-points/").count() as u64, n);
    // Placed somewhere, the point leaves the count; `unplaced=false` is no filter.
    let first = items(&unplaced)[0]["id"].as_i64().unwrap();
    let r = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/risk-points/{first}"),
        &t,
        &json!({"zone_id": zs[0]["id"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let after = register(&app, &t, s001, "unplaced=true").await;
    assert_eq!(after["total"].as_u64().unwrap(), n - 1);
    assert!(
        campus_map(&app, &t, s001)
            .await
            .contains(&format!("ⓘ {} 个风险点未落位", n - 1))
    );
    let everything = register(&app, &t, s001, "unplaced=false").await;
    assert_eq!(everything["total"].as_u64().unwrap(), all.len() as u64);
}

#[tokio::test]
async fn the_qr_code_encodes_the_points_page() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.staff").await;
    let list = items(&register(&app, &t, s001, "").await);
    let (a, b) = (
        list[0]["id"].as_i64().unwrap(),
        list[1]["id"].as_i64().unwrap(),
    );
    let qr = |url: String| safecampus::web::svg::qr_svg(&url, 240).unwrap();
    let r = app
        .get(&format!("/api/v1/risk-points/{a}/qr.svg"), Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/svg+xml; charset=utf-8");
    assert!(r.text().contains("<svg"), "an SVG");
    // Without a configured public address: only the path.
    assert_eq!(r.text(), qr(format!("/risk-points/{a}/check")));
    let other = app
        .get(&format!("/api/v1/risk-points/{b}/qr.svg"), Some(&t))
        .await;
    assert_ne!(other.text(), r.text(), "each point its own code");
    let h = [("host", "aq.example.cn")];
    let path = format!("/api/v1/risk-points/{a}/qr.svg");
    let r = app
        .request(Method::GET, &path, Some(&t), None, vec![], &h)
        .await;
    assert_eq!(
        r.text(),
        qr(format!("/risk-points/{a}/check")),
        "never the request's host"
    );

    let config = Config {
        public_url: Some("https://safe.example.cn/".into()),
        ..Config::default()
    };
    let mut app = TestApp::with_config(config).await;
    let t = app.login("s001.staff").await;
    let r = app
        .request(Method::GET, &path, Some(&t), None, vec![], &h)
        .await;
    assert_eq!(
        r.text(),
        qr(format!("https://safe.example.cn/risk-points/{a}/check")),
        "the public URL"
    );
}

#[tokio::test]
async fn the_risk_card_carries_everything_a_reader_needs() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    let id = point_id(&app, &t, s001, "R-E-002").await;
    let p = point(&app, &t, id).await;
    assert_eq!(p["grade"], "significant");
    let r = app.get(&format!("/risk-points/{id}/card"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.header("content-type").starts_with("text/html"));
    let html = r.text();
    let split = |s: &str| -> Vec<String> {
        s.split(['；', ';'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(html_escape)
            .collect()
    };
    let mut want = vec![
        "安全风险告知卡".to_string(),
        "长春市二道区春华小学".into(),
        html_escape(p["zone_name"].as_str().unwrap()),
        html_escape(p["name"].as_str().unwrap()),
        "R-E-002".into(),
        "较大风险 · 橙".into(),
        html_escape(p["responsible_name"].as_str().unwrap()),
        "火警 119 · 报警 110 · 急救 120".into(),
        today().to_string(),
        format!("/risk-points/{id}/check"),
        "道路交通".into(),
    ];
    want.extend(split(p["hazard_factors"].as_str().unwrap()));
    want.extend(split(p["measures"]["management"].as_str().unwrap()));
    want.extend(split(p["measures"]["engineering"].as_str().unwrap()));
    want.extend(split(p["measures"]["emergency"].as_str().unwrap()));
    for w in &want {
        assert!(html.contains(w.as_str()), "the card lacks {w}");
    }
    let qr_at = html.find("id=\"card-qr\"").expect("the QR block");
    let url = format!("/risk-points/{id}/check");
    let qr = safecampus::web::svg::qr_svg(&url, 160).unwrap();
    assert!(
        html[qr_at..]
            .trim_start_matches("id=\"card-qr\">")
            .starts_with(&qr),
        "the inline QR opens the point's check"
    );
    assert!(html.contains("class=\"print-page a4\""));
    let a5 = app
        .get(&format!("/risk-points/{id}/card?size=a5"), Some(&t))
        .await;
    assert_eq!(a5.status, StatusCode::OK);
    assert!(a5.text().contains("class=\"print-page a5\""));
    assert!(a5.text().contains(&qr));

    let en = app
        .request(
            Method::GET,
            &format!("/risk-points/{id}/card"),
            Some(&t),
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await
        .text();
    assert!(
        en.contains("Safety risk notice") && en.contains("Significant risk"),
        "{en:.400}"
    );
}

#[tokio::test]
async fn the_register_exports_one_row_per_point() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    let id = point_id(&app, &t, s001, "R-E-002").await;
    let body = json!({"retired": true, "retired_reason": "已改造"});
    send(
        &app,
        Method::PATCH,
        &format!("/api/v1/risk-points/{id}"),
        &t,
        &body,
    )
    .await;
    let all = items(&register(&app, &t, s001, "status=all").await);
    let r = app
        .get(
            &format!("/api/v1/schools/{s001}/risk-points/export.xlsx"),
            Some(&t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(r.header("content-disposition").starts_with("attachment;"));
    let rows = read_first_sheet(&r.body, &Limits::default()).unwrap();
    assert_eq!(
        rows.len(),
        all.len() + 1,
        "a header and one row per point, retired included"
    );
    assert_eq!(rows[0][..2], ["代码", "名称"]);
    let label = |g: &Value| match g.as_str() {
        Some("major") => "重大风险",
        Some("significant") => "较大风险",
        Some("general") => "一般风险",
        Some("low") => "低风险",
        _ => "",
    };
    for (row, p) in rows[1..].iter().zip(&all) {
        assert_eq!(row[0], p["code"].as_str().unwrap());
        assert_eq!(row[1], p["name"].as_str().unwrap());
        assert_eq!(row[4], label(&p["grade"]), "{}", p["code"]);
        match p["score"].as_f64() {
            Some(want) => {
                let score: f64 = row[5].parse().unwrap();
                assert!((score - want).abs() < 1e-9, "{}", p["code"]);
            }
            // A direct judgement has a grade and no score.
            None => assert_eq!(row.get(5).map_or("", |c| c.as_str()), "", "{}", p["code"]),
        }
    }
    let retired = rows.iter().find(|r| r[0] == "R-E-002").unwrap();
    assert!(retired.iter().any(|c| c == "已停用"), "{retired:?}");
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

/// The top-level namespaces of the translation catalogue (`risk`, `catalog`, `nav` …).
fn namespaces() -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en.yml"))
        .expect("the English catalogue");
    text.lines()
        .filter(|l| !l.starts_with([' ', '#', '_']) && l.contains(':'))
        .map(|l| l.split(':').next().unwrap().trim().to_string())
        .collect()
}

/// What a reader sees of a page: the text between tags and the text attributes.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        out.push(' ');
        let end = rest[at..]
            .find('>')
            .map(|e| at + e + 1)
            .unwrap_or(rest.len());
        let tag = &rest[at..end];
        for attr in [
            "placeholder=\"",
            "title=\"",
            "aria-label=\"",
            "alt=\"",
            "data-label=\"",
        ] {
            if let Some(i) = tag.find(attr) {
                let v = &tag[i + attr.len()..];
                out.push_str(&v[..v.find('"').unwrap_or(v.len())]);
                out.push(' ');
            }
        }
        rest = &rest[end..];
        for skip in ["style", "script"] {
            if tag.starts_with(&format!("<{skip}")) {
                let close = format!("</{skip}>");
                rest = &rest[rest
                    .find(&close)
                    .map(|i| i + close.len())
                    .unwrap_or(rest.len())..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Untranslated keys (`risk.card`, `risk_grade.major` …) in the visible text.
fn raw_keys(html: &str, ns: &BTreeSet<String>) -> Vec<String> {
    let text = visible(html);
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| {
            w.split_once('.').is_some_and(|(head, tail)| {
                ns.contains(head) && tail.starts_with(|c: char| c.is_ascii_lowercase())
            })
        })
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn risk_pages_render_for_each_role_in_both_languages() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let ns = namespaces();
    assert!(ns.contains("risk") && ns.contains("risk_grade"), "{ns:?}");
    assert_eq!(
        raw_keys("<p>risk.card 风险</p>", &ns),
        ["risk.card"],
        "the scanner works"
    );
    let b = app.login("bureau.officer").await;
    let id = point_id(&app, &b, s001, "R-E-002").await;
    let p = point(&app, &b, id).await;
    let name = html_escape(p["name"].as_str().unwrap());
    // path | a piece of the Chinese page | a piece of the English page
    let pages = [
        (
            "/risk".to_string(),
            "风险分级管控",
            "Risk grading and control",
        ),
        ("/risk/catalog".to_string(), "R-E-001", "R-E-001"),
        (
            format!("/schools/{s001}/risks"),
            "长春市二道区春华小学",
            "Risk register",
        ),
        (
            format!("/schools/{s001}/risk-map"),
            "风险四色图",
            "Four-colour risk map",
        ),
        (
            format!("/risk-points/{id}"),
            name.as_str(),
            "Significant risk",
        ),
    ];
    for user in ["s001.principal", "s001.safety", "bureau.officer"] {
        let t = app.login(user).await;
        for (path, zh, en) in &pages {
            for (lang, piece) in [("zh-CN", *zh), ("en", *en)] {
                let h = [("accept-language", lang)];
                let r = app
                    .request(Method::GET, path, Some(&t), None, vec![], &h)
                    .await;
                if path == "/risk" && user != "bureau.officer" {
                    assert_eq!(r.status, StatusCode::SEE_OTHER, "{user} {path}");
                    assert_eq!(r.header("location"), format!("/schools/{s001}/risks"));
                    continue;
                }
                assert_eq!(
                    r.status,
                    StatusCode::OK,
                    "{user} {lang} {path}: {}",
                    r.text()
                );
                let html = r.text();
                let code = if lang == "en" { "en" } else { "zh-CN" };
                assert!(
                    html.contains(&format!("<html lang=\"{code}\"")),
                    "{user} {lang} {path}"
                );
                assert!(html.contains(piece), "{user} {lang} {path}: lacks {piece}");
                assert_eq!(
                    raw_keys(&html, &ns),
                    Vec::<String>::new(),
                    "{user} {lang} {path}"
                );
                if path.contains("risk-map") || path == "/risk" {
                    assert!(html.contains("<svg"), "{user} {path}: the map");
                }
                if path.ends_with("/risks") {
                    let links = html.matches("<a href=\"/risk-points/").count();
                    let total = register(&app, &t, s001, "").await["total"].clone();
                    assert_eq!(json!(links), total, "{user}: every point is listed");
                }
                if path.starts_with("/risk-points/") {
                    assert!(
                        html.contains("id=\"assess\""),
                        "{user}: the assessment form"
                    );
                    assert!(html.contains("id=\"assessment-list\""));
                }
            }
        }
    }
    // Roles that may not assess see the point without the form.
    for (user, form) in [
        ("s001.staff", false),
        ("s001.guard", false),
        ("bureau.leader", false),
        ("bureau.inspector", true),
    ] {
        let t = app.login(user).await;
        let r = app.get(&format!("/risk-points/{id}"), Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{user}");
        assert_eq!(r.text().contains("id=\"assess\""), form, "{user}");
        assert_eq!(
            r.text().contains("action=\"/risk-points/"),
            form,
            "{user}: no write form"
        );
    }
}

/// Signs in through the login form; returns the session cookie.
async fn sign_in(app: &TestApp, user: &str) -> String {
    let form = [("username", user), ("password", PASSWORD)];
    let r = app.form("/login", None, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cookie = r.header("set-cookie");
    assert!(!cookie.is_empty(), "a session cookie");
    cookie.split(';').next().unwrap().to_string()
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, pairs: &[(&str, &str)]) -> Resp {
    let body = serde_urlencoded::to_string(pairs).unwrap().into_bytes();
    let h = [("cookie", cookie)];
    let ct = Some("application/x-www-form-urlencoded");
    app.request(Method::POST, path, None, ct, body, &h).await
}

#[tokio::test]
async fn the_assessment_form_records_with_the_session_and_its_token() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let cookie = sign_in(&app, "s001.safety").await;
    let t = app.login("s001.safety").await;
    let id = point_id(&app, &t, s001, "R-E-002").await;
    let page_path = format!("/risk-points/{id}");
    let h = [("cookie", cookie.as_str())];
    let page = app
        .request(Method::GET, &page_path, None, None, vec![], &h)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let marker = "name=\"_csrf\" value=\"";
    let at = html.find(marker).expect("the token") + marker.len();
    let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
    assert!(csrf.len() >= 16, "{csrf}");
    let action = format!("/risk-points/{id}/assess");
    assert!(html.contains(&format!("action=\"{action}\"")));
    let count = |p: &Value| p["assessments"].as_array().unwrap().len();
    let n = count(&point(&app, &t, id).await);

    let before = fps(&app).await;
    let ls = [
        ("method", "LS"),
        ("ls_l", "5"),
        ("ls_s", "5"),
        ("band_set", "A"),
    ];
    let r = post_form(&app, &action, &cookie, &ls).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "without the token");
    assert_eq!(fps(&app).await, before);
    let r = post_form(
        &app,
        &action,
        &cookie,
        &[&[("_csrf", "forged")][..], &ls].concat(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "with a forged token");
    assert_eq!(fps(&app).await, before);

    let r = post_form(
        &app,
        &action,
        &cookie,
        &[&[("_csrf", csrf.as_str())][..], &ls].concat(),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), page_path);
    let p = point(&app, &t, id).await;
    assert_eq!(
        (&p["grade"], &p["score"], &p["color"]),
        (&json!("major"), &json!(25.0), &json!("red"))
    );
    assert_eq!(count(&p), n + 1);
    assert_eq!(p["assessments"][0]["method"], "LS");
    let me = app.get("/api/v1/me", Some(&t)).await.json();
    assert_eq!(p["assessments"][0]["assessed_by"], me["id"], "{me}");
    let shown = app
        .request(Method::GET, &page_path, None, None, vec![], &h)
        .await
        .text();
    assert!(shown.contains("重大风险"), "the page shows the new grade");

    let before = fps(&app).await;
    let lec = [
        ("_csrf", csrf.as_str()),
        ("method", "LEC"),
        ("l", "4"),
        ("e", "6"),
        ("c", "7"),
    ];
    let r = post_form(&app, &action, &cookie, &lec).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("L（事故发生的可能性）只能取 LEC 表中的值：10、6、3、1、0.5、0.2、0.1。"),
        "the message on the page"
    );
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("id=\"assess\""), "the form again");
    assert_eq!(fps(&app).await, before, "nothing stored");
    assert_eq!(count(&point(&app, &t, id).await), n + 1);

    let direct = [
        ("_csrf", csrf.as_str()),
        ("method", "DIRECT"),
        ("grade", "general"),
        ("reason", ""),
    ];
    let r = post_form(&app, &action, &cookie, &direct).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("直接评定须填写理由。"));
    assert_eq!(fps(&app).await, before);

    // A staff member's session gets no form, and its post is refused.
    let staff = sign_in(&app, "s001.staff").await;
    let h = [("cookie", staff.as_str())];
    let html = app
        .request(Method::GET, &page_path, None, None, vec![], &h)
        .await
        .text();
    assert!(!html.contains("id=\"assess\""));
    let at = html.find(marker).expect("a token (the sign-out form)") + marker.len();
    let token = html[at..at + html[at..].find('"').unwrap()].to_string();
    let ls = [
        ("_csrf", token.as_str()),
        ("method", "LS"),
        ("ls_l", "1"),
        ("ls_s", "1"),
    ];
    let r = post_form(&app, &action, &staff, &ls).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(fps(&app).await, before);
}

#[tokio::test]
async fn the_point_pages_placement_and_retire_forms_work() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let id = point_id(&app, &t, s001, "R-P-001").await;
    let page = format!("/risk-points/{id}");
    let cookie = sign_in(&app, "s001.safety").await;
    let h = [("cookie", cookie.as_str())];
    let html = app
        .request(Method::GET, &page, None, None, vec![], &h)
        .await
        .text();
    let marker = "name=\"_csrf\" value=\"";
    let at = html.find(marker).unwrap() + marker.len();
    let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
    let z = zones(&app, &t, s001).await[4].clone();
    let zid = z["id"].to_string();
    let action = format!("/risk-points/{id}/edit");
    let before = point(&app, &t, id).await;
    let person = before["responsible_person_id"].to_string();
    let level = before["control_level"].as_str().unwrap().to_string();

    // A level other than the grade's default, without a reason: the page says why.
    let fps0 = fps(&app).await;
    let other = if level == "bureau" { "post" } else { "bureau" };
    let no_reason = [
        ("_csrf", csrf.as_str()),
        ("zone_id", zid.as_str()),
        ("responsible_person_id", person.as_str()),
        ("control_level", other),
        ("control_level_reason", ""),
    ];
    let r = post_form(&app, &action, &cookie, &no_reason).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("须说明理由"), "the message");
    assert_eq!(fps(&app).await, fps0);

    let place = [
        ("_csrf", csrf.as_str()),
        ("zone_id", zid.as_str()),
        ("responsible_person_id", person.as_str()),
        ("control_level", level.as_str()),
        ("control_level_reason", ""),
    ];
    let r = post_form(&app, &action, &cookie, &place).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), page);
    let p = point(&app, &t, id).await;
    assert_eq!((&p["zone_id"], &p["zone_name"]), (&z["id"], &z["name"]));
    assert_eq!(p["control_level"], before["control_level"]);

    let retire = [
        ("_csrf", csrf.as_str()),
        ("retire", "1"),
        ("retired_reason", "场地改造"),
    ];
    let r = post_form(&app, &action, &cookie, &retire).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let p = point(&app, &t, id).await;
    assert_eq!(
        (&p["status"], &p["retired_reason"]),
        (&json!("retired"), &json!("场地改造"))
    );
    let html = app
        .request(Method::GET, &page, None, None, vec![], &h)
        .await
        .text();
    assert!(
        html.contains("场地改造"),
        "the page says why it was retired"
    );
    assert!(
        !html.contains("id=\"assess\""),
        "no assessment form for a retired point"
    );
    let back = [("_csrf", csrf.as_str()), ("retire", "0")];
    assert_eq!(
        post_form(&app, &action, &cookie, &back).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(point(&app, &t, id).await["status"], "active");
}

#[tokio::test]
async fn the_register_filter_form_works_with_fields_left_at_all() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    let html = app
        .get(&format!("/schools/{s001}/risks"), Some(&t))
        .await
        .text();
    for name in [
        "aspect",
        "grade",
        "zone_id",
        "category",
        "responsible_person_id",
    ] {
        let all = format!("<select name=\"{name}\"><option value=\"\">");
        assert!(html.contains(&all), "{name}: \"all\" is the empty value");
    }
    let q = "aspect=&grade=significant&zone_id=&category=&responsible_person_id=&status=active";
    let r = app
        .get(&format!("/schools/{s001}/risks?{q}"), Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{q}");
    let significant = items(&register(&app, &t, s001, "grade=significant").await);
    let page = r.text();
    let links = page.matches("<a href=\"/risk-points/").count();
    assert_eq!(links, significant.len(), "only the significant points");
    for p in &significant {
        assert!(page.contains(&format!("<a href=\"/risk-points/{}\">", p["id"])));
    }
}

#[tokio::test]
async fn instantiating_from_the_register_page_returns_to_the_register() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let cookie = sign_in(&app, "s001.safety").await;
    let page = format!("/schools/{s001}/risks");
    let h = [("cookie", cookie.as_str())];
    let html = app
        .request(Method::GET, &page, None, None, vec![], &h)
        .await
        .text();
    assert!(html.contains("id=\"instantiate\""), "the button");
    let marker = "name=\"_csrf\" value=\"";
    let at = html.find(marker).unwrap() + marker.len();
    let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
    let r = post_form(
        &app,
        &format!("{page}/instantiate"),
        &cookie,
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.header("location");
    assert!(to.starts_with(&page), "{to}");
    let r = app.request(Method::GET, &to, None, None, vec![], &h).await;
    assert_eq!(r.status, StatusCode::OK, "{to}");
    assert!(r.text().contains("新增 0"), "the notice is shown");
}

#[tokio::test]
async fn a_points_text_is_shown_as_text_on_every_page() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let body = json!({"code": "S001-XSS", "name": "<img src=x onerror=alert(1)>",
        "aspect": "things", "category": "自定义<b>", "hazard_factors": "<script>alert(2)</script>；漏电",
        "measures": {"management": "<i>巡查</i>", "emergency": "\"断电\" & 'report'"}});
    let r = send(
        &app,
        Method::POST,
        &format!("/api/v1/schools/{s001}/risk-points"),
        &t,
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        r.json()["name"],
        "<img src=x onerror=alert(1)>",
        "stored as typed"
    );
    let pages = [
        format!("/risk-points/{id}"),
        format!("/risk-points/{id}/card"),
        format!("/schools/{s001}/risks"),
    ];
    for path in pages {
        let html = app.get(&path, Some(&t)).await.text();
        for raw in ["<img src=x", "<script>alert(2)", "<i>巡查", "自定义<b>"] {
            assert!(!html.contains(raw), "{path}: {raw} is markup");
        }
        assert!(
            html.contains(&html_escape("<img src=x onerror=alert(1)>")),
            "{path}: shown as text"
        );
    }
}

#[tokio::test]
async fn the_roll_up_exports_one_row_per_school() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let r = app.get("/api/v1/risk-summary/export.xlsx", Some(&t)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rows = safecampus::xlsx::read_first_sheet(&r.body, &safecampus::xlsx::Limits::default())
        .expect("a workbook");
    assert_eq!(rows.len(), 43, "header + 42 schools");
    assert_eq!(rows[0][2], "重大风险");
    let summary = app.get("/api/v1/risk-summary", Some(&t)).await.json();
    let first = &summary.as_array().expect("rows")[0];
    let row = rows
        .iter()
        .find(|r| r[0] == first["org"]["code"])
        .expect("the school");
    assert_eq!(row[2], first["counts"]["major"].to_string());
    let staff = app.login("s001.staff").await;
    let mine = app
        .get("/api/v1/risk-summary/export.xlsx", Some(&staff))
        .await;
    assert_eq!(
        mine.status, 200,
        "a school user gets its own (empty) roll-up"
    );
}
