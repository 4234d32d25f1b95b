mod common;

// The last two places of partial updates with htmx, in Chromium:
// - the half-month self-inspection on a phone saves each answer as it is given (no reload:
//   a mark set on `window` survives), the server has it, and the form opened again shows it
//   with the progress counting it;
// - the hazard page's step forms swap the status, the forms and the timeline in place, the
//   address unchanged; a refused step shows its error on the form with what was entered.
// Screenshots go to `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Runs `js` until it returns `true`.
async fn until(c: &Client, js: &str, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        if c.execute(js, vec![]).await.ok() == Some(json!(true)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what} (at {:?})",
            c.current_url().await.map(|u| u.to_string())
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn js(c: &Client, js: &str) -> Value {
    c.execute(js, vec![]).await.expect(js)
}

/// A demo school with accounts whose current half-month is not submitted yet (the demo's
/// history submits some, depending on the day): its id and its safety director.
/// S001 with its current half-month open: a submission the demo made for it (depending on
/// the day) is taken out of the half-month (its period cleared).
async fn open_school(app: &mut TestApp) -> (i64, String) {
    let t = app.login("city.officer").await;
    let s001 = app.org_id("S001").await;
    let b = app
        .get(
            &format!("/api/v1/self-inspection-board?org_id={s001}"),
            Some(&t),
        )
        .await
        .json();
    if let Some(id) = b["schools"][0]["inspection_id"].as_i64() {
        app.sql(&format!(
            "UPDATE inspections SET period = NULL WHERE id = {id}"
        ))
        .await;
    }
    (s001, "s001.safety".to_string())
}

#[tokio::test]
async fn checklist_answers_are_saved_as_they_are_given() {
    let mut app = TestApp::new().await;
    let (school, user) = open_school(&mut app).await;
    let t = app.login(&user).await;
    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, &user).await;
    let form = format!("/schools/{school}/inspections/new?kind=half_month");
    visit(c, base, &form, Locator::Id("inspection-form")).await;
    until(c, "return !!window.htmx;", "htmx loaded").await;
    js(c, "window.__kept = 'same page'; return true;").await;
    let key = js(
        c,
        "return document.querySelectorAll('fieldset.check-row')[0].id.replace('row-', '');",
    )
    .await
    .as_str()
    .expect("a row")
    .to_string();
    let second = js(
        c,
        "return document.querySelectorAll('fieldset.check-row')[1].id.replace('row-', '');",
    )
    .await
    .as_str()
    .expect("a row")
    .to_string();
    // Tap "fail" on the first row, then leave a note; tap "pass" on the second.
    c.execute(
        "document.querySelector(`input[name=\"res_${arguments[0]}\"][value=fail]`).click(); return true;",
        vec![json!(key)],
    )
    .await
    .expect("fail");
    until(
        c,
        &format!(
            "return (document.getElementById('saved-{key}') || {{}}).textContent === '已保存';"
        ),
        "the first answer saved",
    )
    .await;
    c.execute(
        "const t = document.querySelector(`textarea[name=\"note_${arguments[0]}\"]`); \
         t.focus(); t.value = '灭火器压力不足'; t.dispatchEvent(new Event('change', {bubbles: true})); \
         return true;",
        vec![json!(key)],
    )
    .await
    .expect("note");
    c.execute(
        "document.querySelector(`input[name=\"res_${arguments[0]}\"][value=pass]`).click(); return true;",
        vec![json!(second)],
    )
    .await
    .expect("pass");
    until(
        c,
        &format!(
            "return (document.getElementById('saved-{second}') || {{}}).textContent === '已保存';"
        ),
        "the second answer saved",
    )
    .await;
    assert_eq!(
        js(c, "return window.__kept || null;").await,
        json!("same page"),
        "no reload"
    );
    assert_eq!(path(c).await, form.split('?').next().unwrap());
    assert_eq!(text(c, "#ck-done").await, "2");
    screenshot(c, "htmx-forms-1-checklist-saved-390.png").await;

    // The server has them (the note saved too, once the request of its change is done).
    let deadline = Instant::now() + WAIT;
    loop {
        let html = app
            .request(Method::GET, &form, Some(&t), None, vec![], &[])
            .await
            .text();
        if html.contains(&format!("name=\"res_{key}\" value=\"fail\" checked"))
            && html.contains(&format!("name=\"res_{second}\" value=\"pass\" checked"))
            && html.contains("灭火器压力不足</textarea>")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server has the answers");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The page is lost; opened again, it shows them and counts them.
    c.goto(&format!("{base}/")).await.expect("away");
    visit(c, base, &form, Locator::Id("inspection-form")).await;
    assert_eq!(js(c, "return window.__kept || null;").await, Value::Null);
    assert_eq!(
        js(
            c,
            &format!(
                "return document.querySelector('input[name=\"res_{key}\"][value=fail]').checked;"
            )
        )
        .await,
        json!(true)
    );
    assert_eq!(
        js(
            c,
            &format!("return document.querySelector('textarea[name=\"note_{key}\"]').value;")
        )
        .await,
        json!("灭火器压力不足")
    );
    assert_eq!(text(c, "#ck-done").await, "2");
    screenshot(c, "htmx-forms-2-checklist-reopened-390.png").await;
    h.finish("checklist_answers_are_saved_as_they_are_given")
        .await;
}

#[tokio::test]
async fn hazard_steps_update_the_page_in_place() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let staff = app.login("s001.staff").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/hazards"),
            Some(&staff),
            &json!({"title": "楼梯扶手松动", "description": "东侧楼梯",
                    "aspect": "things", "category": "校舍"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().expect("id");
    let safety = app.login("s001.safety").await;
    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.safety").await;
    let page = format!("/hazards/{id}");
    visit(c, base, &page, Locator::Id("form-assess")).await;
    until(c, "return !!window.htmx;", "htmx loaded").await;
    js(c, "window.__kept = 'same page'; return true;").await;
    let before = text(c, "#history-count").await;

    // A refused assessment (a major hazard cannot be fixed on the spot): the error on the
    // form, what was chosen kept, nothing stored.
    js(
        c,
        "document.querySelector('#form-assess select[name=level]').value = 'major'; \
         document.querySelector('#form-assess select[name=treatment]').value = 'fix_on_spot'; \
         document.querySelector('#form-assess button[type=submit]').click(); return true;",
    )
    .await;
    until(
        c,
        "return !!document.getElementById('form-error');",
        "the error shown",
    )
    .await;
    assert!(
        text(c, "#form-error")
            .await
            .contains("重大隐患不能即查即改")
    );
    assert_eq!(
        js(
            c,
            "return [document.querySelector('#form-assess select[name=level]').value, \
                     document.querySelector('#form-assess select[name=treatment]').value];"
        )
        .await,
        json!(["major", "fix_on_spot"]),
        "the input kept"
    );
    assert_eq!(
        js(c, "return window.__kept || null;").await,
        json!("same page")
    );
    assert_eq!(path(c).await, page);
    let api = app
        .get(&format!("/api/v1/hazards/{id}"), Some(&safety))
        .await
        .json();
    assert_eq!(api["status"], "reported", "nothing stored");
    screenshot_page(c, "htmx-forms-3-hazard-refused.png").await;

    // The assessment taken: the status, the forms and the timeline follow, in place.
    js(
        c,
        "document.querySelector('#form-assess select[name=level]').value = 'general'; \
         document.querySelector('#form-assess select[name=treatment]').value = 'by_deadline'; \
         document.querySelector('#form-assess button[type=submit]').click(); return true;",
    )
    .await;
    until(
        c,
        "return !document.getElementById('form-assess') && !document.getElementById('form-error') \
           && !!document.getElementById('form-issue_notice');",
        "the next step's form",
    )
    .await;
    assert_eq!(
        js(c, "return window.__kept || null;").await,
        json!("same page")
    );
    assert_eq!(path(c).await, page);
    assert!(text(c, "#hazard-status").await.contains("已评估"));
    assert_ne!(text(c, "#history-count").await, before, "the timeline grew");
    let api = app
        .get(&format!("/api/v1/hazards/{id}"), Some(&safety))
        .await
        .json();
    assert_eq!(api["status"], "assessed");
    assert_eq!(api["level"], "general");
    screenshot_page(c, "htmx-forms-4-hazard-assessed.png").await;

    // The swapped page's forms work again: the notice, refused for a missing field first.
    let uid = app.user_id("s001.safety").await;
    js(
        c,
        &format!(
            "document.querySelectorAll('details').forEach(d => d.open = true); \
             const f = document.getElementById('form-issue_notice'); \
             f.querySelector('[name=responsible_user_id]').value = '{uid}'; \
             f.querySelector('[name=deadline]').value = new Date(Date.now() + 20 * 864e5).toISOString().slice(0, 10); \
             f.querySelector('[name=funds_source]').value = '学校公用经费'; \
             f.querySelector('[name=measures]').value = '更换扶手'; \
             f.querySelector('[name=interim_plan]').value = '设置警示标志'; \
             f.querySelector('button[type=submit]').click(); return true;"
        ),
    )
    .await;
    until(
        c,
        "return !document.getElementById('form-issue_notice') && !!document.getElementById('form-start');",
        "the notice issued in place",
    )
    .await;
    assert_eq!(
        js(c, "return window.__kept || null;").await,
        json!("same page")
    );
    let api = app
        .get(&format!("/api/v1/hazards/{id}"), Some(&safety))
        .await
        .json();
    assert_eq!(api["status"], "notice_issued");
    h.finish("hazard_steps_update_the_page_in_place").await;
}

/// Without htmx the step forms post and come back as before (303; a refusal: the page with
/// the error), and htmx gets the region only, a refusal with its status and the input kept.
#[tokio::test]
async fn hazard_step_fragments_only_to_htmx() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let staff = app.login("s001.staff").await;
    let mut ids = Vec::new();
    for n in 0..2 {
        let r = app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{s001}/hazards"),
                Some(&staff),
                &json!({"title": format!("窗户插销损坏 {n}"), "description": "三楼",
                        "aspect": "things", "category": "校舍"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        ids.push(r.json()["id"].as_i64().expect("id"));
    }
    let t = app.login("s001.safety").await;
    let post = |id: i64, fields: Vec<(&'static str, &'static str)>, hx: bool| {
        let body = serde_urlencoded::to_string(&fields).unwrap();
        let h: Vec<(&str, &str)> = if hx {
            vec![("hx-request", "true")]
        } else {
            vec![]
        };
        let app = &app;
        let t = t.clone();
        async move {
            app.request(
                Method::POST,
                &format!("/hazards/{id}/actions"),
                Some(&t),
                Some("application/x-www-form-urlencoded"),
                body.into_bytes(),
                &h,
            )
            .await
        }
    };
    let refused = vec![
        ("action", "assess"),
        ("level", "major"),
        ("treatment", "fix_on_spot"),
    ];
    let good = vec![
        ("action", "assess"),
        ("level", "general"),
        ("treatment", "by_deadline"),
    ];
    // Without htmx: as before.
    let r = post(ids[0], refused.clone(), false).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("<html"));
    let r = post(ids[0], good.clone(), false).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), format!("/hazards/{}#history", ids[0]));
    // With htmx: the region, a refusal with its status and what was chosen.
    let r = post(ids[1], refused, true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let part = r.text();
    assert!(
        part.starts_with("<div id=\"hazard-main\""),
        "{}",
        &part[..80.min(part.len())]
    );
    assert!(!part.contains("<html"));
    assert!(part.contains("id=\"form-error\""));
    assert!(part.contains("<option value=\"major\" selected>"));
    assert!(part.contains("<option value=\"fix_on_spot\" selected>"));
    let r = post(ids[1], good, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let part = r.text();
    assert!(part.starts_with("<div id=\"hazard-main\""));
    assert!(part.contains("id=\"timeline\""));
    assert!(!part.contains("id=\"form-assess\""));
    assert!(r.header("vary").to_lowercase().contains("hx-request"));
    for id in ids {
        let api = app
            .get(&format!("/api/v1/hazards/{id}"), Some(&t))
            .await
            .json();
        assert_eq!(api["status"], "assessed");
    }
}
