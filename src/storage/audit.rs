//! The audit log: append-only, hash-chained (each row's hash covers the previous row's hash),
//! written in the same transaction as the change it records.
//!
//! **Invariant:** nothing in the code base updates or deletes an `audit_log` row. The chain head
//! lives in `audit_head`, whose row is locked for the append on PostgreSQL (SQLite write
//! transactions are already serialised), so concurrent appends cannot fork the chain.

use super::entity::audit_log;
use super::{Actor, Scoped, views};
use crate::error::Result;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DbBackend, QueryOrder, QuerySelect,
    Statement,
};
use sha2::{Digest, Sha256};

/// Every action the audit log records; each has a label `audit_action.<name with _>`.
pub const ACTIONS: &[&str] = &[
    "auth.login",
    "auth.logout",
    "access.denied",
    "demo.seed",
    "org.create",
    "school.create",
    "school.update",
    "school.import",
    "person.create",
    "person.update",
    "person.remove",
    "person.import",
    "zone.create",
    "zone.update",
    "zone.import",
    "user.create",
    "user.disable",
    "user.enable",
    "user.unlock",
    "user.reset_password",
    "user.grant",
    "user.password_change",
    "catalog.update",
    "catalog.import",
    "risk.instantiate",
    "risk.create",
    "risk.update",
    "risk.assess",
    "file.upload",
    "hazard.report",
    "hazard.step",
    "hazard.escalate",
    "inspection.submit",
    "campaign.create",
    "cross.assign",
];

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
    pub fn new(action: &'static str, object_type: &'static str, object_id: impl ToString) -> Self {
        Event {
            action,
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
        at: Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now),
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
    audit_log::Entity::insert(am).exec(txn).await?;
    let upd = Query::update()
        .table(Alias::new("audit_head"))
        .value(Alias::new("seq"), seq + 1)
        .value(Alias::new("hash"), row.hash)
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .take();
    txn.execute(&upd).await?;
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
    pub page: Option<u64>,
}

impl Scoped {
    /// The audit log, newest first (audit admin).
    pub async fn audit_list(&self, f: &AuditFilter) -> Result<views::Page<views::AuditEntry>> {
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
        let total = q.clone().count(&self.conn).await?;
        let page = std::cmp::max(f.page.unwrap_or(1), 1);
        let rows = q
            .order_by_desc(audit_log::Column::Id)
            .offset((page - 1) * views::PAGE_SIZE)
            .limit(views::PAGE_SIZE)
            .all(&self.conn)
            .await?;
        Ok(views::Page {
            items: rows.into_iter().map(Into::into).collect(),
            total,
            page,
        })
    }

    /// Recomputes the chain; returns the id of the first row whose hash does not match.
    pub async fn audit_verify(&self) -> Result<Option<i64>> {
        self.permit()?;
        verify_chain(&self.conn).await
    }
}

pub(crate) async fn verify_chain(conn: &impl ConnectionTrait) -> Result<Option<i64>> {
    let rows = audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(conn)
        .await?;
    let mut prev = "genesis".to_string();
    for r in rows {
        if r.prev_hash != prev || row_hash(&prev, &r) != r.hash {
            return Ok(Some(r.id.0));
        }
        prev = r.hash;
    }
    Ok(None)
}
