//! The read path of the lists and pages that are read far more often than written.
//!
//! SeaORM over sqlx serves every write and most reads. On SQLite, though, sqlx runs each
//! connection on its own worker thread and hands every row across a channel: a list of fifty
//! rows costs dozens of thread wake-ups, which the load profile showed as ~40 % of the CPU in
//! the kernel. A [`Reader`] runs the hot reads on SQLite through `rusqlite` instead — on the
//! calling thread, with the connection's prepared-statement cache, over a small pool of
//! connections to the same file (WAL: readers never wait for the writer). The statements are
//! still built with sea-query, so the SQL and its scope conditions are the same code on both
//! databases; on PostgreSQL (and an in-memory SQLite database, which a second connection
//! cannot see) the same statement runs through SeaORM.
//!
//! Rows come back as types implementing [`FromRow`]: tuples of [`Col`]s, or structs declared
//! with [`read_row!`], whose fields say which expression they select, so the columns and the
//! fields cannot drift apart.

use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::config::DbConfig;
use rusqlite::types::{FromSql, ValueRef};
use sea_orm::sea_query::{ColumnType, SelectStatement, SqliteQueryBuilder, Value};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IdenStatic,
    Iterable, QueryResult, QuerySelect, QueryTrait, Select, TryIntoModel,
};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Idle connections kept per database; more are opened under load and closed when returned.
const KEEP_IDLE: usize = 8;
/// Prepared statements cached per connection.
const STATEMENT_CACHE: usize = 128;

/// A connection's `(journal_mode, synchronous, foreign_keys, busy_timeout)`.
pub(super) type Pragmas = (String, i64, i64, i64);

/// Where the hot reads run: see the module documentation.
#[derive(Clone, Debug)]
pub(crate) struct Reader {
    inner: Inner,
}

#[derive(Clone, Debug)]
enum Inner {
    Sqlite(Arc<Pool>),
    /// PostgreSQL (or in-memory SQLite): through the pool, or a scoped handle's connection.
    Orm(crate::storage::rls::Conn),
}

#[derive(Debug)]
struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl Reader {
    /// The reader for a database opened from `url` through `conn`.
    pub(super) fn new(url: &str, conn: DatabaseConnection) -> Reader {
        let inner = match sqlite_file(url) {
            Some(p) => Inner::Sqlite(Arc::new(Pool {
                path: PathBuf::from(p),
                idle: Mutex::new(Vec::new()),
            })),
            None => Inner::Orm(crate::storage::rls::Conn::unscoped(conn)),
        };
        Reader { inner }
    }

    /// This reader for a scoped handle: the same pool on SQLite (which has no row-level
    /// security), the handle's own connection otherwise.
    pub(super) fn scoped(&self, conn: &crate::storage::rls::Conn) -> Reader {
        match &self.inner {
            Inner::Sqlite(_) => self.clone(),
            Inner::Orm(_) => Reader {
                inner: Inner::Orm(conn.clone()),
            },
        }
    }

    /// Which path this reader takes (`rusqlite` or `seaorm`), for the operator's status.
    pub fn path(&self) -> &'static str {
        match self.inner {
            Inner::Sqlite(_) => "rusqlite",
            Inner::Orm(_) => "seaorm",
        }
    }

    /// The durability settings of `n` of this reader's connections at once (`None` when the
    /// reads go through SeaORM's pool): `(journal_mode, synchronous, foreign_keys,
    /// busy_timeout)` each.
    pub(super) fn sqlite_pragmas(&self, n: usize) -> Result<Option<Vec<Pragmas>>> {
        let Inner::Sqlite(pool) = &self.inner else {
            return Ok(None);
        };
        let mut held = Vec::new();
        for _ in 0..n {
            let c = pool.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            held.push(match c {
                Some(c) => c,
                None => pool.open()?,
            });
        }
        let mut out = Vec::new();
        for c in &held {
            let read = |p: &str| -> Result<i64> {
                c.pragma_query_value(None, p, |r| r.get(0))
                    .map_err(Error::internal)
            };
            let mode: String = c
                .pragma_query_value(None, "journal_mode", |r| r.get(0))
                .map_err(Error::internal)?;
            out.push((
                mode,
                read("synchronous")?,
                read("foreign_keys")?,
                read("busy_timeout")?,
            ));
        }
        let mut idle = pool.idle.lock().unwrap_or_else(|e| e.into_inner());
        for c in held {
            if idle.len() < KEEP_IDLE {
                idle.push(c);
            }
        }
        Ok(Some(out))
    }

    /// Every row the statement selects.
    pub async fn all<R: FromRow>(&self, q: &SelectStatement) -> Result<Vec<R>> {
        match &self.inner {
            Inner::Sqlite(pool) => pool.rows(
                q,
                |_| Ok(()),
                |row| {
                    R::from_row(&mut Cursor {
                        row: RowRef::Sqlite(row),
                        i: 0,
                    })
                },
            ),
            Inner::Orm(conn) => conn
                .query_all(q)
                .await?
                .iter()
                .map(|r| {
                    R::from_row(&mut Cursor {
                        row: RowRef::Orm(r),
                        i: 0,
                    })
                })
                .collect(),
        }
    }

    /// The models a SeaORM select of a whole entity reads (its columns, in the entity's
    /// order): the same answer as `select.all(conn)`, without the thread hop on SQLite.
    pub async fn models<E>(&self, select: Select<E>) -> Result<Vec<E::Model>>
    where
        E: EntityTrait,
        E::ActiveModel: TryIntoModel<E::Model>,
    {
        let pool = match &self.inner {
            Inner::Sqlite(pool) => pool,
            Inner::Orm(conn) => return Ok(select.all(conn).await?),
        };
        let q = select.into_query();
        let columns: Vec<(E::Column, ColumnType)> = E::Column::iter()
            .map(|c| (c, c.def().get_column_type().clone()))
            .collect();
        // The statement must select the entity's columns in order (a select narrowed with
        // `select_only` is read as tuples or a `read_row!` instead).
        let check = |names: &[&str]| {
            let same = names.len() >= columns.len()
                && columns
                    .iter()
                    .zip(names)
                    .all(|((c, _), n)| c.as_str() == *n);
            if same {
                Ok(())
            } else {
                Err(Error::internal(anyhow::anyhow!(
                    "read path: {} selects {names:?}, not its entity's columns",
                    E::default().table_name()
                )))
            }
        };
        pool.rows(&q, check, |row| {
            let mut m = <E::ActiveModel as ActiveModelTrait>::default();
            for (i, (col, ty)) in columns.iter().enumerate() {
                let v = row.get_ref(i).map_err(Error::internal)?;
                let v = typed(v, ty).map_err(|e| {
                    Error::internal(anyhow::anyhow!(
                        "{}.{}: {e}",
                        E::default().table_name(),
                        col.as_str()
                    ))
                })?;
                m.try_set(*col, v)?;
            }
            Ok(m.try_into_model()?)
        })
    }

    /// The first row the statement selects, if any (the statement should carry its own
    /// `LIMIT 1` where more could match).
    pub async fn one<R: FromRow>(&self, q: &SelectStatement) -> Result<Option<R>> {
        Ok(self.all(q).await?.into_iter().next())
    }

    /// The one integer a fixed statement selects (no statement built per call).
    pub async fn integer(&self, sql: &'static str) -> Result<i64> {
        match &self.inner {
            Inner::Sqlite(pool) => pool.with(|c| {
                c.prepare_cached(sql)
                    .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
                    .map_err(Error::internal)
            }),
            Inner::Orm(conn) => {
                let backend = conn.get_database_backend();
                let row = conn
                    .query_one_raw(sea_orm::Statement::from_string(backend, sql))
                    .await?
                    .ok_or_else(|| Error::internal(anyhow::anyhow!("{sql}: no row")))?;
                row.try_get_by_index::<i64>(0).map_err(Into::into)
            }
        }
    }
}

/// The file of a SQLite URL; `None` for PostgreSQL and in-memory databases.
fn sqlite_file(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p))
        .filter(|p| !p.is_empty() && !p.starts_with(":memory:") && !url.contains("mode=memory"))
}

impl Pool {
    /// Runs a select on a pooled connection with its cached statement: `check` sees the
    /// column names before the rows are read, `row` turns each row into a `T`.
    fn rows<T>(
        &self,
        q: &SelectStatement,
        check: impl FnOnce(&[&str]) -> Result<()>,
        mut row: impl FnMut(&rusqlite::Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.with(|c| {
            let (sql, values) = q.build(SqliteQueryBuilder);
            let params = bind(values.0)?;
            let mut stmt = c.prepare_cached(&sql).map_err(Error::internal)?;
            check(&stmt.column_names())?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(params.iter()))
                .map_err(Error::internal)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(Error::internal)? {
                out.push(row(r)?);
            }
            Ok(out)
        })
    }

    fn with<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        let taken = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match taken {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
        out
    }

    fn open(&self) -> Result<rusqlite::Connection> {
        let c = rusqlite::Connection::open(&self.path).map_err(Error::internal)?;
        c.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(Error::internal)?;
        // The same durability settings as the writers' connections (T-DU-1 reads them on
        // every connection): a reader writes nothing, but no connection is the exception.
        c.pragma_update(None, "synchronous", "FULL")
            .map_err(Error::internal)?;
        c.pragma_update(None, "foreign_keys", true)
            .map_err(Error::internal)?;
        // A reader never writes, whatever a statement says.
        c.pragma_update(None, "query_only", true)
            .map_err(Error::internal)?;
        // One plan per statement, whatever its bound values: otherwise a statement with a
        // bound pattern (the scope's `path LIKE ?`) is compiled again on every use, since the
        // cache clears the bindings (the profile of the hazard list: 30 % of the CPU in
        // `sqlite3Reprepare`). The pattern's prefix could not use an index anyway (LIKE is
        // case-insensitive, the index is not).
        c.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(Error::internal)?;
        c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(c)
    }
}

/// sea-query's values as SQLite stores them when sqlx writes them (the same text for dates
/// and instants, so comparisons in `WHERE` agree with the stored rows).
fn bind(values: Vec<Value>) -> Result<Vec<rusqlite::types::Value>> {
    use rusqlite::types::Value as V;
    fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> V) -> V {
        v.map(f).unwrap_or(V::Null)
    }
    values
        .into_iter()
        .map(|v| {
            Ok(match v {
                Value::Bool(b) => opt(b, |b| V::Integer(i64::from(b))),
                Value::TinyInt(i) => opt(i, |i| V::Integer(i.into())),
                Value::SmallInt(i) => opt(i, |i| V::Integer(i.into())),
                Value::Int(i) => opt(i, |i| V::Integer(i.into())),
                Value::BigInt(i) => opt(i, V::Integer),
                Value::TinyUnsigned(i) => opt(i, |i| V::Integer(i.into())),
                Value::SmallUnsigned(i) => opt(i, |i| V::Integer(i.into())),
                Value::Unsigned(i) => opt(i, |i| V::Integer(i.into())),
                Value::BigUnsigned(i) => match i.map(i64::try_from) {
                    None => V::Null,
                    Some(Ok(i)) => V::Integer(i),
                    Some(Err(e)) => return Err(Error::internal(e)),
                },
                Value::Float(f) => opt(f, |f| V::Real(f.into())),
                Value::Double(f) => opt(f, V::Real),
                Value::String(s) => opt(s, V::Text),
                Value::Char(c) => opt(c, |c| V::Text(c.to_string())),
                Value::Bytes(b) => opt(b, V::Blob),
                Value::Json(j) => opt(j, |j| V::Text(j.to_string())),
                Value::ChronoDate(d) => opt(d, |d| V::Text(d.format("%F").to_string())),
                Value::ChronoDateTime(d) => opt(d, |d| V::Text(d.format("%F %T%.f").to_string())),
                Value::ChronoDateTimeUtc(d) => opt(d, |d| {
                    V::Text(d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
                }),
                other => {
                    return Err(Error::internal(anyhow::anyhow!(
                        "the read path cannot bind {other:?}"
                    )));
                }
            })
        })
        .collect()
}

/// A SQLite value as the sea-query value of the column's type (what the model's fields take).
fn typed(v: ValueRef<'_>, ty: &ColumnType) -> rusqlite::types::FromSqlResult<Value> {
    use ColumnType as T;
    Ok(match ty {
        T::TinyInteger | T::SmallInteger | T::Integer => {
            Value::Int(Option::<i32>::column_result(v)?)
        }
        T::BigInteger => Value::BigInt(Option::<i64>::column_result(v)?),
        T::Boolean => Value::Bool(Option::<bool>::column_result(v)?),
        T::Float | T::Double | T::Decimal(_) => Value::Double(Option::<f64>::column_result(v)?),
        T::Char(_) | T::String(_) | T::Text => Value::String(Option::<String>::column_result(v)?),
        T::Blob | T::Binary(_) | T::VarBinary(_) => {
            Value::Bytes(Option::<Vec<u8>>::column_result(v)?)
        }
        T::Date => Value::ChronoDate(Option::<NaiveDate>::column_result(v)?),
        T::DateTime => Value::ChronoDateTime(Option::<chrono::NaiveDateTime>::column_result(v)?),
        T::Timestamp | T::TimestampWithTimeZone => Value::ChronoDateTimeUtc(instant(v)?),
        T::Json | T::JsonBinary => Value::Json(
            Option::<String>::column_result(v)?
                .map(|s| serde_json::from_str(&s).map(Box::new))
                .transpose()
                .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))?,
        ),
        other => {
            return Err(rusqlite::types::FromSqlError::Other(
                format!("no read path for column type {other:?}").into(),
            ));
        }
    })
}

/// `select.read_all(&self.read)`: [`Reader::models`] in a query chain, where `.all(&conn)`
/// would stand.
pub(crate) trait ReadAll<E: EntityTrait> {
    fn read_all(self, r: &Reader) -> impl Future<Output = Result<Vec<E::Model>>>;
    /// The first model, as `.one(&conn)`.
    fn read_one(self, r: &Reader) -> impl Future<Output = Result<Option<E::Model>>>;
    /// How many rows the select gives, as `.count(&conn)`.
    fn read_count(self, r: &Reader) -> impl Future<Output = Result<u64>>;
}

impl<E> ReadAll<E> for Select<E>
where
    E: EntityTrait,
    E::ActiveModel: TryIntoModel<E::Model>,
{
    fn read_all(self, r: &Reader) -> impl Future<Output = Result<Vec<E::Model>>> {
        r.models(self)
    }
    async fn read_one(self, r: &Reader) -> Result<Option<E::Model>> {
        Ok(r.models(self.limit(1)).await?.into_iter().next())
    }
    async fn read_count(self, r: &Reader) -> Result<u64> {
        let mut q = sea_orm::sea_query::Query::select();
        q.expr(sea_orm::sea_query::Expr::cust("COUNT(*)"))
            .from_subquery(self.into_query(), sea_orm::sea_query::Alias::new("counted"));
        let n: Option<(i64,)> = r.one(&q).await?;
        Ok(n.map_or(0, |(n,)| u64::try_from(n).unwrap_or(0)))
    }
}

/// Where a lookup by id reads from: a transaction or the connection through SeaORM, or the
/// read path. The scoped lookups (`org_row`, `school`, `owned` …) take any of them, so a
/// request outside a write reads through the read path and a write through its transaction.
pub(crate) trait Fetch {
    fn first<E>(&self, s: Select<E>) -> impl Future<Output = Result<Option<E::Model>>>
    where
        E: EntityTrait,
        E::ActiveModel: TryIntoModel<E::Model>;
}

impl Fetch for Reader {
    async fn first<E>(&self, s: Select<E>) -> Result<Option<E::Model>>
    where
        E: EntityTrait,
        E::ActiveModel: TryIntoModel<E::Model>,
    {
        s.read_one(self).await
    }
}

macro_rules! fetch_orm {
    ($($t:ty),+) => {$(
        impl Fetch for $t {
            async fn first<E>(&self, s: Select<E>) -> Result<Option<E::Model>>
            where
                E: EntityTrait,
                E::ActiveModel: TryIntoModel<E::Model>,
            {
                Ok(s.one(self).await?)
            }
        }
    )+};
}
fetch_orm!(DatabaseConnection, sea_orm::DatabaseTransaction);

enum RowRef<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Orm(&'a QueryResult),
}

/// Reads a row's columns in order.
pub(crate) struct Cursor<'a> {
    row: RowRef<'a>,
    i: usize,
}

impl Cursor<'_> {
    /// The next column, as `T`.
    pub fn next<T: Col>(&mut self) -> Result<T> {
        let i = self.i;
        self.i += 1;
        match &self.row {
            RowRef::Sqlite(r) => {
                let v = r.get_ref(i).map_err(Error::internal)?;
                T::sqlite(v).map_err(|e| Error::internal(anyhow::anyhow!("column {i}: {e}")))
            }
            RowRef::Orm(r) => Ok(T::orm(r, i)?),
        }
    }
}

/// A value a column of a read row can hold, read the same from both databases.
pub(crate) trait Col: Sized {
    fn sqlite(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self>;
    fn orm(r: &QueryResult, i: usize) -> std::result::Result<Self, sea_orm::DbErr>;
}

macro_rules! col_types {
    ($($t:ty),+) => {$(
        impl Col for $t {
            fn sqlite(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                <$t as FromSql>::column_result(v)
            }
            fn orm(r: &QueryResult, i: usize) -> std::result::Result<Self, sea_orm::DbErr> {
                r.try_get_by_index::<$t>(i)
            }
        }
        impl Col for Option<$t> {
            fn sqlite(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                <Option<$t> as FromSql>::column_result(v)
            }
            fn orm(r: &QueryResult, i: usize) -> std::result::Result<Self, sea_orm::DbErr> {
                r.try_get_by_index::<Option<$t>>(i)
            }
        }
    )+};
}
col_types!(i64, i32, bool, f64, String, NaiveDate);

/// An instant as stored (RFC 3339 text, as sqlx writes it), read with chrono's RFC 3339
/// parser; other spellings go through rusqlite's general one (a format-string parser, several
/// times slower, which showed in the profile of the lists).
fn instant(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Option<DateTime<Utc>>> {
    if let ValueRef::Text(t) = v
        && let Ok(s) = std::str::from_utf8(t)
        && let Ok(d) = DateTime::parse_from_rfc3339(s)
    {
        return Ok(Some(d.with_timezone(&Utc)));
    }
    Option::<DateTime<Utc>>::column_result(v)
}

impl Col for DateTime<Utc> {
    fn sqlite(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        instant(v)?.ok_or(rusqlite::types::FromSqlError::InvalidType)
    }
    fn orm(r: &QueryResult, i: usize) -> std::result::Result<Self, sea_orm::DbErr> {
        r.try_get_by_index::<DateTime<Utc>>(i)
    }
}

impl Col for Option<DateTime<Utc>> {
    fn sqlite(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        instant(v)
    }
    fn orm(r: &QueryResult, i: usize) -> std::result::Result<Self, sea_orm::DbErr> {
        r.try_get_by_index::<Option<DateTime<Utc>>>(i)
    }
}

/// The typed ids read as the integers they are stored as.
macro_rules! col_ids {
    ($($t:ident),+) => {$(
        impl Col for crate::domain::ids::$t {
            fn sqlite(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(v).map(crate::domain::ids::$t)
            }
            fn orm(r: &QueryResult, i: usize) -> std::result::Result<Self, sea_orm::DbErr> {
                r.try_get_by_index::<i64>(i).map(crate::domain::ids::$t)
            }
        }
        impl Col for Option<crate::domain::ids::$t> {
            fn sqlite(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                Option::<i64>::column_result(v).map(|o| o.map(crate::domain::ids::$t))
            }
            fn orm(r: &QueryResult, i: usize) -> std::result::Result<Self, sea_orm::DbErr> {
                r.try_get_by_index::<Option<i64>>(i).map(|o| o.map(crate::domain::ids::$t))
            }
        }
    )+};
}
col_ids!(
    OrgId,
    UserId,
    PersonId,
    ZoneId,
    RiskPointId,
    HazardId,
    InspectionId,
    CampaignId,
    CatalogItemId,
    NotificationId,
    DutyPeriodId
);

/// A row read from a statement, column by column in the order selected.
pub(crate) trait FromRow: Sized {
    fn from_row(c: &mut Cursor<'_>) -> Result<Self>;
}

macro_rules! tuple_rows {
    ($(($($t:ident),+)),+) => {$(
        impl<$($t: Col),+> FromRow for ($($t,)+) {
            fn from_row(c: &mut Cursor<'_>) -> Result<Self> {
                Ok(($(c.next::<$t>()?,)+))
            }
        }
    )+};
}
tuple_rows!(
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H)
);

/// A struct a read statement fills: each field names the expression it selects.
/// `Self::select(&mut query)` adds the expressions in field order; [`FromRow`] reads them back
/// in the same order.
macro_rules! read_row {
    ($(#[$m:meta])* $vis:vis struct $name:ident { $($(#[$fm:meta])* $fvis:vis $f:ident : $t:ty = $e:expr),+ $(,)? }) => {
        $(#[$m])*
        $vis struct $name { $($(#[$fm])* $fvis $f: $t),+ }
        impl $crate::storage::read::FromRow for $name {
            fn from_row(c: &mut $crate::storage::read::Cursor<'_>) -> $crate::error::Result<Self> {
                // Struct fields are evaluated in the order written: the order selected.
                Ok(Self { $($f: c.next()?),+ })
            }
        }
        impl $name {
            /// Adds this row's columns, in order, to a select statement.
            #[allow(dead_code)]
            pub(in crate::storage) fn select(
                q: &mut sea_orm::sea_query::SelectStatement,
            ) -> &mut sea_orm::sea_query::SelectStatement {
                $(q.expr($e);)+
                q
            }
        }
    };
}
pub(crate) use read_row;

mod verify;

#[cfg(test)]
mod tests;
