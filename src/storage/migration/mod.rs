//! Migrations: one source of truth for SQLite and PostgreSQL (sea-query emits each dialect).
//! **Invariant:** a migration that has landed is never edited; changes come as new migrations.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_risk;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_risk::Migration),
        ]
    }
}
