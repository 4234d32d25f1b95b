//! The roll-ups kept on write: after the demo's history, reports over HTTP and random writes
//! straight into `hazards` (status, level, supervision, deadline, school, inserts and
//! deletes — what no API offers, so every write path is covered, not only the ones the
//! application takes), the stored counts equal the counts of the rows; a tampered count is
//! found and a rebuild repairs it; the list's counts from the roll-up equal those counted over
//! the hazards.

mod common;
use axum::http::{Method, StatusCode};
use common::TestApp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use safecampus::storage::Operator;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;

async fn exec(conn: &sea_orm::DatabaseConnection, sql: &str) {
    conn.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn ids(conn: &sea_orm::DatabaseConnection, sql: &str) -> Vec<i64> {
    conn.query_all_raw(sea_orm::Statement::from_string(
        conn.get_database_backend(),
        sql,
    ))
    .await
    .expect(sql)
    .iter()
    .map(|r| r.try_get_by_index::<i64>(0).expect("id"))
    .collect()
}

fn counts(j: &serde_json::Value) -> String {
    format!(
        "{} {} {} {}",
        j["counts"], j["total"], j["overdue"], j["supervised"]
    )
}

#[tokio::test]
async fn roll_ups_equal_their_rows_after_random_writes() {
    let mut app = TestApp::new().await;
    let op = Operator::command_line();
    let u = app.db.unsafe_unscoped(&op);
    assert_eq!(
        u.verify_rollups().await.expect("verify"),
        [],
        "after the demo"
    );

    // Reports over HTTP.
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    for i in 0..5 {
        let r = app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{s001}/hazards"),
                Some(&t),
                &json!({"title": format!("栏杆松动 {i}"), "aspect": "things", "category": "校舍"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }

    // Random writes straight into the table.
    let raw = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    let pg = raw.get_database_backend() == DbBackend::Postgres;
    let (t_, f_) = if pg { ("true", "false") } else { ("1", "0") };
    let hazards = ids(&raw, "SELECT id FROM hazards ORDER BY id").await;
    let schools = ids(
        &raw,
        "SELECT id FROM orgs WHERE level = 'school' ORDER BY id",
    )
    .await;
    let statuses = [
        "reported",
        "assessed",
        "fixed_on_spot",
        "notice_issued",
        "rectifying",
        "pending_acceptance",
        "accepted",
        "closed",
        "cancelled",
    ];
    let mut rng = StdRng::seed_from_u64(20261202);
    for _ in 0..120 {
        let id = hazards[rng.random_range(0..hazards.len())];
        let sql = match rng.random_range(0..7) {
            0 => format!(
                "UPDATE hazards SET status = '{}' WHERE id = {id}",
                statuses[rng.random_range(0..statuses.len())]
            ),
            1 => format!(
                "UPDATE hazards SET level = {} WHERE id = {id}",
                ["NULL", "'general'", "'major'"][rng.random_range(0..3)]
            ),
            2 => format!(
                "UPDATE hazards SET supervised = {} WHERE id = {id}",
                if rng.random_bool(0.5) { t_ } else { f_ }
            ),
            3 => {
                let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("day")
                    + chrono::Duration::days(rng.random_range(0..700));
                let v = if rng.random_bool(0.2) {
                    "NULL".to_string()
                } else if pg {
                    format!("DATE '{d}'")
                } else {
                    format!("'{d}'")
                };
                format!("UPDATE hazards SET deadline = {v} WHERE id = {id}")
            }
            4 => format!(
                "UPDATE hazards SET school_id = {} WHERE id = {id}",
                schools[rng.random_range(0..schools.len())]
            ),
            5 => format!(
                "UPDATE hazards SET title = title || '.', status = status, version = version + 1 \
                 WHERE id = {id}"
            ),
            _ => format!(
                "INSERT INTO hazards (school_id, title, description, aspect, category, source, \
                 status, level, treatment, supervised, deadline, state, photo_ids, \
                 reported_by_name, reported_at, updated_at, version) SELECT school_id, title, \
                 description, aspect, category, source, status, level, treatment, supervised, \
                 deadline, state, photo_ids, reported_by_name, reported_at, updated_at, version \
                 FROM hazards WHERE id = {id}"
            ),
        };
        exec(&raw, &sql).await;
        // Now and then, delete a copy made above (copies have no history rows).
        if rng.random_bool(0.2) {
            exec(
                &raw,
                "DELETE FROM hazards WHERE id = (SELECT MAX(h.id) FROM hazards h WHERE NOT EXISTS \
                 (SELECT 1 FROM hazard_events e WHERE e.hazard_id = h.id))",
            )
            .await;
        }
    }
    assert_eq!(
        u.verify_rollups().await.expect("verify"),
        [],
        "after random writes"
    );

    // The list's counts from the roll-up equal those counted over the hazards (a date filter
    // that keeps every hazard takes the counting path).
    let b = app.login("bureau.officer").await;
    for extra in ["", "&overdue=true", "&supervised=true", "&status=open"] {
        let rolled = app
            .get(&format!("/api/v1/hazards?per_page=1{extra}"), Some(&b))
            .await;
        let counted = app
            .get(
                &format!("/api/v1/hazards?per_page=1&from=2000-01-01{extra}"),
                Some(&b),
            )
            .await;
        assert_eq!(rolled.status, 200, "{}", rolled.text());
        assert_eq!(counts(&rolled.json()), counts(&counted.json()), "{extra}");
    }

    // A tampered count is found, and a rebuild repairs it.
    exec(
        &raw,
        "UPDATE hazard_counts SET n = n + 1 WHERE school_id = (SELECT MIN(school_id) FROM hazard_counts)",
    )
    .await;
    let diffs = u.verify_rollups().await.expect("verify");
    assert!(!diffs.is_empty(), "a tampered count is found");
    assert!(diffs.iter().all(|d| d.stored == d.counted + 1), "{diffs:?}");
    u.rebuild_rollups().await.expect("rebuild");
    assert_eq!(
        u.verify_rollups().await.expect("verify"),
        [],
        "after the rebuild"
    );
}

/// The district's grade counts of its active risk points, counted over the points.
async fn grades_counted(conn: &sea_orm::DatabaseConnection, district: i64) -> String {
    let sql = format!(
        "SELECT COALESCE(p.current_grade, '-'), COUNT(*) FROM risk_points p \
         JOIN orgs o ON o.id = p.school_id WHERE p.status = 'active' AND o.parent_id = {district} \
         GROUP BY 1 ORDER BY 1"
    );
    conn.query_all_raw(sea_orm::Statement::from_string(
        conn.get_database_backend(),
        sql,
    ))
    .await
    .expect("grades")
    .iter()
    .map(|r| {
        format!(
            "{}={}",
            r.try_get_by_index::<String>(0).expect("grade"),
            r.try_get_by_index::<i64>(1).expect("n")
        )
    })
    .collect::<Vec<_>>()
    .join(" ")
}

/// The summary's grade counts summed over its rows, in the order of `grades_counted`.
fn grades_summed(j: &serde_json::Value) -> String {
    let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
    for row in j.as_array().expect("rows") {
        for key in ["low", "significant", "major", "general", "unassessed"] {
            let grade = if key == "unassessed" { "-" } else { key };
            *sums.entry(grade.to_string()).or_default() += row["counts"][key].as_i64().unwrap_or(0);
        }
    }
    sums.retain(|_, n| *n != 0);
    let mut out: Vec<String> = sums.iter().map(|(g, n)| format!("{g}={n}")).collect();
    out.sort();
    out.join(" ")
}

#[tokio::test]
async fn risk_counts_equal_the_points_after_random_writes() {
    let mut app = TestApp::new().await;
    let op = Operator::command_line();
    let u = app.db.unsafe_unscoped(&op);
    assert_eq!(
        u.verify_rollups().await.expect("verify"),
        [],
        "after the demo"
    );
    let raw = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    let points = ids(&raw, "SELECT id FROM risk_points ORDER BY id").await;
    let schools = ids(
        &raw,
        "SELECT id FROM orgs WHERE level = 'school' ORDER BY id",
    )
    .await;
    let mut rng = StdRng::seed_from_u64(20261207);
    for i in 0..150 {
        let id = points[rng.random_range(0..points.len())];
        let sql = match rng.random_range(0..6) {
            0 => format!(
                "UPDATE risk_points SET status = '{}' WHERE id = {id}",
                ["active", "retired"][rng.random_range(0..2)]
            ),
            1 => format!(
                "UPDATE risk_points SET current_grade = {} WHERE id = {id}",
                ["NULL", "'major'", "'significant'", "'general'", "'low'"][rng.random_range(0..5)]
            ),
            2 => format!(
                "UPDATE risk_points SET school_id = {}, code = code || '-m{i}' WHERE id = {id}",
                schools[rng.random_range(0..schools.len())]
            ),
            3 => format!("UPDATE risk_points SET name = name || '.' WHERE id = {id}"),
            4 => "DELETE FROM risk_points WHERE id = (SELECT MAX(p.id) FROM risk_points p \
                  WHERE p.code LIKE '%-c%' AND NOT EXISTS \
                  (SELECT 1 FROM risk_assessments a WHERE a.risk_point_id = p.id))"
                .to_string(),
            _ => format!(
                "INSERT INTO risk_points (school_id, catalog_item_id, zone_id, \
                 responsible_person_id, code, aspect, category, category_en, point_type, name, \
                 name_en, hazard_factors, accident_types, default_l, default_e, default_c, \
                 measures_management, measures_emergency, measures_engineering, \
                 measures_training, measures_ppe, check_items, check_frequency, control_level, \
                 responsible_post, created_at, updated_at, control_level_reason, status, \
                 retired_reason, retired_at, current_assessment_id, current_grade, \
                 current_score, next_review_on) SELECT school_id, catalog_item_id, zone_id, \
                 responsible_person_id, code || '-c{i}', aspect, category, category_en, \
                 point_type, name, name_en, hazard_factors, accident_types, default_l, default_e, \
                 default_c, measures_management, measures_emergency, measures_engineering, \
                 measures_training, measures_ppe, check_items, check_frequency, control_level, \
                 responsible_post, created_at, updated_at, control_level_reason, status, \
                 retired_reason, retired_at, NULL, current_grade, current_score, next_review_on \
                 FROM risk_points WHERE id = {id}"
            ),
        };
        exec(&raw, &sql).await;
    }
    assert_eq!(
        u.verify_rollups().await.expect("verify"),
        [],
        "after random writes"
    );

    // The district's summary (from the roll-up) equals the points counted one by one.
    let b = app.login("bureau.officer").await;
    let district = app.org_id("ED").await;
    let r = app.get("/api/v1/risk-summary", Some(&b)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        grades_summed(&r.json()),
        grades_counted(&raw, district).await
    );

    // A tampered count is found, and a rebuild repairs it.
    exec(
        &raw,
        "UPDATE risk_counts SET n = n + 2 WHERE school_id = (SELECT MIN(school_id) FROM risk_counts)",
    )
    .await;
    let diffs = u.verify_rollups().await.expect("verify");
    assert!(
        diffs
            .iter()
            .any(|d| d.rollup == "risk_counts" && d.stored == d.counted + 2),
        "{diffs:?}"
    );
    u.rebuild_rollups().await.expect("rebuild");
    assert_eq!(
        u.verify_rollups().await.expect("verify"),
        [],
        "after the rebuild"
    );
}
