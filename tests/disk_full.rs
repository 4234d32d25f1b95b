//! T-DU-4: the disk fills up under the SQLite database. The demo database is served from a
//! small tmpfs (mounted by the test: root is needed, as in CI), a filler file takes the rest;
//! writes then answer 503 `unavailable` with `Retry-After` (never a 500, never a half-written
//! change), reads go on answering 200; once the filler is gone, writes succeed again without a
//! restart, every acknowledged write is there and the database passes `integrity_check`.
//! (Files live in the database, `file_blobs`: the upload directory is the database.)
//! PostgreSQL's full disk is the operator's drill (docs/security.md).

mod common;

use common::{Resp, TestApp};
use safecampus::config::Config;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmpfs of `mib` MiB at a new directory, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(mib: u64) -> Tmpfs {
        let dir = std::env::temp_dir().join(format!("sc-full-{}", common::tempdir::rand_suffix()));
        std::fs::create_dir_all(&dir).expect("mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(&dir)
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "the disk-full test mounts a tmpfs and needs root (as in CI): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(dir)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Writes zeros into `path` until the file system says it is full; the bytes written.
fn fill(path: &Path) -> u64 {
    let mut f = std::fs::File::create(path).expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    let mut n = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(k) => n += k as u64,
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(28), "ENOSPC expected: {e}");
                break;
            }
        }
    }
    let _ = f.sync_all();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disk_full() {
    if common::backend() != "sqlite" {
        // The server's own disk filling up is a SQLite deployment's risk; PostgreSQL's is the
        // operator's drill.
        return;
    }
    let template = common::sqlite_template().await;
    let size = std::fs::metadata(&template).expect("template").len();
    let fs = Tmpfs::mount(size / (1024 * 1024) + 12);
    let file = fs.0.join("safecampus.db");
    std::fs::copy(&template, &file).expect("copy onto the tmpfs");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let mut app = TestApp::on_database(&url, Config::default()).await;
    let s001 = app.org_id("S001").await;
    let token = app.login("s001.principal").await;
    let people = format!("/api/v1/schools/{s001}/people");
    let mut acked = Vec::new();
    let (status, _) = add(&app, &people, &token, 0).await;
    assert_eq!(status, 200, "a write before the disk is full");
    acked.push(0);

    let filler = fs.0.join("filler");
    let filled = fill(&filler);
    assert!(filled > 0, "the filler took the free space");
    // Writes now fail as unavailable; a few may still fit in pages already allocated.
    let mut refused = 0;
    for n in 1..=300 {
        let (status, r) = add(&app, &people, &token, n).await;
        match status {
            200 => acked.push(n),
            503 => {
                assert_eq!(r.json()["error"]["code"], "unavailable", "{}", r.text());
                assert!(!r.header("retry-after").is_empty(), "Retry-After");
                refused += 1;
                if refused >= 3 {
                    break;
                }
            }
            s => panic!("a write on a full disk answered {s}: {}", r.text()),
        }
        // Reads go on.
        let list = app.get(&people, Some(&token)).await;
        assert_eq!(list.status, 200, "a read on a full disk: {}", list.text());
    }
    assert!(refused >= 3, "writes were refused once the disk was full");
    let page = app.get("/hazards", Some(&token)).await;
    assert_eq!(page.status, 200, "a page on a full disk");

    // Space again: writes resume within 5 s, no restart.
    std::fs::remove_file(&filler).expect("free the space");
    let start = Instant::now();
    let mut n = 1000;
    loop {
        let (status, r) = add(&app, &people, &token, n).await;
        if status == 200 {
            acked.push(n);
            break;
        }
        assert_eq!(status, 503, "{}", r.text());
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "writes resume within 5 s once there is space"
        );
        n += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let raw = app.raw().await;
    let rows = raw
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT note FROM people WHERE note LIKE 'full-%'",
        ))
        .await
        .expect("notes");
    let stored: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("", "note").unwrap())
        .collect();
    for n in &acked {
        let note = format!("full-{n}");
        assert_eq!(
            stored.iter().filter(|s| **s == note).count(),
            1,
            "acknowledged write {note} is stored once"
        );
    }
    assert_eq!(stored.len(), acked.len(), "no refused write was stored");
    let check = raw
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .expect("integrity")
        .expect("a row");
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    drop(raw);
    drop(app);
}

/// Adds person `n` to the school's people: the status and the answer.
async fn add(app: &TestApp, people: &str, token: &str, n: usize) -> (u16, Resp) {
    let r = app
        .json(
            http::Method::POST,
            people,
            Some(token),
            &json!({"name": format!("满盘{n}"), "post": "teacher", "note": format!("full-{n}")}),
        )
        .await;
    (r.status.as_u16(), r)
}
