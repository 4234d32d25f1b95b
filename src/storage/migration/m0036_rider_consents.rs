//! The legal basis of a bus rider's data and the guardian's consents per purpose (T-PR-5,
//! `domain::consent`): `bus_riders.under_14` (true unless the school says otherwise: the
//! protective default for pupils), `bus_riders.legal_basis` (`statutory_duty` by default: a
//! school's transport is its duty under 校车安全管理条例), and `rider_consents`, one row per
//! consent given, closed by its withdrawal (deleted with the rider).

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BusRiders {
    Table,
    Id,
    #[sea_orm(iden = "under_14")]
    Under14,
    LegalBasis,
}

#[derive(DeriveIden)]
enum RiderConsents {
    Table,
    Id,
    SchoolId,
    RiderId,
    Purpose,
    GivenAt,
    RecordedBy,
    RecordedByName,
    WithdrawnAt,
    WithdrawnBy,
    WithdrawnByName,
    Note,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(BusRiders::Table)
                .add_column(boolean(BusRiders::Under14).default(true))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(BusRiders::Table)
                .add_column(string_len(BusRiders::LegalBasis, 32).default("statutory_duty"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RiderConsents::Table)
                .col(big_pk_auto(RiderConsents::Id))
                .col(big_integer(RiderConsents::SchoolId))
                .col(big_integer(RiderConsents::RiderId))
                .col(string_len(RiderConsents::Purpose, 32))
                .col(timestamp_with_time_zone(RiderConsents::GivenAt))
                .col(big_integer_null(RiderConsents::RecordedBy))
                .col(string(RiderConsents::RecordedByName).default(""))
                .col(timestamp_with_time_zone_null(RiderConsents::WithdrawnAt))
                .col(big_integer_null(RiderConsents::WithdrawnBy))
                .col(string(RiderConsents::WithdrawnByName).default(""))
                .col(string(RiderConsents::Note).default(""))
                .foreign_key(&mut fk(
                    RiderConsents::Table,
                    RiderConsents::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    RiderConsents::Table,
                    RiderConsents::RiderId,
                    BusRiders::Table,
                    BusRiders::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_rider_consents_rider")
                .table(RiderConsents::Table)
                .col(RiderConsents::RiderId)
                .col(RiderConsents::Purpose)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RiderConsents::Table).to_owned())
            .await?;
        for c in [BusRiders::LegalBasis, BusRiders::Under14] {
            m.alter_table(
                Table::alter()
                    .table(BusRiders::Table)
                    .drop_column(c)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
