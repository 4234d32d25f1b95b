//! T-LG-5: audit entries younger than 184 days are never removed — not by the audit admin, not
//! by the daily job, not by SQL with the purge's own gate open; older ones are archived to a
//! file (every field and both hashes) and removed by the audit admin or the job, the purge is
//! itself audited, and the chain (and its anchors) still verifies from the new base.

mod common;
use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::TestApp;
use safecampus::domain::role::Role;
use safecampus::storage::Operator;
use safecampus::storage::audit::PlatformAudit;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait};
use serde_json::json;

async fn int(conn: &DatabaseConnection, q: &str) -> i64 {
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

async fn text(conn: &DatabaseConnection, q: &str) -> String {
    conn.query_one_raw(Statement::from_string(
        conn.get_database_backend(),
        q.to_string(),
    ))
    .await
    .expect("query")
    .expect("row")
    .try_get_by_index::<String>(0)
    .expect("text")
}

/// A DELETE of one entry with the purge's gate open, as someone with SQL access would try it.
async fn delete_with_gate(conn: &DatabaseConnection, id: i64) -> Result<(), String> {
    let txn = conn.begin().await.expect("begin");
    txn.execute_unprepared("UPDATE audit_purge_gate SET open = 1 WHERE id = 1")
        .await
        .expect("gate");
    let r = txn
        .execute_unprepared(&format!("DELETE FROM audit_log WHERE id = {id}"))
        .await;
    txn.rollback().await.ok();
    r.map(drop).map_err(|e| e.to_string())
}

#[tokio::test]
async fn old_entries_are_archived_and_purged_young_ones_never() {
    let dir = common::tempdir::Dir::new();
    let archive = dir.0.join("archive");
    let mut config = safecampus::config::Config::default();
    config.audit.archive_dir = Some(archive.clone());
    let app = TestApp::empty(config.clone()).await;
    let u = app.db.unsafe_unscoped(&Operator::command_line());
    // History: 300 entries 400 days ago, 200 entries 190 days ago, 100 entries 100 days ago.
    let now = Utc::now();
    let mut tx = u.begin().await.expect("begin");
    for (n, age) in [(300, 400), (200, 190), (100, 100)] {
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
    let anchor_dir = dir.0.join("anchors");
    u.anchor_audit(&anchor_dir).await.expect("anchor");
    u.create_user_with(
        "auditor",
        "审计员",
        "Audit#Passw0rd-12",
        Role::AuditAdmin,
        None,
        &config.security,
    )
    .await
    .expect("user");
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": "auditor", "password": "Audit#Passw0rd-12"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = r.json()["token"].as_str().unwrap().to_string();
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/password",
            Some(&t),
            &json!({"current_password": "Audit#Passw0rd-12", "new_password": "Audit#Changed-345"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let conn = Database::connect(app.owner_url().as_str()).await.unwrap();
    let first = int(&conn, "SELECT MIN(id) FROM audit_log").await;
    let young = int(
        &conn,
        "SELECT MAX(id) FROM audit_log WHERE detail = 'history'",
    )
    .await;

    // SQL cannot remove an entry: an old one without the gate, a young one even with it.
    let e = conn
        .execute_unprepared(&format!("DELETE FROM audit_log WHERE id = {first}"))
        .await
        .expect_err("refused");
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = delete_with_gate(&conn, young).await.expect_err("refused");
    assert!(e.contains("append-only"), "{e}");

    // The floor: nothing younger than 184 days, whatever the audit admin asks.
    let today = chrono::Utc::now().date_naive();
    let purge = |before: chrono::NaiveDate| json!({"before": before.to_string()});
    let r = app
        .json(
            Method::POST,
            "/api/v1/audit/purge",
            Some(&t),
            &purge(today - Duration::days(100)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("184"), "{}", r.text());

    // 200 days: the 300 oldest go to the archive.
    let r = app
        .json(
            Method::POST,
            "/api/v1/audit/purge",
            Some(&t),
            &purge(today - Duration::days(200)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let done = r.json();
    assert_eq!(done["purged"], 300);
    let file = std::path::PathBuf::from(done["archive"].as_str().unwrap());
    assert!(file.starts_with(&archive));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 300);
    assert_eq!(lines[0]["id"], first);
    assert_eq!(lines[0]["prev_hash"], "genesis");
    let last_hash = lines[299]["hash"].as_str().unwrap().to_string();
    assert_eq!(
        text(&conn, "SELECT prev_hash FROM audit_log ORDER BY id LIMIT 1").await,
        last_hash,
        "the kept chain continues from the archive"
    );
    assert_eq!(done["base_id"], lines[299]["id"]);
    // The chain, its head and the anchor taken before still verify.
    let anchors = safecampus::storage::audit::anchor::read_dir(&anchor_dir).unwrap();
    let report = u.verify_audit_anchored(&anchors).await.expect("verify");
    assert_eq!(report.finding, None, "{report:?}");
    assert_eq!(u.verify_audit().await.expect("verify"), None);
    // Audited, by whom and how many.
    let log = app
        .get("/api/v1/audit?action=audit.purge", Some(&t))
        .await
        .json();
    assert_eq!(log["total"], 1);
    assert!(
        log["items"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("purged=300"),
        "{log}"
    );
    // Purging the same again finds nothing old enough.
    let r = app
        .json(
            Method::POST,
            "/api/v1/audit/purge",
            Some(&t),
            &purge(today - Duration::days(200)),
        )
        .await;
    assert_eq!(r.json()["purged"], 0);

    // The daily job with a retention of 185 days takes the 190-day-old ones, and no more.
    let mut job = config.clone();
    job.audit.retention_days = 185;
    let runner = app
        .db
        .jobs(&Operator::command_line(), "test".into())
        .with_security(&job);
    assert!(runner.schedule_audit_purge(today).await.unwrap());
    let pass = runner.run_due(&job.hazard).await.unwrap();
    assert_eq!((pass.done, pass.failed), (1, 0));
    assert_eq!(
        int(
            &conn,
            "SELECT COUNT(*) FROM audit_log WHERE detail = 'history'"
        )
        .await,
        100,
        "the 100-day-old entries stay"
    );
    assert_eq!(u.verify_audit().await.expect("verify"), None);
    let report = u.verify_audit_anchored(&anchors).await.expect("verify");
    assert_eq!(report.finding, None, "{report:?}");
    conn.close().await.ok();
}

#[tokio::test]
async fn without_an_archive_nothing_is_purged() {
    let mut app = TestApp::empty(safecampus::config::Config::default()).await;
    let u = app.db.unsafe_unscoped(&Operator::command_line());
    let mut tx = u.begin().await.expect("begin");
    tx.audit_at(
        Utc::now() - Duration::days(300),
        PlatformAudit::Verify,
        "audit_log",
        1,
        "history",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut job = safecampus::config::Config::default();
    job.audit.retention_days = 200;
    let runner = app
        .db
        .jobs(&Operator::command_line(), "test".into())
        .with_security(&job);
    assert!(
        runner
            .schedule_audit_purge(Utc::now().date_naive())
            .await
            .unwrap()
    );
    let pass = runner.run_due(&job.hazard).await.unwrap();
    assert_eq!(pass.failed, 1, "refused without an archive directory");
    let _ = &mut app;
    assert_eq!(u.verify_audit().await.expect("verify"), None);
}
