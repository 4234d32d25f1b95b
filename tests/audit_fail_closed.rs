//! T-LG-4: when the audit trail cannot be written, no change happens: the business write
//! rolls back with it and the client gets 503 with `Retry-After` (JSON and pages alike); once
//! the trail takes rows again, the same request succeeds and is audited. No mutation is ever
//! left unaudited.

mod common;
use axum::http::{Method, StatusCode};
use common::TestApp;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::json;

async fn connect(app: &TestApp) -> DatabaseConnection {
    Database::connect(app.owner_url().as_str())
        .await
        .expect("connect")
}

async fn count(conn: &DatabaseConnection, query: &str) -> i64 {
    conn.query_one_raw(Statement::from_string(
        conn.get_database_backend(),
        query.to_string(),
    ))
    .await
    .expect("query")
    .expect("row")
    .try_get_by_index::<i64>(0)
    .expect("count")
}

/// Makes every insert into the audit log fail, as a full or read-only audit store would.
async fn break_audit(conn: &DatabaseConnection) {
    if common::backend() == "postgres" {
        conn.execute_unprepared(
            "CREATE FUNCTION audit_gone() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$",
        )
        .await
        .expect("function");
        conn.execute_unprepared(
            "CREATE TRIGGER audit_gone BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION audit_gone()",
        )
        .await
        .expect("trigger");
    } else {
        conn.execute_unprepared(
            "CREATE TRIGGER audit_gone BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END",
        )
        .await
        .expect("trigger");
    }
}

async fn mend_audit(conn: &DatabaseConnection) {
    let sql = if common::backend() == "postgres" {
        "DROP TRIGGER audit_gone ON audit_log"
    } else {
        "DROP TRIGGER audit_gone"
    };
    conn.execute_unprepared(sql).await.expect("drop");
}

#[tokio::test]
async fn a_change_the_audit_cannot_record_does_not_happen() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.principal").await;
    let officer = app.login("bureau.officer").await;
    let school = app.org_id("S001").await;
    let conn = connect(&app).await;
    let people = format!("SELECT COUNT(*) FROM people WHERE org_id = {school}");
    let before_people = count(&conn, &people).await;
    let before_audit = count(&conn, "SELECT COUNT(*) FROM audit_log").await;
    let before_schools = count(&conn, "SELECT COUNT(*) FROM orgs").await;

    break_audit(&conn).await;
    // An API write: 503 with Retry-After and the envelope's code; nothing written.
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/people"),
            Some(&t),
            &json!({"name": "未审计", "post": "teacher", "phone": "13800002222"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.header("retry-after"), "5");
    assert_eq!(r.json()["error"]["code"], "unavailable");
    // A bureau's write of another kind.
    let r = app
        .json(
            Method::POST,
            "/api/v1/schools",
            Some(&officer),
            &json!({"code": "S990", "name": "审计失败学校", "kind": "primary"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    // A sign-in is audited too: it is refused rather than let in unrecorded.
    let sessions = count(&conn, "SELECT COUNT(*) FROM sessions").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": "s001.guard", "password": common::PASSWORD}),
        )
        .await;
    assert!(
        matches!(
            r.status,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::UNAUTHORIZED
        ),
        "{}",
        r.text()
    );
    assert!(r.json()["token"].is_null());
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM sessions").await,
        sessions
    );
    assert_eq!(count(&conn, &people).await, before_people, "rolled back");
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM orgs").await,
        before_schools
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM audit_log").await,
        before_audit
    );
    // Reads go on.
    let r = app.get("/api/v1/schools", Some(&officer)).await;
    assert_eq!(r.status, StatusCode::OK);

    mend_audit(&conn).await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/people"),
            Some(&t),
            &json!({"name": "已审计", "post": "teacher", "phone": "13800002222"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(count(&conn, &people).await, before_people + 1);
    assert!(count(&conn, "SELECT COUNT(*) FROM audit_log").await > before_audit);
    assert_eq!(
        app.db
            .unsafe_unscoped(&safecampus::storage::Operator::command_line())
            .verify_audit()
            .await
            .expect("verify"),
        None
    );
    conn.close().await.ok();
}
