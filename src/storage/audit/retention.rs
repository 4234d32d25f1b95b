//! The audit log's retention (T-LG-5): entries older than the retention (at least 184 days,
//! the legal floor, which the database also enforces: migration `m0026_audit_retention`) are
//! written to an archive file — JSON lines with every field and both hashes, so the archived
//! stretch can still be verified — and then removed in one transaction that moves the chain's
//! base (`audit_base`) to the newest removed entry and audits the purge. Only the audit
//! administrator (`POST /api/v1/audit/purge`) and the daily job (`[audit] retention_days`)
//! purge; the chain is verified first, and a broken chain is never purged.

use super::{Event, PlatformAudit, append};
use crate::config::AuditConfig;
use crate::error::{Error, Result};
use crate::storage::entity::audit_log;
use crate::storage::migration::m0026_audit_retention::FLOOR_DAYS;
use crate::storage::read::ReadAll as _;
use crate::storage::{Actor, AuditLog, begin_write};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Alias, ExprTrait as _, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryOrder, QuerySelect, Statement};
use serde::Serialize;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The daily purge job.
pub const JOB: &str = "audit-purge";

/// What a purge did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Purged {
    /// Entries archived and removed.
    pub purged: u64,
    /// The newest removed entry: the chain now starts after it.
    pub base_id: i64,
    /// The archive file (absent when nothing was old enough).
    pub archive: Option<String>,
}

/// The chain's base: the newest archived entry and its hash (`0`, `genesis` before any purge).
pub(crate) async fn base(conn: &impl ConnectionTrait) -> Result<(i64, String)> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT base_id, base_hash FROM audit_base WHERE id = 1",
        ))
        .await?;
    Ok(match row {
        Some(r) => (r.try_get("", "base_id")?, r.try_get("", "base_hash")?),
        None => (0, "genesis".into()),
    })
}

/// How many entries purges have archived and removed so far.
pub(crate) async fn archived(conn: &impl ConnectionTrait) -> Result<i64> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT purged FROM audit_base WHERE id = 1",
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get("", "purged")?,
        None => 0,
    })
}

/// The China day from which entries are kept: `before` itself, refused if it would remove an
/// entry younger than the floor.
fn cutoff(before: NaiveDate, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let start = before
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc() - Duration::hours(8))
        .ok_or_else(|| Error::field("before", "err.audit.retention_floor"))?;
    if start > now - Duration::days(FLOOR_DAYS) {
        return Err(Error::field("before", "err.audit.retention_floor"));
    }
    Ok(start)
}

#[derive(Serialize)]
struct Line<'a> {
    id: i64,
    at: String,
    user_id: Option<i64>,
    username: &'a str,
    role: &'a str,
    org_id: Option<i64>,
    action: &'a str,
    object_type: &'a str,
    object_id: &'a str,
    result: &'a str,
    ip: &'a str,
    request_id: &'a str,
    detail: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
}

/// Archives and removes the entries before `start`, inside `txn`; the caller audits and
/// commits. Answers what was done and the audit detail.
async fn purge_in(
    txn: &DatabaseTransaction,
    dir: Option<&Path>,
    start: DateTime<Utc>,
) -> Result<(Purged, String)> {
    let (base_id, base_hash) = base(txn).await?;
    // Never purge what does not verify: the archive must be evidence.
    let (bad, _, _, _) = super::verify_after(txn, base_id, base_hash).await?;
    if let Some(b) = bad {
        return Err(Error::Conflict(format!("err.audit.chain_broken|{b}")));
    }
    // The entries to go: a prefix of the chain (ids after the base, up to the first entry at
    // or after the cutoff).
    let first_kept = audit_log::Entity::find()
        .filter(audit_log::Column::Id.gt(base_id))
        .filter(audit_log::Column::At.gte(start))
        .order_by_asc(audit_log::Column::Id)
        .limit(1)
        .one(txn)
        .await?
        .map(|r| r.id.0);
    let mut q = audit_log::Entity::find().filter(audit_log::Column::Id.gt(base_id));
    if let Some(k) = first_kept {
        q = q.filter(audit_log::Column::Id.lt(k));
    }
    let doomed = q.order_by_asc(audit_log::Column::Id).all(txn).await?;
    let Some(last) = doomed.last() else {
        return Ok((
            Purged {
                purged: 0,
                base_id,
                archive: None,
            },
            "purged=0".into(),
        ));
    };
    let (to, to_hash) = (last.id.0, last.hash.clone());
    let from = doomed[0].id.0;
    let dir = dir.ok_or_else(|| Error::validation("err.audit.no_archive_dir"))?;
    let path = write_archive(dir, from, to, &doomed)
        .map_err(|e| Error::internal(anyhow::anyhow!("audit archive in {}: {e}", dir.display())))?;
    // Open the gate the append-only trigger asks for; closed again before the commit, so no
    // other transaction ever sees it open.
    txn.execute_unprepared("UPDATE audit_purge_gate SET open = 1 WHERE id = 1")
        .await?;
    let n = audit_log::Entity::delete_many()
        .filter(audit_log::Column::Id.gt(base_id))
        .filter(audit_log::Column::Id.lte(to))
        .exec(txn)
        .await?
        .rows_affected;
    txn.execute_unprepared("UPDATE audit_purge_gate SET open = 0 WHERE id = 1")
        .await?;
    if n != doomed.len() as u64 {
        return Err(Error::internal(anyhow::anyhow!(
            "audit purge removed {n} of {} entries",
            doomed.len()
        )));
    }
    let upd = Query::update()
        .table(Alias::new("audit_base"))
        .value(Alias::new("base_id"), to)
        .value(Alias::new("base_hash"), to_hash)
        .value(Alias::new("purged_at"), Utc::now())
        .value(
            Alias::new("purged"),
            Expr::col(Alias::new("purged")).add(n as i64),
        )
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .take();
    txn.execute(&upd).await?;
    let file = path.display().to_string();
    let detail = format!(
        "purged={n} from={from} to={to} file={}",
        path.file_name().and_then(|f| f.to_str()).unwrap_or("")
    );
    Ok((
        Purged {
            purged: n,
            base_id: to,
            archive: Some(file),
        },
        detail,
    ))
}

/// Writes the entries as JSON lines, durably (temporary file, flushed, renamed).
fn write_archive(
    dir: &Path,
    from: i64,
    to: i64,
    rows: &[audit_log::Model],
) -> std::io::Result<PathBuf> {
    super::write_durably(dir, &format!("audit-archive-{from}-{to}.jsonl"), |f| {
        for r in rows {
            let line = Line {
                id: r.id.0,
                at: r.at.to_rfc3339(),
                user_id: r.user_id.map(|u| u.0),
                username: &r.username,
                role: &r.role,
                org_id: r.org_id.map(|o| o.0),
                action: &r.action,
                object_type: &r.object_type,
                object_id: &r.object_id,
                result: &r.result,
                ip: &r.ip,
                request_id: &r.request_id,
                detail: &r.detail,
                prev_hash: &r.prev_hash,
                hash: &r.hash,
            };
            serde_json::to_writer(&mut *f, &line).map_err(std::io::Error::other)?;
            f.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// What a purge would archive and remove now (the confirmation step of the audit page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgePreview {
    /// Entries that would be archived and removed.
    pub count: u64,
    /// The first and last of them (ids), when there are any.
    pub first_id: Option<i64>,
    pub last_id: Option<i64>,
    /// The time of the newest of them.
    pub last_at: Option<DateTime<Utc>>,
}

impl AuditLog<'_> {
    /// Counts what [`AuditLog::purge`] would archive and remove for `before`, without writing:
    /// the prefix of the chain up to the first entry at or after the cutoff. The floor is
    /// checked as the purge checks it (422 on `before`).
    pub async fn purge_preview(&self, before: NaiveDate) -> Result<PurgePreview> {
        self.permit()?;
        let start = cutoff(before, Utc::now())?;
        let first_kept = audit_log::Entity::find()
            .filter(audit_log::Column::At.gte(start))
            .order_by_asc(audit_log::Column::Id)
            .read_one(&self.read)
            .await?
            .map(|r| r.id.0);
        let doomed = || {
            let q = audit_log::Entity::find();
            match first_kept {
                Some(k) => q.filter(audit_log::Column::Id.lt(k)),
                None => q,
            }
        };
        let count = doomed().read_count(&self.read).await?;
        if count == 0 {
            return Ok(PurgePreview::default());
        }
        let first = doomed()
            .order_by_asc(audit_log::Column::Id)
            .read_one(&self.read)
            .await?;
        let last = doomed()
            .order_by_desc(audit_log::Column::Id)
            .read_one(&self.read)
            .await?;
        Ok(PurgePreview {
            count,
            first_id: first.map(|r| r.id.0),
            last_id: last.as_ref().map(|r| r.id.0),
            last_at: last.map(|r| r.at),
        })
    }

    /// Archives and removes the entries from before `before` (a China date at least 184 days
    /// ago); the audit administrator's.
    pub async fn purge(&self, cfg: &AuditConfig, before: NaiveDate) -> Result<Purged> {
        let start = cutoff(before, Utc::now());
        let mut tx = self
            .begin(Event::new(PlatformAudit::Purge, "audit_log", ""))
            .await?;
        let start = start?;
        let (done, detail) = purge_in(&tx.txn, cfg.archive_dir.as_deref(), start).await?;
        tx.event.detail = detail;
        tx.commit().await?;
        Ok(done)
    }
}

/// The daily job: purges what is older than `[audit] retention_days` (never under the floor).
pub(crate) async fn run_job(
    conn: &DatabaseConnection,
    cfg: &AuditConfig,
) -> Result<serde_json::Value> {
    if cfg.retention_days == 0 {
        return Ok(serde_json::json!({ "skipped": "no retention_days" }));
    }
    let days = std::cmp::max(i64::from(cfg.retention_days), FLOOR_DAYS);
    let before = crate::clock::today() - Duration::days(days);
    let start = cutoff(before, Utc::now())?;
    let txn = begin_write(conn).await?;
    let (done, detail) = purge_in(&txn, cfg.archive_dir.as_deref(), start).await?;
    if done.purged > 0 {
        append(
            &txn,
            &Actor::system(),
            &Event::new(PlatformAudit::Purge, "audit_log", "").detail(detail),
            "ok",
        )
        .await?;
    }
    txn.commit().await?;
    Ok(serde_json::to_value(&done).unwrap_or_default())
}
