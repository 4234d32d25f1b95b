//! The work plan's page forms and the leftovers around them: a leading group kept from its
//! page (a school's by its people, the bureau's by name; a refused form keeps what was typed),
//! a school's letter to its posts issued from the page, a training's attendance uploaded on its
//! page with the row-by-row report, the printable year of the compliance calendar (its marks
//! equal to the API's cells), a past year's star rating read as awarded, a bureau's own
//! overdue plan warning the bureau, and a refused thumbnail read audited.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Duration, Utc};
use common::{PASSWORD, TestApp};
use safecampus::config::HazardRules;
use safecampus::storage::Operator;
use safecampus::xlsx::{Cell, write_sheet};
use serde_json::{Value, json};

fn today() -> chrono::NaiveDate {
    safecampus::storage::risk_points::today()
}

/// A browser's session cookie for `username`.
async fn cookie(app: &TestApp, username: &str) -> String {
    let form = [("username", username), ("password", PASSWORD)];
    let r = app.form("/login", None, &form).await;
    r.header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> common::Resp {
    app.request(Method::GET, path, None, None, vec![], &[("cookie", cookie)])
        .await
}

/// Posts a page form as the browser does: the session cookie and the page's CSRF token.
async fn post(app: &TestApp, path: &str, cookie: &str, pairs: &[(&str, &str)]) -> common::Resp {
    let html = page(app, path_page(path), cookie).await.text();
    let token = TestApp::form_token(&html);
    let mut all = vec![("_csrf", token.as_str())];
    all.extend_from_slice(pairs);
    let body = serde_urlencoded::to_string(&all).unwrap();
    app.request(
        Method::POST,
        path,
        None,
        Some("application/x-www-form-urlencoded"),
        body.into_bytes(),
        &[("cookie", cookie)],
    )
    .await
}

/// The page a form posting to `path` is on.
fn path_page(path: &str) -> &str {
    path
}

async fn person(app: &TestApp, t: &str, school: i64, name: &str, post: &str) -> i64 {
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/people"),
            Some(t),
            &json!({"name": name, "post": post}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn leading_groups_and_post_letters_are_kept_from_their_pages() {
    let mut app = TestApp::new().await;
    let principal = app.login("s001.principal").await;
    let s001 = app.org_id("S001").await;
    let lead = person(&app, &principal, s001, "页面组长", "teacher").await;
    let member = person(&app, &principal, s001, "页面组员", "teacher").await;
    let c = cookie(&app, "s001.principal").await;
    let html = page(&app, "/leading-groups", &c).await.text();
    assert!(html.contains("id=\"group-form\""), "the school's own form");
    assert!(html.contains("页面组长"), "its people to choose from");
    // A bad phone: 422, the page again with what was typed.
    let (l, m) = (lead.to_string(), member.to_string());
    let mut pairs = vec![
        ("role.0", "leader"),
        ("person.0", l.as_str()),
        ("duty.0", "全面负责"),
        ("role.1", "member"),
        ("person.1", m.as_str()),
        ("duty.1", "日常巡查"),
        ("role.2", "member"),
        ("person.2", ""),
        ("duty.2", ""),
        ("director_person", m.as_str()),
        ("legal_name", "页面警官"),
        ("legal_unit", "页面派出所"),
        ("legal_phone", "12"),
    ];
    let r = post(&app, "/leading-groups", &c, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("value=\"页面警官\""),
        "the typed name is kept"
    );
    assert!(
        html.contains("value=\"日常巡查\""),
        "the typed duty is kept"
    );
    pairs.retain(|(k, _)| *k != "legal_phone");
    pairs.push(("legal_phone", "13900007777"));
    let r = post(&app, "/leading-groups", &c, &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let g = app
        .get(
            &format!("/api/v1/orgs/{s001}/leading-group"),
            Some(&principal),
        )
        .await
        .json();
    assert_eq!(g["members"].as_array().unwrap().len(), 2, "{g}");
    assert_eq!(g["members"][0]["name"], "页面组长");
    assert_eq!(g["members"][0]["role"], "leader");
    assert_eq!(g["safety_director"]["person_id"], member);
    assert_eq!(g["legal_vice_principal"]["unit"], "页面派出所");
    // The bureau names its members; two leaders are refused naming the row.
    let officer = app.login("bureau.officer").await;
    let ed = app.org_id("ED").await;
    let oc = cookie(&app, "bureau.officer").await;
    let two = [
        ("role.0", "leader"),
        ("name.0", "局长甲"),
        ("duty.0", ""),
        ("role.1", "leader"),
        ("name.1", "局长乙"),
        ("duty.1", ""),
        ("director_name", "安全科长"),
    ];
    let r = post(&app, "/leading-groups", &oc, &two).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("value=\"局长乙\""));
    let one = [
        ("role.0", "leader"),
        ("name.0", "局长甲"),
        ("duty.0", "全面负责"),
        ("role.1", "deputy"),
        ("name.1", "局长乙"),
        ("duty.1", ""),
        ("director_name", "安全科长"),
    ];
    let r = post(&app, "/leading-groups", &oc, &one).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let g = app
        .get(&format!("/api/v1/orgs/{ed}/leading-group"), Some(&officer))
        .await
        .json();
    assert_eq!(g["members"][1]["role"], "deputy", "{g}");
    assert!(
        !g["gaps"].as_array().unwrap().contains(&json!("no_leader")),
        "{g}"
    );

    // The school's letter to its posts from the page: no one ticked is 422 with the text kept.
    let html = page(&app, "/responsibility-letters", &c).await.text();
    assert!(html.contains("id=\"issue-people\""), "the school's people");
    let year = today().year().to_string();
    let r = post(
        &app,
        "/responsibility-letters",
        &c,
        &[
            ("year", &year),
            ("title", "页面岗位责任书"),
            ("body", "一岗双责"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("value=\"页面岗位责任书\""));
    let r = post(
        &app,
        "/responsibility-letters",
        &c,
        &[
            ("year", &year),
            ("title", "页面岗位责任书"),
            ("body", "一岗双责"),
            ("person", &l),
            ("person", &m),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list = app
        .get("/api/v1/responsibility-letters", Some(&principal))
        .await
        .json();
    let letter = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["title"] == "页面岗位责任书")
        .expect("the letter")
        .clone();
    assert_eq!(letter["level"], "post");
    assert_eq!(letter["unsigned"].as_array().unwrap().len(), 2, "{letter}");
}

fn sheet(rows: &[&[&str]]) -> Vec<u8> {
    let headers = vec!["姓名".to_string()];
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| r.iter().map(|c| Cell::Text(c.to_string())).collect())
        .collect();
    write_sheet("签到", &headers, &rows).expect("xlsx")
}

#[tokio::test]
async fn a_training_s_attendance_is_uploaded_on_its_page() {
    let mut app = TestApp::new().await;
    let principal = app.login("s001.principal").await;
    let s001 = app.org_id("S001").await;
    person(&app, &principal, s001, "签到甲", "guard").await;
    person(&app, &principal, s001, "签到乙", "guard").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/trainings",
            Some(&principal),
            &json!({"org_id": s001, "group": "guards", "held_on": today(), "topic": "页面保安培训",
                "hours": 2.0, "attendee_count": 2}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let c = cookie(&app, "s001.principal").await;
    let records = page(&app, &format!("/work-records?org_id={s001}"), &c)
        .await
        .text();
    assert!(records.contains(&format!("href=\"/trainings/{id}/attendance\"")));
    let path = format!("/trainings/{id}/attendance");
    let html = page(&app, &path, &c).await.text();
    assert!(html.contains("id=\"attendance-form\""), "{html}");
    let token = TestApp::form_token(&html);
    // A row naming nobody of the register: 422, the row reported, nobody added.
    let bad = sheet(&[&["签到甲"], &["查无此人"]]);
    let r = app.post_file_with(&path, &c, Some(&token), &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("id=\"import-report\""), "{html}");
    assert!(html.contains(">查无此人</td>"), "{html}");
    assert!(html.contains("id=\"attendee-count\">0<"), "nobody added");
    let good = sheet(&[&["签到甲"], &["签到乙"]]);
    let r = app.post_file_with(&path, &c, Some(&token), &good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("id=\"import-ok\""), "{html}");
    assert!(html.contains("id=\"attendee-count\">2<"), "{html}");
    // Another district's school sees nothing of it.
    let other = cookie(&app, "n001.principal").await;
    assert_eq!(
        page(&app, &path, &other).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_printed_year_shows_the_api_s_cells() {
    let mut app = TestApp::new().await;
    let principal = app.login("s001.principal").await;
    let s001 = app.org_id("S001").await;
    let year = today().year();
    let api = app
        .get(
            &format!("/api/v1/compliance?org_id={s001}&period={year}"),
            Some(&principal),
        )
        .await
        .json();
    let cells: Vec<&Value> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["org_id"] == s001)
        .collect();
    assert!(!cells.is_empty());
    let c = cookie(&app, "s001.principal").await;
    let r = page(
        &app,
        &format!("/compliance/print?org_id={s001}&year={year}"),
        &c,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("id=\"year-grid\"") && html.contains("id=\"year-legend\""));
    assert!(html.contains("/work_plan.css"), "the print styles");
    for status in ["done", "late", "missed", "due"] {
        let want = cells.iter().filter(|x| x["status"] == status).count();
        let got = html.matches(&format!("data-status=\"{status}\"")).count();
        assert_eq!(got, want, "{status}");
        assert!(html.contains(&format!("id=\"total-{status}\">{want}<")));
    }
    // Linked from the calendar; another district's school is 404.
    let cal = page(&app, "/compliance", &c).await.text();
    assert!(cal.contains("id=\"calendar-print\""));
    let n001 = app.org_id("N001").await;
    let r = page(&app, &format!("/compliance/print?org_id={n001}"), &c).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_past_year_s_star_rating_is_read_as_awarded() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let last = today().year() - 1;
    let path = format!("/api/v1/schools/{s001}/star-rating");
    let r = app
        .json(
            Method::PUT,
            &path,
            Some(&officer),
            &json!({"year": last, "note": "上年评定"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let awarded = r.json();
    assert_eq!(awarded["source"], "awarded");
    let award = awarded["awards"][0].clone();
    // A shortfall appears today: the current year's rating moves, last year's does not.
    let now = app.get(&path, Some(&officer)).await.json();
    assert_eq!(now["source"], "computed");
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/security-equipment"),
            Some(&officer),
            &json!({"kind": "camera", "name": "页面坏摄像头", "retention_days": 7, "working": false}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let after = app.get(&path, Some(&officer)).await.json();
    let past = app
        .get(&format!("{path}?year={last}"), Some(&officer))
        .await
        .json();
    assert_eq!(past["source"], "awarded");
    assert_eq!(past["stars"], award["stars"]);
    assert_eq!(past["criteria"], award["criteria"]);
    let security = |r: &Value| {
        r["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["criterion"] == "security")
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    assert!(security(&after) > security(&now), "today's state moved");
    assert_eq!(security(&past), security(&awarded), "the award did not");
    let list = app
        .get(&format!("/api/v1/star-ratings?year={last}"), Some(&officer))
        .await
        .json();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["school"]["id"] == s001)
        .unwrap()
        .clone();
    assert_eq!(row["source"], "awarded");
    assert_eq!(row["stars"], award["stars"]);
    let c = cookie(&app, "bureau.officer").await;
    let html = page(
        &app,
        &format!("/schools/{s001}/star-rating?year={last}"),
        &c,
    )
    .await
    .text();
    assert!(html.contains("data-source=\"awarded\""), "{html}");
    assert!(html.contains(&format!("id=\"star-count\">{}<", award["stars"])));
}

/// Runs the warning sweep of the slot of `at` (a past slot, so that it is due now).
async fn sweep(app: &TestApp, at: chrono::DateTime<Utc>) {
    let r = app.db.jobs(&Operator::command_line(), "t".into());
    assert!(r.schedule_warning_sweep(at).await.unwrap(), "a new slot");
    let pass = r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!(pass.failed, 0);
}

#[tokio::test]
async fn a_bureau_s_own_overdue_plan_warns_the_bureau() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let ed = app.org_id("ED").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/emergency-plans",
            Some(&officer),
            &json!({"org_id": ed, "title": "区教育系统防汛应急预案（逾期）",
                "plan_type": "extreme_weather", "form": "topic"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    // Published two months ago and never filed (carried over from paper).
    {
        use sea_orm::ConnectionTrait;
        let raw = sea_orm::Database::connect(&app.state.config().database_url)
            .await
            .expect("connect");
        let day = today() - Duration::days(60);
        raw.execute_unprepared(&format!(
            "UPDATE emergency_plans SET status = 'published', published_on = '{day}', filed_on = NULL WHERE id = {id}"
        ))
        .await
        .expect("update");
        raw.close().await.ok();
    }
    sweep(&app, Utc::now() - Duration::minutes(1)).await;
    let subject = format!("plan:{id}:filing");
    let mine = |list: &Value| -> Vec<Value> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["subject"] == subject)
            .cloned()
            .collect()
    };
    let list = app
        .get("/api/v1/warnings?per_page=200&source=plan", Some(&officer))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let found = mine(&list.json());
    assert_eq!(found.len(), 1, "the bureau sees its plan's warning");
    assert_eq!(found[0]["school_id"], ed);
    assert_eq!(found[0]["rule"], "plan_filing_overdue");
    let w = found[0]["id"].as_i64().unwrap();
    let r = app
        .get(&format!("/api/v1/warnings/{w}"), Some(&officer))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // No school sees it.
    let principal = app.login("s001.principal").await;
    let list = app
        .get(
            "/api/v1/warnings?per_page=200&source=plan",
            Some(&principal),
        )
        .await
        .json();
    assert!(mine(&list).is_empty());
    let r = app
        .get(&format!("/api/v1/warnings/{w}"), Some(&principal))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The bureau's officers are told.
    let inbox = app.get("/api/v1/inbox", Some(&officer)).await.json();
    assert!(
        inbox.to_string().contains(&format!("/warnings/{w}")),
        "{inbox}"
    );
}

#[tokio::test]
async fn a_refused_thumbnail_read_is_audited() {
    let mut app = TestApp::new().await;
    let principal = app.login("s001.principal").await;
    let s001 = app.org_id("S001").await;
    // A photo of S001.
    let png = {
        let img = image::RgbImage::from_pixel(64, 48, image::Rgb([200, 60, 60]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let mut body = b"------b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
        .to_vec();
    body.extend_from_slice(&png);
    body.extend_from_slice(b"\r\n------b--\r\n");
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/files?school_id={s001}"),
            Some(&principal),
            Some("multipart/form-data; boundary=----b"),
            body,
            &[],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let f = r.json()[0]["id"]
        .as_i64()
        .or_else(|| r.json()["files"][0]["id"].as_i64())
        .unwrap_or_else(|| panic!("{}", r.text()));
    let own = app
        .get(&format!("/api/v1/files/{f}/thumb"), Some(&principal))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    let other = app.login("s002.principal").await;
    let r = app
        .get(&format!("/api/v1/files/{f}/thumb"), Some(&other))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let audit = app.audit("action=file.read").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["object_id"], f.to_string());
    assert_eq!(audit[0]["result"], "denied_not_found");
    assert!(audit[0]["detail"].as_str().unwrap().contains("thumb"));
}
