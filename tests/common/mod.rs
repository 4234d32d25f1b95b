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
use safecampus::storage::Operator;
use safecampus::web::AppState;
use serde_json::Value;
use std::collections::HashMap;
use tower::ServiceExt;

pub mod audit;
pub mod logs;
pub mod plans;
pub mod plant;
pub mod riders;
pub mod server;

pub const PASSWORD: &str = "SafeCampus#2021";

/// The field key of every test database (32 bytes, base64): the templates are sealed with it.
pub const FIELD_KEY: &str = "c2FmZWNhbXB1cy10ZXN0LWZpZWxkLWtleS0zMmJ5dGU=";

/// A file holding [`FIELD_KEY`] (`[security] field_key_file`), shared by the test processes
/// (written under a name of its own, then renamed into place).
pub fn field_key_file() -> std::path::PathBuf {
    let file = std::env::temp_dir().join("safecampus-test-field.key");
    if std::fs::read_to_string(&file).ok().as_deref() != Some(FIELD_KEY) {
        let tmp = std::env::temp_dir().join(format!(
            "safecampus-test-field.key.{}",
            tempdir::rand_suffix()
        ));
        std::fs::write(&tmp, FIELD_KEY).expect("field key file");
        std::fs::rename(&tmp, &file).expect("field key file in place");
    }
    file
}

/// `security` with the tests' field key, unless it names one of its own.
pub fn with_field_key(security: &mut safecampus::config::Security) {
    if security.field_key_file.is_none() {
        security.field_key_file = Some(field_key_file());
    }
}

/// Connects to `url` and opens its field keys as the platform does at start.
pub async fn connect_keyed(url: &str, security: &safecampus::config::Security) -> Db {
    let mut db = Db::connect(url).await.expect("connect");
    db.open_field_keys(security, url)
        .await
        .unwrap_or_else(|e| panic!("field keys: {e:#}"));
    db
}

fn test_security() -> safecampus::config::Security {
    let mut s = safecampus::config::Security::default();
    with_field_key(&mut s);
    s
}

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

/// The PostgreSQL server the tests use (`SAFECAMPUS_TEST_PG_URL`).
pub fn pg_admin() -> String {
    std::env::var("SAFECAMPUS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// What a test database is copied from: a SQLite file, or a PostgreSQL template database.
#[derive(Debug, Clone)]
pub enum Template {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

/// The migrated, demo-seeded template of the selected backend.
pub async fn demo_template() -> Template {
    if backend() == "postgres" {
        Template::Postgres(pg_template(&pg_admin()).await)
    } else {
        Template::Sqlite(sqlite_template().await)
    }
}

impl TestApp {
    /// A fresh, migrated database with the demo district, and the app on it.
    pub async fn new() -> TestApp {
        Self::with_config(Config::default()).await
    }

    pub async fn with_config(config: Config) -> TestApp {
        Self::from_template(&demo_template().await, config).await
    }

    /// Like [`TestApp::with_config`], keeping `[security] mfa_required_roles` as given (every
    /// other constructor clears it, so accounts sign in with the password alone; the second
    /// factor's suite is `tests/http_mfa.rs`).
    pub async fn with_mfa(config: Config) -> TestApp {
        Self::from_template_as(&demo_template().await, config, true).await
    }

    /// The app on a fresh copy of `template` (the demo's, or another suite's own).
    pub async fn from_template(template: &Template, config: Config) -> TestApp {
        Self::from_template_as(template, config, false).await
    }

    async fn from_template_as(template: &Template, config: Config, mfa: bool) -> TestApp {
        let (url, dir, pg_db) = match template {
            Template::Postgres(template) => {
                let admin = pg_admin();
                let name = format!("sc_test_{}", tempdir::rand_suffix());
                let (pool, _) = sqlx_admin(&admin).await;
                // FILE_COPY copies the files instead of writing every block to the WAL.
                pool.execute_unprepared(&format!(
                    "CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"
                ))
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin} must be reachable: {e}"));
                // A test database is thrown away: its commits need not wait for the disk.
                pool.execute_unprepared(&format!(
                    "ALTER DATABASE {name} SET synchronous_commit = off"
                ))
                .await
                .expect("database settings");
                pool.close().await.ok();
                (pg_app_url(&admin, &name), None, Some((admin.clone(), name)))
            }
            Template::Sqlite(file_of) => {
                let dir = tempdir::Dir::new();
                let file = dir.0.join("test.db");
                std::fs::copy(file_of, &file).expect("copy the seeded template");
                let url = format!("sqlite://{}?mode=rwc", file.display());
                (url, Some(dir), None)
            }
        };
        let mut app = Self::on_database_as(&url, config, mfa).await;
        app.pg_db = pg_db;
        app._dir = dir;
        app
    }

    /// The app on a fresh, migrated database without the demo (no accounts, an empty audit
    /// log), dropped afterwards like the others.
    pub async fn empty(config: Config) -> TestApp {
        let (url, dir, pg_db) = if backend() == "postgres" {
            let admin = pg_admin();
            let name = pg_create("sc_test").await;
            (pg_url(&admin, &name), None, Some((admin.clone(), name)))
        } else {
            let dir = tempdir::Dir::new();
            let url = format!("sqlite://{}?mode=rwc", dir.0.join("empty.db").display());
            (url, Some(dir), None)
        };
        let owner = Db::connect(&url).await.expect("connect");
        owner.migrate().await.expect("migrate");
        let url = match &pg_db {
            Some((admin, name)) => {
                grant_app_role(&owner).await;
                pg_app_url(admin, name)
            }
            None => url,
        };
        owner.close().await;
        let mut app = Self::on_database_as(&url, config, false).await;
        app.pg_db = pg_db;
        app._dir = dir;
        app
    }

    /// A connection of its own to the app's database, beside the app (raw SQL in tests), as
    /// the tables' owner (on PostgreSQL the app itself connects as a role that owns nothing).
    pub async fn raw(&self) -> sea_orm::DatabaseConnection {
        sea_orm::Database::connect(&self.owner_url())
            .await
            .expect("connect")
    }

    /// The URL of the app's database as the tables' owner.
    pub fn owner_url(&self) -> String {
        match &self.pg_db {
            Some((admin, name)) => pg_url(admin, name),
            None => self.state.config().database_url.clone(),
        }
    }

    /// The half-month checklist's point ids of `school`, in the form's order (read as the
    /// city officer, who sees every school).
    pub async fn half_month_points(&mut self, school: i64) -> Vec<i64> {
        let t = self.login("city.officer").await;
        let r = self
            .get(
                &format!("/api/v1/schools/{school}/checklist?kind=half_month"),
                Some(&t),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["risk_point_id"].as_i64().expect("id"))
            .collect()
    }

    /// Runs `statement` on the app's database outside the app (a fixture or a tamper).
    pub async fn sql(&self, statement: &str) {
        use sea_orm::ConnectionTrait;
        let raw = self.raw().await;
        raw.execute_unprepared(statement).await.expect(statement);
        raw.close().await.ok();
    }

    /// The app on an existing database that outlives it (nothing is dropped afterwards).
    pub async fn on_database(url: &str, config: Config) -> TestApp {
        Self::on_database_as(url, config, false).await
    }

    async fn on_database_as(url: &str, mut config: Config, mfa: bool) -> TestApp {
        config.database_url = url.to_string();
        if !mfa {
            config.security.mfa_required_roles.clear();
        }
        with_field_key(&mut config.security);
        let db = connect_keyed(url, &config.security).await;
        let state = AppState::new(db.clone(), config);
        let (router, routes) = safecampus::web::routes::build(state.clone());
        TestApp {
            db,
            router,
            routes,
            state,
            tokens: HashMap::new(),
            pg_db: None,
            _dir: None,
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
        let streaming = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let body = if streaming {
            // A stream never ends: its first event is the answer.
            first_event(res.into_body()).await
        } else {
            axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .expect("body")
                .to_vec()
        };
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

    /// Posts a multipart form with one `file` field (an .xlsx), as the browser does, with a
    /// session cookie.
    pub async fn post_file(&self, path: &str, cookie: &str, file: &[u8]) -> Resp {
        self.post_file_with(path, cookie, None, file).await
    }

    /// [`TestApp::post_file`] with the page form's CSRF token as the body's first part, as a
    /// browser sends the form's first (hidden) field.
    pub async fn post_file_with(
        &self,
        path: &str,
        cookie: &str,
        csrf: Option<&str>,
        file: &[u8],
    ) -> Resp {
        let b = "----safecampus-test-boundary";
        let part = "Content-Disposition: form-data; name=\"file\"; filename=\"upload.xlsx\"";
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        let mut body = match csrf {
            Some(token) => format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
            ),
            None => String::new(),
        }
        .into_bytes();
        body.extend_from_slice(
            format!("--{b}\r\n{part}\r\nContent-Type: {xlsx}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={b}");
        self.request(
            Method::POST,
            path,
            None,
            Some(&ct),
            body,
            &[("cookie", cookie)],
        )
        .await
    }

    /// The CSRF token a page's form carries (its hidden `_csrf` field).
    pub fn form_token(html: &str) -> String {
        let at = html
            .find("name=\"_csrf\" value=\"")
            .expect("a form with a CSRF token")
            + "name=\"_csrf\" value=\"".len();
        html[at..].split('"').next().unwrap().to_string()
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

    /// The id of a user account by its username (looked up as the system admin).
    pub async fn user_id(&mut self, username: &str) -> i64 {
        let t = self.login("sysadmin").await;
        let r = self
            .get(&format!("/api/v1/users?q={username}"), Some(&t))
            .await;
        let j = r.json();
        let mut items = j["items"].as_array().expect("items").iter();
        let u = items.find(|u| u["username"] == username).expect("user");
        u["id"].as_i64().expect("id")
    }

    /// The newest audit entries matching `query` (the audit admin's view).
    pub async fn audit(&mut self, query: &str) -> Vec<Value> {
        let t = self.login("auditadmin").await;
        let r = self.get(&format!("/api/v1/audit?{query}"), Some(&t)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["items"].as_array().expect("items").clone()
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
            .unsafe_unscoped(&Operator::command_line())
            .fingerprint()
            .await
            .expect("fingerprint")
    }
}

pub fn pg_url(admin: &str, name: &str) -> String {
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    format!("{base}/{name}")
}

/// The role the app connects as on PostgreSQL: one that owns nothing and passes no policy
/// (`SAFECAMPUS_TEST_PG_ROLE`, default `safecampus_app`; empty: the server's own user, as an
/// install without row-level security would).
pub fn pg_role() -> Option<String> {
    match std::env::var("SAFECAMPUS_TEST_PG_ROLE") {
        Ok(r) if r.is_empty() => None,
        Ok(r) => Some(r),
        Err(_) => Some("safecampus_app".into()),
    }
}

/// The URL of database `name` for the app: as [`pg_role`] when there is one.
pub fn pg_app_url(admin: &str, name: &str) -> String {
    let owner = pg_url(admin, name);
    let Some(role) = pg_role() else { return owner };
    let mut u = url::Url::parse(&owner).expect("PostgreSQL URL");
    u.set_username(&role).expect("a user");
    u.set_password(None).expect("no password");
    u.to_string()
}

/// Makes [`pg_role`] (once per server; the test processes race for it) and grants it its
/// rights on the database `owner` is connected to, as `migrate` does with
/// `owner_database_url`.
pub async fn grant_app_role(owner: &Db) {
    let Some(role) = pg_role() else { return };
    let admin = pg_admin();
    let (pool, _) = sqlx_admin(&admin).await;
    pool.execute_unprepared(&format!(
        "DO $$ BEGIN CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    ))
    .await
    .expect("the app's role");
    pool.close().await.ok();
    owner.grant_app_role(&role).await.expect("grants");
}

/// A fingerprint of everything the seeded database depends on: the sources and data files.
pub fn seed_hash() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    // The demo's history is relative to the day it is seeded.
    h.update(
        safecampus::storage::risk_points::today()
            .to_string()
            .as_bytes(),
    );
    // The sources this binary was built from (not the files on disk now: a binary built
    // before an edit must not seed a database under the edited sources' name).
    h.update(safecampus::SOURCE_HASH.as_bytes());
    // The templates are sealed with the tests' field key.
    h.update(FIELD_KEY.as_bytes());
    // The PostgreSQL template carries the app role's grants.
    h.update(pg_role().unwrap_or_default().as_bytes());
    hex::encode(&h.finalize()[..6])
}

/// The migrated, demo-seeded SQLite file every test copies: seeded once for the sources and
/// the day ([`seed_hash`]), shared by the test binaries, built under a temporary name and
/// renamed into place so a half-built file is never used.
pub async fn sqlite_template() -> std::path::PathBuf {
    static T: tokio::sync::OnceCell<std::path::PathBuf> = tokio::sync::OnceCell::const_new();
    T.get_or_init(|| async {
        let file = std::env::temp_dir().join(format!("safecampus-template-{}.db", seed_hash()));
        if file.exists() {
            return file;
        }
        let dir = std::env::temp_dir().join(format!("safecampus-template-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("template dir");
        let building = dir.join("template.db");
        let _ = std::fs::remove_file(&building);
        let url = format!("sqlite://{}?mode=rwc", building.display());
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let mut db = db;
        db.open_field_keys(&test_security(), &url)
            .await
            .expect("field keys");
        safecampus::demo::seed(&db).await.expect("seed demo");
        db.checkpoint().await.expect("checkpoint");
        db.close().await;
        std::fs::rename(&building, &file).expect("template in place");
        let _ = std::fs::remove_dir_all(&dir);
        file
    })
    .await
    .clone()
}

/// A PostgreSQL template database holding the migrated demo, named by the hash of the sources
/// it was built from; built once and reused until the sources change.
pub async fn pg_template(admin: &str) -> String {
    static T: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    T.get_or_init(|| async {
        let name = format!("sc_tpl_{}", seed_hash());
        let (pool, _) = sqlx_admin(admin).await;
        let exists = pool
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
            ))
            .await
            .expect("query")
            .is_some();
        if !exists {
            let building = format!("{name}_build_{}", tempdir::rand_suffix());
            pool.execute_unprepared(&format!("CREATE DATABASE {building}"))
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin} must be reachable: {e}"));
            let url = pg_url(admin, &building);
            let mut db = Db::connect(&url).await.expect("connect");
            db.migrate().await.expect("migrate");
            grant_app_role(&db).await;
            db.open_field_keys(&test_security(), &url)
                .await
                .expect("field keys");
            safecampus::demo::seed(&db).await.expect("seed demo");
            db.close().await;
            // Renaming makes the finished template appear atomically. Another test process may
            // have finished the same template first: then this copy is not needed.
            if pool
                .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                .await
                .is_err()
            {
                pool.execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS {building} WITH (FORCE)"
                ))
                .await
                .ok();
            }
            // Finished templates of older sources are no longer needed (a template still being
            // built by a concurrent process, `…_build_…`, is left alone).
            let old = pool
                .query_all_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    format!(
                        "SELECT datname FROM pg_database WHERE datname LIKE 'sc_tpl_%' \
                         AND datname NOT LIKE '%\\_build\\_%' AND datname <> '{name}'"
                    ),
                ))
                .await
                .unwrap_or_default();
            for row in old {
                if let Ok(n) = row.try_get::<String>("", "datname") {
                    pool.execute_unprepared(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"))
                        .await
                        .ok();
                }
            }
        }
        pool.close().await.ok();
        name
    })
    .await
    .clone()
}

/// A new empty PostgreSQL database named `<prefix>_<random>` on the tests' server; its name.
/// The caller drops it.
pub async fn pg_create(prefix: &str) -> String {
    let admin = pg_admin();
    let name = format!("{prefix}_{}", tempdir::rand_suffix());
    let (pool, _) = sqlx_admin(&admin).await;
    pool.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {admin} must be reachable: {e}"));
    pool.close().await.ok();
    name
}

/// Drops a database [`pg_create`] made.
pub async fn pg_drop(name: &str) {
    let (pool, _) = sqlx_admin(&pg_admin()).await;
    pool.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .ok();
    pool.close().await.ok();
}

pub async fn sqlx_admin(url: &str) -> (sea_orm::DatabaseConnection, ()) {
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

impl TestApp {
    /// Registers a device of `kind` at S001 (as its safety director); answers (id, token).
    pub async fn s001_device(&mut self, kind: &str, code: &str) -> (i64, String) {
        self.s001_device_named(kind, code, &format!("测试{code}"))
            .await
    }

    /// [`TestApp::s001_device`] with its name.
    pub async fn s001_device_named(&mut self, kind: &str, code: &str, name: &str) -> (i64, String) {
        let t = self.login("s001.safety").await;
        let s001 = self.org_id("S001").await;
        let r = self
            .json(
                Method::POST,
                &format!("/api/v1/schools/{s001}/devices"),
                Some(&t),
                &serde_json::json!({"code": code, "kind": kind, "name": name}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = r.json();
        (
            v["id"].as_i64().expect("an id"),
            v["token"].as_str().expect("a token").to_string(),
        )
    }

    /// `POST /api/v1/ingest` with this `Authorization` and body.
    pub async fn ingest_raw(&self, auth: &str, body: Vec<u8>) -> Resp {
        self.request(
            Method::POST,
            "/api/v1/ingest",
            None,
            Some("application/json"),
            body,
            &[("authorization", auth)],
        )
        .await
    }

    /// Sends `events` as the device with `token`; the report (the answer must be 200).
    pub async fn ingest(&self, token: &str, events: Value) -> Value {
        let r = self
            .ingest_raw(
                &format!("Device {token}"),
                serde_json::to_vec(&serde_json::json!({ "events": events })).expect("json"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }
}

/// The first event of a server-sent event stream (waits at most five seconds).
async fn first_event(body: Body) -> Vec<u8> {
    use futures_util::StreamExt;
    let mut data = body.into_data_stream();
    let mut out = Vec::new();
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !out.windows(2).any(|w| w == b"\n\n") {
        match tokio::time::timeout_at(until, data.next()).await {
            Ok(Some(Ok(chunk))) => out.extend_from_slice(&chunk),
            _ => break,
        }
    }
    out
}

/// Asserts an error envelope with this status and code and a message; returns the body.
pub fn expect(r: &Resp, status: u16, code: &str) -> Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    let j = r.json();
    assert_eq!(j["error"]["code"], code, "{j}");
    assert!(!msg(&j).is_empty(), "{j}");
    j
}

/// The message of an error envelope.
pub fn msg(j: &Value) -> &str {
    j["error"]["message"].as_str().unwrap_or("")
}

/// The field names of a validation envelope, in order.
pub fn fields(j: &Value) -> Vec<String> {
    let list = j["error"]["fields"].as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|f| f["field"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A zip written in memory: each entry is `chunk` repeated `times` (so large, highly
/// compressible entries never sit in memory whole).
pub fn zip_of(entries: &[(&str, &[u8], usize)]) -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    for (name, chunk, times) in entries {
        w.start_file(*name, opts).expect("zip entry");
        for _ in 0..*times {
            w.write_all(chunk).expect("zip write");
        }
    }
    w.finish().expect("zip").into_inner()
}

/// A tiny valid PNG (a phone photo stand-in).
pub fn tiny_png() -> Vec<u8> {
    use image::ImageEncoder;
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([200, 40, 40]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), 4, 4, image::ExtendedColorType::Rgb8)
        .expect("png");
    out
}

impl TestApp {
    /// Posts a multipart form (text fields, and a tiny PNG under each name of `files`) with
    /// the session cookie, as the phone's forms do.
    pub async fn post_multipart(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
        files: &[&str],
    ) -> Resp {
        let b = "----safecampus-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .as_bytes(),
            );
        }
        for name in files {
            body.extend_from_slice(
                format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"IMG_0001.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(&tiny_png());
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={b}");
        self.request(
            Method::POST,
            path,
            None,
            Some(&ct),
            body,
            &[("cookie", cookie)],
        )
        .await
    }
}

impl TestApp {
    /// A browser session of `username`, signed in through the sign-in page: the
    /// `sc_session=<id>` pair to send back as a Cookie header.
    pub async fn page_cookie(&self, username: &str) -> String {
        let body = serde_urlencoded::to_string([("username", username), ("password", PASSWORD)])
            .expect("form");
        let r = self
            .request(
                Method::POST,
                "/login",
                None,
                Some("application/x-www-form-urlencoded"),
                body.into_bytes(),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        r.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("sc_session="))
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_string()
    }
}

impl TestApp {
    /// Adds a person of `post` (a post code) at `school` as the holder of token `t`; answers
    /// the person's id.
    pub async fn add_person(&self, t: &str, school: i64, name: &str, post: &str) -> i64 {
        let r = self
            .json(
                Method::POST,
                &format!("/api/v1/schools/{school}/people"),
                Some(t),
                &serde_json::json!({"name": name, "post": post, "phone": "13800001111"}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
        r.json()["id"].as_i64().expect("id")
    }
}
