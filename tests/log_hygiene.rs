//! T-LG-7: a password, a phone number, a pupil's name and session tokens used in sign-ins,
//! refusals, writes and failing requests never appear in the logs (every level the platform
//! writes, captured in this process) nor in the audit trail; a username carrying a line break
//! stays one log line.

mod common;
use axum::http::{Method, StatusCode};
use common::TestApp;
use common::logs::Captured;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;

const PASSWORD: &str = "Sentinel#Pw-73915x";
const NEW_PASSWORD: &str = "Sentinel#New-84026y";
const PHONE: &str = "13912345678";
const FORGED_TOKEN: &str = "sentinel-token-5f2a9c1e7b3d";

#[tokio::test]
async fn secrets_and_personal_data_stay_out_of_logs_and_the_audit_trail() {
    let logs = Captured::default();
    // The server's own filter, with everything of the platform itself down to TRACE.
    tracing_subscriber::fmt()
        .with_env_filter("info,sqlx=warn,sea_orm=warn,safecampus=trace,tower_http=trace")
        .with_ansi(false)
        .with_writer(logs.clone())
        .init();
    let mut app = TestApp::new().await;

    // Refused sign-ins: a wrong (sentinel) password, an unknown user, a username with CRLF.
    for (user, pw) in [
        ("bureau.officer", PASSWORD),
        ("nobody.here", PASSWORD),
        ("evil\r\nERROR forged log line", PASSWORD),
    ] {
        let r = app
            .json(
                Method::POST,
                "/api/v1/auth/login",
                None,
                &json!({"username": user, "password": pw}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // A forged bearer token and a forged session cookie.
    let r = app.get("/api/v1/schools", Some(FORGED_TOKEN)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .request(
            Method::GET,
            "/hazards",
            None,
            None,
            Vec::new(),
            &[("cookie", &format!("sc_session={FORGED_TOKEN}"))],
        )
        .await;
    assert_ne!(r.status, StatusCode::OK);

    // A principal signs in, registers a person with a phone, changes her password.
    let t = app.login("s001.principal").await;
    let school = app.org_id("S001").await;
    app.add_person(&t, school, "测试人员", "teacher").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/people"),
            Some(&t),
            &json!({"name": "第二人", "post": "teacher", "phone": PHONE}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    // A body that fails validation, carrying the phone.
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/people"),
            Some(&t),
            &json!({"name": "", "post": "no-such-post", "phone": PHONE, "extra": PHONE}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/password",
            Some(&t),
            &json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert!(
        !r.status.is_success(),
        "the wrong current password is refused"
    );
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/password",
            Some(&t),
            &json!({"current_password": common::PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    // Signs in again with the new password.
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": "s001.principal", "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let fresh = r.json()["token"].as_str().unwrap().to_string();
    let r = app.get("/api/v1/me", Some(&fresh)).await;
    assert_eq!(r.status, StatusCode::OK);

    let text = logs.text();
    assert!(
        text.lines().count() > 5,
        "the capture sees the platform's log:\n{text}"
    );
    let conn = Database::connect(app.owner_url().as_str()).await.unwrap();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT username, object_id, detail FROM audit_log",
        ))
        .await
        .unwrap();
    let audit: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r.try_get::<String>("", "username").unwrap_or_default(),
                r.try_get::<String>("", "object_id").unwrap_or_default(),
                r.try_get::<String>("", "detail").unwrap_or_default()
            )
        })
        .collect();
    let audit = audit.join("\n");
    for secret in [
        PASSWORD,
        NEW_PASSWORD,
        common::PASSWORD,
        PHONE,
        FORGED_TOKEN,
        &t,
        &fresh,
    ] {
        assert!(!text.contains(secret), "{secret} in the log:\n{text}");
        assert!(!audit.contains(secret), "{secret} in the audit trail");
    }
    // The CRLF username never starts a line of its own.
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("ERROR forged log line")),
        "{text}"
    );
    conn.close().await.ok();
}
