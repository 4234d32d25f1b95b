//! Emergency, part one: drills (应急演练) — planned and held, with the head-count, the signal
//! and completion times (China time of day, `HH:MM:SS`), the evaluation and the hazards its
//! problems opened.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Drills {
    Table,
    Id,
    SchoolId,
    Kind,
    Notice,
    Status,
    PlannedOn,
    HeldOn,
    Buildings,
    Floors,
    Classes,
    Expected,
    Assembled,
    Missing,
    SignalAt,
    CompletedAt,
    DurationSeconds,
    TargetSeconds,
    OwnTargetSeconds,
    Injuries,
    Problems,
    Rating,
    Evaluation,
    PlanNeedsRevision,
    HazardIds,
    CreatedBy,
    CreatedByName,
    CreatedAt,
    UpdatedBy,
    UpdatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Drills::Table)
                .col(big_pk_auto(Drills::Id))
                .col(big_integer(Drills::SchoolId))
                .col(string(Drills::Kind))
                .col(string(Drills::Notice))
                // planned | held | cancelled
                .col(string(Drills::Status))
                .col(date_null(Drills::PlannedOn))
                .col(date_null(Drills::HeldOn))
                // Buildings and floors taken part, as the school writes them.
                .col(text(Drills::Buildings).default(""))
                .col(big_integer_null(Drills::Floors))
                .col(big_integer_null(Drills::Classes))
                .col(big_integer_null(Drills::Expected))
                .col(big_integer_null(Drills::Assembled))
                .col(big_integer_null(Drills::Missing))
                // China time of day, HH:MM:SS.
                .col(string_null(Drills::SignalAt))
                .col(string_null(Drills::CompletedAt))
                .col(big_integer_null(Drills::DurationSeconds))
                .col(big_integer_null(Drills::TargetSeconds))
                .col(big_integer_null(Drills::OwnTargetSeconds))
                .col(big_integer(Drills::Injuries).default(0))
                .col(text(Drills::Problems).default(""))
                .col(string_null(Drills::Rating))
                .col(text(Drills::Evaluation).default(""))
                .col(boolean(Drills::PlanNeedsRevision).default(false))
                // The hazards its problems opened: a JSON array of ids.
                .col(text(Drills::HazardIds).default("[]"))
                .col(big_integer_null(Drills::CreatedBy))
                .col(string(Drills::CreatedByName).default(""))
                .col(timestamp_with_time_zone(Drills::CreatedAt))
                .col(big_integer_null(Drills::UpdatedBy))
                .col(timestamp_with_time_zone(Drills::UpdatedAt))
                .col(integer(Drills::Version).default(0))
                .foreign_key(&mut fk(
                    Drills::Table,
                    Drills::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_drills_school_held")
                .table(Drills::Table)
                .col(Drills::SchoolId)
                .col(Drills::HeldOn)
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_drills_held")
                .table(Drills::Table)
                .col(Drills::Status)
                .col(Drills::HeldOn)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Drills::Table).take())
            .await
    }
}
