//! The sign-in throttle: failure counters by address, by address and account, and by account,
//! shared by every instance through the database.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Key,
    Username,
    Failures,
    WindowStart,
    BlockedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LoginThrottles::Table)
                .col(string(LoginThrottles::Key).primary_key())
                .col(string_null(LoginThrottles::Username))
                .col(integer(LoginThrottles::Failures).default(0))
                .col(timestamp_with_time_zone(LoginThrottles::WindowStart))
                .col(timestamp_with_time_zone_null(LoginThrottles::BlockedUntil))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_throttles_username")
                .table(LoginThrottles::Table)
                .col(LoginThrottles::Username)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginThrottles::Table).take())
            .await
    }
}
