//! Emergency leftovers: the corrections of the bureau's phone spot checks. A spot check is
//! corrected in place; each correction first keeps the values it replaced, with why and by
//! whom, as a row of `duty_spot_check_revisions` (numbered per check, never changed).

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DutySpotChecks {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DutySpotCheckRevisions {
    Table,
    Id,
    SpotCheckId,
    Seq,
    CalledAt,
    Phone,
    Answered,
    CalledBackAt,
    Result,
    Note,
    Reason,
    AmendedBy,
    AmendedByName,
    AmendedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DutySpotCheckRevisions::Table)
                .col(big_pk_auto(DutySpotCheckRevisions::Id))
                .col(big_integer(DutySpotCheckRevisions::SpotCheckId))
                .col(integer(DutySpotCheckRevisions::Seq))
                // The values before the correction.
                .col(timestamp_with_time_zone(DutySpotCheckRevisions::CalledAt))
                .col(string(DutySpotCheckRevisions::Phone).default(""))
                .col(boolean(DutySpotCheckRevisions::Answered))
                .col(timestamp_with_time_zone_null(
                    DutySpotCheckRevisions::CalledBackAt,
                ))
                .col(string(DutySpotCheckRevisions::Result))
                .col(text(DutySpotCheckRevisions::Note).default(""))
                // Why it was corrected, by whom, when.
                .col(text(DutySpotCheckRevisions::Reason).default(""))
                .col(big_integer_null(DutySpotCheckRevisions::AmendedBy))
                .col(string(DutySpotCheckRevisions::AmendedByName).default(""))
                .col(timestamp_with_time_zone(DutySpotCheckRevisions::AmendedAt))
                .foreign_key(&mut fk(
                    DutySpotCheckRevisions::Table,
                    DutySpotCheckRevisions::SpotCheckId,
                    DutySpotChecks::Table,
                    DutySpotChecks::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_duty_spot_check_revisions_seq")
                .table(DutySpotCheckRevisions::Table)
                .col(DutySpotCheckRevisions::SpotCheckId)
                .col(DutySpotCheckRevisions::Seq)
                .unique()
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DutySpotCheckRevisions::Table).take())
            .await
    }
}
