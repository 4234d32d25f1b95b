//! External anchors of the audit chain (T-LG-3).
//!
//! The hash chain shows an edit, a deleted row, a swap or a row forged into the middle: the
//! next row's link breaks. What it cannot show alone is a log cut short at its tail, or a
//! chain rewritten from some row on by someone who also recomputed every later hash. An
//! anchor — the newest row's id and hash and the head's count, taken daily by the
//! `audit-anchor` job and on demand by `safecampus admin anchor-audit` — is written outside
//! the database (a directory, `[audit] anchor_dir`, and, when configured, a remote endpoint,
//! `[audit] anchor_url`): a verification against the anchors finds the rows they vouch for
//! missing or different.

use crate::error::{Error, Result};
use crate::storage::entity::audit_log;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{
    ConnectionTrait, DbBackend, QueryOrder, QuerySelect, Statement, TransactionTrait as _,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The daily job that writes an anchor.
pub const JOB: &str = "audit-anchor";

/// What an anchor vouches for: the log as it stood at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// When it was taken.
    pub at: DateTime<Utc>,
    /// The newest row's id then (0: an empty log).
    pub last_id: i64,
    /// That row's hash (`genesis` for an empty log).
    pub hash: String,
    /// How many rows the log held (the head's count).
    pub count: i64,
}

/// Why a verification failed, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A row's link or hash does not verify: edited, deleted before it, swapped, forged.
    Chain { first_bad: i64 },
    /// The chain's newest row is not the head the database recorded: rows cut from or
    /// appended to the tail past the head.
    Head {
        first_bad: i64,
        head_count: i64,
        rows: i64,
    },
    /// Rows an anchor vouched for are gone: the log was cut short (`first_bad` is the first
    /// missing id).
    Truncated { first_bad: i64, anchor_last_id: i64 },
    /// The row an anchor vouched for (`anchored`) has another hash or is gone from a chain
    /// that verifies: the chain was rewritten after `after` (the newest anchored row that
    /// still agrees), at or before `anchored`.
    Rewritten { after: i64, anchored: i64 },
}

impl Finding {
    /// The first sequence number (row id) the finding names.
    pub fn first_bad(&self) -> i64 {
        match *self {
            Finding::Chain { first_bad }
            | Finding::Head { first_bad, .. }
            | Finding::Truncated { first_bad, .. } => first_bad,
            Finding::Rewritten { after, .. } => after + 1,
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Chain { first_bad } => write!(
                f,
                "audit chain broken at entry {first_bad} (edited, removed before it, swapped or forged)"
            ),
            Finding::Head {
                first_bad,
                head_count,
                rows,
            } => write!(
                f,
                "audit head disagrees with the log from entry {first_bad}: the head counts {head_count} entries, the log holds {rows}"
            ),
            Finding::Truncated {
                first_bad,
                anchor_last_id,
            } => write!(
                f,
                "audit log cut short: entries from {first_bad} are missing (an anchor vouches for entries up to {anchor_last_id})"
            ),
            Finding::Rewritten { after, anchored } => write!(
                f,
                "audit chain rewritten after entry {after}: entry {anchored} differs from its anchor"
            ),
        }
    }
}

/// What a verification against anchors found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Rows hashed.
    pub checked: u64,
    /// Anchors compared.
    pub anchors: usize,
    /// `None`: the log verifies and agrees with every anchor.
    pub finding: Option<Finding>,
}

/// Reads the log's newest row and the head's count in one snapshot.
pub(crate) async fn take(conn: &DatabaseConnection) -> Result<Anchor> {
    let txn = conn.begin().await?;
    let backend = txn.get_database_backend();
    // On PostgreSQL a share lock waits for an append in flight (appends lock the head for
    // update), so the newest row and the count are one state; SQLite reads a snapshot.
    let lock = if backend == DbBackend::Postgres {
        " FOR SHARE"
    } else {
        ""
    };
    let head = txn
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}"),
        ))
        .await?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("audit_head row missing")))?;
    let count: i64 = head.try_get("", "seq")?;
    let head_hash: String = head.try_get("", "hash")?;
    let newest = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .one(&txn)
        .await?;
    txn.commit().await?;
    let (last_id, hash) = newest.map_or((0, "genesis".to_string()), |r| (r.id.0, r.hash));
    if hash != head_hash {
        return Err(Error::internal(anyhow::anyhow!(
            "the audit head does not name the newest entry ({last_id}): verify the log first"
        )));
    }
    Ok(Anchor {
        at: Utc::now(),
        last_id,
        hash,
        count,
    })
}

/// The file name of an anchor: sorts by time, names the row.
fn file_name(a: &Anchor) -> String {
    format!(
        "audit-anchor-{}-{}.json",
        a.at.format("%Y%m%dT%H%M%SZ"),
        a.last_id
    )
}

/// Writes an anchor into `dir` (created if missing) durably: a temporary file, flushed to the
/// disk, renamed into place. Answers the file's path.
pub fn write(dir: &Path, a: &Anchor) -> std::io::Result<PathBuf> {
    use std::io::Write as _;
    super::write_durably(dir, &file_name(a), |w| {
        serde_json::to_writer_pretty(&mut *w, a).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
}

/// Reads every anchor file of `dir` (`audit-anchor-*.json`), oldest first. A file that does
/// not parse is an error naming it: an anchor is evidence, not a hint.
pub fn read_dir(dir: &Path) -> std::result::Result<Vec<Anchor>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !(name.starts_with("audit-anchor-") && name.ends_with(".json")) {
            continue;
        }
        let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let a: Anchor = serde_json::from_slice(&text)
            .map_err(|e| format!("{}: not an anchor: {e}", path.display()))?;
        out.push(a);
    }
    out.sort_by_key(|a| (a.last_id, a.at));
    Ok(out)
}

/// Verifies the whole chain, then the head, then every anchor.
pub(crate) async fn verify(conn: &DatabaseConnection, anchors: &[Anchor]) -> Result<Report> {
    let v = super::verify_full(conn).await?;
    let mut report = Report {
        checked: v.checked,
        anchors: anchors.len(),
        finding: v.broken_at.map(|first_bad| Finding::Chain { first_bad }),
    };
    if report.finding.is_some() {
        return Ok(report);
    }
    // The chain verifies up to `v.verified_to`: its newest row.
    let head = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT seq, hash FROM audit_head WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("audit_head row missing")))?;
    let head_count: i64 = head.try_get("", "seq")?;
    let head_hash: String = head.try_get("", "hash")?;
    // Rows archived by a purge are counted by the head but no longer in the table.
    let (base_id, base_hash) = super::retention::base(conn).await?;
    let archived = super::retention::archived(conn).await?;
    let rows = i64::try_from(v.checked).unwrap_or(i64::MAX) + archived;
    let newest_hash = if v.verified_to == base_id {
        base_hash.clone()
    } else {
        audit_log::Entity::find_by_id(crate::domain::ids::AuditId(v.verified_to))
            .one(conn)
            .await?
            .map(|r| r.hash)
            .unwrap_or_default()
    };
    if head_count != rows || head_hash != newest_hash {
        // Rows cut from the tail: the first id after the newest one left; rows forged onto
        // the tail past the head: the first row past the count the head vouches for.
        let first_bad = if rows > head_count {
            nth_id(conn, head_count - archived)
                .await?
                .unwrap_or(v.verified_to + 1)
        } else {
            v.verified_to + 1
        };
        report.finding = Some(Finding::Head {
            first_bad,
            head_count,
            rows,
        });
        return Ok(report);
    }
    let mut agreed = 0i64;
    for a in anchors {
        // An anchor of archived entries: only the base itself can still be compared.
        if a.last_id < base_id || a.last_id == 0 {
            continue;
        }
        if a.last_id == base_id {
            if a.hash != base_hash {
                report.finding = Some(Finding::Rewritten {
                    after: agreed,
                    anchored: a.last_id,
                });
                return Ok(report);
            }
            agreed = agreed.max(a.last_id);
            continue;
        }
        let row = audit_log::Entity::find_by_id(crate::domain::ids::AuditId(a.last_id))
            .one(conn)
            .await?;
        match row {
            None if a.last_id > v.verified_to => {
                report.finding = Some(Finding::Truncated {
                    first_bad: v.verified_to + 1,
                    anchor_last_id: a.last_id,
                });
                return Ok(report);
            }
            // A row missing inside a verifying chain: the ids were renumbered.
            None => {
                report.finding = Some(Finding::Rewritten {
                    after: agreed,
                    anchored: a.last_id,
                });
                return Ok(report);
            }
            Some(r) if r.hash != a.hash => {
                report.finding = Some(Finding::Rewritten {
                    after: agreed,
                    anchored: a.last_id,
                });
                return Ok(report);
            }
            Some(_) => agreed = agreed.max(a.last_id),
        }
    }
    Ok(report)
}

/// The id of the row after the first `n` rows (ids ascending), if there is one.
async fn nth_id(conn: &DatabaseConnection, n: i64) -> Result<Option<i64>> {
    let offset = u64::try_from(n.max(0)).unwrap_or(0);
    Ok(audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .offset(offset)
        .limit(1)
        .one(conn)
        .await?
        .map(|r| r.id.0))
}

/// Posts an anchor as JSON to the remote endpoint; the answer's body is ignored.
pub(crate) async fn post(url: &str, a: &Anchor) -> std::result::Result<(), String> {
    let body = serde_json::to_vec(a).map_err(|e| e.to_string())?;
    crate::storage::outbox::send::post(url, body, std::time::Duration::from_secs(10))
        .await
        .map(|_| ())
}

/// The daily job: takes an anchor, writes it to `[audit] anchor_dir` and posts it to
/// `[audit] anchor_url` (each when configured). A failure is the job's: retried later.
pub(crate) async fn run_job(
    conn: &DatabaseConnection,
    cfg: &crate::config::AuditConfig,
) -> Result<serde_json::Value> {
    if cfg.anchor_dir.is_none() && cfg.anchor_url.is_none() {
        return Ok(serde_json::json!({ "skipped": "no anchor_dir or anchor_url" }));
    }
    let a = take(conn).await?;
    let mut out = serde_json::json!({ "last_id": a.last_id, "count": a.count });
    if let Some(dir) = &cfg.anchor_dir {
        let path = write(dir, &a).map_err(|e| {
            Error::internal(anyhow::anyhow!(
                "writing an audit anchor to {}: {e}",
                dir.display()
            ))
        })?;
        out["file"] = path.display().to_string().into();
    }
    if let Some(url) = &cfg.anchor_url {
        post(url, &a)
            .await
            .map_err(|e| Error::internal(anyhow::anyhow!("posting the audit anchor: {e}")))?;
        out["posted"] = true.into();
    }
    Ok(out)
}
