//! `safecampus copy --from <url> --to <url>`: moves a whole database to another, SQLite to
//! PostgreSQL (a district that outgrew its file) or back.
//!
//! - The target must hold no org and no user (migrated or not); it is migrated with the
//!   application's own migrations, and the rows its migrations seeded (the audit head, the
//!   default warning rules …) are replaced by the source's: the source's rows win.
//! - The source is read in one snapshot, each table streamed in the order of its primary key
//!   and written in multi-row `INSERT`s ([`super::bulk::BulkTx::insert_cast`]): memory holds
//!   one chunk, never a table. Values are read as the target's column type asks (SQLite keeps
//!   instants, dates and JSON as text, booleans as 0/1) and cast on PostgreSQL.
//! - The load is one transaction. On PostgreSQL it runs with `session_replication_role =
//!   replica`, so neither triggers nor foreign-key checks fire and the roll-ups are copied as
//!   they are; setting it needs a superuser. On SQLite foreign keys are checked at commit and
//!   the triggers cannot be turned off: the roll-up tables are left to them and rebuilt.
//! - Afterwards every sequence is set past the copied ids, the data version continues from the
//!   source's, and the copy is checked: rows per table, the roll-ups against their rows, the
//!   audit chain. Any difference fails the command.

use super::seed::Operator;
use super::{Db, data_version, migration};
use crate::error::{Error, Result};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DbBackend, IsolationLevel, QueryResult,
    Statement, StreamTrait, TransactionTrait, Value,
};
use sea_orm_migration::MigratorTrait;
use std::time::Instant;

/// Tables no copy touches: the migrations' own (the target is migrated) and the data version
/// (its rows differ between the databases; the target continues from the source's number).
const NOT_COPIED: &[&str] = &["seaql_migrations", "data_version"];

/// Roll-up tables kept by triggers: on a SQLite target the triggers fill them while the
/// counted rows are loaded, so they are not copied but rebuilt.
const ROLLUPS: &[&str] = &["hazard_counts", "risk_counts", "compliance_evidence"];

/// Most bound values in one statement, and most rows.
const MAX_PARAMS: usize = 30_000;
const MAX_ROWS: usize = 1_000;

/// What was copied.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Each table and its rows (the target's count, equal to the source's).
    pub tables: Vec<(String, u64)>,
    /// Audit entries whose chain verified on the target.
    pub audit_entries: u64,
    pub seconds: f64,
}

impl Summary {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }

    /// The summary the command prints.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (t, n) in self.tables.iter().filter(|(_, n)| *n > 0) {
            out.push_str(&format!("{t:<32} {n:>10}\n"));
        }
        out.push_str(&format!(
            "{} rows in {} tables copied in {:.1} s; roll-ups agree with their rows; \
             audit chain verifies ({} entries)\n",
            self.rows(),
            self.tables.len(),
            self.seconds,
            self.audit_entries
        ));
        out
    }
}

/// How a column's values travel (from the PostgreSQL side's type).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Bool,
    Float,
    Bytes,
    Timestamptz,
    Timestamp,
    Date,
    /// Text on both sides (`jsonb`, `uuid` … cast on PostgreSQL).
    Text,
}

#[derive(Debug)]
struct Column {
    name: String,
    kind: Kind,
    /// The PostgreSQL target's cast of a text value, or "".
    cast: String,
}

/// Copies the database at `from` into the empty database at `to` (see the module's text).
pub async fn copy(from: &str, to: &str) -> Result<Summary> {
    let started = Instant::now();
    if from == to {
        return Err(refuse("the source and the target are the same database"));
    }
    if let Some(path) = from
        .strip_prefix("sqlite://")
        .or_else(|| from.strip_prefix("sqlite:"))
    {
        let file = path.split('?').next().unwrap_or(path);
        if !std::path::Path::new(file).exists() {
            return Err(refuse(format!("the source {file} does not exist")));
        }
    }
    let src = Db::connect(from).await?;
    let dst = Db::connect(to).await?;
    let (s, d) = (&src.conn, &dst.conn);
    let (sb, db) = (s.get_database_backend(), d.get_database_backend());
    if sb == DbBackend::Sqlite && db == DbBackend::Sqlite {
        return Err(refuse(
            "both databases are SQLite: copy the file with `safecampus backup`",
        ));
    }
    if !src.is_safecampus().await {
        return Err(refuse("the source is not a SafeCampus database"));
    }
    let want: Vec<String> = migration::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let have = strings(s, "SELECT version FROM seaql_migrations ORDER BY version").await?;
    if have != want {
        return Err(refuse(
            "the source's schema is not this version's: run `safecampus migrate` on it first",
        ));
    }
    ensure_empty(d).await?;
    if db == DbBackend::Postgres {
        // Asked before anything is written: the load needs it.
        let probe = d.begin().await?;
        probe
            .execute_unprepared(REPLICA)
            .await
            .map_err(|e| no_replica(e.into()))?;
        probe.rollback().await?;
    }
    dst.migrate().await?;

    let source_tables: Vec<String> = data_version::tables(s)
        .await?
        .into_iter()
        .filter(|t| !NOT_COPIED.contains(&t.as_str()))
        .collect();
    let target_tables = data_version::tables(d).await?;
    if let Some(t) = source_tables.iter().find(|t| !target_tables.contains(t)) {
        return Err(refuse(format!("the target has no table {t}")));
    }
    let skip_rollups = db == DbBackend::Sqlite;
    let order = parents_first(d, &source_tables).await?;

    // One snapshot of the source.
    let read = if sb == DbBackend::Postgres {
        s.begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?
    } else {
        s.begin().await?
    };
    let version: i64 = scalar(&read, data_version::READ).await?;
    let bulk = dst.unsafe_unscoped(&Operator::command_line()).bulk();
    let tx = bulk.begin().await?;
    if db == DbBackend::Postgres {
        tx.execute(REPLICA, vec![]).await.map_err(no_replica)?;
    } else {
        tx.execute("PRAGMA defer_foreign_keys = ON", vec![]).await?;
    }
    let mut copied = Vec::new();
    for t in &order {
        if skip_rollups && ROLLUPS.contains(&t.as_str()) {
            continue;
        }
        let cols = columns(s, d, t).await?;
        let key = primary_key(s, t).await?;
        if count(d, t).await? > 0 {
            tx.execute(&format!("DELETE FROM \"{t}\""), vec![]).await?;
        }
        let total: i64 = scalar(&read, &format!("SELECT COUNT(*) FROM \"{t}\"")).await?;
        let bar = bar(t, total);
        let select = format!(
            "SELECT {} FROM \"{t}\" ORDER BY {}",
            cols.iter()
                .map(|c| read_expr(sb, c))
                .collect::<Vec<_>>()
                .join(", "),
            key.iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let names: Vec<String> = cols.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let casts: Vec<&str> = cols.iter().map(|c| c.cast.as_str()).collect();
        let per = (MAX_PARAMS / cols.len().max(1)).clamp(1, MAX_ROWS);
        let quoted = format!("\"{t}\"");
        let mut rows = read.stream_raw(Statement::from_string(sb, select)).await?;
        let mut chunk = Vec::with_capacity(per);
        let mut n = 0u64;
        while let Some(row) = rows.next().await {
            let row = row?;
            chunk.push(values(sb, &row, &cols)?);
            if chunk.len() == per {
                n += chunk.len() as u64;
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(per));
                tx.insert_cast(&quoted, &names, &casts, full).await?;
                bar.set_position(n);
            }
        }
        drop(rows);
        n += chunk.len() as u64;
        tx.insert_cast(&quoted, &names, &casts, chunk).await?;
        bar.finish_and_clear();
        if n != total as u64 {
            return Err(refuse(format!(
                "{t}: read {n} rows of {total}; nothing was committed"
            )));
        }
        copied.push((t.clone(), n));
    }
    // The target's version continues from the source's.
    tx.execute("UPDATE data_version SET v = 0", vec![]).await?;
    tx.execute(
        &format!("UPDATE data_version SET v = {version} WHERE id = 0"),
        vec![],
    )
    .await?;
    tx.commit().await?;
    read.commit().await?;

    let u = dst.unsafe_unscoped(&Operator::command_line());
    set_sequences(d, &source_tables).await?;
    if skip_rollups {
        u.rebuild_rollups().await?;
    }
    // The checks: rows per table (as read in the snapshot), the roll-ups, the audit chain.
    let mut tables = Vec::new();
    for t in &source_tables {
        let b = count(d, t).await? as u64;
        match copied.iter().find(|(c, _)| c == t) {
            Some((_, a)) if *a != b => {
                return Err(refuse(format!(
                    "{t}: {a} rows in the source, {b} in the target"
                )));
            }
            _ => tables.push((t.clone(), b)),
        }
    }
    let diffs = u.verify_rollups().await?;
    if !diffs.is_empty() {
        let list: Vec<String> = diffs.iter().map(|d| d.to_string()).collect();
        return Err(refuse(format!(
            "the copy's roll-ups differ from their rows: {}",
            list.join("; ")
        )));
    }
    let audit = u.verify_audit_anchored(&[]).await?;
    if let Some(f) = audit.finding {
        return Err(refuse(format!(
            "the copy's audit chain does not verify: {f}"
        )));
    }
    u.after_bulk_load().await?;
    src.close().await;
    dst.close().await;
    Ok(Summary {
        tables,
        audit_entries: audit.checked,
        seconds: started.elapsed().as_secs_f64(),
    })
}

const REPLICA: &str = "SET LOCAL session_replication_role = replica";

fn no_replica(e: Error) -> Error {
    refuse(format!(
        "cannot turn off triggers and foreign-key checks on the target \
         (SET session_replication_role needs a superuser): {}",
        crate::error::Chain(&e)
    ))
}

fn refuse(message: impl Into<String>) -> Error {
    Error::Conflict(message.into())
}

/// Refuses a target holding any org or user (a database in use).
async fn ensure_empty(d: &DatabaseConnection) -> Result<()> {
    let tables = data_version::tables(d).await?;
    for t in ["orgs", "users"] {
        if tables.iter().any(|x| x == t) && count(d, t).await? > 0 {
            return Err(refuse(format!(
                "the target already holds data ({t}); copy only into an empty database — \
                 nothing was written"
            )));
        }
    }
    Ok(())
}

fn bar(table: &str, total: i64) -> ProgressBar {
    let bar =
        ProgressBar::with_draw_target(Some(total.max(0) as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{prefix:>30} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(table.to_string());
    bar
}

/// The columns of a table with the kind of their values, from the PostgreSQL side (the
/// target's when both are).
async fn columns(
    s: &DatabaseConnection,
    d: &DatabaseConnection,
    table: &str,
) -> Result<Vec<Column>> {
    let pg_side = if d.get_database_backend() == DbBackend::Postgres {
        d
    } else {
        s
    };
    let rows = pg_side
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT column_name::text, data_type::text, udt_name::text \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position",
            [table.into()],
        ))
        .await?;
    let mut cols = Vec::new();
    for r in rows {
        let name: String = r.try_get_by_index(0)?;
        let data_type: String = r.try_get_by_index(1)?;
        let udt: String = r.try_get_by_index(2)?;
        let (kind, cast) = match data_type.as_str() {
            "bigint" | "integer" | "smallint" => (Kind::Int, ""),
            "boolean" => (Kind::Bool, ""),
            "double precision" | "real" | "numeric" => (Kind::Float, ""),
            "bytea" => (Kind::Bytes, ""),
            "timestamp with time zone" => (Kind::Timestamptz, "timestamptz"),
            "timestamp without time zone" => (Kind::Timestamp, "timestamp"),
            "date" => (Kind::Date, "date"),
            "text" | "character varying" | "character" => (Kind::Text, ""),
            _ => (Kind::Text, udt.as_str()),
        };
        let cast = if d.get_database_backend() == DbBackend::Postgres {
            cast.to_string()
        } else {
            String::new()
        };
        cols.push(Column { name, kind, cast });
    }
    // Every column of the source must be there (the same migrations made both).
    let source: Vec<String> = match s.get_database_backend() {
        DbBackend::Postgres => cols.iter().map(|c| c.name.clone()).collect(),
        _ => {
            strings(
                s,
                &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            )
            .await?
        }
    };
    if cols.is_empty() || source.iter().any(|n| !cols.iter().any(|c| &c.name == n)) {
        return Err(refuse(format!(
            "{table}: the two databases' columns differ"
        )));
    }
    cols.retain(|c| source.contains(&c.name));
    Ok(cols)
}

/// The tables in an order that loads referenced rows before the rows referring to them, on a
/// SQLite target: its deferred foreign-key check would otherwise look for the orphans of every
/// parent row it loads. (A cycle keeps the order it has.)
async fn parents_first(d: &DatabaseConnection, tables: &[String]) -> Result<Vec<String>> {
    if d.get_database_backend() != DbBackend::Sqlite {
        return Ok(tables.to_vec());
    }
    let mut left = Vec::new();
    for t in tables {
        let parents = strings(
            d,
            &format!("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list('{t}')"),
        )
        .await?;
        let parents: Vec<String> = parents
            .into_iter()
            .filter(|p| p != t && tables.contains(p))
            .collect();
        left.push((t.clone(), parents));
    }
    let mut out: Vec<String> = Vec::new();
    while !left.is_empty() {
        let (ready, rest): (Vec<_>, Vec<_>) = left
            .into_iter()
            .partition(|(_, ps)| ps.iter().all(|p| out.contains(p)));
        if ready.is_empty() {
            out.extend(rest.into_iter().map(|(t, _)| t));
            break;
        }
        out.extend(ready.into_iter().map(|(t, _)| t));
        left = rest;
    }
    Ok(out)
}

/// A table's primary key columns in key order (the source's).
async fn primary_key(s: &DatabaseConnection, table: &str) -> Result<Vec<String>> {
    let sql = match s.get_database_backend() {
        DbBackend::Postgres => format!(
            "SELECT a.attname::text FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indrelid = '\"{table}\"'::regclass AND i.indisprimary \
             ORDER BY array_position(i.indkey::int2[], a.attnum)"
        ),
        _ => format!("SELECT name FROM pragma_table_info('{table}') WHERE pk > 0 ORDER BY pk"),
    };
    let key = strings(s, &sql).await?;
    if key.is_empty() {
        return Err(refuse(format!("{table} has no primary key")));
    }
    Ok(key)
}

/// The expression that reads a column on the source so that its value decodes as its kind.
fn read_expr(source: DbBackend, c: &Column) -> String {
    let n = format!("\"{}\"", c.name);
    match (source, c.kind) {
        (_, Kind::Bytes) => n,
        (DbBackend::Postgres, Kind::Int) => format!("CAST({n} AS BIGINT)"),
        (DbBackend::Postgres, Kind::Float) => format!("CAST({n} AS DOUBLE PRECISION)"),
        (DbBackend::Postgres, Kind::Text) => format!("CAST({n} AS TEXT)"),
        (DbBackend::Postgres, _) => n,
        (_, Kind::Int | Kind::Bool) => format!("CAST({n} AS INTEGER)"),
        (_, Kind::Float) => format!("CAST({n} AS REAL)"),
        _ => format!("CAST({n} AS TEXT)"),
    }
}

/// One source row as the values to bind on the target.
fn values(source: DbBackend, row: &QueryResult, cols: &[Column]) -> Result<Vec<Value>> {
    let pg = source == DbBackend::Postgres;
    cols.iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(match c.kind {
                Kind::Int => row.try_get_by_index::<Option<i64>>(i)?.into(),
                Kind::Bool if pg => row.try_get_by_index::<Option<bool>>(i)?.into(),
                Kind::Bool => row
                    .try_get_by_index::<Option<i64>>(i)?
                    .map(|v| v != 0)
                    .into(),
                Kind::Float => row.try_get_by_index::<Option<f64>>(i)?.into(),
                Kind::Bytes => row.try_get_by_index::<Option<Vec<u8>>>(i)?.into(),
                Kind::Timestamptz if pg => row
                    .try_get_by_index::<Option<chrono::DateTime<chrono::Utc>>>(i)?
                    .into(),
                Kind::Timestamp if pg => row
                    .try_get_by_index::<Option<chrono::NaiveDateTime>>(i)?
                    .into(),
                Kind::Date if pg => row.try_get_by_index::<Option<chrono::NaiveDate>>(i)?.into(),
                _ => row.try_get_by_index::<Option<String>>(i)?.into(),
            })
        })
        .collect()
}

/// Sets every sequence of a PostgreSQL target past the largest value of its column (identity
/// columns and `nextval` defaults such as `device_events`' `device_event_ids`).
async fn set_sequences(d: &DatabaseConnection, tables: &[String]) -> Result<()> {
    if d.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let rows = d
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT table_name::text, column_name::text, \
             COALESCE(pg_get_serial_sequence(quote_ident(table_name), column_name), \
                      substring(column_default from 'nextval\\(''([^'']+)''')) \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
        ))
        .await?;
    for r in rows {
        let table: String = r.try_get_by_index(0)?;
        let column: String = r.try_get_by_index(1)?;
        let Some(seq) = r.try_get_by_index::<Option<String>>(2)? else {
            continue;
        };
        if !tables.contains(&table) {
            continue; // a partition: its parent sets the shared sequence
        }
        let seq = seq.replace('\'', "''");
        d.execute_unprepared(&format!(
            "SELECT setval('{seq}', GREATEST(COALESCE(MAX(\"{column}\"), 0), 1), \
             MAX(\"{column}\") IS NOT NULL) FROM \"{table}\""
        ))
        .await?;
    }
    Ok(())
}

async fn count(c: &DatabaseConnection, table: &str) -> Result<i64> {
    scalar(c, &format!("SELECT COUNT(*) FROM \"{table}\"")).await
}

async fn scalar(c: &impl ConnectionTrait, sql: &str) -> Result<i64> {
    let row = c
        .query_one_raw(Statement::from_string(c.get_database_backend(), sql))
        .await?;
    Ok(row
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0))
}

async fn strings(c: &DatabaseConnection, sql: &str) -> Result<Vec<String>> {
    let rows = c
        .query_all_raw(Statement::from_string(c.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).map_err(Into::into))
        .collect()
}
