//! Row-level security on PostgreSQL: the second wall under the scoped handle.
//!
//! The scoped handle filters every query by the actor's subtree; on PostgreSQL the database
//! filters again. The tenant tables (every table with a `school_id` or `org_id` column, bar the
//! ones [`EXEMPT`] names with their reason) carry a policy, `FORCE ROW LEVEL SECURITY` and
//! `ENABLE ROW LEVEL SECURITY` (migration `m0035_row_level_security`): a row is visible and
//! writable only when its org lies in the subtree of the path in the transaction's setting
//! [`SETTING`], or above it (a school reads its district's documents), or the setting is
//! [`EVERYTHING`]. Unset or empty, nothing is visible: the wall fails closed.
//!
//! Who sets it:
//! - [`Conn`], the only connection a [`super::Scoped`] handle holds, runs every statement in a
//!   transaction that first sets the actor's path (`set_config(…, true)`: it ends with the
//!   transaction, so a pooled connection never carries one request's scope into another).
//! - The pool's own connections start with [`EVERYTHING`] (a start-up option): sign-in, jobs,
//!   device ingest and the command line work across tenants by design and never hold a
//!   `Scoped`; the web layer cannot reach the pool (tests/layers.rs).
//!
//! The application should connect as a role that owns nothing and has no `BYPASSRLS` (a
//! superuser bypasses every policy): `[database] app_role` names it, and `migrate` grants it
//! what it needs ([`grant_sql`]) — no `UPDATE` or `TRUNCATE` of the audit log, no DDL, so it
//! cannot drop a policy or the audit log's triggers either. docs/deploy.md has the setup.

use crate::domain::ids::UserId;
use crate::domain::org::OrgPath;
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, IsolationLevel, QueryResult, Statement, TransactionError, TransactionOptions,
    TransactionTrait,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The transaction setting the policies read.
pub(crate) const SETTING: &str = "safecampus.scope";
/// The setting's value that sees every tenant (the pool's connections start with it).
pub(crate) const EVERYTHING: &str = "*";

/// Tables with an `org_id` or `school_id` column that carry no policy, and why.
pub const EXEMPT: &[(&str, &str)] = &[
    (
        "users",
        "sign-in reads an account by name before anyone's scope is known",
    ),
    (
        "audit_log",
        "append-only by trigger and grant; read by the audit admin across every org",
    ),
];

/// The standing scope exceptions, as the orgs they open to a user (`$1`): the target schools
/// of their cross-inspection assignments (`storage::inspections::cross`) and the organisations
/// of the emergency plans they are assigned to review (`storage::emergency_plans`). The
/// application checks each exception on every use; the wall only has to admit it, so a user
/// with one sees, at the database, the nearest node their own subtree shares with those orgs
/// (their district, for exceptions within it). A module that adds an exception adds it here.
const EXCEPTIONS: &str = "SELECT o.path AS path FROM orgs o WHERE o.id IN ( \
    SELECT target_school_id FROM cross_assignments WHERE inspector_user_id = $1 \
    UNION SELECT p.org_id FROM emergency_plan_reviewers r \
      JOIN emergency_plans p ON p.id = r.plan_id WHERE r.user_id = $1)";

/// A connection to the database for one scope: on PostgreSQL every statement runs in a
/// transaction that sets [`SETTING`] to the scope's path first; on SQLite (and unscoped) it is
/// the pool itself.
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    inner: DatabaseConnection,
    scope: Option<Arc<Scope>>,
}

/// Whose scope, and the path the wall admits (the actor's subtree widened by their
/// exceptions), worked out at the first statement and kept for the handle's life.
#[derive(Debug)]
struct Scope {
    path: OrgPath,
    user: i64,
    wall: tokio::sync::OnceCell<String>,
}

impl Conn {
    /// The pool as it is: its connections see [`EVERYTHING`].
    pub(crate) fn unscoped(inner: DatabaseConnection) -> Conn {
        Conn { inner, scope: None }
    }

    /// The pool seen from the subtree at `path` of user `user`.
    pub(crate) fn scoped(inner: DatabaseConnection, path: &OrgPath, user: UserId) -> Conn {
        let scope = (inner.get_database_backend() == DbBackend::Postgres).then(|| {
            Arc::new(Scope {
                path: path.clone(),
                user: user.0,
                wall: tokio::sync::OnceCell::new(),
            })
        });
        Conn { inner, scope }
    }

    /// Sets the scope inside a transaction just begun.
    async fn enter(&self, txn: DatabaseTransaction) -> Result<DatabaseTransaction, DbErr> {
        if let Some(scope) = &self.scope {
            let wall = scope
                .wall
                .get_or_try_init(|| widen(&self.inner, &scope.path, scope.user))
                .await?;
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT set_config($1, $2, true)",
                [SETTING.into(), wall.clone().into()],
            ))
            .await?;
        }
        Ok(txn)
    }

    /// One statement in a transaction of its own under the scope.
    async fn once<T, F>(&self, f: F) -> Result<T, DbErr>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            )
                -> Pin<Box<dyn Future<Output = Result<T, DbErr>> + Send + 'c>>
            + Send,
        T: Send,
    {
        let txn = self.begin().await?;
        let out = f(&txn).await?;
        txn.commit().await?;
        Ok(out)
    }
}

#[sea_orm::prelude::async_trait::async_trait]
impl ConnectionTrait for Conn {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        if self.scope.is_none() {
            return self.inner.execute_raw(stmt).await;
        }
        self.once(|t| Box::pin(t.execute_raw(stmt))).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        if self.scope.is_none() {
            return self.inner.execute_unprepared(sql).await;
        }
        let sql = sql.to_string();
        self.once(|t| Box::pin(async move { t.execute_unprepared(&sql).await }))
            .await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        if self.scope.is_none() {
            return self.inner.query_one_raw(stmt).await;
        }
        self.once(|t| Box::pin(t.query_one_raw(stmt))).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        if self.scope.is_none() {
            return self.inner.query_all_raw(stmt).await;
        }
        self.once(|t| Box::pin(t.query_all_raw(stmt))).await
    }
}

#[sea_orm::prelude::async_trait::async_trait]
impl TransactionTrait for Conn {
    type Transaction = DatabaseTransaction;

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        self.enter(self.inner.begin().await?).await
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<DatabaseTransaction, DbErr> {
        let txn = self
            .inner
            .begin_with_config(isolation_level, access_mode)
            .await?;
        self.enter(txn).await
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        self.enter(self.inner.begin_with_options(options).await?)
            .await
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.transaction_with_config(callback, None, None).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        let txn = self
            .begin_with_config(isolation_level, access_mode)
            .await
            .map_err(TransactionError::Connection)?;
        match callback(&txn).await {
            Ok(v) => {
                txn.commit().await.map_err(TransactionError::Connection)?;
                Ok(v)
            }
            Err(e) => {
                txn.rollback().await.map_err(TransactionError::Connection)?;
                Err(TransactionError::Transaction(e))
            }
        }
    }
}

/// The path the wall admits for `user` at `path`: `path`, widened to the node it shares with
/// each org of the user's [`EXCEPTIONS`].
async fn widen(pool: &DatabaseConnection, path: &OrgPath, user: i64) -> Result<String, DbErr> {
    let rows = pool
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            EXCEPTIONS,
            [user.into()],
        ))
        .await?;
    let mut wall = path.clone();
    for r in rows {
        let p: String = r.try_get("", "path")?;
        if let Some(p) = OrgPath::parse(&p) {
            wall = wall.common_ancestor(&p);
        }
    }
    Ok(wall.as_str().to_string())
}

/// The policy's condition on a table whose rows belong to the org in `column`.
fn visible(column: &str) -> String {
    format!(
        "(current_setting('{SETTING}', true) = '{EVERYTHING}' OR \"{column}\" IS NULL OR \
         \"{column}\" IN (SELECT o.id FROM orgs o \
         WHERE starts_with(o.path, current_setting('{SETTING}', true)) \
         OR starts_with(current_setting('{SETTING}', true), o.path)))"
    )
}

/// Puts every tenant table behind the wall (PostgreSQL; a no-op on SQLite): its policy,
/// `ENABLE` and `FORCE ROW LEVEL SECURITY`, for each table with a `school_id` (else `org_id`)
/// column not in [`EXEMPT`]; run by `migrate` after the migrations, so a table a later module
/// adds is covered without code of its own. Also the functions through which a role that
/// owns nothing makes and drops the device events' monthly partitions.
pub(crate) async fn install(conn: &DatabaseConnection) -> Result<(), DbErr> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    conn.execute_unprepared(PARTITION_FUNCTIONS).await?;
    for t in tenant_tables(conn).await? {
        if EXEMPT.iter().any(|(name, _)| *name == t.table) {
            continue;
        }
        let name = &t.table;
        if !t.has_policy {
            let cond = visible(&t.column);
            conn.execute_unprepared(&format!(
                "CREATE POLICY tenant ON \"{name}\" USING {cond} WITH CHECK {cond}"
            ))
            .await?;
        }
        if !t.enabled || !t.forced {
            conn.execute_unprepared(&format!(
                "ALTER TABLE \"{name}\" ENABLE ROW LEVEL SECURITY; \
                 ALTER TABLE \"{name}\" FORCE ROW LEVEL SECURITY"
            ))
            .await?;
        }
    }
    Ok(())
}

/// A table with an org column, and how far it is behind the wall.
#[derive(Debug, Clone)]
pub struct TenantTable {
    pub table: String,
    /// `school_id` where the table has one, else `org_id`.
    pub column: String,
    pub enabled: bool,
    pub forced: bool,
    pub has_policy: bool,
}

/// Every table of the schema with a `school_id` or `org_id` column (partitions are reached
/// through their parent and left out), exempt ones included.
pub async fn tenant_tables(conn: &impl ConnectionTrait) -> Result<Vec<TenantTable>, DbErr> {
    let rows = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname AS t, bool_or(a.attname = 'school_id') AS school, \
             c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced, \
             EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid \
                     AND p.polname = 'tenant') AS has_policy \
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid \
               AND a.attnum > 0 AND NOT a.attisdropped \
             WHERE c.relnamespace = current_schema()::regnamespace \
               AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
               AND a.attname IN ('school_id', 'org_id') \
             GROUP BY c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity \
             ORDER BY c.relname",
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let school: bool = r.try_get("", "school")?;
            Ok(TenantTable {
                table: r.try_get("", "t")?,
                column: if school { "school_id" } else { "org_id" }.into(),
                enabled: r.try_get("", "enabled")?,
                forced: r.try_get("", "forced")?,
                has_policy: r.try_get("", "has_policy")?,
            })
        })
        .collect()
}

/// Making and dropping a month's partition of `device_events` is DDL, which only the table's
/// owner may run: these two functions run as their owner (the role that migrated) for the
/// daily job, whatever role the application connects as, and do nothing else. Their bodies
/// are `storage::device_events::create_partition_sql`'s, with the month checked.
const PARTITION_FUNCTIONS: &str = "\
CREATE OR REPLACE FUNCTION safecampus_make_event_partition(m integer) RETURNS boolean \
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$ \
DECLARE name text; f timestamptz; t timestamptz; \
BEGIN \
  IF m % 100 NOT BETWEEN 1 AND 12 OR m < 100001 OR m > 999912 THEN \
    RAISE EXCEPTION 'not a month: %', m; \
  END IF; \
  name := 'device_events_p' || lpad(m::text, 6, '0'); \
  IF to_regclass(name) IS NOT NULL THEN RETURN false; END IF; \
  f := make_timestamptz(m / 100, m % 100, 1, 0, 0, 0, 'UTC'); \
  t := f + interval '1 month'; \
  EXECUTE format('CREATE TABLE %I (LIKE device_events INCLUDING DEFAULTS)', name); \
  EXECUTE format('INSERT INTO %I SELECT * FROM device_events_default WHERE at >= %L AND at < %L', name, f, t); \
  EXECUTE format('DELETE FROM device_events_default WHERE at >= %L AND at < %L', f, t); \
  EXECUTE format('ALTER TABLE device_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, f, t); \
  RETURN true; \
END $$; \
CREATE OR REPLACE FUNCTION safecampus_drop_event_partition(m integer) RETURNS boolean \
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$ \
DECLARE name text := 'device_events_p' || lpad(m::text, 6, '0'); \
BEGIN \
  IF NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
                 WHERE i.inhparent = 'device_events'::regclass AND c.relname = name) THEN \
    RETURN false; \
  END IF; \
  EXECUTE format('DROP TABLE %I', name); \
  RETURN true; \
END $$; \
REVOKE ALL ON FUNCTION safecampus_make_event_partition(integer) FROM PUBLIC; \
REVOKE ALL ON FUNCTION safecampus_drop_event_partition(integer) FROM PUBLIC;";

/// Why the policies do not bind this connection's role, if they do not: a superuser or a
/// role with `BYPASSRLS` passes them; the owner of the tables could drop them (and the audit
/// log's triggers). `None` on SQLite and for a role that owns no table.
pub(crate) async fn bypass(conn: &DatabaseConnection) -> Result<Option<String>, DbErr> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT r.rolname AS name, r.rolsuper AS sup, r.rolbypassrls AS bypass, \
             EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid \
                     AND c.relnamespace = current_schema()::regnamespace \
                     AND c.relname = 'audit_log') AS owner \
             FROM pg_roles r WHERE r.rolname = current_user",
        ))
        .await?;
    let Some(r) = row else { return Ok(None) };
    let name: String = r.try_get("", "name")?;
    let why = if r.try_get::<bool>("", "sup")? {
        "is a superuser, which passes every row-level policy"
    } else if r.try_get::<bool>("", "bypass")? {
        "has BYPASSRLS"
    } else if r.try_get::<bool>("", "owner")? {
        "owns the tables and could drop their policies and the audit log's triggers"
    } else {
        return Ok(None);
    };
    Ok(Some(format!("the database role {name:?} {why}")))
}

/// Whether `role` is a plain SQL identifier (it is written into the grants unquoted-safe).
pub fn valid_role(role: &str) -> bool {
    let mut chars = role.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && role.len() <= 63
}

/// The grants that let `role` run the platform and nothing more: read and write the tables
/// (the audit log only read, appended and purged through its trigger's gate), use the
/// sequences, call the functions (the partition maker among them). No ownership, no DDL.
/// `role` must satisfy [`valid_role`].
pub(crate) fn grant_sql(role: &str) -> String {
    format!(
        "GRANT USAGE ON SCHEMA public TO \"{role}\"; \
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\"; \
         REVOKE UPDATE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM \"{role}\"; \
         GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO \"{role}\"; \
         GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO \"{role}\""
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_roles() {
        assert!(valid_role("safecampus_app"));
        assert!(valid_role("_x1"));
        for bad in [
            "",
            "1abc",
            "App",
            "a-b",
            "a\"b",
            "a b",
            "a;drop",
            &"a".repeat(64),
        ] {
            assert!(!valid_role(bad), "{bad}");
        }
    }
}
