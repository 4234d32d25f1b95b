//! The 404 page keeps the navigation: a signed-in caller who asks for something out of scope,
//! or for a path no route serves, gets the error page inside the menu frame, in Chinese and in
//! English; without a session the page is the bare 404 (nobody is sent to sign in for a path
//! that does not exist), and the API answers with its envelope. The menu names what each entry
//! opens (自查与检查 for the self-inspections, 隐患治理 for the hazards).

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, expect};

fn menu(html: &str) -> &str {
    let Some(at) = html.find("<nav class=\"menu\"") else {
        return "";
    };
    let rest = &html[at..];
    &rest[..rest.find("</nav>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_404_page_keeps_the_menu_in_both_languages() {
    let mut app = TestApp::new().await;
    let s002 = app.org_id("S002").await;
    let t = app.login("s001.principal").await;

    // Out of scope: the school page of another school.
    let r = app.get(&format!("/schools/{s002}"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let html = r.text();
    assert!(html.contains("id=\"error-message\""));
    assert!(html.contains("未找到"));
    let nav = menu(&html);
    assert!(
        nav.contains("href=\"/hazards\""),
        "the menu is kept: {html}"
    );
    assert!(
        nav.contains(">隐患治理<") && nav.contains(">自查与检查<"),
        "{nav}"
    );
    assert!(!nav.contains(">隐患排查<"), "{nav}");
    assert!(html.contains("id=\"current-user\""));
    assert!(
        !nav.contains("class=\"active\""),
        "no entry is marked as the page"
    );

    // A path no route serves, in English.
    let en = [("accept-language", "en")];
    let r = app
        .request(Method::GET, "/no-such-page", Some(&t), None, vec![], &en)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let html = r.text();
    let nav = menu(&html);
    assert!(nav.contains(">Hazards<"), "{nav}");
    assert!(nav.contains(">Self-inspections &#38; checks<"), "{nav}");
    assert!(html.contains("404"));
    assert!(html.contains("lang=\"en\""));

    // Without a session: the bare 404 page, no menu, no sign-in redirect.
    let r = app.get("/no-such-page", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(menu(&r.text()).is_empty() || !menu(&r.text()).contains("href=\"/hazards\""));
    assert!(r.text().contains("id=\"error-message\""));

    // The API keeps its envelope, with or without a token.
    expect(&app.get("/api/v1/no-such", None).await, 404, "not_found");
    expect(
        &app.get("/api/v1/no-such", Some(&t)).await,
        404,
        "not_found",
    );
    // A write to an unknown path with a token is a 404 too (not a CSRF or method error).
    let r = app
        .json(
            Method::POST,
            "/api/v1/no-such",
            Some(&t),
            &serde_json::json!({}),
        )
        .await;
    expect(&r, 404, "not_found");
}
