//! T-IN-3: the security headers are on every response, whatever answered it — every GET route
//! of the route table (its ids filled with the demo's own values where it has none, and with an
//! id that does not exist) as anonymous, as a bureau officer's API token and as a principal's
//! browser session, plus the answers that come from the edges of the stack: an unknown path,
//! a wrong method, a body that does not parse, a body over the limit, a static asset, a
//! refused cross-site form. Each answer carries the CSP with `frame-ancestors 'none'` and
//! `script-src 'self'`, `nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy`, no `Server`
//! header, a content type (with `charset=utf-8` for text) when it has a body, and
//! `Cache-Control: no-store` unless it is a content-hashed static file found (`immutable`).

mod common;
use axum::http::{Method, StatusCode};
use common::{Resp, TestApp};

const FORM: &str = "application/x-www-form-urlencoded";

/// What is wrong with one answer's headers (empty: nothing).
fn problems(r: &Resp, what: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut bad = |m: String| out.push(format!("{what} ({}): {m}", r.status));
    let csp = r.header("content-security-policy");
    if csp != safecampus::web::security::CSP
        || !csp.contains("frame-ancestors 'none'")
        || !csp.contains("script-src 'self'")
    {
        bad(format!("CSP {csp:?}"));
    }
    for (h, want) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ] {
        if r.header(h) != want {
            bad(format!("{h}: {:?}", r.header(h)));
        }
    }
    if r.headers.contains_key("server") || r.headers.contains_key("x-powered-by") {
        bad("names the server".into());
    }
    let ct = r.header("content-type");
    if !r.body.is_empty() && ct.is_empty() {
        bad("a body without a content type".into());
    }
    if ct.starts_with("text/") && !ct.to_ascii_lowercase().contains("charset=utf-8") {
        bad(format!("text without its charset: {ct:?}"));
    }
    let cache = r.header("cache-control");
    if what.starts_with("/static/") && r.status.is_success() {
        if !cache.contains("immutable") {
            bad(format!("static file cache-control {cache:?}"));
        }
    } else if cache != "no-store" {
        bad(format!("cache-control {cache:?}"));
    }
    out
}

/// The route's path with every `{…}` replaced by `id`.
fn fill(path: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str(id);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let mut app = TestApp::new().await;
    let token = app.login("bureau.officer").await;
    let cookie = app.page_cookie("s001.principal").await;
    let school = app.org_id("S001").await.to_string();
    let routes: Vec<&'static str> = app
        .routes
        .iter()
        .filter(|r| r.method == Method::GET)
        .map(|r| r.path)
        // The live streams never end; their headers are the same middleware's.
        .filter(|p| !p.contains("stream"))
        .collect();
    assert!(routes.len() > 100, "{}", routes.len());

    let mut found = Vec::new();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let mut calls = 0usize;
    for path in &routes {
        let mut paths = vec![fill(path, "999999999")];
        if path.contains('{') {
            paths.push(fill(path, &school));
        }
        for p in paths {
            for (who, extra) in [
                ("anonymous", vec![]),
                ("token", vec![("authorization", format!("Bearer {token}"))]),
                ("cookie", vec![("cookie", cookie.clone())]),
            ] {
                let headers: Vec<(&str, &str)> =
                    extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let r = app
                    .request(Method::GET, &p, None, None, vec![], &headers)
                    .await;
                calls += 1;
                *statuses.entry(r.status.as_u16()).or_default() += 1;
                found.extend(problems(&r, &format!("{p} as {who}")));
            }
        }
    }

    // The edges: no route, a wrong method, a body that does not parse, one over the limit, a
    // form from another site, a static file the pages link to.
    let json = Some("application/json");
    let edges = [
        ("/no/such/page", Method::GET, None, vec![], vec![]),
        ("/api/v1/no-such-thing", Method::GET, None, vec![], vec![]),
        ("/api/v1/me", Method::DELETE, None, vec![], vec![]),
        (
            "/api/v1/auth/login",
            Method::POST,
            json,
            b"{".to_vec(),
            vec![],
        ),
        (
            "/api/v1/auth/login",
            Method::POST,
            json,
            vec![b' '; 64 * 1024 * 1024],
            vec![],
        ),
        (
            "/login",
            Method::POST,
            Some(FORM),
            b"username=a&password=b".to_vec(),
            vec![("sec-fetch-site", "cross-site")],
        ),
    ];
    for (p, m, ct, body, extra) in edges {
        let r = app.request(m.clone(), p, None, ct, body, &extra).await;
        calls += 1;
        *statuses.entry(r.status.as_u16()).or_default() += 1;
        found.extend(problems(&r, &format!("{m} {p}")));
    }
    let page = app.get("/login", None).await.text();
    let assets: Vec<String> = page
        .split('"')
        .filter(|s| s.starts_with("/static/"))
        .map(str::to_string)
        .collect();
    assert!(!assets.is_empty(), "the sign-in page links its assets");
    for a in &assets {
        let r = app.get(a, None).await;
        assert_eq!(r.status, StatusCode::OK, "{a}");
        calls += 1;
        found.extend(problems(&r, a));
    }

    // Answers of every kind were seen, not only one.
    for s in [200u16, 303, 401, 403, 404, 413, 422] {
        assert!(statuses.contains_key(&s), "no {s} among {statuses:?}");
    }
    assert!(calls > 600, "{calls} answers");
    assert!(found.is_empty(), "{} problems: {found:#?}", found.len());
}
