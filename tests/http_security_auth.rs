//! Sign-in and account security: the 三员 accounts cannot take each other over on the web, a
//! temporary password is enforced on the API, the sign-in throttle (by address and by
//! address+account, in the database) locks nobody out from elsewhere and answers every refusal
//! alike, redirect targets stay on the site, a password change ends the other sessions, and
//! `/metrics` needs its token.

mod common;

use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, Resp, TestApp, expect, msg};
use safecampus::config::Config;
use serde_json::json;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const WRONG: &str = "Wrong#Pass2021";
const TEMP: &str = "Temp#Pass2024";
const FRESH: &str = "Fresh#Pass2024";
const FORM: &str = "application/x-www-form-urlencoded";

/// A request from the client address `ip`, as a real connection carries it.
async fn from(
    router: &axum::Router,
    ip: [u8; 4],
    m: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Resp {
    let mut b = Request::builder().method(m).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let mut req = b.body(Body::from(body)).unwrap();
    let peer = SocketAddr::from((ip, 40_000));
    req.extensions_mut().insert(ConnectInfo(peer));
    let res = router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

/// `POST /api/v1/auth/login` from `ip`.
async fn login_from(router: &axum::Router, ip: [u8; 4], user: &str, password: &str) -> Resp {
    let body = json!({"username": user, "password": password}).to_string();
    let h = [("content-type", "application/json")];
    let path = "/api/v1/auth/login";
    from(router, ip, Method::POST, path, &h, body.into_bytes()).await
}

fn token_of(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_string()
}

/// Signs in through the form; returns `sc_session=…` and the page's CSRF token.
async fn cookie_session(app: &TestApp, user: &str, password: &str) -> (String, String) {
    let body = serde_urlencoded::to_string([("username", user), ("password", password)]).unwrap();
    let r = app
        .request(
            Method::POST,
            "/login",
            None,
            Some(FORM),
            body.into_bytes(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sc_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = app
        .request(
            Method::GET,
            "/account/password",
            None,
            None,
            vec![],
            &[("cookie", &cookie)],
        )
        .await;
    let csrf = TestApp::form_token(&page.text());
    (cookie, csrf)
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, pairs: &[(&str, &str)]) -> Resp {
    let body = serde_urlencoded::to_string(pairs).unwrap().into_bytes();
    let h = [("cookie", cookie)];
    app.request(Method::POST, path, None, Some(FORM), body, &h)
        .await
}

// 1. The system admin cannot take over the other two 三员.

#[tokio::test]
async fn the_users_page_offers_no_step_on_a_system_account() {
    let mut app = TestApp::new().await;
    for admin in ["sysadmin", "secadmin"] {
        let (cookie, _) = cookie_session(&app, admin, PASSWORD).await;
        let h = [("cookie", cookie.as_str())];
        let html = app
            .request(
                Method::GET,
                "/admin/users?per_page=200",
                None,
                None,
                vec![],
                &h,
            )
            .await
            .text();
        for system in ["secadmin", "auditadmin", "sysadmin"] {
            let id = app.user_id(system).await;
            for form in ["account", "grant"] {
                let action = format!("action=\"/admin/users/{id}/{form}\"");
                assert!(
                    !html.contains(&action),
                    "{admin} is offered {form} on {system}"
                );
            }
        }
        let business = app.user_id("s001.guard").await;
        let form = if admin == "sysadmin" {
            "account"
        } else {
            "grant"
        };
        let action = format!("action=\"/admin/users/{business}/{form}\"");
        assert!(html.contains(&action), "{admin} manages business accounts");
        assert!(
            html.contains("safecampus admin set-password"),
            "says where it is done"
        );
    }
}

#[tokio::test]
async fn the_login_page_states_the_configured_pause() {
    let mut config = Config::default();
    config.security.max_failures = 7;
    config.security.lockout_minutes = 45;
    let app = TestApp::with_config(config).await;
    let html = app
        .request(Method::GET, "/login", None, None, vec![], &[])
        .await
        .text();
    assert!(
        html.contains("连续输错密码 7 次") && html.contains("45 分钟"),
        "{html}"
    );
}

#[tokio::test]
async fn no_system_role_manages_another_system_account_on_the_web() {
    let mut app = TestApp::new().await;
    let sec_id = app.user_id("secadmin").await;
    let audit_id = app.user_id("auditadmin").await;
    let sys_id = app.user_id("sysadmin").await;
    let staff_id = app.user_id("s001.staff").await;
    let sys = app.login("sysadmin").await;
    let sec = app.login("secadmin").await;
    let before = app.fingerprint().await;
    let reset = json!({"op": "reset_password", "password": "Taken#Over2024x"});
    let account = |id: i64| format!("/api/v1/users/{id}/account");
    let grant = |id: i64| format!("/api/v1/users/{id}/grant");
    // who | method | path | body | audited action
    let cases = [
        (
            "sysadmin",
            Method::POST,
            account(sec_id),
            reset.clone(),
            "user.reset_password",
        ),
        (
            "sysadmin",
            Method::POST,
            account(audit_id),
            reset.clone(),
            "user.reset_password",
        ),
        (
            "secadmin",
            Method::POST,
            format!("/api/v1/users/{sys_id}/unlock"),
            json!({}),
            "user.unlock",
        ),
        (
            "sysadmin",
            Method::POST,
            account(audit_id),
            json!({"op": "disable"}),
            "user.disable",
        ),
        (
            "sysadmin",
            Method::POST,
            account(audit_id),
            json!({"op": "enable"}),
            "user.enable",
        ),
        (
            "secadmin",
            Method::PUT,
            grant(sys_id),
            json!({"role": "staff"}),
            "user.grant",
        ),
        (
            "secadmin",
            Method::PUT,
            grant(audit_id),
            json!({"role": "guard"}),
            "user.grant",
        ),
        // Nor can a business account be made a system administrator or auditor.
        (
            "secadmin",
            Method::PUT,
            grant(staff_id),
            json!({"role": "audit_admin"}),
            "user.grant",
        ),
        (
            "secadmin",
            Method::PUT,
            grant(staff_id),
            json!({"role": "sys_admin"}),
            "user.grant",
        ),
    ];
    for (who, m, path, body, action) in &cases {
        let t = if *who == "sysadmin" { &sys } else { &sec };
        let r = app.json(m.clone(), path, Some(t), body).await;
        let j = expect(&r, 403, "forbidden");
        let text = msg(&j);
        assert!(text.contains("命令行"), "{m} {path} {body}: {j}");
        assert_eq!(app.fingerprint().await, before, "{m} {path} {body}");
        let e = &app.audit(&format!("result=denied&user={who}")).await[0];
        assert_eq!(e["action"], *action, "{e}");
        assert_eq!(e["result"], "denied", "{e}");
    }
    // The pages take the same road.
    let (cookie, csrf) = cookie_session(&app, "sysadmin", PASSWORD).await;
    let path = format!("/admin/users/{sec_id}/account");
    let pairs = [
        ("_csrf", csrf.as_str()),
        ("op", "reset_password"),
        ("password", "Taken#Over2024x"),
    ];
    let r = post_form(&app, &path, &cookie, &pairs).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.text().contains("命令行"), "{}", r.text());
    let path = format!("/admin/users/{audit_id}/account");
    let r = post_form(&app, &path, &cookie, &[("_csrf", &csrf), ("op", "disable")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (cookie, csrf) = cookie_session(&app, "secadmin", PASSWORD).await;
    let path = format!("/admin/users/{audit_id}/grant");
    let r = post_form(&app, &path, &cookie, &[("_csrf", &csrf), ("role", "staff")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before);
    // Nobody was taken over: the three still sign in with their own passwords.
    for u in ["secadmin", "auditadmin", "sysadmin"] {
        let r = login_from(&app.router, [192, 0, 2, 1], u, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{u}: {}", r.text());
    }
    // Business accounts are still managed as before.
    let r = app
        .json(Method::POST, &account(staff_id), Some(&sys), &reset)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = json!({"role": "guard", "org_id": app.org_id("S001").await});
    let r = app
        .json(Method::PUT, &grant(staff_id), Some(&sec), &body)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // One's own password is changed, not reset.
    let r = app
        .json(Method::POST, &account(sys_id), Some(&sys), &reset)
        .await;
    expect(&r, 422, "invalid");
}

// 2. A temporary password is enforced on the API.

#[tokio::test]
async fn a_temporary_password_opens_nothing_but_the_password_change_on_the_api() {
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    let id = app.user_id("s001.principal").await;
    let sys = app.login("sysadmin").await;
    let reset = json!({"op": "reset_password", "password": TEMP});
    let path = format!("/api/v1/users/{id}/account");
    let r = app.json(Method::POST, &path, Some(&sys), &reset).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let r = login_from(&app.router, [192, 0, 2, 2], "s001.principal", TEMP).await;
    let t = token_of(&r);
    assert_eq!(r.json()["user"]["must_change_password"], true);
    let me = app.get("/api/v1/me", Some(&t)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["must_change_password"], true);
    let before = app.fingerprint().await;
    for (m, p, body) in [
        (Method::GET, "/api/v1/schools".to_string(), json!(null)),
        (
            Method::GET,
            format!("/api/v1/schools/{school}"),
            json!(null),
        ),
        (
            Method::GET,
            format!("/api/v1/schools/{school}/people"),
            json!(null),
        ),
        (Method::GET, "/api/v1/hazards".to_string(), json!(null)),
        (
            Method::PATCH,
            format!("/api/v1/schools/{school}"),
            json!({"students": 1}),
        ),
    ] {
        let r = app.json(m.clone(), &p, Some(&t), &body).await;
        let j = expect(&r, 403, "forbidden");
        assert!(msg(&j).contains("/api/v1/auth/password"), "{m} {p}: {j}");
        assert!(!r.text().contains("春华"), "{m} {p}");
    }
    assert_eq!(app.fingerprint().await, before);
    let e = &app.audit("result=denied&user=s001.principal").await[0];
    assert_eq!(e["action"], "access.denied", "{e}");

    // The password-change API: the current password, the policy, then the data opens.
    let change = |cur: &str, new: &str| json!({"current_password": cur, "new_password": new});
    let p = "/api/v1/auth/password";
    let r = app
        .json(Method::POST, p, Some(&t), &change(WRONG, FRESH))
        .await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(j["error"]["fields"][0]["field"], "current_password", "{j}");
    let r = app
        .json(Method::POST, p, Some(&t), &change(TEMP, "short"))
        .await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(j["error"]["fields"][0]["field"], "new_password", "{j}");
    let r = app
        .json(
            Method::POST,
            p,
            Some(&t),
            &json!({"current_password": TEMP}),
        )
        .await;
    expect(&r, 422, "invalid");
    let r = app
        .json(Method::POST, p, Some(&t), &change(TEMP, FRESH))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app.get("/api/v1/schools", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        app.get("/api/v1/me", Some(&t)).await.json()["must_change_password"],
        false
    );
    let r = login_from(&app.router, [192, 0, 2, 3], "s001.principal", FRESH).await;
    token_of(&r);
}

#[tokio::test]
async fn the_password_change_api_is_in_the_openapi_document() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    let op = &doc["paths"]["/api/v1/auth/password"]["post"];
    assert_eq!(op["tags"][0], "auth", "{op}");
    assert!(op["responses"]["204"].is_object(), "{op}");
    assert!(op["requestBody"].is_object(), "{op}");
}

// 3. The sign-in throttle.

#[tokio::test]
async fn every_refused_sign_in_gets_the_same_answer() {
    let mut config = Config::default();
    config.security.max_failures = 2;
    config.security.account_max_failures = 4;
    let app = TestApp::with_config(config).await;
    let r = &app.router;
    // Locked account: four failures from four addresses lock s001.guard everywhere.
    for i in 0..4 {
        login_from(r, [198, 51, 100, i], "s001.guard", WRONG).await;
    }
    // Throttled address+account: two failures for s001.safety from 203.0.113.9.
    for _ in 0..2 {
        login_from(r, [203, 0, 113, 9], "s001.safety", WRONG).await;
    }
    let answers = [
        (
            "unknown user",
            login_from(r, [192, 0, 2, 10], "no.such.user", PASSWORD).await,
        ),
        (
            "wrong password",
            login_from(r, [192, 0, 2, 11], "s001.principal", WRONG).await,
        ),
        (
            "locked account",
            login_from(r, [192, 0, 2, 12], "s001.guard", PASSWORD).await,
        ),
    ];
    let first = &answers[0].1;
    let j = expect(first, 401, "invalid_credentials");
    assert!(msg(&j).contains("用户名或密码错误"), "{j}");
    for (case, a) in &answers {
        assert_eq!(a.status, first.status, "{case}");
        assert_eq!(a.body, first.body, "{case}: {}", a.text());
        assert_eq!(
            a.header("content-type"),
            first.header("content-type"),
            "{case}"
        );
    }
    // The pages answer alike too (the form keeps the typed username; the rest is the same).
    let page = |user: &str, pw: &str| {
        let body = serde_urlencoded::to_string([("username", user), ("password", pw)]).unwrap();
        let h: &'static [(&str, &str)] = &[("content-type", FORM)];
        from(
            r,
            [203, 0, 113, 9],
            Method::POST,
            "/login",
            h,
            body.into_bytes(),
        )
    };
    let locked = page("s001.guard", PASSWORD).await;
    let unknown = page("s001.guarx", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(locked.status, unknown.status);
    assert_eq!(
        locked.text().replace("s001.guard", "s001.guarx"),
        unknown.text()
    );
    // A paused address+account is 429 with the time to wait (T-AU-2), whether the username
    // exists or not: the counters count unknown names alike.
    let throttled = login_from(r, [203, 0, 113, 9], "s001.safety", PASSWORD).await;
    let j = expect(&throttled, 429, "throttled");
    assert!(msg(&j).contains("分钟后再试"), "{j}");
    assert!(throttled.header("retry-after").parse::<u64>().unwrap() > 0);
    for _ in 0..2 {
        login_from(r, [203, 0, 113, 10], "no.such.user", WRONG).await;
    }
    let ghost = login_from(r, [203, 0, 113, 10], "no.such.user", PASSWORD).await;
    assert_eq!(ghost.status, throttled.status);
    assert_eq!(ghost.body, throttled.body, "{}", ghost.text());
    // The page says so too, with the same status and Retry-After.
    let p = page("s001.safety", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.header("retry-after").parse::<u64>().unwrap() > 0);
    assert!(p.text().contains("分钟后再试"), "{}", p.text());
}

#[tokio::test]
async fn an_attackers_failures_do_not_lock_out_the_owner_elsewhere() {
    let mut app = TestApp::new().await;
    let attacker = [203, 0, 113, 66];
    for i in 0..12 {
        let r = login_from(&app.router, attacker, "s001.safety", WRONG).await;
        // The fifth failure pauses the account from this address: 429 from then on.
        match i {
            0..5 => expect(&r, 401, "invalid_credentials"),
            _ => expect(&r, 429, "throttled"),
        };
    }
    // The attacker is now refused even with the right password …
    let r = login_from(&app.router, attacker, "s001.safety", PASSWORD).await;
    expect(&r, 429, "throttled");
    // … but the owner signs in from the school's own address, and so do admins and others
    // the attacker tried once.
    let r = login_from(&app.router, [10, 1, 2, 3], "s001.safety", PASSWORD).await;
    token_of(&r);
    let sys = app.login("sysadmin").await;
    let r = app.get("/api/v1/users?q=s001.safety", Some(&sys)).await;
    assert_eq!(
        r.json()["items"][0]["locked"],
        false,
        "the account is not locked"
    );

    // Another instance on the same database sees the same throttle.
    let other = safecampus::web::AppState::new(app.db.clone(), Config::default());
    let (other, _) = safecampus::web::routes::build(other);
    let r = login_from(&other, attacker, "s001.safety", PASSWORD).await;
    expect(&r, 429, "throttled");

    // Unlocking the account clears its throttles, audited.
    let id = app.user_id("s001.safety").await;
    let path = format!("/api/v1/users/{id}/unlock");
    let sec = app.login("secadmin").await;
    let r = app.json(Method::POST, &path, Some(&sec), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = login_from(&other, attacker, "s001.safety", PASSWORD).await;
    token_of(&r);
    let e = &app.audit("action=user.unlock").await[0];
    assert_eq!(e["result"], "ok");
    let failed = app
        .audit("action=auth.login&result=failed&user=s001.safety")
        .await;
    let details: Vec<&str> = failed
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert!(
        details.contains(&"bad_password blocked=address_account"),
        "{details:?}"
    );
    assert!(details.contains(&"throttled"), "{details:?}");
    assert!(
        failed.iter().all(|e| e["ip"] == "203.0.113.66"),
        "{failed:?}"
    );
}

#[tokio::test]
async fn an_address_with_too_many_failures_is_paused_with_429_and_retry_after() {
    let app = TestApp::new().await;
    let r = &app.router;
    let noisy = [203, 0, 113, 77];
    // Twenty failures over many (mostly unknown) accounts pause the whole address.
    for i in 0..20 {
        login_from(r, noisy, &format!("guess.{i}"), WRONG).await;
    }
    let wrong = login_from(r, [192, 0, 2, 20], "bureau.officer", WRONG).await;
    expect(&wrong, 401, "invalid_credentials");
    let paused = login_from(r, noisy, "bureau.officer", PASSWORD).await;
    let j = expect(&paused, 429, "throttled");
    assert!(msg(&j).contains("30 分钟后再试"), "{j}");
    let wait: u64 = paused.header("retry-after").parse().unwrap();
    assert!((1..=30 * 60).contains(&wait), "Retry-After {wait}");
    // Any username from the paused address gets the same answer.
    let other = login_from(r, noisy, "nobody.at.all", PASSWORD).await;
    assert_eq!((other.status, &other.body), (paused.status, &paused.body));
    // Another address is not affected.
    let r2 = login_from(r, [192, 0, 2, 21], "bureau.officer", PASSWORD).await;
    token_of(&r2);
}

/// Median wall time of sign-ins made by `f` (each call one attempt).
async fn median_ms<F, Fut>(n: usize, mut f: F) -> f64
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Resp>,
{
    let mut times = Vec::new();
    for i in 0..n {
        let start = Instant::now();
        let r = f(i).await;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert!(r.status.is_client_error(), "{}", r.text());
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[n / 2]
}

#[tokio::test]
async fn a_refusal_takes_as_long_as_a_wrong_password() {
    let app = TestApp::new().await;
    let r = &app.router;
    let attacker = [203, 0, 113, 88];
    for _ in 0..5 {
        login_from(r, attacker, "s001.safety", WRONG).await;
    }
    // Warm up (the dummy hash is made once per process).
    login_from(r, [192, 0, 2, 99], "warm.up", WRONG).await;
    let n = 7;
    let ip = |i: usize| [192, 0, 2, 100 + i as u8];
    let wrong = median_ms(n, |i| login_from(r, ip(i), "s001.principal", WRONG)).await;
    let unknown = median_ms(n, |i| login_from(r, ip(i), "nobody.here", WRONG)).await;
    let blocked = median_ms(n, |_| login_from(r, attacker, "s001.safety", PASSWORD)).await;
    for (case, ms) in [("unknown user", unknown), ("throttled", blocked)] {
        assert!(
            ms >= 0.3 * wrong,
            "{case}: {ms:.1} ms against {wrong:.1} ms for a wrong password"
        );
    }
}

// 4. Open redirects.

/// Redirect targets that must never leave the site (T-IN-7), as they arrive after decoding.
const CORPUS: &[&str] = &[
    "//evil.cn",
    "/\\evil.cn",
    "https:evil.cn",
    "%2F%2Fevil",
    "javascript:alert(1)",
    "%0d%0aLocation:%20http://evil",
    "/%0d%0aLocation:%20http://evil",
    "/%09/evil.example/x",
    "/\t/evil",
    "/\r\n/evil",
    " //evil",
    "http://evil.cn",
    "\\\\evil.cn",
    "/%5Cevil.cn",
    "///evil.cn",
];

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}

fn assert_local(r: &Resp, what: &str) {
    assert!(r.status.is_redirection(), "{what}: {}", r.status);
    let to = r.header("location");
    assert_eq!(to, "/", "{what}: redirected to {to:?}");
}

#[tokio::test]
async fn redirect_targets_stay_on_the_site() {
    let app = TestApp::new().await;
    let sign_in = |next: &str| {
        let body = serde_urlencoded::to_string([
            ("username", "s001.principal"),
            ("password", PASSWORD),
            ("next", next),
        ])
        .unwrap();
        app.request(
            Method::POST,
            "/login",
            None,
            Some(FORM),
            body.into_bytes(),
            &[],
        )
    };
    for raw in CORPUS {
        // As the value itself, encoded into the query …
        let r = app
            .get(&format!("/lang/en?next={}", urlencode(raw)), None)
            .await;
        assert_local(&r, &format!("GET /lang/en next={raw:?}"));
        // … and as raw query text, where it is a valid URI.
        let path = format!("/lang/en?next={raw}");
        if path.parse::<axum::http::Uri>().is_ok() {
            let r = app.get(&path, None).await;
            assert_local(&r, &format!("GET {path:?}"));
        }
        let r = sign_in(raw).await;
        assert_local(&r, &format!("POST /login next={raw:?}"));
        // The sign-in page never carries it into its form.
        let page = app
            .get(&format!("/login?next={}", urlencode(raw)), None)
            .await;
        assert!(
            page.text().contains("name=\"next\" value=\"/\""),
            "GET /login next={raw:?}"
        );
    }
    // A normal same-site target still works.
    let good = "/hazards?status=open";
    let r = app
        .get(&format!("/lang/en?next={}", urlencode(good)), None)
        .await;
    assert_eq!(r.header("location"), good);
    let r = sign_in(good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), good);
}

// 5. A password change ends the other sessions.

async fn me_cookie(app: &TestApp, cookie: &str) -> StatusCode {
    let h = [("cookie", cookie)];
    app.request(Method::GET, "/api/v1/me", None, None, vec![], &h)
        .await
        .status
}

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    let mut app = TestApp::new().await;
    let ip = [192, 0, 2, 50];
    let a = token_of(&login_from(&app.router, ip, "s001.principal", PASSWORD).await);
    let b = token_of(&login_from(&app.router, ip, "s001.principal", PASSWORD).await);

    // On the page: the page's own session stays, the two API tokens end.
    let (cookie, csrf) = cookie_session(&app, "s001.principal", PASSWORD).await;
    let pairs = [
        ("_csrf", csrf.as_str()),
        ("current", PASSWORD),
        ("password", FRESH),
        ("confirm", FRESH),
    ];
    let r = post_form(&app, "/account/password", &cookie, &pairs).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(me_cookie(&app, &cookie).await, StatusCode::OK, "kept");
    for t in [&a, &b] {
        let status = app.get("/api/v1/me", Some(t)).await.status;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "an API token survived");
    }
    let e = &app
        .audit("action=user.password_change&user=s001.principal")
        .await[0];
    assert_eq!(e["detail"], "other_sessions_ended=2", "{e}");

    // Through the API: this token stays, the others (a token and the cookie) end.
    let c = token_of(&login_from(&app.router, ip, "s001.principal", FRESH).await);
    let d = token_of(&login_from(&app.router, ip, "s001.principal", FRESH).await);
    let change = json!({"current_password": FRESH, "new_password": "Third#Pass2024"});
    let path = "/api/v1/auth/password";
    let r = app.json(Method::POST, path, Some(&c), &change).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(app.get("/api/v1/me", Some(&c)).await.status, StatusCode::OK);
    let status = app.get("/api/v1/me", Some(&d)).await.status;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(me_cookie(&app, &cookie).await, StatusCode::UNAUTHORIZED);

    // An administrator's reset ends them all.
    let id = app.user_id("s001.principal").await;
    let sys = app.login("sysadmin").await;
    let reset = json!({"op": "reset_password", "password": TEMP});
    let path = format!("/api/v1/users/{id}/account");
    let r = app.json(Method::POST, &path, Some(&sys), &reset).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let status = app.get("/api/v1/me", Some(&c)).await.status;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

// 6. /metrics.

#[tokio::test]
async fn metrics_need_the_configured_token() {
    // No token configured: the endpoint is off.
    let app = TestApp::new().await;
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text().contains("http_requests_total"));

    let mut config = Config::default();
    config.ops.metrics_token = Some("scrape-token-0123456789abcdef".into());
    let app = TestApp::with_config(config).await;
    app.get("/healthz", None).await;
    for auth in [
        None,
        Some("Bearer wrong-token"),
        Some("scrape-token-0123456789abcdef"),
    ] {
        let h: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", *a)).collect();
        let r = app
            .request(Method::GET, "/metrics", None, None, vec![], &h)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(!r.text().contains("http_requests_total"), "{auth:?}");
    }
    let h = [(
        header::AUTHORIZATION.as_str(),
        "Bearer scrape-token-0123456789abcdef",
    )];
    let r = app
        .request(Method::GET, "/metrics", None, None, vec![], &h)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.header("content-type").starts_with("text/plain"));
    assert!(r.text().contains("http_requests_total"), "{}", r.text());
}

#[tokio::test]
async fn a_pause_ends_after_the_lockout_time() {
    // A zero-minute lockout lifts the pause at once: the counters are about time, not forever.
    let mut config = Config::default();
    config.security.lockout_minutes = 0;
    let app = TestApp::with_config(config).await;
    let ip = [203, 0, 113, 99];
    for _ in 0..6 {
        login_from(&app.router, ip, "s001.safety", WRONG).await;
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    let r = login_from(&app.router, ip, "s001.safety", PASSWORD).await;
    token_of(&r);
}

// 7. The password policy (T-AU-1): every rule named, in both languages; history; maximum age.

/// Sets a time column of a user to `days` days (and `hours` hours) ago.
async fn backdate(app: &TestApp, username: &str, columns: &[&str], hours: i64) {
    use sea_orm::ConnectionTrait;
    let conn = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    let backend = conn.get_database_backend();
    let when = chrono::Utc::now() - chrono::Duration::hours(hours);
    for c in columns {
        let sql = if backend == sea_orm::DbBackend::Postgres {
            format!("UPDATE users SET {c} = $1 WHERE username = $2")
        } else {
            format!("UPDATE users SET {c} = ? WHERE username = ?")
        };
        conn.execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            &sql,
            [when.into(), username.into()],
        ))
        .await
        .expect("backdate");
    }
    conn.close().await.ok();
}

/// Sets the last use of every session of a user to `minutes` ago.
async fn idle_sessions(app: &TestApp, username: &str, minutes: i64) {
    use sea_orm::ConnectionTrait;
    let conn = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    let backend = conn.get_database_backend();
    let when = chrono::Utc::now() - chrono::Duration::minutes(minutes);
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "UPDATE sessions SET last_seen_at = $1 WHERE user_id = (SELECT id FROM users WHERE username = $2)"
    } else {
        "UPDATE sessions SET last_seen_at = ? WHERE user_id = (SELECT id FROM users WHERE username = ?)"
    };
    conn.execute_raw(sea_orm::Statement::from_sql_and_values(
        backend,
        sql,
        [when.into(), username.into()],
    ))
    .await
    .expect("idle");
    conn.close().await.ok();
}

/// `POST /api/v1/auth/password` in `lang`.
async fn change_pw(app: &TestApp, token: &str, current: &str, new: &str, lang: &str) -> Resp {
    let body = json!({"current_password": current, "new_password": new});
    let auth = format!("Bearer {token}");
    let h = [("authorization", auth.as_str()), ("accept-language", lang)];
    app.request(
        Method::POST,
        "/api/v1/auth/password",
        None,
        Some("application/json"),
        body.to_string().into_bytes(),
        &h,
    )
    .await
}

/// The messages on `new_password` of a refused change.
fn rule_messages(r: &Resp) -> Vec<String> {
    let j = expect(r, 422, "invalid");
    j["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|f| assert_eq!(f["field"], "new_password", "{j}"))
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_password_policy_names_every_rule_broken() {
    let app = TestApp::new().await;
    let t = token_of(&login_from(&app.router, [192, 0, 2, 70], "s001.principal", PASSWORD).await);
    // (new password, the rules it breaks in Chinese, in English)
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("Ab1#xyz", &["至少 10 位"], &["at least 10 characters"]),
        ("Ab1#xyzuvw", &[], &[]),
        ("abcdefgh123", &["至少 3 类"], &["at least 3 of"]),
        ("ABCDEFGH123", &["至少 3 类"], &["at least 3 of"]),
        ("abcdefgh###", &["至少 3 类"], &["at least 3 of"]),
        ("ABCDEFGH###", &["至少 3 类"], &["at least 3 of"]),
        ("1234567890#", &["至少 3 类"], &["at least 3 of"]),
        ("abcdEFGHijk", &["至少 3 类"], &["at least 3 of"]),
        ("abcdefgh12#", &[], &[]),
        ("ABCDEFGH12#", &[], &[]),
        ("abcdEFGH#%#", &[], &[]),
        ("abcdEFGH123", &[], &[]),
        ("X1#s001.principal", &["用户名"], &["username"]),
        ("S001.PRINCIPAL#9", &["用户名"], &["username"]),
        ("P@ssw0rd123", &["常用密码"], &["common password"]),
        ("Admin@123456", &["常用密码"], &["common password"]),
        ("Woaini@1314", &["常用密码"], &["common password"]),
        (PASSWORD, &["最近 5 次"], &["last 5 passwords"]),
        (
            "abc",
            &["至少 10 位", "至少 3 类", "常用密码"],
            &["at least 10 characters", "at least 3 of", "common password"],
        ),
    ];
    for (pw, zh, en) in cases {
        if zh.is_empty() {
            continue;
        }
        for (lang, want) in [("zh-CN", zh), ("en", en)] {
            let r = change_pw(&app, &t, PASSWORD, pw, lang).await;
            let got = rule_messages(&r);
            assert_eq!(got.len(), want.len(), "{pw} {lang}: {got:?}");
            for (g, w) in got.iter().zip(want.iter()) {
                assert!(g.contains(w), "{pw} {lang}: {g} lacks {w}");
            }
        }
    }
    // Acceptable ones pass (each changes the password; the next starts from it).
    let mut current = PASSWORD.to_string();
    for (pw, zh, _) in cases {
        if !zh.is_empty() {
            continue;
        }
        let r = change_pw(&app, &t, &current, pw, "zh-CN").await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{pw}: {}", r.text());
        current = pw.to_string();
    }
    // 64+ characters are taken whole: no truncation.
    let long = format!("Long#Pass1{}", "x".repeat(70));
    let r = change_pw(&app, &t, &current, &long, "en").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = login_from(&app.router, [192, 0, 2, 71], "s001.principal", &long[..72]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    token_of(&login_from(&app.router, [192, 0, 2, 71], "s001.principal", &long).await);
    // The change needs the current password.
    let r = change_pw(&app, &t, PASSWORD, "Other#Pass2024x", "en").await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(j["error"]["fields"][0]["field"], "current_password", "{j}");
}

#[tokio::test]
async fn the_minimum_length_and_classes_are_configurable() {
    let mut config = Config::default();
    config.security.password_min_length = 14;
    config.security.password_min_classes = 4;
    let app = TestApp::with_config(config).await;
    let t = token_of(&login_from(&app.router, [192, 0, 2, 72], "s001.principal", PASSWORD).await);
    let r = change_pw(&app, &t, PASSWORD, "Abcdefgh12#x", "en").await;
    let got = rule_messages(&r);
    assert!(got[0].contains("at least 14 characters"), "{got:?}");
    let r = change_pw(&app, &t, PASSWORD, "Abcdefghijkl123", "en").await;
    let got = rule_messages(&r);
    assert!(got[0].contains("at least 4 of"), "{got:?}");
    let r = change_pw(&app, &t, PASSWORD, "Abcdefghijkl#23", "en").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
}

#[tokio::test]
async fn none_of_the_last_five_passwords_comes_back() {
    let app = TestApp::new().await;
    let t = token_of(&login_from(&app.router, [192, 0, 2, 73], "s001.safety", PASSWORD).await);
    let pw = |i: usize| format!("Round#{i}Pass2024");
    let mut current = PASSWORD.to_string();
    for i in 1..=5 {
        let r = change_pw(&app, &t, &current, &pw(i), "en").await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{i}: {}", r.text());
        current = pw(i);
        // The current one and every earlier one of the last five are refused.
        for j in 1..=i {
            let r = change_pw(&app, &t, &current, &pw(j), "en").await;
            let got = rule_messages(&r);
            assert!(got[0].contains("last 5 passwords"), "{i} {j}: {got:?}");
        }
    }
    // After five newer ones the first is allowed again.
    let r = change_pw(&app, &t, &current, &pw(6), "en").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = change_pw(&app, &t, &pw(6), &pw(1), "en").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
}

#[tokio::test]
async fn an_administrators_reset_counts_in_the_history_and_follows_the_policy() {
    let mut app = TestApp::new().await;
    let id = app.user_id("s001.principal").await;
    let sys = app.login("sysadmin").await;
    let path = format!("/api/v1/users/{id}/account");
    let weak = json!({"op": "reset_password", "password": "P@ssw0rd123"});
    let r = app.json(Method::POST, &path, Some(&sys), &weak).await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(j["error"]["fields"][0]["field"], "password", "{j}");
    assert!(msg(&j).contains("常用密码"), "{j}");
    let reset = json!({"op": "reset_password", "password": TEMP});
    let r = app.json(Method::POST, &path, Some(&sys), &reset).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = token_of(&login_from(&app.router, [192, 0, 2, 74], "s001.principal", TEMP).await);
    // The temporary password is not kept as the new one.
    let r = change_pw(&app, &t, TEMP, TEMP, "en").await;
    assert!(rule_messages(&r)[0].contains("last 5"));
    // A new account's initial password follows the policy too.
    let new = json!({"username": "new.weak", "display_name": "弱", "password": "abcdefghij"});
    let r = app
        .json(Method::POST, "/api/v1/users", Some(&sys), &new)
        .await;
    let j = expect(&r, 422, "invalid");
    assert!(msg(&j).contains("至少 3 类"), "{j}");
}

#[tokio::test]
async fn an_old_password_must_be_changed_at_the_next_sign_in() {
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    backdate(&app, "s001.principal", &["password_changed_at"], 91 * 24).await;
    let r = login_from(&app.router, [192, 0, 2, 75], "s001.principal", PASSWORD).await;
    let t = token_of(&r);
    assert_eq!(
        r.json()["user"]["must_change_password"],
        true,
        "{}",
        r.text()
    );
    let r = app
        .get(&format!("/api/v1/schools/{school}"), Some(&t))
        .await;
    expect(&r, 403, "forbidden");
    let e = &app.audit("action=auth.login&user=s001.principal").await[0];
    assert_eq!(e["detail"], "api password_expired", "{e}");
    // The pages lead to the form, which says why and lists the rules.
    let (cookie, _) = cookie_session(&app, "s001.principal", PASSWORD).await;
    let h = [("cookie", cookie.as_str())];
    let r = app
        .request(Method::GET, "/schools", None, None, vec![], &h)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/account/password");
    let r = app
        .request(Method::GET, "/account/password", None, None, vec![], &h)
        .await;
    let html = r.text();
    assert!(html.contains("使用期限"), "{html}");
    assert!(
        html.contains("至少 10 个字符") && html.contains("90 天"),
        "{html}"
    );
    let r = change_pw(&app, &t, PASSWORD, FRESH, "en").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .get(&format!("/api/v1/schools/{school}"), Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Within the age nothing is asked.
    backdate(&app, "s001.safety", &["password_changed_at"], 89 * 24).await;
    let r = login_from(&app.router, [192, 0, 2, 75], "s001.safety", PASSWORD).await;
    assert_eq!(r.json()["user"]["must_change_password"], false);
}

#[tokio::test]
async fn the_password_page_names_each_broken_rule() {
    let app = TestApp::new().await;
    let (cookie, csrf) = cookie_session(&app, "s001.principal", PASSWORD).await;
    let pairs = [
        ("_csrf", csrf.as_str()),
        ("current", PASSWORD),
        ("password", "abc"),
        ("confirm", "abc"),
    ];
    let r = post_form(&app, "/account/password", &cookie, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    for want in ["密码至少 10 位", "密码须包含", "这是常用密码"] {
        assert!(html.contains(want), "{want}: {html}");
    }
    assert!(!html.contains("密码不能包含用户名"), "{html}");
    let pairs = [
        ("_csrf", csrf.as_str()),
        ("current", PASSWORD),
        ("password", "X1#s001.principal"),
        ("confirm", "X1#s001.principal"),
    ];
    let r = post_form(&app, "/account/password", &cookie, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("密码不能包含用户名"), "{}", r.text());
    let pairs = [
        ("_csrf", csrf.as_str()),
        ("current", PASSWORD),
        ("password", PASSWORD),
        ("confirm", PASSWORD),
    ];
    let r = post_form(&app, "/account/password", &cookie, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不能使用最近 5 次"), "{}", r.text());
}

// 8. Initial passwords expire (T-AU-4); unused accounts are disabled (T-AU-6).

#[tokio::test]
async fn an_initial_password_left_unchanged_expires() {
    let mut app = TestApp::new().await;
    let id = app.user_id("s001.principal").await;
    let sys = app.login("sysadmin").await;
    let path = format!("/api/v1/users/{id}/account");
    let reset = json!({"op": "reset_password", "password": TEMP});
    let r = app.json(Method::POST, &path, Some(&sys), &reset).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Within 72 hours it signs in (to change it).
    backdate(&app, "s001.principal", &["password_changed_at"], 71).await;
    token_of(&login_from(&app.router, [192, 0, 2, 80], "s001.principal", TEMP).await);
    // After 72 hours it does not, and the owner is told why.
    backdate(&app, "s001.principal", &["password_changed_at"], 73).await;
    let r = login_from(&app.router, [192, 0, 2, 80], "s001.principal", TEMP).await;
    let j = expect(&r, 401, "initial_password_expired");
    assert!(msg(&j).contains("72 小时"), "{j}");
    // A wrong password still gets the one answer of every refusal.
    let r = login_from(&app.router, [192, 0, 2, 81], "s001.principal", WRONG).await;
    expect(&r, 401, "invalid_credentials");
    // The page says it too.
    let body =
        serde_urlencoded::to_string([("username", "s001.principal"), ("password", TEMP)]).unwrap();
    let h = [("content-type", FORM), ("accept-language", "en")];
    let r = from(
        &app.router,
        [192, 0, 2, 82],
        Method::POST,
        "/login",
        &h,
        body.into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("within 72 hours"), "{}", r.text());
    let e = &app.audit("action=auth.login&user=s001.principal").await[0];
    assert_eq!(e["detail"], "initial_password_expired", "{e}");
    // The administrator resets again: it signs in.
    let r = app.json(Method::POST, &path, Some(&sys), &reset).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    token_of(&login_from(&app.router, [192, 0, 2, 83], "s001.principal", TEMP).await);
}

#[tokio::test]
async fn an_unused_account_is_disabled_at_sign_in_and_enabled_again_by_the_system_admin() {
    let mut app = TestApp::new().await;
    let stale = ["created_at", "updated_at", "last_login_at"];
    backdate(&app, "s001.safety", &stale, 91 * 24).await;
    let r = login_from(&app.router, [192, 0, 2, 90], "s001.safety", PASSWORD).await;
    let j = expect(&r, 401, "account_disabled");
    assert!(msg(&j).contains("系统管理员"), "{j}");
    let e = &app.audit("action=user.disable").await[0];
    assert_eq!(e["detail"], "dormant idle_days=90", "{e}");
    assert_eq!(e["username"], "system", "{e}");
    // Still refused; a wrong password gets the common answer.
    let r = login_from(&app.router, [192, 0, 2, 90], "s001.safety", PASSWORD).await;
    expect(&r, 401, "account_disabled");
    let r = login_from(&app.router, [192, 0, 2, 91], "s001.safety", WRONG).await;
    expect(&r, 401, "invalid_credentials");
    // The system admin enables it; it signs in again (the count restarts).
    let id = app.user_id("s001.safety").await;
    let sys = app.login("sysadmin").await;
    let path = format!("/api/v1/users/{id}/account");
    let r = app
        .json(Method::POST, &path, Some(&sys), &json!({"op": "enable"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    token_of(&login_from(&app.router, [192, 0, 2, 92], "s001.safety", PASSWORD).await);
    // Within the limit nothing happens; the system roles are never disabled.
    backdate(&app, "s001.guard", &stale, 89 * 24).await;
    token_of(&login_from(&app.router, [192, 0, 2, 93], "s001.guard", PASSWORD).await);
    backdate(&app, "auditadmin", &stale, 400 * 24).await;
    token_of(&login_from(&app.router, [192, 0, 2, 94], "auditadmin", PASSWORD).await);
}

#[tokio::test]
async fn the_daily_job_disables_unused_accounts_and_ends_their_sessions() {
    let mut config = Config::default();
    config.security.account_idle_days = 30;
    let app = TestApp::with_config(config.clone()).await;
    let t = token_of(&login_from(&app.router, [192, 0, 2, 95], "s001.guard", PASSWORD).await);
    let stale = ["created_at", "updated_at", "last_login_at"];
    backdate(&app, "s001.guard", &stale, 31 * 24).await;
    backdate(&app, "sysadmin", &stale, 31 * 24).await;
    let runner = app
        .db
        .jobs(&safecampus::storage::Operator::command_line(), "t".into())
        .with_security(&config);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    assert!(runner.schedule_account_sweep(day).await.unwrap());
    assert!(!runner.schedule_account_sweep(day).await.unwrap());
    let pass = runner.run_due(&Default::default()).await.unwrap();
    assert_eq!((pass.done, pass.failed), (1, 0));
    let status = app.get("/api/v1/me", Some(&t)).await.status;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session died");
    let r = login_from(&app.router, [192, 0, 2, 96], "s001.guard", PASSWORD).await;
    expect(&r, 401, "account_disabled");
    token_of(&login_from(&app.router, [192, 0, 2, 97], "sysadmin", PASSWORD).await);
    let r = login_from(&app.router, [192, 0, 2, 98], "s001.principal", PASSWORD).await;
    token_of(&r);
}

// 9. Sessions (T-SE-2, T-SE-3, T-AC-8): a shorter idle timeout for the system roles; disable,
// role change and logout end sessions at once.

#[tokio::test]
async fn the_system_roles_have_a_shorter_idle_timeout() {
    let app = TestApp::new().await;
    let sys = token_of(&login_from(&app.router, [192, 0, 2, 100], "sysadmin", PASSWORD).await);
    let p = token_of(&login_from(&app.router, [192, 0, 2, 100], "s001.principal", PASSWORD).await);
    idle_sessions(&app, "sysadmin", 11).await;
    idle_sessions(&app, "s001.principal", 11).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&sys)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/api/v1/me", Some(&p)).await.status, StatusCode::OK);
    idle_sessions(&app, "s001.principal", 31).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&p)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Configurable.
    let mut config = Config::default();
    config.security.admin_idle_timeout_minutes = 20;
    let app = TestApp::with_config(config).await;
    let sys = token_of(&login_from(&app.router, [192, 0, 2, 101], "sysadmin", PASSWORD).await);
    idle_sessions(&app, "sysadmin", 11).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&sys)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn disable_role_change_and_logout_end_sessions_at_once() {
    let mut app = TestApp::new().await;
    let ip = [192, 0, 2, 110];
    let safety = token_of(&login_from(&app.router, ip, "s001.safety", PASSWORD).await);
    let guard = token_of(&login_from(&app.router, ip, "s001.guard", PASSWORD).await);
    let principal = token_of(&login_from(&app.router, ip, "s001.principal", PASSWORD).await);
    // Disabled by the system admin: the next request is refused.
    let id = app.user_id("s001.safety").await;
    let sys = app.login("sysadmin").await;
    let path = format!("/api/v1/users/{id}/account");
    let r = app
        .json(Method::POST, &path, Some(&sys), &json!({"op": "disable"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.get("/api/v1/schools", Some(&safety)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = login_from(&app.router, ip, "s001.safety", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A role change by the security admin: the old session ends.
    let id = app.user_id("s001.guard").await;
    let school = app.org_id("S001").await;
    let sec = app.login("secadmin").await;
    let grant = json!({"role": "staff", "org_id": school});
    let r = app
        .json(
            Method::PUT,
            &format!("/api/v1/users/{id}/grant"),
            Some(&sec),
            &grant,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.get("/api/v1/me", Some(&guard)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let t = token_of(&login_from(&app.router, ip, "s001.guard", PASSWORD).await);
    assert_eq!(
        app.get("/api/v1/me", Some(&t)).await.json()["role"],
        "staff"
    );
    // Logout: the token is dead.
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&principal),
            &json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.get("/api/v1/me", Some(&principal)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
