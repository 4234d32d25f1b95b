//! Baseline A of `scripts/bench.sh`: a bare axum 0.8 server on the same tokio multi-thread
//! runtime as the platform (one worker per core), answering a small JSON from memory on every
//! path. What the framework, hyper and the loopback cost, with no database, no session, no
//! middleware.
//!
//! ```text
//! cargo run --release --example bench_baseline -- 127.0.0.1:18080
//! ```

use axum::http::header;
use axum::response::IntoResponse;

/// About the size of a short API answer (one school's reference).
const BODY: &str = r#"{"id":7,"code":"S001","name":"第一实验小学","kind":"school","status":"ok"}"#;

async fn answer() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], BODY)
}

fn main() {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18080".to_string());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async move {
        let app = axum::Router::new().fallback(answer);
        let listener = match tokio::net::TcpListener::bind(&listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("bench_baseline: cannot listen on {listen}: {e}");
                std::process::exit(2);
            }
        };
        eprintln!("bench_baseline: serving on {listen}");
        let stop = async {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
            }
        };
        axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
            .expect("serve");
    });
}
