//! Row-level security on PostgreSQL, the second wall under the scoped handle (`storage::rls`):
//! every tenant table carries the policy with `FORCE`, the app's role (which owns nothing and
//! has no `BYPASSRLS`) sees and writes only its transaction's subtree and nothing without a
//! scope, and it can neither take the wall down nor change the audit log. The rest of the
//! suite runs as that role on PostgreSQL (`tests/common::pg_role`), so every route's reads and
//! writes pass through the policies.
//!
//! PostgreSQL only: on SQLite these tests return at once (the SQLite run has no second wall).
mod common;
use common::{TestApp, pg_role};
use safecampus::config::Config;
use safecampus::storage::rls;
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait,
};

fn postgres() -> bool {
    common::backend() == "postgres"
}

async fn count(c: &impl ConnectionTrait, sql: &str) -> i64 {
    c.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("a count")
}

/// `(id, path)` of the org with `code`.
async fn org(c: &impl ConnectionTrait, code: &str) -> (i64, String) {
    let r = c
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id, path FROM orgs WHERE code = $1",
            [code.into()],
        ))
        .await
        .expect("org")
        .unwrap_or_else(|| panic!("no org {code}"));
    (
        r.try_get("", "id").expect("id"),
        r.try_get("", "path").expect("path"),
    )
}

/// A transaction of the app's role under `scope` (none: the setting left as the connection's).
async fn under(app: &DatabaseConnection, scope: Option<&str>) -> DatabaseTransaction {
    let t = app.begin().await.expect("begin");
    if let Some(s) = scope {
        t.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('safecampus.scope', $1, true)",
            [s.into()],
        ))
        .await
        .expect("set scope");
    }
    t
}

/// The app's role, connecting without the pool's start-up option (so nothing is set).
async fn app_role(app: &TestApp) -> DatabaseConnection {
    Database::connect(&app.state.config().database_url)
        .await
        .expect("connect as the app's role")
}

#[tokio::test]
async fn every_tenant_table_is_behind_the_wall_and_the_app_cannot_pass_it() {
    if !postgres() {
        return;
    }
    let app = TestApp::new().await;
    assert!(
        pg_role().is_some(),
        "the PostgreSQL run connects as the app's role"
    );
    // The app's own connections: a role that owns nothing and passes no policy.
    assert_eq!(app.db.rls_bypass().await.expect("check"), None);
    let owner = app.raw().await;
    assert!(
        app_owner_bypass(&app).await.is_some(),
        "the server's user is named as bypassing"
    );

    let tables = rls::tenant_tables(&owner).await.expect("tables");
    assert!(tables.len() > 40, "{} tenant tables", tables.len());
    for t in &tables {
        if let Some((_, why)) = rls::EXEMPT.iter().find(|(n, _)| *n == t.table) {
            assert!(!why.is_empty());
            continue;
        }
        assert!(
            t.enabled && t.forced && t.has_policy,
            "{} is not behind the wall: {t:?}",
            t.table
        );
    }
    for (name, _) in rls::EXEMPT {
        assert!(
            tables.iter().any(|t| t.table == *name),
            "{name} is exempt but has no org column"
        );
    }

    let (s001, s001_path) = org(&owner, "S001").await;
    let (s002, _) = org(&owner, "S002").await;
    let (_, n001_path) = org(&owner, "N001").await;
    let district_path = {
        let r = owner
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT p.path FROM orgs s JOIN orgs p ON p.id = s.parent_id WHERE s.id = $1",
                [s001.into()],
            ))
            .await
            .expect("district")
            .expect("a parent");
        r.try_get::<String>("", "path").expect("path")
    };
    let all = count(&owner, "SELECT COUNT(*) FROM hazards").await;
    let of_s001 = count(
        &owner,
        &format!("SELECT COUNT(*) FROM hazards WHERE school_id = {s001}"),
    )
    .await;
    let in_district = count(
        &owner,
        &format!(
            "SELECT COUNT(*) FROM hazards h JOIN orgs o ON o.id = h.school_id \
             WHERE o.path LIKE '{district_path}%'"
        ),
    )
    .await;
    assert!(all > in_district && in_district > of_s001 && of_s001 > 0);

    let app_conn = app_role(&app).await;
    // No scope: nothing of any tenant table.
    let t = under(&app_conn, None).await;
    for table in [
        "hazards",
        "people",
        "zones",
        "bus_riders",
        "inspections",
        "devices",
    ] {
        assert_eq!(
            count(&t, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table} without a scope"
        );
    }
    t.rollback().await.ok();
    // A school's scope: its own rows, and its district's documents above it, nothing else.
    let t = under(&app_conn, Some(&s001_path)).await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM hazards").await, of_s001);
    assert_eq!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM hazards WHERE school_id = {s002}")
        )
        .await,
        0
    );
    // Another school's row can be neither changed nor made from here.
    let changed = t
        .execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("UPDATE zones SET name = name || 'x' WHERE school_id = {s002}"),
        ))
        .await
        .expect("update")
        .rows_affected();
    assert_eq!(changed, 0);
    let sp = t.begin().await.expect("savepoint");
    let made = sp
        .execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "UPDATE zones SET school_id = {s002}, name = name || ' moved' \
                 WHERE id = (SELECT MIN(id) FROM zones WHERE school_id = {s001})"
            ),
        ))
        .await;
    let err = made
        .expect_err("a row moved to another school is refused")
        .to_string();
    assert!(err.contains("row-level security"), "{err}");
    sp.rollback().await.ok();
    t.rollback().await.ok();
    // The district's scope: its schools; another district's scope: none of them.
    let t = under(&app_conn, Some(&district_path)).await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM hazards").await, in_district);
    t.rollback().await.ok();
    let t = under(&app_conn, Some(&n001_path)).await;
    assert_eq!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM hazards WHERE school_id = {s001}")
        )
        .await,
        0
    );
    t.rollback().await.ok();
    // Everything, as the jobs' and the sign-in's connections see it.
    let t = under(&app_conn, Some("*")).await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM hazards").await, all);
    t.rollback().await.ok();

    // The wall and the audit log cannot be taken down by the app's role.
    let audit_rows = count(&owner, "SELECT COUNT(*) FROM audit_log").await;
    for sql in [
        "ALTER TABLE hazards DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE hazards NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant ON hazards",
        "CREATE POLICY open ON hazards USING (true)",
        "DROP TRIGGER audit_log_no_change ON audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "UPDATE audit_log SET detail = 'rewritten'",
        "TRUNCATE audit_log",
        "SET session_replication_role = replica",
        "ALTER ROLE CURRENT_USER BYPASSRLS",
        "CREATE TABLE escape (id bigint)",
    ] {
        let t = under(&app_conn, Some("*")).await;
        let r = t.execute_unprepared(sql).await;
        assert!(r.is_err(), "the app's role could run {sql}");
        t.rollback().await.ok();
    }
    assert_eq!(
        count(&owner, "SELECT COUNT(*) FROM audit_log").await,
        audit_rows
    );
    let v = app
        .db
        .unsafe_unscoped(&safecampus::storage::Operator::command_line())
        .verify_audit()
        .await
        .expect("verify");
    assert_eq!(v, None, "the chain verifies");
    app_conn.close().await.ok();
    owner.close().await.ok();
}

/// What the check says of the server's own user (a superuser) on the same database.
async fn app_owner_bypass(app: &TestApp) -> Option<String> {
    let db = safecampus::storage::Db::connect(&app.owner_url())
        .await
        .expect("connect as owner");
    let why = db.rls_bypass().await.expect("check");
    db.close().await;
    why
}

#[tokio::test]
async fn migrate_through_the_owner_grants_the_app_role_and_serves_with_the_wall() {
    if !postgres() {
        return;
    }
    // An empty app first: it makes the app's role (`common::grant_app_role`).
    let app = TestApp::empty(Config::default()).await;
    // A fresh database of the app's role, migrated by the binary through the owner's URL.
    let admin = common::pg_admin();
    let name = common::pg_create("sc_rls").await;
    let owner_url = common::pg_url(&admin, &name);
    let app_url = common::pg_app_url(&admin, &name);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_safecampus"))
        .arg("migrate")
        .env("SAFECAMPUS_DATABASE_URL", &app_url)
        .env("SAFECAMPUS_OWNER_DATABASE_URL", &owner_url)
        .env("SAFECAMPUS_FIELD_KEY", common::FIELD_KEY)
        .output()
        .expect("run migrate");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The tables belong to the owner; the app's role reads and writes them under a scope.
    let owner = Database::connect(&owner_url).await.expect("owner");
    assert_eq!(
        count(
            &owner,
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() \
             AND tableowner <> current_user"
        )
        .await,
        0
    );
    let app_conn = Database::connect(&app_url).await.expect("app role");
    let t = under(&app_conn, Some("*")).await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM hazards").await, 0);
    t.rollback().await.ok();
    assert!(
        app_conn
            .execute_unprepared("DROP TABLE hazards")
            .await
            .is_err(),
        "the app's role owns nothing"
    );
    app_conn.close().await.ok();
    owner.close().await.ok();
    common::pg_drop(&name).await;
    drop(app);
}
