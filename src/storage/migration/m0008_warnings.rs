//! Early warning, part two: the events devices send (unique per device and event id, so a
//! batch sent twice is stored once), each threshold rule's evaluation state per device, the
//! threshold rules (the defaults have no org; a bureau's edit is a row of its own org), the
//! warnings with their one-open-per-key index, and each warning's immutable history.

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
enum Devices {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Hazards {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DeviceEvents {
    Table,
    Id,
    DeviceId,
    SchoolId,
    EventId,
    At,
    Metric,
    Value,
    Lat,
    Lon,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum DeviceRuleStates {
    Table,
    DeviceId,
    RuleCode,
    BreachSince,
    Active,
    LastAt,
}

#[derive(DeriveIden)]
enum WarningRules {
    Table,
    Id,
    OrgId,
    Code,
    DeviceKind,
    Metric,
    Comparator,
    Value,
    Level,
    MinDurationS,
    Hysteresis,
    Enabled,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum Warnings {
    Table,
    Id,
    SchoolId,
    Source,
    Rule,
    Subject,
    Level,
    Status,
    OpenKey,
    DeviceId,
    ZoneId,
    RiskPointId,
    Value,
    Detail,
    RaisedAt,
    LastAt,
    Repeats,
    ClearedAt,
    AcknowledgedAt,
    AssigneeId,
    ClosedAt,
    HazardId,
    Version,
}

#[derive(DeriveIden)]
enum WarningEvents {
    Table,
    Id,
    WarningId,
    At,
    Step,
    UserId,
    Note,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DeviceEvents::Table)
                .col(big_pk_auto(DeviceEvents::Id))
                .col(big_integer(DeviceEvents::DeviceId))
                .col(big_integer(DeviceEvents::SchoolId))
                // The device's own id of the event: at-least-once delivery repeats it.
                .col(string(DeviceEvents::EventId))
                .col(timestamp_with_time_zone(DeviceEvents::At))
                .col(string(DeviceEvents::Metric))
                .col(double(DeviceEvents::Value))
                .col(double_null(DeviceEvents::Lat))
                .col(double_null(DeviceEvents::Lon))
                .col(timestamp_with_time_zone(DeviceEvents::ReceivedAt))
                .foreign_key(&mut fk(
                    DeviceEvents::Table,
                    DeviceEvents::DeviceId,
                    Devices::Table,
                    Devices::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_device_events_event")
                .table(DeviceEvents::Table)
                .col(DeviceEvents::DeviceId)
                .col(DeviceEvents::EventId)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_device_events_school_at")
                .table(DeviceEvents::Table)
                .col(DeviceEvents::SchoolId)
                .col(DeviceEvents::At)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DeviceRuleStates::Table)
                .col(big_integer(DeviceRuleStates::DeviceId))
                .col(string(DeviceRuleStates::RuleCode))
                .col(timestamp_with_time_zone_null(DeviceRuleStates::BreachSince))
                .col(boolean(DeviceRuleStates::Active).default(false))
                .col(timestamp_with_time_zone_null(DeviceRuleStates::LastAt))
                .primary_key(
                    Index::create()
                        .col(DeviceRuleStates::DeviceId)
                        .col(DeviceRuleStates::RuleCode),
                )
                .foreign_key(&mut fk(
                    DeviceRuleStates::Table,
                    DeviceRuleStates::DeviceId,
                    Devices::Table,
                    Devices::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WarningRules::Table)
                .col(big_pk_auto(WarningRules::Id))
                // None: the platform's default; a bureau's own edit carries its org.
                .col(big_integer_null(WarningRules::OrgId))
                .col(string(WarningRules::Code))
                .col(string(WarningRules::DeviceKind))
                .col(string(WarningRules::Metric))
                .col(string(WarningRules::Comparator))
                .col(double(WarningRules::Value))
                .col(string(WarningRules::Level))
                .col(integer(WarningRules::MinDurationS))
                .col(double(WarningRules::Hysteresis))
                .col(boolean(WarningRules::Enabled).default(true))
                .col(timestamp_with_time_zone(WarningRules::UpdatedAt))
                .col(big_integer_null(WarningRules::UpdatedBy))
                .foreign_key(&mut fk(
                    WarningRules::Table,
                    WarningRules::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_warning_rules_org_code")
                .table(WarningRules::Table)
                .col(WarningRules::OrgId)
                .col(WarningRules::Code)
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Warnings::Table)
                .col(big_pk_auto(Warnings::Id))
                .col(big_integer(Warnings::SchoolId))
                .col(string(Warnings::Source))
                .col(string(Warnings::Rule))
                .col(string(Warnings::Subject))
                .col(string(Warnings::Level))
                .col(string(Warnings::Status))
                // `source|subject|rule` while open, none once closed: the unique index keeps
                // one open warning per key, so a repeat updates it instead of multiplying.
                .col(string_null(Warnings::OpenKey))
                .col(big_integer_null(Warnings::DeviceId))
                .col(big_integer_null(Warnings::ZoneId))
                .col(big_integer_null(Warnings::RiskPointId))
                .col(double_null(Warnings::Value))
                .col(text(Warnings::Detail).default(""))
                .col(timestamp_with_time_zone(Warnings::RaisedAt))
                .col(timestamp_with_time_zone(Warnings::LastAt))
                .col(integer(Warnings::Repeats).default(0))
                .col(timestamp_with_time_zone_null(Warnings::ClearedAt))
                .col(timestamp_with_time_zone_null(Warnings::AcknowledgedAt))
                .col(big_integer_null(Warnings::AssigneeId))
                .col(timestamp_with_time_zone_null(Warnings::ClosedAt))
                .col(big_integer_null(Warnings::HazardId))
                .col(integer(Warnings::Version).default(0))
                .foreign_key(&mut fk(
                    Warnings::Table,
                    Warnings::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Warnings::Table,
                    Warnings::DeviceId,
                    Devices::Table,
                    Devices::Id,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    Warnings::Table,
                    Warnings::AssigneeId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    Warnings::Table,
                    Warnings::HazardId,
                    Hazards::Table,
                    Hazards::Id,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_warnings_open_key")
                .table(Warnings::Table)
                .col(Warnings::OpenKey)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_warnings_school_status")
                .table(Warnings::Table)
                .col(Warnings::SchoolId)
                .col(Warnings::Status)
                .col(Warnings::RaisedAt)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WarningEvents::Table)
                .col(big_pk_auto(WarningEvents::Id))
                .col(big_integer(WarningEvents::WarningId))
                .col(timestamp_with_time_zone(WarningEvents::At))
                .col(string(WarningEvents::Step))
                .col(big_integer_null(WarningEvents::UserId))
                .col(text(WarningEvents::Note).default(""))
                .col(text(WarningEvents::Detail).default(""))
                .foreign_key(&mut fk(
                    WarningEvents::Table,
                    WarningEvents::WarningId,
                    Warnings::Table,
                    Warnings::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_warning_events_warning")
                .table(WarningEvents::Table)
                .col(WarningEvents::WarningId)
                .col(WarningEvents::Id)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            WarningEvents::Table.into_iden(),
            Warnings::Table.into_iden(),
            WarningRules::Table.into_iden(),
            DeviceRuleStates::Table.into_iden(),
            DeviceEvents::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
