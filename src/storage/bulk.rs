//! Bulk loading for the operator (`safecampus generate`): multi-row `INSERT … VALUES (…), (…)`
//! of rows whose ids the caller chose, in large transactions, with no ORM model per row and no
//! audit row per insert (the load writes one audit row of its own). Reached only through
//! [`Unscoped::bulk`], like every other unscoped write.

use super::seed::Unscoped;
use crate::error::Result;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement, Value,
};

/// Most bound values in one statement (SQLite allows 32,766; PostgreSQL 65,535).
const MAX_PARAMS: usize = 30_000;

/// The bulk loader of one database.
#[derive(Clone)]
pub struct Bulk {
    conn: DatabaseConnection,
}

/// One write transaction of the bulk loader.
pub struct BulkTx {
    txn: DatabaseTransaction,
    backend: DbBackend,
}

impl Unscoped {
    /// The bulk loader (the operator's: `generate`).
    pub fn bulk(&self) -> Bulk {
        Bulk {
            conn: self.conn.clone(),
        }
    }

    /// The one audit row of a bulk load (on the first org, the city).
    pub async fn audit_generated(&self, detail: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.audit(super::audit::PlatformAudit::DemoSeed, "org", 1, detail)
            .await?;
        tx.commit().await
    }
}

impl Bulk {
    pub fn is_postgres(&self) -> bool {
        self.conn.get_database_backend() == DbBackend::Postgres
    }

    /// Opens a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin(&self) -> Result<BulkTx> {
        Ok(BulkTx {
            txn: super::begin_write(&self.conn).await?,
            backend: self.conn.get_database_backend(),
        })
    }

    /// The number of rows of a table.
    pub async fn count(&self, table: &str) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let row = self
            .conn
            .query_one_raw(Statement::from_string(
                self.conn.get_database_backend(),
                sql,
            ))
            .await?;
        Ok(row
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0))
    }

    /// Pairs of (id, text) a statement selects (e.g. a catalogue's items by code).
    pub async fn pairs(&self, sql: &str) -> Result<Vec<(i64, String)>> {
        let backend = self.conn.get_database_backend();
        let rows = self
            .conn
            .query_all_raw(Statement::from_string(backend, sql))
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok((
                    r.try_get_by_index::<i64>(0)?,
                    r.try_get_by_index::<String>(1)?,
                ))
            })
            .collect()
    }

    /// A sum of a few columns of a table as text (the same data set checked on both databases).
    pub async fn checksum(&self, table: &str, expr: &str) -> Result<String> {
        let sql = format!("SELECT CAST(COALESCE(SUM({expr}), 0) AS BIGINT) FROM {table}");
        let row = self
            .conn
            .query_one_raw(Statement::from_string(
                self.conn.get_database_backend(),
                sql,
            ))
            .await?;
        Ok(row
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0)
            .to_string())
    }

    /// After rows were written with explicit ids: PostgreSQL's sequences move past the largest
    /// id of each table (SQLite takes the next id from the table itself).
    pub async fn sync_sequences(&self, tables: &[&str]) -> Result<()> {
        if !self.is_postgres() {
            return Ok(());
        }
        for t in tables {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
                 GREATEST((SELECT COALESCE(MAX(id), 0) FROM {t}), 1), \
                 (SELECT COUNT(*) > 0 FROM {t}))"
            );
            self.conn.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    /// The size of the database in bytes.
    pub async fn size_bytes(&self) -> Result<i64> {
        let backend = self.conn.get_database_backend();
        let sql = if self.is_postgres() {
            "SELECT pg_database_size(current_database())"
        } else {
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        };
        let row = self
            .conn
            .query_one_raw(Statement::from_string(backend, sql))
            .await?;
        Ok(row
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0))
    }
}

impl BulkTx {
    /// Inserts `rows` (each in `cols` order) with multi-row statements.
    pub async fn insert(&self, table: &str, cols: &[&str], rows: Vec<Vec<Value>>) -> Result<()> {
        self.insert_cast(table, cols, &[], rows).await
    }

    /// Like [`BulkTx::insert`], each value of column `j` bound as `CAST($n AS casts[j])` on
    /// PostgreSQL where `casts[j]` is not empty (text into `timestamptz`, `date`, `jsonb` …:
    /// `safecampus copy`); SQLite binds the values as they are.
    pub async fn insert_cast(
        &self,
        table: &str,
        cols: &[&str],
        casts: &[&str],
        rows: Vec<Vec<Value>>,
    ) -> Result<()> {
        if rows.is_empty() || cols.is_empty() {
            return Ok(());
        }
        let per = (MAX_PARAMS / cols.len()).clamp(1, 1000);
        let head = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(per).collect();
            let mut sql = String::with_capacity(head.len() + chunk.len() * cols.len() * 6);
            sql.push_str(&head);
            let mut values = Vec::with_capacity(chunk.len() * cols.len());
            let mut n = 0usize;
            for (i, row) in chunk.into_iter().enumerate() {
                debug_assert_eq!(row.len(), cols.len(), "a row of {table}");
                if i > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for (j, v) in row.into_iter().enumerate() {
                    if j > 0 {
                        sql.push(',');
                    }
                    n += 1;
                    match self.backend {
                        DbBackend::Postgres => match casts.get(j).filter(|c| !c.is_empty()) {
                            Some(c) => sql.push_str(&format!("CAST(${n} AS {c})")),
                            None => {
                                sql.push('$');
                                sql.push_str(&n.to_string());
                            }
                        },
                        _ => sql.push('?'),
                    }
                    values.push(v);
                }
                sql.push(')');
            }
            self.txn
                .execute_raw(Statement::from_sql_and_values(self.backend, sql, values))
                .await?;
        }
        Ok(())
    }

    /// Runs one statement of the loader's own (e.g. a counter's upsert).
    pub async fn execute(&self, sql: &str, values: Vec<Value>) -> Result<()> {
        self.txn
            .execute_raw(Statement::from_sql_and_values(self.backend, sql, values))
            .await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        self.txn.commit().await?;
        Ok(())
    }
}
