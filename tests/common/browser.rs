//! The browser-test harness shared by the browser suites: the real server on a local port,
//! ChromeDriver and headless Chromium, and small helpers (visit, click, type, screenshots).
//! Chromium and ChromeDriver are required: when they are missing the tests fail, never skip.
#![allow(dead_code)]

use super::common::TestApp;
use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROME_ARGS: &str = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --lang=zh-CN";
pub const WAIT: Duration = Duration::from_secs(15);

/// ChromeDriver in a process group of its own; the whole group (the browser with it) is killed
/// on drop, so also when the test panics.
pub struct Driver {
    child: Child,
    port: u16,
    profile: super::common::tempdir::Dir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn require_browser() {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    let why = match std::env::var_os("CI") {
        Some(_) => "CI is set and the browser test must run there",
        None => "the browser test never skips",
    };
    assert!(
        missing.is_empty(),
        "missing {}: {why}. Install them with \
         `apt-get install chromium chromium-driver fonts-wqy-microhei` (Debian/Ubuntu).",
        missing.join(" and ")
    );
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("local addr").port()
}

/// ChromeDriver's `/status`, asked over a plain socket (it keeps the connection open, so the
/// answer is read until it says ready, with a time limit).
pub async fn driver_ready(port: u16) -> bool {
    let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    let req = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if s.write_all(req.as_bytes()).await.is_err() {
        return false;
    }
    let read = async {
        let (mut got, mut buf) = (Vec::new(), [0u8; 1024]);
        while let Ok(n @ 1..) = s.read(&mut buf).await {
            got.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&got).contains("\"ready\":true") {
                return true;
            }
        }
        false
    };
    tokio::time::timeout(Duration::from_secs(2), read)
        .await
        .unwrap_or(false)
}

pub async fn start_driver() -> Driver {
    require_browser();
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
    let mut d = Driver {
        child,
        port,
        profile: super::common::tempdir::Dir::new(),
    };
    let deadline = Instant::now() + WAIT;
    while !driver_ready(port).await {
        if let Ok(Some(st)) = d.child.try_wait() {
            panic!("chromedriver exited early ({st})");
        }
        assert!(Instant::now() < deadline, "chromedriver did not answer");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    d
}

pub async fn open_browser(d: &Driver) -> Client {
    let mut args: Vec<String> = CHROME_ARGS.split_whitespace().map(String::from).collect();
    args.push(format!("--user-data-dir={}", d.profile.0.display()));
    let caps: Capabilities = serde_json::from_value(json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": args,
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
        },
    }))
    .expect("capabilities");
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .unwrap_or_else(|e| panic!("no WebDriver session: {e}"))
}

pub async fn wait_for(c: &Client, loc: Locator<'_>) -> Element {
    let what = format!("{loc:?}");
    match c.wait().at_most(WAIT).for_element(loc).await {
        Ok(e) => e,
        Err(e) => {
            let at = c.current_url().await.map(|u| u.to_string());
            panic!("waiting for {what} (at {at:?}): {e}")
        }
    }
}

pub async fn path(c: &Client) -> String {
    c.current_url().await.expect("url").path().to_string()
}

/// Opens `path` on the server and waits for the element that proves the page is there.
pub async fn visit(c: &Client, base: &str, path: &str, proof: Locator<'_>) -> Element {
    c.goto(&format!("{base}{path}")).await.expect(path);
    wait_for(c, proof).await
}

pub async fn click(c: &Client, id: &str) {
    let e = c.find(Locator::Id(id)).await.expect(id);
    e.click()
        .await
        .unwrap_or_else(|e| panic!("click #{id}: {e}"));
}

pub async fn type_in(c: &Client, id: &str, text: &str) {
    let e = c.find(Locator::Id(id)).await.expect(id);
    e.send_keys(text).await.expect("typing");
}

pub async fn text(c: &Client, css: &str) -> String {
    let e = c.find(Locator::Css(css)).await.expect(css);
    e.text().await.expect("text")
}

pub fn artifact(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir.join(name)
}

pub async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(artifact(name), png).expect("write screenshot");
}

/// A screenshot of the whole page: the window is made as tall as the document for the shot
/// (the width, hence the layout, stays), then restored.
pub async fn screenshot_page(c: &Client, name: &str) {
    let js = "return [document.documentElement.scrollHeight, window.innerHeight];";
    let v = c.execute(js, vec![]).await.expect("heights");
    let (doc, inner) = (v[0].as_u64().expect("px"), v[1].as_u64().expect("px"));
    let (w, h) = c.get_window_size().await.expect("window size");
    let taller = h + doc.saturating_sub(inner).min(6000);
    if taller > h {
        c.set_window_size(w as u32, taller as u32)
            .await
            .expect("window size");
    }
    screenshot(c, name).await;
    if taller > h {
        c.set_window_size(w as u32, h as u32)
            .await
            .expect("window size");
    }
}

/// `[document.documentElement.scrollWidth, window.innerWidth]`.
pub async fn widths(c: &Client) -> (f64, f64) {
    let js = "return [document.documentElement.scrollWidth, window.innerWidth];";
    let w = c.execute(js, vec![]).await.expect("widths");
    (w[0].as_f64().expect("px"), w[1].as_f64().expect("px"))
}

/// Rows of a list table, the "none" placeholder excepted.
pub async fn rows(c: &Client, table: &str) -> usize {
    let sel = format!("#{table} tbody tr:not(:has(td.empty))");
    c.find_all(Locator::Css(&sel)).await.expect("rows").len()
}

/// The app on a local port, ChromeDriver, and a browser session at `width`×`height`.
pub struct Harness {
    pub c: Client,
    pub base: String,
    driver: Driver,
    server: JoinHandle<std::io::Result<()>>,
    started: Instant,
}

impl Harness {
    pub async fn start(app: &TestApp, width: u32, height: u32) -> Harness {
        let started = Instant::now();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let service = app
            .router
            .clone()
            .into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move { axum::serve(listener, service).await });
        let driver = start_driver().await;
        let c = open_browser(&driver).await;
        c.set_window_size(width, height).await.expect("window size");
        Harness {
            c,
            base,
            driver,
            server,
            started,
        }
    }

    /// Ends the session, the browser and the server; prints the run time.
    pub async fn finish(self, test: &str) {
        let Harness {
            c,
            driver,
            server,
            started,
            ..
        } = self;
        c.close().await.expect("close session");
        drop(driver);
        server.abort();
        println!("{test} passed in {:.1?}", started.elapsed());
    }
}

/// Signs in through the sign-in page and waits for the signed-in header.
pub async fn sign_in(c: &Client, base: &str, username: &str) {
    visit(c, base, "/login", Locator::Id("username")).await;
    type_in(c, "username", username).await;
    type_in(c, "password", super::common::PASSWORD).await;
    click(c, "login-submit").await;
    wait_for(c, Locator::Id("current-user")).await;
}

/// Waits until the element at `css` shows `want`; answers its text.
pub async fn shows(c: &Client, css: &str, want: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
            && t.contains(want)
        {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "{css} does not show {want:?} at {:?}: {:?}",
            c.current_url().await.map(|u| u.to_string()),
            match c.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => "(absent)".into(),
            }
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sets a form field by script (date, date-time and select inputs type differently per
/// locale); the field must exist and take the value.
pub async fn set(c: &Client, css: &str, value: &str) {
    let ok = c
        .execute(
            "const e = document.querySelector(arguments[0]); if (!e) return false; \
             e.value = arguments[1]; return e.value === arguments[1];",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap_or_else(|e| panic!("set {css}: {e}"));
    assert_eq!(ok, json!(true), "{css} takes {value}");
}

/// Clicks the element at `css`.
pub async fn tap(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("tap {css}: {e}"));
}

/// Replaces the text of the field at `css`.
pub async fn fill(c: &Client, css: &str, text: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.expect("clear");
    e.send_keys(text).await.expect("typing");
}
