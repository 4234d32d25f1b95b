//! T-SE-2: the absolute session limit (`[security] absolute_timeout_hours`, 12 by default)
//! ends a session however busy it is kept — the idle clock never runs out, the session's age
//! does — on the API (401) and on the pages (to the sign-in page); the limit is configurable.

mod common;
use axum::http::{Method, StatusCode};
use common::TestApp;
use safecampus::config::Config;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

/// Sets when every session of `username` was opened to `minutes` ago and its last use to
/// now: a session kept busy since.
async fn opened_ago(app: &TestApp, username: &str, minutes: i64) {
    let conn = app.raw().await;
    let backend = conn.get_database_backend();
    let now = chrono::Utc::now();
    let opened = now - chrono::Duration::minutes(minutes);
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "UPDATE sessions SET created_at = $1, last_seen_at = $2 \
         WHERE user_id = (SELECT id FROM users WHERE username = $3)"
    } else {
        "UPDATE sessions SET created_at = ?, last_seen_at = ? \
         WHERE user_id = (SELECT id FROM users WHERE username = ?)"
    };
    let r = conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [opened.into(), now.into(), username.into()],
        ))
        .await
        .expect("backdate");
    assert!(r.rows_affected() >= 1, "a session of {username}");
    conn.close().await.ok();
}

async fn me(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/me", Some(token)).await.status
}

#[tokio::test]
async fn a_busy_session_ends_at_the_absolute_limit() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.principal").await;
    // Used a minute ago, opened 11 h 58 min ago: still open.
    opened_ago(&app, "s001.principal", 12 * 60 - 2).await;
    assert_eq!(me(&app, &t).await, StatusCode::OK);
    // Used a moment ago, opened 12 h 1 min ago: over.
    opened_ago(&app, "s001.principal", 12 * 60 + 1).await;
    assert_eq!(me(&app, &t).await, StatusCode::UNAUTHORIZED);
    // And it stays over (the session is gone, not just refused once).
    assert_eq!(me(&app, &t).await, StatusCode::UNAUTHORIZED);
    // A new sign-in opens a new session.
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": "s001.principal", "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let fresh = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(me(&app, &fresh).await, StatusCode::OK);
}

#[tokio::test]
async fn a_page_session_past_the_limit_goes_to_the_sign_in_page() {
    let app = TestApp::new().await;
    let cookie = app.page_cookie("s001.safety").await;
    let page = |c: String| {
        let app = &app;
        async move {
            app.request(
                Method::GET,
                "/hazards",
                None,
                None,
                Vec::new(),
                &[("cookie", &c)],
            )
            .await
        }
    };
    assert_eq!(page(cookie.clone()).await.status, StatusCode::OK);
    opened_ago(&app, "s001.safety", 12 * 60 + 1).await;
    let r = page(cookie).await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert!(
        r.header("location").starts_with("/login"),
        "{}",
        r.header("location")
    );
}

#[tokio::test]
async fn the_absolute_limit_is_configurable() {
    let mut config = Config::default();
    config.security.absolute_timeout_hours = 1;
    let mut app = TestApp::with_config(config).await;
    let t = app.login("bureau.officer").await;
    opened_ago(&app, "bureau.officer", 59).await;
    assert_eq!(me(&app, &t).await, StatusCode::OK);
    opened_ago(&app, "bureau.officer", 61).await;
    assert_eq!(me(&app, &t).await, StatusCode::UNAUTHORIZED);
    // Zero hours: every session ends at its next use, however fresh.
    let mut config = Config::default();
    config.security.absolute_timeout_hours = 0;
    let mut app = TestApp::with_config(config).await;
    let t = app.login("bureau.officer").await;
    opened_ago(&app, "bureau.officer", 1).await;
    assert_eq!(me(&app, &t).await, StatusCode::UNAUTHORIZED);
}
