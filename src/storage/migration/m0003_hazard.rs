//! Hidden-hazard investigation and governance (隐患排查治理): uploaded files, inspections with
//! their items, campaigns and cross-inspection assignments, hazards with their immutable event
//! history, named counters (销号 numbers), the job queue and the in-app inbox.

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
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RiskPoints {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
    SchoolId,
    Kind,
    Mime,
    Name,
    Size,
    Width,
    Height,
    Sha256,
    HasThumb,
    UploadedBy,
    UploadedByName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FileBlobs {
    Table,
    FileId,
    Variant,
    Data,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    OrgId,
    Kind,
    Name,
    Description,
    StartsOn,
    EndsOn,
    Items,
    Status,
    CreatedBy,
    CreatedByName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CampaignSchools {
    Table,
    Id,
    CampaignId,
    SchoolId,
}

#[derive(DeriveIden)]
enum CrossAssignments {
    Table,
    Id,
    OrgId,
    RoundName,
    InspectorUserId,
    InspectorSchoolId,
    TargetSchoolId,
    StartsOn,
    EndsOn,
    CreatedByName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    Id,
    SchoolId,
    Kind,
    Period,
    CampaignId,
    CrossAssignmentId,
    InspectorUserId,
    InspectorName,
    InspectedOn,
    SubmittedAt,
    Note,
    Total,
    Passed,
    Failed,
    NotApplicable,
}

#[derive(DeriveIden)]
enum InspectionItems {
    Table,
    Id,
    InspectionId,
    Seq,
    RiskPointId,
    ZoneId,
    Label,
    Detail,
    Result,
    Note,
    PhotoIds,
    HazardId,
}

#[derive(DeriveIden)]
enum Hazards {
    Table,
    Id,
    SchoolId,
    Title,
    Description,
    Aspect,
    Category,
    ZoneId,
    RiskPointId,
    Source,
    InspectionId,
    CampaignId,
    Status,
    Level,
    Treatment,
    Supervised,
    Deadline,
    ResponsibleUserId,
    ClosureNumber,
    State,
    PhotoIds,
    ReportedBy,
    ReportedByName,
    ReportedAt,
    UpdatedAt,
    ClosedAt,
    Version,
}

#[derive(DeriveIden)]
enum HazardEvents {
    Table,
    Id,
    HazardId,
    Seq,
    At,
    Day,
    UserId,
    UserName,
    Role,
    FromStatus,
    ToStatus,
    Kind,
    Event,
}

#[derive(DeriveIden)]
enum Counters {
    Table,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Key,
    Payload,
    RunAt,
    Status,
    Attempts,
    LockedBy,
    LockedUntil,
    LastError,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    HazardId,
    SchoolId,
    Subject,
    Params,
    Link,
    DedupeKey,
    CreatedAt,
    ReadAt,
}

fn index(
    name: &str,
    table: impl IntoIden,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Files::Table)
                .col(big_pk_auto(Files::Id))
                .col(big_integer(Files::SchoolId))
                .col(string(Files::Kind))
                .col(string(Files::Mime))
                .col(string(Files::Name))
                .col(big_integer(Files::Size))
                .col(integer_null(Files::Width))
                .col(integer_null(Files::Height))
                .col(string(Files::Sha256))
                .col(boolean(Files::HasThumb).default(false))
                .col(big_integer_null(Files::UploadedBy))
                .col(string(Files::UploadedByName))
                .col(timestamp_with_time_zone(Files::CreatedAt))
                .foreign_key(&mut fk(
                    Files::Table,
                    Files::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_files_school",
            Files::Table,
            &["school_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(FileBlobs::Table)
                .col(big_integer(FileBlobs::FileId))
                .col(string(FileBlobs::Variant))
                .col(binary(FileBlobs::Data))
                .primary_key(
                    Index::create()
                        .col(FileBlobs::FileId)
                        .col(FileBlobs::Variant),
                )
                .foreign_key(&mut fk(
                    FileBlobs::Table,
                    FileBlobs::FileId,
                    Files::Table,
                    Files::Id,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Campaigns::Table)
                .col(big_pk_auto(Campaigns::Id))
                .col(big_integer(Campaigns::OrgId))
                .col(string(Campaigns::Kind))
                .col(string(Campaigns::Name))
                .col(text(Campaigns::Description).default(""))
                .col(date(Campaigns::StartsOn))
                .col(date(Campaigns::EndsOn))
                .col(text(Campaigns::Items).default("[]"))
                .col(string(Campaigns::Status).default("active"))
                .col(big_integer_null(Campaigns::CreatedBy))
                .col(string(Campaigns::CreatedByName))
                .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                .foreign_key(&mut fk(
                    Campaigns::Table,
                    Campaigns::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CampaignSchools::Table)
                .col(big_pk_auto(CampaignSchools::Id))
                .col(big_integer(CampaignSchools::CampaignId))
                .col(big_integer(CampaignSchools::SchoolId))
                .foreign_key(&mut fk(
                    CampaignSchools::Table,
                    CampaignSchools::CampaignId,
                    Campaigns::Table,
                    Campaigns::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    CampaignSchools::Table,
                    CampaignSchools::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "uq_campaign_schools",
            CampaignSchools::Table,
            &["campaign_id", "school_id"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CrossAssignments::Table)
                .col(big_pk_auto(CrossAssignments::Id))
                .col(big_integer(CrossAssignments::OrgId))
                .col(string(CrossAssignments::RoundName))
                .col(big_integer(CrossAssignments::InspectorUserId))
                .col(big_integer(CrossAssignments::InspectorSchoolId))
                .col(big_integer(CrossAssignments::TargetSchoolId))
                .col(date(CrossAssignments::StartsOn))
                .col(date(CrossAssignments::EndsOn))
                .col(string(CrossAssignments::CreatedByName))
                .col(timestamp_with_time_zone(CrossAssignments::CreatedAt))
                .foreign_key(&mut fk(
                    CrossAssignments::Table,
                    CrossAssignments::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    CrossAssignments::Table,
                    CrossAssignments::InspectorUserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    CrossAssignments::Table,
                    CrossAssignments::InspectorSchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    CrossAssignments::Table,
                    CrossAssignments::TargetSchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Inspections::Table)
                .col(big_pk_auto(Inspections::Id))
                .col(big_integer(Inspections::SchoolId))
                .col(string(Inspections::Kind))
                .col(string_null(Inspections::Period))
                .col(big_integer_null(Inspections::CampaignId))
                .col(big_integer_null(Inspections::CrossAssignmentId))
                .col(big_integer_null(Inspections::InspectorUserId))
                .col(string(Inspections::InspectorName))
                .col(date(Inspections::InspectedOn))
                .col(timestamp_with_time_zone(Inspections::SubmittedAt))
                .col(text(Inspections::Note).default(""))
                .col(integer(Inspections::Total).default(0))
                .col(integer(Inspections::Passed).default(0))
                .col(integer(Inspections::Failed).default(0))
                .col(integer(Inspections::NotApplicable).default(0))
                .foreign_key(&mut fk(
                    Inspections::Table,
                    Inspections::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Inspections::Table,
                    Inspections::CampaignId,
                    Campaigns::Table,
                    Campaigns::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Inspections::Table,
                    Inspections::CrossAssignmentId,
                    CrossAssignments::Table,
                    CrossAssignments::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_inspections_school_kind",
            Inspections::Table,
            &["school_id", "kind", "period"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Hazards::Table)
                .col(big_pk_auto(Hazards::Id))
                .col(big_integer(Hazards::SchoolId))
                .col(string(Hazards::Title))
                .col(text(Hazards::Description))
                .col(string(Hazards::Aspect))
                .col(string(Hazards::Category))
                .col(big_integer_null(Hazards::ZoneId))
                .col(big_integer_null(Hazards::RiskPointId))
                .col(string(Hazards::Source))
                .col(big_integer_null(Hazards::InspectionId))
                .col(big_integer_null(Hazards::CampaignId))
                .col(string(Hazards::Status))
                .col(string_null(Hazards::Level))
                .col(string_null(Hazards::Treatment))
                .col(boolean(Hazards::Supervised).default(false))
                .col(date_null(Hazards::Deadline))
                .col(big_integer_null(Hazards::ResponsibleUserId))
                .col(string_null(Hazards::ClosureNumber).unique_key())
                .col(text(Hazards::State))
                .col(text(Hazards::PhotoIds).default("[]"))
                .col(big_integer_null(Hazards::ReportedBy))
                .col(string(Hazards::ReportedByName))
                .col(timestamp_with_time_zone(Hazards::ReportedAt))
                .col(timestamp_with_time_zone(Hazards::UpdatedAt))
                .col(timestamp_with_time_zone_null(Hazards::ClosedAt))
                .col(integer(Hazards::Version).default(0))
                .foreign_key(&mut fk(
                    Hazards::Table,
                    Hazards::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Hazards::Table,
                    Hazards::ZoneId,
                    Zones::Table,
                    Zones::Id,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    Hazards::Table,
                    Hazards::RiskPointId,
                    RiskPoints::Table,
                    RiskPoints::Id,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    Hazards::Table,
                    Hazards::InspectionId,
                    Inspections::Table,
                    Inspections::Id,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    Hazards::Table,
                    Hazards::CampaignId,
                    Campaigns::Table,
                    Campaigns::Id,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_hazards_school_status",
            Hazards::Table,
            &["school_id", "status"],
            false,
        ))
        .await?;
        m.create_index(index(
            "idx_hazards_deadline",
            Hazards::Table,
            &["deadline"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(HazardEvents::Table)
                .col(big_pk_auto(HazardEvents::Id))
                .col(big_integer(HazardEvents::HazardId))
                .col(integer(HazardEvents::Seq))
                .col(timestamp_with_time_zone(HazardEvents::At))
                .col(date(HazardEvents::Day))
                .col(big_integer_null(HazardEvents::UserId))
                .col(string(HazardEvents::UserName))
                .col(string(HazardEvents::Role))
                .col(string(HazardEvents::FromStatus))
                .col(string(HazardEvents::ToStatus))
                .col(string(HazardEvents::Kind))
                .col(text(HazardEvents::Event))
                .foreign_key(&mut fk(
                    HazardEvents::Table,
                    HazardEvents::HazardId,
                    Hazards::Table,
                    Hazards::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "uq_hazard_events_seq",
            HazardEvents::Table,
            &["hazard_id", "seq"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(InspectionItems::Table)
                .col(big_pk_auto(InspectionItems::Id))
                .col(big_integer(InspectionItems::InspectionId))
                .col(integer(InspectionItems::Seq))
                .col(big_integer_null(InspectionItems::RiskPointId))
                .col(big_integer_null(InspectionItems::ZoneId))
                .col(string(InspectionItems::Label))
                .col(text(InspectionItems::Detail).default(""))
                .col(string(InspectionItems::Result))
                .col(text(InspectionItems::Note).default(""))
                .col(text(InspectionItems::PhotoIds).default("[]"))
                .col(big_integer_null(InspectionItems::HazardId))
                .foreign_key(&mut fk(
                    InspectionItems::Table,
                    InspectionItems::InspectionId,
                    Inspections::Table,
                    Inspections::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    InspectionItems::Table,
                    InspectionItems::RiskPointId,
                    RiskPoints::Table,
                    RiskPoints::Id,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    InspectionItems::Table,
                    InspectionItems::HazardId,
                    Hazards::Table,
                    Hazards::Id,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_inspection_items_inspection",
            InspectionItems::Table,
            &["inspection_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Counters::Table)
                .col(string(Counters::Name).primary_key())
                .col(big_integer(Counters::Value))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(big_pk_auto(Jobs::Id))
                .col(string(Jobs::Kind))
                .col(string_uniq(Jobs::Key))
                .col(text(Jobs::Payload).default("{}"))
                .col(timestamp_with_time_zone(Jobs::RunAt))
                .col(string(Jobs::Status).default("pending"))
                .col(integer(Jobs::Attempts).default(0))
                .col(string_null(Jobs::LockedBy))
                .col(timestamp_with_time_zone_null(Jobs::LockedUntil))
                .col(text(Jobs::LastError).default(""))
                .col(timestamp_with_time_zone(Jobs::CreatedAt))
                .col(timestamp_with_time_zone_null(Jobs::FinishedAt))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_jobs_due",
            Jobs::Table,
            &["status", "run_at"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(big_pk_auto(Notifications::Id))
                .col(big_integer(Notifications::UserId))
                .col(string(Notifications::Kind))
                .col(big_integer_null(Notifications::HazardId))
                .col(big_integer_null(Notifications::SchoolId))
                .col(string(Notifications::Subject))
                .col(text(Notifications::Params).default("{}"))
                .col(string(Notifications::Link))
                .col(string_uniq(Notifications::DedupeKey))
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                .foreign_key(&mut fk(
                    Notifications::Table,
                    Notifications::UserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Notifications::Table,
                    Notifications::HazardId,
                    Hazards::Table,
                    Hazards::Id,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_notifications_user",
            Notifications::Table,
            &["user_id", "read_at"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the hazard migration cannot be reverted; restore a backup instead".into(),
        ))
    }
}
