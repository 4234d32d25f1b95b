mod common;

// The browser test: the real server on a local port, driven through Chromium (headless) by
// ChromeDriver. Sign-in, the principal's school page, the out-of-scope 404, a phone-width
// layout, the language switch and sign-out. Screenshots go to `artifacts/screenshots/`.
// Chromium and ChromeDriver are required: when they are missing the test fails, it never skips.

use common::TestApp;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WAIT: Duration = Duration::from_secs(15);

/// ChromeDriver in a process group of its own; the whole group (the browser with it) is killed
/// on drop, so also when the test panics.
struct Driver {
    child: Child,
    port: u16,
    profile: common::tempdir::Dir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require_browser() {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return;
    }
    let why = if std::env::var_os("CI").is_some() {
        "CI is set and the browser test must run there"
    } else {
        "the browser test does not skip"
    };
    panic!(
        "missing {}: {why}. Install them with `apt-get install chromium chromium-driver \
         fonts-wqy-microhei` (Debian/Ubuntu).",
        missing.join(" and ")
    );
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("local addr").port()
}

/// ChromeDriver's `/status`, asked over a plain socket (it keeps the connection open, so the
/// answer is read until it says ready, with a time limit).
async fn driver_ready(port: u16) -> bool {
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

async fn start_driver() -> Driver {
    require_browser();
    let port = free_port();
    let child = std::os::unix::process::CommandExt::process_group(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
        0,
    )
    .spawn()
    .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
    let mut d = Driver {
        child,
        port,
        profile: common::tempdir::Dir::new(),
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

async fn open_browser(d: &Driver) -> Client {
    let profile = format!("--user-data-dir={}", d.profile.0.display());
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        profile.as_str(),
        "--lang=zh-CN",
    ];
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": args,
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
        },
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .unwrap_or_else(|e| panic!("no WebDriver session: {e}"))
}

async fn wait_for(c: &Client, loc: Locator<'_>) -> Element {
    let what = format!("{loc:?}");
    match c.wait().at_most(WAIT).for_element(loc).await {
        Ok(e) => e,
        Err(e) => panic!("waiting for {what} on {}: {e}", url(c).await),
    }
}

async fn url(c: &Client) -> String {
    c.current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default()
}

async fn path(c: &Client) -> String {
    c.current_url().await.expect("url").path().to_string()
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .expect(css)
        .text()
        .await
        .expect("text")
}

async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let file = dir.join(name);
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(&file, png).expect("write screenshot");
    file
}

/// Rows of a list table, the "none" placeholder excepted.
async fn rows(c: &Client, table: &str) -> usize {
    let sel = format!("#{table} tbody tr:not(:has(td.empty))");
    c.find_all(Locator::Css(&sel)).await.expect("rows").len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_principal_journey() {
    let started = Instant::now();
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;

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
    c.set_window_size(1366, 900).await.expect("window size");

    // Signed out: `/` leads to the Chinese sign-in page.
    c.goto(&format!("{base}/")).await.expect("goto /");
    wait_for(&c, Locator::Id("username")).await;
    assert_eq!(path(&c).await, "/login");
    assert!(c.source().await.expect("source").contains("登录"));
    let user = c.find(Locator::Id("username")).await.expect("username");
    user.send_keys("s001.principal")
        .await
        .expect("type username");
    let pass = c.find(Locator::Id("password")).await.expect("password");
    pass.send_keys(common::PASSWORD)
        .await
        .expect("type password");
    c.find(Locator::Id("login-submit"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click submit");

    // The principal lands on their own school.
    wait_for(&c, Locator::Id("school-name")).await;
    let school_path = format!("/schools/{s001}");
    assert_eq!(path(&c).await, school_path);
    assert!(text(&c, "#school-name").await.contains("春华小学"));
    assert!(text(&c, "#current-user").await.contains("春华小学"));
    assert!(rows(&c, "zone-list").await > 0, "zones listed");
    assert!(rows(&c, "people-list").await > 0, "people listed");
    screenshot(&c, "principal-school-1366.png").await;

    // Another school of the district is out of scope: a 404 page, in Chinese.
    c.goto(&format!("{base}/schools/{s002}"))
        .await
        .expect("goto S002");
    let msg = wait_for(&c, Locator::Id("error-message")).await;
    assert!(msg.text().await.expect("message").contains("未找到"));
    assert!(text(&c, "main h1").await.starts_with("404"));
    assert!(c.find(Locator::Id("school-name")).await.is_err());

    // Phone width: no horizontal scrolling.
    c.set_window_size(390, 844).await.expect("window size");
    c.goto(&format!("{base}{school_path}"))
        .await
        .expect("goto S001");
    wait_for(&c, Locator::Id("school-name")).await;
    screenshot(&c, "principal-school-390.png").await;
    let widths = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("widths");
    let (scroll, inner) = (widths[0].as_f64().unwrap(), widths[1].as_f64().unwrap());
    assert!(inner <= 400.0, "viewport {inner}px wide, not a phone's");
    assert!(
        scroll <= inner + 1.0,
        "scrolls sideways: {scroll}px > {inner}px"
    );

    // English, then sign out.
    c.find(Locator::Id("lang-switch"))
        .await
        .expect("lang switch")
        .click()
        .await
        .expect("click lang");
    wait_for(
        &c,
        Locator::XPath("//button[@id='logout' and .='Sign out']"),
    )
    .await;
    assert_eq!(path(&c).await, school_path);
    assert!(text(&c, "dl.facts").await.contains("Primary school"));
    c.find(Locator::Id("logout"))
        .await
        .expect("logout")
        .click()
        .await
        .expect("click logout");
    wait_for(
        &c,
        Locator::XPath("//button[@id='login-submit' and .='Sign in']"),
    )
    .await;
    assert_eq!(path(&c).await, "/login");
    assert!(c.find(Locator::Id("current-user")).await.is_err());

    // The session is gone: the school page sends the visitor to sign in.
    c.goto(&format!("{base}{school_path}"))
        .await
        .expect("goto S001");
    wait_for(&c, Locator::Id("username")).await;
    assert_eq!(path(&c).await, "/login");

    c.close().await.expect("close session");
    drop(driver);
    server.abort();
    println!("browser test passed in {:.1?}", started.elapsed());
}
