//! The API documentation page: served by the binary to signed-in users, with the vendored
//! Swagger UI and the platform's own OpenAPI document; nothing from outside.

mod common;

use axum::http::StatusCode;
use common::TestApp;

fn attr_after<'a>(html: &'a str, marker: &str) -> &'a str {
    let i = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"));
    let rest = &html[i + marker.len()..];
    &rest[..rest.find('"').expect("closing quote")]
}

#[tokio::test]
async fn signed_in_users_get_the_api_documentation_with_its_vendored_viewer() {
    let mut app = TestApp::new().await;
    let anon = app.get("/docs/api", None).await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER, "anonymous → sign-in");

    for user in ["s001.guard", "bureau.officer", "auditadmin"] {
        let t = app.login(user).await;
        let r = app.get("/docs/api", Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{user}: {}", r.text());
        let html = r.text();
        assert!(html.contains("接口文档"), "Chinese title for {user}");
        assert!(html.contains("data-spec=\"/api/v1/openapi.json\""));
        assert!(!html.contains("http://") && !html.contains("https://"));
        // Every script and style of the page is served by the binary.
        for marker in [
            "<script src=\"/static/",
            "<link rel=\"stylesheet\" href=\"/static/",
        ] {
            let mut rest = html.as_str();
            let mut n = 0;
            while let Some(i) = rest.find(marker) {
                let tail = &rest[i..];
                let url = attr_after(
                    tail,
                    if marker.starts_with("<script") {
                        "src=\""
                    } else {
                        "href=\""
                    },
                );
                let a = app.get(url, None).await;
                assert_eq!(a.status, StatusCode::OK, "{url}");
                assert!(!a.body.is_empty(), "{url}");
                rest = &tail[marker.len()..];
                n += 1;
            }
            assert!(n >= 2, "{marker}: {n} on the page");
        }
        assert!(html.contains("swagger-ui-bundle.js") && html.contains("swagger-ui.css"));
    }
    // The footer of every page links to it for signed-in users.
    let t = app.login("bureau.officer").await;
    let home = app.get("/hazards", Some(&t)).await;
    assert!(home.text().contains("href=\"/docs/api\""));
}

/// Page forms with photos carry the CSRF token in their action URL; a page drawn in answer
/// never repeats it in its links (the language switch's `next=`).
#[tokio::test]
async fn the_csrf_token_is_not_repeated_in_page_links() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let r = app
        .get("/docs/api?tab=1&_csrf=TOKEN-MARKER-123", Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("/lang/en?next="),
        "the language switch is there"
    );
    assert!(
        !html.contains("TOKEN-MARKER-123"),
        "the token is not repeated"
    );
    assert!(html.contains("tab%3D1"), "the other parameters are kept");
}
