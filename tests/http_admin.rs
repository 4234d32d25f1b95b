mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use common::{PASSWORD, Resp, TestApp};
use serde_json::{Value, json};
use std::net::SocketAddr;
use tower::ServiceExt;

const PEER: [u8; 4] = [203, 0, 113, 7];

/// Asserts an error envelope with this status and code; returns the body.
fn expect(r: &Resp, status: u16, code: &str) -> Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    let j = r.json();
    assert_eq!(j["error"]["code"], code, "{j}");
    j
}

fn field_msgs(j: &Value) -> Vec<(String, String)> {
    let list = j["error"]["fields"].as_array().cloned().unwrap_or_default();
    let pair = |f: &Value| {
        (
            f["field"].as_str().unwrap().into(),
            f["message"].as_str().unwrap().into(),
        )
    };
    list.iter().map(pair).collect()
}

/// A request from the peer address `PEER`, as a real connection would carry it.
async fn call(app: &TestApp, m: Method, path: &str, t: Option<&str>, body: Option<Value>) -> Resp {
    let mut b = Request::builder().method(m).uri(path);
    if let Some(t) = t {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let body = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Body::from(serde_json::to_vec(&v).unwrap())
        }
        None => Body::empty(),
    };
    let mut req = b.body(body).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((PEER, 40_000))));
    let res = app.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

async fn login_from_peer(app: &TestApp, user: &str) -> String {
    let body = json!({"username": user, "password": PASSWORD});
    let r = call(app, Method::POST, "/api/v1/auth/login", None, Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_string()
}

async fn user_id(app: &mut TestApp, username: &str) -> i64 {
    let t = app.login("sysadmin").await;
    let r = app
        .get(&format!("/api/v1/users?q={username}"), Some(&t))
        .await;
    let j = r.json();
    let items = j["items"].as_array().unwrap();
    let u = items
        .iter()
        .find(|u| u["username"] == username)
        .expect("user");
    u["id"].as_i64().unwrap()
}

async fn audit(app: &mut TestApp, query: &str) -> Vec<Value> {
    let t = app.login("auditadmin").await;
    let r = app.get(&format!("/api/v1/audit?{query}"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

async fn create_user(app: &mut TestApp, as_user: &str, name: &str, password: &str) -> Resp {
    let t = app.login(as_user).await;
    let body = json!({"username": name, "display_name": "新用户", "password": password});
    app.json(Method::POST, "/api/v1/users", Some(&t), &body)
        .await
}

#[tokio::test]
async fn sysadmin_creates_accounts_but_cannot_grant() {
    let mut app = TestApp::new().await;
    let r = create_user(&mut app, "sysadmin", "new.teacher", "Welcome#2024").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let u = r.json();
    assert_eq!(u["username"], "new.teacher");
    assert_eq!(u["role"], "staff", "no business rights until granted");
    assert!(u["org"].is_null(), "{u}");
    assert_eq!(
        (&u["disabled"], &u["locked"]),
        (&json!(false), &json!(false))
    );
    assert!(u.get("password_hash").is_none() && u.get("password").is_none());

    // The first sign-in must set a new password.
    let form =
        serde_urlencoded::to_string([("username", "new.teacher"), ("password", "Welcome#2024")]);
    let body = form.unwrap().into_bytes();
    let ct = Some("application/x-www-form-urlencoded");
    let r = app
        .request(Method::POST, "/login", None, ct, body, &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/account/password");

    let before = app.fingerprint().await;
    let dup = create_user(&mut app, "sysadmin", "new.teacher", "Welcome#2024").await;
    let bad = create_user(&mut app, "sysadmin", "Bad Name", "Welcome#2024").await;
    for (r, text) in [(dup, "该用户名已被使用。"), (bad, "用户名须为 3 至 32 位")] {
        let fields = field_msgs(&expect(&r, 422, "invalid"));
        assert_eq!(fields.len(), 1, "{fields:?}");
        assert_eq!(fields[0].0, "username");
        assert!(fields[0].1.starts_with(text), "{fields:?}");
    }
    let sys = app.login("sysadmin").await;
    let id = u["id"].as_i64().unwrap();
    let grant = json!({"role": "principal", "org_id": app.org_id("S001").await});
    let r = app
        .json(
            Method::PUT,
            &format!("/api/v1/users/{id}/grant"),
            Some(&sys),
            &grant,
        )
        .await;
    expect(&r, 403, "forbidden");
    assert_eq!(app.fingerprint().await, before);
    let r = app.get(&format!("/api/v1/users/{id}"), Some(&sys)).await;
    assert_eq!(r.json()["role"], "staff");
}

#[tokio::test]
async fn secadmin_grants_role_and_scope_but_creates_no_accounts() {
    let mut app = TestApp::new().await;
    let before = app.fingerprint().await;
    let r = create_user(&mut app, "secadmin", "sec.made", "Welcome#2024").await;
    expect(&r, 403, "forbidden");
    assert_eq!(app.fingerprint().await, before);
    let sec = app.login("secadmin").await;
    let r = app.get("/api/v1/users", Some(&sec)).await;
    assert_eq!(
        (r.status, r.json()["total"].clone()),
        (StatusCode::OK, json!(20))
    );

    let r = create_user(&mut app, "sysadmin", "new.head", PASSWORD).await;
    let id = r.json()["id"].as_i64().unwrap();
    let old = app.login("new.head").await;
    let (s001, ed) = (app.org_id("S001").await, app.org_id("ED").await);
    let grant_path = format!("/api/v1/users/{id}/grant");
    // role, org id, expected status, field in error
    let cases = [
        ("principal", Some(ed), 422, "org_id"),
        ("bureau_officer", Some(s001), 422, "org_id"),
        ("city_officer", Some(ed), 422, "org_id"),
        ("principal", None, 422, "org_id"),
        ("bureau_officer", Some(ed), 200, ""),
        ("principal", Some(s001), 200, ""),
    ];
    for (role, org, status, field) in cases {
        let before = app.fingerprint().await;
        let r = app
            .json(
                Method::PUT,
                &grant_path,
                Some(&sec),
                &json!({"role": role, "org_id": org}),
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "{role} {org:?}: {}", r.text());
        if status == 422 {
            let fields = field_msgs(&r.json());
            assert_eq!(fields[0].0, field, "{role} {org:?}");
            assert_eq!(app.fingerprint().await, before, "{role} {org:?}");
        } else {
            assert_eq!(
                (&r.json()["role"], &r.json()["org"]["id"]),
                (&json!(role), &json!(org))
            );
        }
    }
    let me = app.get("/api/v1/me", Some(&sec)).await.json();
    let own = format!("/api/v1/users/{}/grant", me["id"]);
    let r = app
        .json(
            Method::PUT,
            &own,
            Some(&sec),
            &json!({"role": "audit_admin"}),
        )
        .await;
    let fields = field_msgs(&expect(&r, 422, "invalid"));
    assert_eq!(
        fields,
        [(
            "role".to_string(),
            "不能对自己的账号执行此操作。".to_string()
        )]
    );

    // A grant ends the user's sessions; the new scope applies at the next sign-in.
    expect(
        &app.get("/api/v1/me", Some(&old)).await,
        401,
        "unauthorized",
    );
    let t = login_from_peer(&app, "new.head").await;
    let me = app.get("/api/v1/me", Some(&t)).await.json();
    assert_eq!(
        (&me["role"], &me["org"]["id"]),
        (&json!("principal"), &json!(s001))
    );
    let list = app.get("/api/v1/schools", Some(&t)).await.json();
    assert_eq!(
        (&list["total"], &list["items"][0]["code"]),
        (&json!(1), &json!("S001"))
    );
}

#[tokio::test]
async fn only_the_audit_admin_reads_the_log_and_no_system_role_sees_schools() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let audit_t = app.login("auditadmin").await;
    let r = app.get("/api/v1/audit", Some(&audit_t)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.json()["total"].as_u64().unwrap() >= 2,
        "the sign-ins so far"
    );
    let r = app.get("/audit", Some(&audit_t)).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    let verified = "<p class=\"ok\" id=\"chain-state\">审计日志哈希链校验通过，未发现篡改。</p>";
    assert!(html.contains(verified), "{html}");
    assert!(html.contains("<code>auth.login</code>"));

    let business = [
        "/api/v1/schools".to_string(),
        format!("/api/v1/schools/{s001}"),
        format!("/api/v1/schools/{s001}/people"),
        "/schools".into(),
        format!("/schools/{s001}"),
    ];
    for user in ["sysadmin", "secadmin", "auditadmin"] {
        let t = app.login(user).await;
        for path in &business {
            let r = app.get(path, Some(&t)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} {path}");
            assert!(!r.text().contains("春华"), "{user} {path}");
        }
    }
    for (user, path) in [
        ("sysadmin", "/api/v1/audit"),
        ("secadmin", "/audit"),
        ("auditadmin", "/api/v1/users"),
    ] {
        let t = app.login(user).await;
        assert_eq!(
            app.get(path, Some(&t)).await.status,
            StatusCode::FORBIDDEN,
            "{user} {path}"
        );
    }
}

#[tokio::test]
async fn business_roles_cannot_administer() {
    let mut app = TestApp::new().await;
    let id = user_id(&mut app, "s001.staff").await;
    let before = app.fingerprint().await;
    let users = [
        "city.officer",
        "bureau.leader",
        "bureau.officer",
        "bureau.inspector",
        "s001.principal",
        "s001.safety",
        "s001.staff",
        "s001.guard",
    ];
    let new = json!({"username": "x.y", "display_name": "x", "password": "Welcome#2024"});
    for user in users {
        let t = app.login(user).await;
        for path in [
            "/api/v1/users",
            "/api/v1/audit",
            &format!("/api/v1/users/{id}"),
            "/admin/users",
            "/audit",
        ] {
            assert_eq!(
                app.get(path, Some(&t)).await.status,
                StatusCode::FORBIDDEN,
                "{user} {path}"
            );
        }
        let writes = [
            (Method::POST, "/api/v1/users".to_string(), new.clone()),
            (
                Method::POST,
                format!("/api/v1/users/{id}/account"),
                json!({"op": "disable"}),
            ),
            (
                Method::PUT,
                format!("/api/v1/users/{id}/grant"),
                json!({"role": "principal"}),
            ),
        ];
        for (m, path, body) in writes {
            let r = app.json(m, &path, Some(&t), &body).await;
            expect(&r, 403, "forbidden");
        }
    }
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn changes_are_audited_with_who_what_when_and_from_where() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let started = chrono::Utc::now() - chrono::Duration::seconds(2);
    let principal = login_from_peer(&app, "s001.principal").await;
    let patch = json!({"area_m2": 23456});
    let r = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/schools/{s001}"),
        Some(&principal),
        Some(patch),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let sys = login_from_peer(&app, "sysadmin").await;
    let new =
        json!({"username": "audit.probe", "display_name": "探针", "password": "Welcome#2024"});
    let r = call(&app, Method::POST, "/api/v1/users", Some(&sys), Some(new)).await;
    let new_id = r.json()["id"].as_i64().unwrap();
    let sec = login_from_peer(&app, "secadmin").await;
    let grant = json!({"role": "guard", "org_id": s001});
    let r = call(
        &app,
        Method::PUT,
        &format!("/api/v1/users/{new_id}/grant"),
        Some(&sec),
        Some(grant),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let principal_id = user_id(&mut app, "s001.principal").await;
    // action, username, role, object type, object id, detail
    let expected = [
        (
            "auth.login",
            "s001.principal",
            "principal",
            "user",
            principal_id.to_string(),
            "api".to_string(),
        ),
        (
            "school.update",
            "s001.principal",
            "principal",
            "school",
            s001.to_string(),
            "changed=area_m2".into(),
        ),
        (
            "user.create",
            "sysadmin",
            "sys_admin",
            "user",
            new_id.to_string(),
            String::new(),
        ),
        (
            "user.grant",
            "secadmin",
            "sec_admin",
            "user",
            new_id.to_string(),
            format!("role=guard org={s001}"),
        ),
    ];
    for (action, user, role, otype, oid, detail) in expected {
        let found = audit(&mut app, &format!("action={action}&user={user}")).await;
        let e = &found[0];
        assert_eq!(
            (e["username"].as_str(), e["role"].as_str()),
            (Some(user), Some(role)),
            "{e}"
        );
        assert_eq!(
            (e["object_type"].as_str(), e["object_id"].as_str()),
            (Some(otype), Some(oid.as_str())),
            "{e}"
        );
        assert_eq!(e["result"], "ok", "{e}");
        assert_eq!(e["ip"], "203.0.113.7", "{e}");
        assert_eq!(e["detail"], detail, "{e}");
        let at: chrono::DateTime<chrono::Utc> = e["at"].as_str().unwrap().parse().unwrap();
        assert!(at >= started && at <= chrono::Utc::now(), "{e}");
        let org = if role == "principal" {
            json!(s001)
        } else {
            Value::Null
        };
        assert_eq!(e["org_id"], org, "{e}");
    }
}

#[tokio::test]
async fn refused_writes_inside_the_handlers_are_audited_as_denied() {
    let mut app = TestApp::new().await;
    let [s001, s002] = [app.org_id("S001").await, app.org_id("S002").await];
    let id = user_id(&mut app, "s001.staff").await;
    let five = json!({"students": 5});
    let cases = [
        (
            "s001.principal",
            Method::PATCH,
            format!("/api/v1/schools/{s002}"),
            five.clone(),
            404,
            "denied_not_found",
            "school.update",
        ),
        (
            "s001.staff",
            Method::PATCH,
            format!("/api/v1/schools/{s001}"),
            five,
            403,
            "denied",
            "school.update",
        ),
        (
            "sysadmin",
            Method::PUT,
            format!("/api/v1/users/{id}/grant"),
            json!({"role": "guard"}),
            403,
            "denied",
            "user.grant",
        ),
        (
            "secadmin",
            Method::POST,
            format!("/api/v1/users/{id}/account"),
            json!({"op": "disable"}),
            403,
            "denied",
            "user.disable",
        ),
    ];
    for (user, m, path, body, status, result, action) in cases {
        let t = app.login(user).await;
        let r = app.json(m, &path, Some(&t), &body).await;
        assert_eq!(r.status.as_u16(), status, "{user} {path}");
        let e = &audit(&mut app, &format!("result=denied&user={user}")).await[0];
        assert_eq!(
            (e["action"].as_str(), e["result"].as_str()),
            (Some(action), Some(result)),
            "{e}"
        );
    }
}

#[tokio::test]
#[ignore = "BUG: writes refused by the gate (routes without an id, e.g. POST /api/v1/users as a principal) leave no audit entry"]
async fn refused_writes_at_the_gate_are_audited_as_denied() {
    let mut app = TestApp::new().await;
    let cases = [
        (
            "s001.principal",
            "/api/v1/users",
            json!({"username": "x.y", "display_name": "x", "password": "Welcome#2024"}),
        ),
        (
            "s001.principal",
            "/api/v1/schools",
            json!({"code": "S990", "name": "x", "kind": "primary"}),
        ),
        (
            "bureau.officer",
            "/api/v1/orgs",
            json!({"code": "XX", "name": "x", "kind": "district"}),
        ),
    ];
    for (user, path, body) in cases {
        let query = format!("result=denied&user={user}");
        let before = audit(&mut app, &query).await.len();
        let t = app.login(user).await;
        expect(
            &app.json(Method::POST, path, Some(&t), &body).await,
            403,
            "forbidden",
        );
        let after = audit(&mut app, &query).await;
        assert_eq!(
            after.len(),
            before + 1,
            "{user} POST {path}: the refusal is not audited"
        );
        assert_eq!(after[0]["username"], user);
    }
}

#[tokio::test]
async fn the_password_policy_explains_each_refusal() {
    let mut app = TestApp::new().await;
    let before = app.fingerprint().await;
    let cases = [
        ("Ab#1xyz", "密码至少 8 位。"),
        (
            "alllowercase1",
            "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。",
        ),
        ("Xy#1new.clerk", "密码不能包含用户名。"),
    ];
    for (password, text) in cases {
        let r = create_user(&mut app, "sysadmin", "new.clerk", password).await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(
            field_msgs(&j),
            [("password".to_string(), text.to_string())],
            "{password}"
        );
        assert!(
            j["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("密码: {text}")),
            "{j}"
        );
    }
    // System administrators need 12 characters.
    let id = user_id(&mut app, "secadmin").await;
    let t = app.login("sysadmin").await;
    let reset = json!({"op": "reset_password", "password": "Abcdef#1234"});
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/users/{id}/account"),
            Some(&t),
            &reset,
        )
        .await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(field_msgs(&j)[0].1, "系统管理角色的密码至少 12 位。");
    assert_eq!(app.fingerprint().await, before);
}
