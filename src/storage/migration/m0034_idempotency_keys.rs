//! Idempotency keys of writes (`Idempotency-Key` header): one row per user and key, written
//! in the transaction of the write it names (so it exists exactly when the write committed),
//! the answer kept after it for a replay. Purged after a day.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    UserId,
    Key,
    Attempt,
    Request,
    ObjectType,
    ObjectId,
    Status,
    ContentType,
    Body,
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
                .table(IdempotencyKeys::Table)
                .col(big_integer(IdempotencyKeys::UserId))
                .col(string_len(IdempotencyKeys::Key, 255))
                // The request that wrote the row (random per request): a second request with
                // the same key meets a row that is not its own.
                .col(string_len(IdempotencyKeys::Attempt, 32))
                // Method and route path: the same key on another request is refused.
                .col(string_len(IdempotencyKeys::Request, 400))
                .col(string_len(IdempotencyKeys::ObjectType, 64))
                .col(string_len(IdempotencyKeys::ObjectId, 64))
                .col(integer_null(IdempotencyKeys::Status))
                .col(string_len_null(IdempotencyKeys::ContentType, 128))
                .col(blob_null(IdempotencyKeys::Body))
                .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(IdempotencyKeys::UserId)
                        .col(IdempotencyKeys::Key),
                )
                .foreign_key(&mut fk(
                    IdempotencyKeys::Table,
                    IdempotencyKeys::UserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_idempotency_keys_created")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::CreatedAt)
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IdempotencyKeys::Table).take())
            .await
    }
}
