//! T-PR-7: a bus rider who left the route (graduated, moved, changed route) is marked with the
//! day they left, is no longer listed nor counted on the route, and is deleted by the daily
//! job once `[privacy] leaver_retention_days` have passed — leavers younger than that, and
//! riders still on the route, are kept; the purge is audited with a count and no name; a rider
//! of another school is 404 and a role without the bus management 403.

mod common;
use axum::http::{Method, StatusCode};
use chrono::Duration;
use common::{TestApp, expect, fields};
use safecampus::storage::Operator;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const NAMES: [&str; 3] = ["毕业生甲", "转学生乙", "在读生丙"];
const GUARDIANS: [&str; 3] = ["家长甲", "家长乙", "家长丙"];

/// A route of S001 with the three riders, imported by its principal; the riders' ids in
/// the order of [`NAMES`].
async fn route_with_riders(app: &mut TestApp) -> (i64, Vec<i64>) {
    let phones: Vec<String> = (0..3).map(|i| format!("1391234560{i}")).collect();
    let rows: Vec<[&str; 5]> = (0..3)
        .map(|i| {
            [
                NAMES[i],
                "六年一班",
                "东站",
                GUARDIANS[i],
                phones[i].as_str(),
            ]
        })
        .collect();
    let route = common::riders::route_with_riders(app, "离校测试线", &rows).await;
    let p = app.login("s001.principal").await;
    let all = riders(app, &p, route).await;
    let ids = NAMES
        .iter()
        .map(|n| {
            all.iter()
                .find(|r| r["name"] == *n)
                .and_then(|r| r["id"].as_i64())
                .expect("an imported rider")
        })
        .collect();
    (route, ids)
}

/// The riders of a route, whole (the principal may, with a reason).
async fn riders(app: &TestApp, t: &str, route: i64) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/bus-routes/{route}/riders?unmasked=1&reason=%E6%A0%B8%E5%AF%B9"),
            Some(t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["riders"].as_array().unwrap().clone()
}

async fn leave(app: &TestApp, t: &str, rider: i64, body: Value) -> common::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/bus-riders/{rider}/leave"),
        Some(t),
        &body,
    )
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let raw = app.raw().await;
    let n = raw
        .query_one_raw(Statement::from_string(
            raw.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .expect(sql)
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("a count");
    raw.close().await.ok();
    n
}

async fn run_purge(
    app: &TestApp,
    day: chrono::NaiveDate,
    days: u32,
) -> safecampus::storage::jobs::Pass {
    let mut config = safecampus::config::Config::default();
    config.privacy.leaver_retention_days = days;
    let runner = app
        .db
        .jobs(&Operator::command_line(), "test".into())
        .with_security(&config);
    assert!(runner.schedule_leavers_purge(day).await.unwrap());
    assert!(
        !runner.schedule_leavers_purge(day).await.unwrap(),
        "one job per day"
    );
    runner.run_due(&config.hazard).await.unwrap()
}

#[tokio::test]
async fn a_leaver_is_marked_in_scope_and_refused_elsewhere() {
    let mut app = TestApp::new().await;
    let (_, ids) = route_with_riders(&mut app).await;
    let today = safecampus::clock::today();
    let safety = app.login("s001.safety").await;
    // Another school's manager: the rider is not there (404); a school's staff may not (403).
    let other = app.login("s002.principal").await;
    expect(
        &leave(&app, &other, ids[0], json!({})).await,
        404,
        "not_found",
    );
    let n001 = app.login("n001.principal").await;
    expect(
        &leave(&app, &n001, ids[0], json!({})).await,
        404,
        "not_found",
    );
    let staff = app.login("s001.staff").await;
    assert_eq!(
        leave(&app, &staff, ids[0], json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    expect(
        &leave(&app, &safety, 999_999_999, json!({})).await,
        404,
        "not_found",
    );
    // Not later than today.
    let r = leave(
        &app,
        &safety,
        ids[0],
        json!({"left_on": (today + Duration::days(1)).to_string()}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(fields(&r.json()), vec!["left_on".to_string()]);
    // Today when left out; the day of deletion follows the retention.
    let r = leave(&app, &safety, ids[0], json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["left_on"], today.to_string());
    assert_eq!(j["purge_on"], (today + Duration::days(31)).to_string());
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM bus_riders WHERE id = {} AND left_on IS NOT NULL",
                ids[0]
            )
        )
        .await,
        1
    );
    // Refusals changed nothing elsewhere; the marking is audited without a name.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM bus_riders WHERE left_on IS NOT NULL"
        )
        .await,
        1
    );
    let rows = app.audit("action=bus.rider_left").await;
    let ok: Vec<&Value> = rows.iter().filter(|e| e["result"] == "ok").collect();
    assert_eq!(ok.len(), 1, "{rows:?}");
    assert_eq!(ok[0]["object_id"], ids[0].to_string());
    let text = serde_json::to_string(&rows).unwrap();
    assert!(rows.len() >= 3, "the refusals are audited too: {rows:?}");
    for n in NAMES.iter().chain(GUARDIANS.iter()) {
        assert!(!text.contains(n), "{n} in the audit trail");
    }
}

#[tokio::test]
async fn a_leaver_is_neither_listed_nor_counted() {
    let mut app = TestApp::new().await;
    let (route, ids) = route_with_riders(&mut app).await;
    let safety = app.login("s001.safety").await;
    let principal = app.login("s001.principal").await;
    let r = leave(&app, &safety, ids[0], json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let listed: Vec<i64> = riders(&app, &principal, route)
        .await
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![ids[1], ids[2]]);
    let masked = app
        .get(&format!("/api/v1/bus-routes/{route}/riders"), Some(&safety))
        .await;
    assert_eq!(masked.json()["riders"].as_array().unwrap().len(), 2);
    let school = app.org_id("S001").await;
    let r = app
        .get(
            &format!("/api/v1/schools/{school}/bus-routes"),
            Some(&safety),
        )
        .await;
    let mine = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == route)
        .cloned();
    assert_eq!(
        mine.expect("the route")["riders"],
        2,
        "the leaver does not count"
    );
    let x = app
        .get(
            &format!("/api/v1/bus-routes/{route}/riders/export.xlsx"),
            Some(&safety),
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let text = String::from_utf8_lossy(&x.body).into_owned();
    assert!(x.body.len() > 100, "a workbook: {text}");
}

#[tokio::test]
async fn the_daily_job_deletes_leavers_after_the_retention_and_keeps_the_rest() {
    let mut app = TestApp::new().await;
    let (_, ids) = route_with_riders(&mut app).await;
    let today = safecampus::clock::today();
    let safety = app.login("s001.safety").await;
    // One left 31 days ago (past the default 30), one 10 days ago, one still rides.
    for (id, ago) in [(ids[0], 31), (ids[1], 10)] {
        let day = (today - Duration::days(ago)).to_string();
        let r = leave(&app, &safety, id, json!({ "left_on": day })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let exists = |id: i64| format!("SELECT COUNT(*) FROM bus_riders WHERE id = {id}");
    let pass = run_purge(&app, today, 30).await;
    assert_eq!((pass.done, pass.failed), (1, 0));
    assert_eq!(count(&app, &exists(ids[0])).await, 0, "past the retention");
    assert_eq!(
        count(&app, &exists(ids[1])).await,
        1,
        "a young leaver is kept"
    );
    assert_eq!(
        count(&app, &exists(ids[2])).await,
        1,
        "a rider on the route is kept"
    );
    // The clock moves on: 25 days later the second leaver is 35 days gone.
    let pass = run_purge(&app, today + Duration::days(25), 30).await;
    assert_eq!((pass.done, pass.failed), (1, 0));
    assert_eq!(count(&app, &exists(ids[1])).await, 0);
    assert_eq!(count(&app, &exists(ids[2])).await, 1);
    // A run with nothing to delete writes no audit row; each purge wrote one with its count.
    let pass = run_purge(&app, today + Duration::days(26), 30).await;
    assert_eq!((pass.done, pass.failed), (1, 0));
    let rows = app.audit("action=bus.leavers_purge").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let details: Vec<&str> = rows.iter().map(|e| e["detail"].as_str().unwrap()).collect();
    assert!(
        details.iter().all(|d| d.starts_with("purged=1 ")),
        "{details:?}"
    );
    let text = serde_json::to_string(&rows).unwrap();
    for n in NAMES.iter().chain(GUARDIANS.iter()) {
        assert!(!text.contains(n), "{n} in the audit trail");
    }
    assert!(!text.contains("1391234560"), "no phone in the audit trail");
    // The chain still verifies.
    let u = app.db.unsafe_unscoped(&Operator::command_line());
    assert_eq!(u.verify_audit().await.expect("verify"), None);
}

#[tokio::test]
async fn the_retention_is_configurable() {
    let mut app = TestApp::new().await;
    let (_, ids) = route_with_riders(&mut app).await;
    let today = safecampus::clock::today();
    let safety = app.login("s001.safety").await;
    let day = (today - Duration::days(3)).to_string();
    let r = leave(&app, &safety, ids[0], json!({ "left_on": day })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let exists = format!("SELECT COUNT(*) FROM bus_riders WHERE id = {}", ids[0]);
    run_purge(&app, today, 3).await;
    assert_eq!(count(&app, &exists).await, 1, "3 days gone, kept 3 days");
    run_purge(&app, today + Duration::days(1), 3).await;
    assert_eq!(count(&app, &exists).await, 0);
}
