//! The inbox and the daily sweep on the demo's history: overdue notices reach the principal
//! and the bureau once, reminders reach the responsible person before the deadline, each user
//! reads and marks only their own notifications, and the header shows the unread count.

mod common;

use axum::http::Method;
use chrono::{Duration, Utc};
use common::{TestApp, expect};
use safecampus::storage::Operator;
use safecampus::storage::jobs::SWEEP;
use serde_json::{Value, json};

async fn inbox(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/inbox?limit=200", Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn kinds(j: &Value, kind: &str) -> Vec<Value> {
    j["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["kind"] == kind)
        .cloned()
        .collect()
}

/// Runs the sweep as of `day` (a China date) through the job queue.
async fn sweep(app: &TestApp, day: chrono::NaiveDate, key: &str) {
    let r = app.db.jobs(&Operator::command_line(), "test".into());
    r.enqueue(SWEEP, key, json!({ "day": day }), Utc::now())
        .await
        .expect("enqueue");
    let pass = r
        .run_due(&app.state.config().hazard)
        .await
        .expect("sweep runs");
    assert_eq!((pass.done, pass.failed), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_notices_reach_principal_and_bureau_once() {
    let mut app = TestApp::new().await;
    let today = safecampus::storage::risk_points::today();
    let principal = app.login("s001.principal").await;
    let officer = app.login("bureau.officer").await;
    let before_p = kinds(&inbox(&app, &principal).await, "overdue").len();
    sweep(&app, today, "t:1").await;
    let p = inbox(&app, &principal).await;
    let overdue = kinds(&p, "overdue");
    assert!(
        overdue.len() > before_p,
        "the principal hears of S001's overdue hazards"
    );
    for n in &overdue {
        assert!(n["link"].as_str().unwrap().starts_with("/hazards/"));
        assert!(n["params"]["days"].as_i64().unwrap() > 0);
    }
    let o = inbox(&app, &officer).await;
    assert!(
        kinds(&o, "overdue").len() >= overdue.len(),
        "the bureau hears of every overdue hazard of its schools"
    );
    // Another instance, another run the same day: nothing twice.
    sweep(&app, today, "t:2").await;
    assert_eq!(
        kinds(&inbox(&app, &principal).await, "overdue").len(),
        overdue.len()
    );
    // NG's officer hears nothing of ED's schools.
    let ng = app.login("nanguan.officer").await;
    let ng_links: Vec<String> = kinds(&inbox(&app, &ng).await, "overdue")
        .iter()
        .map(|n| n["link"].as_str().unwrap().to_string())
        .collect();
    for n in &overdue {
        assert!(!ng_links.contains(&n["link"].as_str().unwrap().to_string()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_come_before_the_deadline() {
    let mut app = TestApp::new().await;
    let today = safecampus::storage::risk_points::today();
    // The demo's canteen hazard at S001 is due in 12 days: three days before, the responsible
    // person (S001's staff account) is reminded.
    let staff = app.login("s001.staff").await;
    sweep(&app, today + Duration::days(9), "t:r").await;
    let r = kinds(&inbox(&app, &staff).await, "reminder");
    let due = (today + Duration::days(12)).to_string();
    assert!(
        r.iter()
            .any(|n| n["params"]["days"] == 3 && n["params"]["deadline"] == due.as_str()),
        "reminder 3 days before {due}: {r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_reads_only_their_own() {
    let mut app = TestApp::new().await;
    let today = safecampus::storage::risk_points::today();
    sweep(&app, today, "t:o").await;
    let principal = app.login("s001.principal").await;
    let officer = app.login("bureau.officer").await;
    let p = inbox(&app, &principal).await;
    let unread = p["unread"].as_u64().unwrap();
    assert!(unread > 0);
    let first = p["items"][0]["id"].as_i64().unwrap();
    // The officer cannot mark the principal's notification.
    let r = app
        .json(
            Method::POST,
            "/api/v1/inbox/read",
            Some(&officer),
            &json!({"ids": [first]}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["changed"], 0);
    assert_eq!(inbox(&app, &principal).await["unread"], unread);
    // The principal can.
    let r = app
        .json(
            Method::POST,
            "/api/v1/inbox/read",
            Some(&principal),
            &json!({"ids": [first]}),
        )
        .await;
    assert_eq!(r.json()["changed"], 1);
    assert_eq!(inbox(&app, &principal).await["unread"], unread - 1);
    // Nothing named: a clear error; unknown fields refused.
    let r = app
        .json(
            Method::POST,
            "/api/v1/inbox/read",
            Some(&principal),
            &json!({}),
        )
        .await;
    expect(&r, 422, "invalid");
    let r = app
        .json(
            Method::POST,
            "/api/v1/inbox/read",
            Some(&principal),
            &json!({"all": true, "x": 1}),
        )
        .await;
    assert_eq!(r.status, 422);
    // The page shows the badge; marking all read clears it.
    let cookie = principal.clone();
    let page = app.get("/inbox", Some(&cookie)).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("id=\"inbox-badge\""));
    assert!(page.text().contains("逾期"));
    let r = app
        .json(
            Method::POST,
            "/api/v1/inbox/read",
            Some(&principal),
            &json!({"all": true}),
        )
        .await;
    assert_eq!(r.json()["changed"].as_u64().unwrap(), unread - 1);
    let page = app.get("/inbox", Some(&cookie)).await;
    assert!(!page.text().contains("id=\"inbox-badge\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_week_overdue_is_escalated_to_bureau_supervision_once() {
    let mut app = TestApp::new().await;
    let today = safecampus::storage::risk_points::today();
    let officer = app.login("bureau.officer").await;
    // The demo's canteen steamer-valve hazard at S001 (食堂蒸饭柜安全阀) was due four days ago
    // and is not supervised.
    let list = app
        .get(
            "/api/v1/hazards?q=%E8%92%B8%E9%A5%AD%E6%9F%9C",
            Some(&officer),
        )
        .await
        .json();
    let h = &list["items"][0];
    assert_eq!(h["supervised"], false, "{h}");
    assert!(h["overdue"].as_bool().unwrap());
    let id = h["id"].as_i64().unwrap();
    let path = format!("/api/v1/hazards/{id}");
    let before = app.get(&path, Some(&officer)).await.json();
    let events = before["history"].as_array().unwrap().len();
    // Seven days overdue is not yet more than seven.
    sweep(&app, today + Duration::days(3), "t:e0").await;
    assert_eq!(
        app.get(&path, Some(&officer)).await.json()["supervised"],
        false
    );
    // Eight days overdue: listed for bureau supervision, by the system, in the history.
    sweep(&app, today + Duration::days(4), "t:e1").await;
    let after = app.get(&path, Some(&officer)).await.json();
    assert_eq!(after["supervised"], true);
    assert_eq!(after["status"], before["status"], "the status stays");
    let history = after["history"].as_array().unwrap();
    assert_eq!(history.len(), events + 1);
    let last = history.last().unwrap();
    assert_eq!(last["kind"], "escalated");
    assert_eq!(last["user_id"], Value::Null);
    // The managers and the bureau hear of it; a second run changes nothing.
    let esc = kinds(&inbox(&app, &officer).await, "escalated");
    assert!(esc.iter().any(|n| n["hazard_id"] == id), "{esc:?}");
    sweep(&app, today + Duration::days(4), "t:e2").await;
    let again = app.get(&path, Some(&officer)).await.json();
    assert_eq!(again["history"].as_array().unwrap().len(), events + 1);
    // Now only the bureau may accept or close it.
    let p = app.login("s001.principal").await;
    let d = app.get(&path, Some(&p)).await.json();
    assert!(
        !d["available_actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "accept" || a == "close"),
        "{d}"
    );
}

/// Each notice names its school and object: after the sweep, the bureau officer's overdue
/// notices of several schools read "S00n <school>：隐患「<title>」已逾期" (in English
/// "S00n <school>: hazard “<title>” is overdue"), so that notices of different schools about
/// the same kind of thing are told apart; the API carries the school's code and name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_name_the_school_and_the_object() {
    let mut app = TestApp::new().await;
    let today = safecampus::storage::risk_points::today();
    let officer = app.login("bureau.officer").await;
    sweep(&app, today, "t:names").await;
    let o = inbox(&app, &officer).await;
    let overdue = kinds(&o, "overdue");
    let mut schools = std::collections::BTreeSet::new();
    for n in &overdue {
        let code = n["school_code"].as_str().expect("the school's code");
        let name = n["school_name"].as_str().expect("the school's name");
        assert!(code.starts_with('S') && !name.is_empty(), "{n}");
        schools.insert(code.to_string());
    }
    assert!(
        schools.len() >= 2,
        "overdue notices of several schools: {schools:?}"
    );
    let html = app.get("/inbox", Some(&officer)).await.text();
    let mut lines = 0;
    for n in overdue.iter().take(20) {
        let line = format!(
            "{} {}：隐患「{}」已逾期",
            n["school_code"].as_str().unwrap(),
            n["school_name"].as_str().unwrap(),
            n["subject"].as_str().unwrap()
        );
        assert!(html.contains(&line), "the inbox reads {line}");
        lines += 1;
    }
    assert!(lines > 1);
    let en = app
        .request(
            Method::GET,
            "/inbox",
            Some(&officer),
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await
        .text();
    let n = &overdue[0];
    let line = format!(
        "{} {}: hazard “{}” is overdue",
        n["school_code"].as_str().unwrap(),
        n["school_name"].as_str().unwrap(),
        n["subject"].as_str().unwrap()
    );
    assert!(en.contains(&line), "the English inbox reads {line}");
}

/// Every kind of notice the inbox can show has its sentence in both languages, and a notice
/// of each kind names its school before the object.
#[test]
fn every_notice_kind_reads_as_a_sentence() {
    use safecampus::domain::ids::{NotificationId, OrgId};
    use safecampus::i18n::{LANGS, has};
    use safecampus::storage::inbox::{NoteParams, Notification};
    let kinds = safecampus::web::routes::all_notice_kinds();
    assert!(kinds.len() >= 20, "{kinds:?}");
    for k in &kinds {
        for l in LANGS {
            assert!(
                has(*l, &format!("inbox.line.{k}")),
                "inbox.line.{k} ({})",
                l.code()
            );
        }
        let lines: Vec<String> = ["S001", "S002", "S003"]
            .iter()
            .map(|code| {
                let n = Notification {
                    id: NotificationId(1),
                    kind: k.to_string(),
                    hazard_id: None,
                    school_id: Some(OrgId(1)),
                    school_code: Some(code.to_string()),
                    school_name: Some(format!("{code}学校")),
                    subject: "留样冰箱温度记录缺两天".into(),
                    link: "/".into(),
                    params: NoteParams::default(),
                    created_at: Utc::now(),
                    read_at: None,
                };
                safecampus::web::pages::inbox::headline(safecampus::i18n::Lang::Zh, &n)
            })
            .collect();
        for (line, code) in lines.iter().zip(["S001", "S002", "S003"]) {
            assert!(line.starts_with(&format!("{code} {code}学校：")), "{line}");
            assert!(line.contains("「留样冰箱温度记录缺两天」"), "{line}");
        }
    }
    // A warning's subject that starts with its school's name does not say it twice.
    let n = Notification {
        id: NotificationId(1),
        kind: "warning_raised".into(),
        hazard_id: None,
        school_id: Some(OrgId(1)),
        school_code: Some("S001".into()),
        school_name: Some("春华小学".into()),
        subject: "春华小学 · 配电室温度过高".into(),
        link: "/".into(),
        params: NoteParams::default(),
        created_at: Utc::now(),
        read_at: None,
    };
    assert_eq!(
        safecampus::web::pages::inbox::headline(safecampus::i18n::Lang::Zh, &n),
        "S001 春华小学：预警「配电室温度过高」"
    );
}
