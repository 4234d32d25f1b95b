mod common;

use axum::http::{Method, StatusCode};
use common::{PASSWORD, Resp, TestApp};
use safecampus::config::Config;
use serde_json::{Value, json};

const FORM: &str = "application/x-www-form-urlencoded";
const WRONG: &str = "Wrong#Pass2021";
/// The one answer of every refused sign-in.
const REFUSED_ZH: &str =
    "登录失败：用户名或密码错误，或因多次失败暂时不能登录。请稍后再试，或联系管理员。";
const REFUSED_EN: &str = "Sign-in failed: wrong username or password, or sign-in is paused after repeated failures. Try again later or ask an administrator.";

async fn api_login(app: &TestApp, user: &str, password: &str, extra: &[(&str, &str)]) -> Resp {
    let body = serde_json::to_vec(&json!({"username": user, "password": password})).unwrap();
    let ct = Some("application/json");
    let path = "/api/v1/auth/login";
    app.request(Method::POST, path, None, ct, body, extra).await
}

/// A form POST with optional `Cookie` header (a whole `name=value` string) and extra headers.
async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Resp {
    let body = serde_urlencoded::to_string(pairs).unwrap().into_bytes();
    let mut headers = extra.to_vec();
    if !cookie.is_empty() {
        headers.push(("cookie", cookie));
    }
    app.request(Method::POST, path, None, Some(FORM), body, &headers)
        .await
}

/// Signs in through the HTML form, sending `old` as the Cookie header (may be empty).
async fn web_login(app: &TestApp, user: &str, password: &str, old: &str) -> Resp {
    let who = [("username", user), ("password", password)];
    let pairs = [&who[..], &[("next", "/schools")]].concat();
    post_form(app, "/login", old, &pairs, &[]).await
}

/// The `sc_session` Set-Cookie header of a response, whole.
fn session_header(r: &Resp) -> String {
    let all = r.headers.get_all("set-cookie");
    let mut it = all.iter().filter_map(|v| v.to_str().ok());
    let h = it
        .find(|v| v.starts_with("sc_session="))
        .expect("a session cookie");
    h.to_string()
}

/// `sc_session=<id>`, ready to send back as a Cookie header.
fn session_cookie(r: &Resp) -> String {
    session_header(r).split(';').next().unwrap().to_string()
}

async fn cookie_login(app: &TestApp, user: &str) -> String {
    let r = web_login(app, user, PASSWORD, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    session_cookie(&r)
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
    let msg = j["error"]["message"].as_str().unwrap_or("");
    assert!(!msg.is_empty(), "{j}");
    j
}

#[tokio::test]
async fn api_login_returns_token_and_user_and_me_agrees() {
    let mut app = TestApp::new().await;
    let cases = [
        "s001.principal principal S001 school 长春市二道区春华小学",
        "bureau.officer bureau_officer ED district 二道区",
        "city.officer city_officer CC city 长春市",
        "sysadmin sys_admin",
    ];
    for case in cases {
        let c: Vec<&str> = case.split(' ').collect();
        let r = api_login(&app, c[0], PASSWORD, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{case}: {}", r.text());
        let j = r.json();
        let token = j["token"].as_str().expect("token");
        assert!(token.len() >= 40, "{case}: short token {token}");
        let u = &j["user"];
        assert!(u["id"].as_i64().is_some_and(|id| id > 0), "{u}");
        assert_eq!(u["username"], c[0]);
        assert_eq!(u["role"], c[1]);
        if let [_, _, code, kind, name] = c[..] {
            assert_eq!(u["org"]["id"].as_i64(), Some(app.org_id(code).await), "{u}");
            assert_eq!(u["org"]["kind"], kind);
            assert_eq!(u["org"]["name"], name);
        } else {
            assert!(u["org"].is_null(), "{u}");
        }
        let me = app.get("/api/v1/me", Some(token)).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(&me.json(), u, "{case}: /me differs from the login answer");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let app = TestApp::new().await;
    let wrong = api_login(&app, "s001.principal", WRONG, &[]).await;
    let unknown = api_login(&app, "no.such.user", PASSWORD, &[]).await;
    for r in [&wrong, &unknown] {
        let j = assert_envelope(r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(j["error"]["message"], REFUSED_ZH);
        assert!(j.get("token").is_none());
    }
    assert_eq!(wrong.body, unknown.body, "the two answers must not differ");
}

#[tokio::test]
async fn five_failures_pause_the_account_from_that_address_audited_and_lifted_by_unlock() {
    let mut app = TestApp::new().await;
    let first = api_login(&app, "s001.safety", WRONG, &[]).await;
    assert_envelope(&first, StatusCode::UNAUTHORIZED, "invalid_credentials");
    for _ in 0..4 {
        let r = api_login(&app, "s001.safety", WRONG, &[]).await;
        assert_eq!((r.status, &r.body), (first.status, &first.body));
    }
    // The fifth failure pauses sign-in to the account from this address: then even the right
    // password is refused, 429 with the time to wait (T-AU-2).
    let r = api_login(&app, "s001.safety", PASSWORD, &[]).await;
    let j = assert_envelope(&r, StatusCode::TOO_MANY_REQUESTS, "throttled");
    assert!(j.get("token").is_none());
    let wait: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30 * 60).contains(&wait), "Retry-After {wait}");
    assert!(
        j["error"]["message"].as_str().unwrap().contains("30 分钟"),
        "{j}"
    );

    let audit = app.login("auditadmin").await;
    let path = "/api/v1/audit?result=failed&user=s001.safety";
    let j = app.get(path, Some(&audit)).await.json();
    assert_eq!(j["total"], 6, "{j}");
    let mut details = Vec::new();
    for e in j["items"].as_array().unwrap() {
        assert_eq!(e["action"], "auth.login");
        assert_eq!(e["result"], "failed");
        assert_eq!(e["username"], "s001.safety");
        details.push(e["detail"].as_str().unwrap().to_string());
    }
    let bad = "bad_password".to_string();
    let paused = vec![
        "throttled".into(),
        "bad_password blocked=address_account".into(),
    ];
    assert_eq!(details, [paused, vec![bad; 4]].concat());

    // The account itself is not locked (its owner signs in from elsewhere); the security
    // admin's unlock clears the account's throttles too. The system admin may not unlock.
    let sec = app.login("secadmin").await;
    let r = app.get("/api/v1/users?q=s001.safety", Some(&sec)).await;
    let user = r.json()["items"][0].clone();
    assert_eq!(user["username"], "s001.safety");
    assert_eq!(user["locked"], false);
    let path = format!("/api/v1/users/{}/unlock", user["id"]);
    let sys = app.login("sysadmin").await;
    let r = app.json(Method::POST, &path, Some(&sys), &json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let old = format!("/api/v1/users/{}/account", user["id"]);
    let r = app
        .json(Method::POST, &old, Some(&sys), &json!({"op": "unlock"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app.json(Method::POST, &path, Some(&sec), &json!({})).await;
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
    let path = "/api/v1/auth/logout";
    let r = app
        .request(Method::POST, path, Some(&t), None, vec![], &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    for path in ["/api/v1/me", "/api/v1/schools"] {
        let r = app.get(path, Some(&t)).await;
        assert_envelope(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    }
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
        let r = app.request(method, path, None, None, vec![], &[]).await;
        let j = assert_envelope(&r, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(j["error"]["message"], "请先登录。", "{path}");
    }
    for (path, next) in [
        ("/schools", "%2Fschools"),
        ("/schools?kind=primary", "%2Fschools%3Fkind%3Dprimary"),
        ("/audit", "%2Faudit"),
        ("/", "%2F"),
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        let to = format!("/login?next={next}");
        assert_eq!(r.header("location"), to, "{path}");
    }
}

#[tokio::test]
async fn html_login_sets_a_strict_httponly_cookie_with_a_new_id_each_time() {
    let app = TestApp::new().await;
    let r = web_login(&app, "s001.principal", WRONG, "").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains(REFUSED_ZH));
    assert!(r.headers.get("set-cookie").is_none(), "no cookie");

    let first = web_login(&app, "s001.principal", PASSWORD, "").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.header("location"), "/schools");
    let h = session_header(&first);
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(h.split("; ").any(|p| p == part), "{part} missing in {h}");
    }
    let a = session_cookie(&first);
    assert!(a.len() > "sc_session=".len() + 40, "{a}");
    let me = get_with(&app, "/api/v1/me", &[("cookie", &a)]).await;
    assert_eq!(me.status, StatusCode::OK);

    // Signing in again with the old cookie issues a new id and ends the old session.
    let second = web_login(&app, "s001.principal", PASSWORD, &a).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    let b = session_cookie(&second);
    assert_ne!(a, b);
    let r = get_with(&app, "/api/v1/me", &[("cookie", &a)]).await;
    assert_envelope(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = get_with(&app, "/api/v1/me", &[("cookie", &b)]).await;
    assert_eq!(r.json()["username"], "s001.principal");
}

/// Served over HTTPS (`secure_cookies`), the session cookie carries the `__Host-` prefix with
/// `Secure`, `Path=/` and no `Domain`, and only that name opens a session (T-SE-1): a bare
/// `sc_session` cookie, which a neighbouring host could plant, is not a session.
#[tokio::test]
async fn over_https_the_session_cookie_is_a_host_cookie_and_only_it_counts() {
    let mut config = Config::default();
    config.security.secure_cookies = true;
    let app = TestApp::with_config(config).await;
    let r = web_login(&app, "s001.principal", PASSWORD, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let h = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-sc_session="))
        .expect("a __Host- session cookie")
        .to_string();
    for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(h.split("; ").any(|p| p == part), "{part} missing in {h}");
    }
    assert!(!h.to_ascii_lowercase().contains("domain="), "{h}");
    let pair = h.split(';').next().unwrap().to_string();
    let me = get_with(&app, "/api/v1/me", &[("cookie", &pair)]).await;
    assert_eq!(me.json()["username"], "s001.principal");
    let bare = pair.replacen("__Host-sc_session=", "sc_session=", 1);
    let r = get_with(&app, "/api/v1/me", &[("cookie", &bare)]).await;
    assert_envelope(&r, StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn people_named(app: &mut TestApp, school: i64, name: &str) -> usize {
    let t = app.login("bureau.officer").await;
    let path = format!("/api/v1/schools/{school}/people");
    let people = app.get(&path, Some(&t)).await.json();
    let people = people.as_array().unwrap();
    people.iter().filter(|p| p["name"] == name).count()
}

#[tokio::test]
async fn cookie_form_posts_need_the_csrf_token_and_same_site() {
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    let cookie = cookie_login(&app, "s001.principal").await;
    let path = format!("/schools/{school}/people/new");
    let page = get_with(&app, &path, &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_of(&page.text());
    assert!(csrf.len() >= 40, "{csrf}");

    let person = [("name", "表单测试"), ("post", "teacher")];
    let with = |token| [&person[..], &[("_csrf", token)]].concat();
    let good = csrf.as_str();
    let before = app.fingerprint().await;
    let cross = [("sec-fetch-site", "cross-site")];
    let refused = [
        (person.to_vec(), &[][..]),
        (with("forged-token"), &[][..]),
        (with(good), &cross[..]),
    ];
    for (pairs, extra) in refused {
        let r = post_form(&app, &path, &cookie, &pairs, extra).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{pairs:?} {extra:?}");
        assert_eq!(app.fingerprint().await, before, "data changed");
    }
    assert_eq!(people_named(&mut app, school, "表单测试").await, 0);

    let r = post_form(&app, &path, &cookie, &with(good), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), format!("/schools/{school}"));
    assert_ne!(app.fingerprint().await, before);
    assert_eq!(people_named(&mut app, school, "表单测试").await, 1);
}

#[tokio::test]
async fn cross_site_api_post_answers_with_the_error_envelope() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let before = app.fingerprint().await;
    let body = json!({"code": "X900", "name": "跨站", "kind": "primary"});
    let body = serde_json::to_vec(&body).unwrap();
    let (ct, extra) = (Some("application/json"), [("sec-fetch-site", "cross-site")]);
    let path = "/api/v1/schools";
    let r = app
        .request(Method::POST, path, Some(&t), ct, body, &extra)
        .await;
    assert_eq!(app.fingerprint().await, before);
    assert_envelope(&r, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::new().await;
    let cookie = cookie_login(&app, "bureau.officer").await;
    for (path, signed_in) in [
        ("/login", false),
        ("/schools", true),
        ("/account/password", true),
    ] {
        let headers = if signed_in {
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
    // The limit refuses a session whose last use is *more than* 0 minutes old: once any time
    // has passed since sign-in, the session is gone. Signing in itself still works.
    let mut config = Config::default();
    config.security.idle_timeout_minutes = 0;
    let app = TestApp::with_config(config).await;
    let r = api_login(&app, "bureau.officer", PASSWORD, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let token = r.json()["token"].as_str().unwrap().to_string();
    let cookie = cookie_login(&app, "bureau.officer").await;
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
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
}

#[tokio::test]
async fn language_follows_the_cookie_then_accept_language() {
    let app = TestApp::new().await;
    let zh = ("请先登录。", "zh-CN", REFUSED_ZH);
    let en = ("Please sign in first.", "en", REFUSED_EN);
    let cases = [
        (vec![], zh),
        (vec![("accept-language", "en-US,en;q=0.9")], en),
        (vec![("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")], zh),
        (vec![("cookie", "lang=en")], en),
        (vec![("cookie", "lang=zh"), ("accept-language", "en")], zh),
    ];
    for (headers, (unauthorized, html_lang, bad_login)) in cases {
        let r = get_with(&app, "/api/v1/me", &headers).await;
        assert_eq!(r.json()["error"]["message"], unauthorized, "{headers:?}");
        let r = get_with(&app, "/login", &headers).await;
        let tag = format!("<html lang=\"{html_lang}\">");
        assert!(r.text().contains(&tag), "{headers:?}");
        let r = api_login(&app, "no.such.user", WRONG, &headers).await;
        assert_eq!(r.json()["error"]["message"], bad_login, "{headers:?}");
    }

    let r = app.get("/lang/en?next=/login", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/login");
    let set = r.header("set-cookie");
    assert!(set.starts_with("lang=en;"), "{set}");
    assert!(set.contains("; Path=/"), "{set}");
    let cookie = set.split(';').next().unwrap();
    let page = get_with(&app, "/login", &[("cookie", cookie)]).await.text();
    assert!(page.contains("<h1>Sign in</h1>"), "{page}");
    assert!(page.contains(">中文</a>") && page.contains("href=\"/lang/zh-CN?next="));
    let r = web_login(&app, "s001.guard", WRONG, cookie).await;
    assert!(r.text().contains(REFUSED_EN));

    // The switch only follows local paths.
    let r = app.get("/lang/en?next=//evil.example/", None).await;
    assert_eq!(r.header("location"), "/");
}

#[tokio::test]
async fn a_reset_password_must_be_changed_before_any_page() {
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    let old_token = app.login("s001.staff").await;
    let sys = app.login("sysadmin").await;
    let r = app.get("/api/v1/users?q=s001.staff", Some(&sys)).await;
    let id = r.json()["items"][0]["id"].as_i64().unwrap();
    let reset = json!({"op": "reset_password", "password": "Temp#Pass2024"});
    let path = format!("/api/v1/users/{id}/account");
    let r = app.json(Method::POST, &path, Some(&sys), &reset).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A reset ends the user's sessions and the old password.
    let me = app.get("/api/v1/me", Some(&old_token)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let r = api_login(&app, "s001.staff", PASSWORD, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = web_login(&app, "s001.staff", "Temp#Pass2024", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.header("location");
    assert_eq!(to, "/account/password", "next= waits for the change");
    let cookie = session_cookie(&r);
    let h = [("cookie", cookie.as_str())];
    let own = format!("/schools/{school}");
    for path in ["/schools", own.as_str(), "/audit"] {
        let r = get_with(&app, path, &h).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.header("location"), "/account/password", "{path}");
    }
    let page = get_with(&app, "/account/password", &h).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("首次登录或密码被重置后"), "forced notice");
    let csrf = csrf_of(&html);

    let change = |new, confirm| {
        let cur = [("_csrf", csrf.as_str()), ("current", "Temp#Pass2024")];
        [&cur[..], &[("password", new), ("confirm", confirm)]].concat()
    };
    let mismatch = "两次输入的新密码不一致。";
    for (new, confirm, text) in [
        ("Fresh#Pass2024", "Other#Pass2024", mismatch),
        ("Ab#1xyz", "Ab#1xyz", "密码至少 10 位。"),
    ] {
        let pairs = change(new, confirm);
        let r = post_form(&app, "/account/password", &cookie, &pairs, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert!(r.text().contains(text), "{new}: {}", r.text());
    }
    let r = get_with(&app, "/schools", &h).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "still forced");
    let fresh = change("Fresh#Pass2024", "Fresh#Pass2024");
    let r = post_form(&app, "/account/password", &cookie, &fresh, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("密码已修改。"));
    let r = get_with(&app, "/schools", &h).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("长春市二道区春华小学"));
    let r = api_login(&app, "s001.staff", "Fresh#Pass2024", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
}
