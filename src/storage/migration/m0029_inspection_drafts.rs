//! The half-month self-inspection's answers saved as the school goes (one row per school,
//! half-month and risk point), so that a form lost on a phone keeps what was answered; the
//! submission of the half-month deletes them in its transaction.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InspectionDrafts {
    Table,
    Id,
    SchoolId,
    Period,
    RiskPointId,
    Result,
    Note,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RiskPoints {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(InspectionDrafts::Table)
                .col(big_pk_auto(InspectionDrafts::Id))
                .col(big_integer(InspectionDrafts::SchoolId))
                .col(string_len(InspectionDrafts::Period, 16))
                .col(big_integer(InspectionDrafts::RiskPointId))
                .col(string_len(InspectionDrafts::Result, 8))
                .col(text(InspectionDrafts::Note))
                .col(timestamp_with_time_zone(InspectionDrafts::UpdatedAt))
                .foreign_key(&mut fk(
                    InspectionDrafts::Table,
                    InspectionDrafts::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    InspectionDrafts::Table,
                    InspectionDrafts::RiskPointId,
                    RiskPoints::Table,
                    RiskPoints::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_inspection_drafts_item")
                .table(InspectionDrafts::Table)
                .col(InspectionDrafts::SchoolId)
                .col(InspectionDrafts::Period)
                .col(InspectionDrafts::RiskPointId)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_inspection_drafts_point")
                .table(InspectionDrafts::Table)
                .col(InspectionDrafts::RiskPointId)
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(InspectionDrafts::Table).take())
            .await
    }
}
