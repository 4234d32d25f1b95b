//! Emergency plans (F-EMG-1) through the HTTP API: the lifecycle from a draft to superseded
//! with expert review, illegal steps (409) and who may take which step (403 with the reason);
//! the conflict-of-interest refusal; the 20-working-day filing deadline counted over a public
//! holiday and a make-up Saturday, and over the bureau's edited calendar; the coverage of red
//! and orange risk points; a drill's "plan needs revision" flag making the plan of its type
//! due for evaluation; the working-day calendar API; drill photos; the pages.

mod common;

use axum::http::{Method, StatusCode};
use common::plans::{create, ok_step, step, today};
use common::{TestApp, expect, fields, msg};
use serde_json::{Value, json};

async fn plan(app: &TestApp, t: &str, id: i64) -> Value {
    let r = app
        .get(&format!("/api/v1/emergency-plans/{id}"), Some(t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// The display name of an account.
async fn name_of(app: &mut TestApp, username: &str) -> String {
    let t = app.login("sysadmin").await;
    let r = app
        .get(&format!("/api/v1/users?q={username}"), Some(&t))
        .await
        .json();
    r["items"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == username)
        .and_then(|u| u["display_name"].as_str())
        .expect("a user")
        .to_string()
}

/// The id of `username`'s entry in the pool of the officer's district.
async fn expert(app: &mut TestApp, officer: &str, username: &str) -> i64 {
    let user = app.user_id(username).await;
    let t = app.login(officer).await;
    let r = app.get("/api/v1/plan-experts", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["experts"]
        .as_array()
        .expect("experts")
        .iter()
        .find(|e| e["user_id"] == user)
        .and_then(|e| e["id"].as_i64())
        .unwrap_or_else(|| panic!("{username} is not in {officer}'s pool"))
}

/// A topic plan of S001 of `plan_type`, reviewed by S002's principal and approved.
async fn approved(app: &mut TestApp, plan_type: &str) -> i64 {
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let officer = app.login("bureau.officer").await;
    let reviewer = app.login("s002.principal").await;
    let r = create(
        app,
        &safety,
        s001,
        json!({"title": format!("测试{plan_type}专项应急预案"), "plan_type": plan_type, "form": "topic"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    ok_step(app, &safety, id, json!({"action": "submit_review"})).await;
    let e = expert(app, "bureau.officer", "s002.principal").await;
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
        json!({"action": "review", "conclusion": "agree", "note": "要素齐全，同意通过。"}),
    )
    .await;
    ok_step(
        app,
        &officer,
        id,
        json!({"action": "approve", "note": "评审纪要：一致同意。"}),
    )
    .await;
    id
}

/// Publishes an approved plan of S001 on `day` (its principal signs).
async fn publish(app: &mut TestApp, id: i64, day: &str) -> Value {
    let principal = app.login("s001.principal").await;
    ok_step(
        app,
        &principal,
        id,
        json!({"action": "publish", "published_on": day}),
    )
    .await
}

#[tokio::test]
async fn a_plan_goes_from_draft_through_review_to_force_and_its_next_version_supersedes_it() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let principal = app.login("s001.principal").await;
    let officer = app.login("bureau.officer").await;
    let reviewer = app.login("s002.principal").await;
    // A person of the school for the organisation.
    let people = app
        .get(&format!("/api/v1/schools/{s001}/people"), Some(&safety))
        .await
        .json();
    let person = people[0]["id"].as_i64().unwrap();
    let person_name = people[0]["name"].as_str().unwrap().to_string();
    let body = json!({
        "title": "一小拥挤踩踏事故专项应急预案",
        "plan_type": "stampede",
        "form": "topic",
        "content": {
            "scope": "适用于本校师生集会、上下楼梯等人员密集场景。",
            "organisation": [{"role": "总指挥", "person_id": person, "duties": "全面指挥"},
                             {"role": "法治副校长", "name": "王警官", "phone": "13900001234"}],
            "levels": [{"level": "Ⅰ级", "criteria": "发生人员伤亡", "actions": "立即报告"}],
            "procedures": [{"title": "疏导", "steps": "教师在楼梯口疏导"}],
            "contacts": [{"name": "急救", "phone": "120"}],
            "resources": [{"name": "急救箱", "quantity": "2", "location": "校医室"}]
        }
    });
    let r = create(&app, &safety, s001, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let p = r.json();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["status"], "draft");
    assert_eq!(p["version_no"], 1);
    assert_eq!(p["content"]["organisation"][0]["name"], person_name);
    assert_eq!(p["my_actions"], json!(["submit_review", "discard"]));
    assert_eq!(p["can_edit"], true);

    // A person of another school is a field error naming the row.
    let s002 = app.org_id("S002").await;
    let t2 = app.login("s002.safety").await;
    let other = app
        .get(&format!("/api/v1/schools/{s002}/people"), Some(&t2))
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/emergency-plans/{id}"),
            Some(&safety),
            &json!({"content": {"organisation": [{"role": "总指挥", "person_id": other}]}}),
        )
        .await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(fields(&j), vec!["content.organisation[0].person_id"]);
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/emergency-plans/{id}"),
            Some(&safety),
            &json!({"title": "一小拥挤踩踏事故专项应急预案（修订稿）", "version": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Submitted; the bureau assigns S002's principal from its pool.
    let p = ok_step(&app, &safety, id, json!({"action": "submit_review"})).await;
    assert_eq!(p["status"], "under_review");
    assert_eq!(p["review_round"], 1);
    let e = expert(&mut app, "bureau.officer", "s002.principal").await;
    let p = ok_step(
        &app,
        &officer,
        id,
        json!({"action": "assign_reviewer", "expert_id": e}),
    )
    .await;
    assert_eq!(
        p["reviewers"][0]["name"],
        name_of(&mut app, "s002.principal").await
    );
    // The expert, from another school, reads the plan and sees it among their reviews …
    let p = plan(&app, &reviewer, id).await;
    assert_eq!(p["my_actions"], json!(["review"]));
    assert_eq!(p["can_edit"], false);
    let roll = app
        .get("/api/v1/emergency-plans", Some(&reviewer))
        .await
        .json();
    assert!(
        roll["to_review"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id),
        "{roll}"
    );
    // … but not the school's other plans, nor may they change it.
    let r = app
        .get(
            &format!("/api/v1/schools/{s001}/emergency-plans"),
            Some(&reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/emergency-plans/{id}"),
            Some(&reviewer),
            &json!({"title": "x"}),
        )
        .await;
    expect(&r, 403, "forbidden");
    // The expert asks for changes; the bureau sends it back with the minutes.
    ok_step(
        &app,
        &reviewer,
        id,
        json!({"action": "review", "conclusion": "agree_with_changes", "note": "疏散路线需细化。"}),
    )
    .await;
    let p = ok_step(
        &app,
        &officer,
        id,
        json!({"action": "request_revision", "note": "评审纪要：细化疏散路线后重新提交。"}),
    )
    .await;
    assert_eq!(p["status"], "revising");
    // The author is told.
    let inbox = app.get("/api/v1/inbox", Some(&safety)).await.json();
    assert!(inbox.to_string().contains("plan_revision"), "{inbox}");
    // Revised and submitted again: a second round with its own reviewer.
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/emergency-plans/{id}"),
            Some(&safety),
            &json!({"content": {"procedures": [{"title": "疏导", "steps": "按楼层分时下楼"}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = ok_step(&app, &safety, id, json!({"action": "submit_review"})).await;
    assert_eq!(p["review_round"], 2);
    // A new round needs its reviewer again.
    let r = step(
        &app,
        &officer,
        id,
        json!({"action": "approve", "note": "x"}),
    )
    .await;
    expect(&r, 409, "conflict");
    ok_step(
        &app,
        &officer,
        id,
        json!({"action": "assign_reviewer", "expert_id": e}),
    )
    .await;
    ok_step(
        &app,
        &reviewer,
        id,
        json!({"action": "review", "conclusion": "agree", "note": "同意通过。"}),
    )
    .await;
    let p = ok_step(
        &app,
        &officer,
        id,
        json!({"action": "approve", "note": "评审纪要：同意通过。"}),
    )
    .await;
    assert_eq!(p["status"], "approved");
    // Signed by the principal.
    let p = ok_step(&app, &principal, id, json!({"action": "publish"})).await;
    assert_eq!(p["status"], "published");
    assert_eq!(p["signed_by"], name_of(&mut app, "s001.principal").await);
    assert_eq!(p["published_on"], today().to_string());
    assert_eq!(p["filing"]["status"], "open");
    // Filed with its number: in force, evaluation due in three years.
    let p = ok_step(
        &app,
        &safety,
        id,
        json!({"action": "file", "filing_no": "ED-2026-901"}),
    )
    .await;
    assert_eq!(p["status"], "in_force");
    assert_eq!(p["filing"]["status"], "on_time");
    let due = chrono::Datelike::year(&today()) + 3;
    assert!(
        p["evaluation_due"]
            .as_str()
            .unwrap()
            .starts_with(&due.to_string()),
        "{p}"
    );
    // Evaluated and kept.
    ok_step(&app, &safety, id, json!({"action": "start_evaluation"})).await;
    ok_step(
        &app,
        &officer,
        id,
        json!({"action": "review", "note": "评估：总体适用。"}),
    )
    .await;
    let p = ok_step(&app, &safety, id, json!({"action": "approve"})).await;
    assert_eq!(p["status"], "in_force");
    assert_eq!(p["last_evaluated_on"], today().to_string());

    // The next version, its content copied, replaces it once filed.
    let r = create(
        &app,
        &safety,
        s001,
        json!({"title": "一小拥挤踩踏事故专项应急预案（2026版）", "plan_type": "stampede",
            "form": "topic", "revises": id}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v2 = r.json();
    let v2_id = v2["id"].as_i64().unwrap();
    assert_eq!(v2["version_no"], 2);
    assert_eq!(v2["previous_id"], id);
    assert_eq!(v2["content"]["procedures"][0]["steps"], "按楼层分时下楼");
    // Only one new version at a time.
    let r = create(
        &app,
        &safety,
        s001,
        json!({"title": "另一版", "plan_type": "stampede", "form": "topic", "revises": id}),
    )
    .await;
    expect(&r, 409, "conflict");
    ok_step(&app, &safety, v2_id, json!({"action": "submit_review"})).await;
    ok_step(
        &app,
        &officer,
        v2_id,
        json!({"action": "assign_reviewer", "expert_id": e}),
    )
    .await;
    ok_step(
        &app,
        &reviewer,
        v2_id,
        json!({"action": "review", "conclusion": "agree", "note": "同意。"}),
    )
    .await;
    ok_step(
        &app,
        &officer,
        v2_id,
        json!({"action": "approve", "note": "纪要"}),
    )
    .await;
    ok_step(&app, &principal, v2_id, json!({"action": "publish"})).await;
    ok_step(
        &app,
        &safety,
        v2_id,
        json!({"action": "file", "filing_no": "ED-2026-902"}),
    )
    .await;
    let old = plan(&app, &safety, id).await;
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["next_id"], v2_id);
    assert_eq!(old["superseded_on"], today().to_string());
    let history: Vec<&str> = old["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(history.first(), Some(&"submit_review"));
    assert_eq!(history.last(), Some(&"supersede"));
    // Superseded is final.
    let r = step(&app, &safety, id, json!({"action": "start_evaluation"})).await;
    expect(&r, 409, "conflict");
    // Every step is audited.
    let audit = app.audit("action=plan.step&result=ok").await;
    assert_eq!(audit.len(), 19);
}

#[tokio::test]
async fn illegal_steps_and_unready_guards_are_409_and_a_changed_plan_is_not_overwritten() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let principal = app.login("s001.principal").await;
    let officer = app.login("bureau.officer").await;
    let r = create(
        &app,
        &safety,
        s001,
        json!({"title": "燃气泄漏现场处置方案", "plan_type": "gas", "form": "on_site"}),
    )
    .await;
    let id = r.json()["id"].as_i64().unwrap();
    // Not from a draft.
    for action in [
        "publish",
        "file",
        "approve",
        "start_evaluation",
        "supersede",
        "review",
    ] {
        let r = step(&app, &officer, id, json!({"action": action, "note": "x"})).await;
        let j = expect(&r, 409, "conflict");
        assert!(msg(&j).contains("预案当前状态"), "{action}: {j}");
    }
    ok_step(&app, &safety, id, json!({"action": "submit_review"})).await;
    // A review needs a reviewer; a decision needs a review.
    let r = step(
        &app,
        &officer,
        id,
        json!({"action": "review", "conclusion": "agree", "note": "x"}),
    )
    .await;
    let j = expect(&r, 409, "conflict");
    assert!(msg(&j).contains("评审专家"), "{j}");
    for action in ["approve", "request_revision"] {
        let r = step(&app, &officer, id, json!({"action": action, "note": "x"})).await;
        let j = expect(&r, 409, "conflict");
        assert!(msg(&j).contains("评审意见"), "{j}");
    }
    // Under review the content is frozen.
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/emergency-plans/{id}"),
            Some(&safety),
            &json!({"title": "改名"}),
        )
        .await;
    expect(&r, 409, "conflict");
    // A stale version is refused.
    let p = plan(&app, &safety, id).await;
    let v = p["version"].as_i64().unwrap();
    let r = step(
        &app,
        &safety,
        id,
        json!({"action": "supersede", "version": v - 1}),
    )
    .await;
    expect(&r, 409, "conflict");
    // A step's own fields: an unknown expert, a missing conclusion.
    let r = step(
        &app,
        &officer,
        id,
        json!({"action": "assign_reviewer", "expert_id": 987654}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["expert_id"]);
    let e = expert(&mut app, "bureau.officer", "s002.principal").await;
    ok_step(
        &app,
        &officer,
        id,
        json!({"action": "assign_reviewer", "expert_id": e}),
    )
    .await;
    let r = step(
        &app,
        &officer,
        id,
        json!({"action": "assign_reviewer", "expert_id": e}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["expert_id"]);
    let reviewer = app.login("s002.principal").await;
    let r = step(
        &app,
        &reviewer,
        id,
        json!({"action": "review", "note": "x"}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["conclusion"]);
    // An unknown action is refused by the body's shape.
    let r = step(&app, &principal, id, json!({"action": "repeal"})).await;
    expect(&r, 422, "invalid");
    // Nothing of the refusals was written: one submit and one assignment.
    let p = plan(&app, &safety, id).await;
    assert_eq!(p["history"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn who_may_take_which_step_is_decided_with_the_reason() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let principal = app.login("s001.principal").await;
    let staff = app.login("s001.staff").await;
    let inspector = app.login("bureau.inspector").await;
    let leader = app.login("bureau.leader").await;
    let r = create(
        &app,
        &safety,
        s001,
        json!({"title": "触电事故应急处置卡", "plan_type": "electrical", "form": "pocket_card"}),
    )
    .await;
    let id = r.json()["id"].as_i64().unwrap();
    // Roles that do not act on plans: 403; staff cannot write one either.
    let r = step(&app, &staff, id, json!({"action": "submit_review"})).await;
    expect(&r, 403, "forbidden");
    let r = step(&app, &leader, id, json!({"action": "submit_review"})).await;
    expect(&r, 403, "forbidden");
    let r = create(
        &app,
        &staff,
        s001,
        json!({"title": "x", "plan_type": "fire", "form": "topic"}),
    )
    .await;
    expect(&r, 403, "forbidden");
    // The inspector reviews but does not submit a school's plan.
    let r = step(&app, &inspector, id, json!({"action": "submit_review"})).await;
    let j = expect(&r, 403, "forbidden");
    assert!(msg(&j).contains("所属单位"), "{j}");
    ok_step(&app, &safety, id, json!({"action": "submit_review"})).await;
    // Only the bureau assigns and decides.
    let r = step(
        &app,
        &principal,
        id,
        json!({"action": "assign_reviewer", "expert_id": 1}),
    )
    .await;
    let j = expect(&r, 403, "forbidden");
    assert!(msg(&j).contains("教育局"), "{j}");
    // Someone not assigned does not review.
    let r = step(
        &app,
        &inspector,
        id,
        json!({"action": "review", "conclusion": "agree", "note": "x"}),
    )
    .await;
    let j = expect(&r, 403, "forbidden");
    assert!(msg(&j).contains("指定"), "{j}");
    // Only the principal signs a school's plan.
    let id2 = approved(&mut app, "drowning").await;
    let r = step(&app, &safety, id2, json!({"action": "publish"})).await;
    let j = expect(&r, 403, "forbidden");
    assert!(msg(&j).contains("校长"), "{j}");
    // A future publication day is a field error.
    let tomorrow = (today() + chrono::Duration::days(1)).to_string();
    let r = step(
        &app,
        &principal,
        id2,
        json!({"action": "publish", "published_on": tomorrow}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["published_on"]);
    // Refusals are audited.
    let denied = app.audit("action=plan.step&result=denied").await;
    assert!(denied.len() >= 4, "{denied:?}");
    // Another school's plan is not found, whatever the step.
    let t2 = app.login("s002.safety").await;
    let r = step(&app, &t2, id, json!({"action": "supersede"})).await;
    expect(&r, 404, "not_found");
    let r = app
        .get(&format!("/api/v1/emergency-plans/{id}"), Some(&t2))
        .await;
    expect(&r, 404, "not_found");
    let n001 = app.login("nanguan.officer").await;
    let r = app
        .get(&format!("/api/v1/emergency-plans/{id}"), Some(&n001))
        .await;
    expect(&r, 404, "not_found");
}

#[tokio::test]
async fn a_reviewer_from_the_plans_own_school_is_refused_for_the_conflict_of_interest() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let officer = app.login("bureau.officer").await;
    let r = create(
        &app,
        &safety,
        s001,
        json!({"title": "防溺水专项应急预案", "plan_type": "drowning", "form": "topic"}),
    )
    .await;
    let id = r.json()["id"].as_i64().unwrap();
    ok_step(&app, &safety, id, json!({"action": "submit_review"})).await;
    // S001's principal is in the district's pool, but the plan is S001's.
    let own = expert(&mut app, "bureau.officer", "s001.principal").await;
    let r = step(
        &app,
        &officer,
        id,
        json!({"action": "assign_reviewer", "expert_id": own}),
    )
    .await;
    let j = expect(&r, 403, "forbidden");
    assert!(msg(&j).contains("回避"), "{j}");
    let en = app
        .request(
            Method::POST,
            &format!("/api/v1/emergency-plans/{id}/actions"),
            Some(&officer),
            Some("application/json"),
            serde_json::to_vec(&json!({"action": "assign_reviewer", "expert_id": own})).unwrap(),
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(en.status, StatusCode::FORBIDDEN);
    assert!(
        msg(&en.json()).to_lowercase().contains("interest"),
        "{}",
        en.text()
    );
    // Audited as a refusal; nothing assigned.
    let denied = app.audit("action=plan.step&result=denied").await;
    assert!(!denied.is_empty());
    assert!(
        plan(&app, &safety, id).await["reviewers"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The bureau's own plan: its own officer is refused the same way.
    let ed = app.org_id("ED").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/emergency-plans",
            Some(&officer),
            &json!({"org_id": ed, "title": "区教育系统防汛应急预案", "plan_type": "extreme_weather",
                "form": "topic"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let b = r.json();
    assert_eq!(b["org"]["code"], "ED");
    let bid = b["id"].as_i64().unwrap();
    ok_step(&app, &officer, bid, json!({"action": "submit_review"})).await;
    let me = expert(&mut app, "bureau.officer", "bureau.officer").await;
    let r = step(
        &app,
        &officer,
        bid,
        json!({"action": "assign_reviewer", "expert_id": me}),
    )
    .await;
    expect(&r, 403, "forbidden");
    // A school's principal from the district may review the bureau's plan.
    ok_step(
        &app,
        &officer,
        bid,
        json!({"action": "assign_reviewer", "expert_id": own}),
    )
    .await;
    // A school id is no bureau.
    let r = app
        .json(
            Method::POST,
            "/api/v1/emergency-plans",
            Some(&officer),
            &json!({"org_id": s001, "title": "x", "plan_type": "fire", "form": "topic"}),
        )
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["org_id"]);
}

#[tokio::test]
async fn the_filing_deadline_counts_working_days_over_a_holiday_and_a_make_up_saturday() {
    let mut app = TestApp::new().await;
    let safety = app.login("s001.safety").await;
    let officer = app.login("bureau.officer").await;
    // Published on Friday 26 September 2025: Sunday 28 September and Saturday 11 October are
    // worked (调休), 1–8 October are the National Day and Mid-Autumn holiday. The 20th working
    // day after is 30 October; counting Monday–Friday alone would give 24 October.
    let id = approved(&mut app, "fire").await;
    let p = publish(&mut app, id, "2025-09-26").await;
    assert_eq!(p["filing"]["due_on"], "2025-10-30", "{p}");
    assert_eq!(p["filing"]["status"], "overdue");
    assert_eq!(p["calendar_covers_filing"], true);
    // Filed on the 31st: late.
    let r = step(
        &app,
        &safety,
        id,
        json!({"action": "file", "filing_no": "ED-2025-120", "filed_on": "2025-10-31"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["filing"]["status"], "late");
    // Not before publication, not in the future.
    let id2 = approved(&mut app, "earthquake").await;
    publish(&mut app, id2, "2025-09-26").await;
    let r = step(
        &app,
        &safety,
        id2,
        json!({"action": "file", "filing_no": "x", "filed_on": "2025-09-25"}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["filed_on"]);
    let r = step(&app, &safety, id2, json!({"action": "file"})).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["filing_no"]);

    // The bureau's calendar is the one counted: without the make-up Saturday of 11 October
    // the deadline moves to the 31st, and the same filing is on time.
    let cal = app
        .get("/api/v1/calendar/working-days", Some(&officer))
        .await
        .json();
    assert_eq!(cal["source"], "shipped");
    let edited: String = cal["csv"]
        .as_str()
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("2025-10-11"))
        .collect::<Vec<_>>()
        .join("\n");
    let r = app
        .json(
            Method::PUT,
            "/api/v1/calendar/working-days",
            Some(&officer),
            &json!({"csv": edited, "version": cal["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["source"], "edited");
    let p = plan(&app, &safety, id).await;
    assert_eq!(p["filing"]["due_on"], "2025-10-31");
    assert_eq!(p["filing"]["status"], "on_time");
    // A holiday on a weekday moves it too: 16 October off → 3 November.
    let with_holiday = format!("{edited}\n2025-10-16,holiday,测试假日\n");
    let r = app
        .json(
            Method::PUT,
            "/api/v1/calendar/working-days",
            Some(&officer),
            &json!({"csv": with_holiday}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = plan(&app, &safety, id2).await;
    assert_eq!(p["filing"]["due_on"], "2025-11-03");
}

#[tokio::test]
async fn the_working_day_calendar_is_read_by_everyone_and_replaced_by_the_bureau_line_by_line() {
    let mut app = TestApp::new().await;
    for who in ["s001.guard", "sysadmin", "auditadmin", "city.officer"] {
        let t = app.login(who).await;
        let r = app.get("/api/v1/calendar/working-days", Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.text());
        let j = r.json();
        assert!(j["years"].as_array().unwrap().contains(&json!(2026)));
        let days = j["days"].as_array().unwrap();
        // 2026: Spring Festival 15–23 February off, 14 and 28 February worked.
        for (date, kind) in [
            ("2026-02-14", "workday"),
            ("2026-02-17", "holiday"),
            ("2026-02-28", "workday"),
            ("2026-10-10", "workday"),
        ] {
            assert!(
                days.iter().any(|d| d["date"] == date && d["kind"] == kind),
                "{date}"
            );
        }
    }
    let r = app.get("/api/v1/calendar/working-days", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Only the bureau's officers replace it.
    let safety = app.login("s001.safety").await;
    let r = app
        .json(
            Method::PUT,
            "/api/v1/calendar/working-days",
            Some(&safety),
            &json!({"csv": "date,kind,name\n"}),
        )
        .await;
    expect(&r, 403, "forbidden");
    // Every bad line is named; nothing is saved.
    let officer = app.login("bureau.officer").await;
    let bad = "# 注释\ndate,kind,name\n2026-01-01,holiday,元旦\n2026-13-01,holiday,x\n2026-01-05,workday,周一调休\n2026-01-01,holiday,重复\n";
    let r = app
        .json(
            Method::PUT,
            "/api/v1/calendar/working-days",
            Some(&officer),
            &json!({"csv": bad}),
        )
        .await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(fields(&j), vec!["csv[4]", "csv[5]", "csv[6]"]);
    let r = app
        .get("/api/v1/calendar/working-days", Some(&officer))
        .await
        .json();
    assert_eq!(r["source"], "shipped");
    // A good file is saved and audited; a stale version is refused.
    let good = "date,kind,name\n2026-01-01,holiday,元旦\n2026-01-04,workday,元旦调休上班\n";
    let r = app
        .json(
            Method::PUT,
            "/api/v1/calendar/working-days",
            Some(&officer),
            &json!({"csv": good, "version": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["source"], "edited");
    assert_eq!(j["version"], 1);
    assert_eq!(j["days"].as_array().unwrap().len(), 2);
    assert_eq!(
        j["updated_by_name"],
        name_of(&mut app, "bureau.officer").await
    );
    let r = app
        .json(
            Method::PUT,
            "/api/v1/calendar/working-days",
            Some(&officer),
            &json!({"csv": good, "version": 0}),
        )
        .await;
    expect(&r, 409, "conflict");
    let audit = app.audit("action=calendar.update").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
}

#[tokio::test]
async fn coverage_lists_the_red_and_orange_points_no_plan_in_force_covers() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let roll = app
        .get("/api/v1/emergency-plans", Some(&officer))
        .await
        .json();
    assert!(
        roll["totals"]["schools_uncovered"].as_i64().unwrap() > 0,
        "{roll}"
    );
    // The demo's S001 has a plan in every status.
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let list = app
        .get(
            &format!("/api/v1/schools/{s001}/emergency-plans"),
            Some(&safety),
        )
        .await
        .json();
    let statuses: std::collections::BTreeSet<&str> = list["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    for s in [
        "draft",
        "under_review",
        "revising",
        "approved",
        "published",
        "filed",
        "in_force",
        "under_evaluation",
        "superseded",
    ] {
        assert!(statuses.contains(s), "S001 has no {s} plan: {statuses:?}");
    }
    // S001's fire plan covers its fire points; its drowning plan is only approved, so a
    // drowning point, if any, is uncovered.
    for u in list["coverage"]["uncovered"].as_array().unwrap() {
        assert!(
            !u["needs"].as_array().unwrap().contains(&json!("fire")),
            "{u}"
        );
    }
    // A school of the district without plans: its red and orange points are all uncovered,
    // and a topic plan in force of a needed type covers those points.
    let row = roll["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["uncovered"].as_i64().unwrap() > 0 && r["in_force"] == 0)
        .expect("a school without plans")
        .clone();
    let school = row["school"]["id"].as_i64().unwrap();
    let before = app
        .get(
            &format!("/api/v1/schools/{school}/emergency-plans"),
            Some(&officer),
        )
        .await
        .json();
    let uncovered = before["coverage"]["uncovered"].as_array().unwrap().clone();
    assert_eq!(
        uncovered.len() as i64,
        before["coverage"]["points"].as_i64().unwrap()
    );
    let needed = uncovered[0]["needs"][0].as_str().unwrap().to_string();
    let needing = uncovered
        .iter()
        .filter(|u| u["needs"].as_array().unwrap().contains(&json!(needed)))
        .count();
    // The bureau writes it for the school (it has no accounts), through the whole loop; an
    // expert of the district reviews it.
    let r = create(
        &app,
        &officer,
        school,
        json!({"title": "专项应急预案", "plan_type": needed, "form": "on_site"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    ok_step(&app, &officer, id, json!({"action": "submit_review"})).await;
    let e = expert(&mut app, "bureau.officer", "s002.principal").await;
    ok_step(
        &app,
        &officer,
        id,
        json!({"action": "assign_reviewer", "expert_id": e}),
    )
    .await;
    let expert_user = app.user_id("s002.principal").await;
    ok_step(
        &app,
        &officer,
        id,
        json!({"action": "review", "reviewer_id": expert_user,
            "conclusion": "agree", "note": "代专家登记：同意。"}),
    )
    .await;
    ok_step(
        &app,
        &officer,
        id,
        json!({"action": "approve", "note": "纪要"}),
    )
    .await;
    // Not the school's principal: the bureau records its own officer as the signer only for
    // its own plans; a school without accounts cannot publish here.
    let r = step(&app, &officer, id, json!({"action": "publish"})).await;
    expect(&r, 403, "forbidden");
    // Published (covering starts only once in force).
    let after = app
        .get(
            &format!("/api/v1/schools/{school}/emergency-plans"),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(
        after["coverage"]["uncovered"].as_array().unwrap().len(),
        uncovered.len()
    );
    // A plan in force of the type (written straight, as a carried-over plan) covers them.
    let mut app = app;
    set_in_force(&mut app, id).await;
    let after = app
        .get(
            &format!("/api/v1/schools/{school}/emergency-plans"),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(
        after["coverage"]["uncovered"].as_array().unwrap().len(),
        uncovered.len() - needing,
        "{after}"
    );
    // A comprehensive plan covers nothing by itself.
    let r = create(
        &app,
        &officer,
        school,
        json!({"title": "综合应急预案", "plan_type": "other", "form": "comprehensive"}),
    )
    .await;
    let cid = r.json()["id"].as_i64().unwrap();
    set_in_force(&mut app, cid).await;
    let again = app
        .get(
            &format!("/api/v1/schools/{school}/emergency-plans"),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(
        again["coverage"]["uncovered"].as_array().unwrap().len(),
        uncovered.len() - needing
    );
}

/// Puts a plan in force directly (a plan carried over from paper with its filing).
async fn set_in_force(app: &mut TestApp, id: i64) {
    use sea_orm::ConnectionTrait;
    let raw = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    let day = today().to_string();
    raw.execute_unprepared(&format!(
        "UPDATE emergency_plans SET status = 'filed', published_on = '{day}', filed_on = '{day}' WHERE id = {id}"
    ))
    .await
    .expect("update");
    raw.close().await.ok();
}

#[tokio::test]
async fn a_drill_that_shows_a_defect_makes_the_plan_of_its_type_due_for_evaluation() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let safety = app.login("s001.safety").await;
    let fire = |list: &Value| -> Value {
        list["plans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["plan_type"] == "fire" && p["status"] == "in_force")
            .cloned()
            .expect("S001's fire plan in force")
    };
    let comprehensive = |list: &Value| -> Value {
        list["plans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["form"] == "comprehensive")
            .cloned()
            .expect("S001's comprehensive plan")
    };
    let path = format!("/api/v1/schools/{s001}/emergency-plans");
    let before = app.get(&path, Some(&safety)).await.json();
    assert_eq!(fire(&before)["evaluation_overdue"], false);
    // A photo of the drill, uploaded first.
    let upload = app
        .request(
            Method::POST,
            "/api/v1/files",
            Some(&safety),
            Some("multipart/form-data; boundary=----b"),
            png_multipart(),
            &[],
        )
        .await;
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.text());
    let photo = upload.json()["id"].as_i64().unwrap();
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/drills"),
            Some(&safety),
            &json!({"kind": "fire", "held": {"held_on": today(), "classes": 10, "expected": 400,
                "assembled": 400, "missing": 0, "signal_at": "10:00:00", "completed_at": "10:02:00",
                "floors": 4}, "plan_needs_revision": true, "photo_ids": [photo]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let drill = r.json();
    assert_eq!(drill["photo_ids"], json!([photo]));
    let after = app.get(&path, Some(&safety)).await.json();
    let f = fire(&after);
    assert_eq!(f["evaluation_overdue"], true, "{f}");
    assert_eq!(f["evaluation_due"], today().to_string());
    assert_eq!(f["defect_flagged_on"], today().to_string());
    // The comprehensive plan was not what the fire drill practised.
    assert_eq!(comprehensive(&after)["defect_flagged_on"], Value::Null);
    let detail = plan(&app, &safety, f["id"].as_i64().unwrap()).await;
    assert_eq!(detail["defect_note"], format!("drill:{}", drill["id"]));
    assert_eq!(
        detail["history"].as_array().unwrap().last().unwrap()["action"],
        "defect_flagged"
    );
    // The bureau's roll-up counts it.
    let officer = app.login("bureau.officer").await;
    let roll = app
        .get("/api/v1/emergency-plans", Some(&officer))
        .await
        .json();
    let row = roll["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["school"]["id"] == s001)
        .unwrap()
        .clone();
    assert!(row["evaluation_due"].as_i64().unwrap() >= 1, "{row}");
    // A general evacuation flags the comprehensive plan.
    let id = drill["id"].as_i64().unwrap();
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/drills"),
            Some(&safety),
            &json!({"kind": "evacuation", "held": {"held_on": today(), "classes": 10, "expected": 400,
                "assembled": 400, "missing": 0, "signal_at": "10:00:00", "completed_at": "10:02:00"}}),
        )
        .await;
    let evac = r.json()["id"].as_i64().unwrap();
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/drills/{evac}"),
            Some(&safety),
            &json!({"plan_needs_revision": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let after = app.get(&path, Some(&safety)).await.json();
    assert_eq!(comprehensive(&after)["evaluation_overdue"], true);
    // A photo of another school is refused.
    let t2 = app.login("s002.safety").await;
    let other = app
        .request(
            Method::POST,
            "/api/v1/files",
            Some(&t2),
            Some("multipart/form-data; boundary=----b"),
            png_multipart(),
            &[],
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/drills/{id}"),
            Some(&safety),
            &json!({"photo_ids": [photo, other]}),
        )
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["photo_ids"]);
}

/// A multipart body with one tiny PNG (`file`).
fn png_multipart() -> Vec<u8> {
    use image::ImageEncoder;
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([200, 60, 60]));
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(img.as_raw(), 4, 4, image::ExtendedColorType::Rgb8)
        .expect("png");
    let mut body = b"------b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
    body.extend_from_slice(&png);
    body.extend_from_slice(b"\r\n------b--\r\n");
    body
}

#[tokio::test]
async fn the_expert_pool_is_the_bureaus_and_holds_only_people_who_can_review() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let pool = app.get("/api/v1/plan-experts", Some(&officer)).await.json();
    assert_eq!(pool["pool"]["code"], "ED");
    assert!(pool["experts"].as_array().unwrap().len() >= 3);
    let inspector = app.user_id("bureau.inspector").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/plan-experts",
            Some(&officer),
            &json!({"user_id": inspector, "speciality": "消防安全", "title": "督学"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["speciality"], "消防安全");
    // A staff account cannot review; NG's officer is not ED's.
    let staff = app.user_id("s001.staff").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/plan-experts",
            Some(&officer),
            &json!({"user_id": staff}),
        )
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["user_id"]);
    let ng = app.user_id("nanguan.officer").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/plan-experts",
            Some(&officer),
            &json!({"user_id": ng}),
        )
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["user_id"]);
    // Another district's pool is not found; a school has none.
    let ng_id = app.org_id("NG").await;
    let r = app
        .get(
            &format!("/api/v1/plan-experts?org_id={ng_id}"),
            Some(&officer),
        )
        .await;
    expect(&r, 404, "not_found");
    let s001 = app.org_id("S001").await;
    let r = app
        .get(
            &format!("/api/v1/plan-experts?org_id={s001}"),
            Some(&officer),
        )
        .await;
    expect(&r, 422, "invalid");
    // Schools do not see the pool.
    let safety = app.login("s001.safety").await;
    let r = app.get("/api/v1/plan-experts", Some(&safety)).await;
    expect(&r, 403, "forbidden");
    // Retired experts are no longer assignable.
    let r = app
        .json(
            Method::POST,
            "/api/v1/plan-experts",
            Some(&officer),
            &json!({"user_id": inspector, "active": false}),
        )
        .await;
    assert_eq!(r.json()["active"], false);
}

#[tokio::test]
async fn the_pages_show_the_roll_up_the_school_the_plan_the_pool_and_the_calendar() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let officer = app.login("bureau.officer").await;
    let safety = app.login("s001.safety").await;
    let r = app.get("/emergency-plans", Some(&officer)).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("id=\"plan-rollup\""));
    assert!(html.contains("id=\"bureau-plans\""));
    assert!(html.contains("应急预案"));
    let r = app
        .get(&format!("/schools/{s001}/emergency-plans"), Some(&safety))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("id=\"coverage\"") && html.contains("id=\"new-plan-form\""));
    // A new draft from the page, then its content from the editor.
    let r = app
        .form(
            &format!("/schools/{s001}/emergency-plans"),
            Some(&safety),
            &[
                ("title", "食堂食物中毒现场处置方案"),
                ("plan_type", "food_poisoning"),
                ("form", "on_site"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let loc = r.header("location");
    assert!(loc.starts_with("/emergency-plans/"), "{loc}");
    let id: i64 = loc.trim_start_matches("/emergency-plans/").parse().unwrap();
    let r = app.get(&loc, Some(&safety)).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("id=\"edit-form\"") && html.contains("id=\"step-submit_review\""));
    assert!(html.contains("id=\"plan-flow\""));
    let r = app
        .form(
            &format!("/emergency-plans/{id}"),
            Some(&safety),
            &[
                ("title", "食堂食物中毒现场处置方案"),
                ("plan_type", "food_poisoning"),
                ("form", "on_site"),
                ("scope", "适用于学校食堂"),
                ("org_role", "总指挥"),
                ("org_person", ""),
                ("org_name", "张三"),
                ("org_phone", "13900001111"),
                ("org_duties", "指挥"),
                ("org_role", ""),
                ("org_person", ""),
                ("org_name", ""),
                ("org_phone", ""),
                ("org_duties", ""),
                ("ct_name", "急救"),
                ("ct_unit", ""),
                ("ct_phone", "120"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let p = plan(&app, &safety, id).await;
    assert_eq!(p["content"]["organisation"].as_array().unwrap().len(), 1);
    assert_eq!(p["content"]["contacts"][0]["phone"], "120");
    // A bad phone is shown again with the row named (422).
    let r = app
        .form(
            &format!("/emergency-plans/{id}"),
            Some(&safety),
            &[("title", "x"), ("ct_name", "急救"), ("ct_phone", "12a")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("content.contacts[0].phone"));
    // A step from the page.
    let r = app
        .form(
            &format!("/emergency-plans/{id}/actions"),
            Some(&safety),
            &[("action", "submit_review"), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(plan(&app, &safety, id).await["status"], "under_review");
    // The bureau's page of the plan offers the assignment with the pool.
    let html = app
        .get(&format!("/emergency-plans/{id}"), Some(&officer))
        .await
        .text();
    assert!(html.contains("id=\"step-assign_reviewer\""));
    // The pool and the calendar.
    let r = app.get("/plan-experts", Some(&officer)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("id=\"expert-form\""));
    let r = app.get("/calendar", Some(&officer)).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("id=\"year-2026\"") && html.contains("id=\"calendar-form\""));
    assert!(html.contains("春节调休上班"));
    // 28 February 2026, a make-up working Saturday.
    assert!(html.contains("2026-02-28 周六"), "weekday labels");
    let r = app
        .form(
            "/calendar",
            Some(&officer),
            &[("csv", "date,kind,name\n2026-02-30,holiday,x\n")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("id=\"calendar-errors\""));
    // Staff read the calendar without the editor.
    let staff = app.login("s001.staff").await;
    let html = app.get("/calendar", Some(&staff)).await.text();
    assert!(!html.contains("id=\"calendar-form\""));
    // The drill record prints on A4 (its stylesheet) and takes photos.
    let drills = app
        .get(&format!("/api/v1/schools/{s001}/drills"), Some(&safety))
        .await
        .json();
    let held = drills
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["status"] == "held")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let html = app
        .get(&format!("/drills/{held}"), Some(&safety))
        .await
        .text();
    assert!(html.contains("emergency.css") && html.contains("id=\"photo-form\""));
    let css_url = html
        .split("href=\"")
        .find(|s| s.contains("emergency.css"))
        .and_then(|s| s.split('"').next())
        .expect("the stylesheet's link")
        .to_string();
    let css = app.get(&css_url, None).await.text();
    assert!(css.contains("size: A4") && css.contains("@media print"));
    let r = app
        .request(
            Method::POST,
            &format!("/drills/{held}/photos"),
            Some(&safety),
            Some("multipart/form-data; boundary=----b"),
            png_multipart(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let d = app
        .get(&format!("/api/v1/drills/{held}"), Some(&safety))
        .await
        .json();
    assert_eq!(d["photo_ids"].as_array().unwrap().len(), 1);
}
