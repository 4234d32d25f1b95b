//! Indexes for the home pages' weekly chart (hazards opened and closed per week): the last
//! weeks' hazards are found by the day they were reported or closed, a range of each index,
//! instead of every hazard of the schools in scope.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Hazards {
    Table,
    ReportedAt,
    ClosedAt,
}

const REPORTED: &str = "idx_hazards_reported_at";
const CLOSED: &str = "idx_hazards_closed_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(REPORTED)
                .table(Hazards::Table)
                .col(Hazards::ReportedAt)
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(CLOSED)
                .table(Hazards::Table)
                .col(Hazards::ClosedAt)
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [CLOSED, REPORTED] {
            m.drop_index(Index::drop().name(name).table(Hazards::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
