mod common;
use common::{expect, fields, msg};

use axum::http::{Method, StatusCode};
use common::{Resp, TestApp};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const S001_NAME: &str = "长春市二道区春华小学";
const NOT_FOUND: &str = "未找到该对象，或它不在您的管辖范围内。";

async fn send(app: &TestApp, m: Method, path: &str, t: &str, body: &Value) -> Resp {
    app.json(m, path, Some(t), body).await
}

async fn delete(app: &TestApp, path: &str, t: &str) -> Resp {
    app.request(Method::DELETE, path, Some(t), None, vec![], &[])
        .await
}

async fn ids<const N: usize>(app: &mut TestApp, codes: [&str; N]) -> [i64; N] {
    let mut out = [0; N];
    for (i, c) in codes.iter().enumerate() {
        out[i] = app.org_id(c).await;
    }
    out
}

/// A school as the city officer sees it.
async fn school(app: &mut TestApp, id: i64) -> Value {
    let t = app.login("city.officer").await;
    let r = app.get(&format!("/api/v1/schools/{id}"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

#[tokio::test]
async fn school_lists_follow_scope_and_filters() {
    let mut app = TestApp::new().await;
    // user | query | total | district code of every item ("-": any)
    let cases = [
        "bureau.officer|page=1|42|ED",
        "bureau.leader||42|ED",
        "bureau.inspector||42|ED",
        "bureau.officer|kind=kindergarten|19|ED",
        "bureau.officer|q=春华|1|ED",
        "bureau.officer|q=S00|9|ED",
        "bureau.officer|q=N001|0|-",
        "city.officer||44|-",
        "city.officer|kind=kindergarten|20|-",
        "nanguan.officer||2|NG",
        "s001.principal||1|ED",
        "s001.guard||1|ED",
        "n001.staff||1|NG",
    ];
    for case in cases {
        let c: Vec<&str> = case.split('|').collect();
        let t = app.login(c[0]).await;
        let r = app
            .get(&format!("/api/v1/schools?{}", c[1]), Some(&t))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{case}: {}", r.text());
        let j = r.json();
        let total: u64 = c[2].parse().unwrap();
        assert_eq!(j["total"], total, "{case}");
        let items = j["items"].as_array().unwrap();
        assert_eq!(items.len() as u64, total, "{case}");
        for s in items {
            if c[3] != "-" {
                assert_eq!(s["district"]["code"], c[3], "{case}");
            }
            if c[1] == "kind=kindergarten" {
                assert_eq!(s["kind"], "kindergarten", "{case}");
            }
        }
    }
    let t = app.login("s001.principal").await;
    let j = app.get("/api/v1/schools", Some(&t)).await.json();
    assert_eq!(j["items"][0]["code"], "S001");
    assert_eq!(j["items"][0]["name"], S001_NAME);
    for q in ["kind=university", "colour=red"] {
        let r = app.get(&format!("/api/v1/schools?{q}"), Some(&t)).await;
        expect(&r, 422, "invalid");
    }
}

#[tokio::test]
async fn another_school_answers_404_with_the_envelope() {
    let mut app = TestApp::new().await;
    let [s001, s002, n001, ed] = ids(&mut app, ["S001", "S002", "N001", "ED"]).await;
    let cases = [
        ("s001.principal", s002),
        ("s001.guard", n001),
        ("bureau.officer", n001),
        ("nanguan.officer", s002),
        ("bureau.officer", 999_999),
        ("city.officer", ed),
    ];
    for (user, id) in cases {
        let t = app.login(user).await;
        for path in ["", "/people", "/zones"] {
            let r = app
                .get(&format!("/api/v1/schools/{id}{path}"), Some(&t))
                .await;
            assert_eq!(msg(&expect(&r, 404, "not_found")), NOT_FOUND);
        }
    }
    let t = app.login("s001.principal").await;
    let r = app.get(&format!("/api/v1/schools/{s001}"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn principal_patches_own_school_and_the_change_is_audited() {
    let mut app = TestApp::new().await;
    let id = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    let patch = json!({"name": S001_NAME, "students": 1300, "phone": "0431-88886666"});
    let path = format!("/api/v1/schools/{id}");
    let r = send(&app, Method::PATCH, &path, &t, &patch).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["students"], 1300);
    assert_eq!(j["phone"], "0431-88886666");
    assert_eq!(school(&mut app, id).await["students"], 1300);

    let e = &app.audit("action=school.update").await[0];
    assert_eq!(e["username"], "s001.principal");
    assert_eq!(e["role"], "principal");
    assert_eq!(e["object_type"], "school");
    assert_eq!(e["object_id"], id.to_string());
    assert_eq!(e["result"], "ok");
    // The name was sent unchanged, so it is not listed.
    assert_eq!(e["detail"], "changed=students,phone");
}

#[tokio::test]
async fn refused_patches_change_nothing() {
    let mut app = TestApp::new().await;
    let [s001, s002, n001] = ids(&mut app, ["S001", "S002", "N001"]).await;
    let unknown = json!({"students": 5, "principal_name": "x"});
    let negative = json!({"students": -1});
    let five = json!({"students": 5});
    let cases = [
        ("s001.principal", s001, &unknown, 422, "invalid"),
        ("s001.principal", s001, &negative, 422, "invalid"),
        ("s001.principal", s002, &five, 404, "not_found"),
        ("bureau.officer", n001, &five, 404, "not_found"),
        ("s001.staff", s001, &five, 403, "forbidden"),
        ("s001.safety", s001, &five, 403, "forbidden"),
        ("bureau.leader", s001, &five, 403, "forbidden"),
        ("bureau.inspector", s002, &five, 403, "forbidden"),
    ];
    for (user, id, body, status, code) in cases {
        let before = (app.fingerprint().await, school(&mut app, id).await);
        let t = app.login(user).await;
        let path = format!("/api/v1/schools/{id}");
        let r = send(&app, Method::PATCH, &path, &t, body).await;
        let j = expect(&r, status, code);
        if body == &unknown {
            assert!(msg(&j).contains("unknown field `principal_name`"), "{j}");
        }
        let after = (app.fingerprint().await, school(&mut app, id).await);
        assert_eq!(before, after, "{user} {body}: a refused patch changed data");
    }
}

#[tokio::test]
async fn bureau_officer_adds_a_school_to_own_district() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let new = json!({"code": "S900", "name": "二道区测试小学", "kind": "primary"});
    let r = send(&app, Method::POST, "/api/v1/schools", &t, &new).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let s = r.json();
    assert_eq!(s["code"], "S900");
    assert_eq!(s["district"]["code"], "ED", "the officer's own district");
    let list = app.get("/api/v1/schools?q=S9", Some(&t)).await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], s["id"]);
    let all = app.get("/api/v1/schools", Some(&t)).await.json();
    assert_eq!(all["total"], 43);
    let e = &app.audit("action=school.create").await[0];
    assert_eq!(e["username"], "bureau.officer");
    assert_eq!(e["result"], "ok");
    assert_eq!(e["object_id"], s["id"].to_string());

    // Codes are unique across the whole tree.
    for code in ["S900", "S001", "N001"] {
        let before = app.fingerprint().await;
        let dup = json!({"code": code, "name": "重复代码", "kind": "primary"});
        let r = send(&app, Method::POST, "/api/v1/schools", &t, &dup).await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(fields(&j), ["code"], "{code}");
        // Only a code held within the officer's scope is called taken: of another district's
        // school nothing is told, not even that it exists.
        let want = if code == "N001" {
            "该代码不能使用，请核对或换用其他代码。"
        } else {
            "该代码已被使用。"
        };
        assert_eq!(j["error"]["fields"][0]["message"], want, "{code}");
        assert_eq!(app.fingerprint().await, before);
    }
    // Another district is out of scope for a district officer; the city officer may add
    // there, but must name the district.
    let ng = app.org_id("NG").await;
    let mut other = json!({"code": "N900", "name": "南关区测试小学", "kind": "primary"});
    let city = app.login("city.officer").await;
    let r = send(&app, Method::POST, "/api/v1/schools", &city, &other).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["district_id"]);
    other["district_id"] = json!(ng);
    let r = send(&app, Method::POST, "/api/v1/schools", &t, &other).await;
    expect(&r, 404, "not_found");
    let r = send(&app, Method::POST, "/api/v1/schools", &city, &other).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["district"]["code"], "NG");
}

#[tokio::test]
async fn invalid_school_values_are_reported_field_by_field() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let before = app.fingerprint().await;
    let bad = json!({"code": "S9*", "name": " ", "kind": "primary", "students": -5,
        "staff": 20_000_000, "lat": 95.0, "lng": -181.0, "phone": "12ab"});
    let r = send(&app, Method::POST, "/api/v1/schools", &t, &bad).await;
    let j = expect(&r, 422, "invalid");
    let want = ["name", "students", "staff", "lat", "lng", "phone", "code"];
    assert_eq!(fields(&j), want);
    let text = msg(&j);
    for part in ["学生数: 数值超出允许范围", "纬度: 纬度应在 -90 到 90 之间"] {
        assert!(text.contains(part), "{part} not in {text}");
    }
    assert!(text.contains("电话: 电话号码格式不正确"), "{text}");
    let kind = json!({"code": "S902", "name": "类型错误", "kind": "university"});
    let r = send(&app, Method::POST, "/api/v1/schools", &t, &kind).await;
    let j = expect(&r, 422, "invalid");
    assert!(msg(&j).contains("one of: kindergarten, primary"), "{j}");
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn people_and_zones_form_the_grid_of_a_school() {
    let mut app = TestApp::new().await;
    let [s001, s002] = ids(&mut app, ["S001", "S002"]).await;
    let officer = app.login("bureau.officer").await;
    let theirs = app
        .get(&format!("/api/v1/schools/{s002}/people"), Some(&officer))
        .await;
    let other = theirs.json()[0]["id"].clone();
    let t = app.login("s001.safety").await;

    let person = json!({"name": "王测试", "post": "teacher", "phone": "13812345678"});
    let people = format!("/api/v1/schools/{s001}/people");
    let r = send(&app, Method::POST, &people, &t, &person).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let pid = r.json()["id"].as_i64().unwrap();
    let one = format!("/api/v1/people/{pid}");
    let upd = json!({"name": "王测试", "post": "electrician", "note": "配电房"});
    let r = send(&app, Method::PUT, &one, &t, &upd).await;
    assert_eq!(r.status, StatusCode::OK);
    let got = app.get(&one, Some(&t)).await.json();
    assert_eq!(got["post"], "electrician");
    assert_eq!(got["note"], "配电房");
    assert_eq!(got["org_id"], s001);

    // A zone's responsible person must be on this school's list.
    let zones = format!("/api/v1/schools/{s001}/zones");
    let mut zone = json!({"code": "ZT1", "name": "测试配电房", "zone_type": "facility"});
    zone["responsible_person_id"] = other.clone();
    let before = app.fingerprint().await;
    let r = send(&app, Method::POST, &zones, &t, &zone).await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(fields(&j), ["responsible_person_id"]);
    assert_eq!(app.fingerprint().await, before);
    zone["responsible_person_id"] = json!(pid);
    let r = send(&app, Method::POST, &zones, &t, &zone).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let zid = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["responsible_name"], "王测试");
    zone["responsible_person_id"] = other.clone();
    let z_path = format!("/api/v1/zones/{zid}");
    let r = send(&app, Method::PUT, &z_path, &t, &zone).await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(fields(&j), ["responsible_person_id"]);
    let listed = app.get(&zones, Some(&t)).await.json();
    let listed = listed.as_array().unwrap();
    let z = listed.iter().find(|z| z["id"] == zid).expect("listed");
    assert_eq!(z["responsible_person_id"], pid, "kept after the refusal");

    // Out of scope (404) and out of role (403).
    let s002_principal = app.login("s002.principal").await;
    for path in [&z_path, &one] {
        let r = app.get(path, Some(&s002_principal)).await;
        expect(&r, 404, "not_found");
    }
    let guard = app.login("s001.guard").await;
    expect(&delete(&app, &one, &guard).await, 403, "forbidden");

    // Removing the person clears the zones they were responsible for.
    assert_eq!(delete(&app, &one, &t).await.status, StatusCode::NO_CONTENT);
    let z = app.get(&z_path, Some(&t)).await.json();
    assert!(z["responsible_person_id"].is_null(), "{z}");
    assert!(z["responsible_name"].is_null(), "{z}");
    expect(&app.get(&one, Some(&t)).await, 404, "not_found");
    let list = app.get(&people, Some(&t)).await.json();
    assert!(list.as_array().unwrap().iter().all(|p| p["id"] != pid));
}

#[tokio::test]
async fn org_nodes_per_role() {
    let mut app = TestApp::new().await;
    let cases = [
        "city.officer CC,ED,NG",
        "bureau.officer ED",
        "bureau.leader ED",
        "nanguan.officer NG",
        "s001.principal ",
    ];
    for case in cases {
        let (user, codes) = case.split_once(' ').unwrap();
        let t = app.login(user).await;
        let r = app.get("/api/v1/orgs", Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{case}");
        let orgs = r.json();
        let got: Vec<&str> = orgs
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["code"].as_str().unwrap())
            .collect();
        assert_eq!(got.join(","), codes, "{case}");
    }
    for user in ["sysadmin", "secadmin", "auditadmin"] {
        let t = app.login(user).await;
        expect(&app.get("/api/v1/orgs", Some(&t)).await, 403, "forbidden");
    }
    let path = format!("/api/v1/orgs/{}", app.org_id("NG").await);
    let t = app.login("bureau.officer").await;
    expect(&app.get(&path, Some(&t)).await, 404, "not_found");
    let t = app.login("city.officer").await;
    let r = app.get(&path, Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["name"], "南关区");
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let mut config = safecampus::config::Config::default();
    config.ops.metrics_token = Some("scrape-token-123".into());
    let app = TestApp::with_config(config).await;
    for (path, body) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let r = app.get(path, None).await;
        assert_eq!((r.status, r.text().as_str()), (StatusCode::OK, body));
    }
    // Only the scraper with the configured token reads the metrics.
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.get("/metrics", Some("scrape-token-123")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/plain"));
    let text = r.text();
    let healthz = |l: &&str| l.starts_with("http_requests_total{") && l.contains("/healthz");
    let line = text.lines().find(healthz);
    let line = line.unwrap_or_else(|| panic!("no healthz counter in:\n{text}"));
    assert!(line.contains("route=\"/healthz\""), "{line}");
    assert!(line.contains("status=\"200\""), "{line}");
}

#[tokio::test]
async fn openapi_describes_every_api_route() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    let mut documented = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            // Operation ids are unique (OpenAPI requires it; Swagger UI stops drawing at a
            // repeated one).
            let id = op["operationId"].as_str().expect("an operation id");
            assert!(ids.insert(id.to_string()), "{id} is given twice");
            for (code, r) in op["responses"].as_object().expect("responses") {
                assert!(
                    r["description"].is_string(),
                    "{id}: {code} without a description"
                );
            }
            // A path parameter is a segment of the path; the rest are the query's.
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap_or_default();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{id}: {name} in path"
                    );
                }
            }
        }
    }
    // The document does not describe itself.
    let api = |p: &str| p.starts_with("/api/v1/") && p != "/api/v1/openapi.json";
    let routed: BTreeSet<(String, String)> = (app.routes.iter())
        .filter(|r| api(r.path))
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert!(routed.len() >= 29, "{routed:?}");
    let patch = ("PATCH".to_string(), "/api/v1/schools/{id}".to_string());
    assert!(routed.contains(&patch), "{routed:?}");
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn school_pages_render_for_every_business_role() {
    let mut app = TestApp::new().await;
    let [s001, s002, n001] = ids(&mut app, ["S001", "S002", "N001"]).await;
    // user, schools listed, a school out of scope
    let cases = [
        ("city.officer", 44, 999_999),
        ("bureau.officer", 42, n001),
        ("bureau.leader", 42, n001),
        ("bureau.inspector", 42, n001),
        ("s001.principal", 1, s002),
        ("s001.safety", 1, s002),
        ("s001.staff", 1, n001),
        ("s001.guard", 1, s002),
    ];
    let link = format!("<a href=\"/schools/{s001}\">{S001_NAME}</a>");
    let heading = format!("<h1 id=\"school-name\">{S001_NAME}");
    for (user, count, hidden) in cases {
        let t = app.login(user).await;
        let r = app.get("/schools", Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{user}");
        let html = r.text();
        assert!(html.contains(&link), "{user}");
        let count = format!("<span class=\"count\">{count}</span>");
        assert!(html.contains(&count), "{user}: {count}");
        let r = app.get(&format!("/schools/{s001}"), Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{user}");
        assert!(r.text().contains(&heading), "{user}");
        let r = app.get(&format!("/schools/{hidden}"), Some(&t)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{user}");
        let html = r.text();
        assert!(html.contains("<html lang=\"zh-CN\">"), "{user}");
        assert!(html.contains(NOT_FOUND), "{user}");
        assert!(!html.contains("明德") && !html.contains("晨晖"), "{user}");
    }
}
