mod common;

// The early warning's pages in Chromium beside `browser_warnings.rs` (Chinese, 390 px): S001's
// principal reads the warnings list and a smoke alarm's page **in English** at a desk
// (1366 px), follows the warning to its device, and on a phone (390 px) reads the device's
// page — last values, open warning, refused data — replaces its token there, then reads the
// school's risk index part by part. The district officer, on a phone, reads the notification
// channels (a secret shows only as "set"), opens a channel's edit form, the delivery log, the
// district's risk index and one school's breakdown. No page scrolls sideways; screenshots go
// to `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::json;

async fn no_sideways_scroll(c: &Client, what: &str, width: f64) {
    let (scroll, inner) = widths(c).await;
    assert!(
        (inner - width).abs() <= 20.0,
        "{what}: the viewport is {inner}px wide, not about {width}px"
    );
    assert!(
        scroll <= inner + 1.0,
        "{what}: the page scrolls sideways at {inner}px ({scroll}px wide)"
    );
}

async fn has(c: &Client, css: &str) -> bool {
    c.find(Locator::Css(css)).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warning_pages_in_english_at_a_desk_and_the_new_pages_on_a_phone() {
    let mut app = TestApp::new().await;
    let now = || chrono::Utc::now().to_rfc3339();

    // The district's DingTalk robot, signed with a secret.
    let secret = "SEC7f3a9c1e5b2d4f6a8c0e1f2a3b4c5d6e";
    let ed = app.org_id("ED").await;
    let officer = app.login("bureau.officer").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/notification-channels",
            Some(&officer),
            &json!({"org_id": ed, "kind": "dingtalk", "name": "区教育局安全科钉钉群",
                "target": "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef",
                "secret": secret, "min_level": "orange"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    // Smoke on the second floor, and a reading the detector got wrong.
    let (device, token) = app
        .s001_device_named("smoke", "YG-2F-05", "二楼东侧走廊感烟探测器")
        .await;
    let report = app
        .ingest(
            &token,
            json!([
                {"id": "e1", "at": now(), "metric": "smoke", "value": 1},
                {"id": "e2-bad-metric", "at": now(), "metric": "gas_lel_pct", "value": 3},
            ]),
        )
        .await;
    assert_eq!(report["accepted"], 1, "{report}");

    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());

    // At a desk, in English.
    sign_in(c, base, "s001.principal").await;
    visit(c, base, "/warnings", Locator::Id("warning-list")).await;
    click(c, "lang-switch").await;
    wait_for(c, Locator::Css("html[lang='en']")).await;
    assert_eq!(
        path(c).await,
        "/warnings",
        "the switch comes back to the page"
    );
    let top = "#warning-list tbody tr:first-child.lv-red";
    let row = text(c, top).await;
    for want in ["Red", "Smoke alarm", "YG-2F-05", "Awaiting confirmation"] {
        assert!(row.contains(want), "{want} missing from the row: {row}");
    }
    assert!(text(c, "h1").await.contains("Warnings"));
    assert!(text(c, "#risk-index-link").await.contains("Risk index"));
    no_sideways_scroll(c, "the warnings list (en)", 1366.0).await;
    screenshot(c, "warnings-en-1366.png").await;

    c.find(Locator::Css(&format!("{top} a.ws-open")))
        .await
        .expect("the warning's link")
        .click()
        .await
        .expect("open");
    wait_for(c, Locator::Id("warning-status")).await;
    assert!(
        text(c, "#warning-status")
            .await
            .contains("Awaiting confirmation")
    );
    let facts = text(c, "#warning-facts").await;
    for want in [
        "School",
        "Red (level I",
        "Device monitoring",
        "Reported to",
        "District bureau, City bureau",
    ] {
        assert!(
            facts.contains(want),
            "{want} missing from the facts: {facts}"
        );
    }
    assert!(text(c, "#timeline").await.contains("Alarm"));
    assert!(text(c, "#do-acknowledge").await.contains("Confirm"));
    no_sideways_scroll(c, "the warning (en)", 1366.0).await;
    screenshot_page(c, "warning-detail-en-1366.png").await;

    // The warning names its device; its page, on a phone.
    c.set_window_size(390, 844).await.expect("window size");
    click(c, "device-link").await;
    wait_for(c, Locator::Id("device-facts")).await;
    assert_eq!(path(c).await, format!("/devices/{device}"));
    assert!(text(c, "#device-title").await.contains("YG-2F-05"));
    assert!(text(c, "#device-state").await.contains("Online"));
    assert!(text(c, "#device-values").await.contains("Smoke"));
    assert!(
        text(c, "#device-warning-list")
            .await
            .contains("Smoke alarm")
    );
    let refused = text(c, "#rejection-list").await;
    assert!(
        refused.contains("e2-bad-metric") && refused.contains("does not report this metric"),
        "{refused}"
    );
    no_sideways_scroll(c, "the device page (en)", 390.0).await;
    screenshot_page(c, "device-en-390.png").await;

    // Back to Chinese; replace the token on the device's page: shown there, once.
    click(c, "lang-switch").await;
    wait_for(c, Locator::Css("html[lang='zh-CN']")).await;
    wait_for(c, Locator::Id("device-facts")).await;
    assert!(
        text(c, "#rejection-list")
            .await
            .contains("该类设备不上报此指标")
    );
    click(c, "do-rotate").await;
    wait_for(c, Locator::Id("device-token")).await;
    assert!(text(c, "#device-token").await.contains("YG-2F-05"));
    assert!(text(c, "#token-state").await.contains("有效"));
    no_sideways_scroll(c, "the device page with a new token", 390.0).await;
    screenshot_page(c, "device-token-390.png").await;

    // The school's risk index, part by part.
    visit(c, base, "/risk-index", Locator::Id("index-parts")).await;
    assert!(text(c, "#index-school").await.contains("春华小学"));
    let warnings = text(c, "#part-warnings").await;
    assert!(
        warnings.contains("未关闭预警") && warnings.contains("该校预警"),
        "{warnings}"
    );
    assert!(!has(c, "#index-back").await, "a school reads only its own");
    no_sideways_scroll(c, "the school's risk index", 390.0).await;
    screenshot_page(c, "risk-index-school-390.png").await;

    // The district officer on a phone: the channels.
    click(c, "logout").await;
    wait_for(c, Locator::Id("username")).await;
    sign_in(c, base, "bureau.officer").await;
    c.find(Locator::Css("nav.menu a[href='/channels']"))
        .await
        .expect("the menu entry")
        .click()
        .await
        .expect("menu");
    wait_for(c, Locator::Id("channel-list")).await;
    let list = text(c, "#channel-list").await;
    for want in [
        "区教育局安全科钉钉群",
        "钉钉机器人",
        "已设置（不显示）",
        "橙色",
    ] {
        assert!(list.contains(want), "{want} missing: {list}");
    }
    let source = c.source().await.expect("source");
    assert!(!source.contains(secret), "the secret is never shown");
    assert!(
        !source.contains("0123456789abcdef"),
        "nor the robot's token"
    );
    no_sideways_scroll(c, "the channels", 390.0).await;
    // A channel's edit form opened, on a phone.
    c.find(Locator::Css(".wa-channel details.fold > summary"))
        .await
        .expect("edit")
        .click()
        .await
        .expect("open the form");
    wait_for(c, Locator::Css(".wa-channel details[open] form")).await;
    no_sideways_scroll(c, "the channels (edit form open)", 390.0).await;
    screenshot_page(c, "channels-390.png").await;

    // The delivery log: the smoke alarm (red ≥ orange) was queued for the robot.
    click(c, "deliveries-link").await;
    wait_for(c, Locator::Id("delivery-list")).await;
    let log = text(c, "#delivery-list").await;
    assert!(
        log.contains("区教育局安全科钉钉群") && log.contains("待发送") && log.contains("预警 #"),
        "{log}"
    );
    no_sideways_scroll(c, "the delivery log", 390.0).await;
    screenshot_page(c, "channel-deliveries-390.png").await;

    // The district's risk index, riskiest first; one school's breakdown.
    visit(c, base, "/risk-index", Locator::Id("index-list")).await;
    assert!(rows(c, "index-list").await >= 2);
    assert!(text(c, "#index-weights").await.contains("风险等级"));
    no_sideways_scroll(c, "the district's risk index", 390.0).await;
    screenshot_page(c, "risk-index-390.png").await;
    c.find(Locator::Css("#index-list tbody tr:first-child a.wa-school"))
        .await
        .expect("a school")
        .click()
        .await
        .expect("open");
    wait_for(c, Locator::Id("index-parts")).await;
    assert!(has(c, "#index-back").await);
    for part in ["grades", "hazards", "overdue", "missed_checks", "warnings"] {
        assert!(has(c, &format!("#part-{part}")).await, "{part}");
    }
    no_sideways_scroll(c, "a school's breakdown", 390.0).await;
    screenshot_page(c, "risk-index-breakdown-390.png").await;

    // The same list at a desk.
    c.set_window_size(1366, 900).await.expect("window size");
    visit(c, base, "/risk-index", Locator::Id("index-list")).await;
    no_sideways_scroll(c, "the district's risk index (desk)", 1366.0).await;
    screenshot(c, "risk-index-1366.png").await;

    h.finish("warning_pages_in_english_at_a_desk_and_the_new_pages_on_a_phone")
        .await;
}
