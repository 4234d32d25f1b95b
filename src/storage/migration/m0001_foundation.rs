//! The foundation: org tree, zones, people, users, sessions, the audit log.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
    ParentId,
    Path,
    Level,
    Code,
    Name,
    NameEn,
    SchoolKind,
    Students,
    Staff,
    AreaM2,
    Address,
    Lat,
    Lng,
    Phone,
    Boarding,
    HasBus,
    HasCanteen,
    HasLab,
    HasPool,
    NearWater,
    HasDormitory,
    HasBoiler,
    HasElevator,
    HasGas,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
    OrgId,
    Name,
    Post,
    Phone,
    Note,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Zones {
    Table,
    Id,
    SchoolId,
    ParentId,
    Code,
    Name,
    ZoneType,
    X,
    Y,
    W,
    H,
    ResponsiblePersonId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    Role,
    OrgId,
    PersonId,
    Disabled,
    MustChangePassword,
    FailedLogins,
    FailedSince,
    LockedUntil,
    PasswordChangedAt,
    LastLoginAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    UserId,
    Kind,
    Csrf,
    CreatedAt,
    LastSeenAt,
    Ip,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    UserId,
    Username,
    Role,
    OrgId,
    Action,
    ObjectType,
    ObjectId,
    Result,
    Ip,
    RequestId,
    Detail,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Orgs::Table)
                .col(big_pk_auto(Orgs::Id))
                .col(big_integer_null(Orgs::ParentId))
                .col(string_uniq(Orgs::Path))
                .col(string(Orgs::Level))
                .col(string_uniq(Orgs::Code))
                .col(string(Orgs::Name))
                .col(string_null(Orgs::NameEn))
                .col(string_null(Orgs::SchoolKind))
                .col(integer(Orgs::Students).default(0))
                .col(integer(Orgs::Staff).default(0))
                .col(integer(Orgs::AreaM2).default(0))
                .col(string(Orgs::Address).default(""))
                .col(double_null(Orgs::Lat))
                .col(double_null(Orgs::Lng))
                .col(string(Orgs::Phone).default(""))
                .col(boolean(Orgs::Boarding).default(false))
                .col(boolean(Orgs::HasBus).default(false))
                .col(boolean(Orgs::HasCanteen).default(false))
                .col(boolean(Orgs::HasLab).default(false))
                .col(boolean(Orgs::HasPool).default(false))
                .col(boolean(Orgs::NearWater).default(false))
                .col(boolean(Orgs::HasDormitory).default(false))
                .col(boolean(Orgs::HasBoiler).default(false))
                .col(boolean(Orgs::HasElevator).default(false))
                .col(boolean(Orgs::HasGas).default(false))
                .col(timestamp_with_time_zone(Orgs::CreatedAt))
                .col(timestamp_with_time_zone(Orgs::UpdatedAt))
                .foreign_key(&mut fk(
                    Orgs::Table,
                    Orgs::ParentId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_orgs_parent")
                .table(Orgs::Table)
                .col(Orgs::ParentId)
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(People::Table)
                .col(big_pk_auto(People::Id))
                .col(big_integer(People::OrgId))
                .col(string(People::Name))
                .col(string(People::Post))
                .col(string(People::Phone).default(""))
                .col(string(People::Note).default(""))
                .col(boolean(People::Active).default(true))
                .col(timestamp_with_time_zone(People::CreatedAt))
                .col(timestamp_with_time_zone(People::UpdatedAt))
                .foreign_key(&mut fk(
                    People::Table,
                    People::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_people_org")
                .table(People::Table)
                .col(People::OrgId)
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Zones::Table)
                .col(big_pk_auto(Zones::Id))
                .col(big_integer(Zones::SchoolId))
                .col(big_integer_null(Zones::ParentId))
                .col(string(Zones::Code))
                .col(string(Zones::Name))
                .col(string(Zones::ZoneType))
                .col(integer_null(Zones::X))
                .col(integer_null(Zones::Y))
                .col(integer_null(Zones::W))
                .col(integer_null(Zones::H))
                .col(big_integer_null(Zones::ResponsiblePersonId))
                .col(timestamp_with_time_zone(Zones::CreatedAt))
                .col(timestamp_with_time_zone(Zones::UpdatedAt))
                .foreign_key(&mut fk(
                    Zones::Table,
                    Zones::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Zones::Table,
                    Zones::ParentId,
                    Zones::Table,
                    Zones::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Zones::Table,
                    Zones::ResponsiblePersonId,
                    People::Table,
                    People::Id,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_zones_school_code")
                .table(Zones::Table)
                .col(Zones::SchoolId)
                .col(Zones::Code)
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(big_pk_auto(Users::Id))
                .col(string_uniq(Users::Username))
                .col(string(Users::DisplayName))
                .col(string(Users::PasswordHash))
                .col(string(Users::Role))
                .col(big_integer_null(Users::OrgId))
                .col(big_integer_null(Users::PersonId))
                .col(boolean(Users::Disabled).default(false))
                .col(boolean(Users::MustChangePassword).default(false))
                .col(integer(Users::FailedLogins).default(0))
                .col(timestamp_with_time_zone_null(Users::FailedSince))
                .col(timestamp_with_time_zone_null(Users::LockedUntil))
                .col(timestamp_with_time_zone(Users::PasswordChangedAt))
                .col(timestamp_with_time_zone_null(Users::LastLoginAt))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .foreign_key(&mut fk(
                    Users::Table,
                    Users::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Users::Table,
                    Users::PersonId,
                    People::Table,
                    People::Id,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string(Sessions::IdHash).primary_key())
                .col(big_integer(Sessions::UserId))
                .col(string(Sessions::Kind))
                .col(string(Sessions::Csrf))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                .col(string(Sessions::Ip).default(""))
                .foreign_key(&mut fk(
                    Sessions::Table,
                    Sessions::UserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(big_integer_null(AuditLog::UserId))
                .col(string(AuditLog::Username))
                .col(string(AuditLog::Role))
                .col(big_integer_null(AuditLog::OrgId))
                .col(string(AuditLog::Action))
                .col(string(AuditLog::ObjectType))
                .col(string(AuditLog::ObjectId))
                .col(string(AuditLog::Result))
                .col(string(AuditLog::Ip))
                .col(string(AuditLog::RequestId))
                .col(text(AuditLog::Detail))
                .col(string(AuditLog::PrevHash))
                .col(string(AuditLog::Hash))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_at")
                .table(AuditLog::Table)
                .col(AuditLog::At)
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string(AuditHead::Hash))
                .take(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                .values_panic([1.into(), 0i64.into(), "genesis".into()])
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the foundation migration cannot be reverted; restore a backup instead".into(),
        ))
    }
}
