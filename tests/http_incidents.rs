//! Incident reports (紧急信息报告, F-EMG-4): a school's first report registers the incident and
//! starts its clocks; follow-ups and the final report are numbered, immutable versions; each
//! report's deadline and lateness (迟报) are recorded when it is sent, to the deadline's edge
//! and per type and level; out-of-sequence reports are 409 and other schools' incidents 404;
//! the people hurt (minors) never appear in a list, an export, the audit log or any answer a
//! role without the right gets, and each view of their names is audited; the bureau
//! acknowledges and records its report upward; the sweep warns of a report past its deadline
//! and sending it clears the warning.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, Utc};
use common::{TestApp, fields};
use safecampus::config::{Config, HazardRules};
use safecampus::domain::ids::{OrgId, UserId};
use safecampus::domain::incident::{
    Casualty, HurtPerson, IncidentLevel, IncidentType, ReportDeadlines, ReportKind,
};
use safecampus::domain::role::Role;
use safecampus::storage::Operator;
use safecampus::storage::seed_history::Person;
use safecampus::storage::seed_incidents::{PastIncident, PastReport};
use serde_json::{Value, json};

/// The names of the people hurt in these tests: none may leak.
const PUPIL_A: &str = "甄小明";
const PUPIL_B: &str = "贾小红";

fn ago(minutes: i64) -> DateTime<Utc> {
    Utc::now() - Duration::minutes(minutes)
}

fn first_report(school: i64, known_minutes_ago: i64) -> Value {
    json!({
        "school_id": school,
        "incident_type": "fall",
        "level": "general",
        "occurred_at": ago(known_minutes_ago + 10),
        "known_at": ago(known_minutes_ago),
        "place": "教学楼三楼楼梯间",
        "summary": "课间一名学生在楼梯间摔倒，头部擦伤，另一名学生扭伤脚踝。",
        "measures": "校医处置，通知家长，送医检查。",
        "injured": 2,
        "persons": [
            {"name": PUPIL_A, "casualty": "injured", "age": 10, "note": "四年级二班，头部擦伤"},
            {"name": PUPIL_B, "casualty": "injured", "age": 11, "note": "五年级一班，脚踝扭伤"}
        ],
        "reporter": "李校长",
        "phone": "0431-88886666"
    })
}

async fn create(app: &TestApp, t: &str, body: &Value) -> common::Resp {
    app.json(Method::POST, "/api/v1/incidents", Some(t), body)
        .await
}

async fn created(app: &TestApp, t: &str, body: &Value) -> Value {
    let r = create(app, t, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

async fn report(app: &TestApp, t: &str, id: i64, body: Value) -> common::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/incidents/{id}/reports"),
        Some(t),
        &body,
    )
    .await
}

fn id_of(d: &Value) -> i64 {
    d["incident"]["id"].as_i64().expect("incident id")
}

#[tokio::test]
async fn a_school_reports_follows_up_and_closes_an_incident() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let p = app.login("s001.principal").await;
    let d = created(&app, &p, &first_report(s001, 20)).await;
    let id = id_of(&d);
    assert_eq!(d["incident"]["reports"], 1);
    assert_eq!(d["incident"]["closed"], false);
    assert_eq!(d["incident"]["category"], "accident");
    assert_eq!(d["reports"][0]["seq"], 1);
    assert_eq!(d["reports"][0]["kind"], "first");
    assert_eq!(d["reports"][0]["late"], false);
    assert_eq!(d["reports"][0]["persons_named"], 2);
    assert_eq!(d["clocks"]["next"]["kind"], "follow_up");
    assert_eq!(d["clocks"]["overdue"], false);
    // The next follow-up is due a day after the first report (general).
    let sent: DateTime<Utc> = d["reports"][0]["sent_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let next: DateTime<Utc> = d["clocks"]["next"]["due_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(next - sent, Duration::hours(24));

    // A follow-up upgrades the level and the counts; people stay the previous report's.
    let r = report(
        &app,
        &p,
        id,
        json!({"kind": "follow_up", "summary": "一名学生留院观察", "level": "major",
            "injured": 3}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    assert_eq!(d["incident"]["level"], "major");
    assert_eq!(d["incident"]["injured"], 3);
    assert_eq!(d["reports"][1]["seq"], 2);
    assert_eq!(d["reports"][1]["persons_named"], 2);
    assert_eq!(d["reports"][1]["reporter"], "李校长", "carried over");
    // The first report is unchanged (its record is immutable).
    assert_eq!(d["reports"][0]["level"], "general");
    assert_eq!(d["reports"][0]["injured"], 2);

    // A second first report is out of sequence.
    let r = report(&app, &p, id, json!({"kind": "first", "summary": "再报"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Lowering the counts below the people named is a field error.
    let r = report(
        &app,
        &p,
        id,
        json!({"kind": "follow_up", "summary": "x", "injured": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r.json()), vec!["persons"]);

    // The final report closes it; nothing after it.
    let r = report(
        &app,
        &p,
        id,
        json!({"kind": "final", "summary": "均已出院，处置结束", "persons": []}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    assert_eq!(d["incident"]["closed"], true);
    assert_eq!(d["incident"]["reports"], 3);
    assert!(d["clocks"]["next"].is_null());
    assert_eq!(d["reports"][2]["persons_named"], 0);
    for kind in ["follow_up", "final", "first"] {
        let r = report(&app, &p, id, json!({"kind": kind, "summary": "又一次"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{kind} after the final");
        assert_eq!(r.json()["error"]["code"], "conflict");
    }
    let list = app
        .get("/api/v1/incidents?status=closed", Some(&p))
        .await
        .json();
    assert!(list.as_array().unwrap().iter().any(|i| i["id"] == id));
    let open = app
        .get("/api/v1/incidents?status=open", Some(&p))
        .await
        .json();
    assert!(!open.as_array().unwrap().iter().any(|i| i["id"] == id));
    let r = app.get("/api/v1/incidents?status=maybe", Some(&p)).await;
    assert_eq!(fields(&r.json()), vec!["status"]);

    // The database refuses to change or remove a sent report.
    let conn = sea_orm::Database::connect(app.owner_url().as_str())
        .await
        .expect("connect");
    use sea_orm::ConnectionTrait;
    for sql in [
        format!("UPDATE incident_reports SET summary = 'x' WHERE incident_id = {id}"),
        format!("DELETE FROM incident_reports WHERE incident_id = {id}"),
    ] {
        let e = conn.execute_unprepared(&sql).await;
        assert!(e.is_err(), "{sql} must be refused");
    }
    conn.close().await.ok();
}

#[tokio::test]
async fn a_first_report_is_checked() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let p = app.login("s001.safety").await;
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|b: &mut Value| b["known_at"] = json!(ago(40))),
            "known_at",
        ),
        (
            Box::new(|b: &mut Value| b["occurred_at"] = json!(ago(-10))),
            "occurred_at",
        ),
        (Box::new(|b: &mut Value| b["place"] = json!(" ")), "place"),
        (
            Box::new(|b: &mut Value| b["summary"] = json!("")),
            "summary",
        ),
        (Box::new(|b: &mut Value| b["deaths"] = json!(-1)), "deaths"),
        (Box::new(|b: &mut Value| b["injured"] = json!(1)), "persons"),
        (
            Box::new(|b: &mut Value| b["phone"] = json!("call me")),
            "phone",
        ),
        (
            Box::new(|b: &mut Value| b["reporter"] = json!("")),
            "reporter",
        ),
        (
            Box::new(|b: &mut Value| b["persons"][1]["name"] = json!("")),
            "persons[1].name",
        ),
        (
            Box::new(|b: &mut Value| b["persons"][0]["age"] = json!(130)),
            "persons[0].age",
        ),
    ];
    for (edit, field) in cases {
        let mut b = first_report(s001, 20);
        edit(&mut b);
        let r = create(&app, &p, &b).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {b}");
        assert_eq!(fields(&r.json()), vec![field.to_string()], "{b}");
    }
    // An unknown type or field is refused before anything.
    let mut b = first_report(s001, 20);
    b["incident_type"] = json!("meteor");
    assert_eq!(
        create(&app, &p, &b).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut b = first_report(s001, 20);
    b["sent_at"] = json!(ago(5));
    assert_eq!(
        create(&app, &p, &b).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the sent instant is the server's"
    );
    // Nothing was written.
    let list = app.get("/api/v1/incidents", Some(&p)).await.json();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|i| i["place"] != "教学楼三楼楼梯间")
    );
}

#[tokio::test]
async fn deadlines_run_from_known_at_per_type_and_level() {
    let mut cfg = Config::default();
    cfg.incidents
        .first_minutes_by_level
        .insert(IncidentLevel::EspeciallySerious, 30);
    let mut app = TestApp::with_config(cfg).await;
    let s001 = app.org_id("S001").await;
    let p = app.login("s001.principal").await;
    let late = |d: &Value| {
        (
            d["reports"][0]["late"].clone(),
            d["incident"]["late_reports"].clone(),
        )
    };
    // An hour for an accident: 59 minutes is in time, 61 is late.
    let d = created(&app, &p, &first_report(s001, 59)).await;
    assert_eq!(late(&d), (json!(false), json!(0)));
    let d = created(&app, &p, &first_report(s001, 61)).await;
    assert_eq!(late(&d), (json!(true), json!(1)));
    let m = d["reports"][0]["late_minutes"].as_i64().unwrap();
    assert!((1..=2).contains(&m), "about a minute late: {m}");
    let due: DateTime<Utc> = d["reports"][0]["due_at"].as_str().unwrap().parse().unwrap();
    let known: DateTime<Utc> = d["incident"]["known_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - known, Duration::hours(1));
    // Two hours for food poisoning.
    let mut b = first_report(s001, 100);
    b["incident_type"] = json!("food_poisoning");
    let d = created(&app, &p, &b).await;
    assert_eq!(late(&d), (json!(false), json!(0)));
    assert_eq!(d["incident"]["category"], "public_health");
    let mut b = first_report(s001, 121);
    b["incident_type"] = json!("food_poisoning");
    assert_eq!(late(&created(&app, &p, &b).await), (json!(true), json!(1)));
    // The configured 30 minutes for an especially serious one bind over the type's hour.
    let mut b = first_report(s001, 40);
    b["level"] = json!("especially_serious");
    let d = created(&app, &p, &b).await;
    assert_eq!(late(&d), (json!(true), json!(1)));
    // Twice a day from serious up: the next follow-up 12 hours after the report.
    let mut b = first_report(s001, 10);
    b["level"] = json!("serious");
    let d = created(&app, &p, &b).await;
    let sent: DateTime<Utc> = d["reports"][0]["sent_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let next: DateTime<Utc> = d["clocks"]["next"]["due_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(next - sent, Duration::hours(12));
    // The list carries each clock and the 迟报 count.
    let list = app.get("/api/v1/incidents", Some(&p)).await.json();
    let lates = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["late_reports"] == 1)
        .count();
    assert!(lates >= 3, "{lates}");
}

#[tokio::test]
async fn other_schools_incidents_are_not_found_and_roles_are_checked() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let ed = app.org_id("ED").await;
    let p1 = app.login("s001.principal").await;
    let id = id_of(&created(&app, &p1, &first_report(s001, 20)).await);
    let p2 = app.login("s002.principal").await;
    // Another school's incident: not found, whatever is asked.
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{id}"), Some(&p2))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = report(&app, &p2, id, json!({"kind": "follow_up", "summary": "x"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = report(&app, &p2, id, json!({"kind": "first", "summary": "x"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "scope before sequence");
    let nanguan = app.login("nanguan.officer").await;
    for path in [
        format!("/api/v1/incidents/{id}"),
        format!("/api/v1/incidents/{id}/persons"),
    ] {
        assert_eq!(
            app.get(&path, Some(&nanguan)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // Reporting for another school, or a district, is not found; the bureau and the school's
    // staff and guard do not report.
    for school in [s002, ed, 987_654] {
        let r = create(&app, &p1, &first_report(school, 20)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{school}");
    }
    for who in ["s001.staff", "s001.guard", "bureau.officer", "city.officer"] {
        let t = app.login(who).await;
        let r = create(&app, &t, &first_report(s001, 20)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        let r = report(&app, &t, id, json!({"kind": "follow_up", "summary": "x"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    // Staff read the incident, counts only; the bureau reads it too.
    let staff = app.login("s001.staff").await;
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{id}"), Some(&staff))
            .await
            .status,
        StatusCode::OK
    );
    let officer = app.login("bureau.officer").await;
    let list = app.get("/api/v1/incidents", Some(&officer)).await.json();
    assert!(list.as_array().unwrap().iter().any(|i| i["id"] == id));
    let r = app
        .get(&format!("/api/v1/incidents?school_id={s002}"), Some(&p1))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a filter out of scope");
    // The system roles see no incidents.
    let sys = app.login("sysadmin").await;
    assert_eq!(
        app.get("/api/v1/incidents", Some(&sys)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// Every answer the account gets about the incident, its lists, export and pages.
async fn answers(app: &TestApp, t: &str, id: i64) -> Vec<(String, StatusCode, String)> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/incidents".to_string(),
        "/api/v1/incidents?status=open".to_string(),
        format!("/api/v1/incidents/{id}"),
        format!("/api/v1/incidents/{id}/persons"),
        "/incidents".to_string(),
        format!("/incidents/{id}"),
        format!("/incidents/{id}/names"),
        format!("/incidents/{id}/print"),
        format!("/incidents/{id}/print?names=1"),
        "/api/v1/warnings?per_page=200".to_string(),
    ] {
        let r = app.get(&path, Some(t)).await;
        out.push((path, r.status, r.text()));
    }
    let x = app.get("/api/v1/incidents/export.xlsx", Some(t)).await;
    let text = if x.status == StatusCode::OK {
        safecampus::xlsx::read_first_sheet(&x.body, &Default::default())
            .expect("the export reads")
            .concat()
            .join("|")
    } else {
        x.text()
    };
    out.push(("export".into(), x.status, text));
    out
}

#[tokio::test]
async fn the_names_of_the_people_hurt_are_shown_only_to_the_granted_and_each_view_is_audited() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let p = app.login("s001.principal").await;
    let id = id_of(&created(&app, &p, &first_report(s001, 20)).await);
    report(
        &app,
        &p,
        id,
        json!({"kind": "follow_up", "summary": "续报：情况稳定"}),
    )
    .await;
    let granted = [
        "s001.principal",
        "s001.safety",
        "bureau.officer",
        "bureau.leader",
        "bureau.inspector",
        "city.officer",
    ];
    for (name, _, _) in safecampus::demo::accounts() {
        let t = app.login(&name).await;
        let ok_views = "action=incident.view_persons&result=ok&per_page=200";
        let before = app.audit(ok_views).await.len();
        let got = answers(&app, &t, id).await;
        let views = app.audit(ok_views).await.len();
        if granted.contains(&name.as_str()) {
            // The names page, the persons API and the print with names show them.
            for (path, status, body) in &got {
                if path.ends_with("/names")
                    || path.ends_with("/persons")
                    || path.ends_with("print?names=1")
                {
                    assert_eq!(*status, StatusCode::OK, "{name} {path}");
                    assert!(
                        body.contains(PUPIL_A) && body.contains(PUPIL_B),
                        "{name} {path}"
                    );
                } else {
                    assert!(!body.contains(PUPIL_A), "{name}: {path} shows a name");
                }
            }
            assert_eq!(views - before, 3, "{name}: each view audited");
        } else {
            for (path, _, body) in &got {
                assert!(
                    !body.contains(PUPIL_A) && !body.contains(PUPIL_B),
                    "{name}: {path} shows a name"
                );
            }
            assert_eq!(views, before, "{name}: no view, no audit row");
        }
    }
    // The view's audit row says who looked at which incident, never the names; no audit row
    // anywhere carries them.
    let rows = app
        .audit("action=incident.view_persons&result=ok&per_page=200")
        .await;
    let mine = rows
        .iter()
        .find(|r| r["username"] == "s001.principal")
        .unwrap();
    assert_eq!(mine["object_id"], id.to_string());
    assert!(mine["detail"].as_str().unwrap().contains("persons=4"));
    let all = app.audit("per_page=200").await;
    let text = serde_json::to_string(&all).unwrap();
    assert!(!text.contains(PUPIL_A) && !text.contains(PUPIL_B));
    // A refused view is audited as a refusal, without names.
    let staff = app.login("s001.staff").await;
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{id}/persons"), Some(&staff))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let denied = app
        .audit("action=incident.view_persons&result=denied&per_page=50")
        .await;
    assert!(denied.iter().any(|r| r["username"] == "s001.staff"));
}

#[tokio::test]
async fn the_bureau_acknowledges_each_report_and_records_its_report_upward() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let p = app.login("s001.principal").await;
    let d = created(&app, &p, &first_report(s001, 20)).await;
    let id = id_of(&d);
    let sent: DateTime<Utc> = d["reports"][0]["sent_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let officer = app.login("bureau.officer").await;
    let city = app.login("city.officer").await;
    let nanguan = app.login("nanguan.officer").await;
    let mut others = Vec::new();
    for who in ["s001.principal", "bureau.leader", "bureau.inspector"] {
        others.push((who, app.login(who).await));
    }
    let receipt = |t: String, body: Value| {
        let app = &app;
        async move {
            app.json(
                Method::POST,
                &format!("/api/v1/incidents/{id}/receipts"),
                Some(&t),
                &body,
            )
            .await
        }
    };
    let r = receipt(officer.clone(), json!({"seq": 1})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(r.json()["forwarded_to"].is_null());
    let r = receipt(officer.clone(), json!({"seq": 1})).await;
    assert_eq!(r.status, StatusCode::OK, "again: unchanged");
    // The report upward: to whom and when, checked, then recorded once.
    for (body, field) in [
        (
            json!({"seq": 1, "forwarded_to": "市教育局"}),
            "forwarded_at",
        ),
        (
            json!({"seq": 1, "forwarded_at": Utc::now()}),
            "forwarded_to",
        ),
        (
            json!({"seq": 1, "forwarded_to": "市教育局", "forwarded_at": sent - Duration::minutes(1)}),
            "forwarded_at",
        ),
        (
            json!({"seq": 1, "forwarded_to": "市教育局", "forwarded_at": Utc::now() + Duration::hours(1)}),
            "forwarded_at",
        ),
        (json!({"seq": 9}), "seq"),
    ] {
        let r = receipt(officer.clone(), body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&r.json()), vec![field.to_string()], "{body}");
    }
    let up = json!({"seq": 1, "forwarded_to": "市教育局总值班室", "forwarded_at": Utc::now()});
    let r = receipt(officer.clone(), up.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["forwarded_to"], "市教育局总值班室");
    let r = receipt(officer.clone(), up).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "recorded once");
    // The city acknowledges too; the district's receipt comes first.
    let r = receipt(city, json!({"seq": 1})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let d = app
        .get(&format!("/api/v1/incidents/{id}"), Some(&p))
        .await
        .json();
    let rc = d["reports"][0]["receipts"].as_array().unwrap();
    assert_eq!(rc.len(), 2);
    assert_eq!(rc[0]["org"]["code"], "ED");
    assert_eq!(rc[0]["forwarded_to"], "市教育局总值班室");
    assert_eq!(rc[1]["org"]["code"], "CC");
    // Schools and the leader do not acknowledge; the other district does not see it.
    for (who, t) in others {
        let r = receipt(t, json!({"seq": 1})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(
        receipt(nanguan, json!({"seq": 1})).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Runs the warning sweep of the slot of `at` (a past slot, so that it is due now).
async fn sweep(app: &TestApp, at: DateTime<Utc>) {
    let r = app.db.jobs(&Operator::command_line(), "t".into());
    assert!(r.schedule_warning_sweep(at).await.unwrap(), "a new slot");
    let pass = r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!(pass.failed, 0);
}

async fn incident_warnings(app: &TestApp, t: &str, id: i64) -> Vec<Value> {
    let list = app
        .get(
            "/api/v1/warnings?per_page=200&open=true&source=incident",
            Some(t),
        )
        .await
        .json();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| {
            w["subject"]
                .as_str()
                .unwrap()
                .starts_with(&format!("incident:{id}:"))
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_report_past_its_deadline_raises_a_warning_that_sending_it_clears() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let p = app.login("s001.principal").await;
    let principal_id = app.user_id("s001.principal").await;
    // An incident of yesterday whose follow-up was due five hours ago.
    let person = Person {
        user: UserId(principal_id),
        name: "李校长".into(),
        role: Role::Principal,
    };
    let known = ago(30 * 60);
    let u = app.db.unsafe_unscoped(&Operator::command_line());
    let mut tx = u.begin().await.unwrap();
    let id = tx
        .incident(
            &PastIncident {
                school: OrgId(s001),
                incident_type: IncidentType::Drowning,
                occurred_at: known - Duration::minutes(5),
                known_at: known,
                place: "学校附近河道",
                reports: vec![PastReport {
                    kind: ReportKind::First,
                    level: IncidentLevel::General,
                    deaths: 0,
                    injured: 1,
                    missing: 0,
                    summary: "一名学生放学后在河边玩耍落水，被路人救起，送医观察。",
                    measures: "校领导赶赴医院，通知家长。",
                    persons: vec![HurtPerson {
                        name: PUPIL_A.into(),
                        casualty: Casualty::Injured,
                        age: Some(12),
                        note: String::new(),
                    }],
                    sent_at: known + Duration::minutes(50),
                    by: &person,
                    phone: "13904310001",
                }],
                receipts: vec![],
            },
            &ReportDeadlines::default(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let id = id.0;
    let d = app
        .get(&format!("/api/v1/incidents/{id}"), Some(&p))
        .await
        .json();
    assert_eq!(d["clocks"]["overdue"], true);
    assert_eq!(d["clocks"]["next"]["kind"], "follow_up");
    assert!(d["clocks"]["overdue_minutes"].as_i64().unwrap() >= 5 * 60 - 1);
    assert_eq!(
        d["reports"][0]["late"], false,
        "the first report was on time"
    );

    let now = Utc::now();
    sweep(&app, now - Duration::minutes(6)).await;
    let officer = app.login("bureau.officer").await;
    let raised = incident_warnings(&app, &officer, id).await;
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert_eq!(raised[0]["subject"], format!("incident:{id}:2"));
    assert_eq!(raised[0]["level"], "yellow");
    assert_eq!(raised[0]["rule"], "late_incident_report");
    assert_eq!(raised[0]["school_id"], s001);
    assert!(!raised[0]["detail"].as_str().unwrap().contains(PUPIL_A));
    assert_eq!(
        incident_warnings(&app, &p, id).await.len(),
        1,
        "the school sees it"
    );
    // Nothing new on the next sweep.
    sweep(&app, now - Duration::minutes(3)).await;
    let again = incident_warnings(&app, &officer, id).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["repeats"], 0);

    // The follow-up, sent late, is recorded late; the sweep then clears the warning.
    let r = report(
        &app,
        &p,
        id,
        json!({"kind": "follow_up", "summary": "学生已出院。"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    assert_eq!(d["reports"][1]["late"], true);
    assert!(d["reports"][1]["late_minutes"].as_i64().unwrap() >= 5 * 60 - 1);
    assert_eq!(d["incident"]["late_reports"], 1);
    assert_eq!(d["clocks"]["overdue"], false);
    sweep(&app, now).await;
    assert!(incident_warnings(&app, &officer, id).await.is_empty());
    // The lateness stays in the record.
    let list = app.get("/api/v1/incidents", Some(&officer)).await.json();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap();
    assert_eq!(row["late_reports"], 1);
    assert_eq!(row["overdue"], false);
}

#[tokio::test]
async fn the_demo_district_has_two_incidents_one_reported_late() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let list = app.get("/api/v1/incidents", Some(&officer)).await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let late: Vec<&Value> = list.iter().filter(|i| i["late_reports"] == 1).collect();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["closed"], true);
    let open: Vec<&Value> = list.iter().filter(|i| i["closed"] == false).collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["late_reports"], 0);
    let id = late[0]["id"].as_i64().unwrap();
    let d = app
        .get(&format!("/api/v1/incidents/{id}"), Some(&officer))
        .await
        .json();
    assert_eq!(d["reports"][0]["late"], true);
    assert_eq!(d["reports"][0]["late_minutes"], 35);
    assert_eq!(d["reports"][2]["kind"], "final");
    assert!(
        d["reports"][0]["receipts"][0]["forwarded_to"]
            .as_str()
            .is_some()
    );
    // 南关区 has none.
    let nanguan = app.login("nanguan.officer").await;
    let theirs = app.get("/api/v1/incidents", Some(&nanguan)).await.json();
    assert!(theirs.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_pages_report_follow_up_acknowledge_and_print() {
    let mut app = TestApp::new().await;
    let p = app.login("s001.principal").await;
    let list = app.get("/incidents", Some(&p)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("id=\"incident-list\""));
    assert!(list.text().contains("href=\"/incidents/new\""));
    let form = app.get("/incidents/new", Some(&p)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("id=\"incident-form\""));
    let local = |m: i64| {
        (Utc::now() + Duration::hours(8) - Duration::minutes(m))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let (occurred, known) = (local(30), local(20));
    let fields_of = |summary: &'static str| {
        vec![
            ("incident_type", "stampede"),
            ("level", "general"),
            ("occurred_at", occurred.as_str()),
            ("known_at", known.as_str()),
            ("place", "东侧楼梯"),
            ("summary", summary),
            ("injured", "1"),
            ("person_name", PUPIL_B),
            ("person_casualty", "injured"),
            ("person_age", "8"),
            ("person_note", ""),
            ("person_name", ""),
            ("person_casualty", "injured"),
            ("person_age", ""),
            ("person_note", ""),
            ("reporter", "李校长"),
            ("phone", "13900001111"),
        ]
    };
    // A form without what happened is shown again.
    let r = app.form("/incidents", Some(&p), &fields_of("")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .form(
            "/incidents",
            Some(&p),
            &fields_of("放学时楼梯拥挤，一名学生被挤倒"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = r.header("location");
    let id: i64 = page.trim_start_matches("/incidents/").parse().unwrap();
    let html = app.get(&page, Some(&p)).await.text();
    assert!(html.contains("id=\"incident-clocks\""));
    assert!(html.contains("id=\"report-form\""));
    assert!(!html.contains(PUPIL_B), "the detail hides the names");
    assert!(html.contains("href=\"/incidents/"));
    let names = app.get(&format!("{page}/names"), Some(&p)).await;
    assert_eq!(names.status, StatusCode::OK);
    assert!(names.text().contains(PUPIL_B));
    assert!(names.text().contains("id=\"names-notice\""));
    // A follow-up from the page.
    let r = app
        .form(
            &format!("{page}/reports"),
            Some(&p),
            &[
                ("kind", "follow_up"),
                ("summary", "已送医，无大碍"),
                ("level", "general"),
                ("injured", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let d = app
        .get(&format!("/api/v1/incidents/{id}"), Some(&p))
        .await
        .json();
    assert_eq!(d["reports"][1]["kind"], "follow_up");
    assert_eq!(d["reports"][1]["persons_named"], 1, "names carried over");
    // The bureau acknowledges from the page and reports upward.
    let officer = app.login("bureau.officer").await;
    let detail = app.get(&page, Some(&officer)).await.text();
    assert!(detail.contains("receipt-form"));
    assert!(
        !detail.contains("id=\"report-form\""),
        "the bureau does not report"
    );
    let at = local(0);
    let r = app
        .form(
            &format!("{page}/receipts"),
            Some(&officer),
            &[
                ("seq", "1"),
                ("forwarded_to", "市教育局总值班室"),
                ("forwarded_at", at.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let d = app
        .get(&format!("/api/v1/incidents/{id}"), Some(&p))
        .await
        .json();
    assert_eq!(
        d["reports"][0]["receipts"][0]["forwarded_to"],
        "市教育局总值班室"
    );
    // The printed form, with and without names.
    let print = app.get(&format!("{page}/print"), Some(&officer)).await;
    assert_eq!(print.status, StatusCode::OK);
    let text = print.text();
    assert!(text.contains("id=\"incident-form-doc\""));
    assert!(!text.contains(PUPIL_B));
    let with = app
        .get(&format!("{page}/print?names=1"), Some(&officer))
        .await
        .text();
    assert!(with.contains(PUPIL_B) && with.contains("id=\"print-persons\""));
    let staff = app.login("s001.staff").await;
    assert_eq!(
        app.get(&format!("{page}/print?names=1"), Some(&staff))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The list's export.
    let x = app
        .get("/api/v1/incidents/export.xlsx", Some(&officer))
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.header("content-type").contains("spreadsheetml"));
    // The guard may read, not report.
    let guard = app.login("s001.guard").await;
    assert_eq!(
        app.get("/incidents/new", Some(&guard)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&page, Some(&guard)).await.status, StatusCode::OK);
}

/// A report that says the incident showed a defect of the plans makes the school's plans in
/// force of the incident's type due for evaluation at once (the drill's flag, from an
/// incident); without the flag nothing changes.
#[tokio::test]
async fn an_incident_that_shows_a_plan_defect_makes_its_plans_due_for_evaluation() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let p = app.login("s001.principal").await;
    let plans_path = format!("/api/v1/schools/{s001}/emergency-plans");
    let fire_plan = |list: &Value| -> Value {
        list["plans"]
            .as_array()
            .expect("plans")
            .iter()
            .find(|p| p["plan_type"] == "fire" && p["status"] == "in_force")
            .cloned()
            .expect("S001's fire plan in force")
    };
    let before = app.get(&plans_path, Some(&p)).await.json();
    assert_eq!(fire_plan(&before)["defect_flagged_on"], Value::Null);
    let mut body = first_report(s001, 20);
    body["incident_type"] = json!("fire");
    body["persons"] = json!([]);
    body["injured"] = json!(0);
    let id = id_of(&created(&app, &p, &body).await);
    let r = report(
        &app,
        &p,
        id,
        json!({"kind": "follow_up", "summary": "明火已扑灭"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let same = app.get(&plans_path, Some(&p)).await.json();
    assert_eq!(fire_plan(&same)["defect_flagged_on"], Value::Null);
    let r = report(
        &app,
        &p,
        id,
        json!({"kind": "final", "summary": "疏散时楼梯口指引不清，预案须修订", "plan_defect": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let after = app.get(&plans_path, Some(&p)).await.json();
    let f = fire_plan(&after);
    assert_eq!(f["evaluation_overdue"], true, "{f}");
    assert_eq!(
        f["defect_flagged_on"],
        safecampus::storage::risk_points::today().to_string()
    );
    let detail = app
        .get(
            &format!("/api/v1/emergency-plans/{}", f["id"].as_i64().expect("id")),
            Some(&p),
        )
        .await
        .json();
    assert_eq!(detail["defect_note"], format!("incident:{id}"));
}
