//! The risk register (风险分级管控): the district catalogue with its change history, school
//! risk points, and every assessment ever made.

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
enum People {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RiskCatalogs {
    Table,
    Id,
    OrgId,
    Name,
    Version,
    CreatedAt,
    UpdatedAt,
}

/// The text columns shared by catalogue items and school risk points.
#[derive(DeriveIden, Clone, Copy)]
enum Common {
    Code,
    Aspect,
    Category,
    CategoryEn,
    PointType,
    Name,
    NameEn,
    HazardFactors,
    AccidentTypes,
    DefaultL,
    DefaultE,
    DefaultC,
    MeasuresManagement,
    MeasuresEmergency,
    MeasuresEngineering,
    MeasuresTraining,
    MeasuresPpe,
    CheckItems,
    CheckFrequency,
    ControlLevel,
    ResponsiblePost,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RiskCatalogItems {
    Table,
    Id,
    CatalogId,
    AppliesTo,
    Requires,
    Retired,
    Version,
}

#[derive(DeriveIden)]
enum RiskCatalogHistory {
    Table,
    Id,
    CatalogId,
    ItemCode,
    Version,
    Change,
    Snapshot,
    Username,
    At,
}

#[derive(DeriveIden)]
enum RiskPoints {
    Table,
    Id,
    SchoolId,
    CatalogItemId,
    ZoneId,
    ResponsiblePersonId,
    ControlLevelReason,
    Status,
    RetiredReason,
    RetiredAt,
    CurrentAssessmentId,
    CurrentGrade,
    CurrentScore,
    NextReviewOn,
}

#[derive(DeriveIden)]
enum RiskAssessments {
    Table,
    Id,
    RiskPointId,
    SchoolId,
    Method,
    L,
    E,
    C,
    S,
    BandSet,
    Reason,
    Score,
    Grade,
    RawBand,
    AssessedBy,
    AssessedByName,
    AssessedAt,
}

fn common_columns(t: &mut TableCreateStatement) {
    use Common::*;
    t.col(string(Code))
        .col(string(Aspect))
        .col(string(Category))
        .col(string(CategoryEn).default(""))
        .col(string(PointType))
        .col(string(Name))
        .col(string(NameEn).default(""))
        .col(text(HazardFactors))
        .col(text(AccidentTypes))
        .col(double_null(DefaultL))
        .col(double_null(DefaultE))
        .col(double_null(DefaultC))
        .col(text(MeasuresManagement))
        .col(text(MeasuresEmergency))
        .col(text(MeasuresEngineering))
        .col(text(MeasuresTraining))
        .col(text(MeasuresPpe))
        .col(text(CheckItems))
        .col(string(CheckFrequency))
        .col(string(ControlLevel))
        .col(string(ResponsiblePost))
        .col(timestamp_with_time_zone(CreatedAt))
        .col(timestamp_with_time_zone(UpdatedAt));
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RiskCatalogs::Table)
                .col(big_pk_auto(RiskCatalogs::Id))
                .col(big_integer_uniq(RiskCatalogs::OrgId))
                .col(string(RiskCatalogs::Name))
                .col(integer(RiskCatalogs::Version).default(1))
                .col(timestamp_with_time_zone(RiskCatalogs::CreatedAt))
                .col(timestamp_with_time_zone(RiskCatalogs::UpdatedAt))
                .foreign_key(&mut fk(
                    RiskCatalogs::Table,
                    RiskCatalogs::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;

        let mut t = Table::create()
            .table(RiskCatalogItems::Table)
            .col(big_pk_auto(RiskCatalogItems::Id))
            .col(big_integer(RiskCatalogItems::CatalogId))
            .take();
        common_columns(&mut t);
        t.col(string(RiskCatalogItems::AppliesTo))
            .col(string(RiskCatalogItems::Requires).default(""))
            .col(boolean(RiskCatalogItems::Retired).default(false))
            .col(integer(RiskCatalogItems::Version).default(1))
            .foreign_key(&mut fk(
                RiskCatalogItems::Table,
                RiskCatalogItems::CatalogId,
                RiskCatalogs::Table,
                RiskCatalogs::Id,
                ForeignKeyAction::Restrict,
            ));
        m.create_table(t).await?;
        m.create_index(
            Index::create()
                .name("uq_catalog_items_code")
                .table(RiskCatalogItems::Table)
                .col(RiskCatalogItems::CatalogId)
                .col(Common::Code)
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RiskCatalogHistory::Table)
                .col(big_pk_auto(RiskCatalogHistory::Id))
                .col(big_integer(RiskCatalogHistory::CatalogId))
                .col(string(RiskCatalogHistory::ItemCode))
                .col(integer(RiskCatalogHistory::Version))
                .col(string(RiskCatalogHistory::Change))
                .col(text(RiskCatalogHistory::Snapshot))
                .col(string(RiskCatalogHistory::Username))
                .col(timestamp_with_time_zone(RiskCatalogHistory::At))
                .foreign_key(&mut fk(
                    RiskCatalogHistory::Table,
                    RiskCatalogHistory::CatalogId,
                    RiskCatalogs::Table,
                    RiskCatalogs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;

        let mut t = Table::create()
            .table(RiskPoints::Table)
            .col(big_pk_auto(RiskPoints::Id))
            .col(big_integer(RiskPoints::SchoolId))
            .col(big_integer_null(RiskPoints::CatalogItemId))
            .col(big_integer_null(RiskPoints::ZoneId))
            .col(big_integer_null(RiskPoints::ResponsiblePersonId))
            .take();
        common_columns(&mut t);
        t.col(text(RiskPoints::ControlLevelReason).default(""))
            .col(string(RiskPoints::Status).default("active"))
            .col(text(RiskPoints::RetiredReason).default(""))
            .col(timestamp_with_time_zone_null(RiskPoints::RetiredAt))
            .col(big_integer_null(RiskPoints::CurrentAssessmentId))
            .col(string_null(RiskPoints::CurrentGrade))
            .col(double_null(RiskPoints::CurrentScore))
            .col(date_null(RiskPoints::NextReviewOn))
            .foreign_key(&mut fk(
                RiskPoints::Table,
                RiskPoints::SchoolId,
                Orgs::Table,
                Orgs::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                RiskPoints::Table,
                RiskPoints::CatalogItemId,
                RiskCatalogItems::Table,
                RiskCatalogItems::Id,
                ForeignKeyAction::SetNull,
            ))
            .foreign_key(&mut fk(
                RiskPoints::Table,
                RiskPoints::ZoneId,
                Zones::Table,
                Zones::Id,
                ForeignKeyAction::SetNull,
            ))
            .foreign_key(&mut fk(
                RiskPoints::Table,
                RiskPoints::ResponsiblePersonId,
                People::Table,
                People::Id,
                ForeignKeyAction::SetNull,
            ));
        m.create_table(t).await?;
        m.create_index(
            Index::create()
                .name("uq_risk_points_code")
                .table(RiskPoints::Table)
                .col(RiskPoints::SchoolId)
                .col(Common::Code)
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RiskAssessments::Table)
                .col(big_pk_auto(RiskAssessments::Id))
                .col(big_integer(RiskAssessments::RiskPointId))
                .col(big_integer(RiskAssessments::SchoolId))
                .col(string(RiskAssessments::Method))
                .col(double_null(RiskAssessments::L))
                .col(double_null(RiskAssessments::E))
                .col(double_null(RiskAssessments::C))
                .col(double_null(RiskAssessments::S))
                .col(string_null(RiskAssessments::BandSet))
                .col(text(RiskAssessments::Reason).default(""))
                .col(double_null(RiskAssessments::Score))
                .col(string(RiskAssessments::Grade))
                .col(string(RiskAssessments::RawBand).default(""))
                .col(big_integer_null(RiskAssessments::AssessedBy))
                .col(string(RiskAssessments::AssessedByName))
                .col(timestamp_with_time_zone(RiskAssessments::AssessedAt))
                .foreign_key(&mut fk(
                    RiskAssessments::Table,
                    RiskAssessments::RiskPointId,
                    RiskPoints::Table,
                    RiskPoints::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_assessments_point")
                .table(RiskAssessments::Table)
                .col(RiskAssessments::RiskPointId)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the risk migration cannot be reverted; restore a backup instead".into(),
        ))
    }
}
