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

#[path = "common/browser.rs"]
mod harness;

use common::TestApp;
use fantoccini::wd::PrintConfiguration;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::json;

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

    // The principal lands on their home page, which leads to their own school.
    wait_for(c, Locator::Id("home-title")).await;
    assert_eq!(path(c).await, "/");
    click(c, "home-school-hub").await;
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

/// The JSON API's documentation in a real browser: linked from the footer, Swagger UI served
/// by the binary renders every operation under the page's Content-Security-Policy, loads
/// nothing from outside, fits a phone and follows the language switch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_documentation_renders_offline() {
    let app = TestApp::new().await;
    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "bureau.officer").await;
    let link = wait_for(c, Locator::Id("api-docs-link")).await;
    assert_eq!(link.text().await.expect("link"), "接口文档");
    link.click().await.expect("follow the footer link");
    wait_for(c, Locator::Css("#swagger-ui .opblock")).await;
    assert_eq!(path(c).await, "/docs/api");
    assert!(text(c, "main h1").await.starts_with("接口文档"));
    let (ops, documented) = operations(c).await;
    let api_routes = app
        .routes
        .iter()
        .filter(|r| r.path.starts_with("/api/"))
        .count();
    // Every API route but the document itself is one operation on the page.
    assert_eq!(ops, documented, "operations on the page vs in the document");
    assert_eq!(documented + 1, api_routes, "documented vs registered");
    // Everything the page loaded came from the platform itself.
    let outside: Vec<String> = serde_json::from_value(
        c.execute(
            "return performance.getEntriesByType('resource').map(e => e.name)\
             .concat([location.href]).filter(u => new URL(u).origin !== location.origin);",
            vec![],
        )
        .await
        .expect("resources"),
    )
    .expect("list");
    assert!(outside.is_empty(), "loaded from outside: {outside:?}");
    // Opening one operation shows its parameters (the UI's own scripts run under the CSP).
    c.execute(
        "document.querySelector('#swagger-ui .opblock-summary-control').click();",
        vec![],
    )
    .await
    .expect("open an operation");
    wait_for(c, Locator::Css("#swagger-ui .opblock.is-open")).await;
    screenshot(c, "api-docs-1366.png").await;

    c.set_window_size(390, 844).await.expect("window size");
    visit(c, base, "/docs/api", Locator::Css("#swagger-ui .opblock")).await;
    let (scroll, inner) = widths(c).await;
    assert!(inner <= 400.0, "viewport {inner}px wide, not a phone's");
    assert!(
        scroll <= inner + 1.0,
        "the documentation scrolls sideways at {inner}px ({scroll}px wide)"
    );
    screenshot(c, "api-docs-390.png").await;

    click(c, "lang-switch").await;
    wait_for(
        c,
        Locator::XPath("//a[@id='api-docs-link' and .='API documentation']"),
    )
    .await;
    wait_for(c, Locator::Css("#swagger-ui .opblock")).await;
    assert_eq!(path(c).await, "/docs/api");
    assert!(text(c, "main h1").await.starts_with("API documentation"));
    h.finish("api_documentation_renders_offline").await;
}

/// The operations Swagger UI shows, and the number the OpenAPI document describes. A long
/// document is drawn as it scrolls into view, so the page is scrolled through and every
/// operation block seen on the way counted once.
async fn operations(c: &Client) -> (usize, usize) {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch('/api/v1/openapi.json').then(r => r.json()).then(async d => {\
               const n = Object.values(d.paths).reduce((s, p) => s + Object.keys(p).length, 0);\
               const seen = new Set();\
               const look = () => document.querySelectorAll('#swagger-ui .opblock')\
                 .forEach(o => seen.add(o.id));\
               for (let y = 0; y <= document.body.scrollHeight; y += window.innerHeight / 2) {\
                 window.scrollTo(0, y);\
                 await new Promise(r => setTimeout(r, 60));\
                 look();\
               }\
               window.scrollTo(0, 0);\
               done([seen.size, n]);\
             });",
            vec![],
        )
        .await
        .expect("count operations");
    let pair: (usize, usize) = serde_json::from_value(v).expect("two numbers");
    pair
}

/// A safety director registers a device on a phone: the token is shown once on the answer,
/// the list shows the device offline, and nothing scrolls sideways at 390 px.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_is_registered_on_a_phone() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.safety").await;
    visit(
        c,
        base,
        &format!("/schools/{s001}"),
        Locator::Id("school-devices"),
    )
    .await;
    click(c, "school-devices").await;
    wait_for(c, Locator::Id("device-form")).await;
    c.find(Locator::Css("#device-form input[name=code]"))
        .await
        .expect("code")
        .send_keys("YG-1F-01")
        .await
        .expect("type");
    c.find(Locator::Css("#device-form input[name=name]"))
        .await
        .expect("name")
        .send_keys("一楼大厅烟感")
        .await
        .expect("type");
    c.find(Locator::Css("#device-form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    let token = wait_for(c, Locator::Css("#device-token code.token")).await;
    assert!(token.text().await.expect("token").len() >= 32);
    assert!(text(c, "#device-list").await.contains("一楼大厅烟感"));
    assert!(text(c, "#device-list").await.contains("离线"));
    let (scroll, inner) = widths(c).await;
    assert!(inner <= 400.0, "viewport {inner}px wide, not a phone's");
    assert!(
        scroll <= inner + 1.0,
        "the device page scrolls sideways at {inner}px ({scroll}px wide)"
    );
    screenshot(c, "devices-390.png").await;
    h.finish("a_device_is_registered_on_a_phone").await;
}
