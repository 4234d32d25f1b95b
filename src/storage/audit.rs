//! The audit log: append-only, hash-chained (each row's hash covers the previous row's hash),
//! written in the same transaction as the change it records.
//!
//! **Invariant:** nothing in the code base updates or deletes an `audit_log` row. The chain head
//! lives in `audit_head`, whose row is locked for the append on PostgreSQL (SQLite write
//! transactions are already serialised), so concurrent appends cannot fork the chain.

pub mod anchor;
pub mod retention;

/// Writes a file of evidence kept outside the database (an anchor, an archive) durably: a
/// temporary file filled by `fill` and flushed to the disk, renamed into place, the directory
/// flushed. Answers the file's path.
fn write_durably(
    dir: &std::path::Path,
    name: &str,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write as _;
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        fill(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(path)
}

use super::entity::audit_log;
use super::{Actor, views};
use crate::error::Result;
use crate::storage::AuditLog;
use crate::storage::read::ReadAll as _;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DbBackend, QueryOrder, QuerySelect,
    Statement,
};
use sha2::{Digest, Sha256};

/// An action the audit log records. Each module declares its own closed set with
/// `audit_codes!`; the feature registry gathers them (`web::features`), and every code has a
/// label `audit_action.<code with _>` in the catalogue.
pub trait AuditCode: Copy + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
}

closed_codes! {
    AuditCode:
    /// What the platform itself records: sign-in and out, refusals, the demo, verification.
    pub enum PlatformAudit {
        Login = "auth.login",
        Logout = "auth.logout",
        Denied = "access.denied",
        DemoSeed = "demo.seed",
        Verify = "audit.verify",
        Read = "audit.read",
        Purge = "audit.purge",
        PasswordChange = "user.password_change",
        FieldKeyRotate = "field_key.rotate",
    }
}

/// The catalogue key of an action's label.
pub fn action_key(action: &str) -> String {
    format!("audit_action.{}", action.replace('.', "_"))
}

/// What happened, to what.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: String,
    /// Changed field names and short values; never passwords, tokens or minors' data.
    pub detail: String,
}

impl Event {
    pub fn new(
        action: impl AuditCode,
        object_type: &'static str,
        object_id: impl ToString,
    ) -> Self {
        Event {
            action: action.code(),
            object_type,
            object_id: object_id.to_string(),
            detail: String::new(),
        }
    }

    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = d.into();
        self
    }
}

/// The hash of one row over its predecessor's hash and its own fields.
pub(crate) fn row_hash(prev: &str, m: &audit_log::Model) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &m.at.to_rfc3339(),
        &m.user_id.map(|u| u.0.to_string()).unwrap_or_default(),
        &m.username,
        &m.role,
        &m.org_id.map(|o| o.0.to_string()).unwrap_or_default(),
        &m.action,
        &m.object_type,
        &m.object_id,
        &m.result,
        &m.ip,
        &m.detail,
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

pub(crate) async fn append(
    txn: &DatabaseTransaction,
    actor: &Actor,
    event: &Event,
    result: &str,
) -> Result<()> {
    append_raw(
        txn,
        Some(actor),
        &actor.username,
        event,
        result,
        &actor.ip,
        &actor.request_id,
    )
    .await
}

/// Appends an event; `actor` is `None` for failed sign-ins of unknown accounts.
pub(crate) async fn append_raw(
    txn: &DatabaseTransaction,
    actor: Option<&Actor>,
    username: &str,
    event: &Event,
    result: &str,
    ip: &str,
    request_id: &str,
) -> Result<()> {
    append_at(
        txn,
        actor,
        username,
        event,
        result,
        (ip, request_id),
        Utc::now(),
    )
    .await
}

/// Appends an event recorded at `at` (now, but for the operator's seeding of history).
pub(crate) async fn append_at(
    txn: &DatabaseTransaction,
    actor: Option<&Actor>,
    username: &str,
    event: &Event,
    result: &str,
    (ip, request_id): (&str, &str),
    at: chrono::DateTime<Utc>,
) -> Result<()> {
    let backend = txn.get_database_backend();
    let lock = if backend == DbBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let head = txn
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}"),
        ))
        .await?
        .ok_or_else(|| crate::Error::internal(anyhow::anyhow!("audit_head row missing")))?;
    let seq: i64 = head.try_get("", "seq")?;
    let prev: String = head.try_get("", "hash")?;
    let mut row = audit_log::Model {
        id: crate::domain::ids::AuditId(0),
        // Second precision, as the audit standard asks, and stable across both databases.
        at: at.with_nanosecond(0).unwrap_or(at),
        user_id: actor.map(|a| a.user_id).filter(|u| u.0 != 0),
        username: username.chars().take(64).collect(),
        role: actor.map(|a| a.role.to_string()).unwrap_or_default(),
        org_id: actor.and_then(|a| a.org_id),
        action: event.action.into(),
        object_type: event.object_type.into(),
        object_id: event.object_id.clone(),
        result: result.into(),
        ip: ip.into(),
        request_id: request_id.into(),
        detail: event.detail.clone(),
        prev_hash: prev.clone(),
        hash: String::new(),
    };
    row.hash = row_hash(&prev, &row);
    let am = audit_log::ActiveModel {
        at: Set(row.at),
        user_id: Set(row.user_id),
        username: Set(row.username.clone()),
        role: Set(row.role.clone()),
        org_id: Set(row.org_id),
        action: Set(row.action.clone()),
        object_type: Set(row.object_type.clone()),
        object_id: Set(row.object_id.clone()),
        result: Set(row.result.clone()),
        ip: Set(row.ip.clone()),
        request_id: Set(row.request_id.clone()),
        detail: Set(row.detail.clone()),
        prev_hash: Set(row.prev_hash.clone()),
        hash: Set(row.hash.clone()),
        ..Default::default()
    };
    // Fail closed (T-LG-4): a change the audit trail cannot record does not happen; the
    // caller's transaction rolls back and the client is told to retry.
    let refused = |e: sea_orm::DbErr| {
        tracing::error!(error = %crate::error::Chain(&e), action = event.action, "audit write failed; the change is rolled back");
        crate::Error::Unavailable("audit")
    };
    audit_log::Entity::insert(am)
        .exec(txn)
        .await
        .map_err(refused)?;
    let upd = Query::update()
        .table(Alias::new("audit_head"))
        .value(Alias::new("seq"), seq + 1)
        .value(Alias::new("hash"), row.hash)
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .take();
    txn.execute(&upd).await.map_err(refused)?;
    // A committed change of a request with an idempotency key writes the key's row with it.
    if let Some(actor) = actor
        && result == "ok"
    {
        super::idempotency::record(txn, actor, event.object_type, &event.object_id).await?;
    }
    Ok(())
}

use chrono::Timelike;

/// Filters of the audit page.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// Part of a username.
    pub user: Option<String>,
    /// Exact action, e.g. `school.update`.
    pub action: Option<String>,
    /// `ok`, `failed`, `denied`, …
    pub result: Option<String>,
    /// On or after this day (China time, YYYY-MM-DD).
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub from: Option<chrono::NaiveDate>,
    /// On or before this day (China time, YYYY-MM-DD).
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub to: Option<chrono::NaiveDate>,
    /// The page, from 1; a page past the end is empty.
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub page: Option<u64>,
    /// Rows a page: 1 to 200 (default 50); out of range → 422.
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub per_page: Option<u64>,
    /// The audit page only: `full` re-verifies the whole chain from its first row (otherwise
    /// only the rows appended since the last verification are checked).
    #[param(ignore)]
    pub verify: Option<String>,
}

/// What a verification of the chain found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    /// The first row that does not verify (`None`: the chain is intact).
    pub broken_at: Option<i64>,
    /// How many rows this verification hashed.
    pub checked: u64,
    /// The id of the last row verified so far.
    pub verified_to: i64,
}

impl AuditLog<'_> {
    /// The audit log, newest first (audit admin). Each read is itself audited as `audit.read`
    /// with the filter and the page (T-LG-6: the audit admin's own actions are audited), after
    /// the page is read, so a page never shows its own reading.
    pub async fn list(&self, f: &AuditFilter) -> Result<views::Page<views::AuditEntry>> {
        self.permit()?;
        let mut q = audit_log::Entity::find();
        if let Some(u) = f.user.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(views::contains_text(audit_log::Column::Username, u));
        }
        if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(audit_log::Column::Action.eq(a));
        }
        if let Some(r) = f.result.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(audit_log::Column::Result.starts_with(r));
        }
        // A China day starts at 16:00 UTC the day before.
        let china_midnight = |d: chrono::NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc() - chrono::Duration::hours(8))
        };
        if let Some(t) = f.from.and_then(china_midnight) {
            q = q.filter(audit_log::Column::At.gte(t));
        }
        if let Some(t) = f.to.and_then(|d| d.succ_opt()).and_then(china_midnight) {
            q = q.filter(audit_log::Column::At.lt(t));
        }
        let paging = views::Paging::new(f.page, f.per_page, views::PAGE_SIZE)?;
        let total = q.clone().read_count(&self.read).await?;
        let page = paging.page;
        let rows = match paging.offset_within(total) {
            Some(offset) => {
                q.order_by_desc(audit_log::Column::Id)
                    .offset(offset)
                    .limit(paging.per_page)
                    .read_all(&self.read)
                    .await?
            }
            None => Vec::new(),
        };
        let mut tx = self
            .begin(Event::new(PlatformAudit::Read, "audit_log", ""))
            .await?;
        tx.event.detail = read_detail(f, page, paging.per_page, total);
        tx.commit().await?;
        Ok(views::Page {
            items: rows.into_iter().map(Into::into).collect(),
            total,
            page,
        })
    }

    /// Verifies the rows appended since the last verification (and that the last verified row
    /// is still as it was); a break found earlier, by this or a full verification, stays
    /// reported until a full verification passes. Cheap enough for every view of the log.
    pub async fn verify(&self) -> Result<Verification> {
        self.permit()?;
        verify_new(&self.conn).await
    }

    /// Re-verifies the whole chain from its first row (the audit admin's button; the command
    /// line's `admin verify-audit`), audited as `audit.verify`.
    pub async fn verify_full(&self) -> Result<Verification> {
        self.permit()?;
        let v = verify_full(&self.conn).await?;
        let mut tx = self
            .begin(Event::new(PlatformAudit::Verify, "audit_log", ""))
            .await?;
        tx.event.detail = match v.broken_at {
            Some(id) => format!("full broken_at={id} checked={}", v.checked),
            None => format!("full ok checked={} to={}", v.checked, v.verified_to),
        };
        tx.commit().await?;
        Ok(v)
    }
}

/// What an `audit.read` row says of the read: the filter as given, the page and its size, how
/// many entries matched. The user filter is a username fragment, never a secret; it is cut to
/// 64 characters and stripped of line breaks.
fn read_detail(f: &AuditFilter, page: u64, per_page: u64, total: u64) -> String {
    let clean = |s: &str| -> String { s.chars().filter(|c| !c.is_control()).take(64).collect() };
    let mut parts = vec![format!("page={page} per_page={per_page} total={total}")];
    for (k, v) in [
        ("user", f.user.as_deref()),
        ("action", f.action.as_deref()),
        ("result", f.result.as_deref()),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", clean(v)));
        }
    }
    if let Some(d) = f.from {
        parts.push(format!("from={d}"));
    }
    if let Some(d) = f.to {
        parts.push(format!("to={d}"));
    }
    parts.join(" ")
}

/// Rows hashed per query while verifying (memory stays flat on a long chain).
const VERIFY_CHUNK: u64 = 2000;

/// The stored verified prefix: (last id, its hash, a break found).
async fn checkpoint(conn: &impl ConnectionTrait) -> Result<(i64, String, Option<i64>)> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT last_id, last_hash, broken_id FROM audit_checkpoint WHERE id = 1",
        ))
        .await?;
    let (base_id, base_hash) = retention::base(conn).await?;
    Ok(match row {
        // A prefix that ends before the base was archived away: start from the base.
        Some(r) if r.try_get::<i64>("", "last_id")? >= base_id => (
            r.try_get("", "last_id")?,
            r.try_get("", "last_hash")?,
            r.try_get("", "broken_id")?,
        ),
        Some(r) => (base_id, base_hash, r.try_get("", "broken_id")?),
        None => (base_id, base_hash, None),
    })
}

/// Records a verification: moves the verified prefix forward (never back), or notes a break.
async fn record(
    conn: &impl ConnectionTrait,
    last: Option<(i64, &str)>,
    broken: Option<i64>,
) -> Result<()> {
    let t = Alias::new("audit_checkpoint");
    let mut q = Query::update();
    q.table(t)
        .value(Alias::new("broken_id"), broken)
        .value(Alias::new("verified_at"), Utc::now())
        .and_where(Expr::col(Alias::new("id")).eq(1));
    if let Some((id, hash)) = last {
        q.value(Alias::new("last_id"), id)
            .value(Alias::new("last_hash"), hash)
            .and_where(Expr::col(Alias::new("last_id")).lte(id));
    }
    conn.execute(&q).await?;
    Ok(())
}

/// Hashes the rows after `after` (ids in order), each chained to its predecessor starting from
/// `prev`. Returns the first bad row (if any), the last good row's id and hash, and the count.
pub(super) async fn verify_after(
    conn: &impl ConnectionTrait,
    after: i64,
    prev: String,
) -> Result<(Option<i64>, i64, String, u64)> {
    let (mut last, mut prev, mut checked) = (after, prev, 0u64);
    loop {
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(last))
            .order_by_asc(audit_log::Column::Id)
            .limit(VERIFY_CHUNK)
            .all(conn)
            .await?;
        let n = rows.len() as u64;
        for r in rows {
            checked += 1;
            if r.prev_hash != prev || row_hash(&prev, &r) != r.hash {
                return Ok((Some(r.id.0), last, prev, checked));
            }
            last = r.id.0;
            prev = r.hash;
        }
        if n < VERIFY_CHUNK {
            return Ok((None, last, prev, checked));
        }
    }
}

/// The incremental verification (see [`Scoped::audit_verify`]).
pub(crate) async fn verify_new(conn: &impl ConnectionTrait) -> Result<Verification> {
    let (last_id, last_hash, broken) = checkpoint(conn).await?;
    if let Some(b) = broken {
        return Ok(Verification {
            broken_at: Some(b),
            checked: 0,
            verified_to: last_id,
        });
    }
    // The base (the newest archived entry) is gone by design: its hash is in `audit_base`.
    if last_id > retention::base(conn).await?.0 {
        // The row the prefix ends at is still there, with the hash it was verified with.
        let still = audit_log::Entity::find_by_id(crate::domain::ids::AuditId(last_id))
            .one(conn)
            .await?
            .is_some_and(|r| r.hash == last_hash);
        if !still {
            record(conn, None, Some(last_id)).await?;
            return Ok(Verification {
                broken_at: Some(last_id),
                checked: 1,
                verified_to: last_id,
            });
        }
    }
    let (bad, to, hash, checked) = verify_after(conn, last_id, last_hash).await?;
    if bad.is_some() || to > last_id {
        record(conn, Some((to, &hash)), bad).await?;
    }
    Ok(Verification {
        broken_at: bad,
        checked,
        verified_to: to,
    })
}

/// The full verification from the first row; a pass clears an earlier break (e.g. after a
/// restore) and moves the verified prefix to the end.
pub(crate) async fn verify_full(conn: &impl ConnectionTrait) -> Result<Verification> {
    // From the newest archived entry (`genesis` until the first purge).
    let (base_id, base_hash) = retention::base(conn).await?;
    let (bad, to, hash, checked) = verify_after(conn, base_id, base_hash).await?;
    match bad {
        Some(b) => record(conn, None, Some(b)).await?,
        None => {
            // Unconditional: the full pass is the truth, even below an older prefix.
            let mut q = Query::update();
            q.table(Alias::new("audit_checkpoint"))
                .value(Alias::new("broken_id"), Option::<i64>::None)
                .value(Alias::new("last_id"), to)
                .value(Alias::new("last_hash"), hash)
                .value(Alias::new("verified_at"), Utc::now())
                .and_where(Expr::col(Alias::new("id")).eq(1));
            conn.execute(&q).await?;
        }
    }
    Ok(Verification {
        broken_at: bad,
        checked,
        verified_to: to,
    })
}

/// Recomputes the whole chain; returns the id of the first row whose hash does not match.
pub(crate) async fn verify_chain(conn: &impl ConnectionTrait) -> Result<Option<i64>> {
    Ok(verify_full(conn).await?.broken_at)
}
