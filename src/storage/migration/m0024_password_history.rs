//! The password history (等保 8.1.4.1a: no reuse of the last passwords): the argon2 hashes of a
//! user's last passwords, newest by id.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PasswordHistory {
    Table,
    Id,
    UserId,
    PasswordHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PasswordHistory::Table)
                .col(big_pk_auto(PasswordHistory::Id))
                .col(big_integer(PasswordHistory::UserId))
                .col(string(PasswordHistory::PasswordHash))
                .col(timestamp_with_time_zone(PasswordHistory::CreatedAt))
                .foreign_key(&mut fk(
                    PasswordHistory::Table,
                    PasswordHistory::UserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_password_history_user")
                .table(PasswordHistory::Table)
                .col(PasswordHistory::UserId)
                .col(PasswordHistory::Id)
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PasswordHistory::Table).take())
            .await
    }
}
