//! The audit log's retention on the page: a database without the demo whose audit log starts
//! with an old stretch (`OLD` entries 400 days ago) and a young one (`YOUNG`, 100 days ago), an
//! audit admin (`auditor`) and a security admin (`secguy`), both past their initial password
//! (`CHANGED`). Shared by the purge form's HTTP and browser suites.

use super::TestApp;
use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use safecampus::config::Config;
use safecampus::domain::role::Role;
use safecampus::storage::Operator;
use safecampus::storage::audit::PlatformAudit;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::json;

pub const INITIAL: &str = "Audit#Passw0rd-12";
pub const CHANGED: &str = "Audit#Changed-345";

/// Entries of the history: `OLD` 400 days ago, `YOUNG` 100 days ago.
pub const OLD: i64 = 30;
pub const YOUNG: i64 = 20;

pub struct Fixture {
    pub app: TestApp,
    pub conn: DatabaseConnection,
    pub archive: Option<std::path::PathBuf>,
    _dir: super::tempdir::Dir,
}

/// A database whose audit log starts with an old and a young stretch, an audit admin
/// (`auditor`) and a security admin (`secguy`), both past their initial password.
pub async fn fixture(with_archive: bool) -> Fixture {
    let dir = super::tempdir::Dir::new();
    let mut config = Config::default();
    let archive = with_archive.then(|| dir.0.join("archive"));
    config.audit.archive_dir = archive.clone();
    let app = TestApp::empty(config.clone()).await;
    let u = app.db.unsafe_unscoped(&Operator::command_line());
    let now = Utc::now();
    let mut tx = u.begin().await.expect("begin");
    for (n, age) in [(OLD, 400), (YOUNG, 100)] {
        for i in 0..n {
            tx.audit_at(
                now - Duration::days(age) + Duration::seconds(i),
                PlatformAudit::Verify,
                "audit_log",
                i,
                "history",
            )
            .await
            .expect("append");
        }
    }
    tx.commit().await.expect("commit");
    for (name, role) in [("auditor", Role::AuditAdmin), ("secguy", Role::SecAdmin)] {
        u.create_user_with(name, name, INITIAL, role, None, &config.security)
            .await
            .expect("user");
        let r = app
            .json(
                Method::POST,
                "/api/v1/auth/login",
                None,
                &json!({"username": name, "password": INITIAL}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let t = r.json()["token"].as_str().unwrap().to_string();
        let r = app
            .json(
                Method::POST,
                "/api/v1/auth/password",
                Some(&t),
                &json!({"current_password": INITIAL, "new_password": CHANGED}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    let conn = Database::connect(app.state.config().database_url.as_str())
        .await
        .expect("connect");
    Fixture {
        app,
        conn,
        archive,
        _dir: dir,
    }
}

pub async fn int(conn: &DatabaseConnection, q: &str) -> i64 {
    conn.query_one_raw(Statement::from_string(
        conn.get_database_backend(),
        q.to_string(),
    ))
    .await
    .expect("query")
    .expect("row")
    .try_get_by_index::<i64>(0)
    .expect("int")
}

pub async fn history_left(f: &Fixture) -> i64 {
    int(
        &f.conn,
        "SELECT COUNT(*) FROM audit_log WHERE detail = 'history'",
    )
    .await
}
