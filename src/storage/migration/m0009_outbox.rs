//! Outbound notifications of warnings: the channels a district or city bureau configures
//! (e-mail, DingTalk, WeCom, a generic webhook) and the delivery log, one row per warning and
//! channel, written in the transaction that raised the warning and sent by a job.

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
enum Warnings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum NotificationChannels {
    Table,
    Id,
    OrgId,
    Kind,
    Name,
    Target,
    Secret,
    MinLevel,
    Enabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationDeliveries {
    Table,
    Id,
    ChannelId,
    WarningId,
    Status,
    Attempts,
    LastError,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(NotificationChannels::Table)
                .col(big_pk_auto(NotificationChannels::Id))
                // A district or a city: the warnings of the schools below it are sent.
                .col(big_integer(NotificationChannels::OrgId))
                .col(string(NotificationChannels::Kind))
                .col(string(NotificationChannels::Name))
                // An e-mail address or a webhook URL.
                .col(text(NotificationChannels::Target))
                // DingTalk's signing secret (it signs, so it cannot be a hash); never shown.
                .col(text_null(NotificationChannels::Secret))
                .col(string(NotificationChannels::MinLevel))
                .col(boolean(NotificationChannels::Enabled).default(true))
                .col(timestamp_with_time_zone(NotificationChannels::CreatedAt))
                .col(timestamp_with_time_zone(NotificationChannels::UpdatedAt))
                .foreign_key(&mut fk(
                    NotificationChannels::Table,
                    NotificationChannels::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notification_channels_org")
                .table(NotificationChannels::Table)
                .col(NotificationChannels::OrgId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NotificationDeliveries::Table)
                .col(big_pk_auto(NotificationDeliveries::Id))
                .col(big_integer(NotificationDeliveries::ChannelId))
                .col(big_integer(NotificationDeliveries::WarningId))
                // `pending`, `sent`, `failed`.
                .col(string(NotificationDeliveries::Status))
                .col(integer(NotificationDeliveries::Attempts).default(0))
                .col(text(NotificationDeliveries::LastError).default(""))
                .col(timestamp_with_time_zone(NotificationDeliveries::CreatedAt))
                .col(timestamp_with_time_zone_null(
                    NotificationDeliveries::SentAt,
                ))
                .foreign_key(&mut fk(
                    NotificationDeliveries::Table,
                    NotificationDeliveries::ChannelId,
                    NotificationChannels::Table,
                    NotificationChannels::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    NotificationDeliveries::Table,
                    NotificationDeliveries::WarningId,
                    Warnings::Table,
                    Warnings::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        // One delivery per warning and channel.
        m.create_index(
            Index::create()
                .name("idx_notification_deliveries_channel_warning")
                .table(NotificationDeliveries::Table)
                .col(NotificationDeliveries::ChannelId)
                .col(NotificationDeliveries::WarningId)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notification_deliveries_warning")
                .table(NotificationDeliveries::Table)
                .col(NotificationDeliveries::WarningId)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            NotificationDeliveries::Table.into_iden(),
            NotificationChannels::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
