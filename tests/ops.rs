//! Operations: the SQLite backup is a consistent, verifiable copy; PostgreSQL is pointed to
//! its own tools.

mod common;
use common::TestApp;
use safecampus::storage::Db;
use safecampus::storage::Operator;

#[tokio::test]
async fn backup_is_a_verifiable_copy() {
    let app = TestApp::new().await;
    let dir = common::tempdir::Dir::new();
    let out = dir.0.join("backup.db");
    if common::backend() == "postgres" {
        let e = app
            .db
            .backup_to(&out)
            .await
            .expect_err("PostgreSQL uses pg_dump");
        assert!(e.to_string().contains("pg_dump"), "{e}");
        assert!(!out.exists());
        return;
    }
    app.db.backup_to(&out).await.expect("backup");
    assert!(out.exists());
    // A second backup to the same file is refused rather than overwriting it.
    assert!(app.db.backup_to(&out).await.is_err());
    let copy = Db::connect(&format!("sqlite://{}", out.display()))
        .await
        .expect("open");
    assert!(copy.is_safecampus().await);
    assert_eq!(
        copy.unsafe_unscoped(&Operator::command_line())
            .verify_audit()
            .await
            .expect("verify"),
        None,
        "the audit chain of the copy verifies"
    );
    assert_eq!(
        copy.unsafe_unscoped(&Operator::command_line())
            .fingerprint()
            .await
            .expect("fp"),
        app.fingerprint().await,
        "the copy holds the same data"
    );
}

/// The hot reads' path gives the same models as SeaORM over sqlx for every table of the demo
/// district (every column type, NULLs, dates, instants, JSON text and blobs), after the demo's
/// sign-ins and a few writes.
#[tokio::test]
async fn the_read_path_reads_every_table_as_seaorm_does() {
    let mut app = TestApp::new().await;
    let expected = if common::backend() == "postgres" {
        "seaorm"
    } else {
        "rusqlite"
    };
    assert_eq!(app.db.read_path(), expected);
    let token = app.login("s001.principal").await;
    let r = app.get("/api/v1/hazards?per_page=5", Some(&token)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A grant to see riders whole (approved: every column set) and a guardian's consent.
    let route = common::riders::route_with_riders(
        &mut app,
        "读取校验线",
        &[["读取生", "一年级一班", "东站", "家长", "13912340000"]],
    )
    .await;
    let staff = app.login("s001.staff").await;
    let g = app
        .json(
            axum::http::Method::POST,
            "/api/v1/pii-grants",
            Some(&staff),
            &serde_json::json!({"subject": "bus_riders", "object_id": route,
                "reason": "核对", "hours": 2}),
        )
        .await;
    assert_eq!(g.status, 201, "{}", g.text());
    let id = g.json()["id"].as_i64().unwrap();
    let r = app
        .json(
            axum::http::Method::POST,
            &format!("/api/v1/pii-grants/{id}/actions"),
            Some(&token),
            &serde_json::json!({"action": "approve"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let riders = app
        .get(&format!("/api/v1/bus-routes/{route}/riders"), Some(&token))
        .await
        .json();
    let rider = riders["riders"][0]["id"].as_i64().unwrap();
    let r = app
        .json(
            axum::http::Method::POST,
            &format!("/api/v1/bus-riders/{rider}/consents"),
            Some(&token),
            &serde_json::json!({"purpose": "bus_transport", "step": "give"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let differ = app
        .db
        .verify_read_path(&Operator::command_line())
        .await
        .expect("verify");
    assert!(differ.is_empty(), "tables read differently: {differ:?}");
}
