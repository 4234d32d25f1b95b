//! T-LG-3: the audit chain with its external anchors detects the five tamper cases (an edited
//! field, a deleted row, two rows swapped, the tail cut short, a forged row) on a log of more
//! than 10,000 entries, names the first bad entry, and a clean log verifies; the daily job
//! writes the anchor to its directory and posts it to the configured endpoint.

mod common;
use common::TestApp;
use safecampus::storage::Operator;
use safecampus::storage::audit::PlatformAudit;
use safecampus::storage::audit::anchor::{self, Anchor, Finding};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

async fn connect(app: &TestApp) -> DatabaseConnection {
    Database::connect(app.owner_url().as_str())
        .await
        .expect("connect")
}

async fn run(conn: &DatabaseConnection, statement: &str) {
    conn.execute_unprepared(statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

async fn int(conn: &DatabaseConnection, query: &str) -> i64 {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            query.to_string(),
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("an integer")
}

async fn verify(app: &TestApp, anchors: &[Anchor]) -> Option<Finding> {
    app.db
        .unsafe_unscoped(&Operator::command_line())
        .verify_audit_anchored(anchors)
        .await
        .expect("verify")
        .finding
}

/// Appends `n` entries in one transaction, as the platform writes them.
async fn append(app: &TestApp, n: usize) {
    let mut tx = app
        .db
        .unsafe_unscoped(&Operator::command_line())
        .begin()
        .await
        .expect("begin");
    for i in 0..n {
        tx.audit(PlatformAudit::Verify, "audit_log", i, "load")
            .await
            .expect("append");
    }
    tx.commit().await.expect("commit");
}

const COLUMNS: &str = "at, user_id, username, role, org_id, action, object_type, object_id, \
                       result, ip, request_id, detail, prev_hash, hash";

/// Puts the log back as it was saved in `audit_saved` (the attacks run one after another on
/// the same copy).
async fn restore(conn: &DatabaseConnection, head: (i64, &str)) {
    run(conn, "DELETE FROM audit_log").await;
    run(
        conn,
        &format!("INSERT INTO audit_log (id, {COLUMNS}) SELECT id, {COLUMNS} FROM audit_saved"),
    )
    .await;
    run(
        conn,
        &format!(
            "UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1",
            head.0, head.1
        ),
    )
    .await;
}

#[tokio::test]
async fn anchors_and_the_chain_detect_all_five_tamper_cases_and_name_the_first_bad_entry() {
    let app = TestApp::new().await;
    let dir = common::tempdir::Dir::new();
    let u = app.db.unsafe_unscoped(&Operator::command_line());
    append(&app, 6_000).await;
    let (first, _) = u.anchor_audit(&dir.0).await.expect("anchor");
    append(&app, 4_500).await;
    let (second, path) = u.anchor_audit(&dir.0).await.expect("anchor");
    assert!(path.starts_with(&dir.0));
    let anchors = anchor::read_dir(&dir.0).expect("read anchors");
    assert_eq!(anchors, vec![first.clone(), second.clone()], "oldest first");
    assert!(second.count >= 10_500, "{}", second.count);
    assert!(second.last_id > first.last_id);

    // A clean log verifies.
    let clean = u.verify_audit_anchored(&anchors).await.expect("verify");
    assert_eq!(clean.finding, None);
    assert_eq!(clean.anchors, 2);
    assert!(clean.checked >= 10_500);

    // The attacker owns the database: the append-only triggers go first.
    let conn = connect(&app).await;
    if common::backend() == "postgres" {
        run(&conn, "DROP TRIGGER audit_log_no_change ON audit_log").await;
    } else {
        run(&conn, "DROP TRIGGER audit_log_no_update").await;
        run(&conn, "DROP TRIGGER audit_log_no_delete").await;
    }
    run(&conn, "CREATE TABLE audit_saved AS SELECT * FROM audit_log").await;
    let head_hash = second.hash.clone();
    let head = (second.count, head_hash.as_str());
    let id_at = |k: i64| format!("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET {k}");
    let middle = int(&conn, &id_at(5_000)).await;
    let after_middle = int(&conn, &id_at(5_001)).await;

    // 1. An edited field.
    run(
        &conn,
        &format!("UPDATE audit_log SET detail = 'nothing happened' WHERE id = {middle}"),
    )
    .await;
    assert_eq!(
        verify(&app, &anchors).await,
        Some(Finding::Chain { first_bad: middle }),
        "edit"
    );
    restore(&conn, head).await;
    assert_eq!(verify(&app, &anchors).await, None, "restored");

    // 2. A deleted row: the next entry's link breaks.
    run(&conn, &format!("DELETE FROM audit_log WHERE id = {middle}")).await;
    assert_eq!(
        verify(&app, &anchors).await,
        Some(Finding::Chain {
            first_bad: after_middle
        }),
        "delete"
    );
    restore(&conn, head).await;

    // 3. Two rows swapped (their contents trade places; ids stay).
    run(
        &conn,
        &format!(
            "UPDATE audit_log SET detail = (SELECT detail FROM audit_saved WHERE id = {after_middle}), \
             hash = (SELECT hash FROM audit_saved WHERE id = {after_middle}), \
             prev_hash = (SELECT prev_hash FROM audit_saved WHERE id = {after_middle}), \
             object_id = (SELECT object_id FROM audit_saved WHERE id = {after_middle}) WHERE id = {middle}"
        ),
    )
    .await;
    run(
        &conn,
        &format!(
            "UPDATE audit_log SET detail = (SELECT detail FROM audit_saved WHERE id = {middle}), \
             hash = (SELECT hash FROM audit_saved WHERE id = {middle}), \
             prev_hash = (SELECT prev_hash FROM audit_saved WHERE id = {middle}), \
             object_id = (SELECT object_id FROM audit_saved WHERE id = {middle}) WHERE id = {after_middle}"
        ),
    )
    .await;
    assert_eq!(
        verify(&app, &anchors).await,
        Some(Finding::Chain { first_bad: middle }),
        "swap"
    );
    restore(&conn, head).await;

    // 4. The tail cut short, and the head set back to cover it: only the anchor knows.
    let cut_from = first.last_id + 1;
    run(
        &conn,
        &format!("DELETE FROM audit_log WHERE id > {}", first.last_id),
    )
    .await;
    assert_eq!(
        verify(&app, &anchors).await,
        Some(Finding::Head {
            first_bad: cut_from,
            head_count: second.count,
            rows: first.count,
        }),
        "a cut tail against the head"
    );
    run(
        &conn,
        &format!(
            "UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1",
            first.count, first.hash
        ),
    )
    .await;
    assert_eq!(
        verify(&app, &anchors).await,
        Some(Finding::Truncated {
            first_bad: cut_from,
            anchor_last_id: second.last_id,
        }),
        "a cut tail with the head covered"
    );
    assert_eq!(
        verify(&app, &anchors[..1]).await,
        None,
        "without the newer anchor the cut is invisible: anchors are what catch it"
    );
    restore(&conn, head).await;

    // 5. A forged row in the middle: the rows after it moved up one id to make room.
    run(
        &conn,
        &format!("UPDATE audit_log SET id = -(id + 1) WHERE id > {middle}"),
    )
    .await;
    run(&conn, "UPDATE audit_log SET id = -id WHERE id < 0").await;
    let forged = middle + 1;
    run(
        &conn,
        &format!(
            "INSERT INTO audit_log (id, {COLUMNS}) SELECT {forged}, at, user_id, 'bureau.officer', \
             role, org_id, 'hazard.close', 'hazard', '1', 'ok', ip, request_id, '', hash, \
             'forged' FROM audit_log WHERE id = {middle}"
        ),
    )
    .await;
    assert_eq!(
        verify(&app, &anchors).await,
        Some(Finding::Chain { first_bad: forged }),
        "forged insert"
    );
    restore(&conn, head).await;

    // A forged row appended past the head.
    let tail = int(&conn, "SELECT MAX(id) FROM audit_log").await;
    run(
        &conn,
        &format!(
            "INSERT INTO audit_log (id, {COLUMNS}) SELECT {}, at, user_id, username, role, org_id, \
             action, object_type, object_id, result, ip, request_id, detail, hash, 'forged' \
             FROM audit_log WHERE id = {tail}",
            tail + 1
        ),
    )
    .await;
    assert_eq!(
        verify(&app, &anchors).await,
        Some(Finding::Chain {
            first_bad: tail + 1
        }),
        "forged tail"
    );
    restore(&conn, head).await;

    assert_eq!(verify(&app, &anchors).await, None, "restored at the end");
    conn.close().await.ok();
}

#[tokio::test]
async fn the_daily_job_writes_the_anchor_and_posts_it() {
    use axum::{Router, body::Bytes, routing::post};
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Bytes>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = Router::new().route(
        "/anchors",
        post(move |body: Bytes| {
            let tx = tx.clone();
            async move {
                tx.send(body).ok();
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, server).await });

    let dir = common::tempdir::Dir::new();
    let mut config = safecampus::config::Config::default();
    config.audit.anchor_dir = Some(dir.0.join("anchors"));
    config.audit.anchor_url = Some(format!("http://{addr}/anchors"));
    let mut app = TestApp::with_config(config.clone()).await;
    app.login("bureau.officer").await;
    let runner = app
        .db
        .jobs(&Operator::command_line(), "test".into())
        .with_security(&config);
    let today = chrono::Utc::now().date_naive();
    assert!(runner.schedule_audit_anchor(today).await.expect("schedule"));
    assert!(
        !runner.schedule_audit_anchor(today).await.expect("again"),
        "once a day"
    );
    let pass = runner.run_due(&config.hazard).await.expect("run");
    assert_eq!(pass.failed, 0, "{pass:?}");
    let anchors = anchor::read_dir(&dir.0.join("anchors")).expect("anchors");
    assert_eq!(anchors.len(), 1);
    let posted: Anchor = serde_json::from_slice(
        &tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
            .await
            .expect("posted in time")
            .expect("a body"),
    )
    .expect("the anchor's JSON");
    assert_eq!(posted, anchors[0]);
    assert_eq!(verify(&app, &anchors).await, None);

    // Without a place for it, there is no job.
    let plain = app
        .db
        .jobs(&Operator::command_line(), "test".into())
        .with_security(&safecampus::config::Config::default());
    assert!(!plain.schedule_audit_anchor(today).await.expect("schedule"));
}
