mod common;

use axum::http::{Method, StatusCode};
use common::{PASSWORD, Resp, TestApp};
use safecampus::config::Config;
use serde_json::{Value, json};

const FORM: &str = "application/x-www-form-urlencoded";

async fn api_login(app: &TestApp, user: &str, password: &str, extra: &[(&str, &str)]) -> Resp {
    let body = json!({"username": user, "password": password});
    let body = serde_json::to_vec(&body).unwrap();
    let ct = Some("application/json");
    app.request(Method::POST, "/api/v1/auth/login", None, ct, body, extra)
        .await
}

/// Signs in through the HTML form, optionally sending an existing session cookie.
async fn web_login(app: &TestApp, user: &str, password: &str, old: Option<&str>) -> Resp {
    let pairs = [
        ("username", user),
        ("password", password),
        ("next", "/schools"),
    ];
    let body = serde_urlencoded::to_string(pairs).unwrap().into_bytes();
    let cookie = old.map(|c| format!("sc_session={c}")).unwrap_or_default();
    let extra: Vec<(&str, &str)> = old
        .map(|_| ("cookie", cookie.as_str()))
        .into_iter()
        .collect();
    app.request(Method::POST, "/login", None, Some(FORM), body, &extra)
        .await
}

/// The `sc_session` Set-Cookie header of a response, whole.
fn session_header(r: &Resp) -> String {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sc_session="))
        .unwrap_or_else(|| panic!("no session cookie: {:?}", r.headers))
        .to_string()
}

fn session_id(r: &Resp) -> String {
    let h = session_header(r);
    h["sc_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn cookie_login(app: &TestApp, user: &str) -> String {
    let r = web_login(app, user, PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    session_id(&r)
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Resp {
    app.request(Method::GET, path, None, None, vec![], headers)
        .await
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let at = html.find(marker).expect("a _csrf hidden input") + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

fn assert_envelope(r: &Resp, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    let j = r.json();
    assert_eq!(j["error"]["code"], code, "{j}");
    assert!(
        j["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{j}"
    );
    j
}

#[tokio::test]
async fn api_login_returns_token_and_user_and_me_agrees() {
    let mut app = TestApp::new().await;
    let cases = [
        (
            "s001.principal",
            "principal",
            Some(("S001", "长春市二道区春华小学", "school")),
        ),
        (
            "bureau.officer",
            "bureau_officer",
            Some(("ED", "二道区", "district")),
        ),
        (
            "city.officer",
            "city_officer",
            Some(("CC", "长春市", "city")),
        ),
        ("sysadmin", "sys_admin", None),
    ];
    for (user, role, org) in cases {
        let r = api_login(&app, user, PASSWORD, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{user}: {}", r.text());
        let j = r.json();
        let token = j["token"].as_str().expect("token");
        assert!(token.len() >= 40, "{user}: short token {token}");
        let u = &j["user"];
        assert!(u["id"].as_i64().is_some_and(|id| id > 0), "{u}");
        assert_eq!(u["username"], user);
        assert_eq!(u["role"], role);
        match org {
            Some((code, name, kind)) => {
                assert_eq!(u["org"]["id"].as_i64(), Some(app.org_id(code).await), "{u}");
                assert_eq!(u["org"]["name"], name);
                assert_eq!(u["org"]["kind"], kind);
            }
            None => assert!(u["org"].is_null(), "{u}"),
        }
        let me = app.get("/api/v1/me", Some(token)).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(&me.json(), u, "{user}: /me differs from the login answer");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let app = TestApp::new().await;
    let wrong = api_login(&app, "s001.principal", "Wrong#Pass2021", &[]).await;
    let unknown = api_login(&app, "no.such.user", PASSWORD, &[]).await;
    for r in [&wrong, &unknown] {
        let j = assert_envelope(r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(j["error"]["message"], "用户名或密码错误。");
        assert!(j.get("token").is_none());
    }
    assert_eq!(wrong.body, unknown.body, "the two answers must not differ");
}

#[tokio::test]
async fn lockout_after_five_failures_is_audited_and_lifted_by_unlock() {
    let mut app = TestApp::new().await;
    for _ in 0..4 {
        let r = api_login(&app, "s001.safety", "Wrong#Pass2021", &[]).await;
        assert_envelope(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // The fifth failure locks the account.
    let r = api_login(&app, "s001.safety", "Wrong#Pass2021", &[]).await;
    assert_envelope(&r, StatusCode::TOO_MANY_REQUESTS, "locked");
    // Now even the right password is refused.
    let r = api_login(&app, "s001.safety", PASSWORD, &[]).await;
    let j = assert_envelope(&r, StatusCode::TOO_MANY_REQUESTS, "locked");
    assert!(
        j["error"]["message"].as_str().unwrap().contains("锁定"),
        "{j}"
    );

    let audit = app.login("auditadmin").await;
    let r = app
        .get("/api/v1/audit?result=failed&user=s001.safety", Some(&audit))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["total"], 6, "{j}");
    let details: Vec<&str> = j["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["action"], "auth.login");
            assert_eq!(e["username"], "s001.safety");
            assert_eq!(e["result"], "failed");
            e["detail"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        details,
        [
            "locked",
            "bad_password",
            "bad_password",
            "bad_password",
            "bad_password",
            "bad_password"
        ]
    );

    let sys = app.login("sysadmin").await;
    let r = app.get("/api/v1/users?q=s001.safety", Some(&sys)).await;
    let user = r.json()["items"][0].clone();
    assert_eq!(user["username"], "s001.safety");
    assert_eq!(user["locked"], true, "{user}");
    let path = format!("/api/v1/users/{}/account", user["id"]);
    let r = app
        .json(Method::POST, &path, Some(&sys), &json!({"op": "unlock"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["locked"], false);
    let r = api_login(&app, "s001.safety", PASSWORD, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn logout_invalidates_the_token() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    assert_eq!(app.get("/api/v1/me", Some(&t)).await.status, StatusCode::OK);
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&t),
            None,
            vec![],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.get("/api/v1/me", Some(&t)).await;
    assert_envelope(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = app.get("/api/v1/schools", Some(&t)).await;
    assert_envelope(&r, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn anonymous_api_gets_401_envelope_and_pages_redirect_to_login() {
    let app = TestApp::new().await;
    for (method, path) in [
        (Method::GET, "/api/v1/me"),
        (Method::GET, "/api/v1/schools"),
        (Method::POST, "/api/v1/schools"),
        (Method::GET, "/api/v1/audit"),
        (Method::GET, "/api/v1/users/1"),
    ] {
        let r = app
            .request(method.clone(), path, None, None, vec![], &[])
            .await;
        let j = assert_envelope(&r, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(j["error"]["message"], "请先登录。", "{method} {path}");
    }
    for (path, next) in [
        ("/schools", "%2Fschools"),
        ("/schools?kind=primary", "%2Fschools%3Fkind%3Dprimary"),
        ("/audit", "%2Faudit"),
        ("/", "%2F"),
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            r.header("location"),
            format!("/login?next={next}"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn html_login_sets_a_strict_httponly_cookie_with_a_new_id_each_time() {
    let app = TestApp::new().await;
    let r = web_login(&app, "s001.principal", "Wrong#Pass2021", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("用户名或密码错误。"));
    assert!(
        r.headers.get("set-cookie").is_none(),
        "no cookie on failure"
    );

    let first = web_login(&app, "s001.principal", PASSWORD, None).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.header("location"), "/schools");
    let h = session_header(&first);
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(h.split("; ").any(|p| p == part), "{part} missing in {h}");
    }
    let a = session_id(&first);
    let cookie_a = format!("sc_session={a}");
    assert_eq!(
        get_with(&app, "/api/v1/me", &[("cookie", &cookie_a)])
            .await
            .status,
        StatusCode::OK
    );

    // Signing in again (with the old cookie) issues a new id and ends the old session.
    let second = web_login(&app, "s001.principal", PASSWORD, Some(&a)).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    let b = session_id(&second);
    assert_ne!(a, b);
    let r = get_with(&app, "/api/v1/me", &[("cookie", &cookie_a)]).await;
    assert_envelope(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let cookie_b = format!("sc_session={b}");
    let r = get_with(&app, "/api/v1/me", &[("cookie", &cookie_b)]).await;
    assert_eq!(r.json()["username"], "s001.principal");
}

/// Adds a person through the cookie-authenticated HTML form of S001.
async fn post_person(
    app: &TestApp,
    school: i64,
    cookie: &str,
    csrf: Option<&str>,
    extra: &[(&str, &str)],
) -> Resp {
    let mut pairs = vec![
        ("name", "表单测试"),
        ("post", "teacher"),
        ("phone", ""),
        ("note", ""),
    ];
    if let Some(c) = csrf {
        pairs.push(("_csrf", c));
    }
    let body = serde_urlencoded::to_string(&pairs).unwrap().into_bytes();
    let cookie = format!("sc_session={cookie}");
    let mut headers = vec![("cookie", cookie.as_str())];
    headers.extend_from_slice(extra);
    let path = format!("/schools/{school}/people/new");
    app.request(Method::POST, &path, None, Some(FORM), body, &headers)
        .await
}

async fn people_named(app: &mut TestApp, school: i64, name: &str) -> usize {
    let t = app.login("bureau.officer").await;
    let r = app
        .get(&format!("/api/v1/schools/{school}/people"), Some(&t))
        .await;
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == name)
        .count()
}

#[tokio::test]
async fn cookie_form_posts_need_the_csrf_token_and_same_site() {
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    let cookie = cookie_login(&app, "s001.principal").await;
    let page = get_with(
        &app,
        &format!("/schools/{school}/people/new"),
        &[("cookie", &format!("sc_session={cookie}"))],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_of(&page.text());
    assert!(csrf.len() >= 40);

    let before = app.fingerprint().await;
    let cross = [("sec-fetch-site", "cross-site")];
    for (csrf, extra) in [
        (None, &[][..]),
        (Some("forged-token"), &[][..]),
        (Some(csrf.as_str()), &cross[..]),
    ] {
        let r = post_person(&app, school, &cookie, csrf, extra).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "csrf {csrf:?} headers {extra:?}"
        );
        assert_eq!(
            app.fingerprint().await,
            before,
            "a refused post changed data"
        );
    }
    assert_eq!(people_named(&mut app, school, "表单测试").await, 0);

    let r = post_person(&app, school, &cookie, Some(&csrf), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), format!("/schools/{school}"));
    assert_ne!(app.fingerprint().await, before);
    assert_eq!(people_named(&mut app, school, "表单测试").await, 1);
}

#[tokio::test]
#[ignore = "BUG: the CSRF layer's 403 for a cross-site API POST has an empty body, not the error envelope"]
async fn cross_site_api_post_answers_with_the_error_envelope() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let before = app.fingerprint().await;
    let body =
        serde_json::to_vec(&json!({"code": "X900", "name": "跨站", "kind": "primary"})).unwrap();
    let r = app
        .request(
            Method::POST,
            "/api/v1/schools",
            Some(&t),
            Some("application/json"),
            body,
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(app.fingerprint().await, before);
    assert_envelope(&r, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::new().await;
    let cookie = format!("sc_session={}", cookie_login(&app, "bureau.officer").await);
    for (path, signed_in) in [
        ("/login", false),
        ("/schools", true),
        ("/account/password", true),
    ] {
        let headers: Vec<(&str, &str)> = if signed_in {
            vec![("cookie", cookie.as_str())]
        } else {
            vec![]
        };
        let r = get_with(&app, path, &headers).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let csp = r.header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(r.header("x-frame-options"), "DENY", "{path}");
        assert!(r.header("content-type").starts_with("text/html"), "{path}");
        if signed_in {
            assert_eq!(r.header("cache-control"), "no-store", "{path}");
        }
    }
}

#[tokio::test]
async fn a_zero_minute_idle_limit_ends_every_session_at_its_next_use() {
    // The limit refuses a session whose last use is *more than* 0 minutes old: the moment any
    // time has passed since sign-in, the session is gone. Sign-in itself still works.
    let mut config = Config::default();
    config.security.idle_timeout_minutes = 0;
    let app = TestApp::with_config(config).await;
    let r = api_login(&app, "bureau.officer", PASSWORD, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let token = r.json()["token"].as_str().unwrap().to_string();
    let cookie = format!("sc_session={}", cookie_login(&app, "bureau.officer").await);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let r = app.get("/api/v1/me", Some(&token)).await;
    assert_envelope(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = get_with(&app, "/schools", &[("cookie", &cookie)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/login?next=%2Fschools");

    // The same steps under the default 30-minute limit keep the session.
    let app = TestApp::new().await;
    let r = api_login(&app, "bureau.officer", PASSWORD, &[]).await;
    let token = r.json()["token"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn language_follows_the_cookie_then_accept_language() {
    let app = TestApp::new().await;
    let cases: [(&[(&str, &str)], &str, &str, &str); 5] = [
        (&[], "请先登录。", "zh-CN", "用户名或密码错误。"),
        (
            &[("accept-language", "en-US,en;q=0.9")],
            "Please sign in first.",
            "en",
            "Wrong username or password.",
        ),
        (
            &[("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")],
            "请先登录。",
            "zh-CN",
            "用户名或密码错误。",
        ),
        (
            &[("cookie", "lang=en")],
            "Please sign in first.",
            "en",
            "Wrong username or password.",
        ),
        (
            &[("cookie", "lang=zh-CN"), ("accept-language", "en")],
            "请先登录。",
            "zh-CN",
            "用户名或密码错误。",
        ),
    ];
    for (headers, unauthorized, html_lang, bad_login) in cases {
        let r = get_with(&app, "/api/v1/me", headers).await;
        assert_eq!(r.json()["error"]["message"], unauthorized, "{headers:?}");
        let r = get_with(&app, "/login", headers).await;
        assert!(
            r.text().contains(&format!("<html lang=\"{html_lang}\">")),
            "{headers:?}"
        );
        let r = api_login(&app, "no.such.user", "Wrong#Pass2021", headers).await;
        assert_eq!(r.json()["error"]["message"], bad_login, "{headers:?}");
    }

    let r = app.get("/lang/en?next=/login", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/login");
    let set = r.header("set-cookie");
    assert!(
        set.starts_with("lang=en;") && set.contains("Path=/"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap();
    let page = get_with(&app, "/login", &[("cookie", cookie)]).await.text();
    assert!(page.contains("<h1>Sign in</h1>"), "{page}");
    assert!(
        page.contains("href=\"/lang/zh-CN?next=%2Flogin\""),
        "switch back link"
    );

    // The switch only follows local paths.
    let r = app.get("/lang/en?next=//evil.example/", None).await;
    assert_eq!(r.header("location"), "/");
}

#[tokio::test]
async fn a_reset_password_must_be_changed_before_any_page() {
    let mut app = TestApp::new().await;
    let old_token = app.login("s001.staff").await;
    let sys = app.login("sysadmin").await;
    let r = app.get("/api/v1/users?q=s001.staff", Some(&sys)).await;
    let id = r.json()["items"][0]["id"].as_i64().unwrap();
    let reset = json!({"op": "reset_password", "password": "Temp#Pass2024"});
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/users/{id}/account"),
            Some(&sys),
            &reset,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A reset ends the user's sessions.
    assert_eq!(
        app.get("/api/v1/me", Some(&old_token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api_login(&app, "s001.staff", PASSWORD, &[]).await.status,
        StatusCode::UNAUTHORIZED
    );

    let r = web_login(&app, "s001.staff", "Temp#Pass2024", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        "/account/password",
        "next= is ignored until the change"
    );
    let cookie = format!("sc_session={}", session_id(&r));
    let school = app.org_id("S001").await;
    for path in [
        "/schools".to_string(),
        format!("/schools/{school}"),
        "/".to_string(),
    ] {
        let r = get_with(&app, &path, &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.header("location"), "/account/password", "{path}");
    }
    let page = get_with(&app, "/account/password", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("首次登录或密码被重置后"), "forced notice");
    let csrf = csrf_of(&html);

    let change = |new: &'static str, confirm: &'static str| {
        let pairs = [
            ("_csrf", csrf.as_str()),
            ("current", "Temp#Pass2024"),
            ("password", new),
            ("confirm", confirm),
        ];
        serde_urlencoded::to_string(pairs).unwrap().into_bytes()
    };
    let h = [("cookie", cookie.as_str())];
    for (new, confirm, text) in [
        (
            "Fresh#Pass2024",
            "Other#Pass2024",
            "两次输入的新密码不一致。",
        ),
        ("short#1A", "short#1A", "密码至少 8 位。"),
    ] {
        let r = app
            .request(
                Method::POST,
                "/account/password",
                None,
                Some(FORM),
                change(new, confirm),
                &h,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert!(r.text().contains(text), "{new}: {}", r.text());
    }
    assert_eq!(
        get_with(&app, "/schools", &h).await.status,
        StatusCode::SEE_OTHER
    );
    let r = app
        .request(
            Method::POST,
            "/account/password",
            None,
            Some(FORM),
            change("Fresh#Pass2024", "Fresh#Pass2024"),
            &h,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("密码已修改。"));
    let r = get_with(&app, "/schools", &h).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("长春市二道区春华小学"));
    assert_eq!(
        api_login(&app, "s001.staff", "Fresh#Pass2024", &[])
            .await
            .status,
        StatusCode::OK
    );
}
