//! Emergency plans, the rest of issue 11: the warning sweep warns of a plan not filed within
//! its 20 working days (counted on the calendar in force at each sweep) and of a plan due for
//! evaluation (flagged by a drill), and clears them once it is filed or evaluated; the bureau's roll-up exports to .xlsx; an expert reviewing
//! another school's plan opens that plan's documents (audited) and nothing else of the
//! school; a bureau's own plan carries documents; a new version given up is discarded so that
//! another revision can start.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::plans::{create, ok_step, step, today};
use common::{TestApp, expect, msg};
use safecampus::config::HazardRules;
use safecampus::storage::Operator;
use serde_json::{Value, json};

/// The id of `username`'s entry in the pool of 二道区.
async fn expert(app: &mut TestApp, username: &str) -> i64 {
    let user = app.user_id(username).await;
    let t = app.login("bureau.officer").await;
    let r = app.get("/api/v1/plan-experts", Some(&t)).await;
    r.json()["experts"]
        .as_array()
        .expect("experts")
        .iter()
        .find(|e| e["user_id"] == user)
        .and_then(|e| e["id"].as_i64())
        .unwrap_or_else(|| panic!("{username} is not in the pool"))
}

/// A topic plan of S001 with `body`'s fields, submitted and reviewed by S002's principal.
async fn reviewed(app: &mut TestApp, body: Value) -> i64 {
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let officer = app.login("bureau.officer").await;
    let reviewer = app.login("s002.principal").await;
    let r = create(app, &safety, s001, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    ok_step(app, &safety, id, json!({"action": "submit_review"})).await;
    let e = expert(app, "s002.principal").await;
    ok_step(
        app,
        &officer,
        id,
        json!({"action": "assign_reviewer", "expert_id": e}),
    )
    .await;
    ok_step(
        app,
        &reviewer,
        id,
        json!({"action": "review", "conclusion": "agree", "note": "同意。"}),
    )
    .await;
    id
}

/// [`reviewed`], approved and published by S001's principal on `day`.
async fn published_plan(app: &mut TestApp, plan_type: &str, day: chrono::NaiveDate) -> i64 {
    let id = reviewed(
        app,
        json!({"title": format!("遗留测试{plan_type}专项应急预案"), "plan_type": plan_type,
            "form": "topic"}),
    )
    .await;
    let officer = app.login("bureau.officer").await;
    ok_step(
        app,
        &officer,
        id,
        json!({"action": "approve", "note": "纪要。"}),
    )
    .await;
    let principal = app.login("s001.principal").await;
    ok_step(
        app,
        &principal,
        id,
        json!({"action": "publish", "published_on": day}),
    )
    .await;
    id
}

/// Runs the warning sweep of the slot of `at` (a past slot, so that it is due now).
async fn sweep(app: &TestApp, at: chrono::DateTime<Utc>) {
    let r = app.db.jobs(&Operator::command_line(), "t".into());
    assert!(r.schedule_warning_sweep(at).await.unwrap(), "a new slot");
    let pass = r.run_due(&HazardRules::default()).await.unwrap();
    assert_eq!(pass.failed, 0);
    assert!(pass.done >= 1);
}

/// The plan warnings about `subject`, as the district officer sees them.
async fn plan_warnings(app: &TestApp, t: &str, subject: &str) -> Vec<Value> {
    let r = app
        .get("/api/v1/warnings?per_page=200&source=plan", Some(t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["subject"] == subject)
        .cloned()
        .collect()
}

/// A one-page PDF as a multipart body (`file`).
fn pdf_multipart(name: &str) -> Vec<u8> {
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let mut body = format!(
        "------b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(pdf);
    body.extend_from_slice(b"\r\n------b--\r\n");
    body
}

async fn file(app: &TestApp, t: &str, f: i64) -> common::Resp {
    app.get(&format!("/api/v1/files/{f}"), Some(t)).await
}

async fn upload(app: &TestApp, t: &str, path: &str, name: &str) -> common::Resp {
    app.request(
        Method::POST,
        path,
        Some(t),
        Some("multipart/form-data; boundary=----b"),
        pdf_multipart(name),
        &[],
    )
    .await
}

#[tokio::test]
async fn a_plan_not_filed_in_time_raises_a_warning_that_filing_clears() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    // Published 60 days ago: 20 working days have passed on any calendar.
    let id = published_plan(&mut app, "drowning", today() - Duration::days(60)).await;
    let safety = app.login("s001.safety").await;
    let p = app
        .get(&format!("/api/v1/emergency-plans/{id}"), Some(&safety))
        .await
        .json();
    assert_eq!(p["filing"]["status"], "overdue");
    let officer = app.login("bureau.officer").await;
    let subject = format!("plan:{id}:filing");
    assert!(plan_warnings(&app, &officer, &subject).await.is_empty());
    sweep(&app, Utc::now() - Duration::minutes(6)).await;
    let w = plan_warnings(&app, &officer, &subject).await;
    assert_eq!(w.len(), 1, "one warning: {w:?}");
    assert_eq!(w[0]["rule"], "plan_filing_overdue");
    assert_eq!(w[0]["level"], "yellow");
    assert_eq!(w[0]["school_id"], s001);
    assert_eq!(w[0]["status"], "raised");
    assert!(
        w[0]["detail"]
            .as_str()
            .unwrap()
            .contains(p["filing"]["due_on"].as_str().unwrap()),
        "{}",
        w[0]["detail"]
    );
    // The school's managers see it too; a second sweep raises nothing new.
    let principal = app.login("s001.principal").await;
    assert_eq!(plan_warnings(&app, &principal, &subject).await.len(), 1);
    sweep(&app, Utc::now() - Duration::minutes(4)).await;
    let again = plan_warnings(&app, &officer, &subject).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["id"], w[0]["id"]);
    // Filed (late): the next sweep clears it.
    ok_step(
        &app,
        &safety,
        id,
        json!({"action": "file", "filing_no": "ED-2026-099"}),
    )
    .await;
    sweep(&app, Utc::now() - Duration::minutes(2)).await;
    let done = plan_warnings(&app, &officer, &subject).await;
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["status"], "resolved", "{}", done[0]);
    assert!(done[0]["cleared_at"].is_string());
    let d = app
        .get(
            &format!("/api/v1/warnings/{}", done[0]["id"]),
            Some(&officer),
        )
        .await
        .json();
    let steps: Vec<&str> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["raise", "clear", "resolve"]);
    assert_eq!(d["history"][1]["detail"], "filed");
}

#[tokio::test]
async fn the_filing_warning_follows_the_working_day_calendar_in_force() {
    use safecampus::domain::calendar::{SHIPPED_CSV, WorkingCalendar};
    let mut app = TestApp::new().await;
    // Published 30 days ago: past its 20 working days on the shipped calendar.
    let published = today() - Duration::days(30);
    let shipped = WorkingCalendar::parse(SHIPPED_CSV).expect("the shipped calendar");
    assert!(shipped.add_working_days(published, 20) < today());
    let id = published_plan(&mut app, "gas", published).await;
    let officer = app.login("bureau.officer").await;
    let subject = format!("plan:{id}:filing");
    sweep(&app, Utc::now() - Duration::minutes(6)).await;
    assert_eq!(plan_warnings(&app, &officer, &subject).await.len(), 1);
    // The bureau adds ten working days off right after publication: the deadline moves
    // past today, and the next sweep clears the warning.
    let mut csv = SHIPPED_CSV.trim_end().to_string();
    csv.push('\n');
    let mut day = published;
    let mut added = 0;
    while added < 10 {
        day += Duration::days(1);
        if shipped.is_working_day(day) && !SHIPPED_CSV.contains(&day.to_string()) {
            csv.push_str(&format!("{day},holiday,测试停课\n"));
            added += 1;
        }
    }
    let r = app
        .json(
            Method::PUT,
            "/api/v1/calendar/working-days",
            Some(&officer),
            &json!({"csv": csv}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = app
        .get(&format!("/api/v1/emergency-plans/{id}"), Some(&officer))
        .await
        .json();
    assert_eq!(p["filing"]["status"], "open", "{}", p["filing"]);
    sweep(&app, Utc::now() - Duration::minutes(4)).await;
    let w = plan_warnings(&app, &officer, &subject).await;
    assert_eq!(w[0]["status"], "resolved", "{}", w[0]);
    let d = app
        .get(&format!("/api/v1/warnings/{}", w[0]["id"]), Some(&officer))
        .await
        .json();
    assert_eq!(d["history"][1]["detail"], "no longer overdue");
}

#[tokio::test]
async fn a_plan_due_for_evaluation_raises_a_warning_that_the_evaluation_clears() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let day = today() - Duration::days(5);
    let id = published_plan(&mut app, "fire", day).await;
    let safety = app.login("s001.safety").await;
    ok_step(
        &app,
        &safety,
        id,
        json!({"action": "file", "filing_no": "ED-2026-100"}),
    )
    .await;
    let officer = app.login("bureau.officer").await;
    let subject = format!("plan:{id}:evaluation:{day}");
    sweep(&app, Utc::now() - Duration::minutes(9)).await;
    assert!(
        plan_warnings(&app, &officer, &subject).await.is_empty(),
        "not due for three years"
    );
    // A fire drill shows a defect of the plan: its evaluation is due at once.
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/drills"),
            Some(&safety),
            &json!({"kind": "fire", "held": {"held_on": today(), "classes": 10, "expected": 400,
                "assembled": 400, "missing": 0, "signal_at": "10:00:00",
                "completed_at": "10:02:00", "floors": 4}, "plan_needs_revision": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    sweep(&app, Utc::now() - Duration::minutes(7)).await;
    let w = plan_warnings(&app, &officer, &subject).await;
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["rule"], "plan_evaluation_due");
    assert_eq!(w[0]["status"], "raised");
    // Starting the evaluation does not clear it; recording its conclusion does.
    ok_step(&app, &safety, id, json!({"action": "start_evaluation"})).await;
    sweep(&app, Utc::now() - Duration::minutes(5)).await;
    let w = plan_warnings(&app, &officer, &subject).await;
    assert_eq!(w[0]["status"], "raised", "still due while under evaluation");
    ok_step(
        &app,
        &safety,
        id,
        json!({"action": "approve", "note": "修订处置程序后继续施行。"}),
    )
    .await;
    let p = app
        .get(&format!("/api/v1/emergency-plans/{id}"), Some(&safety))
        .await
        .json();
    assert_eq!(p["evaluation_overdue"], false, "{}", p["evaluation_due"]);
    sweep(&app, Utc::now() - Duration::minutes(3)).await;
    let w = plan_warnings(&app, &officer, &subject).await;
    assert_eq!(w[0]["status"], "resolved", "{}", w[0]);
    // The next cycle has no warning.
    let next = format!("plan:{id}:evaluation:{}", today());
    assert!(plan_warnings(&app, &officer, &next).await.is_empty());
}

#[tokio::test]
async fn the_roll_up_exports_to_xlsx_with_a_link_on_its_page() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let roll = app
        .get("/api/v1/emergency-plans", Some(&officer))
        .await
        .json();
    let schools = roll["schools"].as_array().unwrap();
    let r = app
        .get("/api/v1/emergency-plans/export.xlsx", Some(&officer))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.header("content-type").contains("spreadsheetml"));
    assert!(
        r.header("content-disposition")
            .contains("emergency-plans-ED.xlsx")
    );
    let sheet = safecampus::xlsx::read_first_sheet(&r.body, &Default::default()).expect("xlsx");
    assert_eq!(sheet[0][0], "学校代码");
    assert!(sheet[0].iter().any(|h| h == "逾期未备案"));
    assert_eq!(
        sheet.len(),
        schools.len() + 1,
        "a header and one row per school"
    );
    // Schools with uncovered points first, as on the page.
    for (row, s) in sheet[1..].iter().zip(schools) {
        assert_eq!(row[0], s["school"]["code"].as_str().unwrap());
        assert_eq!(row[8], s["uncovered"].to_string());
        assert_eq!(row[5], s["filing_overdue"].to_string());
        assert_eq!(row[6], s["evaluation_due"].to_string());
    }
    assert!(sheet[1][8] != "0", "the demo has uncovered red points");
    // In English; under a node; refused out of scope.
    let en = app
        .request(
            Method::GET,
            "/api/v1/emergency-plans/export.xlsx",
            Some(&officer),
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await;
    let sheet = safecampus::xlsx::read_first_sheet(&en.body, &Default::default()).expect("xlsx");
    assert_eq!(sheet[0][0], "School code");
    let ng = app.org_id("NG").await;
    let r = app
        .get(
            &format!("/api/v1/emergency-plans/export.xlsx?org_id={ng}"),
            Some(&officer),
        )
        .await;
    expect(&r, 404, "not_found");
    let page = app.get("/emergency-plans", Some(&officer)).await.text();
    let ed = app.org_id("ED").await;
    assert!(page.contains(&format!(
        "id=\"rollup-export\" href=\"/api/v1/emergency-plans/export.xlsx?org_id={ed}\""
    )));
}

#[tokio::test]
async fn a_reviewer_opens_the_documents_of_the_plan_assigned_and_nothing_else_of_the_school() {
    let mut app = TestApp::new().await;
    let safety = app.login("s001.safety").await;
    let doc = upload(&app, &safety, "/api/v1/files", "火灾预案.pdf").await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.text());
    let doc = doc.json()["id"].as_i64().unwrap();
    let other = upload(&app, &safety, "/api/v1/files", "其他.pdf")
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let reviewer = app.login("s002.principal").await;
    // Another school's file: not found, before the assignment as for anyone.
    expect(&file(&app, &reviewer, doc).await, 404, "not_found");
    let id = reviewed(
        &mut app,
        json!({"title": "附件评审预案", "plan_type": "stampede", "form": "topic",
            "document_ids": [doc]}),
    )
    .await;
    let p = app
        .get(&format!("/api/v1/emergency-plans/{id}"), Some(&reviewer))
        .await
        .json();
    assert_eq!(p["documents"][0]["url"], format!("/api/v1/files/{doc}"));
    let r = file(&app, &reviewer, doc).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), "application/pdf");
    assert!(r.body.starts_with(b"%PDF-"));
    // Audited, naming the plan.
    let audit = app.audit("action=file.review_read").await;
    assert_eq!(audit[0]["object_id"], doc.to_string());
    assert!(
        audit[0]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("plan={id}")),
        "{}",
        audit[0]
    );
    // Nothing else of the school: its other file, its plans' list, an expert not assigned.
    expect(&file(&app, &reviewer, other).await, 404, "not_found");
    let s001 = app.org_id("S001").await;
    let r = app
        .get(
            &format!("/api/v1/schools/{s001}/emergency-plans"),
            Some(&reviewer),
        )
        .await;
    expect(&r, 404, "not_found");
    let bystander = app.login("s002.safety").await;
    expect(&file(&app, &bystander, doc).await, 404, "not_found");
}

#[tokio::test]
async fn a_bureau_plan_carries_documents_read_through_the_bureaus_scope() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let ed = app.org_id("ED").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/emergency-plans",
            Some(&officer),
            &json!({"org_id": ed, "title": "二道区教育系统防汛应急预案",
                "plan_type": "extreme_weather", "form": "topic"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/emergency-plans/{id}/documents");
    let r = upload(&app, &officer, &path, "防汛预案.pdf").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let plan = r.json();
    let docs = plan["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["name"], "防汛预案.pdf");
    let f = docs[0]["id"].as_i64().unwrap();
    // The bureau and the city read it; a school below does not.
    for (who, status) in [
        ("bureau.officer", 200),
        ("city.officer", 200),
        ("s001.principal", 404),
        ("nanguan.officer", 404),
    ] {
        let t = app.login(who).await;
        let r = app.get(&format!("/api/v1/files/{f}"), Some(&t)).await;
        assert_eq!(r.status.as_u16(), status, "{who}");
    }
    // The file belongs to the bureau, and is audited as an upload with the plan's change.
    let audit = app.audit("action=file.upload").await;
    assert!(
        audit[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with(&format!("org={ed} ")),
        "{}",
        audit[0]
    );
    let audit = app.audit("action=plan.update").await;
    assert_eq!(audit[0]["detail"], format!("changed=documents added={f}"));
    // A PATCH keeps it; a school's file is not the bureau's document.
    let safety = app.login("s001.safety").await;
    let school_file = upload(&app, &safety, "/api/v1/files", "学校.pdf")
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/emergency-plans/{id}"),
            Some(&officer),
            &json!({"document_ids": [f, school_file]}),
        )
        .await;
    assert_eq!(
        common::fields(&expect(&r, 422, "invalid")),
        vec!["document_ids"]
    );
    // Schools upload to their own plans the same way; nobody uploads to another's.
    let s001 = app.org_id("S001").await;
    let r = create(
        &app,
        &safety,
        s001,
        json!({"title": "学校附件预案", "plan_type": "gas", "form": "on_site"}),
    )
    .await;
    let school_plan = r.json()["id"].as_i64().unwrap();
    let spath = format!("/api/v1/emergency-plans/{school_plan}/documents");
    let r = upload(&app, &safety, &spath, "燃气.pdf").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let other = app.login("s002.safety").await;
    expect(
        &upload(&app, &other, &spath, "x.pdf").await,
        404,
        "not_found",
    );
    expect(
        &upload(&app, &safety, &path, "x.pdf").await,
        404,
        "not_found",
    );
    // Once submitted, documents no longer change (409).
    ok_step(&app, &officer, id, json!({"action": "submit_review"})).await;
    expect(
        &upload(&app, &officer, &path, "late.pdf").await,
        409,
        "conflict",
    );
    // The page offers the upload form on the bureau's draft.
    let r = app
        .json(
            Method::POST,
            "/api/v1/emergency-plans",
            Some(&officer),
            &json!({"org_id": ed, "title": "区本级草稿", "plan_type": "other",
                "form": "comprehensive"}),
        )
        .await;
    let draft = r.json()["id"].as_i64().unwrap();
    let page = app
        .get(&format!("/emergency-plans/{draft}"), Some(&officer))
        .await
        .text();
    assert!(page.contains("id=\"documents-form\""));
}

#[tokio::test]
async fn an_abandoned_new_version_is_discarded_and_another_revision_can_start() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let id = published_plan(&mut app, "violence", today() - Duration::days(3)).await;
    let safety = app.login("s001.safety").await;
    ok_step(
        &app,
        &safety,
        id,
        json!({"action": "file", "filing_no": "ED-2026-101"}),
    )
    .await;
    let revision = json!({"title": "防暴力侵害专项应急预案（修订）", "plan_type": "violence",
        "form": "topic", "revises": id});
    let r = create(&app, &safety, s001, revision.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v2 = r.json();
    let v2_id = v2["id"].as_i64().unwrap();
    assert!(
        v2["my_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("discard"))
    );
    // A second revision is refused while the first is open.
    let r = create(&app, &safety, s001, revision.clone()).await;
    assert_eq!(
        msg(&expect(&r, 409, "conflict")),
        "该预案已有进行中的新版本。"
    );
    // The bureau does not discard a school's version; a plan in force is not discarded.
    let officer = app.login("bureau.officer").await;
    let r = step(&app, &officer, v2_id, json!({"action": "discard"})).await;
    expect(&r, 403, "forbidden");
    let r = step(&app, &safety, id, json!({"action": "discard"})).await;
    expect(&r, 409, "conflict");
    // Its author discards it: final, kept with its history; the plan in force stays.
    let p = ok_step(
        &app,
        &safety,
        v2_id,
        json!({"action": "discard", "note": "修订方向有误，重新起草。"}),
    )
    .await;
    assert_eq!(p["status"], "discarded");
    assert_eq!(p["next_actions"], json!([]));
    assert_eq!(p["can_edit"], false);
    let last = p["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "discard");
    assert_eq!(last["from_status"], "draft");
    assert_eq!(last["to_status"], "discarded");
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/emergency-plans/{v2_id}"),
            Some(&safety),
            &json!({"title": "再改"}),
        )
        .await;
    expect(&r, 409, "conflict");
    let old = app
        .get(&format!("/api/v1/emergency-plans/{id}"), Some(&safety))
        .await
        .json();
    assert_eq!(old["status"], "in_force");
    assert_eq!(
        old["next_id"],
        Value::Null,
        "a discarded version is no next version"
    );
    let audit = app.audit("action=plan.step&result=ok").await;
    assert!(
        audit[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("action=discard from=draft to=discarded"),
        "{}",
        audit[0]
    );
    // Another revision starts; the roll-up does not count the discarded version.
    let r = create(&app, &safety, s001, revision.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v3 = r.json();
    assert_eq!(v3["version_no"], 2, "the number the discarded version had");
    let old = app
        .get(&format!("/api/v1/emergency-plans/{id}"), Some(&safety))
        .await
        .json();
    assert_eq!(old["next_id"], v3["id"]);
    // A version sent back for revision can be given up too, by the school's principal.
    let sent_back = reviewed(
        &mut app,
        json!({"title": "退回后放弃的预案", "plan_type": "gas", "form": "on_site"}),
    )
    .await;
    ok_step(
        &app,
        &officer,
        sent_back,
        json!({"action": "request_revision", "note": "须补充。"}),
    )
    .await;
    let principal = app.login("s001.principal").await;
    let p = ok_step(&app, &principal, sent_back, json!({"action": "discard"})).await;
    assert_eq!(p["status"], "discarded");
    // The page offers the step to the author.
    let page = app
        .get(&format!("/emergency-plans/{}", v3["id"]), Some(&safety))
        .await
        .text();
    assert!(page.contains("id=\"step-discard\""));
}
