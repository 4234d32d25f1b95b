//! Behind a reverse proxy: the client address comes from `X-Forwarded-For` only when the
//! socket's peer is a configured trusted proxy, and then from the nearest hop the proxy
//! added (what the client wrote further left proves nothing); the sign-in pause per address
//! then falls on the client, not on everyone behind the proxy, and a client that talks to
//! the platform directly cannot escape its pause by writing the header.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, TestApp};
use safecampus::config::Config;
use std::net::SocketAddr;
use tower::ServiceExt;

const PROXY: [u8; 4] = [10, 0, 0, 1];
const DIRECT: [u8; 4] = [10, 0, 0, 9];

async fn login(
    app: &TestApp,
    peer: [u8; 4],
    xff: Option<&str>,
    user: &str,
    pw: &str,
) -> StatusCode {
    let body = serde_json::json!({"username": user, "password": pw}).to_string();
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(x) = xff {
        b = b.header("x-forwarded-for", x);
    }
    let mut req = b.body(Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((peer, 40_000))));
    app.router.clone().oneshot(req).await.unwrap().status()
}

async fn app() -> TestApp {
    let mut c = Config::default();
    c.security.trusted_proxies = vec!["10.0.0.1".parse().unwrap()];
    c.security.address_max_failures = 3;
    TestApp::with_config(c).await
}

/// Three failed sign-ins on three accounts from `peer` (as `xff`): the address is paused.
async fn pause(app: &TestApp, peer: [u8; 4], xff: Option<&str>) {
    for user in ["s001.staff", "s001.guard", "s001.safety"] {
        assert_eq!(
            login(app, peer, xff, user, "Wrong#Pass2021").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login(app, peer, xff, "s001.principal", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is paused"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_pause_falls_on_the_client() {
    let app = app().await;
    pause(&app, PROXY, Some("203.0.113.5")).await;
    // Another client behind the same proxy signs in.
    assert_eq!(
        login(&app, PROXY, Some("203.0.113.6"), "s001.principal", PASSWORD).await,
        StatusCode::OK
    );
    // What the paused client writes on the left of the chain does not free it.
    assert_eq!(
        login(
            &app,
            PROXY,
            Some("198.51.100.1, 203.0.113.5"),
            "s001.principal",
            PASSWORD
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_direct_client_cannot_escape_its_pause_with_the_header() {
    let app = app().await;
    pause(&app, DIRECT, Some("203.0.113.7")).await;
    assert_eq!(
        login(
            &app,
            DIRECT,
            Some("203.0.113.8"),
            "s001.principal",
            PASSWORD
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS,
        "the header of an untrusted peer is ignored"
    );
    // The proxy's own clients are not affected by the direct client's pause.
    assert_eq!(
        login(&app, PROXY, Some("203.0.113.9"), "s001.principal", PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn without_trusted_proxies_the_header_means_nothing() {
    let mut c = Config::default();
    c.security.address_max_failures = 3;
    let app = TestApp::with_config(c).await;
    pause(&app, PROXY, Some("203.0.113.5")).await;
    assert_eq!(
        login(&app, PROXY, Some("203.0.113.6"), "s001.principal", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "every client of an untrusted proxy shares its address"
    );
}
