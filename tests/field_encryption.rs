//! T-PR-2: minors' and guardians' data (bus riders, the people an incident report names) and
//! the second factor's secrets are sealed at rest with the field key. Sentinels written
//! through the API are absent from the SQLite file, its WAL and a backup (on PostgreSQL: from
//! the raw column values and `pg_dump`), while the granted roles still read them; a wrong or
//! missing key refuses to start; a value moved to another column does not open; a rotation
//! seals everything again with the new key, after which the old one is not needed; a plain row
//! of an older database is sealed at start.

mod common;
use axum::http::{Method, StatusCode};
use common::{TestApp, expect};
use safecampus::config::{Config, Security};
use safecampus::storage::Db;
use safecampus::storage::sealed::{self, Column, FieldKey, Keyring};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

/// The sentinels: a rider, the rider's class, guardian and phone, a hurt pupil and a note.
const RIDER: &str = "甄哨兵童";
const CLASS: &str = "哨兵九年级三班";
const GUARDIAN: &str = "甄哨兵家长";
const PHONE: &str = "13755550123";
const HURT: &str = "贾哨兵伤童";
const NOTE: &str = "哨兵左臂骨折";
const SENTINELS: &[&str] = &[RIDER, CLASS, GUARDIAN, PHONE, HURT, NOTE];

/// A route of S001 with the sentinel rider imported; answers the route id.
async fn rider_route(app: &mut TestApp) -> i64 {
    common::riders::route_with_riders(
        app,
        "哨兵线",
        &[
            [RIDER, CLASS, "东站", GUARDIAN, PHONE],
            ["乙同学", "一年级一班", "学校", "", ""],
        ],
    )
    .await
}

/// An incident of S001 naming the sentinel pupil; answers its id.
async fn incident(app: &mut TestApp) -> i64 {
    let school = app.org_id("S001").await;
    let p = app.login("s001.principal").await;
    let now = chrono::Utc::now();
    let r = app
        .json(
            Method::POST,
            "/api/v1/incidents",
            Some(&p),
            &json!({
                "school_id": school,
                "incident_type": "fall",
                "level": "general",
                "occurred_at": now - chrono::Duration::minutes(30),
                "known_at": now - chrono::Duration::minutes(20),
                "place": "操场",
                "summary": "课间一名学生在操场摔倒。",
                "measures": "校医处置，通知家长。",
                "injured": 1,
                "persons": [{"name": HURT, "casualty": "injured", "age": 9, "note": NOTE}],
                "reporter": "李校长",
                "phone": "0431-88886666"
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["incident"]["id"].as_i64().expect("incident id")
}

async fn riders_unmasked(app: &mut TestApp, route: i64) -> common::Resp {
    let p = app.login("s001.principal").await;
    app.get(
        &format!("/api/v1/bus-routes/{route}/riders?unmasked=1&reason=核对名单"),
        Some(&p),
    )
    .await
}

async fn raw_values(app: &TestApp, col: Column) -> Vec<String> {
    let c = app.raw().await;
    let rows = c
        .query_all_raw(Statement::from_string(
            c.get_database_backend(),
            format!("SELECT {} AS v FROM {}", col.column, col.table),
        ))
        .await
        .expect("read column");
    c.close().await.ok();
    rows.iter()
        .map(|r| r.try_get::<String>("", "v").expect("text"))
        .collect()
}

fn sqlite_file(app: &TestApp) -> std::path::PathBuf {
    let url = &app.owner_url();
    let path = url.strip_prefix("sqlite://").expect("a SQLite file");
    std::path::PathBuf::from(path.split('?').next().unwrap())
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn the_key() -> Keyring {
    Keyring::new(
        FieldKey::from_base64(common::FIELD_KEY).unwrap(),
        Vec::new(),
    )
}

/// A key file of its own in `dir`, with its base64 text.
fn key_file(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, String, String) {
    let (k, text) = FieldKey::generate();
    let path = dir.join(name);
    std::fs::write(&path, &text).unwrap();
    (path, text, k.id().to_string())
}

fn security_with(file: Option<std::path::PathBuf>, old: Vec<std::path::PathBuf>) -> Security {
    Security {
        field_key_file: file,
        field_old_key_files: old,
        ..Security::default()
    }
}

/// Runs the binary with `args` on the app's database and the given environment; a run that
/// does not end within a minute is killed and counts as not refused.
fn run_binary(app: &TestApp, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let dir = common::tempdir::Dir::new();
    let conf = dir.0.join("c.toml");
    std::fs::write(
        &conf,
        "listen = \"127.0.0.1:0\"\npublic_url = \"http://x\"\n[ops]\nallow_unsafe_durability = true\n[jobs]\nenabled = false\n",
    )
    .unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_safecampus"));
    cmd.arg("--config")
        .arg(&conf)
        .args(args)
        .env("SAFECAMPUS_DATABASE_URL", app.owner_url())
        .env("SAFECAMPUS_MQTT_ENABLED", "0")
        .env_remove("SAFECAMPUS_FIELD_KEY")
        .env_remove("SAFECAMPUS_FIELD_KEY_OLD")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.wait_with_output().expect("output")
}

#[tokio::test(flavor = "multi_thread")]
async fn sentinels_are_sealed_on_disk_in_backups_and_dumps_but_shown_to_granted_roles() {
    let mut config = Config::default();
    config.security.mfa_required_roles = vec!["bureau_officer".into()];
    let mut app = TestApp::with_mfa(config).await;
    let route = rider_route(&mut app).await;
    let id = incident(&mut app).await;
    // An enrolment of the second factor: the secret waits sealed for its first code.
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": "bureau.officer", "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(r.json()["mfa_enrolment_required"], true, "{}", r.text());
    let pending = r.json()["token"].as_str().unwrap().to_string();
    let s = app.get("/api/v1/auth/mfa", Some(&pending)).await.json();
    let secret = s["secret"].as_str().expect("secret").to_string();
    assert_eq!(secret.len(), 32);
    let mut sentinels: Vec<&str> = SENTINELS.to_vec();
    sentinels.push(&secret);

    // The granted roles still read them.
    let r = riders_unmasked(&mut app, route).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    for s in [RIDER, CLASS, GUARDIAN, PHONE] {
        assert!(r.text().contains(s), "{s}: {}", r.text());
    }
    let p = app.login("s001.principal").await;
    let r = app
        .get(&format!("/api/v1/incidents/{id}/persons"), Some(&p))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains(HURT) && r.text().contains(NOTE));
    // The export of the riders opens them too.
    let x = app
        .get(
            &format!("/api/v1/bus-routes/{route}/riders/export.xlsx?unmasked=1&reason=核对名单"),
            Some(&p),
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let rows = safecampus::xlsx::read_first_sheet(&x.body, &Default::default()).unwrap();
    assert!(
        rows.iter()
            .any(|r| r.iter().any(|c| c == RIDER) && r.iter().any(|c| c == PHONE)),
        "the export shows the rider: {rows:?}"
    );

    // Every stored value of a sealed column is sealed, and none holds a sentinel.
    for &col in sealed::COLUMNS {
        let values = raw_values(&app, col).await;
        assert!(!values.is_empty(), "{} has rows", col.name());
        for v in &values {
            assert!(sealed::is_sealed(v), "{} holds a plain value", col.name());
            assert!(!sentinels.iter().any(|s| v.contains(s)));
        }
    }
    let names = raw_values(&app, sealed::RIDER_NAME).await;
    assert!(
        names
            .iter()
            .any(|v| the_key().open(sealed::RIDER_NAME, v).as_deref() == Ok(RIDER)),
        "the sentinel is stored, sealed"
    );

    if common::backend() == "postgres" {
        let url = app.owner_url();
        let out = std::process::Command::new("pg_dump")
            .arg(format!("--dbname={url}"))
            .output();
        match out {
            Ok(o) if o.status.success() => {
                assert!(o.stdout.len() > 10_000, "a whole dump");
                for s in &sentinels {
                    assert!(!contains(&o.stdout, s), "pg_dump holds {s}");
                }
                assert!(
                    contains(&o.stdout, "sc1:"),
                    "the dump holds the sealed values"
                );
            }
            // pg_dump of another major version than the server's refuses: the raw columns
            // above are the check then.
            Ok(o) => eprintln!("pg_dump: {}", String::from_utf8_lossy(&o.stderr)),
            Err(e) => eprintln!("pg_dump not run: {e}"),
        }
        return;
    }
    // SQLite: the file and its WAL as they are now (the writes may still be in the WAL), then
    // a backup.
    let file = sqlite_file(&app);
    let mut wal = file.clone().into_os_string();
    wal.push("-wal");
    let db_bytes = std::fs::read(&file).expect("db file");
    let wal_bytes = std::fs::read(&wal).unwrap_or_default();
    assert!(contains(&db_bytes, "sc1:") || contains(&wal_bytes, "sc1:"));
    for s in &sentinels {
        assert!(!contains(&db_bytes, s), ".db holds {s}");
        assert!(!contains(&wal_bytes, s), "-wal holds {s}");
    }
    let dir = common::tempdir::Dir::new();
    let out = dir.0.join("backup.db");
    app.db.backup_to(&out).await.expect("backup");
    let backup = std::fs::read(&out).expect("backup file");
    assert!(contains(&backup, "sc1:"));
    for s in &sentinels {
        assert!(!contains(&backup, s), "the backup holds {s}");
    }
    // After a checkpoint the file alone holds everything: still sealed.
    app.db.checkpoint().await.expect("checkpoint");
    let db_bytes = std::fs::read(&file).expect("db file");
    for s in &sentinels {
        assert!(!contains(&db_bytes, s), ".db holds {s} after a checkpoint");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_or_missing_key_refuses_to_start_with_a_clear_error() {
    let mut app = TestApp::new().await;
    rider_route(&mut app).await;
    let url = app.owner_url();
    let dir = common::tempdir::Dir::new();
    let (other, other_text, other_id) = key_file(&dir.0, "other.key");

    // Through the library, as every start does.
    let mut db = Db::connect(&url).await.unwrap();
    let e = db
        .open_field_keys(&security_with(Some(other.clone()), vec![]), &url)
        .await
        .expect_err("a wrong key is refused");
    let msg = format!("{e:#}");
    let right = the_key().current_id().unwrap().to_string();
    assert!(
        msg.contains("does not match") && msg.contains(&right) && msg.contains(&other_id),
        "{msg}"
    );
    let e = db
        .open_field_keys(&security_with(None, vec![]), &url)
        .await
        .expect_err("no key is refused");
    let msg = format!("{e:#}");
    if common::backend() == "postgres" {
        assert!(msg.contains("PostgreSQL needs"), "{msg}");
    } else {
        assert!(msg.contains("no field key is configured"), "{msg}");
        assert!(
            !std::path::Path::new(&format!("{}.key", sqlite_file(&app).display())).exists(),
            "no key file is made for a database that holds sealed values"
        );
    }
    // A broken key file is named.
    let bad = dir.0.join("bad.key");
    std::fs::write(&bad, "short").unwrap();
    let e = db
        .open_field_keys(&security_with(Some(bad), vec![]), &url)
        .await
        .expect_err("a malformed key");
    assert!(format!("{e:#}").contains("bad.key"), "{e:#}");
    db.close().await;

    // The binary: `serve` with a wrong key stops before listening, saying why.
    let out = run_binary(&app, &["serve"], &[("SAFECAMPUS_FIELD_KEY", &other_text)]);
    assert!(!out.status.success(), "refused");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("field key does not match") && err.contains("refusing to start"),
        "{err}"
    );
    assert!(!err.contains(&other_text), "the key is never printed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_value_moved_to_another_column_does_not_open() {
    let mut app = TestApp::new().await;
    let route = rider_route(&mut app).await;
    let names = raw_values(&app, sealed::RIDER_NAME).await;
    let sealed_name = names
        .iter()
        .find(|v| the_key().open(sealed::RIDER_NAME, v).as_deref() == Ok(RIDER))
        .expect("the sentinel's sealed name")
        .clone();
    // The same bytes in the guardian's column, or as a TOTP secret, do not open.
    for col in [
        sealed::RIDER_GUARDIAN,
        sealed::MFA_SECRET,
        sealed::INCIDENT_PERSONS,
    ] {
        let e = the_key().open(col, &sealed_name).unwrap_err();
        assert!(
            e.to_string().contains(&col.name()) && e.to_string().contains("wrong field key"),
            "{e}"
        );
    }
    // Moved in the database, the list fails closed: an error, no name.
    app.sql(&format!(
        "UPDATE bus_riders SET guardian = '{sealed_name}' WHERE route_id = {route}"
    ))
    .await;
    let r = riders_unmasked(&mut app, route).await;
    expect(&r, 500, "internal");
    assert!(!r.text().contains(RIDER));
    let p = app.login("s001.principal").await;
    let r = app
        .get(&format!("/api/v1/bus-routes/{route}/riders"), Some(&p))
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_reseals_everything_and_the_old_key_is_then_not_needed() {
    let mut app = TestApp::new().await;
    let route = rider_route(&mut app).await;
    let id = incident(&mut app).await;
    let url = app.owner_url();
    let dir = common::tempdir::Dir::new();
    let (new_file, new_text, new_id) = key_file(&dir.0, "new.key");
    let old_id = the_key().current_id().unwrap().to_string();

    // Without the old key the new one alone does not start.
    let out = run_binary(
        &app,
        &["admin", "rotate-field-key"],
        &[("SAFECAMPUS_FIELD_KEY", &new_text)],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&old_id), "names the key it needs: {err}");

    let out = run_binary(
        &app,
        &["admin", "rotate-field-key"],
        &[
            ("SAFECAMPUS_FIELD_KEY", &new_text),
            ("SAFECAMPUS_FIELD_KEY_OLD", common::FIELD_KEY),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("sealed again with field key") && stdout.contains(&new_id));

    // Every value now names the new key.
    for &col in sealed::COLUMNS {
        for v in raw_values(&app, col).await {
            assert_eq!(sealed::key_id(&v), Some(new_id.as_str()), "{}", col.name());
        }
    }
    // Audited, with no value.
    let audit = app.audit("action=field_key.rotate").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    let detail = audit[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("values=") && detail.contains(&old_id),
        "{detail}"
    );
    assert!(SENTINELS.iter().all(|s| !audit[0].to_string().contains(s)));

    // The new key alone now starts, and the old one alone is refused.
    let mut db = Db::connect(&url).await.unwrap();
    let e = db
        .open_field_keys(&security_with(Some(common::field_key_file()), vec![]), &url)
        .await
        .expect_err("the old key no longer opens the database");
    assert!(format!("{e:#}").contains("does not match"), "{e:#}");
    let opened = db
        .open_field_keys(&security_with(Some(new_file.clone()), vec![]), &url)
        .await
        .expect("the new key alone");
    assert_eq!((opened.key_id.as_str(), opened.older), (new_id.as_str(), 0));
    db.close().await;
    let mut config = Config::default();
    config.security.field_key_file = Some(new_file);
    let mut rotated = TestApp::on_database(&url, config).await;
    let r = riders_unmasked(&mut rotated, route).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains(RIDER) && r.text().contains(PHONE));
    let p = rotated.login("s001.principal").await;
    let r = rotated
        .get(&format!("/api/v1/incidents/{id}/persons"), Some(&p))
        .await;
    assert!(r.text().contains(HURT), "{}", r.text());
    // A rotation of a database already on its key changes nothing.
    let again = rotated
        .db
        .rotate_field_keys(&safecampus::storage::Operator::command_line())
        .await
        .expect("rotate");
    assert_eq!(again.resealed, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plain_row_of_an_older_database_is_sealed_at_start() {
    let mut app = TestApp::new().await;
    let route = rider_route(&mut app).await;
    let id = incident(&mut app).await;
    let url = app.owner_url();
    // Rows as a database from before field encryption holds them.
    app.sql(&format!(
        "INSERT INTO bus_riders (school_id, route_id, name, class_name, stop, guardian, phone, created_at) \
         SELECT school_id, route_id, '旧哨兵童', '旧班', '东站', '旧家长', '13600001111', created_at \
         FROM bus_riders WHERE route_id = {route} AND id = (SELECT MIN(id) FROM bus_riders WHERE route_id = {route})"
    ))
    .await;
    app.sql(&format!(
        "INSERT INTO incident_reports (incident_id, seq, kind, level, deaths, injured, missing, \
         summary, measures, persons, persons_named, reporter, phone, due_at, late_minutes, \
         sent_at, sent_by, sent_by_name) \
         SELECT incident_id, 2, kind, level, deaths, injured, missing, summary, measures, \
         '[{{\"name\":\"旧哨兵伤童\",\"casualty\":\"injured\",\"age\":9,\"note\":\"\"}}]', 1, \
         reporter, phone, due_at, late_minutes, sent_at, sent_by, sent_by_name \
         FROM incident_reports WHERE incident_id = {id} AND seq = 1"
    ))
    .await;
    app.sql(
        "INSERT INTO user_mfa (user_id, secret, created_at, enrolled_at, last_step) \
         SELECT id, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', created_at, NULL, NULL \
         FROM users WHERE username = 's001.staff'",
    )
    .await;
    let plain = |v: &Vec<String>| v.iter().filter(|v| !sealed::is_sealed(v)).count();
    assert_eq!(plain(&raw_values(&app, sealed::RIDER_NAME).await), 1);

    // The next start seals them (every rider column, the persons, the secret).
    let security = security_with(Some(common::field_key_file()), vec![]);
    let mut db = Db::connect(&url).await.unwrap();
    let o = db.open_field_keys(&security, &url).await.expect("start");
    assert_eq!(o.sealed_now, 5 + 1 + 1);
    let o = db.open_field_keys(&security, &url).await.expect("again");
    assert_eq!(o.sealed_now, 0, "idempotent");
    db.close().await;
    for &col in sealed::COLUMNS {
        let values = raw_values(&app, col).await;
        assert_eq!(plain(&values), 0, "{}", col.name());
        assert!(values.iter().all(|v| !v.contains("旧哨兵")));
    }
    let secrets = raw_values(&app, sealed::MFA_SECRET).await;
    assert!(secrets.iter().any(|v| {
        the_key().open(sealed::MFA_SECRET, v).as_deref() == Ok("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    }));
    // Read as before.
    let r = riders_unmasked(&mut app, route).await;
    assert!(r.text().contains("旧哨兵童") && r.text().contains("13600001111"));
    let p = app.login("s001.principal").await;
    let r = app
        .get(&format!("/api/v1/incidents/{id}/persons"), Some(&p))
        .await;
    let persons: Value = r.json();
    assert!(persons.to_string().contains("旧哨兵伤童"), "{persons}");
    // The reports stay immutable outside the sealing: even writing a sealed value back.
    let c = app.raw().await;
    let e = c
        .execute_unprepared(&format!(
            "UPDATE incident_reports SET persons = persons WHERE incident_id = {id}"
        ))
        .await;
    assert!(e.is_err(), "refused");
    c.close().await.ok();
}
