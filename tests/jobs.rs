//! The job queue: idempotent by key, one claim per job even with several runners at once,
//! a dead runner's job claimed again when its lease runs out, failures retried after a delay.

mod common;

use chrono::{Duration, Utc};
use common::TestApp;
use safecampus::storage::Operator;
use serde_json::json;
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueue_is_idempotent_by_key() {
    let app = TestApp::new().await;
    let r = app.db.jobs(&Operator::command_line(), "a".into());
    let now = Utc::now();
    assert!(r.enqueue("test", "k:1", json!({}), now).await.unwrap());
    assert!(!r.enqueue("test", "k:1", json!({}), now).await.unwrap());
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    assert!(r.schedule_daily(day).await.unwrap());
    // A second instance scheduling the same day adds nothing.
    assert!(
        !app.db
            .jobs(&Operator::command_line(), "b".into())
            .schedule_daily(day)
            .await
            .unwrap()
    );
    let keys: Vec<String> = r
        .recent(10)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.1)
        .collect();
    assert_eq!(keys.iter().filter(|k| *k == "k:1").count(), 1);
    assert_eq!(keys.iter().filter(|k| k.ends_with("2026-11-28")).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_runners_never_claim_the_same_job() {
    let app = TestApp::new().await;
    let now = Utc::now();
    let setup = app.db.jobs(&Operator::command_line(), "setup".into());
    for i in 0..40 {
        setup
            .enqueue("test", &format!("c:{i}"), json!({}), now)
            .await
            .unwrap();
    }
    let mut handles = Vec::new();
    for w in 0..4 {
        let db = app.db.clone();
        handles.push(tokio::spawn(async move {
            let r = db.jobs(&Operator::command_line(), format!("w{w}"));
            let mut got = Vec::new();
            while let Some(j) = r.claim(Utc::now()).await.expect("claim") {
                got.push(j.key.clone());
                assert_eq!(j.locked_by.as_deref(), Some(format!("w{w}").as_str()));
            }
            got
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let unique: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(all.len(), 40, "every job claimed once: {all:?}");
    assert_eq!(unique.len(), 40);
    // Nothing is left to claim while the leases run.
    assert!(setup.claim(Utc::now()).await.unwrap().is_none());
    // A runner that died: after the lease its job is claimed again, attempts counted.
    let later = Utc::now() + Duration::minutes(11);
    let again = setup.claim(later).await.unwrap().expect("lease ran out");
    assert_eq!(again.attempts, 2);
    assert_eq!(again.locked_by.as_deref(), Some("setup"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_is_retried_after_a_delay() {
    let app = TestApp::new().await;
    let r = app.db.jobs(&Operator::command_line(), "a".into());
    r.enqueue("no-such-kind", "bad:1", json!({}), Utc::now())
        .await
        .unwrap();
    let pass = r.run_due(&Default::default()).await.unwrap();
    assert_eq!((pass.done, pass.failed), (0, 1));
    // Retried with a delay: not due again at once.
    let pass = r.run_due(&Default::default()).await.unwrap();
    assert_eq!((pass.done, pass.failed), (0, 0));
    let (_, _, status, attempts) = r
        .recent(5)
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.1 == "bad:1")
        .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    // Due again after the delay.
    let j = r
        .claim(Utc::now() + Duration::minutes(6))
        .await
        .unwrap()
        .expect("due after the delay");
    assert_eq!((j.key.as_str(), j.attempts), ("bad:1", 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_sweep_runs_once_per_day() {
    let app = TestApp::new().await;
    let rules = safecampus::config::HazardRules::default();
    let a = app.db.jobs(&Operator::command_line(), "a".into());
    let b = app.db.jobs(&Operator::command_line(), "b".into());
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    a.schedule_daily(day).await.unwrap();
    b.schedule_daily(day).await.unwrap();
    let (pa, pb) = tokio::join!(a.run_due(&rules), b.run_due(&rules));
    let (pa, pb) = (pa.unwrap(), pb.unwrap());
    assert_eq!(pa.done + pb.done, 1, "one sweep for the day: {pa:?} {pb:?}");
    assert_eq!(pa.failed + pb.failed, 0);
}
