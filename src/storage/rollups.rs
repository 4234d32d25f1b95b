//! The operator's check and repair of the roll-ups kept on write (`safecampus rollups
//! verify|rebuild`): every roll-up is recomputed from the rows it counts and compared.

use super::migration::{m0006_rollups, m0028_risk_counts};
use super::seed::Unscoped;
use crate::error::Result;
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use std::collections::BTreeMap;

/// One key whose stored count differs from the count of its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub rollup: &'static str,
    pub key: String,
    pub stored: i64,
    pub counted: i64,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: stored {}, counted {}",
            self.rollup, self.key, self.stored, self.counted
        )
    }
}

type Counts = BTreeMap<String, i64>;

async fn counts(conn: &impl ConnectionTrait, sql: &str) -> Result<Counts> {
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?;
    let mut out = Counts::new();
    for r in rows {
        let key = format!(
            "school {} status {} major {} supervised {} deadline {}",
            r.try_get_by_index::<i64>(0)?,
            r.try_get_by_index::<String>(1)?,
            r.try_get_by_index::<i32>(2)?,
            r.try_get_by_index::<i32>(3)?,
            r.try_get_by_index::<String>(4)?,
        );
        *out.entry(key).or_default() += r.try_get_by_index::<i64>(5)?;
    }
    out.retain(|_, n| *n != 0);
    Ok(out)
}

/// Counts of (school, grade) (the risk points' roll-up).
async fn grades(conn: &impl ConnectionTrait, sql: &str) -> Result<Counts> {
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?;
    let mut out = Counts::new();
    for r in rows {
        let key = format!(
            "school {} grade {}",
            r.try_get_by_index::<i64>(0)?,
            r.try_get_by_index::<String>(1)?,
        );
        *out.entry(key).or_default() += r.try_get_by_index::<i64>(2)?;
    }
    out.retain(|_, n| *n != 0);
    Ok(out)
}

/// Whole rows of text, each counted once per occurrence (the compliance index's check).
async fn rows(conn: &impl ConnectionTrait, sql: &str) -> Result<Counts> {
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?;
    let mut out = Counts::new();
    for r in rows {
        let key: Vec<String> = (0..7)
            .map(|i| {
                r.try_get_by_index::<Option<String>>(i)
                    .map(|v| v.unwrap_or_default())
            })
            .collect::<std::result::Result<_, _>>()?;
        *out.entry(key.join(" ")).or_default() += 1;
    }
    Ok(out)
}

fn differences(rollup: &'static str, stored: &Counts, counted: &Counts) -> Vec<Difference> {
    let mut keys: Vec<&String> = stored.keys().chain(counted.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (s, c) = (
                stored.get(k).copied().unwrap_or(0),
                counted.get(k).copied().unwrap_or(0),
            );
            (s != c).then(|| Difference {
                rollup,
                key: k.clone(),
                stored: s,
                counted: c,
            })
        })
        .collect()
}

impl Unscoped {
    /// Recomputes every roll-up from its rows, in one read transaction, and lists the
    /// differences (none when the triggers kept them).
    pub async fn verify_rollups(&self) -> Result<Vec<Difference>> {
        let txn = self.conn.begin().await?;
        let [stored, counted] = m0006_rollups::compare_sql(txn.get_database_backend());
        let stored = counts(&txn, &stored).await?;
        let counted = counts(&txn, &counted).await?;
        let mut out = differences("hazard_counts", &stored, &counted);
        let [stored, counted] = m0028_risk_counts::compare_sql();
        let stored = grades(&txn, &stored).await?;
        let counted = grades(&txn, &counted).await?;
        out.extend(differences("risk_counts", &stored, &counted));
        let [stored, counted] = super::compliance::verify_sql(txn.get_database_backend());
        let stored = rows(&txn, &stored).await?;
        let counted = rows(&txn, &counted).await?;
        out.extend(differences("compliance_evidence", &stored, &counted));
        txn.commit().await?;
        Ok(out)
    }

    /// Recomputes every roll-up from its rows (after a failed verification).
    pub async fn rebuild_rollups(&self) -> Result<()> {
        let txn = super::begin_write(&self.conn).await?;
        for sql in m0006_rollups::rebuild_sql(txn.get_database_backend()) {
            txn.execute_unprepared(&sql).await?;
        }
        for sql in m0028_risk_counts::rebuild_sql() {
            txn.execute_unprepared(&sql).await?;
        }
        for sql in super::compliance::rebuild_sql(txn.get_database_backend()) {
            txn.execute_unprepared(&sql).await?;
        }
        txn.commit().await?;
        Ok(())
    }
}
