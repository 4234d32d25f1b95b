//! Idempotent writes: a client that sends `Idempotency-Key: <key>` with a write may send it
//! again (its connection broke, the server restarted) and the write happens once.
//!
//! The key's row is written **in the transaction of the write** (by the audit append that
//! every committed change makes, [`record`]), so it exists exactly when the write committed:
//! a retry finds it and is answered without running the handler — with the first answer when
//! it was kept ([`Db::keep_answer`], after the response was built), else 409 `already_applied`
//! naming the object. Two requests with one key at once: the second's transaction meets the
//! first's row and rolls back (409 `idempotency_in_progress`). Keys belong to a user, name one
//! request (method and route path), and live a day ([`Db::purge_idempotency_keys`]).

use super::{Actor, Db};
use crate::error::{Error, Result};
use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

/// The longest key, in bytes.
pub const MAX_KEY: usize = 255;
/// The longest answer kept for a replay, in bytes; a longer one is replayed as
/// `already_applied`.
pub const MAX_KEPT_ANSWER: u64 = 256 * 1024;
/// How long a key is kept, in hours.
pub const KEEP_HOURS: i64 = 24;

const TABLE: &str = "idempotency_keys";

/// A write's idempotency key, as the gate read it from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    key: String,
    /// This request's own mark (random): the row a retry meets is another request's.
    attempt: String,
    /// `METHOD /route/{pattern}` with the path as requested.
    request: String,
}

impl IdempotencyKey {
    /// The header's value checked: 1–255 visible ASCII characters (a UUID is the usual).
    pub fn parse(value: &[u8], method: &str, path: &str) -> Result<IdempotencyKey> {
        let ok = !value.is_empty()
            && value.len() <= MAX_KEY
            && value.iter().all(|b| b.is_ascii_graphic());
        if !ok {
            return Err(Error::field("Idempotency-Key", "err.idempotency.key"));
        }
        let attempt: [u8; 16] = rand::random();
        Ok(IdempotencyKey {
            key: String::from_utf8_lossy(value).into_owned(),
            attempt: hex::encode(attempt),
            request: format!("{method} {path}").chars().take(400).collect(),
        })
    }
}

/// What an earlier request with the same key left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prior {
    /// Its answer, kept: status, content type, body.
    Answer {
        status: u16,
        content_type: String,
        body: Vec<u8>,
    },
    /// It committed, its answer was not kept (too long, or the server stopped first).
    Applied {
        object_type: String,
        object_id: String,
    },
    /// The key was used for another request (method or path).
    Reused,
}

impl Actor {
    /// The actor of a write carrying an idempotency key.
    pub fn with_idempotency_key(mut self, key: IdempotencyKey) -> Actor {
        self.idempotency = Some(key);
        self
    }

    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.idempotency.as_ref()
    }
}

/// Called by the audit append of a committed change: writes the key's row in the change's
/// transaction. A row of another request (a retry that raced the first) rolls the change back.
pub(super) async fn record(
    txn: &DatabaseTransaction,
    actor: &Actor,
    object_type: &str,
    object_id: &str,
) -> Result<()> {
    let Some(k) = &actor.idempotency else {
        return Ok(());
    };
    let insert = Query::insert()
        .into_table(Alias::new(TABLE))
        .columns(
            [
                "user_id",
                "key",
                "attempt",
                "request",
                "object_type",
                "object_id",
                "created_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            actor.user_id.0.into(),
            k.key.clone().into(),
            k.attempt.clone().into(),
            k.request.clone().into(),
            object_type.chars().take(64).collect::<String>().into(),
            object_id.chars().take(64).collect::<String>().into(),
            Utc::now().into(),
        ])
        .on_conflict(
            OnConflict::columns([Alias::new("user_id"), Alias::new("key")])
                .do_nothing()
                .to_owned(),
        )
        .take();
    if txn.execute(&insert).await?.rows_affected() == 1 {
        return Ok(());
    }
    // The row is there: this request's own (a second change in the same request) or another's.
    let own = Query::select()
        .column(Alias::new("attempt"))
        .from(Alias::new(TABLE))
        .and_where(Expr::col(Alias::new("user_id")).eq(actor.user_id.0))
        .and_where(Expr::col(Alias::new("key")).eq(k.key.clone()))
        .take();
    let row = txn.query_one(&own).await?;
    let attempt: Option<String> = row.map(|r| r.try_get("", "attempt")).transpose()?;
    if attempt.as_deref() == Some(k.attempt.as_str()) {
        Ok(())
    } else {
        Err(Error::Conflict("err.idempotency.in_progress".into()))
    }
}

impl Db {
    /// What an earlier request of `actor` with its key left, if any.
    pub async fn idempotent_prior(&self, actor: &Actor) -> Result<Option<Prior>> {
        let Some(k) = &actor.idempotency else {
            return Ok(None);
        };
        let q = Query::select()
            .columns(
                [
                    "request",
                    "object_type",
                    "object_id",
                    "status",
                    "content_type",
                    "body",
                ]
                .map(Alias::new),
            )
            .from(Alias::new(TABLE))
            .and_where(Expr::col(Alias::new("user_id")).eq(actor.user_id.0))
            .and_where(Expr::col(Alias::new("key")).eq(k.key.clone()))
            .take();
        let Some(row) = self.conn.query_one(&q).await? else {
            return Ok(None);
        };
        let request: String = row.try_get("", "request")?;
        if request != k.request {
            return Ok(Some(Prior::Reused));
        }
        let status: Option<i32> = row.try_get("", "status")?;
        let body: Option<Vec<u8>> = row.try_get("", "body")?;
        Ok(Some(match (status, body) {
            (Some(status), Some(body)) => Prior::Answer {
                status: u16::try_from(status).unwrap_or(200),
                content_type: row
                    .try_get::<Option<String>>("", "content_type")?
                    .unwrap_or_default(),
                body,
            },
            _ => Prior::Applied {
                object_type: row.try_get("", "object_type")?,
                object_id: row.try_get("", "object_id")?,
            },
        }))
    }

    /// Keeps the answer of the request that wrote the key's row (none when it wrote nothing).
    pub async fn keep_answer(
        &self,
        actor: &Actor,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> Result<()> {
        let Some(k) = &actor.idempotency else {
            return Ok(());
        };
        let q = Query::update()
            .table(Alias::new(TABLE))
            .value(Alias::new("status"), i32::from(status))
            .value(
                Alias::new("content_type"),
                content_type.chars().take(128).collect::<String>(),
            )
            .value(Alias::new("body"), body.to_vec())
            .and_where(Expr::col(Alias::new("user_id")).eq(actor.user_id.0))
            .and_where(Expr::col(Alias::new("key")).eq(k.key.clone()))
            .and_where(Expr::col(Alias::new("attempt")).eq(k.attempt.clone()))
            .take();
        self.conn.execute(&q).await?;
        Ok(())
    }

    /// Deletes keys older than [`KEEP_HOURS`] (run with the session purge).
    pub async fn purge_idempotency_keys(&self) -> Result<u64> {
        let q = Query::delete()
            .from_table(Alias::new(TABLE))
            .and_where(
                Expr::col(Alias::new("created_at"))
                    .lt(Utc::now() - chrono::Duration::hours(KEEP_HOURS)),
            )
            .take();
        Ok(self.conn.execute(&q).await?.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(IdempotencyKey::parse(b"4f1c-9a", "POST", "/x").is_ok());
        assert!(IdempotencyKey::parse(b"", "POST", "/x").is_err());
        assert!(IdempotencyKey::parse(b"a b", "POST", "/x").is_err());
        assert!(IdempotencyKey::parse("键".as_bytes(), "POST", "/x").is_err());
        assert!(IdempotencyKey::parse(&[b'k'; 256], "POST", "/x").is_err());
        let a = IdempotencyKey::parse(b"k", "POST", "/x").unwrap();
        let b = IdempotencyKey::parse(b"k", "POST", "/x").unwrap();
        assert_ne!(a.attempt, b.attempt, "each request has its own mark");
        assert_eq!(a.request, "POST /x");
    }
}
