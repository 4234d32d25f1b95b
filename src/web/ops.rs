//! Operations: health, readiness, Prometheus metrics, request spans.

use super::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
pub async fn readyz(State(st): State<AppState>) -> Response {
    if st.ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// Installs the Prometheus recorder once per process (tests start many apps), with its upkeep:
/// histogram samples are drained every few seconds on the running runtime, so the recorder's
/// memory stays bounded whether or not anyone scrapes `/metrics`.
pub fn install_metrics() -> PrometheusHandle {
    static H: OnceLock<PrometheusHandle> = OnceLock::new();
    H.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .install_recorder()
            .expect("the only metrics recorder");
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let h = handle.clone();
            rt.spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
                loop {
                    every.tick().await;
                    h.run_upkeep();
                }
            });
        }
        handle
    })
    .clone()
}

/// Prometheus metrics, for the scraper holding `[ops] metrics_token` only: without the
/// right `Authorization: Bearer …` the answer is 401; with no token configured the endpoint is
/// off (404), so an installation never publishes its metrics by default.
pub async fn metrics(State(st): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(expected) = st
        .config()
        .ops
        .metrics_token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    if !token_eq(given, expected) {
        return (
            StatusCode::UNAUTHORIZED,
            [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
            "unauthorized",
        )
            .into_response();
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        install_metrics().render(),
    )
        .into_response()
}

/// Compares the two tokens in time independent of where they differ (hashes of equal length).
fn token_eq(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Counts requests and their latency by route pattern (never by raw path: ids are not labels).
pub async fn track(State(route): State<&'static str>, req: Request, next: Next) -> Response {
    let method = static_method(req.method());
    let start = Instant::now();
    let res = next.run(req).await;
    // Labels are static strings: no allocation per request for them.
    let status = status_code(res.status());
    metrics::counter!("http_requests_total", "method" => method, "route" => route, "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

fn static_method(m: &axum::http::Method) -> &'static str {
    use axum::http::Method as M;
    match *m {
        M::GET => "GET",
        M::POST => "POST",
        M::PUT => "PUT",
        M::PATCH => "PATCH",
        M::DELETE => "DELETE",
        M::HEAD => "HEAD",
        M::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The status code's digits as a label, from a table of the codes the server answers.
fn status_code(s: StatusCode) -> metrics::SharedString {
    const CODES: [(u16, &str); 17] = [
        (200, "200"),
        (201, "201"),
        (204, "204"),
        (301, "301"),
        (302, "302"),
        (303, "303"),
        (304, "304"),
        (400, "400"),
        (401, "401"),
        (403, "403"),
        (404, "404"),
        (405, "405"),
        (409, "409"),
        (413, "413"),
        (422, "422"),
        (429, "429"),
        (500, "500"),
    ];
    match CODES.iter().find(|(c, _)| *c == s.as_u16()) {
        Some((_, t)) => metrics::SharedString::const_str(t),
        None => s.as_u16().to_string().into(),
    }
}

/// Request ids: a random prefix drawn once per process and a counter — unique across
/// instances and restarts without a random draw (a system call) per request.
#[derive(Clone, Copy, Debug, Default)]
pub struct MakeRequestId;

impl tower_http::request_id::MakeRequestId for MakeRequestId {
    fn make_request_id<B>(
        &mut self,
        _: &axum::http::Request<B>,
    ) -> Option<tower_http::request_id::RequestId> {
        static PREFIX: OnceLock<String> = OnceLock::new();
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let prefix = PREFIX.get_or_init(|| format!("{:016x}", rand::random::<u64>()));
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("{prefix}-{n:08x}");
        axum::http::HeaderValue::from_str(&id)
            .ok()
            .map(tower_http::request_id::RequestId::new)
    }
}

/// The span of a request: method, route pattern and request id; never headers or bodies.
pub fn span(req: &Request) -> tracing::Span {
    let path = req.uri().path();
    let rid = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %req.method(), path, request_id = rid)
}
