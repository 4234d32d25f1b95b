//! Time-boxed grants to see minors' personal data whole (T-PR-4, `domain::pii_grant`): who
//! asked for which object's data (a bus route's riders), why and for how many hours; who
//! decided, when, with what note; when an approved grant ends. The row carries its school, so
//! the tenant policy covers it on PostgreSQL; it holds no pupil's data itself.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PiiGrants {
    Table,
    Id,
    SchoolId,
    Subject,
    ObjectId,
    RequesterId,
    RequesterName,
    RequesterRole,
    Reason,
    Hours,
    Status,
    DecidedBy,
    DecidedByName,
    DecidedAt,
    DecisionNote,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
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
                .table(PiiGrants::Table)
                .col(big_pk_auto(PiiGrants::Id))
                .col(big_integer(PiiGrants::SchoolId))
                // What the grant opens (`PiiSubject`) and the id of its object (a route).
                .col(string_len(PiiGrants::Subject, 32))
                .col(big_integer(PiiGrants::ObjectId))
                .col(big_integer(PiiGrants::RequesterId))
                .col(string(PiiGrants::RequesterName))
                .col(string_len(PiiGrants::RequesterRole, 32))
                .col(string(PiiGrants::Reason))
                .col(integer(PiiGrants::Hours))
                // pending | approved | rejected | revoked (expired: approved and past its end)
                .col(string_len(PiiGrants::Status, 16))
                .col(big_integer_null(PiiGrants::DecidedBy))
                .col(string(PiiGrants::DecidedByName).default(""))
                .col(timestamp_with_time_zone_null(PiiGrants::DecidedAt))
                .col(string(PiiGrants::DecisionNote).default(""))
                .col(timestamp_with_time_zone_null(PiiGrants::ExpiresAt))
                .col(timestamp_with_time_zone(PiiGrants::CreatedAt))
                .col(timestamp_with_time_zone(PiiGrants::UpdatedAt))
                .foreign_key(&mut fk(
                    PiiGrants::Table,
                    PiiGrants::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    PiiGrants::Table,
                    PiiGrants::RequesterId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        // The list of a school, newest first; a view's check of the requester's grant.
        m.create_index(
            Index::create()
                .name("idx_pii_grants_school_id")
                .table(PiiGrants::Table)
                .col(PiiGrants::SchoolId)
                .col(PiiGrants::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_pii_grants_requester")
                .table(PiiGrants::Table)
                .col(PiiGrants::RequesterId)
                .col(PiiGrants::Subject)
                .col(PiiGrants::ObjectId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PiiGrants::Table).to_owned())
            .await
    }
}
