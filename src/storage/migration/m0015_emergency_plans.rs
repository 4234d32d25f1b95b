//! Emergency, part four: emergency plans (应急预案) — each version a row with its structured
//! content (JSON), documents and lifecycle dates; its history (one immutable event per step);
//! the reviewers assigned per review round; the bureaus' expert pools; the working-day
//! calendar as the bureau edited it (one row; without it the shipped file is in force); and
//! the photos of a drill.

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
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Drills {
    Table,
    PhotoIds,
}

#[derive(DeriveIden)]
enum EmergencyPlans {
    Table,
    Id,
    OrgId,
    PreviousId,
    VersionNo,
    Title,
    PlanType,
    Form,
    Status,
    Content,
    DocumentIds,
    AuthorId,
    AuthorName,
    ReviewRound,
    PublishedOn,
    SignedBy,
    FiledOn,
    FilingNo,
    FilingReceiptId,
    LastEvaluatedOn,
    DefectFlaggedOn,
    DefectNote,
    SupersededOn,
    CreatedAt,
    UpdatedBy,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum EmergencyPlanEvents {
    Table,
    Id,
    PlanId,
    Seq,
    Action,
    FromStatus,
    ToStatus,
    Round,
    ByUser,
    ByName,
    ReviewerId,
    ReviewerName,
    Conclusion,
    Note,
    At,
}

#[derive(DeriveIden)]
enum EmergencyPlanReviewers {
    Table,
    Id,
    PlanId,
    Round,
    UserId,
    ExpertId,
    Name,
    OrgName,
    AssignedByName,
    AssignedAt,
}

#[derive(DeriveIden)]
enum PlanExperts {
    Table,
    Id,
    OrgId,
    UserId,
    Speciality,
    Title,
    Note,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WorkingCalendar {
    Table,
    Id,
    Csv,
    Version,
    UpdatedBy,
    UpdatedByName,
    UpdatedAt,
}

fn unique(name: &str, table: impl IntoIden, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table).unique();
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Drills::Table)
                // The drill's photos: a JSON array of file ids of its school.
                .add_column(text(Drills::PhotoIds).default("[]"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PlanExperts::Table)
                .col(big_pk_auto(PlanExperts::Id))
                // The bureau whose pool it is.
                .col(big_integer(PlanExperts::OrgId))
                .col(big_integer(PlanExperts::UserId))
                .col(string(PlanExperts::Speciality).default(""))
                .col(string(PlanExperts::Title).default(""))
                .col(text(PlanExperts::Note).default(""))
                .col(boolean(PlanExperts::Active).default(true))
                .col(timestamp_with_time_zone(PlanExperts::CreatedAt))
                .col(timestamp_with_time_zone(PlanExperts::UpdatedAt))
                .foreign_key(&mut fk(
                    PlanExperts::Table,
                    PlanExperts::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    PlanExperts::Table,
                    PlanExperts::UserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(unique(
            "idx_plan_experts_org_user",
            PlanExperts::Table,
            &["org_id", "user_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(EmergencyPlans::Table)
                .col(big_pk_auto(EmergencyPlans::Id))
                // A school, or the bureau for its own plans.
                .col(big_integer(EmergencyPlans::OrgId))
                // The version this one revises (none for a first version).
                .col(big_integer_null(EmergencyPlans::PreviousId))
                .col(integer(EmergencyPlans::VersionNo).default(1))
                .col(string(EmergencyPlans::Title))
                .col(string(EmergencyPlans::PlanType))
                .col(string(EmergencyPlans::Form))
                .col(string(EmergencyPlans::Status))
                // Organisation and roles, response levels, procedures, contacts, resources.
                .col(text(EmergencyPlans::Content).default("{}"))
                // Documents (PDFs of the school): a JSON array of file ids.
                .col(text(EmergencyPlans::DocumentIds).default("[]"))
                .col(big_integer_null(EmergencyPlans::AuthorId))
                .col(string(EmergencyPlans::AuthorName).default(""))
                // The review round under way or last held (each submission starts one).
                .col(integer(EmergencyPlans::ReviewRound).default(0))
                .col(date_null(EmergencyPlans::PublishedOn))
                .col(string(EmergencyPlans::SignedBy).default(""))
                .col(date_null(EmergencyPlans::FiledOn))
                .col(string(EmergencyPlans::FilingNo).default(""))
                .col(big_integer_null(EmergencyPlans::FilingReceiptId))
                .col(date_null(EmergencyPlans::LastEvaluatedOn))
                // A drill or an incident showed a defect (evaluation due at once).
                .col(date_null(EmergencyPlans::DefectFlaggedOn))
                .col(string(EmergencyPlans::DefectNote).default(""))
                .col(date_null(EmergencyPlans::SupersededOn))
                .col(timestamp_with_time_zone(EmergencyPlans::CreatedAt))
                .col(big_integer_null(EmergencyPlans::UpdatedBy))
                .col(timestamp_with_time_zone(EmergencyPlans::UpdatedAt))
                .col(integer(EmergencyPlans::Version).default(0))
                .foreign_key(&mut fk(
                    EmergencyPlans::Table,
                    EmergencyPlans::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    EmergencyPlans::Table,
                    EmergencyPlans::PreviousId,
                    EmergencyPlans::Table,
                    EmergencyPlans::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_emergency_plans_org_status")
                .table(EmergencyPlans::Table)
                .col(EmergencyPlans::OrgId)
                .col(EmergencyPlans::Status)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EmergencyPlanEvents::Table)
                .col(big_pk_auto(EmergencyPlanEvents::Id))
                .col(big_integer(EmergencyPlanEvents::PlanId))
                .col(integer(EmergencyPlanEvents::Seq))
                .col(string(EmergencyPlanEvents::Action))
                .col(string(EmergencyPlanEvents::FromStatus))
                .col(string(EmergencyPlanEvents::ToStatus))
                .col(integer(EmergencyPlanEvents::Round).default(0))
                .col(big_integer_null(EmergencyPlanEvents::ByUser))
                .col(string(EmergencyPlanEvents::ByName).default(""))
                // The reviewer a review is by, or the one assigned.
                .col(big_integer_null(EmergencyPlanEvents::ReviewerId))
                .col(string(EmergencyPlanEvents::ReviewerName).default(""))
                .col(string_null(EmergencyPlanEvents::Conclusion))
                // The opinion, the minutes, the reason.
                .col(text(EmergencyPlanEvents::Note).default(""))
                .col(timestamp_with_time_zone(EmergencyPlanEvents::At))
                .foreign_key(&mut fk(
                    EmergencyPlanEvents::Table,
                    EmergencyPlanEvents::PlanId,
                    EmergencyPlans::Table,
                    EmergencyPlans::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(unique(
            "idx_emergency_plan_events_plan_seq",
            EmergencyPlanEvents::Table,
            &["plan_id", "seq"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(EmergencyPlanReviewers::Table)
                .col(big_pk_auto(EmergencyPlanReviewers::Id))
                .col(big_integer(EmergencyPlanReviewers::PlanId))
                .col(integer(EmergencyPlanReviewers::Round))
                .col(big_integer(EmergencyPlanReviewers::UserId))
                .col(big_integer(EmergencyPlanReviewers::ExpertId))
                .col(string(EmergencyPlanReviewers::Name).default(""))
                .col(string(EmergencyPlanReviewers::OrgName).default(""))
                .col(string(EmergencyPlanReviewers::AssignedByName).default(""))
                .col(timestamp_with_time_zone(EmergencyPlanReviewers::AssignedAt))
                .foreign_key(&mut fk(
                    EmergencyPlanReviewers::Table,
                    EmergencyPlanReviewers::PlanId,
                    EmergencyPlans::Table,
                    EmergencyPlans::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    EmergencyPlanReviewers::Table,
                    EmergencyPlanReviewers::UserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    EmergencyPlanReviewers::Table,
                    EmergencyPlanReviewers::ExpertId,
                    PlanExperts::Table,
                    PlanExperts::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(unique(
            "idx_emergency_plan_reviewers_plan_round_user",
            EmergencyPlanReviewers::Table,
            &["plan_id", "round", "user_id"],
        ))
        .await?;
        m.create_index(
            Index::create()
                .name("idx_emergency_plan_reviewers_user")
                .table(EmergencyPlanReviewers::Table)
                .col(EmergencyPlanReviewers::UserId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WorkingCalendar::Table)
                .col(big_pk_auto(WorkingCalendar::Id))
                // The calendar file as the bureau saved it (cn-working-days.csv's format).
                .col(text(WorkingCalendar::Csv))
                .col(integer(WorkingCalendar::Version).default(0))
                .col(big_integer_null(WorkingCalendar::UpdatedBy))
                .col(string(WorkingCalendar::UpdatedByName).default(""))
                .col(timestamp_with_time_zone(WorkingCalendar::UpdatedAt))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            WorkingCalendar::Table.into_iden(),
            EmergencyPlanReviewers::Table.into_iden(),
            EmergencyPlanEvents::Table.into_iden(),
            EmergencyPlans::Table.into_iden(),
            PlanExperts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Drills::Table)
                .drop_column(Drills::PhotoIds)
                .take(),
        )
        .await
    }
}
