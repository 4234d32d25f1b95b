//! Field encryption at rest (T-PR-2, `storage::sealed`): one row that tells, at start, whether
//! the configured field key is the one the database's values were sealed with — the key's id
//! and a constant sealed with it (`key_id` empty until the first start seals anything) — and
//! the gate of a re-sealing.
//!
//! A sent incident report stays immutable (m0014), with one exception: while the gate is open
//! (`resealing = 1`, set and cleared inside the transaction that seals at start or rotates the
//! key), an update may change `persons` alone, and only into a sealed value. Every other
//! update or delete is refused as before.

use super::m0014_incidents::REFUSED;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every column of `incident_reports` but `persons` (SQLite compares them one by one).
const KEPT: &[&str] = &[
    "id",
    "incident_id",
    "seq",
    "kind",
    "level",
    "deaths",
    "injured",
    "missing",
    "summary",
    "measures",
    "persons_named",
    "reporter",
    "phone",
    "due_at",
    "late_minutes",
    "sent_at",
    "sent_by",
    "sent_by_name",
];

const GATE_OPEN: &str = "(SELECT resealing FROM field_key_check WHERE id = 1) = 1";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE TABLE field_key_check (id INTEGER PRIMARY KEY, key_id TEXT NOT NULL, \
             check_value TEXT NOT NULL, resealing INTEGER NOT NULL DEFAULT 0)",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO field_key_check (id, key_id, check_value, resealing) \
             VALUES (1, '', '', 0)",
        )
        .await?;
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE OR REPLACE FUNCTION incident_reports_immutable() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     IF TG_OP = 'UPDATE' AND {GATE_OPEN} \
                        AND (to_jsonb(NEW) - 'persons') = (to_jsonb(OLD) - 'persons') \
                        AND NEW.persons LIKE 'sc1:%' THEN RETURN NEW; END IF; \
                     RAISE EXCEPTION '{REFUSED}'; END $$"
                ))
                .await?;
            }
            _ => {
                let same: Vec<String> =
                    KEPT.iter().map(|c| format!("NEW.{c} IS OLD.{c}")).collect();
                // One call, so both statements run on one connection.
                db.execute_unprepared(&format!(
                    "DROP TRIGGER incident_reports_no_update; \
                     CREATE TRIGGER incident_reports_no_update BEFORE UPDATE ON incident_reports \
                     WHEN NOT ({GATE_OPEN} AND {} AND NEW.persons LIKE 'sc1:%') \
                     BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END",
                    same.join(" AND ")
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE OR REPLACE FUNCTION incident_reports_immutable() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REFUSED}'; END $$"
                ))
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER incident_reports_no_update; \
                     CREATE TRIGGER incident_reports_no_update BEFORE UPDATE ON incident_reports \
                     BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
                ))
                .await?;
            }
        }
        db.execute_unprepared("DROP TABLE field_key_check").await?;
        Ok(())
    }
}
