mod common;

// The half-month self-inspection's answers saved one by one
// (`POST /schools/{id}/inspections/new/items/{key}`, what htmx posts for a row when it is
// answered): the answer is stored at once and the form opened again shows it, the progress
// counting it; htmx gets the row's mark, a plain post the form again (303); the school out of
// the caller's scope is 404, a half-month already submitted 409 with its message, a row that
// is not one of the school's half-month checklist 422, a post without the CSRF token 403;
// every save is audited; the final submission still checks everything and takes the saved
// answers with it.

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{Value, json};

async fn sign_in(app: &TestApp, user: &str) -> String {
    let form = [("username", user), ("password", common::PASSWORD)];
    let r = app.form("/login", None, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> String {
    let h = [("cookie", cookie)];
    let r = app.request(Method::GET, path, None, None, vec![], &h).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.text()
}

fn form_path(school: i64) -> String {
    format!("/schools/{school}/inspections/new?kind=half_month")
}

/// Whether the school's current half-month is submitted (the board's row).
async fn submitted(app: &mut TestApp, school: i64) -> bool {
    let t = app.login("city.officer").await;
    let b = app
        .get(
            &format!("/api/v1/self-inspection-board?org_id={school}"),
            Some(&t),
        )
        .await
        .json();
    b["schools"][0]["inspection_id"].as_i64().is_some()
}

/// A school with accounts whose current half-month is not submitted yet (the demo's history
/// submits some, depending on the day): its id and its safety director.
/// S001 with its current half-month open: a submission the demo made for it (depending on
/// the day) is taken out of the half-month (its period cleared).
async fn open_school(app: &mut TestApp) -> (i64, String) {
    let s001 = app.org_id("S001").await;
    let t = app.login("city.officer").await;
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
    assert!(!submitted(app, s001).await, "S001's half-month is open");
    (s001, "s001.safety".to_string())
}

/// Posts one row as the form's script does (`hx`: with `HX-Request`).
async fn save(
    app: &TestApp,
    cookie: &str,
    school: i64,
    key: &str,
    fields: &[(&str, &str)],
    hx: bool,
) -> common::Resp {
    let body = serde_urlencoded::to_string(fields).expect("form");
    let mut h = vec![("cookie", cookie)];
    if hx {
        h.push(("hx-request", "true"));
    }
    app.request(
        Method::POST,
        &format!("/schools/{school}/inspections/new/items/{key}"),
        None,
        Some("application/x-www-form-urlencoded"),
        body.into_bytes(),
        &h,
    )
    .await
}

/// Form fields of one post.
type Fields = Vec<(String, String)>;

fn csrf_of(html: &str) -> String {
    TestApp::form_token(html)
}

/// The text between `id="<id>"` and the next `<`.
fn text_of(html: &str, id: &str) -> String {
    let m = format!("id=\"{id}\"");
    let at = html.find(&m).unwrap_or_else(|| panic!("#{id} in the page"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..start + rest[start..].find('<').unwrap()].to_string()
}

fn checked(html: &str, key: &str, value: &str) -> bool {
    html.contains(&format!("name=\"res_{key}\" value=\"{value}\" checked"))
}

#[tokio::test]
async fn each_answer_is_saved_at_once_and_the_form_opened_again_shows_it() {
    let mut app = TestApp::new().await;
    let (school, user) = open_school(&mut app).await;
    let ids = app.half_month_points(school).await;
    assert!(ids.len() > 3);
    let keys: Vec<String> = ids.iter().map(|i| format!("p{i}")).collect();
    let cookie = sign_in(&app, &user).await;
    let html = page(&app, &form_path(school), &cookie).await;
    // Every row posts itself to its own address, with the token and its own fields only.
    for k in &keys {
        assert!(html.contains(&format!(
            "hx-post=\"/schools/{school}/inspections/new/items/{k}\""
        )));
        assert!(html.contains(&format!("hx-params=\"_csrf,res_{k},note_{k}\"")));
        assert!(html.contains(&format!("id=\"saved-{k}\"")));
    }
    assert!(html.contains("id=\"autosave-hint\""));
    assert!(html.contains("/htmx.min.js\""));
    assert_eq!(text_of(&html, "ck-done"), "0");
    let csrf = csrf_of(&html);
    let (res0, note0) = (format!("res_{}", keys[0]), format!("note_{}", keys[0]));

    // htmx: a failed row with its note; the answer is the row's mark (a fragment).
    let r = save(
        &app,
        &cookie,
        school,
        &keys[0],
        &[
            ("_csrf", csrf.as_str()),
            (res0.as_str(), "fail"),
            (note0.as_str(), "灭火器压力不足"),
        ],
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let frag = r.text();
    assert!(frag.starts_with(&format!(
        "<span class=\"ck-saved\" id=\"saved-{}\"",
        keys[0]
    )));
    assert!(frag.contains("已保存"));
    assert!(frag.contains("data-answered=\"1\""));
    assert!(!frag.contains("<html"), "a fragment, not the page");
    assert!(r.header("vary").to_lowercase().contains("hx-request"));

    // Without htmx: the form again.
    let res1 = format!("res_{}", keys[1]);
    let r = save(
        &app,
        &cookie,
        school,
        &keys[1],
        &[("_csrf", csrf.as_str()), (res1.as_str(), "pass")],
        false,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        r.header("location"),
        format!("{}#row-{}", form_path(school), keys[1])
    );

    // A note alone (no result yet), then a result for that row keeps the note.
    let (res2, note2) = (format!("res_{}", keys[2]), format!("note_{}", keys[2]));
    let r = save(
        &app,
        &cookie,
        school,
        &keys[2],
        &[("_csrf", csrf.as_str()), (note2.as_str(), "门锁松动")],
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("data-answered=\"2\""));
    let r = save(
        &app,
        &cookie,
        school,
        &keys[2],
        &[("_csrf", csrf.as_str()), (res2.as_str(), "na")],
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("data-answered=\"3\""));
    // Changed again: the last answer counts.
    let r = save(
        &app,
        &cookie,
        school,
        &keys[1],
        &[("_csrf", csrf.as_str()), (res1.as_str(), "fail")],
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // The page is lost; opened again (by another account of the school, too) it shows every
    // saved answer and counts them.
    for who in [user.clone(), user.replace(".safety", ".principal")] {
        let c = sign_in(&app, &who).await;
        let html = page(&app, &form_path(school), &c).await;
        assert!(checked(&html, &keys[0], "fail"), "{who}");
        assert!(checked(&html, &keys[1], "fail"));
        assert!(checked(&html, &keys[2], "na"));
        assert!(!checked(&html, &keys[3], "pass"));
        assert!(html.contains("灭火器压力不足</textarea>"));
        assert!(html.contains("门锁松动</textarea>"));
        assert_eq!(text_of(&html, "ck-done"), "3");
        assert_eq!(text_of(&html, "ck-total"), ids.len().to_string());
    }

    // Every save is audited, with the point and the result.
    let audit = app.audit("action=inspection.draft_save").await;
    assert_eq!(audit.len(), 5, "{audit:?}");
    assert!(audit.iter().any(
        |e| e["object_id"].as_str() == Some(ids[0].to_string().as_str())
            && e["detail"].as_str().unwrap_or("").contains("result=fail")
    ));

    // The final submission still checks everything: a failed row without a note is refused
    // (the saved answers stay), then the whole form goes in and the saved answers go with it.
    let note1 = format!("note_{}", keys[1]);
    let action = format!("/schools/{school}/inspections/new?_csrf={}", csrf_of(&html));
    let r = app
        .post_multipart(
            &action,
            &cookie,
            &[
                ("kind", "half_month"),
                (res0.as_str(), "fail"),
                (res1.as_str(), "fail"),
                (note1.as_str(), ""),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("不合格项须填写问题说明"));
    let html = page(&app, &form_path(school), &cookie).await;
    assert_eq!(text_of(&html, "ck-done"), "3", "still saved");
    let r = app
        .post_multipart(
            &action,
            &cookie,
            &[
                ("kind", "half_month"),
                (res0.as_str(), "fail"),
                (note0.as_str(), "灭火器压力不足"),
                (res1.as_str(), "pass"),
                (res2.as_str(), "na"),
                (note2.as_str(), "门锁松动"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.header("location").starts_with("/inspections/"));
    // Submitted: the form says so, saves nothing more one by one, and shows no saved answer.
    let html = page(&app, &form_path(school), &cookie).await;
    assert!(html.contains("id=\"already-submitted\""));
    assert!(!html.contains("hx-post="));
    assert!(!checked(&html, &keys[0], "fail"));
    assert_eq!(text_of(&html, "ck-done"), "0");
}

#[tokio::test]
async fn a_submitted_half_month_is_409_with_its_message() {
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    let ids = app.half_month_points(school).await;
    if !submitted(&mut app, school).await {
        let t = app.login("s001.safety").await;
        let items: Vec<Value> = ids
            .iter()
            .map(|i| json!({"risk_point_id": i, "result": "pass"}))
            .collect();
        let r = app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{school}/inspections"),
                Some(&t),
                &json!({"kind": "half_month", "items": items}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let cookie = sign_in(&app, "s001.safety").await;
    let html = page(&app, &form_path(school), &cookie).await;
    let csrf = csrf_of(&html);
    let key = format!("p{}", ids[0]);
    let res = format!("res_{key}");
    let fields = [("_csrf", csrf.as_str()), (res.as_str(), "pass")];
    // htmx: the row's mark says why, with the status.
    let r = save(&app, &cookie, school, &key, &fields, true).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let frag = r.text();
    assert!(frag.contains("ck-unsaved"));
    assert!(frag.contains("本半月的自查已经提交"), "{frag}");
    // Without htmx: the error page, the same status.
    let r = save(&app, &cookie, school, &key, &fields, false).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.text().contains("本半月的自查已经提交"));
    // In English too.
    let body = serde_urlencoded::to_string(fields).unwrap();
    let h = [
        ("cookie", cookie.as_str()),
        ("hx-request", "true"),
        ("accept-language", "en"),
    ];
    let r = app
        .request(
            Method::POST,
            &format!("/schools/{school}/inspections/new/items/{key}"),
            None,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &h,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("already submitted"), "{}", r.text());
    assert!(
        app.audit("action=inspection.draft_save&result=ok")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn another_schools_form_is_404_and_a_row_not_on_the_checklist_is_422() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let n001 = app.org_id("N001").await;
    let n_points = app.half_month_points(n001).await;
    let cookie = sign_in(&app, "s001.safety").await;
    let html = page(
        &app,
        &format!("/schools/{s001}/inspections/new?kind=daily"),
        &cookie,
    )
    .await;
    let csrf = csrf_of(&html);
    // Another district's school: not found, with htmx or without; nothing stored.
    let key = format!("p{}", n_points[0]);
    let res = format!("res_{key}");
    for hx in [true, false] {
        let r = save(
            &app,
            &cookie,
            n001,
            &key,
            &[("_csrf", csrf.as_str()), (res.as_str(), "pass")],
            hx,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    }
    // The refusal is audited.
    let audit = app.audit("action=inspection.draft_save").await;
    assert!(!audit.is_empty());
    assert!(audit.iter().all(|e| e["result"] != "ok"), "{audit:?}");
    // A school of the caller's district it does not belong to: not found either.
    let s002 = app.org_id("S002").await;
    let r = save(
        &app,
        &cookie,
        s002,
        &key,
        &[("_csrf", csrf.as_str()), (res.as_str(), "pass")],
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Rows of the own school's form only: another school's point, a made-up key, an unknown
    // result and a too long note are 422 (a school whose half-month is still open).
    let (school, user) = open_school(&mut app).await;
    let own = app.half_month_points(school).await;
    let other = if school == n001 { s001 } else { n001 };
    let foreign = app.half_month_points(other).await;
    let cookie = sign_in(&app, &user).await;
    let html = page(&app, &form_path(school), &cookie).await;
    let csrf = csrf_of(&html);
    let fk = format!("p{}", foreign[0]);
    let ok = format!("p{}", own[0]);
    let long = "长".repeat(2001);
    let cases: Vec<(String, Fields, &str)> = vec![
        (
            fk.clone(),
            vec![(format!("res_{fk}"), "pass".into())],
            "该风险点不属于本校或已停用",
        ),
        (
            "p0".into(),
            vec![("res_p0".into(), "pass".into())],
            "该风险点不属于本校或已停用",
        ),
        (
            "x1".into(),
            vec![("res_x1".into(), "pass".into())],
            "该风险点不属于本校或已停用",
        ),
        (
            ok.clone(),
            vec![(format!("res_{ok}"), "maybe".into())],
            "结果应为",
        ),
        (
            ok.clone(),
            vec![(format!("note_{ok}"), long.clone())],
            "内容过长",
        ),
    ];
    for (key, fields, msg) in cases {
        let mut f: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        f.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let r = save(&app, &cookie, school, &key, &f, true).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{key}: {}",
            r.text()
        );
        assert!(r.text().contains(msg), "{key}: {}", r.text());
        assert!(r.text().contains("ck-unsaved"));
        let r = save(&app, &cookie, school, &key, &f, false).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}");
    }
    // Nothing was saved.
    let html = page(&app, &form_path(school), &cookie).await;
    assert_eq!(text_of(&html, "ck-done"), "0");
}

#[tokio::test]
async fn a_save_without_the_csrf_token_is_refused() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let ids = app.half_month_points(s001).await;
    let cookie = sign_in(&app, "s001.safety").await;
    let key = format!("p{}", ids[0]);
    let res = format!("res_{key}");
    for fields in [
        vec![(res.as_str(), "pass")],
        vec![("_csrf", "not-the-token"), (res.as_str(), "pass")],
    ] {
        let r = save(&app, &cookie, s001, &key, &fields, true).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    }
    // The token in the header (as htmx may send it) is accepted like the field.
    let html = page(&app, &form_path(s001), &cookie).await;
    let csrf = csrf_of(&html);
    let body = serde_urlencoded::to_string([(res.as_str(), "pass")]).unwrap();
    let h = [
        ("cookie", cookie.as_str()),
        ("hx-request", "true"),
        ("x-csrf-token", csrf.as_str()),
    ];
    let r = app
        .request(
            Method::POST,
            &format!("/schools/{s001}/inspections/new/items/{key}"),
            None,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &h,
        )
        .await;
    let expected = if submitted(&mut app, s001).await {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    assert_eq!(r.status, expected, "{}", r.text());
}

#[tokio::test]
async fn the_other_forms_do_not_save_one_by_one() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let cookie = sign_in(&app, "s001.safety").await;
    for kind in ["daily", "weekly"] {
        let html = page(
            &app,
            &format!("/schools/{s001}/inspections/new?kind={kind}"),
            &cookie,
        )
        .await;
        assert!(!html.contains("hx-post="), "{kind}");
        assert!(!html.contains("id=\"autosave-hint\""), "{kind}");
    }
}
