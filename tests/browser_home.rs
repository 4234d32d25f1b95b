mod common;

// The home pages in Chromium: the district officer, S001's principal, its safety director
// and its guard each sign in and land on their home, at 1366 px and on a 390 px phone, in
// Chinese and in English. The numbers on the page are the API's (`/api/v1/home`), the charts
// are drawn (vendored ECharts under the CSP) for those who get charts, the guard gets the
// report button instead, the bureau sees today's zero reports, and no page scrolls sideways. Screenshots go to
// `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::Value;

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// `{tile id: number}` of every linked number on the page.
async fn numbers(c: &Client) -> serde_json::Map<String, Value> {
    let v = js(
        c,
        "const m = {}; document.querySelectorAll('.home-tile, #home-assigned').forEach(e => \
           { const b = e.querySelector('.n'); m[e.id] = Number((b || e).textContent.trim()); }); \
         return m;",
    )
    .await;
    v.as_object().expect("numbers").clone()
}

/// Elements wider than the viewport (their id or class), none expected.
async fn too_wide(c: &Client) -> Vec<String> {
    let v = js(
        c,
        "const w = document.documentElement.clientWidth; \
         return [...document.querySelectorAll('body *')].filter(e => { \
           const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 1; }) \
           .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 10);",
    )
    .await;
    serde_json::from_value(v).expect("list")
}

fn expected(h: &Value) -> Vec<(String, u64)> {
    let n = |v: &Value| v.as_u64().unwrap_or_else(|| panic!("count {v}"));
    let mut v = vec![
        ("home-hazards-open".to_string(), n(&h["hazards"]["open"])),
        ("home-hazards-overdue".into(), n(&h["hazards"]["overdue"])),
        (
            "home-hazards-supervised".into(),
            n(&h["hazards"]["supervised"]),
        ),
        (
            "home-insp-missing".into(),
            n(&h["inspections"]["counts"]["missing"]),
        ),
        (
            "home-insp-on-time".into(),
            n(&h["inspections"]["counts"]["on_time"]),
        ),
        ("home-risk-major".into(), n(&h["risk"]["counts"]["major"])),
        ("home-risk-review-due".into(), n(&h["risk"]["review_due"])),
        (
            "home-drills-missing".into(),
            n(&h["drills"]["counts"]["missing"]),
        ),
    ];
    // Today's zero reports of each holiday-duty period covering today (the demo runs one).
    for z in h["zero_reports"].as_array().expect("zero_reports") {
        let id = &z["period_id"];
        v.push((format!("home-zero-submitted-{id}"), n(&z["submitted"])));
        v.push((
            format!("home-zero-missing-{id}"),
            n(&z["counts"]["missing"]),
        ));
        v.push((format!("home-zero-open-{id}"), n(&z["counts"]["open"])));
    }
    for w in h["warnings"].as_array().expect("warnings") {
        v.push((
            format!("home-warnings-{}", w["level"].as_str().expect("level")),
            n(&w["open"]),
        ));
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_home_shows_the_apis_numbers_at_1366_and_390_in_both_languages() {
    let mut app = TestApp::new().await;
    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());
    for who in [
        "bureau.officer",
        "s001.principal",
        "s001.safety",
        "s001.guard",
    ] {
        let token = app.login(who).await;
        let r = app.get("/api/v1/home", Some(&token)).await;
        assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.text());
        let api = r.json();
        let staff = who.ends_with(".guard");
        if who == "bureau.officer" {
            assert!(
                !api["zero_reports"].as_array().expect("zero").is_empty(),
                "the demo's duty period covers today"
            );
        }
        sign_in(c, base, who).await;
        // Signing in lands on the home.
        assert_eq!(path(c).await, "/", "{who}");
        for lang in ["zh-CN", "en"] {
            c.goto(&format!("{base}/lang/{lang}?next=/"))
                .await
                .expect("lang");
            wait_for(c, Locator::Id("home-title")).await;
            let html_lang = js(c, "return document.documentElement.lang;").await;
            assert_eq!(html_lang, lang, "{who}");
            for (w, hgt) in [(1366u32, 900u32), (390, 844)] {
                c.set_window_size(w, hgt).await.expect("size");
                c.refresh().await.expect("reload");
                wait_for(c, Locator::Id("home-title")).await;
                let shown = numbers(c).await;
                if staff {
                    wait_for(c, Locator::Id("home-report")).await;
                    assert!(c.find(Locator::Id("home-charts")).await.is_err(), "{who}");
                } else {
                    for (id, want) in expected(&api) {
                        assert_eq!(
                            shown.get(&id).and_then(Value::as_u64),
                            Some(want),
                            "{who} {lang} {w}px: #{id}"
                        );
                    }
                    // The charts are drawn (an SVG in each box).
                    let drawn = js(
                        c,
                        "return document.querySelectorAll('.home-chart svg').length;",
                    )
                    .await;
                    assert!(
                        drawn.as_u64().unwrap_or(0) >= 3,
                        "{who} {lang} {w}px: charts"
                    );
                }
                if let Some(mine) = api["mine"].as_object() {
                    assert_eq!(
                        shown.get("home-assigned").and_then(Value::as_u64),
                        mine["assigned"].as_u64(),
                        "{who}: assigned"
                    );
                }
                let (scroll, inner) = widths(c).await;
                assert!(
                    scroll <= inner + 1.0,
                    "{who} {lang}: the home scrolls sideways at {inner}px ({scroll}px)"
                );
                let wide = too_wide(c).await;
                assert!(
                    wide.is_empty(),
                    "{who} {lang} {w}px: wider than the page: {wide:?}"
                );
                screenshot_page(c, &format!("home-{who}-{lang}-{w}.png")).await;
            }
        }
        // Back to Chinese and out, for the next account.
        c.goto(&format!("{base}/lang/zh-CN?next=/"))
            .await
            .expect("lang");
        wait_for(c, Locator::Id("logout")).await;
        click(c, "logout").await;
        wait_for(c, Locator::Id("username")).await;
    }
    h.finish("each_home_shows_the_apis_numbers_at_1366_and_390_in_both_languages")
        .await;
}
