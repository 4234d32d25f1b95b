//! Leavers among the bus riders (T-PR-7): `bus_riders.left_on`, the China day a rider left
//! the route (graduated, moved, changed route). A rider who left is no longer listed nor
//! counted on the route, and the daily job `bus-rider-leavers` deletes the row once
//! `[privacy] leaver_retention_days` have passed (`storage/buses/leavers.rs`). The index
//! serves that job's range.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BusRiders {
    Table,
    LeftOn,
}

const INDEX: &str = "idx_bus_riders_left_on";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(BusRiders::Table)
                .add_column(ColumnDef::new(BusRiders::LeftOn).date().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(BusRiders::Table)
                .col(BusRiders::LeftOn)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table(BusRiders::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(BusRiders::Table)
                .drop_column(BusRiders::LeftOn)
                .to_owned(),
        )
        .await
    }
}
