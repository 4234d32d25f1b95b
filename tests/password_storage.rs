//! T-AU-3: every stored password hash — `users.password_hash` and each `password_history`
//! entry — is an argon2id PHC string `$argon2id$v=19$m=…,t=…,p=…` with m ≥ 19456 KiB, t ≥ 2,
//! p ≥ 1, salted (two hashes of one password differ), and no stored column holds a password.
//! T-AU-4: a freshly migrated database has no account, so none of the demo's usernames signs
//! in with the demo password.

mod common;
use axum::http::{Method, StatusCode};
use common::TestApp;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;

const FIRST: &str = "Storage#Sentinel-61842q";
const SECOND: &str = "Storage#Sentinel-73953r";

/// The parameters of an argon2id PHC string, or why it is not one.
fn argon2id_params(phc: &str) -> Result<(u32, u32, u32), String> {
    let parts: Vec<&str> = phc.split('$').collect();
    // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
    if parts.len() != 6 || !parts[0].is_empty() {
        return Err(format!("not a PHC string: {phc}"));
    }
    if parts[1] != "argon2id" {
        return Err(format!("algorithm {} is not argon2id", parts[1]));
    }
    if parts[2] != "v=19" {
        return Err(format!("version {} is not v=19", parts[2]));
    }
    let mut m = None;
    let mut t = None;
    let mut p = None;
    for kv in parts[3].split(',') {
        let (k, v) = kv.split_once('=').ok_or(format!("parameter {kv}"))?;
        let v: u32 = v.parse().map_err(|_| format!("parameter {kv}"))?;
        match k {
            "m" => m = Some(v),
            "t" => t = Some(v),
            "p" => p = Some(v),
            _ => return Err(format!("unknown parameter {k}")),
        }
    }
    let (m, t, p) = (m.ok_or("no m")?, t.ok_or("no t")?, p.ok_or("no p")?);
    // A salt of at least 16 bytes and a hash of at least 32, unpadded base64.
    if parts[4].len() < 22 || parts[5].len() < 43 {
        return Err(format!("salt or hash too short: {phc}"));
    }
    Ok((m, t, p))
}

fn check(phc: &str) {
    let (m, t, p) = argon2id_params(phc).unwrap_or_else(|e| panic!("{e}"));
    assert!(m >= 19456, "m={m} < 19456: {phc}");
    assert!(t >= 2, "t={t} < 2: {phc}");
    assert!(p >= 1, "p={p} < 1: {phc}");
}

async fn strings(conn: &DatabaseConnection, sql: &str) -> Vec<String> {
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .expect(sql)
    .iter()
    .map(|r| r.try_get_by_index::<String>(0).expect("text"))
    .collect()
}

#[test]
fn the_parser_refuses_weaker_strings() {
    for bad in [
        "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
        "$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
        "$2b$12$abcdefghijklmnopqrstuu5Rj6Vz0l7Ff3aT6ZJm0mV6d5z3nq8y",
        "SafeCampus#2021",
    ] {
        assert!(argon2id_params(bad).is_err(), "{bad}");
    }
    let weak = "$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    assert_eq!(argon2id_params(weak), Ok((4096, 1, 1)));
}

#[tokio::test]
async fn stored_passwords_are_salted_argon2id_and_never_plain() {
    let mut app = TestApp::new().await;
    let admin = app.login("sysadmin").await;
    // Two accounts with the same password: their hashes differ (salted).
    for name in ["store.one", "store.two"] {
        let r = app
            .json(
                Method::POST,
                "/api/v1/users",
                Some(&admin),
                &json!({"username": name, "display_name": "存储检查", "password": FIRST}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    // One changes it: the old hash moves to the history.
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": "store.one", "password": FIRST}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_string();
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/password",
            Some(&token),
            &json!({"current_password": FIRST, "new_password": SECOND}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());

    let conn = app.raw().await;
    let mine = strings(
        &conn,
        "SELECT password_hash FROM users WHERE username IN ('store.one', 'store.two') \
         ORDER BY username",
    )
    .await;
    assert_eq!(mine.len(), 2);
    assert_ne!(mine[0], mine[1], "salted");
    let history = strings(
        &conn,
        "SELECT h.password_hash FROM password_history h JOIN users u ON u.id = h.user_id \
         WHERE u.username = 'store.one'",
    )
    .await;
    assert!(!history.is_empty(), "the change is in the history");
    // Every account's hash and every history entry (the demo's included: 100% of users).
    let all = strings(&conn, "SELECT password_hash FROM users").await;
    let all_history = strings(&conn, "SELECT password_hash FROM password_history").await;
    assert!(all.len() > 20);
    for phc in all.iter().chain(&all_history) {
        check(phc);
        for pw in [FIRST, SECOND, common::PASSWORD] {
            assert!(!phc.contains(pw), "a password in a hash column");
        }
    }
    // No column of either table holds a password in any form but the hash.
    for table in ["users", "password_history"] {
        let rows = conn
            .query_all_raw(Statement::from_string(
                conn.get_database_backend(),
                format!("SELECT * FROM {table}"),
            ))
            .await
            .unwrap();
        let text = format!("{rows:?}");
        for pw in [FIRST, SECOND] {
            assert!(!text.contains(pw), "{pw} stored in {table}");
        }
    }
    conn.close().await.ok();
}

#[tokio::test]
async fn a_fresh_install_has_no_account_that_signs_in() {
    // The demo's usernames, read from a seeded database.
    let demo = TestApp::new().await;
    let conn = demo.raw().await;
    let usernames = strings(&conn, "SELECT username FROM users ORDER BY username").await;
    conn.close().await.ok();
    assert!(usernames.len() > 20, "{usernames:?}");
    for (u, _, _) in safecampus::demo::accounts() {
        assert!(usernames.contains(&u), "{u}");
    }
    // A freshly migrated database: no users, and none of them signs in.
    let mut config = safecampus::config::Config::default();
    config.security.address_max_failures = 100_000;
    let app = TestApp::empty(config).await;
    let conn = app.raw().await;
    assert!(
        strings(&conn, "SELECT username FROM users")
            .await
            .is_empty()
    );
    conn.close().await.ok();
    let mut tries: Vec<(String, &str)> = usernames
        .iter()
        .map(|u| (u.clone(), common::PASSWORD))
        .collect();
    for u in ["admin", "root", "administrator", "sysadmin"] {
        for pw in [common::PASSWORD, "admin", "123456"] {
            tries.push((u.to_string(), pw));
        }
    }
    for (u, pw) in tries {
        let r = app
            .json(
                Method::POST,
                "/api/v1/auth/login",
                None,
                &json!({"username": u, "password": pw}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{u}: {}", r.text());
    }
    let conn = app.raw().await;
    assert!(
        strings(&conn, "SELECT id_hash FROM sessions")
            .await
            .is_empty(),
        "no session opened"
    );
    conn.close().await.ok();
}
