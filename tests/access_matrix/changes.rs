//! The change log: triggers on every table of the database catalogue write one row to
//! `matrix_changes` per inserted, deleted or changed row, inside the transaction that made
//! the change (so a rolled-back write leaves no row). A refused request must leave the log as
//! it was. This is cheaper than hashing every row before and after each of the matrix's
//! requests, and new tables are covered without editing the test: the triggers are made from
//! `sqlite_master` / `information_schema` when the matrix template is built.
//!
//! **What is not tracked**, because a refused request legitimately changes it:
//! - `audit_log` and `audit_head`: refusals are audited (the chain grows by one row);
//! - `sessions.last_seen_at`: every signed-in request may touch it (updates that change only
//!   this column are not logged; any other change of a session row is).
//!
//! An update that leaves every tracked column as it was is not a change.
//!
//! On PostgreSQL each log row also keeps the row before and after (`old`, `new` as jsonb), and
//! [`undo`] puts the database back as it was before a log position: write cases reuse a few
//! work databases ([`super::work`]) instead of copying the template for each route.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// Tables a refused request may change (see the module comment).
pub const UNTRACKED_TABLES: &[&str] = &["audit_log", "audit_head", "matrix_changes"];

/// Columns a refused request may change: (table, column).
pub const UNTRACKED_COLUMNS: &[(&str, &str)] = &[("sessions", "last_seen_at")];

/// The newest audit row's id (T-LG-2: a write that changed data must have written one since).
pub async fn audit_mark(c: &DatabaseConnection) -> i64 {
    rows(c, "SELECT COALESCE(MAX(id), 0) AS m FROM audit_log")
        .await
        .first()
        .and_then(|r| r.try_get::<i64>("", "m").ok())
        .unwrap_or(0)
}

/// The actions of the audit rows with the result `ok` written since `mark`.
pub async fn audited_since(c: &DatabaseConnection, mark: i64) -> Vec<String> {
    rows(
        c,
        &format!("SELECT action FROM audit_log WHERE id > {mark} AND result = 'ok'"),
    )
    .await
    .into_iter()
    .filter_map(|r| r.try_get::<String>("", "action").ok())
    .collect()
}

async fn rows(c: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    c.query_all_raw(Statement::from_string(c.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn exec(c: &DatabaseConnection, sql: &str) {
    c.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The tables of the database with their columns, from the catalogue.
pub async fn tables(c: &DatabaseConnection) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    match c.get_database_backend() {
        DbBackend::Postgres => {
            // Partitions are parts of their table: the catalogue's list skips them.
            let names = safecampus::storage::data_version::tables(c)
                .await
                .expect("catalogue");
            for t in names {
                let cols = rows(
                    c,
                    &format!(
                        "SELECT column_name::text AS c FROM information_schema.columns \
                         WHERE table_schema = 'public' AND table_name = '{t}' ORDER BY ordinal_position"
                    ),
                )
                .await
                .into_iter()
                .map(|r| r.try_get::<String>("", "c").expect("column"))
                .collect();
                out.push((t, cols));
            }
        }
        _ => {
            let names = rows(
                c,
                "SELECT name AS t FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY 1",
            )
            .await;
            for r in names {
                let t: String = r.try_get("", "t").expect("table name");
                let cols = rows(
                    c,
                    &format!("SELECT name AS c FROM pragma_table_info('{t}')"),
                )
                .await
                .into_iter()
                .map(|r| r.try_get::<String>("", "c").expect("column"))
                .collect();
                out.push((t, cols));
            }
        }
    }
    out
}

fn tracked_columns<'a>(table: &str, cols: &'a [String]) -> Vec<&'a String> {
    cols.iter()
        .filter(|c| !UNTRACKED_COLUMNS.contains(&(table, c.as_str())))
        .collect()
}

/// Creates the log table and a trigger set on every tracked table. Returns the tables tracked.
pub async fn install(c: &DatabaseConnection) -> Vec<String> {
    let pg = c.get_database_backend() == DbBackend::Postgres;
    if pg {
        exec(
            c,
            // `who`: the connection's application name, so that cases sharing one database
            // (the read routes' on PostgreSQL) each see their own app's changes.
            "CREATE TABLE matrix_changes (id BIGSERIAL PRIMARY KEY, tbl TEXT NOT NULL, op TEXT NOT NULL, \
             who TEXT NOT NULL DEFAULT current_setting('application_name'), old JSONB, new JSONB)",
        )
        .await;
        exec(
            c,
            "CREATE FUNCTION matrix_note() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN INSERT INTO matrix_changes (tbl, op, old, new) VALUES (TG_TABLE_NAME, lower(TG_OP), \
             CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, \
             CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END); \
             RETURN NULL; END $$",
        )
        .await;
        exec(c, UNDO_FUNCTION).await;
    } else {
        exec(
            c,
            "CREATE TABLE matrix_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, op TEXT NOT NULL)",
        )
        .await;
    }
    let mut tracked = Vec::new();
    for (t, cols) in tables(c).await {
        if UNTRACKED_TABLES.contains(&t.as_str()) {
            continue;
        }
        let cols = tracked_columns(&t, &cols);
        if pg {
            // As text: some types (json) have no equality operator.
            let old: Vec<String> = cols.iter().map(|c| format!("OLD.\"{c}\"::text")).collect();
            let new: Vec<String> = cols.iter().map(|c| format!("NEW.\"{c}\"::text")).collect();
            exec(
                c,
                &format!(
                    "CREATE TRIGGER mx_w_{t} AFTER INSERT OR DELETE ON \"{t}\" FOR EACH ROW \
                     EXECUTE FUNCTION matrix_note()"
                ),
            )
            .await;
            exec(
                c,
                &format!(
                    "CREATE TRIGGER mx_u_{t} AFTER UPDATE ON \"{t}\" FOR EACH ROW \
                     WHEN (ROW({}) IS DISTINCT FROM ROW({})) EXECUTE FUNCTION matrix_note()",
                    old.join(", "),
                    new.join(", ")
                ),
            )
            .await;
        } else {
            for op in ["insert", "delete"] {
                exec(
                    c,
                    &format!(
                        "CREATE TRIGGER mx_{op}_{t} AFTER {op} ON \"{t}\" BEGIN \
                         INSERT INTO matrix_changes (tbl, op) VALUES ('{t}', '{op}'); END"
                    ),
                )
                .await;
            }
            let changed: Vec<String> = cols
                .iter()
                .map(|c| format!("OLD.\"{c}\" IS NOT NEW.\"{c}\""))
                .collect();
            exec(
                c,
                &format!(
                    "CREATE TRIGGER mx_update_{t} AFTER UPDATE ON \"{t}\" WHEN {} BEGIN \
                     INSERT INTO matrix_changes (tbl, op) VALUES ('{t}', 'update'); END",
                    changed.join(" OR ")
                ),
            )
            .await;
        }
        tracked.push(t);
    }
    tracked
}

/// Undoes the logged changes after a log position, newest first, and forgets them: an insert
/// is deleted, a deleted row put back, an updated row replaced by its old version (found by
/// its primary key). Runs as a replica session, so that no trigger fires (no change is logged,
/// no roll-up is recomputed twice, no foreign key cascades): the rows come back exactly as
/// they were. Sequences are not reset (new ids stay unused).
const UNDO_FUNCTION: &str = "CREATE FUNCTION matrix_undo(since BIGINT) RETURNS INTEGER LANGUAGE plpgsql AS $$ \
    DECLARE r RECORD; k TEXT; n INTEGER := 0; \
    BEGIN \
      SET LOCAL session_replication_role = replica; \
      FOR r IN SELECT * FROM matrix_changes WHERE id > since ORDER BY id DESC LOOP \
        SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) INTO k \
          FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
          WHERE i.indrelid = format('%I', r.tbl)::regclass AND i.indisprimary; \
        IF r.new IS NOT NULL THEN \
          EXECUTE format('DELETE FROM %I WHERE (%s) = (SELECT %s FROM jsonb_populate_record(NULL::%I, $1))', \
            r.tbl, k, k, r.tbl) USING r.new; \
        END IF; \
        IF r.old IS NOT NULL THEN \
          EXECUTE format('INSERT INTO %I SELECT * FROM jsonb_populate_record(NULL::%I, $1)', r.tbl, r.tbl) \
            USING r.old; \
        END IF; \
        n := n + 1; \
      END LOOP; \
      DELETE FROM matrix_changes WHERE id > since; \
      RETURN n; \
    END $$";

/// Puts a PostgreSQL database with the change log back as it was before every logged change
/// ([`UNDO_FUNCTION`]); answers how many changes were undone.
pub async fn undo(c: &DatabaseConnection) -> i64 {
    let r = rows(c, "SELECT matrix_undo(0)::bigint AS n").await;
    r.first()
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0)
}

/// A digest of every tracked table's rows (its tracked columns), by table: what [`undo`] must
/// give back.
pub async fn fingerprint(c: &DatabaseConnection) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (t, cols) in tables(c).await {
        if UNTRACKED_TABLES.contains(&t.as_str()) {
            continue;
        }
        let cols: Vec<String> = tracked_columns(&t, &cols)
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect();
        let r = rows(
            c,
            &format!(
                "SELECT COALESCE(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS h \
                 FROM (SELECT {} FROM \"{t}\") x",
                cols.join(", ")
            ),
        )
        .await;
        let h = r
            .first()
            .and_then(|r| r.try_get::<String>("", "h").ok())
            .unwrap_or_default();
        out.push((t, h));
    }
    out
}

/// Whose changes a case reads: every change (a database of its own), or those of the
/// connections named `who` (PostgreSQL's `application_name`, on a shared database).
#[derive(Clone, Debug)]
pub struct Log {
    pub who: Option<String>,
}

impl Log {
    fn filter(&self) -> String {
        match &self.who {
            Some(w) => format!(" AND who = '{w}'"),
            None => String::new(),
        }
    }
}

/// The log's position: the id of its last row.
pub async fn mark(c: &DatabaseConnection, log: &Log) -> i64 {
    let sql = format!(
        "SELECT COALESCE(MAX(id), 0) AS m FROM matrix_changes WHERE 1 = 1{}",
        log.filter()
    );
    let r = rows(c, &sql).await;
    r.first()
        .and_then(|r| r.try_get::<i64>("", "m").ok())
        .unwrap_or(0)
}

/// What changed since `mark`: "table op ×n" entries.
pub async fn since(c: &DatabaseConnection, log: &Log, mark: i64) -> Vec<String> {
    rows(
        c,
        &format!(
            "SELECT tbl, op, COUNT(*) AS n FROM matrix_changes WHERE id > {mark}{} \
             GROUP BY tbl, op ORDER BY tbl, op",
            log.filter()
        ),
    )
    .await
    .into_iter()
    .map(|r| {
        let t: String = r.try_get("", "tbl").unwrap_or_default();
        let op: String = r.try_get("", "op").unwrap_or_default();
        let n: i64 = r.try_get("", "n").unwrap_or(0);
        format!("{t} {op} ×{n}")
    })
    .collect()
}

/// The tracked tables that have no trigger (the template is stale or a table was added after
/// the triggers were made): must be empty.
pub async fn untracked(c: &DatabaseConnection) -> Vec<String> {
    let pg = c.get_database_backend() == DbBackend::Postgres;
    let triggers: Vec<String> = if pg {
        rows(
            c,
            "SELECT DISTINCT event_object_table::text AS t FROM information_schema.triggers \
             WHERE trigger_name LIKE 'mx_%'",
        )
        .await
    } else {
        rows(
            c,
            "SELECT DISTINCT tbl_name AS t FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'mx_%'",
        )
        .await
    }
    .into_iter()
    .filter_map(|r| r.try_get::<String>("", "t").ok())
    .collect();
    tables(c)
        .await
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| !UNTRACKED_TABLES.contains(&t.as_str()) && !triggers.contains(t))
        .collect()
}

/// The log read through a rusqlite connection in the case's own thread (SQLite): a query
/// through sqlx's connection thread costs several times more, and the log is read after
/// nearly every refusal.
pub struct Direct(rusqlite::Connection);

impl Direct {
    /// Opens the SQLite file of `url` (`sqlite://<file>?…`); `None` for PostgreSQL.
    pub fn open(url: &str) -> Option<Direct> {
        let file = url.strip_prefix("sqlite://")?.split('?').next()?;
        let c = rusqlite::Connection::open(file).expect("open the case's database");
        c.busy_timeout(std::time::Duration::from_secs(10))
            .expect("busy timeout");
        Some(Direct(c))
    }

    pub fn mark(&self) -> i64 {
        self.0
            .query_row("SELECT COALESCE(MAX(id), 0) FROM matrix_changes", [], |r| {
                r.get(0)
            })
            .expect("the change log's position")
    }

    pub fn since(&self, mark: i64) -> Vec<String> {
        let mut st = self
            .0
            .prepare_cached(
                "SELECT tbl, op, COUNT(*) FROM matrix_changes WHERE id > ?1 \
                 GROUP BY tbl, op ORDER BY tbl, op",
            )
            .expect("prepare");
        st.query_map([mark], |r| {
            let t: String = r.get(0)?;
            let op: String = r.get(1)?;
            let n: i64 = r.get(2)?;
            Ok(format!("{t} {op} ×{n}"))
        })
        .expect("the change log")
        .map(|r| r.expect("a change"))
        .collect()
    }
}
