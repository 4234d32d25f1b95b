//! The second factor (TOTP, RFC 6238; 等保 8.1.4.1d): a user's secret with the time step of
//! the last code accepted (a code works once), the SHA-256 of the single-use recovery codes,
//! and the sessions' pending state (signed in with the password, second factor not yet given).

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserMfa {
    Table,
    UserId,
    Secret,
    CreatedAt,
    EnrolledAt,
    LastStep,
}

#[derive(DeriveIden)]
enum MfaRecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    MfaPending,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per user: `enrolled_at` is null while an enrolment waits for its first code.
        m.create_table(
            Table::create()
                .table(UserMfa::Table)
                .col(big_integer(UserMfa::UserId).primary_key())
                .col(string(UserMfa::Secret))
                .col(timestamp_with_time_zone(UserMfa::CreatedAt))
                .col(timestamp_with_time_zone_null(UserMfa::EnrolledAt))
                .col(big_integer_null(UserMfa::LastStep))
                .foreign_key(&mut fk(
                    UserMfa::Table,
                    UserMfa::UserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MfaRecoveryCodes::Table)
                .col(big_pk_auto(MfaRecoveryCodes::Id))
                .col(big_integer(MfaRecoveryCodes::UserId))
                .col(string(MfaRecoveryCodes::CodeHash))
                .col(timestamp_with_time_zone(MfaRecoveryCodes::CreatedAt))
                .col(timestamp_with_time_zone_null(MfaRecoveryCodes::UsedAt))
                .foreign_key(&mut fk(
                    MfaRecoveryCodes::Table,
                    MfaRecoveryCodes::UserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mfa_recovery_codes_user")
                .table(MfaRecoveryCodes::Table)
                .col(MfaRecoveryCodes::UserId)
                .col(MfaRecoveryCodes::CodeHash)
                .take(),
        )
        .await?;
        // `verify` (a code is due) or `enrol` (the role requires a second factor the user has
        // not set up); null once the sign-in is complete.
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .add_column(string_null(Sessions::MfaPending))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .drop_column(Sessions::MfaPending)
                .take(),
        )
        .await?;
        m.drop_table(Table::drop().table(MfaRecoveryCodes::Table).take())
            .await?;
        m.drop_table(Table::drop().table(UserMfa::Table).take())
            .await
    }
}
