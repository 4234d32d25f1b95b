//! T-PR-3: no route takes an ID number or a phone in its path or query — every route of the
//! route table (its path parameters), every query parameter of the OpenAPI document, and the
//! query structs the pages read — and the access log of requests carrying a sentinel phone
//! (in JSON and form bodies, refused ones included, and a search query) holds no phone.

mod common;
use axum::http::{Method, StatusCode};
use common::TestApp;
use common::logs::Captured;
use serde_json::json;
use std::collections::BTreeSet;

/// The words of a parameter's name: `rider_phone`, `idCard`, `id-number` → lower-case words.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a parameter's name says it carries a phone or an identity document's number.
fn names_pii(name: &str) -> bool {
    const ALONE: &[&str] = &[
        "phone",
        "phones",
        "mobile",
        "tel",
        "telephone",
        "cellphone",
        "msisdn",
        "idcard",
        "idno",
        "idnumber",
        "identity",
        "passport",
        "sfz",
        "sfzh",
        "shenfenzheng",
    ];
    let w = words(name);
    let joined = w.concat();
    w.iter().any(|x| ALONE.contains(&x.as_str()))
        || joined.contains("phone")
        || joined.contains("idcard")
        || joined.contains("idnumber")
        || joined.contains("identitycard")
        || w.windows(2)
            .any(|p| p[0] == "id" && ["card", "no", "number", "num"].contains(&p[1].as_str()))
}

#[test]
fn the_name_rule_catches_phones_and_id_numbers() {
    for bad in [
        "phone",
        "guardian_phone",
        "mobile",
        "id_card",
        "idCard",
        "id-number",
        "id_no",
        "legal_vp_phone",
        "tel",
        "sfz",
        "passport",
    ] {
        assert!(names_pii(bad), "{bad}");
    }
    for fine in [
        "id",
        "school_id",
        "org_id",
        "q",
        "unmasked",
        "reason",
        "hotel",
        "telemetry",
        "identifier_kind",
        "card_id",
        "page",
    ] {
        assert!(!names_pii(fine), "{fine}");
    }
}

/// The path parameters of a route pattern (`/a/{id}/b/{key}` → id, key).
fn path_params(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect()
}

/// The fields of the structs the web layer reads as a query (`Query<T>` or `Q<T>`), found in
/// the sources: every such struct anywhere in `src/`.
fn query_struct_fields() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from("src")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("src").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push((p.clone(), std::fs::read_to_string(&p).expect("source")));
            }
        }
    }
    let mut names = BTreeSet::new();
    for (p, text) in &files {
        if !p.starts_with("src/web") {
            continue;
        }
        for marker in ["Query<", "Q<"] {
            for piece in text.split(marker).skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name.len() > 1 && name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                    names.insert(name);
                }
            }
        }
    }
    let mut out = Vec::new();
    for name in &names {
        for (_, text) in &files {
            let head = format!("struct {name} {{");
            let Some(at) = text.find(&head) else { continue };
            let body = &text[at + head.len()..];
            let body = &body[..body.find("\n}").unwrap_or(body.len())];
            for line in body.lines() {
                let line = line.trim().trim_start_matches("pub ");
                if line.starts_with("//") || line.starts_with('#') {
                    continue;
                }
                if let Some((field, _)) = line.split_once(':') {
                    let field = field.trim().trim_start_matches("r#");
                    if !field.is_empty()
                        && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        out.push((name.clone(), field.to_string()));
                    }
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn no_route_takes_an_id_number_or_a_phone_in_its_path_or_query() {
    let app = TestApp::new().await;
    let mut bad = Vec::new();
    assert!(
        app.routes.len() > 200,
        "the whole table: {}",
        app.routes.len()
    );
    for r in &app.routes {
        for p in path_params(r.path) {
            if names_pii(&p) {
                bad.push(format!("{} {}: path {{{p}}}", r.method, r.path));
            }
        }
    }
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    let mut query_params = 0;
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap_or_default();
                if p["in"] == "query" {
                    query_params += 1;
                }
                if names_pii(name) {
                    bad.push(format!("{method} {path}: {} {name}", p["in"]));
                }
            }
        }
    }
    assert!(
        query_params > 20,
        "the document's query parameters: {query_params}"
    );
    let fields = query_struct_fields();
    assert!(
        fields
            .iter()
            .any(|(s, f)| s == "RidersQuery" && f == "unmasked"),
        "the query structs are found: {fields:?}"
    );
    for (s, f) in &fields {
        if names_pii(f) {
            bad.push(format!("query struct {s}: {f}"));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

const PHONE: &str = "13987654321";
const ID_NUMBER: &str = "22010219900307123X";

#[tokio::test]
async fn the_access_log_of_requests_carrying_a_phone_holds_none() {
    let logs = Captured::default();
    // The access log (tower_http's request and response events, the request span) and
    // everything of the platform, down to TRACE.
    tracing_subscriber::fmt()
        .with_env_filter("info,sqlx=warn,sea_orm=warn,safecampus=trace,tower_http=trace")
        .with_ansi(false)
        .with_writer(logs.clone())
        .init();
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    // A person with the phone (JSON body), accepted.
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/people"),
            Some(&t),
            &json!({"name": "日志检查", "post": "teacher", "phone": PHONE, "note": ID_NUMBER}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    // Refused: a bad phone and the sentinel in another field (422).
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/people"),
            Some(&t),
            &json!({"name": PHONE, "post": "no-such-post", "phone": format!("{PHONE}x")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // Out of scope (404) with the phone in the body.
    let other = app.org_id("N001").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{other}/people"),
            Some(&t),
            &json!({"name": "日志检查", "post": "teacher", "phone": PHONE}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    // A search typed with the phone: the query is not logged.
    let r = app
        .get(
            &format!("/api/v1/schools/{school}/people?q={PHONE}"),
            Some(&t),
        )
        .await;
    assert!(r.status.is_success() || r.status == StatusCode::UNPROCESSABLE_ENTITY);
    // Without a session, and a form post of a page.
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/people"),
            None,
            &json!({"name": "日志检查", "post": "teacher", "phone": PHONE}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .form(
            &format!("/schools/{school}/people/new"),
            Some(&t),
            &[("name", "日志检查"), ("post", "teacher"), ("phone", PHONE)],
        )
        .await;
    assert!(r.status.as_u16() < 500, "{}", r.status);

    let text = logs.text();
    let access = text.lines().filter(|l| l.contains("/people")).count();
    assert!(access >= 6, "the access log was captured:\n{text}");
    assert!(!text.contains(PHONE), "a phone in the log:\n{text}");
    assert!(!text.contains(ID_NUMBER), "an ID number in the log");
    assert!(!text.contains("13987"), "a phone's prefix in the log");
}
