//! The audit page's purge form (T-LG-5 on the page): only the audit admin gets it; a date,
//! then a confirmation step that counts what will be archived and removed (nothing is written
//! before it is confirmed), then the purge, whose result the page names (count, archive file).
//! The 184-day floor, a missing archive directory, a bad date and a wrong CSRF token are
//! refused on the page with the date kept, and remove nothing. SQLite and PostgreSQL
//! (`SAFECAMPUS_TEST_DB=postgres`).

mod common;

use axum::http::{Method, StatusCode};
use chrono::Duration;
use common::audit::{CHANGED, OLD, YOUNG, fixture, history_left, int};
use common::{Resp, TestApp};

const FORM: &str = "application/x-www-form-urlencoded";
/// A page session through the sign-in form: the cookie (with `lang`) and the CSRF token of
/// `/audit` (of the password page for a role that may not read the audit log).
async fn session(app: &TestApp, user: &str, lang: &str) -> (String, String) {
    let body = serde_urlencoded::to_string([("username", user), ("password", CHANGED)]).unwrap();
    let r = app
        .request(
            Method::POST,
            "/login",
            None,
            Some(FORM),
            body.into_bytes(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let session = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sc_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let cookie = format!("{session}; lang={lang}");
    let page = get(app, "/audit", &cookie).await;
    let page = if page.status == StatusCode::OK {
        page
    } else {
        get(app, "/account/password", &cookie).await
    };
    (cookie, TestApp::form_token(&page.text()))
}

async fn get(app: &TestApp, path: &str, cookie: &str) -> Resp {
    app.request(Method::GET, path, None, None, vec![], &[("cookie", cookie)])
        .await
}

async fn post(app: &TestApp, cookie: &str, pairs: &[(&str, &str)]) -> Resp {
    let body = serde_urlencoded::to_string(pairs).unwrap().into_bytes();
    app.request(
        Method::POST,
        "/audit/purge",
        None,
        Some(FORM),
        body,
        &[("cookie", cookie)],
    )
    .await
}

/// A China date `days` days ago, as the date field sends it.
fn days_ago(days: i64) -> String {
    (safecampus::clock::today() - Duration::days(days)).to_string()
}

#[tokio::test]
async fn the_audit_admin_confirms_the_count_then_purges_and_sees_what_was_archived() {
    let f = fixture(true).await;
    let (cookie, csrf) = session(&f.app, "auditor", "zh-CN").await;
    let page = get(&f.app, "/audit", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("id=\"audit-purge\""), "the form is offered");
    assert!(html.contains("归档并清理过期审计日志"), "{html}");
    assert!(html.contains("name=\"before\""));

    // The confirmation step counts the old stretch and writes nothing.
    let before = days_ago(200);
    let first = int(&f.conn, "SELECT MIN(id) FROM audit_log").await;
    // Every view of the log is itself audited (`audit.read`); nothing else may be written.
    let unread = "SELECT COUNT(*) FROM audit_log WHERE action <> 'audit.read'";
    let entries = int(&f.conn, unread).await;
    let r = post(&f.app, &cookie, &[("_csrf", &csrf), ("before", &before)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    let want = format!(
        "将把 {before} 之前的 {OLD} 条审计记录（第 {first} 至第 {} 条",
        first + OLD - 1
    );
    assert!(html.contains(&want), "{want} in {html}");
    assert!(html.contains("id=\"purge-confirm\""), "the confirm button");
    assert!(html.contains(&format!("name=\"before\" value=\"{before}\"")));
    assert_eq!(
        int(&f.conn, unread).await,
        entries,
        "the confirmation step writes nothing but the record of its reading"
    );

    // Confirmed: archived and removed, and the page says how many and where.
    let r = post(
        &f.app,
        &cookie,
        &[("_csrf", &csrf), ("before", &before), ("confirm", "1")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    let file = format!("audit-archive-{first}-{}.jsonl", first + OLD - 1);
    let want = format!(
        "已归档并清理 {OLD} 条审计记录（至第 {} 条），归档文件：{file}",
        first + OLD - 1
    );
    assert!(html.contains(&want), "{want} in {html}");
    assert_eq!(history_left(&f).await, YOUNG);
    let archived = std::fs::read_to_string(f.archive.as_ref().unwrap().join(&file)).expect("file");
    assert_eq!(archived.lines().count() as i64, OLD);
    let purges = int(
        &f.conn,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'audit.purge' AND result = 'ok' \
         AND username = 'auditor'",
    )
    .await;
    assert_eq!(purges, 1, "the purge is audited");
    assert!(html.contains("id=\"chain-state\""));
    assert!(
        html.contains("审计日志哈希链校验通过"),
        "the chain still verifies"
    );

    // Again: nothing is left to purge, and the page says so.
    let r = post(&f.app, &cookie, &[("_csrf", &csrf), ("before", &before)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("id=\"purge-nothing\""), "{}", r.text());
    assert!(!r.text().contains("id=\"purge-confirm\""));

    // In English.
    let (cookie, csrf) = session(&f.app, "auditor", "en").await;
    let r = post(&f.app, &cookie, &[("_csrf", &csrf), ("before", &before)]).await;
    assert!(
        r.text().contains(&format!(
            "There are no audit entries from before {before} to purge"
        )),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn refusals_are_shown_on_the_page_with_the_date_kept_and_remove_nothing() {
    let f = fixture(true).await;
    let (cookie, csrf) = session(&f.app, "auditor", "zh-CN").await;
    // Under the 184-day floor: 422 on both steps, with the law's reason and the date kept.
    let young = days_ago(150);
    for confirm in ["", "1"] {
        let r = post(
            &f.app,
            &cookie,
            &[("_csrf", &csrf), ("before", &young), ("confirm", confirm)],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let html = r.text();
        assert!(html.contains("id=\"purge-error\""), "{html}");
        assert!(html.contains("审计日志至少保存 184 天"), "{html}");
        assert!(
            html.contains(&format!("id=\"purge-before\" value=\"{young}\"")),
            "{html}"
        );
    }
    // The edge: 183 days ago is refused, 185 days ago is not.
    let r = post(
        &f.app,
        &cookie,
        &[("_csrf", &csrf), ("before", &days_ago(183))],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &f.app,
        &cookie,
        &[("_csrf", &csrf), ("before", &days_ago(185))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // No date, or not a date.
    for bad in ["", "2024-13-45", "yesterday"] {
        let r = post(&f.app, &cookie, &[("_csrf", &csrf), ("before", bad)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.text().contains("请选择一个日期"), "{bad}: {}", r.text());
    }
    // A wrong CSRF token.
    let old = days_ago(200);
    let r = post(
        &f.app,
        &cookie,
        &[("_csrf", "forged"), ("before", &old), ("confirm", "1")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // In English, the floor's reason in English.
    let (en, en_csrf) = session(&f.app, "auditor", "en").await;
    let r = post(&f.app, &en, &[("_csrf", &en_csrf), ("before", &young)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("The audit log is kept at least 184 days"),
        "{}",
        r.text()
    );
    assert_eq!(history_left(&f).await, OLD + YOUNG, "nothing was removed");
}

#[tokio::test]
async fn without_an_archive_directory_the_page_says_so_and_nothing_is_purged() {
    let f = fixture(false).await;
    let (cookie, csrf) = session(&f.app, "auditor", "zh-CN").await;
    let before = days_ago(200);
    for confirm in ["", "1"] {
        let r = post(
            &f.app,
            &cookie,
            &[("_csrf", &csrf), ("before", &before), ("confirm", confirm)],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let html = r.text();
        assert!(html.contains("未配置审计归档目录"), "{html}");
        assert!(html.contains(&format!("value=\"{before}\"")), "{html}");
        assert!(!html.contains("id=\"purge-confirm\""));
    }
    assert_eq!(history_left(&f).await, OLD + YOUNG);
}

#[tokio::test]
async fn only_the_audit_admin_gets_the_form_and_the_route() {
    let f = fixture(true).await;
    let (cookie, csrf) = session(&f.app, "secguy", "zh-CN").await;
    let r = get(&f.app, "/audit", &cookie).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.text().contains("id=\"audit-purge\""));
    let before = days_ago(200);
    for confirm in ["", "1"] {
        let r = post(
            &f.app,
            &cookie,
            &[("_csrf", &csrf), ("before", &before), ("confirm", confirm)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    }
    assert_eq!(history_left(&f).await, OLD + YOUNG);
    let denied = int(
        &f.conn,
        "SELECT COUNT(*) FROM audit_log WHERE username = 'secguy' AND result LIKE 'denied%'",
    )
    .await;
    assert!(denied >= 2, "the refusals are audited ({denied})");
    // Signed out: to the sign-in page, nothing purged.
    let r = post(&f.app, "", &[("before", &before), ("confirm", "1")]).await;
    assert!(
        r.status == StatusCode::SEE_OTHER
            || r.status == StatusCode::UNAUTHORIZED
            || r.status == StatusCode::FORBIDDEN,
        "{}",
        r.status
    );
    assert_eq!(history_left(&f).await, OLD + YOUNG);
}
