//! Emergency, part two: holiday duty (值班值宿) and the daily zero report (零报告) — duty
//! periods set up by a bureau, the units that report in each, each unit's roster (its days as
//! JSON: date, leader, officers, phones) and its daily reports, one per unit and date.

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
enum DutyPeriods {
    Table,
    Id,
    OrgId,
    Name,
    FirstDay,
    LastDay,
    Cutoff,
    CreatedBy,
    CreatedByName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DutyUnits {
    Table,
    Id,
    PeriodId,
    SchoolId,
}

#[derive(DeriveIden)]
enum DutyRosters {
    Table,
    Id,
    PeriodId,
    SchoolId,
    Days,
    WithoutLeader,
    SubmittedBy,
    SubmittedByName,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum DutyReports {
    Table,
    Id,
    PeriodId,
    SchoolId,
    Date,
    Zero,
    Incidents,
    SubmittedAt,
    SubmittedBy,
    SubmittedByName,
    UpdatedAt,
    UpdatedBy,
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
        m.create_table(
            Table::create()
                .table(DutyPeriods::Table)
                .col(big_pk_auto(DutyPeriods::Id))
                // The bureau (a district or city) that set the period up.
                .col(big_integer(DutyPeriods::OrgId))
                .col(string(DutyPeriods::Name))
                .col(date(DutyPeriods::FirstDay))
                .col(date(DutyPeriods::LastDay))
                // The daily report's cutoff, China time, HH:MM:SS.
                .col(string(DutyPeriods::Cutoff))
                .col(big_integer_null(DutyPeriods::CreatedBy))
                .col(string(DutyPeriods::CreatedByName).default(""))
                .col(timestamp_with_time_zone(DutyPeriods::CreatedAt))
                .foreign_key(&mut fk(
                    DutyPeriods::Table,
                    DutyPeriods::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DutyUnits::Table)
                .col(big_pk_auto(DutyUnits::Id))
                .col(big_integer(DutyUnits::PeriodId))
                .col(big_integer(DutyUnits::SchoolId))
                .foreign_key(&mut fk(
                    DutyUnits::Table,
                    DutyUnits::PeriodId,
                    DutyPeriods::Table,
                    DutyPeriods::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    DutyUnits::Table,
                    DutyUnits::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(unique(
            "idx_duty_units_period_school",
            DutyUnits::Table,
            &["period_id", "school_id"],
        ))
        .await?;
        m.create_index(
            Index::create()
                .name("idx_duty_units_school")
                .table(DutyUnits::Table)
                .col(DutyUnits::SchoolId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DutyRosters::Table)
                .col(big_pk_auto(DutyRosters::Id))
                .col(big_integer(DutyRosters::PeriodId))
                .col(big_integer(DutyRosters::SchoolId))
                // The roster's days: [{date, leader, officers, duty_phone}].
                .col(text(DutyRosters::Days).default("[]"))
                // Days with officers but no leader on duty: a JSON array of dates.
                .col(text(DutyRosters::WithoutLeader).default("[]"))
                .col(big_integer_null(DutyRosters::SubmittedBy))
                .col(string(DutyRosters::SubmittedByName).default(""))
                .col(timestamp_with_time_zone(DutyRosters::SubmittedAt))
                .foreign_key(&mut fk(
                    DutyRosters::Table,
                    DutyRosters::PeriodId,
                    DutyPeriods::Table,
                    DutyPeriods::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    DutyRosters::Table,
                    DutyRosters::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(unique(
            "idx_duty_rosters_period_school",
            DutyRosters::Table,
            &["period_id", "school_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(DutyReports::Table)
                .col(big_pk_auto(DutyReports::Id))
                .col(big_integer(DutyReports::PeriodId))
                .col(big_integer(DutyReports::SchoolId))
                .col(date(DutyReports::Date))
                // 无事报平安: nothing happened.
                .col(boolean(DutyReports::Zero))
                .col(text(DutyReports::Incidents).default(""))
                // The first report of the day: its timeliness.
                .col(timestamp_with_time_zone(DutyReports::SubmittedAt))
                .col(big_integer_null(DutyReports::SubmittedBy))
                .col(string(DutyReports::SubmittedByName).default(""))
                .col(timestamp_with_time_zone(DutyReports::UpdatedAt))
                .col(big_integer_null(DutyReports::UpdatedBy))
                .foreign_key(&mut fk(
                    DutyReports::Table,
                    DutyReports::PeriodId,
                    DutyPeriods::Table,
                    DutyPeriods::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    DutyReports::Table,
                    DutyReports::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(unique(
            "idx_duty_reports_period_school_date",
            DutyReports::Table,
            &["period_id", "school_id", "date"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            DutyReports::Table.into_iden(),
            DutyRosters::Table.into_iden(),
            DutyUnits::Table.into_iden(),
            DutyPeriods::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
