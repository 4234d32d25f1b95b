//! The work plan and its evidence: plans per district and year (`work_plans`, each change a
//! new `version` with its snapshot in `work_plan_versions`), their items and obligations;
//! meetings, trainings and education activities; and `compliance_evidence`, the index of
//! every record that can count for an obligation, kept by triggers on its six source tables
//! (drills held, half-month self-inspections, daily duty reports, meetings, trainings,
//! activities) in the writing transaction, like the roll-ups of `m0006_rollups.rs`.
//!
//! The index holds no periods: a semester's days come from `[calendar]` configuration, so the
//! calendar counts the index rows of a period when it is read (one indexed range query).

use super::fk;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

fn to_orgs(table: &str, col: &str) -> ForeignKeyCreateStatement {
    fk(
        a(table),
        a(col),
        a("orgs"),
        a("id"),
        ForeignKeyAction::Restrict,
    )
}

/// A source of evidence: its table, its code in the index, the condition a row must meet and
/// the index row's values (`r` is `NEW`, `OLD` or an alias).
struct Source {
    table: &'static str,
    code: &'static str,
    cond: fn(&str) -> String,
    values: fn(&str, DbBackend) -> [String; 5],
}

/// The China date (UTC+8) of an instant column.
fn china_date(col: &str, b: DbBackend) -> String {
    match b {
        DbBackend::Postgres => {
            format!("CAST(({col} AT TIME ZONE 'UTC') + INTERVAL '8 hours' AS DATE)")
        }
        _ => format!("date({col}, '+8 hours')"),
    }
}

const SOURCES: &[Source] = &[
    Source {
        table: "drills",
        code: "drill",
        cond: |r| format!("{r}.status = 'held' AND {r}.held_on IS NOT NULL"),
        values: |r, _| {
            [
                format!("{r}.school_id"),
                "'drill'".into(),
                format!("{r}.kind"),
                format!("{r}.held_on"),
                format!("{r}.held_on"),
            ]
        },
    },
    Source {
        table: "inspections",
        code: "inspection",
        cond: |r| format!("{r}.kind = 'half_month'"),
        values: |r, b| {
            [
                format!("{r}.school_id"),
                "'self_inspection'".into(),
                "''".into(),
                format!("{r}.inspected_on"),
                china_date(&format!("{r}.submitted_at"), b),
            ]
        },
    },
    Source {
        table: "duty_reports",
        code: "duty_report",
        cond: |_| "1 = 1".into(),
        values: |r, b| {
            [
                format!("{r}.school_id"),
                "'zero_report'".into(),
                "''".into(),
                format!("{r}.date"),
                china_date(&format!("{r}.submitted_at"), b),
            ]
        },
    },
    Source {
        table: "meetings",
        code: "meeting",
        cond: |_| "1 = 1".into(),
        values: |r, b| {
            [
                format!("{r}.org_id"),
                "'meeting'".into(),
                format!("{r}.kind"),
                format!("{r}.held_on"),
                china_date(&format!("{r}.created_at"), b),
            ]
        },
    },
    Source {
        table: "trainings",
        code: "training",
        cond: |_| "1 = 1".into(),
        values: |r, b| {
            [
                format!("{r}.org_id"),
                "'training'".into(),
                format!("{r}.group_code"),
                format!("{r}.held_on"),
                china_date(&format!("{r}.created_at"), b),
            ]
        },
    },
    Source {
        table: "education_activities",
        code: "activity",
        cond: |_| "1 = 1".into(),
        values: |r, b| {
            [
                format!("{r}.school_id"),
                "'activity'".into(),
                format!("{r}.kind"),
                format!("{r}.held_on"),
                china_date(&format!("{r}.created_at"), b),
            ]
        },
    },
];

const COLUMNS: &str = "source, source_id, org_id, evidence, kind, happened_on, recorded_on";

fn select(s: &Source, r: &str, b: DbBackend) -> String {
    let [org, evidence, kind, happened, recorded] = (s.values)(r, b);
    format!(
        "SELECT '{}' AS source, {r}.id AS source_id, {org} AS org_id, {evidence} AS evidence, \
         {kind} AS kind, {happened} AS happened_on, {recorded} AS recorded_on",
        s.code
    )
}

fn add(s: &Source, b: DbBackend) -> String {
    format!(
        "INSERT INTO compliance_evidence ({COLUMNS}) {} WHERE {};",
        select(s, "NEW", b),
        (s.cond)("NEW")
    )
}

fn remove(s: &Source) -> String {
    format!(
        "DELETE FROM compliance_evidence WHERE source = '{}' AND source_id = OLD.id;",
        s.code
    )
}

/// Every index row recomputed from the source tables (one `SELECT` of the index's columns).
fn recomputed(b: DbBackend) -> String {
    SOURCES
        .iter()
        .map(|s| {
            format!(
                "{} FROM {} r WHERE {}",
                select(s, "r", b),
                s.table,
                (s.cond)("r")
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Rebuilds the index from its sources (the repair after a failed verification).
pub(crate) fn rebuild_sql(b: DbBackend) -> [String; 2] {
    [
        "DELETE FROM compliance_evidence".into(),
        format!(
            "INSERT INTO compliance_evidence ({COLUMNS}) {}",
            recomputed(b)
        ),
    ]
}

/// The index as stored and as recomputed, each as rows of text (source, id, org, evidence,
/// kind, happened, recorded).
pub(crate) fn compare_sql(b: DbBackend) -> [String; 2] {
    let row = "SELECT CAST(source AS TEXT), CAST(source_id AS TEXT), CAST(org_id AS TEXT), \
               CAST(evidence AS TEXT), CAST(kind AS TEXT), CAST(happened_on AS TEXT), \
               CAST(recorded_on AS TEXT) FROM";
    [
        format!("{row} compliance_evidence"),
        format!("{row} ({}) counted", recomputed(b)),
    ]
}

async fn triggers(db: &impl ConnectionTrait, b: DbBackend) -> Result<(), DbErr> {
    for s in SOURCES {
        let t = s.table;
        match b {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION compliance_evidence_{t}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP IN ('UPDATE', 'DELETE') THEN {} END IF; \
                       IF TG_OP IN ('INSERT', 'UPDATE') THEN {} END IF; \
                       RETURN NULL; \
                     END $$",
                    remove(s),
                    add(s, b)
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER compliance_evidence_on_{t} AFTER INSERT OR DELETE OR UPDATE \
                     ON {t} FOR EACH ROW EXECUTE FUNCTION compliance_evidence_{t}()"
                ))
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER compliance_evidence_{t}_insert AFTER INSERT ON {t} BEGIN {} END",
                    add(s, b)
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER compliance_evidence_{t}_update AFTER UPDATE ON {t} BEGIN {} {} END",
                    remove(s),
                    add(s, b)
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER compliance_evidence_{t}_delete AFTER DELETE ON {t} BEGIN {} END",
                    remove(s)
                ))
                .await?;
            }
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let stamp = |t: &mut TableCreateStatement| {
            t.col(big_integer_null(a("created_by")))
                .col(string(a("created_by_name")).default(""))
                .col(timestamp_with_time_zone(a("created_at")));
        };
        let mut plans = Table::create();
        plans
            .table(a("work_plans"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("district_id")))
            .col(integer(a("year")))
            .col(string(a("title")))
            // Bumped by every change; each version's contents are in work_plan_versions.
            .col(integer(a("version")).default(1))
            .col(timestamp_with_time_zone(a("updated_at")))
            .foreign_key(&mut to_orgs("work_plans", "district_id"));
        stamp(&mut plans);
        m.create_table(plans).await?;
        m.create_index(
            Index::create()
                .name("ux_work_plans_district_year")
                .table(a("work_plans"))
                .col(a("district_id"))
                .col(a("year"))
                .unique()
                .take(),
        )
        .await?;
        let plan_fk = |t: &str| {
            fk(
                a(t),
                a("plan_id"),
                a("work_plans"),
                a("id"),
                ForeignKeyAction::Cascade,
            )
        };
        m.create_table(
            Table::create()
                .table(a("work_plan_items"))
                .col(big_pk_auto(a("id")))
                .col(big_integer(a("plan_id")))
                .col(integer(a("number")))
                .col(string(a("heading")).default(""))
                .col(string(a("title")))
                .col(text(a("body")).default(""))
                .col(string(a("lead")).default(""))
                // A JSON array of department names.
                .col(text(a("cooperating")).default("[]"))
                .foreign_key(&mut plan_fk("work_plan_items"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("work_plan_obligations"))
                .col(big_pk_auto(a("id")))
                .col(big_integer(a("plan_id")))
                .col(big_integer(a("item_id")))
                .col(integer(a("position")).default(0))
                .col(string(a("who")))
                .col(integer_null(a("min_students")))
                // named: a JSON array of school ids.
                .col(text(a("org_ids")).default("[]"))
                .col(string(a("evidence")))
                .col(string_null(a("kind")))
                .col(string(a("every")))
                .col(integer(a("count")))
                .col(string(a("note")).default(""))
                .foreign_key(&mut plan_fk("work_plan_obligations"))
                .foreign_key(&mut fk(
                    a("work_plan_obligations"),
                    a("item_id"),
                    a("work_plan_items"),
                    a("id"),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        let mut versions = Table::create();
        versions
            .table(a("work_plan_versions"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("plan_id")))
            .col(integer(a("version")))
            // The plan's contents as written (PlanContent, JSON).
            .col(text(a("content")))
            .col(string(a("note")).default(""))
            .foreign_key(&mut plan_fk("work_plan_versions"));
        stamp(&mut versions);
        m.create_table(versions).await?;
        m.create_index(
            Index::create()
                .name("ux_work_plan_versions")
                .table(a("work_plan_versions"))
                .col(a("plan_id"))
                .col(a("version"))
                .unique()
                .take(),
        )
        .await?;
        let mut meetings = Table::create();
        meetings
            .table(a("meetings"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("org_id")))
            .col(string(a("kind")))
            .col(date(a("held_on")))
            .col(string(a("title")))
            .col(text(a("attendees")).default(""))
            .col(text(a("agenda")).default(""))
            .col(text(a("minutes")).default(""))
            .col(text(a("decisions")).default(""))
            .foreign_key(&mut to_orgs("meetings", "org_id"));
        stamp(&mut meetings);
        m.create_table(meetings).await?;
        let mut trainings = Table::create();
        trainings
            .table(a("trainings"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("org_id")))
            .col(string(a("group_code")))
            .col(date(a("held_on")))
            .col(string(a("topic")))
            // Tenths of an hour.
            .col(integer(a("hours_tenths")))
            .col(string(a("trainer")).default(""))
            .col(integer(a("attendee_count")))
            // Named staff (people of the org's school): a JSON array of ids.
            .col(text(a("person_ids")).default("[]"))
            .foreign_key(&mut to_orgs("trainings", "org_id"));
        stamp(&mut trainings);
        m.create_table(trainings).await?;
        let mut activities = Table::create();
        activities
            .table(a("education_activities"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("school_id")))
            .col(string(a("kind")))
            .col(date(a("held_on")))
            .col(string(a("title")))
            .col(integer(a("classes")))
            // Pupils are counted, never named.
            .col(integer(a("pupils")))
            .col(text(a("note")).default(""))
            .foreign_key(&mut to_orgs("education_activities", "school_id"));
        stamp(&mut activities);
        m.create_table(activities).await?;
        for (t, c) in [
            ("meetings", "org_id"),
            ("trainings", "org_id"),
            ("education_activities", "school_id"),
        ] {
            m.create_index(
                Index::create()
                    .name(format!("idx_{t}_org_day"))
                    .table(a(t))
                    .col(a(c))
                    .col(a("held_on"))
                    .take(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(a("compliance_evidence"))
                .col(string(a("source")))
                .col(big_integer(a("source_id")))
                .col(big_integer(a("org_id")))
                .col(string(a("evidence")))
                .col(string(a("kind")))
                .col(date(a("happened_on")))
                .col(date(a("recorded_on")))
                .primary_key(Index::create().col(a("source")).col(a("source_id")))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_compliance_evidence_org")
                .table(a("compliance_evidence"))
                .col(a("org_id"))
                .col(a("happened_on"))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        let b = db.get_database_backend();
        triggers(db, b).await?;
        for sql in rebuild_sql(b) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the work plan migration cannot be reverted; restore a backup instead".into(),
        ))
    }
}
