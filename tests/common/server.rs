//! The platform's real binary as a server of its own (for the crash and backup drills), and a
//! plain HTTP client to drive it.

use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub type Http = Client<HttpConnector, Full<bytes::Bytes>>;

/// A client for loopback HTTP.
pub fn http() -> Http {
    Client::builder(TokioExecutor::new()).build_http()
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("local addr").port()
}

/// A configuration for a drill's server beside `dir`: no second factor, no jobs.
pub fn config(dir: &Path) -> std::path::PathBuf {
    let conf = dir.join("serve.toml");
    std::fs::write(
        &conf,
        "public_url = \"http://x\"\n[security]\nmfa_required_roles = []\n[jobs]\nenabled = false\n",
    )
    .expect("config");
    conf
}

/// The platform's binary serving `url` on `port`, its output to a log beside the config.
pub fn spawn(conf: &Path, url: &str, port: u16) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(conf.with_extension("log"))
        .expect("log file");
    Command::new(env!("CARGO_BIN_EXE_safecampus"))
        .args(["--config", conf.to_str().unwrap(), "serve"])
        .env("SAFECAMPUS_DATABASE_URL", url)
        .env("SAFECAMPUS_LISTEN", format!("127.0.0.1:{port}"))
        .env("SAFECAMPUS_MQTT_ENABLED", "0")
        .env("SAFECAMPUS_FIELD_KEY", super::FIELD_KEY)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("start the server")
}

/// Waits until `/readyz` answers 200; the time it took.
pub async fn ready(http: &Http, port: u16, child: &mut Child, conf: &Path) -> Duration {
    let start = Instant::now();
    loop {
        let req = http::Request::get(format!("http://127.0.0.1:{port}/readyz"))
            .body(Full::default())
            .unwrap();
        if let Ok(Ok(r)) = tokio::time::timeout(Duration::from_secs(1), http.request(req)).await
            && r.status() == 200
        {
            return start.elapsed();
        }
        if let Ok(Some(st)) = child.try_wait() {
            let log = std::fs::read_to_string(conf.with_extension("log")).unwrap_or_default();
            panic!("the server exited ({st}):\n{log}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the server did not get ready"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One JSON write (with an `Idempotency-Key` when `key` is not empty): status and body, or
/// `None` when no answer came (refused, cut, timed out).
pub async fn post(
    http: &Http,
    port: u16,
    path: &str,
    token: Option<&str>,
    key: &str,
    body: &Value,
) -> Option<(u16, Value)> {
    let mut req = http::Request::post(format!("http://127.0.0.1:{port}{path}"))
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if !key.is_empty() {
        req = req.header("idempotency-key", key);
    }
    let req = req.body(Full::from(body.to_string())).unwrap();
    let res = tokio::time::timeout(Duration::from_secs(10), http.request(req))
        .await
        .ok()?
        .ok()?;
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.ok()?.to_bytes();
    Some((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

/// The suite's PostgreSQL databases commit without waiting for the disk, which `serve`
/// refuses (T-DU-1): a drill's database is made durable first (a no-op on SQLite).
pub async fn durable_commits(raw: &sea_orm::DatabaseConnection) {
    use sea_orm::ConnectionTrait;
    if raw.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let name: String = raw
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT current_database() AS name",
        ))
        .await
        .expect("name")
        .expect("row")
        .try_get("", "name")
        .expect("name");
    raw.execute_unprepared(&format!(
        "ALTER DATABASE \"{name}\" SET synchronous_commit = on"
    ))
    .await
    .expect("durable commits");
}
