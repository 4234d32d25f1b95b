//! The second factor (T-AU-5): a role that requires it sets it up before anything else; while
//! the second factor is due no route of the table answers but its own, sign-out and the public
//! ones; a code works once and only within one step of now; recovery codes work once and are
//! stored hashed; wrong codes count toward the lockout; the security admin's reset forces a
//! new set-up; anyone else may set one up and turns it off only with a code.
//!
//! Codes are computed here from the secret read from the database, with the same crate, for
//! now and for now ± 30 s / 60 s.

mod common;

use axum::http::{Method, StatusCode};
use common::{PASSWORD, Resp, TestApp};
use safecampus::config::Config;
use safecampus::policy::Action;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use totp_rs::{Algorithm, Secret, TOTP};

const FORM: &str = "application/x-www-form-urlencoded";

/// The default roles (the three system roles and the bureau) require the second factor; the
/// audit admin is left out here so that the harness can read the audit with a password.
async fn app() -> TestApp {
    let mut config = Config::default();
    assert_eq!(
        config.security.mfa_required_roles,
        [
            "sys_admin",
            "sec_admin",
            "audit_admin",
            "city_officer",
            "bureau_leader",
            "bureau_officer",
            "bureau_inspector"
        ]
    );
    config
        .security
        .mfa_required_roles
        .retain(|r| r != "audit_admin");
    TestApp::with_mfa(config).await
}

async fn raw(app: &TestApp) -> DatabaseConnection {
    sea_orm::Database::connect(app.owner_url().as_str())
        .await
        .expect("connect")
}

async fn rows(c: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    c.query_all_raw(Statement::from_string(c.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn secret_of(c: &DatabaseConnection, user: i64) -> String {
    let r = rows(
        c,
        &format!("SELECT secret FROM user_mfa WHERE user_id = {user}"),
    )
    .await;
    let sealed: String = r[0].try_get("", "secret").expect("secret");
    // Stored sealed with the field key (T-PR-2); opened here as the platform does.
    use safecampus::storage::sealed::{FieldKey, Keyring, MFA_SECRET};
    let key = FieldKey::from_base64(common::FIELD_KEY).expect("key");
    Keyring::new(key, Vec::new())
        .open(MFA_SECRET, &sealed)
        .expect("the secret opens")
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The code of `secret` at now + `offset` seconds.
fn code(secret: &str, offset: i64) -> String {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    let t = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    t.generate((now() + offset) as u64)
}

/// Waits until at least 12 s of the current 30 s step remain, so the codes computed next
/// are judged within the same step.
async fn fresh_step() {
    let into = now() % 30;
    if into > 18 {
        tokio::time::sleep(Duration::from_secs((30 - into) as u64 + 1)).await;
    }
}

async fn login(app: &TestApp, user: &str) -> Value {
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": user, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn token(j: &Value) -> String {
    j["token"].as_str().expect("token").to_string()
}

async fn submit(app: &TestApp, t: &str, code: &str) -> Resp {
    app.json(
        Method::POST,
        "/api/v1/auth/mfa",
        Some(t),
        &json!({"code": code}),
    )
    .await
}

/// Signs in `user` (its role requiring a second factor) and sets it up through the API;
/// returns the user id, the secret and the recovery codes.
async fn enrol(app: &mut TestApp, user: &str) -> (i64, String, Vec<String>) {
    let j = login(app, user).await;
    assert_eq!(j["mfa_enrolment_required"], true, "{j}");
    let t = token(&j);
    let s = app.get("/api/v1/auth/mfa", Some(&t)).await.json();
    let secret = s["secret"]
        .as_str()
        .expect("the secret to set up")
        .to_string();
    assert!(
        s["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/SafeCampus:")
    );
    fresh_step().await;
    let r = submit(app, &t, &code(&secret, 0)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let codes: Vec<String> = r.json()["recovery_codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    let id = r.json()["user"]["id"].as_i64().unwrap();
    (id, secret, codes)
}

/// A route's path with every parameter filled in.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') { "1" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every route of the table but the public ones, the device ingest, the second factor's own
/// and sign-out answers a session whose second factor is due with 401 (API, with `code`) or a
/// redirect to `to` (pages) — never with data.
async fn nothing_answers(app: &TestApp, t: &str, code: &str, to: &str) {
    let mut checked = 0;
    for r in &app.routes {
        if matches!(
            r.action,
            Action::Public | Action::MfaSignIn | Action::DeviceIngest
        ) || r.path == "/logout"
            || r.path == "/api/v1/auth/logout"
        {
            continue;
        }
        let path = concrete(r.path);
        let res = app
            .request(
                r.method.clone(),
                &path,
                Some(t),
                Some("application/json"),
                b"{}".to_vec(),
                &[],
            )
            .await;
        let what = format!("{} {}", r.method, r.path);
        if r.path.starts_with("/api/") {
            assert_eq!(
                res.status,
                StatusCode::UNAUTHORIZED,
                "{what}: {}",
                res.text()
            );
            assert_eq!(res.json()["error"]["code"], code, "{what}");
        } else {
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{what}: {}", res.text());
            assert_eq!(res.header("location"), to, "{what}");
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} routes checked");
    // Health and static files stay reachable.
    assert_eq!(app.get("/healthz", Some(t)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_required_role_sets_up_the_second_factor_before_anything_else() {
    let mut app = app().await;
    let j = login(&app, "bureau.officer").await;
    assert_eq!(j["mfa_enrolment_required"], true);
    assert_eq!(j["mfa_required"], false);
    let t = token(&j);
    nothing_answers(&app, &t, "mfa_enrolment_required", "/login/mfa/enrol").await;

    let s = app.get("/api/v1/auth/mfa", Some(&t)).await.json();
    assert_eq!(s["pending"], "enrol");
    assert_eq!(s["required"], true);
    let secret = s["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 32, "160 bits");
    // A wrong code sets nothing up.
    let r = submit(&app, &t, "000000").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        app.get("/api/v1/me", Some(&t)).await.status,
        StatusCode::UNAUTHORIZED
    );
    fresh_step().await;
    let r = submit(&app, &t, &code(&secret, 0)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let codes = r.json()["recovery_codes"].as_array().unwrap().clone();
    assert_eq!(codes.len(), 10);
    // Complete, under a new token (T-SE-1): the pending one is worth nothing now.
    let done = token(&r.json());
    assert_ne!(done, t);
    assert_eq!(
        app.get("/api/v1/me", Some(&t)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&done)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/schools", Some(&done)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        submit(&app, &done, "000000").await.status,
        StatusCode::CONFLICT
    );

    // The next sign-in asks for a code; the secret and the codes are in no audit row.
    let j = login(&app, "bureau.officer").await;
    assert_eq!(j["mfa_required"], true);
    assert_eq!(j["mfa_enrolment_required"], false);
    let t2 = token(&j);
    nothing_answers(&app, &t2, "mfa_required", "/login/mfa").await;
    let c = raw(&app).await;
    let audit = rows(&c, "SELECT detail FROM audit_log").await;
    for row in &audit {
        let d: String = row.try_get("", "detail").unwrap_or_default();
        assert!(!d.contains(&secret), "{d}");
        for rc in &codes {
            assert!(!d.contains(rc.as_str().unwrap()), "{d}");
        }
    }
    let enrolled = app.audit("action=mfa.enrol").await;
    assert_eq!(enrolled[0]["result"], "ok");
    assert!(!app.audit("action=mfa.enrol&result=failed").await.is_empty());
    // A required role cannot turn it off.
    let (cookie, csrf) = page_session(&app, "bureau.officer").await;
    assert!(cookie.starts_with("sc_session="));
    let r = post_form(
        &app,
        "/login/mfa",
        &cookie,
        &[("_csrf", &csrf), ("code", &code(&secret, 30))],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), "/");
    let cookie = cookie_of(&r);
    let r = post_form(
        &app,
        "/account/mfa/disable",
        &cookie,
        &[("_csrf", &csrf), ("code", "123456")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
}

#[tokio::test]
async fn the_sign_in_page_leads_a_required_role_through_the_set_up() {
    let app = app().await;
    let r = app
        .request(
            Method::POST,
            "/login",
            None,
            Some(FORM),
            serde_urlencoded::to_string([("username", "sysadmin"), ("password", PASSWORD)])
                .unwrap()
                .into_bytes(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = cookie_of(&r);
    let h = [("cookie", cookie.as_str())];
    for p in [
        "/admin/users",
        "/",
        "/account/password",
        "/account/mfa",
        "/inbox",
    ] {
        let r = app.request(Method::GET, p, None, None, vec![], &h).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{p}");
        assert_eq!(r.header("location"), "/login/mfa/enrol", "{p}");
    }
    let page = app
        .request(Method::GET, "/login/mfa/enrol", None, None, vec![], &h)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("<svg"), "the QR code");
    let c = raw(&app).await;
    let id: i64 = rows(&c, "SELECT id FROM users WHERE username = 'sysadmin'").await[0]
        .try_get("", "id")
        .unwrap();
    let secret = secret_of(&c, id).await;
    let grouped: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    assert!(
        html.contains(&grouped.join(" ")),
        "the secret in groups of 4"
    );
    // A cookie write needs the CSRF token, even mid-flow.
    let csrf = TestApp::form_token(&html);
    let r = post_form(&app, "/login/mfa/enrol", &cookie, &[("code", "000000")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    fresh_step().await;
    let r = post_form(
        &app,
        "/login/mfa/enrol",
        &cookie,
        &[("_csrf", &csrf), ("code", &code(&secret, 0))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("id=\"mfa-recovery-codes\""));
    assert!(html.matches("<li>").count() >= 10);
    // Signed in under a new session id; the cookie of the pending session is worth nothing.
    let renewed = cookie_of(&r);
    assert_ne!(renewed, cookie);
    let r = app
        .request(Method::GET, "/admin/users", None, None, vec![], &h)
        .await;
    assert_ne!(r.status, StatusCode::OK, "the old id ended");
    let r = app
        .request(
            Method::GET,
            "/admin/users",
            None,
            None,
            vec![],
            &[("cookie", renewed.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "signed in");
}

#[tokio::test]
async fn a_code_works_once_and_only_within_one_step() {
    let mut app = app().await;
    let (id, secret, _) = enrol(&mut app, "sysadmin").await;
    let c = raw(&app).await;
    // Let the earlier steps count as unused, to test the window apart from the replay rule.
    let old = now() / 30 - 10;
    c.execute_unprepared(&format!(
        "UPDATE user_mfa SET last_step = {old} WHERE user_id = {id}"
    ))
    .await
    .unwrap();

    fresh_step().await;
    let t = token(&login(&app, "sysadmin").await);
    for far in [-60, 60, -90, 90] {
        let wrong = code(&secret, far);
        if [code(&secret, -30), code(&secret, 0), code(&secret, 30)].contains(&wrong) {
            continue; // six digits may coincide
        }
        let r = submit(&app, &t, &wrong).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "±{far} s");
    }
    let back = code(&secret, -30);
    let r = submit(&app, &t, &back).await;
    assert_eq!(r.status, StatusCode::OK, "one step back: {}", r.text());

    // The same code again: refused; the current one (a newer step) works.
    let t = token(&login(&app, "sysadmin").await);
    let r = submit(&app, &t, &back).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "replayed");
    let now_code = code(&secret, 0);
    let r = submit(&app, &t, &now_code).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = token(&login(&app, "sysadmin").await);
    let r = submit(&app, &t, &now_code).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "used twice");
    let r = submit(&app, &t, &code(&secret, 30)).await;
    assert_eq!(r.status, StatusCode::OK, "one step ahead: {}", r.text());
    let failed = app.audit("action=mfa.verify&result=failed").await;
    assert!(failed.len() >= 4, "{failed:?}");
}

#[tokio::test]
async fn a_recovery_code_works_once_and_is_stored_hashed() {
    let mut app = app().await;
    let (id, _, codes) = enrol(&mut app, "secadmin").await;
    let c = raw(&app).await;
    let stored = rows(
        &c,
        &format!("SELECT code_hash FROM mfa_recovery_codes WHERE user_id = {id}"),
    )
    .await;
    assert_eq!(stored.len(), 10);
    let hashes: Vec<String> = stored
        .iter()
        .map(|r| r.try_get::<String>("", "code_hash").unwrap())
        .collect();
    for code in &codes {
        assert!(hashes.iter().all(|h| !h.contains(code.as_str())));
        let h = hex::encode(Sha256::digest(code.replace('-', "").as_bytes()));
        assert!(hashes.contains(&h), "SHA-256 of the code");
    }
    let t = token(&login(&app, "secadmin").await);
    let r = submit(&app, &t, &codes[0]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = token(&login(&app, "secadmin").await);
    let r = submit(&app, &t, &codes[0]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "used once");
    // Typed in lower case with spaces: the same code.
    let typed = codes[1].to_lowercase().replace('-', " ");
    let r = submit(&app, &t, &typed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let left = rows(
        &c,
        &format!("SELECT id FROM mfa_recovery_codes WHERE user_id = {id} AND used_at IS NULL"),
    )
    .await;
    assert_eq!(left.len(), 8);
}

#[tokio::test]
async fn wrong_codes_count_toward_the_lockout() {
    let mut config = Config::default();
    config.security.max_failures = 3;
    config.security.mfa_required_roles = vec!["bureau_officer".into()];
    let mut app = TestApp::with_mfa(config).await;
    let (_, secret, _) = enrol(&mut app, "bureau.officer").await;
    let t = token(&login(&app, "bureau.officer").await);
    for _ in 0..3 {
        let r = submit(&app, &t, "000000").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    }
    // Paused: even the right code is refused now, and so is the password from here.
    fresh_step().await;
    let r = submit(&app, &t, &code(&secret, 30)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    // The answer says when to come back: whole seconds, within the configured pause.
    let wait: u64 = r
        .header("retry-after")
        .parse()
        .expect("Retry-After in seconds");
    let pause = Config::default().security.lockout_minutes as u64 * 60;
    assert!((1..=pause + 1).contains(&wait), "{wait} of {pause}");
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": "bureau.officer", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.headers.contains_key("retry-after"));
    let failed = app.audit("action=mfa.verify&result=failed").await;
    assert!(
        failed
            .iter()
            .any(|e| e["detail"].as_str().unwrap_or("").contains("blocked=")),
        "{failed:?}"
    );
}

#[tokio::test]
async fn the_security_admins_reset_forces_a_new_set_up() {
    let mut config = Config::default();
    config.security.mfa_required_roles = vec!["bureau_officer".into()];
    let mut app = TestApp::with_mfa(config).await;
    let (id, secret, _) = enrol(&mut app, "bureau.officer").await;
    let t = token(&login(&app, "bureau.officer").await);
    fresh_step().await;
    let r = submit(&app, &t, &code(&secret, 30)).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = token(&r.json());
    let path = format!("/api/v1/users/{id}/mfa/reset");
    let sys = app.login("sysadmin").await;
    let r = app.json(Method::POST, &path, Some(&sys), &json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the system admin may not");
    let sec = app.login("secadmin").await;
    let page = app.get("/admin/users", Some(&sec)).await.text();
    assert!(
        page.contains(&format!("/admin/users/{id}/mfa/reset")),
        "the button"
    );
    let r = app.json(Method::POST, &path, Some(&sec), &json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    // The user's sessions ended; the next sign-in sets up a new secret.
    assert_eq!(
        app.get("/api/v1/me", Some(&t)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let j = login(&app, "bureau.officer").await;
    assert_eq!(j["mfa_enrolment_required"], true);
    let s = app.get("/api/v1/auth/mfa", Some(&token(&j))).await.json();
    assert_ne!(s["secret"].as_str().unwrap(), secret);
    let e = &app.audit("action=mfa.reset").await[0];
    assert_eq!(e["result"], "ok");
    assert_eq!(e["object_id"], id.to_string());
}

#[tokio::test]
async fn a_teacher_may_set_one_up_and_turns_it_off_only_with_a_code() {
    let mut app = app().await;
    let (cookie, csrf) = page_session(&app, "s001.staff").await;
    let h = [("cookie", cookie.as_str())];
    let page = app
        .request(Method::GET, "/account/mfa", None, None, vec![], &h)
        .await
        .text();
    assert!(page.contains("id=\"mfa-start\""));
    let r = post_form(&app, "/account/mfa/enrol", &cookie, &[("_csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app
        .request(Method::GET, "/account/mfa", None, None, vec![], &h)
        .await
        .text();
    assert!(page.contains("<svg") && page.contains("/account/mfa/confirm"));
    let c = raw(&app).await;
    let id: i64 = rows(&c, "SELECT id FROM users WHERE username = 's001.staff'").await[0]
        .try_get("", "id")
        .unwrap();
    let secret = secret_of(&c, id).await;
    // Not on yet: the next sign-in needs no code.
    let (_, _) = page_session(&app, "s001.staff").await;
    fresh_step().await;
    let r = post_form(
        &app,
        "/account/mfa/confirm",
        &cookie,
        &[("_csrf", &csrf), ("code", &code(&secret, 0))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("id=\"mfa-recovery-codes\""));

    // On: the sign-in page asks for a code before anything else.
    let (cookie2, csrf2) = page_session(&app, "s001.staff").await;
    let h2 = [("cookie", cookie2.as_str())];
    let r = app
        .request(Method::GET, "/schools", None, None, vec![], &h2)
        .await;
    assert_eq!(r.header("location"), "/login/mfa");
    let r = post_form(
        &app,
        "/login/mfa",
        &cookie2,
        &[("_csrf", &csrf2), ("code", &code(&secret, 30))],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), "/");
    // Signed in under a new id.
    let cookie2 = cookie_of(&r);
    let h2 = [("cookie", cookie2.as_str())];
    let r = app
        .request(Method::GET, "/schools", None, None, vec![], &h2)
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Off only with a current code.
    let r = post_form(
        &app,
        "/account/mfa/disable",
        &cookie2,
        &[("_csrf", &csrf2), ("code", "000000")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_form(
        &app,
        "/account/mfa/disable",
        &cookie2,
        &[("_csrf", &csrf2), ("code", &code(&secret, 30))],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "that code was used"
    );
    tokio::time::sleep(Duration::from_secs((30 - now() % 30) as u64 + 1)).await;
    let r = post_form(
        &app,
        "/account/mfa/disable",
        &cookie2,
        &[("_csrf", &csrf2), ("code", &code(&secret, 30))],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app
        .request(Method::GET, "/account/mfa", None, None, vec![], &h2)
        .await
        .text();
    assert!(page.contains("id=\"mfa-off\""));
    let j = login(&app, "s001.staff").await;
    assert_eq!(j["mfa_required"], false);
    assert!(!app.audit("action=mfa.disable&result=ok").await.is_empty());
}

fn cookie_of(r: &Resp) -> String {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sc_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// Signs in through the form; returns the cookie and the CSRF token of the page it leads to.
async fn page_session(app: &TestApp, user: &str) -> (String, String) {
    let body = serde_urlencoded::to_string([("username", user), ("password", PASSWORD)]).unwrap();
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
    let cookie = cookie_of(&r);
    let to = match r.header("location").as_str() {
        "/login/mfa" => "/login/mfa".to_string(),
        "/login/mfa/enrol" => "/login/mfa/enrol".to_string(),
        _ => "/account/password".to_string(),
    };
    let page = app
        .request(Method::GET, &to, None, None, vec![], &[("cookie", &cookie)])
        .await;
    (cookie, TestApp::form_token(&page.text()))
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, pairs: &[(&str, &str)]) -> Resp {
    let body = serde_urlencoded::to_string(pairs).unwrap().into_bytes();
    app.request(
        Method::POST,
        path,
        None,
        Some(FORM),
        body,
        &[("cookie", cookie)],
    )
    .await
}
