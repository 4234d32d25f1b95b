//! The matrix template: the demo district, the matrix's own objects at each position, a
//! signed-in session for every demo account and the change-log triggers ([`super::changes`]).
//!
//! It is built once and cached on disk (a SQLite file, or a PostgreSQL template database, next
//! to the demo template and keyed like it: the demo's sources and the day, plus this suite's
//! sources), under a file lock so that parallel test processes (nextest runs one per case)
//! build it once and then only copy it. Sessions live in the database, so the tokens made at
//! build time work in every copy; each copy refreshes the sessions' times.

use super::changes;
use crate::common::{self, Template, TestApp};
use axum::http::{Method, StatusCode};
use safecampus::config::Config;
use safecampus::domain::Code;
use safecampus::domain::ids::OrgId;
use safecampus::domain::person::Post;
use safecampus::domain::role::Role;
use safecampus::storage::Operator;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;

pub const NONEXISTENT: i64 = 987_654;
pub const MULTIPART: &str = "multipart/form-data; boundary=----matrix-boundary";

/// The school codes of the three school positions.
pub const SCHOOLS: [&str; 3] = ["S001", "S002", "N001"];

/// A demo account of the matrix (or the anonymous caller, `role == None`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub role: Option<String>,
    /// The code of the org the account belongs to (CC, ED, NG, a school code).
    pub org: Option<String>,
    pub token: Option<String>,
    pub user_id: i64,
}

impl Account {
    pub fn role(&self) -> Option<Role> {
        self.role.as_deref().and_then(Role::parse)
    }
}

/// Ids of the objects at each position (index 0 = S001, 1 = S002, 2 = N001).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fixture {
    pub schools: [i64; 3],
    /// The district code of each school (ED, ED, NG).
    pub district_code: [String; 3],
    /// 二道区 (ED), the district of S001 and S002.
    pub ed: i64,
    /// 南关区 (NG), the district of N001.
    pub ng: i64,
    pub city: i64,
    /// A person of each school that no route removes.
    pub people: [i64; 3],
    /// A person per school and account, for the routes that remove one (`[school][account]`).
    pub fresh_people: [Vec<i64>; 3],
    pub zones: [i64; 3],
    /// Target accounts (staff of each school) for the user-administration routes.
    pub users: [i64; 3],
    /// For each school position, a staff account of another school of the same district (for
    /// the cross-inspection round's body).
    pub inspectors: [i64; 3],
    pub points: [i64; 3],
    /// A risk point of each school's half-month self-inspection (its first row).
    pub half_month_points: [i64; 3],
    /// Whether each school's current half-month is submitted already (the demo's history
    /// submits some, depending on the day): its answers are no longer saved one by one.
    pub half_month_submitted: [bool; 3],
    /// Catalogue items of 二道区 (positions 0 and 1) and 南关区 (position 2).
    pub items: [i64; 3],
    /// An inspection of each school (submitted by the city officer).
    pub inspections: [i64; 3],
    /// A campaign of the school's district targeting that school alone.
    pub campaigns: [i64; 3],
    /// A cross assignment targeting each school.
    pub crosses: [i64; 3],
    /// The demo account assigned to inspect `crosses[i]`, if one is (S001's by s002.staff,
    /// S002's by s001.staff; N001's by an account that is no demo account).
    pub cross_assignee: [Option<String>; 3],
    /// A reported hazard of each school (never moved on).
    pub hazards: [i64; 3],
    /// An assessed hazard (general, fix on the spot) per school and account, for the step
    /// routes: anyone in the loop may fix it on the spot, once (`[school][account]`).
    pub fresh_hazards: [Vec<i64>; 3],
    /// A pending grant to see the riders of each school's route whole, asked for by the
    /// school's guard, per account (`[school][account]`): a decision is taken once.
    pub fresh_grants: [Vec<i64>; 3],
    /// The same again, for the page's form.
    pub fresh_form_grants: [Vec<i64>; 3],
    /// An uploaded photo of each school.
    pub files: [i64; 3],
    /// A registered device of each school (in its zone, at its risk point).
    pub devices: [i64; 3],
    /// An acknowledged red warning of each school (its device's smoke alarm): dispatching it
    /// can be done again and again.
    pub warnings: [i64; 3],
    /// The gas rule's own value of the school's district (二道区 for 0 and 1, 南关区 for 2).
    pub rules: [i64; 3],
    /// An outbound notification channel of the school's district (a webhook nothing listens
    /// on; 二道区's for 0 and 1, 南关区's for 2).
    pub channels: [i64; 3],
    /// A drill of each school, planned a week ahead by its principal.
    pub drills: [i64; 3],
    /// A draft emergency plan of each school, by its safety director.
    pub plans: [i64; 3],
    /// An emergency plan of each school taken through review, publication and filing to
    /// evaluation (its findings may be recorded again and again).
    pub plans_evaluating: [i64; 3],
    /// An account that may join the expert pool of each school's district (二道区's
    /// inspector, 南关区's officer), the reviewer of `plans_evaluating`.
    pub expert_users: [i64; 3],
    /// A duty period of each school's district (yesterday to tomorrow) in which that school
    /// alone reports.
    pub duty_periods: [i64; 3],
    /// A phone spot check of each school in its duty period (answered), recorded by its
    /// district's officer.
    pub spot_checks: [i64; 3],
    /// An open incident of each school, its first report sent by its principal (with one
    /// person hurt named).
    pub incidents: [i64; 3],
    /// The work plan of each school's district (S001 and S002 share 二道区's).
    pub work_plans: [i64; 3],
    /// A responsibility letter of each school's district to its schools (one per position:
    /// S001's and S002's are two letters of 二道区), issued by its officer.
    pub letters: [i64; 3],
    /// A governance action of each school's district covering that school alone.
    pub governance_actions: [i64; 3],
    /// A camera of each school's security register.
    pub equipment: [i64; 3],
    /// A training of each school's guards, recorded by its principal.
    pub trainings: [i64; 3],
    /// A bus, an eligible driver, an attendant, a route and a planned trip of each school,
    /// registered by its principal.
    pub buses: [i64; 3],
    pub bus_drivers: [i64; 3],
    pub bus_attendants: [i64; 3],
    pub bus_routes: [i64; 3],
    pub bus_trips: [i64; 3],
    /// A rider of each school's route (imported by its principal).
    pub bus_riders: [i64; 3],
    /// A use permit applied for (not yet forwarded) per school and account (`[school][account]`).
    pub fresh_bus_permits: [Vec<i64>; 3],
    /// People of each school with the post `bus_driver` / `bus_attendant`, one per account,
    /// for the routes that register one (`[school][account]`).
    pub fresh_driver_people: [Vec<i64>; 3],
    pub fresh_attendant_people: [Vec<i64>; 3],
    /// The demo accounts, signed in, then the anonymous caller.
    pub accounts: Vec<Account>,
}

/// The built template and its fixture.
pub struct Matrix {
    pub template: Template,
    pub fx: Fixture,
}

/// A hash of this suite's own sources (a change rebuilds the template).
fn suite_hash() -> String {
    use sha2::{Digest, Sha256};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let suite = root.join("access_matrix");
    let mut files: Vec<PathBuf> = [suite.clone(), suite.join("spec")]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).expect("suite dir").flatten())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.push(root.join("common/mod.rs"));
    files.sort();
    let mut h = Sha256::new();
    h.update(common::seed_hash().as_bytes());
    for f in files {
        h.update(std::fs::read(&f).unwrap_or_default());
    }
    hex::encode(&h.finalize()[..6])
}

/// The matrix template, built or loaded once per process.
pub fn matrix() -> &'static Matrix {
    static M: OnceLock<Matrix> = OnceLock::new();
    M.get_or_init(|| {
        // Built on a thread of its own: callers may be inside a runtime.
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(load_or_build())
        })
        .join()
        .expect("the matrix template")
    })
}

async fn load_or_build() -> Matrix {
    let pg = common::backend() == "postgres";
    let hash = suite_hash();
    let tmp = std::env::temp_dir();
    let json = tmp.join(format!(
        "safecampus-matrix-{}-{hash}.json",
        if pg { "pg" } else { "sqlite" }
    ));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(tmp.join("safecampus-matrix.lock"))
        .expect("lock file");
    lock.lock().expect("lock the matrix template");
    let name = format!("sc_mtx_{hash}");
    let file = tmp.join(format!("safecampus-matrix-{hash}.db"));
    let template = if pg {
        Template::Postgres(name.clone())
    } else {
        Template::Sqlite(file.clone())
    };
    let exists = if pg {
        pg_exists(&name).await
    } else {
        file.exists()
    };
    if exists
        && let Ok(text) = std::fs::read_to_string(&json)
        && let Ok(fx) = serde_json::from_str::<Fixture>(&text)
    {
        lock.unlock().ok();
        return Matrix { template, fx };
    }
    let fx = build(&template, &json).await;
    lock.unlock().ok();
    Matrix { template, fx }
}

async fn pg_exists(name: &str) -> bool {
    use sea_orm::ConnectionTrait;
    let (pool, _) = common::sqlx_admin(&common::pg_admin()).await;
    let found = pool
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .expect("query")
        .is_some();
    pool.close().await.ok();
    found
}

/// Builds the template on a copy of the demo, then moves it into place.
async fn build(template: &Template, json: &std::path::Path) -> Fixture {
    let started = std::time::Instant::now();
    let mut app = TestApp::from_template(&common::demo_template().await, config()).await;
    let fx = objects(&mut app).await;
    // The change log's table and triggers are the owner's to make; the app's role (on
    // PostgreSQL it owns nothing) is then granted the log like every other table.
    let url = app.owner_url();
    let raw = sea_orm::Database::connect(&url).await.expect("connect");
    let tracked = changes::install(&raw).await;
    assert!(tracked.len() > 10, "tables tracked: {tracked:?}");
    raw.close().await.ok();
    let owner = safecampus::storage::Db::connect(&url)
        .await
        .expect("connect");
    common::grant_app_role(&owner).await;
    owner.close().await;
    app.db.checkpoint().await.expect("checkpoint");
    app.db.clone().close().await;
    std::fs::write(json, serde_json::to_string(&fx).expect("json")).expect("fixture file");
    match template {
        Template::Sqlite(file) => {
            let src = url
                .strip_prefix("sqlite://")
                .and_then(|u| u.split('?').next())
                .expect("sqlite url");
            let building = file.with_extension("building");
            std::fs::copy(src, &building).expect("copy the matrix template");
            std::fs::rename(&building, file).expect("template in place");
        }
        Template::Postgres(name) => {
            use sea_orm::ConnectionTrait;
            let built = url.rsplit('/').next().expect("db name").to_string();
            let (pool, _) = common::sqlx_admin(&common::pg_admin()).await;
            let old = pool
                .query_all_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT datname FROM pg_database WHERE datname LIKE 'sc_mtx_%'".to_string(),
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
            pool.execute_unprepared(&format!("ALTER DATABASE {built} RENAME TO {name}"))
                .await
                .expect("template in place");
            pool.close().await.ok();
        }
    }
    eprintln!(
        "access matrix: template built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    fx
}

/// A tiny valid PNG.
pub fn tiny_png() -> Vec<u8> {
    use image::ImageEncoder;
    let img = image::RgbImage::from_pixel(2, 2, image::Rgb([10, 120, 200]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), 2, 2, image::ExtendedColorType::Rgb8)
        .expect("png");
    out
}

/// A multipart body with text fields and `files` parts named `file` (tiny PNGs).
pub fn multipart(fields: &[(&str, String)], files: usize) -> Vec<u8> {
    let b = "----matrix-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for _ in 0..files {
        body.extend_from_slice(
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&tiny_png());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    body
}

async fn ok_json(app: &TestApp, m: Method, path: &str, t: &str, body: Value) -> Value {
    let r = app.json(m, path, Some(t), &body).await;
    assert!(r.status.is_success(), "{path}: {} {}", r.status, r.text());
    r.json()
}

async fn user_id(app: &TestApp, sysadmin: &str, username: &str) -> i64 {
    let r = app
        .get(&format!("/api/v1/users?q={username}"), Some(sysadmin))
        .await
        .json();
    r["items"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == username)
        .and_then(|u| u["id"].as_i64())
        .unwrap_or_else(|| panic!("no user {username}"))
}

/// Creates the matrix's objects and signs every demo account in.
async fn objects(app: &mut TestApp) -> Fixture {
    let t = app.login("city.officer").await;
    let sys = app.login("sysadmin").await;
    let mut schools = [0; 3];
    let mut district_code: [String; 3] = Default::default();
    for (i, c) in SCHOOLS.iter().enumerate() {
        schools[i] = app.org_id(c).await;
        let s = app
            .get(&format!("/api/v1/schools/{}", schools[i]), Some(&t))
            .await
            .json();
        district_code[i] = s["district"]["code"].as_str().expect("district").into();
    }
    let ed = app.org_id("ED").await;
    let ng = app.org_id("NG").await;
    let city = app.org_id("CC").await;
    let accounts_spec = safecampus::demo::accounts();
    let n_accounts = accounts_spec.len() + 1;

    let u = app.db.unsafe_unscoped(&Operator::command_line());
    let mut people = [0; 3];
    let mut fresh_people: [Vec<i64>; 3] = Default::default();
    let mut zones = [0; 3];
    let mut points = [0; 3];
    for i in 0..3 {
        let p = app
            .get(&format!("/api/v1/schools/{}/people", schools[i]), Some(&t))
            .await
            .json();
        people[i] = p[0]["id"].as_i64().expect("a person");
        let rows: Vec<(String, Post, String)> = (0..n_accounts)
            .map(|k| (format!("矩阵人员{k}"), Post::Teacher, String::new()))
            .collect();
        let mut tx = u.begin().await.expect("seed tx");
        fresh_people[i] = tx
            .people(OrgId(schools[i]), &rows)
            .await
            .expect("people")
            .into_iter()
            .map(|p| p.0)
            .collect();
        tx.commit().await.expect("commit");
        let z = app
            .get(&format!("/api/v1/schools/{}/zones", schools[i]), Some(&t))
            .await
            .json();
        zones[i] = z[0]["id"].as_i64().expect("a zone");
        let r = app
            .get(
                &format!("/api/v1/schools/{}/risk-points", schools[i]),
                Some(&t),
            )
            .await
            .json();
        points[i] = r["items"][0]["id"].as_i64().expect("a risk point");
    }
    let mut half_month_points = [0; 3];
    let mut half_month_submitted = [false; 3];
    for i in 0..3 {
        let r = app
            .get(
                &format!("/api/v1/schools/{}/checklist?kind=half_month", schools[i]),
                Some(&t),
            )
            .await
            .json();
        half_month_points[i] = r["items"][0]["risk_point_id"]
            .as_i64()
            .expect("a half-month point");
        let b = app
            .get(
                &format!("/api/v1/self-inspection-board?org_id={}", schools[i]),
                Some(&t),
            )
            .await
            .json();
        half_month_submitted[i] = b["schools"][0]["inspection_id"].as_i64().is_some();
    }
    let mut users = [0; 3];
    for (i, c) in SCHOOLS.iter().enumerate() {
        users[i] = u
            .create_user(
                &format!("target.{}", c.to_lowercase()),
                "目标账号",
                "Target#Passw0rd9",
                Role::Staff,
                Some(c),
            )
            .await
            .expect("target user")
            .0;
    }
    let mut inspectors = [0; 3];
    for (i, c) in ["S002", "S001", "N002"].iter().enumerate() {
        inspectors[i] = u
            .create_user(
                &format!("inspector.{}", c.to_lowercase()),
                "互查检查人",
                "Target#Passw0rd9",
                Role::Staff,
                Some(c),
            )
            .await
            .expect("inspector")
            .0;
    }
    let mut items = [0; 3];
    for (i, d) in [ed, ed, ng].iter().enumerate() {
        let r = app
            .get(
                &format!("/api/v1/risk-catalog?org_id={d}&per_page=2"),
                Some(&t),
            )
            .await
            .json();
        items[i] = r["items"][i % 2]["id"].as_i64().expect("a catalogue item");
    }
    let mut inspections = [0; 3];
    let mut campaigns = [0; 3];
    let mut hazards = [0; 3];
    let mut files = [0; 3];
    for i in 0..3 {
        let r = ok_json(
            app,
            Method::POST,
            &format!("/api/v1/schools/{}/inspections", schools[i]),
            &t,
            json!({"kind": "daily", "items": [{"risk_point_id": points[i], "result": "pass"}]}),
        )
        .await;
        inspections[i] = r["id"].as_i64().expect("an inspection");
        let district = if i == 2 { ng } else { ed };
        let r = ok_json(
            app,
            Method::POST,
            "/api/v1/campaigns",
            &t,
            json!({"name": format!("矩阵专项{i}"), "kind": "seasonal", "org_id": district,
                "starts_on": "2026-01-01", "ends_on": "2030-12-31", "school_ids": [schools[i]]}),
        )
        .await;
        campaigns[i] = r["campaign"]["id"]
            .as_i64()
            .or(r["id"].as_i64())
            .expect("a campaign");
        let r = ok_json(
            app,
            Method::POST,
            &format!("/api/v1/schools/{}/hazards", schools[i]),
            &t,
            json!({"title": "楼梯扶手松动", "aspect": "things", "category": "校舍"}),
        )
        .await;
        hazards[i] = r["id"].as_i64().expect("a hazard");
        // With a rectification notice (its printed notice is one of the routes).
        let path = format!("/api/v1/hazards/{}/actions", hazards[i]);
        ok_json(
            app,
            Method::POST,
            &path,
            &t,
            json!({"action": "assess", "level": "general", "treatment": "by_deadline"}),
        )
        .await;
        let deadline = safecampus::storage::risk_points::today() + chrono::Duration::days(30);
        ok_json(
            app,
            Method::POST,
            &path,
            &t,
            json!({"action": "issue_notice", "responsible_user_id": users[i],
                "measures": "更换楼梯扶手并加固", "funds": {"amount": "1200.50", "source": "学校公用经费"},
                "deadline": deadline, "interim_plan": "设置警示标志"}),
        )
        .await;
        let r = app
            .request(
                Method::POST,
                "/api/v1/files",
                Some(&t),
                Some(MULTIPART),
                multipart(&[("school_id", schools[i].to_string())], 1),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        files[i] = r.json()["id"].as_i64().expect("a file");
    }
    let mut devices = [0; 3];
    let mut device_tokens = Vec::new();
    for i in 0..3 {
        let r = app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{}/devices", schools[i]),
                Some(&t),
                &json!({"code": "MX-SMOKE-1", "kind": "smoke", "name": "矩阵烟感",
                    "zone_id": zones[i], "risk_point_id": points[i]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        devices[i] = r.json()["id"].as_i64().expect("a device");
        device_tokens.push(r.json()["token"].as_str().expect("a token").to_string());
    }
    // A smoke alarm of each school's device, acknowledged by the city officer.
    let mut warnings = [0; 3];
    for i in 0..3 {
        let at = chrono::Utc::now().to_rfc3339();
        let r = app
            .request(
                Method::POST,
                "/api/v1/ingest",
                None,
                Some("application/json"),
                serde_json::to_vec(&json!({"events": [
                    {"id": "mx-1", "at": at, "metric": "smoke", "value": 1}
                ]}))
                .expect("json"),
                &[("authorization", &format!("Device {}", device_tokens[i]))],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let list = app
            .get(
                &format!("/api/v1/warnings?org_id={}&open=true", schools[i]),
                Some(&t),
            )
            .await
            .json();
        warnings[i] = list["items"][0]["id"].as_i64().expect("a warning");
        ok_json(
            app,
            Method::POST,
            &format!("/api/v1/warnings/{}/actions", warnings[i]),
            &t,
            json!({"action": "acknowledge"}),
        )
        .await;
    }
    // Each district's own value of the gas rule.
    let mut district_rules = Vec::new();
    for officer in ["bureau.officer", "nanguan.officer"] {
        let o = app.login(officer).await;
        let rules = app.get("/api/v1/warning-rules", Some(&o)).await.json();
        let gas = rules
            .as_array()
            .expect("rules")
            .iter()
            .find(|r| r["code"] == "gas.gas_lel_pct.orange")
            .and_then(|r| r["id"].as_i64())
            .expect("the gas rule");
        let own = ok_json(
            app,
            Method::PATCH,
            &format!("/api/v1/warning-rules/{gas}"),
            &o,
            json!({"value": 20}),
        )
        .await;
        district_rules.push(own["id"].as_i64().expect("a rule"));
    }
    let rules = [district_rules[0], district_rules[0], district_rules[1]];
    // Each district's notification channel.
    let mut district_channels = Vec::new();
    for (officer, district) in [("bureau.officer", ed), ("nanguan.officer", ng)] {
        let o = app.login(officer).await;
        let r = app
            .json(
                Method::POST,
                "/api/v1/notification-channels",
                Some(&o),
                &json!({"org_id": district, "kind": "webhook", "name": "矩阵通道",
                    "target": "http://127.0.0.1:9/matrix"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        district_channels.push(r.json()["id"].as_i64().expect("a channel"));
    }
    let channels = [
        district_channels[0],
        district_channels[0],
        district_channels[1],
    ];
    // The cross round: two demo accounts inspect the sibling school; N001's inspector is no
    // demo account.
    let cross_assignee = [
        Some("s002.staff".to_string()),
        Some("s001.staff".to_string()),
        None,
    ];
    let mut pairs = Vec::new();
    for i in 0..3 {
        let inspector = match &cross_assignee[i] {
            Some(name) => user_id(app, &sys, name).await,
            None => inspectors[i],
        };
        pairs.push(json!({"inspector_user_id": inspector, "target_school_id": schools[i]}));
    }
    let r = ok_json(
        app,
        Method::POST,
        "/api/v1/cross-assignments",
        &t,
        json!({"round_name": "矩阵互查", "starts_on": "2026-01-01", "ends_on": "2030-12-31", "pairs": pairs}),
    )
    .await;
    let mut crosses = [0; 3];
    for (i, a) in r.as_array().expect("assignments").iter().enumerate() {
        crosses[i] = a["id"].as_i64().expect("an assignment");
    }
    // A planned drill of each school, by its principal.
    let mut drills = [0; 3];
    for (i, c) in SCHOOLS.iter().enumerate() {
        let p = app.login(&format!("{}.principal", c.to_lowercase())).await;
        let on = safecampus::storage::risk_points::today() + chrono::Duration::days(7);
        let r = ok_json(
            app,
            Method::POST,
            &format!("/api/v1/schools/{}/drills", schools[i]),
            &p,
            json!({"kind": "fire", "planned_on": on}),
        )
        .await;
        drills[i] = r["id"].as_i64().expect("a drill");
    }
    // Emergency plans: a draft per school, and one taken to evaluation, reviewed by an expert
    // joined to its district's pool.
    let mut plans = [0; 3];
    let mut plans_evaluating = [0; 3];
    let mut expert_users = [0; 3];
    for (i, c) in SCHOOLS.iter().enumerate() {
        let code = c.to_lowercase();
        let safety = app.login(&format!("{code}.safety")).await;
        let principal = app.login(&format!("{code}.principal")).await;
        let (officer, expert_name) = if i == 2 {
            ("nanguan.officer", "nanguan.officer")
        } else {
            ("bureau.officer", "bureau.inspector")
        };
        let o = app.login(officer).await;
        let reviewer = app.login(expert_name).await;
        let new_plan =
            |title: &str, kind: &str| json!({"title": title, "plan_type": kind, "form": "topic"});
        let path = format!("/api/v1/schools/{}/emergency-plans", schools[i]);
        let r = ok_json(
            app,
            Method::POST,
            &path,
            &safety,
            new_plan("矩阵预案草稿", "fire"),
        )
        .await;
        plans[i] = r["id"].as_i64().expect("a plan");
        let r = ok_json(
            app,
            Method::POST,
            &path,
            &safety,
            new_plan("矩阵评估预案", "earthquake"),
        )
        .await;
        let id = r["id"].as_i64().expect("a plan");
        expert_users[i] = user_id(app, &sys, expert_name).await;
        let e = ok_json(
            app,
            Method::POST,
            "/api/v1/plan-experts",
            &o,
            json!({"user_id": expert_users[i], "speciality": "矩阵"}),
        )
        .await;
        let steps = [
            (&safety, json!({"action": "submit_review"})),
            (
                &o,
                json!({"action": "assign_reviewer", "expert_id": e["id"]}),
            ),
            (
                &reviewer,
                json!({"action": "review", "conclusion": "agree", "note": "矩阵评审"}),
            ),
            (&o, json!({"action": "approve", "note": "矩阵纪要"})),
            (&principal, json!({"action": "publish"})),
            (&safety, json!({"action": "file", "filing_no": "MX-001"})),
            (&safety, json!({"action": "start_evaluation"})),
        ];
        let path = format!("/api/v1/emergency-plans/{id}/actions");
        for (t, body) in steps {
            ok_json(app, Method::POST, &path, t, body).await;
        }
        plans_evaluating[i] = id;
    }
    // A duty period per school, set up by its district's officer, the school its only unit.
    let mut duty_periods = [0; 3];
    for i in 0..3 {
        let officer = if i == 2 {
            "nanguan.officer"
        } else {
            "bureau.officer"
        };
        let o = app.login(officer).await;
        let today = safecampus::storage::risk_points::today();
        let r = ok_json(
            app,
            Method::POST,
            "/api/v1/duty-periods",
            &o,
            json!({"name": format!("矩阵值班{i}"), "first": today - chrono::Duration::days(1),
                "last": today + chrono::Duration::days(1), "school_ids": [schools[i]]}),
        )
        .await;
        duty_periods[i] = r["id"].as_i64().expect("a duty period");
    }
    let mut spot_checks = [0; 3];
    for i in 0..3 {
        let officer = if i == 2 {
            "nanguan.officer"
        } else {
            "bureau.officer"
        };
        let o = app.login(officer).await;
        let r = ok_json(
            app,
            Method::POST,
            &format!("/api/v1/duty-periods/{}/spot-checks", duty_periods[i]),
            &o,
            json!({"school_id": schools[i], "answered": true, "phone": "0431-88886666"}),
        )
        .await;
        spot_checks[i] = r["id"].as_i64().expect("a spot check");
    }
    // A work plan of each school's district, written by its officer (a year of its own).
    let mut work_plans = [0; 3];
    for i in 0..3 {
        if let Some(j) = (0..i).find(|j| district_code[*j] == district_code[i]) {
            work_plans[i] = work_plans[j];
            continue;
        }
        let (officer, district) = if district_code[i] == "ED" {
            ("bureau.officer", ed)
        } else {
            ("nanguan.officer", ng)
        };
        let o = app.login(officer).await;
        let r = ok_json(
            app,
            Method::POST,
            "/api/v1/work-plans",
            &o,
            json!({"district_id": district, "year": 2090, "title": "矩阵工作要点",
                "items": [{"number": 1, "title": "矩阵条目", "obligations": [{"who": "schools",
                "evidence": "meeting", "kind": "school_analysis", "every": "month", "count": 1}]}]}),
        )
        .await;
        work_plans[i] = r["id"].as_i64().expect("a work plan");
    }
    // A responsibility letter of each school's district per position, by its officer.
    let mut letters = [0; 3];
    for i in 0..3 {
        let (officer, district) = if district_code[i] == "ED" {
            ("bureau.officer", ed)
        } else {
            ("nanguan.officer", ng)
        };
        let o = app.login(officer).await;
        let r = ok_json(
            app,
            Method::POST,
            "/api/v1/responsibility-letters",
            &o,
            json!({"org_id": district, "year": 2090, "title": format!("矩阵责任书{i}"),
                "body": "矩阵责任内容"}),
        )
        .await;
        letters[i] = r["id"].as_i64().expect("a letter");
    }
    // A governance action of each school's district covering that school alone; a camera of
    // each school's security register and a training of its guards, by its principal.
    let mut governance_actions = [0; 3];
    let mut equipment = [0; 3];
    let mut trainings = [0; 3];
    for i in 0..3 {
        let officer = if district_code[i] == "ED" {
            "bureau.officer"
        } else {
            "nanguan.officer"
        };
        let o = app.login(officer).await;
        let today = safecampus::storage::risk_points::today();
        let r = ok_json(
            app,
            Method::POST,
            "/api/v1/governance-actions",
            &o,
            json!({"kind": "concentrated", "title": format!("矩阵整治{i}"), "starts_on": today,
                "ends_on": today, "checklist": ["矩阵检查"], "school_ids": [schools[i]]}),
        )
        .await;
        governance_actions[i] = r["id"].as_i64().expect("an action");
        let p = app
            .login(&format!("{}.principal", SCHOOLS[i].to_lowercase()))
            .await;
        let r = ok_json(
            app,
            Method::POST,
            &format!("/api/v1/schools/{}/security-equipment", schools[i]),
            &p,
            json!({"kind": "camera", "name": "矩阵摄像头", "retention_days": 30}),
        )
        .await;
        equipment[i] = r["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|e| e["name"] == "矩阵摄像头")
            .and_then(|e| e["id"].as_i64())
            .expect("the camera");
        let r = ok_json(
            app,
            Method::POST,
            "/api/v1/trainings",
            &p,
            json!({"org_id": schools[i], "group": "guards", "held_on": today,
                "topic": "矩阵保安培训", "hours": 2.0, "attendee_count": 3}),
        )
        .await;
        trainings[i] = r["id"].as_i64().expect("a training");
    }
    // A bus, driver, attendant, route and planned trip of each school, by its principal; a
    // permit application per account; people to register as drivers and attendants.
    let mut buses = [0; 3];
    let mut bus_drivers = [0; 3];
    let mut bus_attendants = [0; 3];
    let mut bus_routes = [0; 3];
    let mut bus_trips = [0; 3];
    let mut bus_riders = [0; 3];
    let mut fresh_bus_permits: [Vec<i64>; 3] = Default::default();
    let mut fresh_driver_people: [Vec<i64>; 3] = Default::default();
    let mut fresh_attendant_people: [Vec<i64>; 3] = Default::default();
    for i in 0..3 {
        let u = app.db.unsafe_unscoped(&Operator::command_line());
        let mut tx = u.begin().await.expect("seed tx");
        let rows: Vec<(String, Post, String)> = (0..=n_accounts)
            .map(|k| (format!("矩阵司机{k}"), Post::BusDriver, String::new()))
            .collect();
        let mut drivers: Vec<i64> = tx
            .people(OrgId(schools[i]), &rows)
            .await
            .expect("drivers")
            .into_iter()
            .map(|p| p.0)
            .collect();
        let rows: Vec<(String, Post, String)> = (0..=n_accounts)
            .map(|k| (format!("矩阵照管员{k}"), Post::BusAttendant, String::new()))
            .collect();
        let mut attendants: Vec<i64> = tx
            .people(OrgId(schools[i]), &rows)
            .await
            .expect("attendants")
            .into_iter()
            .map(|p| p.0)
            .collect();
        tx.commit().await.expect("commit");
        let driver_person = drivers.pop().expect("a driver");
        let attendant_person = attendants.pop().expect("an attendant");
        fresh_driver_people[i] = drivers;
        fresh_attendant_people[i] = attendants;
        let p = app
            .login(&format!("{}.principal", SCHOOLS[i].to_lowercase()))
            .await;
        let today = safecampus::storage::risk_points::today();
        let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
        let r = ok_json(
            app,
            Method::POST,
            &format!("/api/v1/schools/{}/buses", schools[i]),
            &p,
            json!({"plate": format!("吉M·{i}0000"), "owner": "矩阵校车公司", "seats": 19,
                "bus_type": "primary", "inspection_until": day(150),
                "insurance_until": day(200)}),
        )
        .await;
        buses[i] = r["id"].as_i64().expect("a bus");
        let r = ok_json(
            app,
            Method::POST,
            &format!("/api/v1/schools/{}/bus-drivers", schools[i]),
            &p,
            json!({"person_id": driver_person, "licence_class": "a1",
                "licensed_since": "2005-07-01", "birth_date": "1980-03-15",
                "health_certificate_until": day(300), "annual_review_until": day(300),
                "review_study_hours": 3.5}),
        )
        .await;
        bus_drivers[i] = r["id"].as_i64().expect("a driver");
        let r = ok_json(
            app,
            Method::POST,
            &format!("/api/v1/schools/{}/bus-attendants", schools[i]),
            &p,
            json!({"person_id": attendant_person, "birth_date": "1985-01-01",
                "trainings": [{"on": day(-30), "hours": 4.0, "topic": "应急处置"}]}),
        )
        .await;
        bus_attendants[i] = r["id"].as_i64().expect("an attendant");
        let r = ok_json(
            app,
            Method::POST,
            &format!("/api/v1/schools/{}/bus-routes", schools[i]),
            &p,
            json!({"name": "矩阵一号线", "stops": [
                {"name": "东站", "lat": 43.880, "lon": 125.300, "time": "07:00"},
                {"name": "学校", "lat": 43.880, "lon": 125.320, "time": "07:20"}]}),
        )
        .await;
        bus_routes[i] = r["id"].as_i64().expect("a route");
        let sheet = safecampus::xlsx::write_sheet(
            "riders",
            &["学生姓名", "班级", "站点", "监护人", "电话"].map(String::from),
            &[[
                "矩阵乘车学生",
                "一年级一班",
                "东站",
                "矩阵监护人",
                "13800003333",
            ]
            .map(|c| safecampus::xlsx::Cell::Text(c.into()))
            .to_vec()],
        )
        .expect("a riders' workbook");
        let r = app
            .request(
                Method::POST,
                &format!("/api/v1/bus-routes/{}/riders/import", bus_routes[i]),
                Some(&p),
                Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                sheet,
                &[],
            )
            .await;
        assert_eq!(r.json()["created"], 1, "{}", r.text());
        let r = app
            .get(
                &format!("/api/v1/bus-routes/{}/riders", bus_routes[i]),
                Some(&p),
            )
            .await;
        bus_riders[i] = r.json()["riders"][0]["id"].as_i64().expect("a rider");
        let r = ok_json(
            app,
            Method::POST,
            "/api/v1/bus-trips",
            &p,
            json!({"route_id": bus_routes[i], "vehicle_id": buses[i],
                "driver_id": bus_drivers[i], "attendant_ids": [bus_attendants[i]],
                "run": "矩阵早班"}),
        )
        .await;
        bus_trips[i] = r["id"].as_i64().expect("a trip");
        for _ in 0..n_accounts {
            let r = ok_json(
                app,
                Method::POST,
                "/api/v1/bus-permits",
                &p,
                json!({"school_id": schools[i], "vehicle_id": buses[i],
                    "route_id": bus_routes[i], "driver_ids": [bus_drivers[i]],
                    "operating_times": "07:00–07:20", "safety_rules": "矩阵校车安全制度"}),
            )
            .await;
            fresh_bus_permits[i].push(r["id"].as_i64().expect("a permit"));
        }
    }
    // An open incident per school, reported by its principal.
    let mut incidents = [0; 3];
    for (i, c) in SCHOOLS.iter().enumerate() {
        let p = app.login(&format!("{}.principal", c.to_lowercase())).await;
        let now = chrono::Utc::now();
        let r = ok_json(
            app,
            Method::POST,
            "/api/v1/incidents",
            &p,
            json!({"school_id": schools[i], "incident_type": "fall", "level": "general",
                "occurred_at": now - chrono::Duration::minutes(30),
                "known_at": now - chrono::Duration::minutes(20),
                "place": "矩阵操场", "summary": "矩阵事件", "injured": 1,
                "persons": [{"name": "矩阵学生", "casualty": "injured"}],
                "reporter": "矩阵校长", "phone": "13900001111"}),
        )
        .await;
        incidents[i] = r["incident"]["id"].as_i64().expect("an incident");
    }
    // A pending grant per school and account, asked for by the school's guard.
    let mut fresh_grants: [Vec<i64>; 3] = Default::default();
    let mut fresh_form_grants: [Vec<i64>; 3] = Default::default();
    for i in 0..3 {
        let g = app
            .login(&format!("{}.guard", SCHOOLS[i].to_lowercase()))
            .await;
        for k in 0..2 * n_accounts {
            let r = ok_json(
                app,
                Method::POST,
                "/api/v1/pii-grants",
                &g,
                json!({"subject": "bus_riders", "object_id": bus_routes[i],
                    "reason": format!("矩阵核对名单{k}"), "hours": 2}),
            )
            .await;
            let id = r["id"].as_i64().expect("a grant");
            if k < n_accounts {
                fresh_grants[i].push(id);
            } else {
                fresh_form_grants[i].push(id);
            }
        }
    }
    // An assessed hazard per school and account.
    let mut fresh_hazards: [Vec<i64>; 3] = Default::default();
    for i in 0..3 {
        for k in 0..n_accounts {
            let r = ok_json(
                app,
                Method::POST,
                &format!("/api/v1/schools/{}/hazards", schools[i]),
                &t,
                json!({"title": format!("矩阵隐患{k}"), "aspect": "things", "category": "校舍"}),
            )
            .await;
            let id = r["id"].as_i64().expect("a hazard");
            ok_json(
                app,
                Method::POST,
                &format!("/api/v1/hazards/{id}/actions"),
                &t,
                json!({"action": "assess", "level": "general", "treatment": "fix_on_spot"}),
            )
            .await;
            fresh_hazards[i].push(id);
        }
    }
    let mut accounts = Vec::new();
    for (name, role, org) in &accounts_spec {
        let token = app.login(name).await;
        let user_id = user_id(app, &sys, name).await;
        accounts.push(Account {
            name: name.clone(),
            role: Some(role.as_str().to_string()),
            org: org.map(str::to_string),
            token: Some(token),
            user_id,
        });
    }
    accounts.push(Account {
        name: "anonymous".into(),
        role: None,
        org: None,
        token: None,
        user_id: 0,
    });
    Fixture {
        schools,
        district_code,
        ed,
        ng,
        city,
        people,
        fresh_people,
        zones,
        users,
        inspectors,
        points,
        half_month_points,
        half_month_submitted,
        items,
        inspections,
        campaigns,
        crosses,
        cross_assignee,
        hazards,
        fresh_hazards,
        fresh_grants,
        fresh_form_grants,
        files,
        devices,
        warnings,
        rules,
        channels,
        drills,
        plans,
        plans_evaluating,
        expert_users,
        duty_periods,
        spot_checks,
        incidents,
        work_plans,
        letters,
        governance_actions,
        equipment,
        trainings,
        buses,
        bus_drivers,
        bus_attendants,
        bus_routes,
        bus_trips,
        bus_riders,
        fresh_bus_permits,
        fresh_driver_people,
        fresh_attendant_people,
        accounts,
    }
}

/// The configuration of every app of the matrix: the defaults, with the administrators'
/// shorter idle timeout lifted to the others' (one run is longer than ten minutes, and an
/// administrator's case may come late in it on a session signed in at the start).
pub fn config() -> Config {
    let mut c = Config::default();
    c.security.admin_idle_timeout_minutes = c.security.idle_timeout_minutes;
    // Accounts sign in with the password alone (the second factor: tests/http_mfa.rs).
    c.security.mfa_required_roles.clear();
    c
}
