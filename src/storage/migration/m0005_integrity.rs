//! Integrity: at most one inspection per cross-inspection assignment (a unique index, so two
//! submissions at once cannot both pass on PostgreSQL), and the audit chain's verified prefix
//! (`audit_checkpoint`: the last row checked and its hash), so viewing the audit log verifies
//! only the rows appended since.
//!
//! A database holding two inspections of one assignment (written before this index) fails
//! this migration; remove the later one by hand, then migrate again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Inspections {
    Table,
    CrossAssignmentId,
}

#[derive(DeriveIden)]
enum AuditCheckpoint {
    Table,
    Id,
    /// The id of the last row verified (0: none yet).
    LastId,
    /// Its hash (`genesis` before the first row).
    LastHash,
    /// The first row found not to verify, once one was found (kept until a full verification
    /// passes).
    BrokenId,
    VerifiedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("uniq_inspections_cross_assignment")
                .table(Inspections::Table)
                .col(Inspections::CrossAssignmentId)
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditCheckpoint::Table)
                .col(integer(AuditCheckpoint::Id).primary_key())
                .col(big_integer(AuditCheckpoint::LastId))
                .col(string(AuditCheckpoint::LastHash))
                .col(big_integer_null(AuditCheckpoint::BrokenId))
                .col(timestamp_with_time_zone_null(AuditCheckpoint::VerifiedAt))
                .take(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(AuditCheckpoint::Table)
                .columns([
                    AuditCheckpoint::Id,
                    AuditCheckpoint::LastId,
                    AuditCheckpoint::LastHash,
                ])
                .values_panic([1.into(), 0i64.into(), "genesis".into()])
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the integrity migration cannot be reverted; restore a backup instead".into(),
        ))
    }
}
