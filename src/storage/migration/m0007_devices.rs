//! Early warning, part one: the device registry (物联终端) of each school, with a hashed token
//! per device, and the payloads a device sent that were refused, with their reasons.

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
enum Zones {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RiskPoints {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Devices {
    Table,
    Id,
    SchoolId,
    Code,
    Kind,
    Name,
    ZoneId,
    RiskPointId,
    TokenHash,
    TokenIssuedAt,
    LastSeenAt,
    LastValues,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DeviceRejections {
    Table,
    Id,
    DeviceId,
    ReceivedAt,
    EventId,
    EventIndex,
    Reason,
    Excerpt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Devices::Table)
                .col(big_pk_auto(Devices::Id))
                .col(big_integer(Devices::SchoolId))
                .col(string(Devices::Code))
                .col(string(Devices::Kind))
                .col(string(Devices::Name))
                .col(big_integer_null(Devices::ZoneId))
                .col(big_integer_null(Devices::RiskPointId))
                // SHA-256 of the device's token; none when revoked (or never issued).
                .col(string_null(Devices::TokenHash))
                .col(timestamp_with_time_zone_null(Devices::TokenIssuedAt))
                .col(timestamp_with_time_zone_null(Devices::LastSeenAt))
                // The last value of each metric: {"smoke": 0, "temperature_c": 21.5}.
                .col(text(Devices::LastValues).default("{}"))
                .col(timestamp_with_time_zone(Devices::CreatedAt))
                .col(timestamp_with_time_zone(Devices::UpdatedAt))
                .foreign_key(&mut fk(
                    Devices::Table,
                    Devices::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Devices::Table,
                    Devices::ZoneId,
                    Zones::Table,
                    Zones::Id,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    Devices::Table,
                    Devices::RiskPointId,
                    RiskPoints::Table,
                    RiskPoints::Id,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_devices_school_code")
                .table(Devices::Table)
                .col(Devices::SchoolId)
                .col(Devices::Code)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_devices_token")
                .table(Devices::Table)
                .col(Devices::TokenHash)
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DeviceRejections::Table)
                .col(big_pk_auto(DeviceRejections::Id))
                .col(big_integer(DeviceRejections::DeviceId))
                .col(timestamp_with_time_zone(DeviceRejections::ReceivedAt))
                .col(string(DeviceRejections::EventId).default(""))
                .col(integer(DeviceRejections::EventIndex))
                .col(string(DeviceRejections::Reason))
                // The start of the refused event, for the device page (never a whole body).
                .col(text(DeviceRejections::Excerpt).default(""))
                .foreign_key(&mut fk(
                    DeviceRejections::Table,
                    DeviceRejections::DeviceId,
                    Devices::Table,
                    Devices::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_device_rejections_device")
                .table(DeviceRejections::Table)
                .col(DeviceRejections::DeviceId)
                .col(DeviceRejections::Id)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DeviceRejections::Table).take())
            .await?;
        m.drop_table(Table::drop().table(Devices::Table).take())
            .await
    }
}
