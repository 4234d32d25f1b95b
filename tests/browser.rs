mod common;

// The browser test: the real server on a local port, driven through Chromium (headless) by
// ChromeDriver. Sign-in, the principal's school page, the out-of-scope 404, a phone-width
// layout, the language switch and sign-out. Screenshots go to `artifacts/screenshots/`.
// Chromium and ChromeDriver are required: when they are missing the test fails, it never skips.

use common::TestApp;
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

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROME_ARGS: &str = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --lang=zh-CN";
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

async fn wait_for(c: &Client, loc: Locator<'_>) -> Element {
    let what = format!("{loc:?}");
    match c.wait().at_most(WAIT).for_element(loc).await {
        Ok(e) => e,
        Err(e) => {
            let at = c.current_url().await.map(|u| u.to_string());
            panic!("waiting for {what} (at {at:?}): {e}")
        }
    }
}

async fn path(c: &Client) -> String {
    c.current_url().await.expect("url").path().to_string()
}

/// Opens `path` on the server and waits for the element that proves the page is there.
async fn visit(c: &Client, base: &str, path: &str, proof: Locator<'_>) -> Element {
    c.goto(&format!("{base}{path}")).await.expect(path);
    wait_for(c, proof).await
}

async fn click(c: &Client, id: &str) {
    let e = c.find(Locator::Id(id)).await.expect(id);
    e.click()
        .await
        .unwrap_or_else(|e| panic!("click #{id}: {e}"));
}

async fn type_in(c: &Client, id: &str, text: &str) {
    let e = c.find(Locator::Id(id)).await.expect(id);
    e.send_keys(text).await.expect("typing");
}

async fn text(c: &Client, css: &str) -> String {
    let e = c.find(Locator::Css(css)).await.expect(css);
    e.text().await.expect("text")
}

async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(name), png).expect("write screenshot");
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
    let school = format!("/schools/{s001}");

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
    visit(&c, &base, "/", Locator::Id("username")).await;
    assert_eq!(path(&c).await, "/login");
    assert!(c.source().await.expect("source").contains("登录"));
    type_in(&c, "username", "s001.principal").await;
    type_in(&c, "password", common::PASSWORD).await;
    click(&c, "login-submit").await;

    // The principal lands on their own school.
    wait_for(&c, Locator::Id("school-name")).await;
    assert_eq!(path(&c).await, school);
    assert!(text(&c, "#school-name").await.contains("春华小学"));
    assert!(text(&c, "#current-user").await.contains("春华小学"));
    assert!(rows(&c, "zone-list").await > 0, "zones listed");
    assert!(rows(&c, "people-list").await > 0, "people listed");
    screenshot(&c, "principal-school-1366.png").await;

    // Another school of the district is out of scope: a 404 page, in Chinese.
    let msg = visit(
        &c,
        &base,
        &format!("/schools/{s002}"),
        Locator::Id("error-message"),
    )
    .await;
    assert!(msg.text().await.expect("message").contains("未找到"));
    assert!(text(&c, "main h1").await.starts_with("404"));
    assert!(c.find(Locator::Id("school-name")).await.is_err());

    // Phone width: no horizontal scrolling.
    c.set_window_size(390, 844).await.expect("window size");
    visit(&c, &base, &school, Locator::Id("school-name")).await;
    screenshot(&c, "principal-school-390.png").await;
    let js = "return [document.documentElement.scrollWidth, window.innerWidth];";
    let w = c.execute(js, vec![]).await.expect("widths");
    let (scroll, inner) = (w[0].as_f64().expect("px"), w[1].as_f64().expect("px"));
    assert!(inner <= 400.0, "viewport {inner}px wide, not a phone's");
    assert!(
        scroll <= inner + 1.0,
        "scrolls sideways: {scroll}px > {inner}px"
    );

    // English, on the same page.
    click(&c, "lang-switch").await;
    wait_for(
        &c,
        Locator::XPath("//button[@id='logout' and .='Sign out']"),
    )
    .await;
    assert_eq!(
        path(&c).await,
        school,
        "the language switch must stay on the page"
    );
    assert!(text(&c, "dl.facts").await.contains("Primary school"));

    // Sign out: the English sign-in page; the school page now asks to sign in.
    click(&c, "logout").await;
    wait_for(
        &c,
        Locator::XPath("//button[@id='login-submit' and .='Sign in']"),
    )
    .await;
    assert_eq!(path(&c).await, "/login");
    assert!(c.find(Locator::Id("current-user")).await.is_err());
    visit(&c, &base, &school, Locator::Id("username")).await;
    assert_eq!(path(&c).await, "/login");

    c.close().await.expect("close session");
    drop(driver);
    server.abort();
    println!("browser test passed in {:.1?}", started.elapsed());
}
