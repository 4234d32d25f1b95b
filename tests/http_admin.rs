mod common;

use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use chrono::{DateTime, Utc};
use common::{PASSWORD, Resp, TestApp};
use serde_json::{Value, json};
use std::net::SocketAddr;
use tower::ServiceExt;

const PEER: [u8; 4] = [203, 0, 113, 7];
const NEW_PW: &str = "Welcome#2024";

/// Asserts an error envelope with this status and code; returns the body.
fn expect(r: &Resp, status: u16, code: &str) -> Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    let j = r.json();
    assert_eq!(j["error"]["code"], code, "{j}");
    j
}

/// `field: message` of each field error.
fn field_msgs(j: &Value) -> Vec<String> {
    let list = j["error"]["fields"].as_array().cloned().unwrap_or_default();
    let line = |f: &Value| format!("{}: {}", f["field"].as_str().unwrap(), f["message"]);
    list.iter().map(line).collect()
}

async fn send(app: &TestApp, m: Method, path: &str, t: &str, body: &Value) -> Resp {
    app.json(m, path, Some(t), body).await
}

/// A request from the peer address `PEER`, as a real connection carries it.
async fn call(app: &TestApp, m: Method, path: &str, t: Option<&str>, body: Value) -> Resp {
    let mut b = Request::builder().method(m).uri(path);
    if let Some(t) = t {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b = b.header("content-type", "application/json");
    let mut req = b.body(Body::from(body.to_string())).unwrap();
    let peer = SocketAddr::from((PEER, 40_000));
    req.extensions_mut().insert(ConnectInfo(peer));
    let res = app.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    let body = body.to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

async fn login_from_peer(app: &TestApp, user: &str) -> String {
    let body = json!({"username": user, "password": PASSWORD});
    let r = call(app, Method::POST, "/api/v1/auth/login", None, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_string()
}

async fn create_user(app: &mut TestApp, as_user: &str, name: &str, password: &str) -> Resp {
    let t = app.login(as_user).await;
    let body = json!({"username": name, "display_name": "新用户", "password": password});
    send(app, Method::POST, "/api/v1/users", &t, &body).await
}

#[tokio::test]
async fn sysadmin_creates_accounts_but_cannot_grant() {
    let mut app = TestApp::new().await;
    let r = create_user(&mut app, "sysadmin", "new.teacher", NEW_PW).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let u = r.json();
    assert_eq!(u["username"], "new.teacher");
    assert_eq!(u["role"], "staff", "no business rights until granted");
    assert!(u["org"].is_null(), "{u}");
    assert_eq!(u["disabled"], false);
    assert_eq!(u["locked"], false);
    assert!(u.get("password_hash").is_none() && u.get("password").is_none());

    // The first sign-in must set a new password.
    let form = [("username", "new.teacher"), ("password", NEW_PW)];
    let body = serde_urlencoded::to_string(form).unwrap().into_bytes();
    let ct = Some("application/x-www-form-urlencoded");
    let r = app
        .request(Method::POST, "/login", None, ct, body, &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/account/password");

    let before = app.fingerprint().await;
    let dup = create_user(&mut app, "sysadmin", "new.teacher", NEW_PW).await;
    let bad = create_user(&mut app, "sysadmin", "Bad Name", NEW_PW).await;
    for (r, text) in [
        (dup, "username: \"该用户名已被使用。\""),
        (bad, "username: \"用户名须为"),
    ] {
        let fields = field_msgs(&expect(&r, 422, "invalid"));
        assert_eq!(fields.len(), 1, "{fields:?}");
        assert!(fields[0].starts_with(text), "{fields:?}");
    }
    let sys = app.login("sysadmin").await;
    let id = u["id"].as_i64().unwrap();
    let grant = json!({"role": "principal", "org_id": app.org_id("S001").await});
    let path = format!("/api/v1/users/{id}/grant");
    expect(
        &send(&app, Method::PUT, &path, &sys, &grant).await,
        403,
        "forbidden",
    );
    assert_eq!(app.fingerprint().await, before);
    let r = app.get(&format!("/api/v1/users/{id}"), Some(&sys)).await;
    assert_eq!(r.json()["role"], "staff");
}

#[tokio::test]
async fn secadmin_grants_role_and_scope_but_creates_no_accounts() {
    let mut app = TestApp::new().await;
    let before = app.fingerprint().await;
    let r = create_user(&mut app, "secadmin", "sec.made", NEW_PW).await;
    expect(&r, 403, "forbidden");
    assert_eq!(app.fingerprint().await, before);
    let sec = app.login("secadmin").await;
    let r = app.get("/api/v1/users", Some(&sec)).await;
    assert_eq!(r.status, StatusCode::OK);
    // The listed demo accounts, plus a principal and a safety director at every other school.
    let listed = safecampus::demo::accounts().len();
    assert_eq!(listed, 20);
    assert_eq!(r.json()["total"], 20 + 2 * (44 - 3), "the demo accounts");

    let r = create_user(&mut app, "sysadmin", "new.head", PASSWORD).await;
    let id = r.json()["id"].as_i64().unwrap();
    let old = app.login("new.head").await;
    let (s001, ed) = (app.org_id("S001").await, app.org_id("ED").await);
    let path = format!("/api/v1/users/{id}/grant");
    // role, org id, expected status (a refusal names org_id)
    let cases = [
        ("principal", Some(ed), 422),
        ("bureau_officer", Some(s001), 422),
        ("city_officer", Some(ed), 422),
        ("principal", None, 422),
        ("bureau_officer", Some(ed), 200),
        ("principal", Some(s001), 200),
    ];
    for (role, org, status) in cases {
        let before = app.fingerprint().await;
        let grant = json!({"role": role, "org_id": org});
        let r = send(&app, Method::PUT, &path, &sec, &grant).await;
        assert_eq!(r.status.as_u16(), status, "{grant}: {}", r.text());
        let j = r.json();
        if status == 422 {
            assert!(field_msgs(&j)[0].starts_with("org_id: "), "{grant}: {j}");
            assert_eq!(app.fingerprint().await, before, "{grant}");
        } else {
            assert_eq!(j["role"], role);
            assert_eq!(j["org"]["id"], json!(org));
        }
    }
    let me = app.get("/api/v1/me", Some(&sec)).await.json();
    let own = format!("/api/v1/users/{}/grant", me["id"]);
    let r = send(
        &app,
        Method::PUT,
        &own,
        &sec,
        &json!({"role": "audit_admin"}),
    )
    .await;
    let fields = field_msgs(&expect(&r, 422, "invalid"));
    assert_eq!(fields, ["role: \"不能对自己的账号执行此操作。\""]);

    // A grant ends the user's sessions; the new scope applies at the next sign-in.
    expect(
        &app.get("/api/v1/me", Some(&old)).await,
        401,
        "unauthorized",
    );
    let t = login_from_peer(&app, "new.head").await;
    // A new account is on its initial password: the API opens after it is changed.
    let change = json!({"current_password": PASSWORD, "new_password": "Head#Passw0rd24"});
    let r = send(&app, Method::POST, "/api/v1/auth/password", &t, &change).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let me = app.get("/api/v1/me", Some(&t)).await.json();
    assert_eq!(me["role"], "principal");
    assert_eq!(me["org"]["id"], s001);
    let list = app.get("/api/v1/schools", Some(&t)).await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["code"], "S001");
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
    let ok = "<p class=\"ok\" id=\"chain-state\">审计日志哈希链校验通过，未发现篡改。</p>";
    assert!(html.contains(ok), "{html}");
    assert!(html.contains("<code>auth.login</code>"));

    let business = [
        "/api/v1/schools".to_string(),
        format!("/api/v1/schools/{s001}"),
        format!("/api/v1/schools/{s001}/people"),
        "/api/v1/orgs".into(),
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
    let other_duties = [
        ("sysadmin", "/api/v1/audit"),
        ("secadmin", "/audit"),
        ("auditadmin", "/api/v1/users"),
        ("auditadmin", "/admin/users"),
    ];
    for (user, path) in other_duties {
        let t = app.login(user).await;
        let r = app.get(path, Some(&t)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} {path}");
    }
}

#[tokio::test]
async fn business_roles_cannot_administer() {
    let mut app = TestApp::new().await;
    let id = app.user_id("s001.staff").await;
    let before = app.fingerprint().await;
    let users = "city.officer bureau.leader bureau.officer bureau.inspector \
        s001.principal s001.safety s001.staff s001.guard";
    let one = format!("/api/v1/users/{id}");
    let reads = [
        "/api/v1/users",
        "/api/v1/audit",
        &one,
        "/admin/users",
        "/audit",
    ];
    let new = json!({"username": "x.y", "display_name": "x", "password": NEW_PW});
    let writes = [
        (Method::POST, "/api/v1/users".to_string(), new),
        (
            Method::POST,
            format!("{one}/account"),
            json!({"op": "enable"}),
        ),
        (
            Method::PUT,
            format!("{one}/grant"),
            json!({"role": "guard"}),
        ),
    ];
    for user in users.split_whitespace() {
        let t = app.login(user).await;
        for path in reads {
            let r = app.get(path, Some(&t)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} {path}");
        }
        for (m, path, body) in &writes {
            let r = send(&app, m.clone(), path, &t, body).await;
            expect(&r, 403, "forbidden");
        }
    }
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn changes_are_audited_with_who_what_when_and_from_where() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let started = Utc::now() - chrono::Duration::seconds(2);
    let principal = Some(login_from_peer(&app, "s001.principal").await);
    let path = format!("/api/v1/schools/{s001}");
    let area = json!({"area_m2": 23456});
    let r = call(&app, Method::PATCH, &path, principal.as_deref(), area).await;
    assert_eq!(r.status, StatusCode::OK);
    let sys = Some(login_from_peer(&app, "sysadmin").await);
    let new = json!({"username": "audit.probe", "display_name": "探针", "password": NEW_PW});
    let r = call(&app, Method::POST, "/api/v1/users", sys.as_deref(), new).await;
    let new_id = r.json()["id"].as_i64().unwrap();
    let sec = Some(login_from_peer(&app, "secadmin").await);
    let grant = json!({"role": "guard", "org_id": s001});
    let path = format!("/api/v1/users/{new_id}/grant");
    let r = call(&app, Method::PUT, &path, sec.as_deref(), grant).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let principal_id = app.user_id("s001.principal").await;
    let (p, n) = (principal_id, new_id);
    // action | username | role | object type and id | detail
    let expected = [
        format!("auth.login|s001.principal|principal|user {p}|api"),
        format!("school.update|s001.principal|principal|school {s001}|changed=area_m2"),
        format!("user.create|sysadmin|sys_admin|user {n}|"),
        format!("user.grant|secadmin|sec_admin|user {n}|role=guard org={s001}"),
    ];
    for want in expected {
        let w: Vec<&str> = want.split('|').collect();
        let (action, user, role) = (w[0], w[1], w[2]);
        let found = app.audit(&format!("action={action}&user={user}")).await;
        let e = &found[0];
        assert_eq!(e["username"], user, "{e}");
        assert_eq!(e["role"], role, "{e}");
        let object = format!("{} {}", e["object_type"], e["object_id"]);
        assert_eq!(object.replace('"', ""), w[3], "{e}");
        assert_eq!(e["result"], "ok", "{e}");
        assert_eq!(e["ip"], "203.0.113.7", "{e}");
        assert_eq!(e["detail"], w[4], "{e}");
        let at: DateTime<Utc> = e["at"].as_str().unwrap().parse().unwrap();
        assert!(at >= started && at <= Utc::now(), "{e}");
        let org = (role == "principal").then_some(s001);
        assert_eq!(e["org_id"], json!(org), "{e}");
    }
}

#[tokio::test]
async fn refused_writes_inside_the_handlers_are_audited_as_denied() {
    let mut app = TestApp::new().await;
    let [s001, s002] = [app.org_id("S001").await, app.org_id("S002").await];
    let id = app.user_id("s001.staff").await;
    let bodies = [
        json!({"students": 5}),
        json!({"role": "guard"}),
        json!({"op": "disable"}),
    ];
    // user | method | path | body | status | audited action and result
    let cases = [
        format!("s001.principal|PATCH|/api/v1/schools/{s002}|0|404|school.update denied_not_found"),
        format!("s001.staff|PATCH|/api/v1/schools/{s001}|0|403|school.update denied"),
        format!("sysadmin|PUT|/api/v1/users/{id}/grant|1|403|user.grant denied"),
        format!("secadmin|POST|/api/v1/users/{id}/account|2|403|user.disable denied"),
    ];
    for case in cases {
        let c: Vec<&str> = case.split('|').collect();
        let (user, m) = (c[0], Method::from_bytes(c[1].as_bytes()).unwrap());
        let t = app.login(user).await;
        let r = send(&app, m, c[2], &t, &bodies[c[3].parse::<usize>().unwrap()]).await;
        assert_eq!(r.status.as_u16().to_string(), c[4], "{case}");
        let e = &app.audit(&format!("result=denied&user={user}")).await[0];
        let got = format!("{} {}", e["action"], e["result"]).replace('"', "");
        assert_eq!(got, c[5], "{e}");
    }
}

#[tokio::test]
async fn refused_writes_at_the_gate_are_audited_as_denied() {
    let mut app = TestApp::new().await;
    let cases = [
        (
            "s001.principal",
            "/api/v1/users",
            json!({"username": "x.y", "display_name": "x"}),
        ),
        (
            "s001.principal",
            "/api/v1/schools",
            json!({"code": "S990", "name": "x"}),
        ),
        (
            "bureau.officer",
            "/api/v1/orgs",
            json!({"code": "XX", "name": "x"}),
        ),
    ];
    for (user, path, body) in cases {
        let query = format!("result=denied&user={user}");
        let before = app.audit(&query).await.len();
        let t = app.login(user).await;
        let r = send(&app, Method::POST, path, &t, &body).await;
        expect(&r, 403, "forbidden");
        let after = app.audit(&query).await;
        assert_eq!(after.len(), before + 1, "{user} POST {path}: not audited");
        assert_eq!(after[0]["username"], user);
    }
}

#[tokio::test]
async fn the_password_policy_explains_each_refusal() {
    let mut app = TestApp::new().await;
    let before = app.fingerprint().await;
    let cases = [
        ("Ab#1xyz", "密码至少 10 位。"),
        (
            "alllowercase1",
            "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。",
        ),
        ("Xy#1new.clerk", "密码不能包含用户名。"),
    ];
    for (password, text) in cases {
        let r = create_user(&mut app, "sysadmin", "new.clerk", password).await;
        let j = expect(&r, 422, "invalid");
        let want = format!("password: \"{text}\"");
        assert_eq!(field_msgs(&j), [want], "{password}");
        let msg = j["error"]["message"].as_str().unwrap();
        assert!(msg.contains(&format!("密码: {text}")), "{j}");
    }
    // System administrators need 12 characters (their own change: no system role resets
    // another's password on the web).
    let t = app.login("secadmin").await;
    let change = json!({"current_password": PASSWORD, "new_password": "Abcdef#1234"});
    let r = send(&app, Method::POST, "/api/v1/auth/password", &t, &change).await;
    let fields = field_msgs(&expect(&r, 422, "invalid"));
    assert_eq!(fields, ["new_password: \"密码至少 12 位。\""]);
    assert_eq!(app.fingerprint().await, before);
}
