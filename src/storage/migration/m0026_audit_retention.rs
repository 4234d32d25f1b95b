//! The audit log's retention (T-LG-5; 网络安全法 Art. 21(3): at least six months). Entries
//! older than the retention may be archived to a file and removed — by the audit
//! administrator or the daily job, never anything else — and the chain then starts from the
//! newest removed entry (`audit_base`). The database keeps the floor itself: the append-only
//! trigger lets a row go only when it is older than 184 days and the purge has opened its gate
//! (the `audit_purge_gate` row, opened and closed again inside the purge's transaction, so no
//! other transaction ever sees it open). Every other UPDATE, DELETE or TRUNCATE is refused as
//! before.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The legal floor of the retention, in days (the configuration may only be longer).
pub const FLOOR_DAYS: i64 = 184;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let refused = super::m0013_audit_append_only::REFUSED;
        let pg = db.get_database_backend() == DbBackend::Postgres;
        let (big, ts) = if pg {
            ("BIGINT", "TIMESTAMPTZ")
        } else {
            ("INTEGER", "TEXT")
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE audit_base (id INTEGER PRIMARY KEY, base_id {big} NOT NULL, \
             base_hash TEXT NOT NULL, purged {big} NOT NULL DEFAULT 0, purged_at {ts} NULL)"
        ))
        .await?;
        db.execute_unprepared(
            "INSERT INTO audit_base (id, base_id, base_hash, purged) VALUES (1, 0, 'genesis', 0)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TABLE audit_purge_gate (id INTEGER PRIMARY KEY, open INTEGER NOT NULL)",
        )
        .await?;
        db.execute_unprepared("INSERT INTO audit_purge_gate (id, open) VALUES (1, 0)")
            .await?;
        if pg {
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN \
                 IF TG_OP = 'DELETE' \
                    AND (SELECT open FROM audit_purge_gate WHERE id = 1) = 1 \
                    AND OLD.at < now() - interval '{FLOOR_DAYS} days' THEN RETURN OLD; END IF; \
                 RAISE EXCEPTION '{refused}'; END $$"
            ))
            .await?;
        } else {
            // One call, so both statements run on one connection (a pooled connection of
            // its own could still see the old trigger).
            db.execute_unprepared(&format!(
                "DROP TRIGGER audit_log_no_delete; \
                 CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
                 WHEN NOT (julianday(OLD.at) < julianday('now', '-{FLOOR_DAYS} days') \
                   AND (SELECT open FROM audit_purge_gate WHERE id = 1) = 1) \
                 BEGIN SELECT RAISE(ABORT, '{refused}'); END"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let refused = super::m0013_audit_append_only::REFUSED;
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{refused}'; END $$"
            ))
            .await?;
        } else {
            db.execute_unprepared(&format!(
                "DROP TRIGGER audit_log_no_delete; \
                 CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
                 BEGIN SELECT RAISE(ABORT, '{refused}'); END"
            ))
            .await?;
        }
        db.execute_unprepared("DROP TABLE audit_purge_gate").await?;
        db.execute_unprepared("DROP TABLE audit_base").await?;
        Ok(())
    }
}
