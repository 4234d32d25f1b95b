//! Emergency, part three: incident reports (紧急信息报告) — an incident of a school, its
//! numbered reports (first, follow-ups, final; each immutable once sent: a trigger refuses
//! any UPDATE or DELETE of `incident_reports`), and the bureaus' receipts of each report
//! (acknowledged, and reported upward: to whom, when). And the rest of holiday duty: the
//! duty officer's check-in on the day, the bureau's phone spot checks, and the incidents a
//! daily report names (`duty_reports.incident_ids`).

use super::fk;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The message a changed or removed report gets.
pub const REFUSED: &str = "incident reports are immutable once sent";

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DutyPeriods {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DutyReports {
    Table,
    IncidentIds,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    SchoolId,
    IncidentType,
    Level,
    OccurredAt,
    KnownAt,
    Place,
    Summary,
    Deaths,
    Injured,
    Missing,
    Status,
    Reports,
    LateReports,
    LastReportAt,
    CreatedBy,
    CreatedByName,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum IncidentReports {
    Table,
    Id,
    IncidentId,
    Seq,
    Kind,
    Level,
    Deaths,
    Injured,
    Missing,
    Summary,
    Measures,
    Persons,
    PersonsNamed,
    Reporter,
    Phone,
    DueAt,
    LateMinutes,
    SentAt,
    SentBy,
    SentByName,
}

#[derive(DeriveIden)]
enum IncidentReceipts {
    Table,
    Id,
    ReportId,
    IncidentId,
    OrgId,
    AcknowledgedAt,
    AcknowledgedBy,
    AcknowledgedByName,
    ForwardedTo,
    ForwardedAt,
    ForwardedByName,
}

#[derive(DeriveIden)]
enum DutyCheckIns {
    Table,
    Id,
    PeriodId,
    SchoolId,
    Date,
    UserId,
    Name,
    OnRoster,
    CheckedInAt,
}

#[derive(DeriveIden)]
enum DutySpotChecks {
    Table,
    Id,
    PeriodId,
    SchoolId,
    OrgId,
    CalledAt,
    Phone,
    Answered,
    CalledBackAt,
    Result,
    Note,
    CheckedBy,
    CheckedByName,
    CreatedAt,
}

fn index(name: &str, table: impl IntoIden, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    if unique {
        i.unique();
    }
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
                .table(Incidents::Table)
                .col(big_pk_auto(Incidents::Id))
                .col(big_integer(Incidents::SchoolId))
                .col(string(Incidents::IncidentType))
                // The latest report's level and counts (projections for the lists).
                .col(string(Incidents::Level))
                .col(timestamp_with_time_zone(Incidents::OccurredAt))
                // When the school learnt of it: the report clocks start here.
                .col(timestamp_with_time_zone(Incidents::KnownAt))
                .col(text(Incidents::Place))
                .col(text(Incidents::Summary))
                .col(big_integer(Incidents::Deaths).default(0))
                .col(big_integer(Incidents::Injured).default(0))
                .col(big_integer(Incidents::Missing).default(0))
                // open | closed (the final report was sent).
                .col(string(Incidents::Status))
                .col(integer(Incidents::Reports).default(0))
                // Reports sent after their deadline (迟报), as recorded when each was sent.
                .col(integer(Incidents::LateReports).default(0))
                .col(timestamp_with_time_zone(Incidents::LastReportAt))
                .col(big_integer_null(Incidents::CreatedBy))
                .col(string(Incidents::CreatedByName).default(""))
                .col(timestamp_with_time_zone(Incidents::CreatedAt))
                .col(timestamp_with_time_zone(Incidents::UpdatedAt))
                .col(integer(Incidents::Version).default(0))
                .foreign_key(&mut fk(
                    Incidents::Table,
                    Incidents::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_incidents_school_known",
            Incidents::Table,
            &["school_id", "known_at"],
            false,
        ))
        .await?;
        m.create_index(index(
            "idx_incidents_status",
            Incidents::Table,
            &["status"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(IncidentReports::Table)
                .col(big_pk_auto(IncidentReports::Id))
                .col(big_integer(IncidentReports::IncidentId))
                // 1 for the first report, then in order.
                .col(integer(IncidentReports::Seq))
                .col(string(IncidentReports::Kind))
                .col(string(IncidentReports::Level))
                .col(big_integer(IncidentReports::Deaths).default(0))
                .col(big_integer(IncidentReports::Injured).default(0))
                .col(big_integer(IncidentReports::Missing).default(0))
                // What happened, or how it developed.
                .col(text(IncidentReports::Summary))
                .col(text(IncidentReports::Measures).default(""))
                // The people hurt by name (minors: sensitive), JSON; read only for those
                // allowed to see them. Lists read `persons_named`.
                .col(text(IncidentReports::Persons).default("[]"))
                .col(integer(IncidentReports::PersonsNamed).default(0))
                .col(string(IncidentReports::Reporter))
                .col(string(IncidentReports::Phone))
                // The deadline in force when it was sent, and how late it was (迟报).
                .col(timestamp_with_time_zone(IncidentReports::DueAt))
                .col(big_integer(IncidentReports::LateMinutes).default(0))
                .col(timestamp_with_time_zone(IncidentReports::SentAt))
                .col(big_integer_null(IncidentReports::SentBy))
                .col(string(IncidentReports::SentByName).default(""))
                .foreign_key(&mut fk(
                    IncidentReports::Table,
                    IncidentReports::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_incident_reports_incident_seq",
            IncidentReports::Table,
            &["incident_id", "seq"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(IncidentReceipts::Table)
                .col(big_pk_auto(IncidentReceipts::Id))
                .col(big_integer(IncidentReceipts::ReportId))
                .col(big_integer(IncidentReceipts::IncidentId))
                // The bureau that acknowledged it.
                .col(big_integer(IncidentReceipts::OrgId))
                .col(timestamp_with_time_zone(IncidentReceipts::AcknowledgedAt))
                .col(big_integer_null(IncidentReceipts::AcknowledgedBy))
                .col(string(IncidentReceipts::AcknowledgedByName).default(""))
                // The bureau's own report upward: to whom, when.
                .col(string_null(IncidentReceipts::ForwardedTo))
                .col(timestamp_with_time_zone_null(IncidentReceipts::ForwardedAt))
                .col(string(IncidentReceipts::ForwardedByName).default(""))
                .foreign_key(&mut fk(
                    IncidentReceipts::Table,
                    IncidentReceipts::ReportId,
                    IncidentReports::Table,
                    IncidentReports::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    IncidentReceipts::Table,
                    IncidentReceipts::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    IncidentReceipts::Table,
                    IncidentReceipts::OrgId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_incident_receipts_report_org",
            IncidentReceipts::Table,
            &["report_id", "org_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "idx_incident_receipts_incident",
            IncidentReceipts::Table,
            &["incident_id"],
            false,
        ))
        .await?;

        // Holiday duty: check-ins and phone spot checks.
        m.create_table(
            Table::create()
                .table(DutyCheckIns::Table)
                .col(big_pk_auto(DutyCheckIns::Id))
                .col(big_integer(DutyCheckIns::PeriodId))
                .col(big_integer(DutyCheckIns::SchoolId))
                .col(date(DutyCheckIns::Date))
                .col(big_integer(DutyCheckIns::UserId))
                .col(string(DutyCheckIns::Name))
                // Whether the person is on the roster's day (leader or officer).
                .col(boolean(DutyCheckIns::OnRoster))
                .col(timestamp_with_time_zone(DutyCheckIns::CheckedInAt))
                .foreign_key(&mut fk(
                    DutyCheckIns::Table,
                    DutyCheckIns::PeriodId,
                    DutyPeriods::Table,
                    DutyPeriods::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    DutyCheckIns::Table,
                    DutyCheckIns::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_duty_check_ins_unit_day_user",
            DutyCheckIns::Table,
            &["period_id", "school_id", "date", "user_id"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(DutySpotChecks::Table)
                .col(big_pk_auto(DutySpotChecks::Id))
                .col(big_integer(DutySpotChecks::PeriodId))
                .col(big_integer(DutySpotChecks::SchoolId))
                // The checking bureau.
                .col(big_integer_null(DutySpotChecks::OrgId))
                .col(timestamp_with_time_zone(DutySpotChecks::CalledAt))
                .col(string(DutySpotChecks::Phone).default(""))
                .col(boolean(DutySpotChecks::Answered))
                .col(timestamp_with_time_zone_null(DutySpotChecks::CalledBackAt))
                // answered | called_back | called_back_late | no_answer
                .col(string(DutySpotChecks::Result))
                .col(text(DutySpotChecks::Note).default(""))
                .col(big_integer_null(DutySpotChecks::CheckedBy))
                .col(string(DutySpotChecks::CheckedByName).default(""))
                .col(timestamp_with_time_zone(DutySpotChecks::CreatedAt))
                .foreign_key(&mut fk(
                    DutySpotChecks::Table,
                    DutySpotChecks::PeriodId,
                    DutyPeriods::Table,
                    DutyPeriods::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    DutySpotChecks::Table,
                    DutySpotChecks::SchoolId,
                    Orgs::Table,
                    Orgs::Id,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_duty_spot_checks_unit",
            DutySpotChecks::Table,
            &["period_id", "school_id"],
            false,
        ))
        .await?;
        // The incidents a daily report names (a JSON array of ids).
        m.alter_table(
            Table::alter()
                .table(DutyReports::Table)
                .add_column(text(DutyReports::IncidentIds).default("[]"))
                .take(),
        )
        .await?;

        // A report, once sent, is never changed or removed.
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION incident_reports_immutable() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REFUSED}'; END $$"
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER incident_reports_no_change BEFORE UPDATE OR DELETE \
                     ON incident_reports FOR EACH ROW EXECUTE FUNCTION \
                     incident_reports_immutable()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER incident_reports_no_{} BEFORE {op} ON incident_reports \
                         BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END",
                        op.to_lowercase()
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS incident_reports_no_change ON incident_reports",
                )
                .await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS incident_reports_immutable()")
                    .await?;
            }
            _ => {
                for op in ["update", "delete"] {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS incident_reports_no_{op}"
                    ))
                    .await?;
                }
            }
        }
        m.alter_table(
            Table::alter()
                .table(DutyReports::Table)
                .drop_column(DutyReports::IncidentIds)
                .take(),
        )
        .await?;
        for t in [
            DutySpotChecks::Table.into_iden(),
            DutyCheckIns::Table.into_iden(),
            IncidentReceipts::Table.into_iden(),
            IncidentReports::Table.into_iden(),
            Incidents::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
