//! `cargo bench`: request and write costs of the platform as ratios to baselines measured in
//! the same run on the same machine (a bare axum handler; raw SQLite inserts). Prints a
//! Markdown table (and writes it to `target/BENCHMARKS.md`); `BENCHMARKS.md` records a run.

use axum::body::Body;
use axum::http::{Request, header};
use safecampus::config::Config;
use safecampus::storage::Db;
use safecampus::web::AppState;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const PASSWORD: &str = "SafeCampus#2021";

async fn call(router: &axum::Router, req: Request<Body>) -> usize {
    let res = router.clone().oneshot(req).await.expect("infallible");
    assert!(res.status().is_success(), "{}", res.status());
    axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body")
        .len()
}

/// Mean time per iteration over `n` runs after `n / 10` warm-up runs.
async fn time<F, Fut>(n: u32, mut f: F) -> Duration
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for i in 0..n / 10 {
        f(i).await;
    }
    let start = Instant::now();
    for i in 0..n {
        f(i).await;
    }
    start.elapsed() / n
}

fn get(path: &str, token: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request")
}

/// Mean time of a GET through the router; the answer must be 200, or the number means nothing.
async fn time_get(n: u32, router: &axum::Router, token: &str, path: &str) -> Duration {
    let res = router
        .clone()
        .oneshot(get(path, token))
        .await
        .expect("request");
    assert_eq!(res.status(), 200, "{path}");
    time(n, |_| {
        let (r, t) = (router.clone(), token.to_string());
        let p = path.to_string();
        async move {
            call(&r, get(&p, &t)).await;
        }
    })
    .await
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("safecampus-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let mut db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    // The riders are sealed with a field key made beside the bench's database.
    db.open_field_keys(&Default::default(), &url)
        .await
        .expect("field keys");
    safecampus::demo::seed(&db).await.expect("seed");
    let mut config = Config {
        database_url: url,
        ..Default::default()
    };
    // The timed requests sign in with a password alone (as the demo does).
    config.security.mfa_required_roles.clear();
    let router = safecampus::web::app(AppState::new(db.clone(), config));
    let login = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(
            r#"{{"username":"bureau.officer","password":"{PASSWORD}"}}"#
        )))
        .expect("login");
    let res = router.clone().oneshot(login).await.expect("login");
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let token = v["token"].as_str().expect("token").to_string();
    let list = {
        let res = router
            .clone()
            .oneshot(get("/api/v1/schools", &token))
            .await
            .expect("list");
        axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body")
    };
    let school: serde_json::Value = serde_json::from_slice(&list).expect("json");
    let school_id = school["items"][0]["id"].as_i64().expect("id");

    // Baseline: a bare axum router answering the same JSON from memory.
    let canned = list.clone();
    let bare = axum::Router::new().route(
        "/schools",
        axum::routing::get(move || {
            let b = canned.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], b) }
        }),
    );
    let n = 300;
    let t_bare = time(n, |_| {
        let r = bare.clone();
        async move {
            call(
                &r,
                Request::builder()
                    .uri("/schools")
                    .body(Body::empty())
                    .expect("req"),
            )
            .await;
        }
    })
    .await;
    let t_list = time_get(n, &router, &token, "/api/v1/schools").await;
    let t_register = time_get(
        n / 3,
        &router,
        &token,
        &format!("/api/v1/schools/{school_id}/risk-points"),
    )
    .await;
    let t_map = time_get(
        n / 3,
        &router,
        &token,
        &format!("/api/v1/schools/{school_id}/risk-map.svg"),
    )
    .await;

    let t_hazards = time_get(n / 3, &router, &token, "/api/v1/hazards").await;
    let t_overdue = time_get(n / 3, &router, &token, "/api/v1/hazards?overdue=true").await;
    let t_board = time_get(n / 3, &router, &token, "/api/v1/self-inspection-board").await;

    // Baseline for writes: a raw SQLite insert in its own transaction, no audit.
    let raw = {
        use sea_orm::{ConnectionTrait, Database};
        let conn = Database::connect(format!("sqlite://{}/raw.db?mode=rwc", dir.display()))
            .await
            .expect("raw");
        conn.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            .await
            .expect("table");
        time(n, |i| {
            let c = conn.clone();
            async move {
                c.execute_unprepared(&format!(
                    "BEGIN IMMEDIATE; INSERT INTO t (v) VALUES ('{i}'); COMMIT"
                ))
                .await
                .expect("insert");
            }
        })
        .await
    };
    let t_write = time(n, |i| {
        let (r, t) = (router.clone(), token.clone());
        async move {
            let req = Request::builder()
                .method("PATCH")
                .uri(format!("/api/v1/schools/{school_id}"))
                .header(header::AUTHORIZATION, format!("Bearer {t}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!(r#"{{"students": {}}}"#, 1000 + i)))
                .expect("req");
            call(&r, req).await;
        }
    })
    .await;
    let t_report = time(n, |i| {
        let (r, t) = (router.clone(), token.clone());
        async move {
            let req = Request::builder()
                .method("POST")
                .uri(format!("/api/v1/schools/{school_id}/hazards"))
                .header(header::AUTHORIZATION, format!("Bearer {t}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!(
                    r#"{{"title": "走廊灯不亮 {i}", "aspect": "things", "category": "用电安全"}}"#
                )))
                .expect("req");
            call(&r, req).await;
        }
    })
    .await;

    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let table = format!(
        "| measurement | mean per request | baseline | ratio |\n|---|---|---|---|\n\
| bare axum handler, same JSON from memory (baseline A) | {:.0} µs | — | 1 |\n\
| `GET /api/v1/schools` (session, scope, query, 42 schools) | {:.0} µs | A | {:.1}× |\n\
| `GET /api/v1/schools/{{id}}/risk-points` (~230 points) | {:.0} µs | A | {:.1}× |\n\
| `GET /api/v1/schools/{{id}}/risk-map.svg` | {:.0} µs | A | {:.1}× |\n\
| `GET /api/v1/hazards` (the district's hazards, first page) | {:.0} µs | A | {:.1}× |\n\
| `GET /api/v1/hazards?overdue=true` (derived from deadlines and today) | {:.0} µs | A | {:.1}× |\n\
| `GET /api/v1/self-inspection-board` (this half-month, every school) | {:.0} µs | A | {:.1}× |\n\
| raw SQLite insert in its own transaction (baseline B) | {:.0} µs | — | 1 |\n\
| `PATCH /api/v1/schools/{{id}}` (scoped, audited, hash-chained) | {:.0} µs | B | {:.1}× |\n\
| `POST /api/v1/schools/{{id}}/hazards` (report a hazard: checked, scoped, audited) | {:.0} µs | B | {:.1}× |\n",
        us(t_bare),
        us(t_list),
        ratio(t_list, t_bare),
        us(t_register),
        ratio(t_register, t_bare),
        us(t_map),
        ratio(t_map, t_bare),
        us(t_hazards),
        ratio(t_hazards, t_bare),
        us(t_overdue),
        ratio(t_overdue, t_bare),
        us(t_board),
        ratio(t_board, t_bare),
        us(raw),
        us(t_write),
        ratio(t_write, raw),
        us(t_report),
        ratio(t_report, raw),
    );
    println!("{table}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/BENCHMARKS.md");
    std::fs::write(&out, &table).ok();
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
