//! The early warning's benchmark (run by `scripts/bench.sh`, not part of CI):
//!
//! - `raw`: the baseline — the same event rows the ingest stores (device, school, event id,
//!   time, metric, value …) written straight into a table with the same unique index, 100 rows
//!   per transaction (one batch), one connection, no platform at all.
//! - `http`: device batches of 100 events over HTTP against a running demo server (its demo
//!   devices and tokens, `demo-<school>-<device>`), 200 devices, `--clients` at once; the
//!   events stored per second.
//! - `mqtt`: the same batches published at QoS 1 on each device's topic through the broker;
//!   the events stored per second, read from the server's `/metrics` (accepted events) until
//!   every published event is stored.
//! - `sse`: ingest → live delivery: a signed-in stream (`/api/v1/warnings/stream`) is open while
//!   a background load sends `--rate` events per second; probes toggle one smoke detector
//!   between alarm and clear and time each from the request to its event on the stream.
//!
//! ```text
//! bench_ingest raw sqlite /tmp/raw.db [--rows N] | raw postgres URL [--rows N]
//! bench_ingest http http://127.0.0.1:8080 [--secs N] [--clients N]
//! bench_ingest mqtt http://127.0.0.1:8080 mqtt://127.0.0.1:1883 METRICS_TOKEN [--batches N]
//! bench_ingest sse http://127.0.0.1:8080 [--rate N] [--probes N]
//! RESULT kind=ingest_http events=… secs=… events_per_s=…
//! ```

use axum::body::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use sea_orm::sqlx::{self, Connection, PgConnection, QueryBuilder, SqliteConnection};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

type Http = Client<HttpConnector, Full<Bytes>>;

const BATCH: usize = 100;
const DEVICES: usize = 200;

fn flag(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn report(kind: &str, n: u64, d: Duration, extra: &str) {
    let secs = d.as_secs_f64();
    println!(
        "RESULT kind={kind} events={n} secs={secs:.3} events_per_s={:.0}{extra}",
        n as f64 / secs
    );
}

async fn send(c: &Http, method: &str, uri: &str, auth: &str, body: Vec<u8>) -> (u16, Value) {
    let req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    match c.request(req).await {
        Ok(res) => {
            let status = res.status().as_u16();
            let bytes = res.into_body().collect().await.map(|b| b.to_bytes());
            let v = bytes
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or(Value::Null);
            (status, v)
        }
        Err(e) => {
            eprintln!("bench_ingest: {e}");
            (0, Value::Null)
        }
    }
}

async fn login(c: &Http, server: &str, user: &str) -> String {
    let body = json!({"username": user, "password": "SafeCampus#2021"});
    let (s, v) = send(
        c,
        "POST",
        &format!("{server}/api/v1/auth/login"),
        "",
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(s, 200, "sign in as {user}: {v}");
    v["token"].as_str().expect("a token").to_string()
}

/// The demo devices' tokens (read as the city officer: schools, then their devices).
async fn tokens(c: &Http, server: &str) -> Vec<(i64, String, String)> {
    let t = format!("Bearer {}", login(c, server, "city.officer").await);
    let uri = format!("{server}/api/v1/schools?per_page=200");
    let (_, schools) = send(c, "GET", &uri, &t, vec![]).await;
    let mut out = Vec::new();
    for s in schools["items"].as_array().into_iter().flatten() {
        let code = s["code"].as_str().unwrap_or_default().to_lowercase();
        let uri = format!("{server}/api/v1/schools/{}/devices", s["id"]);
        let (_, devices) = send(c, "GET", &uri, &t, vec![]).await;
        for d in devices.as_array().into_iter().flatten() {
            let dc = d["code"].as_str().unwrap_or_default().to_lowercase();
            let kind = d["kind"].as_str().unwrap_or_default().to_string();
            out.push((
                d["id"].as_i64().unwrap_or(0),
                format!("demo-{code}-{dc}"),
                kind,
            ));
        }
    }
    out
}

fn batch(tag: &str, seq: u64) -> Vec<u8> {
    let at = chrono::Utc::now().to_rfc3339();
    let events: Vec<Value> = (0..BATCH)
        .map(|i| json!({"id": format!("{tag}-{seq}-{i}"), "at": at, "metric": "heartbeat", "value": 1}))
        .collect();
    json!({ "events": events }).to_string().into_bytes()
}

async fn http(server: &str) {
    let c: Http = Client::builder(TokioExecutor::new()).build_http();
    let devices: Vec<String> = tokens(&c, server)
        .await
        .into_iter()
        .take(DEVICES)
        .map(|d| d.1)
        .collect();
    assert!(devices.len() >= DEVICES / 2, "the demo's devices");
    let secs = flag("--secs", 10);
    let clients = flag("--clients", 16) as usize;
    let run = format!("{:x}", rand_tag());
    let until = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..clients {
        let (c, server, devices, run) =
            (c.clone(), server.to_string(), devices.clone(), run.clone());
        tasks.push(tokio::spawn(async move {
            let mut stored = 0u64;
            let mut seq = 0u64;
            while Instant::now() < until {
                let d = &devices[(k + seq as usize * clients) % devices.len()];
                let (s, v) = send(
                    &c,
                    "POST",
                    &format!("{server}/api/v1/ingest"),
                    &format!("Device {d}"),
                    batch(&format!("{run}-{k}"), seq),
                )
                .await;
                if s == 200 {
                    stored += v["accepted"].as_u64().unwrap_or(0);
                }
                seq += 1;
            }
            stored
        }));
    }
    let mut stored = 0;
    for t in tasks {
        stored += t.await.unwrap_or(0);
    }
    report(
        "ingest_http",
        stored,
        start.elapsed(),
        &format!(" clients={clients}"),
    );
}

/// The server's count of accepted events (`/metrics`).
async fn accepted(c: &Http, server: &str, token: &str) -> u64 {
    let req = axum::http::Request::builder()
        .uri(format!("{server}/metrics"))
        .header("authorization", format!("Bearer {token}"))
        .body(Full::new(Bytes::new()))
        .expect("request");
    let Ok(res) = c.request(req).await else {
        return 0;
    };
    let text = res
        .into_body()
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).to_string())
        .unwrap_or_default();
    text.lines()
        .filter(|l| {
            l.starts_with("safecampus_ingest_events_total") && l.contains("outcome=\"accepted\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

async fn mqtt(server: &str, broker: &str, metrics_token: &str) {
    use rumqttc::v5::mqttbytes::QoS;
    use rumqttc::v5::{AsyncClient, MqttOptions};
    let c: Http = Client::builder(TokioExecutor::new()).build_http();
    let devices: Vec<(i64, String, String)> =
        tokens(&c, server).await.into_iter().take(DEVICES).collect();
    let batches = flag("--batches", 2000);
    let (host, port) = broker
        .trim_start_matches("mqtt://")
        .split_once(':')
        .map(|(h, p)| (h.to_string(), p.parse().unwrap_or(1883)))
        .unwrap_or(("127.0.0.1".into(), 1883));
    let mut opts = MqttOptions::new(format!("bench-{:x}", rand_tag()), host, port);
    opts.set_max_packet_size(Some(4 * 1024 * 1024));
    let (client, mut events) = AsyncClient::new(opts, 1000);
    let poll = tokio::spawn(async move {
        loop {
            if let Err(e) = events.poll().await {
                eprintln!("bench_ingest: publisher: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    });
    let before = accepted(&c, server, metrics_token).await;
    let run = format!("{:x}", rand_tag());
    let start = Instant::now();
    for i in 0..batches {
        // At most 500 batches ahead of what the server stored: the broker keeps a bounded
        // queue per subscriber (Mosquitto: 1,000 messages) and drops what does not fit.
        if i % 100 == 0 {
            while i * BATCH as u64
                > accepted(&c, server, metrics_token)
                    .await
                    .saturating_sub(before)
                    + 500 * BATCH as u64
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let (id, token, _) = &devices[i as usize % devices.len()];
        let body: Value =
            serde_json::from_slice(&batch(&format!("{run}-m"), i)).unwrap_or_default();
        let payload = json!({"token": token, "events": body["events"]}).to_string();
        client
            .publish(
                format!("safecampus/devices/{id}/events"),
                QoS::AtLeastOnce,
                false,
                payload,
            )
            .await
            .expect("publish");
    }
    let want = before + batches * BATCH as u64;
    let mut now = before;
    let until = Instant::now() + Duration::from_secs(120);
    while now < want && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(50)).await;
        now = accepted(&c, server, metrics_token).await;
    }
    report("ingest_mqtt", now - before, start.elapsed(), "");
    poll.abort();
}

fn rand_tag() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7)
}

/// The next server-sent event's data (skips comments and other events).
async fn next_event<B>(body: &mut B, buf: &mut String) -> Option<Value>
where
    B: axum::body::HttpBody + Unpin,
    B::Data: AsRef<[u8]>,
{
    loop {
        if let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            if frame.lines().any(|l| l.trim() == "event: warning") {
                let data: String = frame
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim)
                    .collect();
                return serde_json::from_str(&data).ok();
            }
            continue;
        }
        let frame = body.frame().await?.ok()?;
        if let Ok(d) = frame.into_data() {
            buf.push_str(&String::from_utf8_lossy(d.as_ref()));
        }
    }
}

async fn sse(server: &str) {
    let c: Http = Client::builder(TokioExecutor::new()).build_http();
    let all = tokens(&c, server).await;
    let probe = all
        .iter()
        .find(|d| d.2 == "smoke")
        .cloned()
        .expect("a smoke detector");
    let load: Vec<String> = all
        .iter()
        .filter(|d| d.0 != probe.0)
        .take(DEVICES)
        .map(|d| d.1.clone())
        .collect();
    let rate = flag("--rate", 1000);
    let probes = flag("--probes", 100);
    // The city officer's stream: the probe's school is in its scope whichever district it is.
    let t = login(&c, server, "city.officer").await;
    let req = axum::http::Request::builder()
        .uri(format!("{server}/api/v1/warnings/stream"))
        .header("authorization", format!("Bearer {t}"))
        .body(Full::new(Bytes::new()))
        .expect("request");
    let mut stream = c.request(req).await.expect("the stream").into_body();
    let mut buf = String::new();
    // Background load: `rate` events per second in batches of 100.
    let every = Duration::from_secs_f64(BATCH as f64 / rate.max(1) as f64);
    let (lc, ls) = (c.clone(), server.to_string());
    let run = format!("{:x}", rand_tag());
    let bg = run.clone();
    let background = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        let mut seq = 0u64;
        let mut sent = 0u64;
        loop {
            tick.tick().await;
            let d = load[seq as usize % load.len()].clone();
            let (c, s, body) = (lc.clone(), ls.clone(), batch(&format!("{bg}-bg"), seq));
            tokio::spawn(async move {
                send(
                    &c,
                    "POST",
                    &format!("{s}/api/v1/ingest"),
                    &format!("Device {d}"),
                    body,
                )
                .await;
            });
            seq += 1;
            sent += BATCH as u64;
            if seq.is_multiple_of(50) {
                eprintln!("bench_ingest: background {sent} events");
            }
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    let subject = format!("device:{}", probe.0);
    let mut lat = Vec::new();
    for i in 0..probes {
        let alarm = i % 2 == 0;
        let body = json!({"events": [{"id": format!("{run}-p{i}"), "at": chrono::Utc::now().to_rfc3339(),
            "metric": "smoke", "value": if alarm { 1 } else { 0 }}]});
        let sent = Instant::now();
        let (s, _) = send(
            &c,
            "POST",
            &format!("{server}/api/v1/ingest"),
            &format!("Device {}", probe.1),
            body.to_string().into_bytes(),
        )
        .await;
        if s != 200 {
            continue;
        }
        let got = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(w) = next_event(&mut stream, &mut buf).await {
                if w["subject"] == subject.as_str() && w["cleared_at"].is_null() == alarm {
                    return true;
                }
            }
            false
        })
        .await;
        if matches!(got, Ok(true)) {
            lat.push(sent.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    background.abort();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "RESULT kind=ingest_sse probes={} delivered={} rate={rate} p50_ms={:.1} p99_ms={:.1} max_ms={:.1}",
        probes,
        lat.len(),
        pct(0.5).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
}

const RAW_TABLE: &str = "(id INTEGER PRIMARY KEY, device_id BIGINT NOT NULL, school_id BIGINT NOT NULL, \
    event_id TEXT NOT NULL, at TEXT NOT NULL, metric TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, \
    lat DOUBLE PRECISION, lon DOUBLE PRECISION, received_at TEXT NOT NULL)";

async fn raw(backend: &str, target: &str) -> Result<(), sqlx::Error> {
    let rows = flag("--rows", 100_000) as usize;
    let at = chrono::Utc::now().to_rfc3339();
    macro_rules! fill {
        ($c:expr, $db:ty, $begin:expr) => {{
            let start = Instant::now();
            let mut done = 0;
            while done < rows {
                let mut tx = $begin;
                let mut q: QueryBuilder<$db> = QueryBuilder::new(
                    "INSERT INTO bench_raw_events (device_id, school_id, event_id, at, metric, value, lat, lon, received_at) ",
                );
                q.push_values(done..done + BATCH, |mut b, i| {
                    b.push_bind((i % DEVICES) as i64)
                        .push_bind((i % 42) as i64)
                        .push_bind(format!("raw-{i}"))
                        .push_bind(at.clone())
                        .push_bind("heartbeat")
                        .push_bind(1.0f64)
                        .push_bind(None::<f64>)
                        .push_bind(None::<f64>)
                        .push_bind(at.clone());
                });
                q.push(" ON CONFLICT (device_id, event_id) DO NOTHING");
                q.build().execute(&mut *tx).await?;
                tx.commit().await?;
                done += BATCH;
            }
            report(&format!("raw_{backend}"), rows as u64, start.elapsed(), " per_tx=100");
        }};
    }
    if backend == "sqlite" {
        use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
        let _ = std::fs::remove_file(target);
        let opts = SqliteConnectOptions::new()
            .filename(target)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let mut c = SqliteConnection::connect_with(&opts).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE bench_raw_events {RAW_TABLE}; CREATE UNIQUE INDEX bench_raw_events_u ON bench_raw_events (device_id, event_id)"
        )))
        .execute(&mut c)
        .await?;
        fill!(
            c,
            sea_orm::sqlx::Sqlite,
            c.begin_with("BEGIN IMMEDIATE").await?
        );
    } else {
        let mut c = PgConnection::connect(target).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP TABLE IF EXISTS bench_raw_events; CREATE TABLE bench_raw_events {}; \
             CREATE UNIQUE INDEX bench_raw_events_u ON bench_raw_events (device_id, event_id)",
            RAW_TABLE.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY")
        )))
        .execute(&mut c)
        .await?;
        fill!(c, sea_orm::sqlx::Postgres, c.begin().await?);
        sqlx::raw_sql("DROP TABLE bench_raw_events")
            .execute(&mut c)
            .await?;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    match (args.get(1).map(String::as_str), args.get(2), args.get(3)) {
        (Some("raw"), Some(backend), Some(target)) => {
            if let Err(e) = rt.block_on(raw(backend, target)) {
                eprintln!("bench_ingest: {e}");
                std::process::exit(1);
            }
        }
        (Some("http"), Some(server), _) => rt.block_on(http(server)),
        (Some("sse"), Some(server), _) => rt.block_on(sse(server)),
        (Some("mqtt"), Some(server), Some(broker)) => {
            let token = args.get(4).cloned().unwrap_or_default();
            rt.block_on(mqtt(server, broker, &token))
        }
        _ => {
            eprintln!(
                "usage: bench_ingest raw sqlite FILE | raw postgres URL | http SERVER | sse SERVER"
            );
            std::process::exit(2);
        }
    }
}
