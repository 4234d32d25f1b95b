//! Migrations: one source of truth for SQLite and PostgreSQL (sea-query emits each dialect).
//! **Invariant:** a migration that has landed is never edited; changes come as new migrations.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_risk;
mod m0003_hazard;
mod m0004_throttle;
mod m0005_integrity;
pub(crate) mod m0006_rollups;
mod m0007_devices;
mod m0008_warnings;
mod m0009_outbox;
mod m0010_drills;
mod m0011_duty;
mod m0012_read_indexes;
mod m0013_audit_append_only;
mod m0014_incidents;
mod m0015_emergency_plans;
mod m0016_spot_check_revisions;
pub(crate) mod m0017_work_plan;
pub(crate) mod m0018_responsibility;
mod m0019_buses;
pub(crate) mod m0020_governance_security;
mod m0021_home_indexes;
mod m0022_data_version;
mod m0024_password_history;
mod m0025_mfa;
pub(crate) mod m0026_audit_retention;
mod m0027_device_equipment;
pub(crate) mod m0028_risk_counts;
mod m0029_inspection_drafts;
mod m0030_device_event_partitions;
mod m0031_hazard_school_indexes;
mod m0032_field_key_check;
mod m0033_rider_leaving;
mod m0034_idempotency_keys;
mod m0035_pii_grants;
mod m0036_rider_consents;

pub struct Migrator;

/// A foreign key from one column to another (shared by the migrations; it emits the same SQL
/// on both databases).
fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(on_delete)
        .take()
}

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let each: Vec<Box<dyn MigrationTrait>> = vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_risk::Migration),
            Box::new(m0003_hazard::Migration),
            Box::new(m0004_throttle::Migration),
            Box::new(m0005_integrity::Migration),
            Box::new(m0006_rollups::Migration),
            Box::new(m0007_devices::Migration),
            Box::new(m0008_warnings::Migration),
            Box::new(m0009_outbox::Migration),
            Box::new(m0010_drills::Migration),
            Box::new(m0011_duty::Migration),
            Box::new(m0012_read_indexes::Migration),
            Box::new(m0013_audit_append_only::Migration),
            Box::new(m0014_incidents::Migration),
            Box::new(m0015_emergency_plans::Migration),
            Box::new(m0016_spot_check_revisions::Migration),
            Box::new(m0017_work_plan::Migration),
            Box::new(m0018_responsibility::Migration),
            Box::new(m0019_buses::Migration),
            Box::new(m0020_governance_security::Migration),
            Box::new(m0021_home_indexes::Migration),
            Box::new(m0022_data_version::Migration),
            Box::new(m0024_password_history::Migration),
            Box::new(m0025_mfa::Migration),
            Box::new(m0026_audit_retention::Migration),
            Box::new(m0027_device_equipment::Migration),
            Box::new(m0028_risk_counts::Migration),
            Box::new(m0029_inspection_drafts::Migration),
            Box::new(m0030_device_event_partitions::Migration),
            Box::new(m0031_hazard_school_indexes::Migration),
            Box::new(m0032_field_key_check::Migration),
            Box::new(m0033_rider_leaving::Migration),
            Box::new(m0034_idempotency_keys::Migration),
            Box::new(m0035_pii_grants::Migration),
            Box::new(m0036_rider_consents::Migration),
        ];
        each.into_iter()
            .map(|m| Box::new(Atomic(m)) as Box<dyn MigrationTrait>)
            .collect()
    }
}

/// A migration run in one transaction with the row that records it, on both databases
/// (SQLite runs DDL in transactions too; the library's default there is none): a migration
/// stopped half-way — killed, out of disk, failed — leaves the schema as it was before it,
/// and the next start runs it again (T-DU-7, `tests/migration_crash.rs`).
struct Atomic(Box<dyn MigrationTrait>);

impl MigrationName for Atomic {
    fn name(&self) -> &str {
        self.0.name()
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Atomic {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        self.0.up(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        self.0.down(m).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
