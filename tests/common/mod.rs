//! The test harness: every test gets its own fresh database (a SQLite file in a temporary
//! folder, or a new PostgreSQL database), migrated and seeded with the demo district, and the
//! real router. `SAFECAMPUS_TEST_DB=postgres` selects PostgreSQL (server from
//! `SAFECAMPUS_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`); when it
//! is selected and unreachable the test fails, it never skips.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use safecampus::config::Config;
use safecampus::storage::Db;
use safecampus::web::AppState;
use serde_json::Value;
use std::collections::HashMap;
use tower::ServiceExt;

pub const PASSWORD: &str = "SafeCampus#2021";

pub struct TestApp {
    pub db: Db,
    pub router: axum::Router,
    pub routes: Vec<safecampus::web::routes::RouteInfo>,
    pub state: AppState,
    tokens: HashMap<String, String>,
    pg_db: Option<(String, String)>,
    _dir: Option<tempdir::Dir>,
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

pub mod tempdir {
    /// A folder removed when dropped.
    pub struct Dir(pub std::path::PathBuf);

    impl Dir {
        pub fn new() -> Dir {
            let p = std::env::temp_dir().join(format!(
                "safecampus-test-{}-{}",
                std::process::id(),
                rand_suffix()
            ));
            std::fs::create_dir_all(&p).expect("temp dir");
            Dir(p)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub fn rand_suffix() -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{:x}{}", t % 0xffff_ffff, N.fetch_add(1, Ordering::Relaxed))
    }
}

pub fn backend() -> String {
    std::env::var("SAFECAMPUS_TEST_DB").unwrap_or_else(|_| "sqlite".into())
}

impl TestApp {
    /// A fresh, migrated database with the demo district, and the app on it.
    pub async fn new() -> TestApp {
        Self::with_config(Config::default()).await
    }

    pub async fn with_config(mut config: Config) -> TestApp {
        let (url, dir, pg_db) = if backend() == "postgres" {
            let admin = std::env::var("SAFECAMPUS_TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("sc_test_{}", tempdir::rand_suffix());
            let (pool, _) = sqlx_admin(&admin).await;
            pool.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin} must be reachable: {e}"));
            pool.close().await.ok();
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            (format!("{base}/{name}"), None, Some((admin.clone(), name)))
        } else {
            let dir = tempdir::Dir::new();
            let url = format!("sqlite://{}/test.db?mode=rwc", dir.0.display());
            (url, Some(dir), None)
        };
        config.database_url = url.clone();
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        safecampus::demo::seed(&db).await.expect("seed demo");
        let state = AppState::new(db.clone(), config);
        let (router, routes) = safecampus::web::routes::build(state.clone());
        TestApp {
            db,
            router,
            routes,
            state,
            tokens: HashMap::new(),
            pg_db,
            _dir: dir,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let res = self
            .router
            .clone()
            .oneshot(b.body(Body::from(body)).expect("request"))
            .await
            .expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body")
            .to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.request(Method::GET, path, token, None, vec![], &[])
            .await
    }

    pub async fn json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Resp {
        self.request(
            method,
            path,
            token,
            Some("application/json"),
            serde_json::to_vec(body).expect("json"),
            &[],
        )
        .await
    }

    pub async fn form(&self, path: &str, token: Option<&str>, pairs: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(pairs).expect("form");
        self.request(
            Method::POST,
            path,
            token,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[],
        )
        .await
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn login(&mut self, username: &str) -> String {
        if let Some(t) = self.tokens.get(username) {
            return t.clone();
        }
        let r = self
            .json(
                Method::POST,
                "/api/v1/auth/login",
                None,
                &serde_json::json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.text());
        let t = r.json()["token"].as_str().expect("token").to_string();
        self.tokens.insert(username.to_string(), t.clone());
        t
    }

    /// The id of an org by its code (looked up as the city officer).
    pub async fn org_id(&mut self, code: &str) -> i64 {
        let t = self.login("city.officer").await;
        if code.len() == 2 {
            let r = self.get("/api/v1/orgs", Some(&t)).await;
            return r
                .json()
                .as_array()
                .expect("orgs")
                .iter()
                .find(|o| o["code"] == code)
                .and_then(|o| o["id"].as_i64())
                .expect("org code");
        }
        let r = self
            .get(&format!("/api/v1/schools?q={code}"), Some(&t))
            .await;
        r.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|s| s["code"] == code)
            .and_then(|s| s["id"].as_i64())
            .expect("school code")
    }

    pub async fn fingerprint(&self) -> String {
        self.db
            .unsafe_unscoped()
            .fingerprint()
            .await
            .expect("fingerprint")
    }
}

async fn sqlx_admin(url: &str) -> (sea_orm::DatabaseConnection, ()) {
    let conn = sea_orm::Database::connect(url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url} must be reachable: {e}"));
    (conn, ())
}

use sea_orm::ConnectionTrait;

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_db.take() {
            // Drop the per-test database on a thread of its own (Drop cannot await); FORCE ends
            // the pool's connections, which belong to the test's own runtime.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    if let Ok(c) = sea_orm::Database::connect(&admin).await {
                        c.execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        ))
                        .await
                        .ok();
                    }
                });
            })
            .join()
            .ok();
        }
    }
}
