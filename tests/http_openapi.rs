//! The OpenAPI document names every answer a client can get (T-IN-1; scripts/schemathesis.sh
//! fuzzes the running server against it): the gate's and the error policy's statuses on every
//! operation, the public operations without a token, each security scheme defined, and the
//! answers to values that do not parse.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::Value;

const PUBLIC: &[(&str, &str)] = &[("post", "/api/v1/auth/login")];

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            out.push((method.clone(), path.clone(), op.clone()));
        }
    }
    out
}

#[tokio::test]
async fn every_operation_documents_the_gate_and_the_error_policy() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    let ops = operations(&doc);
    assert!(ops.len() > 150, "{}", ops.len());
    for (method, path, op) in &ops {
        let id = format!("{} {path}", method.to_uppercase());
        let responses = op["responses"].as_object().expect("responses");
        let has = |code: &str| responses.contains_key(code);
        let public = PUBLIC.contains(&(method.as_str(), path.as_str()));
        if public {
            assert_eq!(
                op["security"],
                serde_json::json!([{}]),
                "{id} needs no token"
            );
        } else {
            assert!(has("401"), "{id}: 401 undocumented");
        }
        for requirement in op["security"].as_array().into_iter().flatten() {
            for scheme in requirement.as_object().expect("requirement").keys() {
                assert!(
                    schemes.contains_key(scheme),
                    "{id}: scheme {scheme} undefined"
                );
            }
        }
        assert!(has("503"), "{id}: 503 undocumented");
        let takes_input = op["parameters"].as_array().is_some_and(|p| !p.is_empty())
            || op.get("requestBody").is_some();
        if takes_input {
            assert!(has("404") && has("422"), "{id}: 404/422 undocumented");
        }
        if op.get("requestBody").is_some() {
            assert!(has("413"), "{id}: 413 undocumented");
        }
        // An optional query parameter takes a blank value (the same as leaving it out).
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "query" && p["required"] != true {
                let any = p["schema"]["anyOf"].as_array();
                assert!(
                    any.is_some_and(|a| a.iter().any(|s| s["pattern"] == r"^\s*$")),
                    "{id}: {} does not take a blank value",
                    p["name"]
                );
            }
        }
    }
    // Every closed set has its own schema: a hazard's status and a warning's are two.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for name in [
        "HazardStatus",
        "WarningStatus",
        "HazardLevel",
        "WarningLevel",
    ] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
    assert!(!schemas.contains_key("Status"), "an ambiguous schema name");
}

#[tokio::test]
async fn values_that_do_not_parse_are_422_in_the_envelope_and_empty_ones_are_absent() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    // A path id that is not a 64-bit integer.
    for path in ["/api/v1/schools/9223372036854775808", "/api/v1/hazards/abc"] {
        let r = app.get(path, Some(&t)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let ct = r.headers["content-type"].to_str().unwrap();
        assert!(ct.starts_with("application/json"), "{path}: {ct}");
        assert_eq!(r.json()["error"]["code"], "invalid", "{path}");
    }
    let r = app
        .request(
            Method::DELETE,
            "/api/v1/people/x",
            Some(&t),
            None,
            vec![],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A blank query value is the parameter left out; a value that does not parse is 422.
    let all = app.get("/api/v1/schools", Some(&t)).await.json();
    let empty = app
        .get("/api/v1/schools?page=&per_page=%20&org_id=%0D&q=", Some(&t))
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.json()["total"], all["total"]);
    let bad = app.get("/api/v1/schools?per_page=x", Some(&t)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A page past any real one is empty, not an error.
    let far = app
        .get("/api/v1/schools?page=9223372036854775808", Some(&t))
        .await;
    assert_eq!(far.status, StatusCode::OK);
    assert_eq!(far.json()["items"], serde_json::json!([]));
}
