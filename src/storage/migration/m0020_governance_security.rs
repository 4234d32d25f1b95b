//! Governance and security (items 15 and 16 of the work plan): the bureau's concentrated
//! governance actions (集中整治 / 专项行动) with the schools they target and each school's
//! result; the yearly star ratings awarded to schools (each award a new row: the history);
//! the security register of every school (guards and technical protection).
//!
//! An action with at least one result is evidence `governance` of the bureau that launched it:
//! a trigger on `governance_actions` keeps its `compliance_evidence` row, like the sources of
//! `m0017_work_plan` ([`SOURCE_SELECT`], [`verify_sql`] and [`rebuild_sql`] extend that
//! migration's verification to it).

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

fn to_actions(table: &str) -> ForeignKeyCreateStatement {
    fk(
        a(table),
        a("action_id"),
        a("governance_actions"),
        a("id"),
        ForeignKeyAction::Restrict,
    )
}

fn stamp(t: &mut TableCreateStatement, who: &str, when: &str) {
    t.col(big_integer_null(a(&format!("{who}_by"))))
        .col(string(a(&format!("{who}_by_name"))).default(""))
        .col(timestamp_with_time_zone(a(when)));
}

async fn index(
    m: &SchemaManager<'_>,
    table: &str,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    let prefix = if unique { "ux" } else { "idx" };
    i.name(format!("{prefix}_{table}_{}", cols.join("_")))
        .table(a(table));
    if unique {
        i.unique();
    }
    for c in cols {
        i.col(a(c));
    }
    m.create_index(i).await
}

/// The evidence row of an action with results (`r` is `NEW`, `OLD` or an alias): the bureau,
/// `governance`, the action's kind, its first day, the day its first result came in.
const SOURCE_SELECT: &str = "SELECT 'governance' AS source, {r}.id AS source_id, {r}.org_id AS org_id, \
     'governance' AS evidence, {r}.kind AS kind, {r}.starts_on AS happened_on, \
     {r}.first_result_on AS recorded_on";
const SOURCE_COND: &str = "{r}.first_result_on IS NOT NULL";
const COLUMNS: &str = "source, source_id, org_id, evidence, kind, happened_on, recorded_on";

fn select(r: &str) -> String {
    SOURCE_SELECT.replace("{r}", r)
}

fn cond(r: &str) -> String {
    SOURCE_COND.replace("{r}", r)
}

fn add() -> String {
    format!(
        "INSERT INTO compliance_evidence ({COLUMNS}) {} WHERE {};",
        select("NEW"),
        cond("NEW")
    )
}

const REMOVE: &str =
    "DELETE FROM compliance_evidence WHERE source = 'governance' AND source_id = OLD.id;";

/// `m0017_work_plan`'s verification with this migration's source: the index as stored, and
/// as recomputed from every source.
pub(crate) fn verify_sql(b: DbBackend) -> [String; 2] {
    let [stored, counted] = super::m0017_work_plan::compare_sql(b);
    let row = "SELECT CAST(source AS TEXT), CAST(source_id AS TEXT), CAST(org_id AS TEXT), \
               CAST(evidence AS TEXT), CAST(kind AS TEXT), CAST(happened_on AS TEXT), \
               CAST(recorded_on AS TEXT) FROM";
    [
        stored,
        format!(
            "{counted} UNION ALL {row} ({} FROM governance_actions r WHERE {}) governed",
            select("r"),
            cond("r")
        ),
    ]
}

/// `m0017_work_plan`'s rebuild, then this migration's source.
pub(crate) fn rebuild_sql(b: DbBackend) -> Vec<String> {
    let mut out: Vec<String> = super::m0017_work_plan::rebuild_sql(b).into();
    out.push(format!(
        "INSERT INTO compliance_evidence ({COLUMNS}) {} FROM governance_actions r WHERE {}",
        select("r"),
        cond("r")
    ));
    out
}

async fn trigger(db: &impl ConnectionTrait, b: DbBackend) -> Result<(), DbErr> {
    let t = "governance_actions";
    match b {
        DbBackend::Postgres => {
            db.execute_unprepared(&format!(
                "CREATE FUNCTION compliance_evidence_{t}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF TG_OP IN ('UPDATE', 'DELETE') THEN {REMOVE} END IF; \
                   IF TG_OP IN ('INSERT', 'UPDATE') THEN {} END IF; \
                   RETURN NULL; \
                 END $$",
                add()
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
                add()
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER compliance_evidence_{t}_update AFTER UPDATE ON {t} BEGIN {REMOVE} {} END",
                add()
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER compliance_evidence_{t}_delete AFTER DELETE ON {t} BEGIN {REMOVE} END"
            ))
            .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut actions = Table::create();
        actions
            .table(a("governance_actions"))
            .col(big_pk_auto(a("id")))
            // The bureau that launched it (a district or the city).
            .col(big_integer(a("org_id")))
            .col(string(a("kind")))
            .col(string(a("title")))
            .col(text(a("targets")).default(""))
            .col(date(a("starts_on")))
            .col(date(a("ends_on")))
            // What each school checks: a JSON array of strings.
            .col(text(a("checklist")).default("[]"))
            // Kept with every result in the result's transaction: the evidence trigger's
            // condition and its day.
            .col(integer(a("results")).default(0))
            .col(date_null(a("first_result_on")))
            .foreign_key(&mut to_orgs("governance_actions", "org_id"));
        stamp(&mut actions, "created", "created_at");
        m.create_table(actions).await?;
        index(m, "governance_actions", &["org_id", "starts_on"], false).await?;

        let mut schools = Table::create();
        schools
            .table(a("governance_schools"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("action_id")))
            .col(big_integer(a("school_id")))
            .foreign_key(&mut to_actions("governance_schools"))
            .foreign_key(&mut to_orgs("governance_schools", "school_id"));
        m.create_table(schools).await?;
        index(m, "governance_schools", &["action_id", "school_id"], true).await?;
        index(m, "governance_schools", &["school_id"], false).await?;

        let mut results = Table::create();
        results
            .table(a("governance_results"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("action_id")))
            .col(big_integer(a("school_id")))
            // One answer per checklist item: a JSON array of booleans.
            .col(text(a("checks")).default("[]"))
            .col(integer(a("found")).default(0))
            .col(integer(a("fixed")).default(0))
            .col(text(a("summary")).default(""))
            .col(date(a("reported_on")))
            .foreign_key(&mut to_actions("governance_results"))
            .foreign_key(&mut to_orgs("governance_results", "school_id"));
        stamp(&mut results, "reported", "reported_at");
        m.create_table(results).await?;
        index(m, "governance_results", &["action_id", "school_id"], true).await?;

        let mut ratings = Table::create();
        ratings
            .table(a("star_ratings"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("school_id")))
            .col(integer(a("year")))
            .col(integer(a("stars")))
            // The criteria as computed when awarded: a JSON array.
            .col(text(a("criteria")).default("[]"))
            .col(text(a("note")).default(""))
            .foreign_key(&mut to_orgs("star_ratings", "school_id"));
        stamp(&mut ratings, "rated", "rated_at");
        m.create_table(ratings).await?;
        index(m, "star_ratings", &["school_id", "year"], false).await?;

        let mut register = Table::create();
        register
            .table(a("security_equipment"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("school_id")))
            // `guard`, `camera`, `one_key_alarm`, `access_control`, `perimeter`, …
            .col(string(a("kind")))
            // The guard's name, or the device's name and place.
            .col(string(a("name")))
            .col(string(a("location")).default(""))
            .col(integer(a("quantity")).default(1))
            .col(boolean(a("working")).default(true))
            .col(boolean_null(a("linked_police")))
            .col(integer_null(a("retention_days")))
            // Guards: the licence number, year of birth, full time.
            .col(string(a("licence")).default(""))
            .col(integer_null(a("birth_year")))
            .col(boolean_null(a("full_time")))
            .col(boolean(a("retired")).default(false))
            .foreign_key(&mut to_orgs("security_equipment", "school_id"));
        stamp(&mut register, "updated", "updated_at");
        m.create_table(register).await?;
        index(m, "security_equipment", &["school_id", "kind"], false).await?;

        let db = m.get_connection();
        trigger(db, db.get_database_backend()).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the governance and security migration cannot be reverted; restore a backup instead"
                .into(),
        ))
    }
}
