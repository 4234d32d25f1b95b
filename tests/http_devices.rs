//! The device registry of the early warning (F-WARN-1): a school's safety director registers
//! devices in the school's zones and at its risk points, gets each token once, rotates and
//! revokes it; other schools' zones, points and devices are refused; every change is audited.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{Value, json};

async fn first_id(app: &TestApp, path: &str, token: &str) -> i64 {
    let r = app.get(path, Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    let v: Value = r.json();
    let list = v["items"]
        .as_array()
        .or(v.as_array())
        .cloned()
        .expect("a list");
    list[0]["id"].as_i64().expect("an id")
}

fn fields(r: &common::Resp) -> Vec<String> {
    let v: Value = r.json();
    v["error"]["fields"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|f| f["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(s.as_bytes()))
}

async fn stored_token_hash(app: &TestApp, id: i64) -> Option<String> {
    use sea_orm::ConnectionTrait;
    let raw = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    let row = raw
        .query_one_raw(sea_orm::Statement::from_string(
            raw.get_database_backend(),
            format!("SELECT token_hash FROM devices WHERE id = {id}"),
        ))
        .await
        .expect("query")
        .expect("the device");
    row.try_get::<Option<String>>("", "token_hash")
        .expect("column")
}

#[tokio::test]
async fn a_safety_director_registers_a_device_and_gets_its_token_once() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let zone = first_id(&app, &format!("/api/v1/schools/{s001}/zones"), &t).await;
    let point = first_id(&app, &format!("/api/v1/schools/{s001}/risk-points"), &t).await;
    let path = format!("/api/v1/schools/{s001}/devices");
    let body = json!({"code": "YG-3F-01", "kind": "smoke", "name": "三楼走廊烟感",
        "zone_id": zone, "risk_point_id": point});
    let r = app.json(Method::POST, &path, Some(&t), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d: Value = r.json();
    let token = d["token"].as_str().expect("the token").to_string();
    assert!(token.len() >= 32, "a long random token");
    assert_eq!(d["school_id"], s001);
    assert_eq!(d["kind"], "smoke");
    assert_eq!(d["zone_id"], zone);
    assert_eq!(d["risk_point_id"], point);
    assert_eq!(d["online"], false, "never seen: offline");
    assert!(d["last_seen_at"].is_null());
    assert_eq!(d["has_token"], true);
    let id = d["id"].as_i64().unwrap();

    // Read back: the token is never shown again, nor stored as given.
    let one = app.get(&format!("/api/v1/devices/{id}"), Some(&t)).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(!one.text().contains(&token));
    let list = app.get(&path, Some(&t)).await;
    assert!(!list.text().contains(&token));
    let listed = list.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.iter().filter(|d| d["id"] == id).count(), 1);
    assert!(listed.iter().all(|d| d.get("token").is_none()));
    // Only the token's SHA-256 is stored.
    let stored = stored_token_hash(&app, id).await;
    assert_eq!(stored.as_deref(), Some(sha256_hex(&token).as_str()));

    // The same code again at the school is a field error; at another school it is free.
    let r = app.json(Method::POST, &path, Some(&t), &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), ["code"]);

    // Rotate: a new token, different from the first; revoke: none in force.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/devices/{id}/token"),
            Some(&t),
            None,
            vec![],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let second = r.json()["token"].as_str().unwrap().to_string();
    assert_ne!(second, token);
    let stored = stored_token_hash(&app, id).await;
    assert_eq!(
        stored.as_deref(),
        Some(sha256_hex(&second).as_str()),
        "the old one is gone"
    );
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/devices/{id}"),
            Some(&t),
            &json!({"revoked": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["has_token"], false);
    assert!(r.json()["token_issued_at"].is_null());
    assert_eq!(stored_token_hash(&app, id).await, None, "no token in force");
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/devices/{id}"),
            Some(&t),
            &json!({"revoked": false}),
        )
        .await;
    assert_eq!(
        fields(&r),
        ["revoked"],
        "a revoke is undone by a new token only"
    );

    // Move it out of its zone and off its point; rename it.
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/devices/{id}"),
            Some(&t),
            &json!({"zone_id": null, "risk_point_id": null, "name": "三楼烟感"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d: Value = r.json();
    assert!(d["zone_id"].is_null() && d["risk_point_id"].is_null());
    assert_eq!(d["name"], "三楼烟感");
    assert_eq!(d["code"], "YG-3F-01", "fields left out stay");

    let r = app
        .get(&format!("/api/v1/devices/{id}/rejections"), Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!([]));

    for a in [
        "device.create",
        "device.token",
        "device.revoke",
        "device.update",
    ] {
        let e = app.audit(&format!("action={a}")).await;
        assert!(!e.is_empty(), "{a} audited");
        assert_eq!(e[0]["result"], "ok", "{a}");
    }
}

#[tokio::test]
async fn places_and_codes_are_checked_and_other_schools_are_not_found() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.safety").await;
    let city = app.login("city.officer").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let ed = app.org_id("ED").await;
    let other_zone = first_id(&app, &format!("/api/v1/schools/{s002}/zones"), &city).await;
    let other_point = first_id(&app, &format!("/api/v1/schools/{s002}/risk-points"), &city).await;
    let path = format!("/api/v1/schools/{s001}/devices");
    let before = app.fingerprint().await;

    let bad = [
        (
            json!({"code": "A B", "kind": "gas", "name": "x"}),
            vec!["code"],
        ),
        (
            json!({"code": "G1", "kind": "gas", "name": "  "}),
            vec!["name"],
        ),
        (
            json!({"code": "G1", "kind": "gas", "name": "x".repeat(65)}),
            vec!["name"],
        ),
        (
            json!({"code": "G1", "kind": "gas", "name": "燃气", "zone_id": other_zone,
                "risk_point_id": other_point}),
            vec!["zone_id", "risk_point_id"],
        ),
        (
            json!({"code": "G1", "kind": "gas", "name": "燃气", "zone_id": 987654}),
            vec!["zone_id"],
        ),
    ];
    for (body, want) in bad {
        let r = app.json(Method::POST, &path, Some(&t), &body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        assert_eq!(fields(&r), want, "{body}");
    }
    // An unknown kind or field is refused before anything is looked at.
    for body in [
        json!({"code": "G1", "kind": "toaster", "name": "x"}),
        json!({"code": "G1", "kind": "gas", "name": "x", "token": "mine"}),
    ] {
        let r = app.json(Method::POST, &path, Some(&t), &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let ok = json!({"code": "G1", "kind": "gas", "name": "厨房燃气"});
    // A district is not a school; another school is out of a school user's scope.
    for school in [ed, s002] {
        let r = app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{school}/devices"),
                Some(&t),
                &ok,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{ed}/devices"),
            Some(&city),
            &ok,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a district has no devices");
    assert_eq!(app.fingerprint().await, before, "nothing stored");

    // The bureau registers one at S002; S001's people do not see it.
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s002}/devices"),
            Some(&city),
            &ok,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let theirs = r.json()["id"].as_i64().unwrap();
    for (m, p) in [
        (Method::GET, format!("/api/v1/devices/{theirs}")),
        (Method::GET, format!("/api/v1/devices/{theirs}/rejections")),
        (Method::POST, format!("/api/v1/devices/{theirs}/token")),
        (Method::PATCH, format!("/api/v1/devices/{theirs}")),
    ] {
        let r = app.json(m.clone(), &p, Some(&t), &json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {p}");
    }
    // A guard reads the school's devices but does not manage them.
    let guard = app.login("s001.guard").await;
    assert_eq!(app.get(&path, Some(&guard)).await.status, StatusCode::OK);
    let r = app.json(Method::POST, &path, Some(&guard), &ok).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The school's device page: the list in Chinese and English, registering a device shows its
/// token on the answering page once, replacing shows a new one, revoking marks it.
#[tokio::test]
async fn the_device_page_registers_and_shows_the_token_once() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let page = format!("/schools/{s001}/devices");
    let r = app.get(&page, Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("物联设备") && r.text().contains("登记设备"));
    let r = app
        .form(
            &format!("/schools/{s001}/devices/new"),
            Some(&t),
            &[
                ("code", "SW-T-09"),
                ("name", "池塘水位计"),
                ("kind", "water_level"),
                ("zone_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("id=\"device-token\""), "the token is shown");
    let list = app
        .get(&format!("/api/v1/schools/{s001}/devices"), Some(&t))
        .await
        .json();
    let d = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "SW-T-09")
        .unwrap()
        .clone();
    let id = d["id"].as_i64().unwrap();
    let token = token_on(&html);
    assert_eq!(
        stored_token_hash(&app, id).await.as_deref(),
        Some(sha256_hex(&token).as_str()),
        "the page shows the token in force"
    );
    let again = app.get(&page, Some(&t)).await.text();
    assert!(again.contains("池塘水位计") && again.contains("水位监测仪") && again.contains("离线"));
    assert!(!again.contains(&token), "shown once");

    let r = app
        .form(&format!("/devices/{id}/token"), Some(&t), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let second = token_on(&r.text());
    assert_ne!(second, token);
    let r = app
        .form(&format!("/devices/{id}/revoke"), Some(&t), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), page);
    assert!(app.get(&page, Some(&t)).await.text().contains("已停用"));
    assert_eq!(stored_token_hash(&app, id).await, None);

    // A bad code is shown on the form, in the page's language.
    let r = app
        .form(
            &format!("/schools/{s001}/devices/new"),
            Some(&t),
            &[("code", "带 空格"), ("name", "x"), ("kind", "gas")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("设备编号须为"));
    let en = app
        .request(
            Method::GET,
            &page,
            Some(&t),
            None,
            vec![],
            &[("cookie", "lang=en")],
        )
        .await
        .text();
    assert!(
        en.contains("Register a device") && en.contains("Water-level sensor"),
        "{en}"
    );
    // The school page leads there.
    let school = app.get(&format!("/schools/{s001}"), Some(&t)).await.text();
    assert!(school.contains(&format!("href=\"/schools/{s001}/devices\"")));
}

fn token_on(html: &str) -> String {
    let at = html.find("<code class=\"token\">").expect("a token") + "<code class=\"token\">".len();
    html[at..at + html[at..].find('<').unwrap()].to_string()
}
