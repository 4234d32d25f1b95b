//! Query plans on a generated city: one school's hazard list and its counts (a principal's own
//! list, a bureau's list narrowed to one school) read an index keyed by school — the number of
//! hazards they touch does not grow with the city — and the home page's hazard lists and
//! charts read ranges of a school's index. The list's statements are the ones the storage
//! builds (`Hazards::list_statements`); SQLite's planner is asked with `EXPLAIN QUERY PLAN`,
//! PostgreSQL's with `EXPLAIN` with sequential scans priced out (on a small city a sequential
//! scan may well be cheaper, so this checks that an index keyed by school serves the
//! statement).

mod common;
use axum::http::StatusCode;
use common::TestApp;
use safecampus::config::Config;
use safecampus::generate::{self, Args};
use safecampus::policy::Action;
use safecampus::storage::auth::{Origin, SessionKind};
use safecampus::storage::hazards::HazardFilter;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};

fn pg() -> bool {
    common::backend() == "postgres"
}

/// The plan of `sql`, one line per step.
async fn plan(c: &DatabaseConnection, sql: &str) -> String {
    let backend = c.get_database_backend();
    let tx = c.begin().await.expect("begin");
    let explain = if pg() {
        tx.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await
            .expect("set");
        format!("EXPLAIN {sql}")
    } else {
        format!("EXPLAIN QUERY PLAN {sql}")
    };
    let rows = tx
        .query_all_raw(Statement::from_string(backend, explain))
        .await
        .unwrap_or_else(|e| panic!("explain {sql}: {e}"));
    tx.rollback().await.ok();
    rows.iter()
        .map(|r| {
            r.try_get_by_index::<String>(if pg() { 0 } else { 3 })
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plan reads `table` by an index whose first key is the school (`school_id = <id>`),
/// never by a full scan.
fn by_school(plan: &str, table: &str, school: i64, sql: &str) {
    let lines: Vec<&str> = plan.lines().map(str::trim).collect();
    if pg() {
        assert!(
            !plan.contains(&format!("Seq Scan on {table}")),
            "{table} is scanned:\n{sql}\n{plan}"
        );
        let keyed = lines.iter().enumerate().any(|(i, l)| {
            l.contains(&format!(" on {table}"))
                && l.contains("Index")
                && lines[i + 1..]
                    .iter()
                    .take_while(|n| !n.contains("->"))
                    .any(|n| {
                        n.contains("Index Cond") && n.contains(&format!("school_id = {school}"))
                    })
        });
        assert!(keyed, "{table} not read by school:\n{sql}\n{plan}");
    } else {
        let scanned = lines
            .iter()
            .any(|l| l.starts_with(&format!("SCAN {table}")) && !l.contains("(school_id=?"));
        assert!(!scanned, "{table} is scanned:\n{sql}\n{plan}");
        let keyed = lines
            .iter()
            .any(|l| l.starts_with(&format!("SEARCH {table} USING")) && l.contains("(school_id=?"));
        assert!(keyed, "{table} not read by school:\n{sql}\n{plan}");
    }
}

async fn statements(app: &TestApp, username: &str, f: &HazardFilter) -> Vec<String> {
    let (_, actor) = app
        .db
        .auth()
        .login(
            username,
            "SafeCampus#2021",
            SessionKind::Api,
            &Origin::default(),
            &app.state.config().security,
        )
        .await
        .unwrap_or_else(|e| panic!("{username}: {e:?}"));
    app.db
        .scoped(actor, Action::HazardView)
        .hazards()
        .list_statements(f)
        .await
        .expect("statements")
}

async fn id_of(c: &DatabaseConnection, code: &str) -> i64 {
    let row = c
        .query_one_raw(Statement::from_string(
            c.get_database_backend(),
            format!("SELECT id FROM orgs WHERE code = '{code}'"),
        ))
        .await
        .expect("org")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("id")
}

#[tokio::test(flavor = "multi_thread")]
async fn one_schools_hazards_are_read_by_school() {
    let mut app = TestApp::empty(Config::default()).await;
    let mut args = Args::new(24, 2, 1);
    args.events = Some(2400);
    generate::run(&app.db, &args, false)
        .await
        .expect("generate");
    let raw = app.raw().await;
    if pg() {
        raw.execute_unprepared("ANALYZE").await.expect("analyze");
    }
    let s001 = id_of(&raw, "S001").await;

    // The principal's own list, as it opens and filtered by status; the bureau's list of S001.
    let open = HazardFilter {
        status: Some("open".into()),
        ..Default::default()
    };
    let of_s001 = HazardFilter {
        school_id: Some(s001),
        ..Default::default()
    };
    let cases = [
        ("s001.principal", HazardFilter::default()),
        ("s001.principal", open),
        ("bureau.officer", of_s001.clone()),
        ("city.officer", of_s001),
    ];
    for (user, f) in &cases {
        let sql = statements(&app, user, f).await;
        assert_eq!(sql.len(), 2, "{sql:?}");
        let (counts, page) = (&sql[0], &sql[1]);
        by_school(&plan(&raw, counts).await, "hazard_counts", s001, counts);
        by_school(&plan(&raw, page).await, "hazards", s001, page);
    }

    // The same hazards and counts as the school's own list.
    let t = app.login("s001.principal").await;
    let mine = app.get("/api/v1/hazards?per_page=200", Some(&t)).await;
    let own = app
        .get(
            &format!("/api/v1/schools/{s001}/hazards?per_page=200"),
            Some(&t),
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text());
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    assert!(mine.json()["total"].as_u64().unwrap_or(0) > 0);
    assert_eq!(mine.json(), own.json());

    // The home page's lists and charts of a school (the statements of `storage::home` with
    // a school's node): the hazards due this week, reported and closed in the chart's weeks.
    let below = format!(
        "SELECT id FROM orgs WHERE path LIKE (SELECT path FROM orgs WHERE id = {s001}) || '%' \
         AND level = 'school'"
    );
    let today = safecampus::storage::risk_points::today();
    let home = [
        format!(
            "SELECT h.id, h.title, orgs.name, h.status, h.deadline FROM hazards h \
             INNER JOIN orgs ON orgs.id = h.school_id WHERE h.deadline >= '{today}' \
             AND h.deadline <= '{}' AND h.status NOT IN ('accepted', 'closed', 'cancelled') \
             AND h.school_id IN ({below}) ORDER BY h.deadline ASC, h.id ASC LIMIT 10",
            today + chrono::Duration::days(6)
        ),
        format!(
            "SELECT reported_at FROM hazards WHERE reported_at >= '{}' AND school_id IN ({below})",
            today - chrono::Duration::weeks(8)
        ),
        format!(
            "SELECT closed_at FROM hazards WHERE closed_at >= '{}' AND status = 'closed' \
             AND school_id IN ({below})",
            today - chrono::Duration::weeks(8)
        ),
    ];
    for sql in &home {
        let p = plan(&raw, sql).await;
        let lines: Vec<&str> = p.lines().map(str::trim).collect();
        if pg() {
            assert!(!p.contains("Seq Scan on hazards"), "{sql}\n{p}");
            assert!(
                p.contains("idx_hazards_school_"),
                "not read by school:\n{sql}\n{p}"
            );
        } else {
            assert!(
                lines.iter().any(|l| l.starts_with("SEARCH h")
                    && l.contains("idx_hazards_school_")
                    && l.contains("(school_id=? AND ")),
                "not a range of a school:\n{sql}\n{p}"
            );
        }
    }
    raw.close().await.ok();
}
