//! Roll-up kept on write: `risk_counts` holds, per school, how many **active** risk points
//! stand at each current grade (`''` for a point not yet assessed) — what the district's and
//! the city's risk summaries and the four-colour overview count, without reading the points.
//! Triggers on `risk_points` keep it in the same transaction as every insert, re-assessment,
//! retirement, move and delete, on both databases; `safecampus rollups verify` recomputes it
//! from the points and reports any difference.
//!
//! Points due for re-assessment depend on the day, so they are not rolled up: an index on
//! `(status, next_review_on, school_id)` lets the summary count only the points that are due.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The roll-up key of a `risk_points` row (`r` is `NEW`, `OLD` or a table alias).
fn key(r: &str) -> String {
    format!("{r}.school_id, COALESCE({r}.current_grade, '')")
}

fn add(r: &str) -> String {
    format!(
        "INSERT INTO risk_counts (school_id, grade, n) SELECT {}, 1 WHERE {r}.status = 'active' \
         ON CONFLICT (school_id, grade) DO UPDATE SET n = risk_counts.n + 1;",
        key(r)
    )
}

fn remove(r: &str) -> String {
    format!(
        "UPDATE risk_counts SET n = n - 1 WHERE {r}.status = 'active' \
         AND (school_id, grade) = ({});",
        key(r)
    )
}

/// Recomputes `risk_counts` from `risk_points` (the migration's backfill, and the repair after
/// a failed verification).
pub(crate) fn rebuild_sql() -> [String; 2] {
    let k = key("p");
    [
        "DELETE FROM risk_counts".to_string(),
        format!(
            "INSERT INTO risk_counts (school_id, grade, n) \
             SELECT {k}, COUNT(*) FROM risk_points p WHERE p.status = 'active' GROUP BY {k}"
        ),
    ]
}

/// The roll-up as stored and as recomputed, each as rows of (school, grade, n) with `n` ≠ 0.
pub(crate) fn compare_sql() -> [String; 2] {
    [
        "SELECT school_id, grade, n FROM risk_counts WHERE n <> 0".to_string(),
        format!(
            "SELECT {}, COUNT(*) FROM risk_points p WHERE p.status = 'active' GROUP BY 1, 2",
            key("p")
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        db.execute_unprepared(
            "CREATE TABLE risk_counts (school_id BIGINT NOT NULL REFERENCES orgs (id), \
             grade TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (school_id, grade))",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_risk_points_due ON risk_points (status, next_review_on, school_id)",
        )
        .await?;
        let watched = "school_id, status, current_grade";
        match backend {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION risk_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP IN ('UPDATE', 'DELETE') THEN {} END IF; \
                       IF TG_OP IN ('INSERT', 'UPDATE') THEN {} END IF; \
                       RETURN NULL; \
                     END $$",
                    remove("OLD"),
                    add("NEW")
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER risk_counts_on_write AFTER INSERT OR DELETE OR UPDATE OF \
                     {watched} ON risk_points FOR EACH ROW EXECUTE FUNCTION risk_counts_apply()"
                ))
                .await?;
            }
            _ => {
                // One statement: a pool's other connections must never see part of the set.
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER risk_counts_on_insert AFTER INSERT ON risk_points BEGIN {} END; \
                     CREATE TRIGGER risk_counts_on_update AFTER UPDATE OF {watched} ON risk_points \
                     BEGIN {} {} END; \
                     CREATE TRIGGER risk_counts_on_delete AFTER DELETE ON risk_points BEGIN {} END;",
                    add("NEW"),
                    remove("OLD"),
                    add("NEW"),
                    remove("OLD")
                ))
                .await?;
            }
        }
        for sql in rebuild_sql() {
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
