//! Device events by month (migration `m0030_device_event_partitions`, `storage::device_events`):
//! on PostgreSQL a partition per month made ahead by the daily job, a month past the
//! retention dropped whole; on SQLite old rows deleted; the trip track's query reads one
//! month's partition through the `(device_id, at)` index; a repeated event is still one event.

mod common;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use common::{TestApp, backend};
use safecampus::config::Config;
use safecampus::storage::device_events::{maintain, partitions};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;

fn pg() -> bool {
    backend() == "postgres"
}

async fn scalar(c: &DatabaseConnection, sql: &str) -> i64 {
    let r = c
        .query_one_raw(Statement::from_string(c.get_database_backend(), sql))
        .await
        .expect(sql)
        .expect("a row");
    r.try_get_by_index::<i64>(0).expect("a number")
}

async fn plan(c: &DatabaseConnection, sql: &str) -> String {
    let explain = if pg() {
        format!("EXPLAIN {sql}")
    } else {
        format!("EXPLAIN QUERY PLAN {sql}")
    };
    let rows = c
        .query_all_raw(Statement::from_string(c.get_database_backend(), explain))
        .await
        .expect("explain");
    rows.iter()
        .map(|r| {
            r.try_get_by_index::<String>(if pg() { 0 } else { 3 })
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn month(d: NaiveDate) -> i32 {
    d.year() * 100 + d.month() as i32
}

/// The first day of the month `n` months before `d`'s.
fn months_back(d: NaiveDate, n: u32) -> NaiveDate {
    d.with_day(1)
        .unwrap()
        .checked_sub_months(chrono::Months::new(n))
        .unwrap()
}

/// An event of S001's device `id` at `day` 12:00 UTC, written directly (older than the
/// ingest accepts).
async fn event_at(app: &TestApp, device: i64, school: i64, id: &str, day: NaiveDate) {
    app.sql(&format!(
        "INSERT INTO device_events (device_id, school_id, event_id, at, metric, value, received_at) \
         VALUES ({device}, {school}, '{id}', '{day} 12:00:00+00:00', 'smoke', 0.0, \
         '{day} 12:00:01+00:00')"
    ))
    .await;
}

#[tokio::test]
async fn the_months_are_made_ahead_and_old_months_leave_whole() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let (device, token) = app.s001_device("smoke", "PART-01").await;
    let c = app.raw().await;
    let today = Utc::now().date_naive();

    if pg() {
        let kind = scalar(
            &c,
            "SELECT CASE relkind WHEN 'p' THEN 1 ELSE 0 END::bigint FROM pg_class \
             WHERE relname = 'device_events'",
        )
        .await;
        assert_eq!(kind, 1, "device_events is partitioned");
        let have: Vec<i32> = partitions(&c).await.unwrap().iter().map(|p| p.0).collect();
        for ahead in 0..=2 {
            let m = month(
                months_back(today, 0)
                    .checked_add_months(chrono::Months::new(ahead))
                    .unwrap(),
            );
            assert!(have.contains(&m), "{m} in {have:?}");
        }
    }

    // Events now, last month, 14 and 30 months ago (the last two past a 13-month retention).
    let r = app
        .ingest(
            &token,
            json!([{"id": "now-1", "at": Utc::now().to_rfc3339(), "metric": "smoke", "value": 0.0}]),
        )
        .await;
    assert_eq!(r["accepted"], 1, "{r}");
    let last_month = months_back(today, 1);
    let old = months_back(today, 14);
    let older = months_back(today, 30);
    event_at(&app, device, s001, "last-month", last_month).await;
    event_at(&app, device, s001, "old", old).await;
    event_at(&app, device, s001, "older", older).await;
    let mine = format!("SELECT COUNT(*) FROM device_events WHERE device_id = {device}");
    assert_eq!(scalar(&c, &mine).await, 4);

    if pg() {
        // The old months fell into the default partition; the job gives a month found there
        // its own partition when asked for it, moving its rows.
        let in_default = scalar(&c, "SELECT COUNT(*) FROM device_events_default").await;
        assert!(in_default >= 2, "{in_default}");
    }

    // A day five months on: the months ahead are made; nothing is removed without retention.
    let later = today.checked_add_months(chrono::Months::new(5)).unwrap();
    let done = maintain(&c, later, 0).await.unwrap();
    if pg() {
        assert!(!done.created.is_empty(), "{done:?}");
        let have: Vec<i32> = partitions(&c).await.unwrap().iter().map(|p| p.0).collect();
        assert!(have.contains(&month(later)), "{have:?}");
    } else {
        assert!(done.created.is_empty());
    }
    assert_eq!(done.deleted, 0);
    assert_eq!(scalar(&c, &mine).await, 4);

    // Today with 13 months kept: the events of 14 and 30 months ago go, last month's stays.
    let done = maintain(&c, today, 13).await.unwrap();
    assert_eq!(scalar(&c, &mine).await, 2, "{done:?}");
    let left = c
        .query_all_raw(Statement::from_string(
            c.get_database_backend(),
            format!(
                "SELECT event_id FROM device_events WHERE device_id = {device} ORDER BY event_id"
            ),
        ))
        .await
        .unwrap();
    let left: Vec<String> = left
        .iter()
        .map(|r| r.try_get_by_index(0).unwrap())
        .collect();
    assert_eq!(left, ["last-month", "now-1"]);
    if pg() {
        let have: Vec<i32> = partitions(&c).await.unwrap().iter().map(|p| p.0).collect();
        let keep_from = month(months_back(today, 12));
        assert!(
            have.iter().all(|m| *m >= keep_from),
            "{have:?} from {keep_from}"
        );
    }
    // Run again: nothing more to do.
    let again = maintain(&c, today, 13).await.unwrap();
    assert_eq!(
        (again.created.len(), again.dropped.len(), again.deleted),
        (0, 0, 0)
    );

    // A repeated event (same id and time) is one event.
    let at = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let ev = json!([{"id": "rep-1", "at": at, "metric": "smoke", "value": 0.0}]);
    assert_eq!(app.ingest(&token, ev.clone()).await["accepted"], 1);
    let r = app.ingest(&token, ev).await;
    assert_eq!(
        (r["accepted"].as_u64(), r["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
    c.close().await.ok();
}

#[tokio::test]
async fn the_trip_track_reads_one_month_through_the_device_index() {
    let app = TestApp::new().await;
    let c = app.raw().await;
    let now = Utc::now();
    let q = format!(
        "SELECT at, lat, lon FROM device_events WHERE device_id = 1 AND metric = 'gps' \
         AND at >= '{}' AND at <= '{}' ORDER BY at",
        (now - Duration::hours(2)).format("%Y-%m-%d %H:%M:%S+00:00"),
        now.format("%Y-%m-%d %H:%M:%S+00:00"),
    );
    let p = plan(&c, &q).await;
    assert!(
        p.contains("idx_device_events_device_at") || p.contains("device_events_p"),
        "{p}"
    );
    if pg() {
        // Pruned: no partition of another month, and not the default one, is read.
        let this = format!("device_events_p{}", month(now.date_naive()));
        let before = format!("device_events_p{}", month(months_back(now.date_naive(), 1)));
        assert!(p.contains(&this) || now.day() == 1, "{p}");
        assert!(!p.contains("device_events_default"), "{p}");
        if now.day() > 1 {
            assert!(!p.contains(&before), "{p}");
        }
    } else {
        assert!(p.contains("idx_device_events_device_at"), "{p}");
    }
    c.close().await.ok();
}

#[tokio::test]
async fn the_daily_job_is_scheduled_once_and_runs() {
    let mut config = Config::default();
    config.devices.event_retention_months = 13;
    let app = TestApp::with_config(config.clone()).await;
    let runner = app
        .db
        .jobs(
            &safecampus::storage::seed::Operator::command_line(),
            "t:1".into(),
        )
        .with_warnings(&config);
    let day = safecampus::storage::risk_points::today();
    assert!(runner.schedule_device_events(day).await.unwrap());
    assert!(
        !runner.schedule_device_events(day).await.unwrap(),
        "once a day"
    );
    let pass = runner.run_due(&config.hazard).await.unwrap();
    assert_eq!(pass.failed, 0, "{pass:?}");
    let c = app.raw().await;
    let done = scalar(
        &c,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'device-events' AND status = 'done'",
    )
    .await;
    assert_eq!(done, 1);
    c.close().await.ok();
}
