mod common;

// The browser tests: the real server on a local port, driven through Chromium (headless) by
// ChromeDriver.
// - `browser_principal_journey`: sign-in, the principal's school page, the out-of-scope 404, a
//   phone-width layout, the language switch and sign-out.
// - `risk_map_and_card`: the bureau's risk roll-up and district map, a school's four-colour map
//   (also at phone width), a printable risk card (A4, A5, and a PDF) with its QR code, and the
//   QR code's URL opening the point's page.
// Screenshots go to `artifacts/screenshots/`. Chromium and ChromeDriver are required: when they
// are missing the tests fail, they never skip.

use common::TestApp;
use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, PrintConfiguration};
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

fn artifact(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir.join(name)
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(artifact(name), png).expect("write screenshot");
}

/// A screenshot of the whole page: the window is made as tall as the document for the shot
/// (the width, hence the layout, stays), then restored.
async fn screenshot_page(c: &Client, name: &str) {
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
async fn widths(c: &Client) -> (f64, f64) {
    let js = "return [document.documentElement.scrollWidth, window.innerWidth];";
    let w = c.execute(js, vec![]).await.expect("widths");
    (w[0].as_f64().expect("px"), w[1].as_f64().expect("px"))
}

/// Rows of a list table, the "none" placeholder excepted.
async fn rows(c: &Client, table: &str) -> usize {
    let sel = format!("#{table} tbody tr:not(:has(td.empty))");
    c.find_all(Locator::Css(&sel)).await.expect("rows").len()
}

/// The app on a local port, ChromeDriver, and a browser session at `width`×`height`.
struct Harness {
    c: Client,
    base: String,
    driver: Driver,
    server: JoinHandle<std::io::Result<()>>,
    started: Instant,
}

impl Harness {
    async fn start(app: &TestApp, width: u32, height: u32) -> Harness {
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
    async fn finish(self, test: &str) {
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
async fn sign_in(c: &Client, base: &str, username: &str) {
    visit(c, base, "/login", Locator::Id("username")).await;
    type_in(c, "username", username).await;
    type_in(c, "password", common::PASSWORD).await;
    click(c, "login-submit").await;
    wait_for(c, Locator::Id("current-user")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_principal_journey() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let school = format!("/schools/{s001}");

    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());

    // Signed out: `/` leads to the Chinese sign-in page.
    visit(c, base, "/", Locator::Id("username")).await;
    assert_eq!(path(c).await, "/login");
    assert!(c.source().await.expect("source").contains("登录"));
    type_in(c, "username", "s001.principal").await;
    type_in(c, "password", common::PASSWORD).await;
    click(c, "login-submit").await;

    // The principal lands on their own school.
    wait_for(c, Locator::Id("school-name")).await;
    assert_eq!(path(c).await, school);
    assert!(text(c, "#school-name").await.contains("春华小学"));
    assert!(text(c, "#current-user").await.contains("春华小学"));
    assert!(rows(c, "zone-list").await > 0, "zones listed");
    assert!(rows(c, "people-list").await > 0, "people listed");
    screenshot(c, "principal-school-1366.png").await;

    // Another school of the district is out of scope: a 404 page, in Chinese.
    let msg = visit(
        c,
        base,
        &format!("/schools/{s002}"),
        Locator::Id("error-message"),
    )
    .await;
    assert!(msg.text().await.expect("message").contains("未找到"));
    assert!(text(c, "main h1").await.starts_with("404"));
    assert!(c.find(Locator::Id("school-name")).await.is_err());

    // Phone width: no horizontal scrolling.
    c.set_window_size(390, 844).await.expect("window size");
    visit(c, base, &school, Locator::Id("school-name")).await;
    screenshot(c, "principal-school-390.png").await;
    let (scroll, inner) = widths(c).await;
    assert!(inner <= 400.0, "viewport {inner}px wide, not a phone's");
    assert!(
        scroll <= inner + 1.0,
        "scrolls sideways: {scroll}px > {inner}px"
    );

    // English, on the same page.
    click(c, "lang-switch").await;
    wait_for(c, Locator::XPath("//button[@id='logout' and .='Sign out']")).await;
    assert_eq!(
        path(c).await,
        school,
        "the language switch must stay on the page"
    );
    assert!(text(c, "dl.facts").await.contains("Primary school"));

    // Sign out: the English sign-in page; the school page now asks to sign in.
    click(c, "logout").await;
    wait_for(
        c,
        Locator::XPath("//button[@id='login-submit' and .='Sign in']"),
    )
    .await;
    assert_eq!(path(c).await, "/login");
    assert!(c.find(Locator::Id("current-user")).await.is_err());
    visit(c, base, &school, Locator::Id("username")).await;
    assert_eq!(path(c).await, "/login");

    h.finish("browser_principal_journey").await;
}

/// The `fill` of every zone rectangle of the SVG inside `container`.
async fn zone_fills(c: &Client, container: &str) -> Vec<String> {
    let js = "return Array.from(document.querySelectorAll(arguments[0] + ' svg rect.zone'))\
              .map(r => (r.getAttribute('fill') || '').toUpperCase());";
    let v = c
        .execute(js, vec![json!(container)])
        .await
        .expect("zone fills");
    v.as_array()
        .expect("fills")
        .iter()
        .map(|f| f.as_str().unwrap_or("").to_string())
        .collect()
}

/// The `href` attribute (as written, not resolved) of the element at `css`.
async fn href(c: &Client, css: &str) -> String {
    let e = c.find(Locator::Css(css)).await.expect(css);
    e.attr("href")
        .await
        .expect("href")
        .unwrap_or_else(|| panic!("{css} has no href"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn risk_map_and_card() {
    const SHADES: [&str; 4] = ["#E53935", "#FB8C00", "#FDD835", "#1E88E5"];
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;

    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());

    // The bureau's roll-up: every school of the district, and the district map.
    sign_in(c, base, "bureau.officer").await;
    assert!(
        c.find(Locator::Css("html[lang^='zh']")).await.is_ok(),
        "signed in in Chinese"
    );
    visit(c, base, "/risk", Locator::Id("risk-summary")).await;
    assert_eq!(rows(c, "risk-summary").await, 42, "one row per school");
    wait_for(c, Locator::Css("#district-map svg")).await;
    let markers = c
        .find_all(Locator::Css("#district-map svg g.school .marker"))
        .await
        .expect("markers")
        .len();
    assert_eq!(markers, 42, "the district map places every school");
    screenshot_page(c, "risk-overview-1366.png").await;

    // Drill down to S001's register, then its four-colour map.
    let link = "//table[@id='risk-summary']//tr[td/span[normalize-space(.)='S001']]//a";
    c.find(Locator::XPath(link))
        .await
        .expect("S001 in the roll-up")
        .click()
        .await
        .expect("click S001");
    wait_for(c, Locator::Id("risk-list")).await;
    let register = format!("/schools/{s001}/risks");
    assert_eq!(path(c).await, register);
    assert!(text(c, "main h1").await.contains("春华小学"));

    // The first row of the register is the highest grade.
    let first = "#risk-list tbody tr:first-child";
    let grade = text(c, &format!("{first} td:first-child .chip")).await;
    let grade_class = match grade.as_str() {
        "重大风险" => "g-red",
        "较大风险" => "g-orange",
        _ => panic!("the register's first point is of a high grade, not {grade:?}"),
    };
    let point_css = format!("{first} td:nth-child(3) a");
    let point_name = text(c, &point_css).await;
    let point_href = href(c, &point_css).await;
    let point_id: i64 = point_href
        .strip_prefix("/risk-points/")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a point link, not {point_href:?}"));

    let map_link = format!(".page-head a[href='/schools/{s001}/risk-map']");
    c.find(Locator::Css(&map_link))
        .await
        .expect("the map link")
        .click()
        .await
        .expect("click the map link");
    wait_for(c, Locator::Css("#risk-map svg")).await;
    assert_eq!(path(c).await, format!("/schools/{s001}/risk-map"));
    let fills = zone_fills(c, "#risk-map").await;
    assert!(!fills.is_empty(), "the map has zone rectangles");
    let shades: Vec<&str> = SHADES
        .into_iter()
        .filter(|s| fills.iter().any(|f| f == s))
        .collect();
    assert!(
        shades.len() >= 2,
        "zones in at least two of the four colours, got {fills:?}"
    );
    let svg_text = text(c, "#risk-map svg .legend").await;
    assert!(
        svg_text.contains("重大风险"),
        "the legend names 重大风险: {svg_text:?}"
    );
    screenshot_page(c, "risk-map-1366.png").await;

    // The map at phone width: no sideways scrolling.
    c.set_window_size(390, 844).await.expect("window size");
    c.refresh().await.expect("reload");
    wait_for(c, Locator::Css("#risk-map svg")).await;
    let (scroll, inner) = widths(c).await;
    assert!(inner <= 400.0, "viewport {inner}px wide, not a phone's");
    assert!(
        scroll <= inner + 1.0,
        "the map scrolls sideways: {scroll}px > {inner}px"
    );
    screenshot_page(c, "risk-map-390.png").await;
    c.set_window_size(1366, 900).await.expect("window size");

    // The highest-graded point, then its card.
    visit(c, base, &register, Locator::Id("risk-list")).await;
    c.find(Locator::Css(&point_css))
        .await
        .expect("the point link")
        .click()
        .await
        .expect("click the point");
    wait_for(c, Locator::Id("card-link")).await;
    assert_eq!(path(c).await, format!("/risk-points/{point_id}"));
    assert!(text(c, "#point-name").await.contains(&point_name));
    click(c, "card-link").await;
    let card = wait_for(c, Locator::Id("risk-card")).await;
    assert_eq!(path(c).await, format!("/risk-points/{point_id}/card"));
    let card_text = card.text().await.expect("card text");
    for want in ["春华小学", grade.as_str(), point_name.as_str(), "119"] {
        assert!(
            card_text.contains(want),
            "the card shows {want:?}: {card_text}"
        );
    }
    let card_class = card.attr("class").await.expect("class").unwrap_or_default();
    assert!(
        card_class.split_whitespace().any(|k| k == grade_class),
        "the card is coloured by its grade ({grade_class}): {card_class:?}"
    );
    wait_for(c, Locator::Css("#card-qr svg")).await;
    screenshot_page(c, "risk-card-a4.png").await;

    // A PDF of the A4 card: one page.
    let pdf = c
        .print(
            PrintConfiguration::builder()
                .background(true)
                .build()
                .expect("print config"),
        )
        .await
        .expect("print to PDF");
    std::fs::write(artifact("risk-card-a4.pdf"), &pdf).expect("write PDF");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let pages = count(&pdf, b"/Type /Page") - count(&pdf, b"/Type /Pages");
    assert_eq!(pages, 1, "the A4 card prints on one page");

    // The A5 card.
    visit(
        c,
        base,
        &format!("/risk-points/{point_id}/card?size=a5"),
        Locator::Css("#risk-card #card-qr svg"),
    )
    .await;
    assert!(
        c.find(Locator::Css("body.a5")).await.is_ok(),
        "the A5 layout"
    );
    screenshot_page(c, "risk-card-a5.png").await;

    // "Scanning" the QR code: the URL printed under it opens the point's one-item check.
    let url = text(c, "#risk-card .rc-url").await;
    let url = url.trim();
    assert!(
        url.ends_with(&format!("/risk-points/{point_id}/check")),
        "the QR code's URL is the point's check: {url:?}"
    );
    // (A phone scans it: the point's check at phone width, without sideways scrolling.)
    c.set_window_size(390, 844).await.expect("window size");
    c.goto(url).await.expect("open the QR code's URL");
    let form = wait_for(c, Locator::Id("inspection-form")).await;
    assert!(form.text().await.expect("form").contains(&point_name));
    assert_eq!(path(c).await, format!("/risk-points/{point_id}/check"));
    let (scroll, inner) = widths(c).await;
    assert!(
        scroll <= inner + 1.0,
        "the point's check scrolls sideways: {scroll}px > {inner}px"
    );
    screenshot_page(c, "risk-point-check-390.png").await;

    h.finish("risk_map_and_card").await;
}

/// Occurrences of `needle` in `hay`.
fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}
