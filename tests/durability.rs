//! T-DU-1: the durability settings are read back from every pooled connection (SQLite: WAL,
//! `synchronous=FULL`, foreign keys, busy timeout ≥ 5 s on the writers' and the readers'
//! connections; PostgreSQL: `fsync`, `synchronous_commit`, `full_page_writes`), and `serve`
//! refuses a database that falls short unless told the data may be lost.

mod common;
use common::TestApp;
use safecampus::storage::Db;
use safecampus::storage::durability::check;

#[tokio::test]
async fn every_connection_is_durable_or_named() {
    let app = TestApp::new().await;
    let found = check(&app.db).await.expect("check");
    if common::backend() == "postgres" {
        // The harness's databases are thrown away after each test, so they commit without
        // waiting for the disk: the check names exactly that.
        assert_eq!(
            found.problems,
            vec!["PostgreSQL synchronous_commit = off".to_string()]
        );
        // The server's own defaults are durable.
        let admin = Db::connect(&common::pg_admin()).await.expect("connect");
        assert_eq!(
            check(&admin).await.expect("check").problems,
            Vec::<String>::new()
        );
        admin.close().await;
    } else {
        assert_eq!(found.problems, Vec::<String>::new());
        assert_eq!(found.connections, 16, "8 writers and 8 readers");
    }
}

#[tokio::test]
async fn serve_refuses_a_database_that_could_lose_acknowledged_writes() {
    if common::backend() != "postgres" {
        // On SQLite the platform sets the pragmas itself on every connection it opens: there
        // is no way to hand it a connection that falls short (the test above reads them).
        return;
    }
    let app = TestApp::new().await;
    let url = app.owner_url();
    let dir = common::tempdir::Dir::new();
    let run = |extra: &str| {
        let conf = dir.0.join(format!("c{}.toml", extra.len()));
        std::fs::write(
            &conf,
            format!("listen = \"127.0.0.1:0\"\npublic_url = \"http://x\"\n{extra}"),
        )
        .expect("config");
        std::process::Command::new(env!("CARGO_BIN_EXE_safecampus"))
            .args(["--config", conf.to_str().unwrap(), "serve"])
            .env("SAFECAMPUS_DATABASE_URL", &url)
            .env("SAFECAMPUS_MQTT_ENABLED", "0")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run")
    };
    let out = run("");
    assert!(!out.status.success(), "refused");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("synchronous_commit = off") && err.contains("allow_unsafe_durability"),
        "{err}"
    );
}
