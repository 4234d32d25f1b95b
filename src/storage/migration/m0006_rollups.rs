//! Roll-ups kept on write: `hazard_counts` holds, per school, how many hazards are in each
//! status, by major level, bureau supervision and (while the deadline clock runs) deadline —
//! enough for a list's counts, its overdue and supervised figures without reading hazards.
//! Triggers on `hazards` keep it in the same transaction as every insert, step and delete, on
//! both databases, so no write path can forget it; `safecampus rollups verify` recomputes it
//! from the hazards and reports any difference.
//!
//! A hazard whose clock is stopped (accepted, closed, cancelled), or that has no deadline,
//! counts under the deadline `9999-12-31`, which no day is past.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The roll-up key of a hazards row (`r` is `NEW`, `OLD` or a table alias), in the order of
/// `hazard_counts`' key columns.
fn key_parts(r: &str, backend: DbBackend) -> [String; 5] {
    let (no_day, falsy) = match backend {
        DbBackend::Postgres => ("DATE '9999-12-31'", "false"),
        _ => ("'9999-12-31'", "0"),
    };
    [
        format!("{r}.school_id"),
        format!("{r}.status"),
        format!("COALESCE({r}.level = 'major', {falsy})"),
        format!("{r}.supervised"),
        format!(
            "CASE WHEN {r}.status IN ('accepted', 'closed', 'cancelled') OR {r}.deadline IS NULL \
             THEN {no_day} ELSE {r}.deadline END"
        ),
    ]
}

fn key(r: &str, backend: DbBackend) -> String {
    key_parts(r, backend).join(", ")
}

fn add(r: &str, backend: DbBackend) -> String {
    format!(
        "INSERT INTO hazard_counts (school_id, status, major, supervised, deadline, n) \
         VALUES ({}, 1) ON CONFLICT (school_id, status, major, supervised, deadline) \
         DO UPDATE SET n = hazard_counts.n + 1;",
        key(r, backend)
    )
}

fn remove(r: &str, backend: DbBackend) -> String {
    format!(
        "UPDATE hazard_counts SET n = n - 1 WHERE (school_id, status, major, supervised, deadline) \
         = ({});",
        key(r, backend)
    )
}

/// Recomputes `hazard_counts` from `hazards` (the migration's backfill, and the repair after a
/// failed verification).
pub(crate) fn rebuild_sql(backend: DbBackend) -> [String; 2] {
    let k = key("h", backend);
    [
        "DELETE FROM hazard_counts".to_string(),
        format!(
            "INSERT INTO hazard_counts (school_id, status, major, supervised, deadline, n) \
             SELECT {k}, COUNT(*) FROM hazards h GROUP BY {k}"
        ),
    ]
}

/// The roll-up as stored and as recomputed from `hazards`, each as rows of
/// (school, status, major 0/1, supervised 0/1, deadline text, n) with `n` ≠ 0.
pub(crate) fn compare_sql(backend: DbBackend) -> [String; 2] {
    let row = "SELECT school_id, status, CAST(major AS INTEGER), CAST(supervised AS INTEGER), \
               CAST(deadline AS TEXT), n FROM";
    let names = ["school_id", "status", "major", "supervised", "deadline"];
    let counted: Vec<String> = key_parts("h", backend)
        .into_iter()
        .zip(names)
        .map(|(e, n)| format!("{e} AS {n}"))
        .collect();
    [
        format!("{row} hazard_counts WHERE n <> 0"),
        format!(
            "{row} (SELECT {}, COUNT(*) AS n FROM hazards h GROUP BY 1, 2, 3, 4, 5) counted",
            counted.join(", ")
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let (date, boolean) = match backend {
            DbBackend::Postgres => ("DATE", "BOOLEAN"),
            _ => ("TEXT", "BOOLEAN"),
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE hazard_counts (school_id BIGINT NOT NULL REFERENCES orgs (id), \
             status TEXT NOT NULL, major {boolean} NOT NULL, supervised {boolean} NOT NULL, \
             deadline {date} NOT NULL, n BIGINT NOT NULL, \
             PRIMARY KEY (school_id, status, major, supervised, deadline))"
        ))
        .await?;
        let watched = "school_id, status, level, supervised, deadline";
        match backend {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION hazard_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP IN ('UPDATE', 'DELETE') THEN {} END IF; \
                       IF TG_OP IN ('INSERT', 'UPDATE') THEN {} END IF; \
                       RETURN NULL; \
                     END $$",
                    remove("OLD", backend),
                    add("NEW", backend)
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER hazard_counts_on_write AFTER INSERT OR DELETE OR UPDATE OF \
                     {watched} ON hazards FOR EACH ROW EXECUTE FUNCTION hazard_counts_apply()"
                ))
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER hazard_counts_on_insert AFTER INSERT ON hazards BEGIN {} END",
                    add("NEW", backend)
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER hazard_counts_on_update AFTER UPDATE OF {watched} ON hazards \
                     BEGIN {} {} END",
                    remove("OLD", backend),
                    add("NEW", backend)
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER hazard_counts_on_delete AFTER DELETE ON hazards BEGIN {} END",
                    remove("OLD", backend)
                ))
                .await?;
            }
        }
        for sql in rebuild_sql(backend) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the roll-up migration cannot be reverted; restore a backup instead".into(),
        ))
    }
}
