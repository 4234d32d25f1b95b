//! Responsibility letters and leading groups (F-ORG-4, items 1 and 2 of the work plan): the
//! bureau issues a letter and sees who has not signed; the principal acknowledges it once
//! (twice is 409), the safety director attaches a signed scan of the school, a named person
//! acknowledges a school's post letter; scope (another district's school, a district where a
//! school is expected) is 404, a role's refusal 403, a bad field 422 naming it. Leading
//! groups: gaps at their edges, members from the people register, the legal
//! vice-principal's phone masked for staff.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, expect, fields};
use serde_json::{Value, json};

async fn post(app: &TestApp, t: &str, path: &str, body: Value) -> common::Resp {
    app.json(Method::POST, path, Some(t), &body).await
}

async fn letter(app: &TestApp, t: &str, body: Value) -> Value {
    let r = post(app, t, "/api/v1/responsibility-letters", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

fn sign_path(id: i64) -> String {
    format!("/api/v1/responsibility-letters/{id}/sign")
}

fn schools_of(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["school_id"].as_i64().unwrap())
        .collect()
}

/// A one-page PDF of the school, uploaded through the files pipeline.
async fn scan(app: &TestApp, t: &str, school: i64) -> i64 {
    let b = "----scan-boundary";
    let pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"letter.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(pdf);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/files?school_id={school}"),
            Some(t),
            Some(&format!("multipart/form-data; boundary={b}")),
            body,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_bureau_issues_a_letter_and_each_principal_signs_it_once() {
    let mut app = TestApp::new().await;
    let (ed, s001, s002, n001) = (
        app.org_id("ED").await,
        app.org_id("S001").await,
        app.org_id("S002").await,
        app.org_id("N001").await,
    );
    let officer = app.login("bureau.officer").await;
    let l = letter(
        &app,
        &officer,
        json!({"org_id": ed, "year": 2095, "title": "2095 年安全目标责任书",
            "body": "一、落实安全主体责任……"}),
    )
    .await;
    let id = l["id"].as_i64().unwrap();
    assert_eq!(l["level"], "school");
    let unsigned = schools_of(&l["unsigned"]);
    assert!(unsigned.contains(&s001) && unsigned.contains(&s002));
    assert!(
        !unsigned.contains(&n001),
        "another district's school is not asked"
    );

    // The safety director may not acknowledge for the school; the principal does, once.
    let safety = app.login("s001.safety").await;
    let r = post(&app, &safety, &sign_path(id), json!({})).await;
    expect(&r, 403, "forbidden");
    let principal = app.login("s001.principal").await;
    let r = post(&app, &principal, &sign_path(id), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(
        schools_of(&j["signatures"]),
        vec![s001],
        "a school sees its own row"
    );
    assert_eq!(j["signatures"][0]["method"], "ack");
    assert!(j["unsigned"].as_array().unwrap().is_empty());
    let r = post(&app, &principal, &sign_path(id), json!({})).await;
    expect(&r, 409, "conflict");
    // Another district's principal does not find it; nor does anyone a missing letter.
    let other = app.login("n001.principal").await;
    expect(
        &post(&app, &other, &sign_path(id), json!({})).await,
        404,
        "not_found",
    );
    expect(
        &post(&app, &principal, &sign_path(987_654), json!({})).await,
        404,
        "not_found",
    );
    // The bureau sees who signed and who has not.
    let list = app
        .get("/api/v1/responsibility-letters?year=2095", Some(&officer))
        .await
        .json();
    let mine = &list.as_array().unwrap()[0];
    assert_eq!(schools_of(&mine["signatures"]), vec![s001]);
    assert!(schools_of(&mine["unsigned"]).contains(&s002));
    let x = app
        .get(
            "/api/v1/responsibility-letters/export.xlsx?year=2095",
            Some(&officer),
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.header("content-type").contains("spreadsheetml"));

    // S002's safety director attaches the signed scan of the school; a file of another
    // school is a field error.
    let s2 = app.login("s002.safety").await;
    let foreign = scan(&app, &principal, s001).await;
    let r = post(&app, &s2, &sign_path(id), json!({"file_id": foreign})).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["file_id"]);
    let own = scan(&app, &s2, s002).await;
    let r = post(&app, &s2, &sign_path(id), json!({"file_id": own})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["signatures"][0]["method"], "scan");
}

#[tokio::test]
async fn issuing_is_the_bureau_s_to_schools_and_the_school_s_to_its_people() {
    let mut app = TestApp::new().await;
    let (ed, s001, n001) = (
        app.org_id("ED").await,
        app.org_id("S001").await,
        app.org_id("N001").await,
    );
    let officer = app.login("bureau.officer").await;
    let principal = app.login("s001.principal").await;
    let body = |org: i64| json!({"org_id": org, "year": 2095, "title": "责任书", "body": "职责"});
    // Scope first: another district's school, a district above the school: 404.
    for (t, org) in [(&officer, n001), (&principal, ed), (&principal, n001)] {
        let r = post(&app, t, "/api/v1/responsibility-letters", body(org)).await;
        expect(&r, 404, "not_found");
    }
    // The bureau does not issue a school's post letter; staff issue nothing.
    let r = post(&app, &officer, "/api/v1/responsibility-letters", body(s001)).await;
    expect(&r, 403, "forbidden");
    let staff = app.login("s001.staff").await;
    let r = post(&app, &staff, "/api/v1/responsibility-letters", body(s001)).await;
    expect(&r, 403, "forbidden");
    // Field errors, each named.
    for (patch, field) in [
        (json!({"title": " "}), "title"),
        (json!({"body": ""}), "body"),
        (json!({"year": 1999}), "year"),
        (json!({"person_ids": [1]}), "person_ids"),
    ] {
        let mut b = body(ed);
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let r = post(&app, &officer, "/api/v1/responsibility-letters", b).await;
        assert_eq!(fields(&expect(&r, 422, "invalid")), vec![field]);
    }
    // A school's post letter names people of its register; the named person acknowledges
    // it, the principal cannot for them.
    let r = post(
        &app,
        &principal,
        "/api/v1/responsibility-letters",
        body(s001),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["person_ids"]);
    let me = app.get("/api/v1/me", Some(&staff)).await.json();
    let name = me["display_name"].as_str().unwrap().to_string();
    let p = post(
        &app,
        &principal,
        &format!("/api/v1/schools/{s001}/people"),
        json!({"name": name, "post": "teacher"}),
    )
    .await;
    assert!(p.status.is_success(), "{}", p.text());
    let person = p.json()["id"].as_i64().unwrap();
    let mut b = body(s001);
    b["person_ids"] = json!([person]);
    let l = letter(&app, &principal, b).await;
    assert_eq!(l["level"], "post");
    let id = l["id"].as_i64().unwrap();
    let r = post(
        &app,
        &principal,
        &sign_path(id),
        json!({"person_id": person}),
    )
    .await;
    expect(&r, 403, "forbidden");
    let r = post(&app, &staff, &sign_path(id), json!({})).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["person_id"]);
    let r = post(&app, &staff, &sign_path(id), json!({"person_id": person})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["signatures"][0]["person_id"], person);
    // The bureau reads the school's post letter; another district's principal does not.
    let other = app.login("n001.principal").await;
    let theirs = app
        .get("/api/v1/responsibility-letters?year=2095", Some(&other))
        .await
        .json();
    assert!(theirs.as_array().unwrap().iter().all(|l| l["id"] != id));
    expect(
        &post(&app, &other, &sign_path(id), json!({})).await,
        404,
        "not_found",
    );
    // System roles read no business data.
    let sys = app.login("sysadmin").await;
    let r = app.get("/api/v1/responsibility-letters", Some(&sys)).await;
    expect(&r, 403, "forbidden");
}

fn gaps(g: &Value) -> Vec<String> {
    g["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn leading_groups_and_their_gaps_at_the_edges() {
    let mut app = TestApp::new().await;
    let (ed, s001, n001) = (
        app.org_id("ED").await,
        app.org_id("S001").await,
        app.org_id("N001").await,
    );
    let principal = app.login("s001.principal").await;
    let officer = app.login("bureau.officer").await;
    let path = |o: i64| format!("/api/v1/orgs/{o}/leading-group");
    let people = app
        .get(&format!("/api/v1/schools/{s001}/people"), Some(&principal))
        .await
        .json();
    let p0 = people[0]["id"].as_i64().unwrap();
    let p1 = people[1]["id"].as_i64().unwrap();
    let full = json!({"members": [
            {"role": "leader", "person_id": p0, "duty": "全面负责"},
            {"role": "deputy", "person_id": p1, "duty": "分管安全"}],
        "safety_director": {"person_id": p1},
        "legal_vice_principal": {"name": "赵警官", "unit": "二道派出所", "phone": "13900003333"}});
    let r = app
        .json(Method::PUT, &path(s001), Some(&principal), &full)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let g = r.json();
    assert!(gaps(&g).is_empty(), "{g}");
    let v = g["version"].as_i64().unwrap();
    assert_eq!(g["members"][0]["name"], people[0]["name"]);
    assert_eq!(g["legal_vice_principal"]["phone"], "13900003333");
    // Staff read the phone masked.
    let staff = app.login("s001.staff").await;
    let g = app.get(&path(s001), Some(&staff)).await.json();
    assert_ne!(g["legal_vice_principal"]["phone"], "13900003333");
    // Without the legal vice-principal and the director: two gaps; without a leader, three.
    let mut b = full.clone();
    b["legal_vice_principal"] = Value::Null;
    b["safety_director"] = Value::Null;
    b["version"] = json!(v);
    let g = app
        .json(Method::PUT, &path(s001), Some(&principal), &b)
        .await
        .json();
    assert_eq!(
        gaps(&g),
        vec!["no_safety_director", "no_legal_vice_principal"]
    );
    b["members"] = json!([{"role": "member", "person_id": p0}]);
    b["version"] = json!(v);
    let r = app
        .json(Method::PUT, &path(s001), Some(&principal), &b)
        .await;
    expect(&r, 409, "conflict");
    b["version"] = json!(v + 1);
    let g = app
        .json(Method::PUT, &path(s001), Some(&principal), &b)
        .await
        .json();
    assert_eq!(gaps(&g)[0], "no_leader");
    // Field errors: a member of a school with a register needs a person; one leader only.
    let bad = json!({"members": [{"role": "leader", "name": "某人"}]});
    let r = app
        .json(Method::PUT, &path(s001), Some(&principal), &bad)
        .await;
    assert_eq!(
        fields(&expect(&r, 422, "invalid")),
        vec!["members[0].person_id"]
    );
    let bad = json!({"members": [{"role": "leader", "person_id": p0},
        {"role": "leader", "person_id": p1}]});
    let r = app
        .json(Method::PUT, &path(s001), Some(&principal), &bad)
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["members[1].role"]);
    // Scope and roles: the district is not the principal's (404), another district's school
    // neither; the bureau keeps its own group, not a school's (403); staff may not write.
    let r = app
        .json(Method::PUT, &path(ed), Some(&principal), &full)
        .await;
    expect(&r, 404, "not_found");
    let r = app
        .json(Method::PUT, &path(n001), Some(&principal), &full)
        .await;
    expect(&r, 404, "not_found");
    let r = app
        .json(Method::PUT, &path(s001), Some(&officer), &full)
        .await;
    expect(&r, 403, "forbidden");
    let r = app
        .json(Method::PUT, &path(s001), Some(&staff), &full)
        .await;
    expect(&r, 403, "forbidden");
    // The bureau's own group: named people, no legal vice-principal (a school's).
    let r = app
        .json(Method::PUT, &path(ed), Some(&officer), &full)
        .await;
    let f = fields(&expect(&r, 422, "invalid"));
    assert!(f.contains(&"legal_vice_principal".to_string()), "{f:?}");
    let own = json!({"members": [{"role": "leader", "name": "局长"}]});
    let g = app
        .json(Method::PUT, &path(ed), Some(&officer), &own)
        .await
        .json();
    assert_eq!(gaps(&g), vec!["no_safety_director"]);
    // The bureau's list: every org below it, gaps first; N001 is not among them.
    let list = app
        .get("/api/v1/leading-groups", Some(&officer))
        .await
        .json();
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["org_id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&ed) && ids.contains(&s001) && !ids.contains(&n001));
    assert!(!gaps(&list[0]).is_empty());
    let x = app
        .get("/api/v1/leading-groups/export.xlsx", Some(&officer))
        .await;
    assert_eq!(x.status, StatusCode::OK);
}
