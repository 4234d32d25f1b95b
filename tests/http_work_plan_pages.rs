//! The work plan's page forms and the leftovers around them: a leading group kept from its
//! page (a school's by its people, the bureau's by name; a refused form keeps what was typed),
//! a school's letter to its posts issued from the page, a training's attendance uploaded on its
//! page with the row-by-row report, the printable year of the compliance calendar (its marks
//! equal to the API's cells), a past year's star rating read as awarded, a bureau's own
//! overdue plan warning the bureau, and a refused thumbnail read audited; a stale leading
//! group form shown again with the group as someone else left it (409), an entry of the
//! security register edited from its row (retired meanwhile: 409 on the page), and a past
//! year's rating computed from the hazards and plans as they stood at the year's end.

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
        let raw = sea_orm::Database::connect(&app.owner_url())
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

/// Runs `sql` on the test database with bound values (`?` placeholders, numbered for
/// PostgreSQL): how a test moves records into a past year.
async fn exec(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let raw = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    let backend = raw.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        let mut n = 0;
        sql.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        sql.to_string()
    };
    raw.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .expect("exec");
    raw.close().await.ok();
}

/// Posts a form found on `page` to `path` (the page's CSRF token, the session cookie).
async fn post_from(
    app: &TestApp,
    page_path: &str,
    path: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
) -> common::Resp {
    let html = page(app, page_path, cookie).await.text();
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

/// The value of the hidden `version` field of the group form.
fn form_version(html: &str) -> String {
    let at = html
        .find("name=\"version\" value=\"")
        .expect("the version field")
        + "name=\"version\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn a_stale_leading_group_form_shows_the_group_as_changed_by_someone_else() {
    let mut app = TestApp::new().await;
    let principal = app.login("s001.principal").await;
    let s001 = app.org_id("S001").await;
    let lead = person(&app, &principal, s001, "旧表组长", "teacher").await;
    let path = format!("/api/v1/orgs/{s001}/leading-group");
    let r = app
        .json(
            Method::PUT,
            &path,
            Some(&principal),
            &json!({"members": [{"role": "leader", "person_id": lead, "duty": "全面负责"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // The principal opens the form …
    let c = cookie(&app, "s001.principal").await;
    let html = page(&app, "/leading-groups", &c).await.text();
    let stale = form_version(&html);
    assert!(!stale.is_empty(), "the form carries the group's version");
    // … meanwhile the safety director changes the group through the API …
    let safety = app.login("s001.safety").await;
    let g = app.get(&path, Some(&safety)).await.json();
    let r = app
        .json(
            Method::PUT,
            &path,
            Some(&safety),
            &json!({"members": [{"role": "leader", "person_id": lead, "duty": "他人改过的职责"}],
                "version": g["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let now = r.json()["version"].as_i64().unwrap();
    // … and the principal saves the old form: the form again, with the group as it is now.
    let l = lead.to_string();
    let r = post(
        &app,
        "/leading-groups",
        &c,
        &[
            ("role.0", "leader"),
            ("person.0", &l),
            ("duty.0", "我在旧表里填的职责"),
            ("version", &stale),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("id=\"group-form\""),
        "the form, not the error page"
    );
    assert!(
        html.contains("已被他人修改"),
        "says someone else changed it"
    );
    assert!(
        html.contains("value=\"他人改过的职责\""),
        "the current values"
    );
    assert!(!html.contains("我在旧表里填的职责"), "not the stale ones");
    assert_eq!(form_version(&html), now.to_string(), "the current version");
    let g = app.get(&path, Some(&principal)).await.json();
    assert_eq!(
        g["members"][0]["duty"], "他人改过的职责",
        "nothing overwritten"
    );
    // Saved again from that form, it goes through.
    let v = now.to_string();
    let r = post(
        &app,
        "/leading-groups",
        &c,
        &[
            ("role.0", "leader"),
            ("person.0", &l),
            ("duty.0", "核对后的职责"),
            ("version", &v),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let g = app.get(&path, Some(&principal)).await.json();
    assert_eq!(g["members"][0]["duty"], "核对后的职责");
}

#[tokio::test]
async fn an_entry_of_the_security_register_is_edited_on_its_page() {
    let mut app = TestApp::new().await;
    let principal = app.login("s001.principal").await;
    let s001 = app.org_id("S001").await;
    let register = format!("/schools/{s001}/security-equipment");
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1{register}"),
            Some(&principal),
            &json!({"kind": "camera", "name": "编辑页摄像头", "quantity": 1,
                "retention_days": 7, "working": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let entry = |reg: &Value| -> Value {
        reg["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "编辑页摄像头")
            .cloned()
            .unwrap_or(Value::Null)
    };
    let id = entry(&r.json())["id"].as_i64().unwrap();
    let c = cookie(&app, "s001.principal").await;
    let html = page(&app, &register, &c).await.text();
    assert!(
        html.contains(&format!("id=\"edit-form-{id}\"")),
        "the row's form"
    );
    assert!(html.contains(&format!("action=\"/security-equipment/{id}\"")));
    let form_path = format!("/security-equipment/{id}");
    let school = s001.to_string();
    // Repaired, recording 30 days, two cameras.
    let r = post_from(
        &app,
        &register,
        &form_path,
        &c,
        &[
            ("school_id", &school),
            ("kind", "camera"),
            ("quantity", "2"),
            ("retention_days", "30"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), format!("{register}#entry-{id}"));
    let reg = app
        .get(&format!("/api/v1{register}"), Some(&principal))
        .await
        .json();
    let e = entry(&reg);
    assert_eq!(e["retention_days"], 30, "{e}");
    assert_eq!(e["quantity"], 2);
    assert_eq!(e["working"], true);
    let audit = app
        .audit("action=security_equipment.update&result=ok")
        .await;
    assert!(!audit.is_empty(), "the change is audited");
    // Too many recording days: the register again, the entry's form open, the reason shown,
    // nothing changed.
    let r = post_from(
        &app,
        &register,
        &form_path,
        &c,
        &[
            ("school_id", &school),
            ("kind", "camera"),
            ("retention_days", "99999"),
            ("faulty", "1"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains(&format!("id=\"edit-{id}\" open")),
        "the form open"
    );
    assert!(html.contains("录像保存天数应在"), "the reason");
    let reg = app
        .get(&format!("/api/v1{register}"), Some(&principal))
        .await
        .json();
    assert_eq!(entry(&reg)["working"], true, "nothing changed");
    // Another district's officer: 404, as for the API.
    let nc = cookie(&app, "nanguan.officer").await;
    let r = post_from(
        &app,
        "/security-equipment",
        &form_path,
        &nc,
        &[
            ("school_id", &school),
            ("kind", "camera"),
            ("quantity", "3"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Retired by someone else while the page was open: 409, the register as it is now with
    // a message on the page, not the error page.
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/security-equipment/{id}"),
            Some(&principal),
            &json!({"retired": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        entry(&r.json()).is_null(),
        "retired entries leave the register"
    );
    let r = post_from(
        &app,
        &register,
        &form_path,
        &c,
        &[
            ("school_id", &school),
            ("kind", "camera"),
            ("quantity", "3"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("id=\"register-error\""),
        "the message on the page"
    );
    assert!(html.contains("已被注销"), "{html}");
    assert!(html.contains("id=\"equipment\""), "the register");
    assert!(!html.contains("编辑页摄像头"), "as it is now");
    // Retiring from the form takes the entry off the register.
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1{register}"),
            Some(&principal),
            &json!({"kind": "one_key_alarm", "name": "编辑页报警", "linked_police": false}),
        )
        .await;
    let alarm = r.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "编辑页报警")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = post_from(
        &app,
        &register,
        &format!("/security-equipment/{alarm}"),
        &c,
        &[
            ("school_id", &school),
            ("kind", "one_key_alarm"),
            ("quantity", "1"),
            ("linked_police", "1"),
            ("retire", "1"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = page(&app, &register, &c).await.text();
    assert!(!html.contains("编辑页报警"), "retired");
}

/// Moves a hazard into the past: reported on `day`, each of its steps so far on `day` too.
async fn hazard_on(app: &TestApp, id: i64, day: chrono::NaiveDate) {
    let at = (day.and_hms_opt(2, 0, 0).unwrap()).and_utc();
    exec(
        app,
        "UPDATE hazards SET reported_at = ? WHERE id = ?",
        vec![at.into(), id.into()],
    )
    .await;
    exec(
        app,
        "UPDATE hazard_events SET day = ?, at = ? WHERE hazard_id = ?",
        vec![day.into(), at.into(), id.into()],
    )
    .await;
}

#[tokio::test]
async fn a_past_year_is_rated_on_the_records_as_they_stood_at_its_end() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let safety = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    // A year before the demo's history, never awarded.
    let year = today().year() - 3;
    let end = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap();
    let path = format!("/api/v1/schools/{s001}/star-rating");
    let count = |r: &Value, c: &str| {
        r["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["criterion"] == c)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    let past_path = format!("{path}?year={year}");
    let before = app.get(&past_path, Some(&officer)).await.json();
    assert_eq!(before["source"], "computed", "{before}");
    let now_before = app.get(&path, Some(&officer)).await.json();

    // Five major hazards: open at the year's end (still open); open then, cancelled since;
    // reported and cancelled within the year; two reported after it (today).
    let major = |title: &'static str| {
        let (app, t) = (&app, safety.clone());
        async move {
            let r = app
                .json(
                    Method::POST,
                    &format!("/api/v1/schools/{s001}/hazards"),
                    Some(&t),
                    &json!({"title": title, "description": "年末隐患", "aspect": "things",
                        "category": "校舍"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            let id = r.json()["id"].as_i64().unwrap();
            let r = app
                .json(
                    Method::POST,
                    &format!("/api/v1/hazards/{id}/actions"),
                    Some(&t),
                    &json!({"action": "assess", "level": "major", "treatment": "by_deadline"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            id
        }
    };
    let cancel = |id: i64| {
        let (app, t) = (&app, officer.clone());
        async move {
            let r = app
                .json(
                    Method::POST,
                    &format!("/api/v1/hazards/{id}/actions"),
                    Some(&t),
                    &json!({"action": "cancel", "reason": "误报"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
    };
    let still_open = major("年末仍未整改").await;
    hazard_on(&app, still_open, end - Duration::days(10)).await;
    let cancelled_since = major("次年撤销").await;
    hazard_on(&app, cancelled_since, end - Duration::days(10)).await;
    cancel(cancelled_since).await;
    let cancelled_within = major("年内撤销").await;
    cancel(cancelled_within).await;
    hazard_on(&app, cancelled_within, end - Duration::days(20)).await;
    major("次年新报").await;
    major("次年又报").await;

    // Two plans: published 40 days before the end and filed only today (overdue then);
    // published 5 days before the end (its deadline falls in the next year).
    let plan = |title: &'static str, published: chrono::NaiveDate, filed: chrono::NaiveDate| {
        let (app, t) = (&app, safety.clone());
        async move {
            let r = common::plans::create(
                app,
                &t,
                s001,
                json!({"title": title, "plan_type": "fire", "form": "topic"}),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            let id = r.json()["id"].as_i64().unwrap();
            exec(
                app,
                "UPDATE emergency_plans SET status = 'published', published_on = ?, filed_on = ? \
                 WHERE id = ?",
                vec![published.into(), filed.into(), id.into()],
            )
            .await;
        }
    };
    plan("年末逾期未备案预案", end - Duration::days(40), today()).await;
    plan("年末新发布预案", end - Duration::days(5), today()).await;

    let after = app.get(&past_path, Some(&officer)).await.json();
    assert_eq!(after["source"], "computed");
    assert_eq!(
        count(&after, "hazards"),
        count(&before, "hazards") + 2,
        "open at the year's end: the one still open and the one cancelled since: {after}"
    );
    assert_eq!(
        count(&after, "plans"),
        count(&before, "plans") + 1,
        "not filed by the year's end, past its deadline then: {after}"
    );
    // Today's rating reads today's state: the three open hazards (the one still open, the two
    // reported today), no plan overdue (both filed).
    let now = app.get(&path, Some(&officer)).await.json();
    assert_eq!(count(&now, "hazards"), count(&now_before, "hazards") + 3);
    assert_eq!(count(&now, "plans"), count(&now_before, "plans"));

    // Awarding the past year stores what was computed for it.
    let r = app
        .json(
            Method::PUT,
            &path,
            Some(&officer),
            &json!({"year": year, "note": "补评"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let awarded = r.json();
    assert_eq!(awarded["source"], "awarded");
    assert_eq!(awarded["criteria"], after["criteria"], "{awarded}");
    assert_eq!(awarded["stars"], after["stars"]);
}
