mod common;

// The hazard loop in a phone's browser (390 px), as the issue asks: S001's safety director does
// the half-month self-inspection with a camera photo and fails one item; the failed item
// becomes a hazard; the safety director assesses it and issues the rectification notice (all
// five of 五落实) to himself, starts and submits with an after-photo; the principal — someone
// else — accepts and closes it, and the hazard carries its 销号 number and the evidence of every
// step. Screenshots of each stage go to `artifacts/screenshots/`. Then the bureau officer at a
// desk: the board's missed self-inspections, the overdue hazards, and a closed hazard's history.

#[path = "common/browser.rs"]
mod harness;

use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::json;

/// A phone photo on disk, for the file inputs.
fn photo(dir: &std::path::Path, name: &str, warm: bool) -> String {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        let v = ((x / 32 + y / 32) % 2) as u8 * 40;
        if warm {
            image::Rgb([200, 90 + v, 60])
        } else {
            image::Rgb([60, 150 + v, 110])
        }
    });
    let path = dir.join(name);
    img.save(&path).expect("photo");
    path.display().to_string()
}

/// Opens every folded step form.
async fn unfold(c: &Client) {
    c.execute(
        "document.querySelectorAll('details').forEach(d => d.open = true);",
        vec![],
    )
    .await
    .expect("unfold");
}

/// Sets a form field by script (date and select inputs type differently per locale).
async fn set(c: &Client, css: &str, value: &str) {
    c.execute(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1]; return !!e;",
        vec![json!(css), json!(value)],
    )
    .await
    .unwrap_or_else(|e| panic!("set {css}: {e}"));
}

async fn submit(c: &Client, form: &str) {
    let b = c
        .find(Locator::Css(&format!("#{form} button[type=submit]")))
        .await
        .unwrap_or_else(|e| panic!("{form}: {e}"));
    b.click().await.expect("submit");
}

/// Waits until the hazard page shows `status` (its catalogue label).
async fn status_is(c: &Client, label: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Ok(e) = c.find(Locator::Id("hazard-status")).await
            && e.text().await.unwrap_or_default().contains(label)
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "status {label} not shown at {:?}",
            c.current_url().await.map(|u| u.to_string())
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn no_sideways_scroll(c: &Client, what: &str) {
    let (scroll, inner) = widths(c).await;
    assert!(inner <= 400.0, "viewport {inner}px wide, not a phone's");
    assert!(
        scroll <= inner + 1.0,
        "{what}: the page scrolls sideways at {inner}px ({scroll}px wide)"
    );
}

async fn sign_out(c: &Client) {
    click(c, "logout").await;
    wait_for(c, Locator::Id("username")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_inspection_to_closure_on_a_phone() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let files = common::tempdir::Dir::new();
    let before = photo(&files.0, "before.jpg", true);
    let after = photo(&files.0, "after.jpg", false);

    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());

    // The safety director opens this half-month's self-inspection on the phone.
    sign_in(c, base, "s001.safety").await;
    visit(
        c,
        base,
        &format!("/schools/{s001}/inspections/new?kind=half_month"),
        Locator::Id("inspection-form"),
    )
    .await;
    no_sideways_scroll(c, "the inspection form").await;
    screenshot(c, "hazard-1-inspection-form-390.png").await;
    // The first item fails, with a note and a camera photo; the rest pass.
    let row = c
        .find(Locator::Css("fieldset.check-row"))
        .await
        .expect("a checklist row");
    let key = row
        .attr("id")
        .await
        .expect("id")
        .expect("row id")
        .trim_start_matches("row-")
        .to_string();
    let legend = row
        .find(Locator::Css("legend"))
        .await
        .expect("legend")
        .text()
        .await
        .expect("text");
    // The answers are large labels over their radio inputs.
    row.find(Locator::Css("label.ck-fail"))
        .await
        .expect("fail button")
        .click()
        .await
        .expect("fail");
    row.find(Locator::Css(&format!("textarea[name=note_{key}]")))
        .await
        .expect("note")
        .send_keys("灭火器压力表指针在红区")
        .await
        .expect("note");
    row.find(Locator::Css(&format!("input[name=photos_{key}]")))
        .await
        .expect("photo input")
        .send_keys(&before)
        .await
        .expect("photo");
    screenshot(c, "hazard-2-item-failed-390.png").await;
    // "Mark the rest as pass" asks first.
    click(c, "rest-pass").await;
    c.accept_alert().await.expect("the confirmation");

    // The inspection is stored; its failed item opened a hazard.
    let link = wait_for(c, Locator::Css("a[href^='/hazards/']")).await;
    screenshot_page(c, "hazard-3-inspection-stored-390.png").await;
    let href = link.attr("href").await.expect("href").expect("a link");
    visit(c, base, &href, Locator::Id("hazard-title")).await;
    let title = text(c, "#hazard-title").await;
    assert!(!title.is_empty());
    let facts = text(c, "#hazard-facts").await;
    assert!(
        facts.contains(legend.trim()) || title.contains("灭火器"),
        "pre-filled from the point: {facts}"
    );
    assert!(
        c.find(Locator::Css(
            "#hazard-facts img, .hz-photos img, img[src*='/thumb']"
        ))
        .await
        .is_ok(),
        "the inspection's photo is on the hazard"
    );
    status_is(c, "已上报").await;
    no_sideways_scroll(c, "the hazard page").await;
    screenshot_page(c, "hazard-4-reported-390.png").await;

    // Assessed: general, to fix by a deadline.
    unfold(c).await;
    set(c, "#form-assess select[name=level]", "general").await;
    set(c, "#form-assess select[name=treatment]", "by_deadline").await;
    submit(c, "form-assess").await;
    status_is(c, "已评估").await;

    // The rectification notice with all five of 五落实; the safety director is responsible.
    unfold(c).await;
    let me = text(c, "#current-user").await;
    let name = me.split(" · ").next().unwrap_or_default().to_string();
    let value = c
        .execute(
            "const o = [...document.querySelectorAll('#form-issue_notice select[name=responsible_user_id] option')].find(o => o.textContent.trim() === arguments[0]); return o ? o.value : '';",
            vec![json!(name)],
        )
        .await
        .expect("responsible option");
    let value = value.as_str().expect("option value").to_string();
    assert!(!value.is_empty(), "{name} is among the school's users");
    let deadline =
        (safecampus::storage::risk_points::today() + chrono::Duration::days(10)).to_string();
    set(
        c,
        "#form-issue_notice select[name=responsible_user_id]",
        &value,
    )
    .await;
    set(c, "#form-issue_notice input[name=deadline]", &deadline).await;
    set(c, "#form-issue_notice input[name=funds_amount]", "1200.50").await;
    set(
        c,
        "#form-issue_notice input[name=funds_source]",
        "学校公用经费",
    )
    .await;
    set(
        c,
        "#form-issue_notice textarea[name=measures]",
        "更换灭火器并检查同楼层其他灭火器",
    )
    .await;
    set(
        c,
        "#form-issue_notice textarea[name=interim_plan]",
        "更换前在该处临时增配一具灭火器",
    )
    .await;
    submit(c, "form-issue_notice").await;
    status_is(c, "已下发整改通知书").await;
    assert!(c.find(Locator::Id("notice-link")).await.is_ok());

    // Work starts; done with an after-photo.
    submit(c, "form-start").await;
    status_is(c, "整改中").await;
    unfold(c).await;
    c.find(Locator::Css("#form-submit textarea[name=note]"))
        .await
        .expect("note")
        .send_keys("已更换新灭火器")
        .await
        .expect("note");
    c.find(Locator::Css("#form-submit input[name=photos]"))
        .await
        .expect("photos")
        .send_keys(&after)
        .await
        .expect("photo");
    submit(c, "form-submit").await;
    status_is(c, "待验收").await;
    // The rectifier may not accept his own work: no acceptance form for him.
    assert!(c.find(Locator::Id("form-accept")).await.is_err());
    screenshot_page(c, "hazard-5-pending-acceptance-390.png").await;
    sign_out(c).await;

    // The principal accepts and closes: the 销号 number.
    sign_in(c, base, "s001.principal").await;
    visit(c, base, &href, Locator::Id("hazard-title")).await;
    submit(c, "form-accept").await;
    status_is(c, "已验收").await;
    submit(c, "form-close").await;
    status_is(c, "已销号").await;
    let number = text(c, "#closure-number").await;
    let year = safecampus::storage::risk_points::today()
        .format("%Y")
        .to_string();
    assert!(
        number.contains(&format!("XH-S001-{year}-")),
        "销号 number: {number}"
    );
    // Every step is in the evidence timeline: reported, assessed, notice, start, submit,
    // accept, close.
    let events = c
        .find_all(Locator::Css("#timeline [id^='event-']"))
        .await
        .expect("timeline");
    assert!(events.len() >= 6, "{} steps in the timeline", events.len());
    no_sideways_scroll(c, "the closed hazard").await;
    screenshot_page(c, "hazard-6-closed-390.png").await;
    h.finish("self_inspection_to_closure_on_a_phone").await;
}

/// The "done when", at a desk: the bureau officer sees on the board which schools missed
/// the last half-month's self-inspection (red, first), sees the overdue hazards, and follows a
/// closed hazard of the demo's history from its discovery to its 销号 number with the evidence
/// of every step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_sees_missed_self_inspections_and_overdue_hazards() {
    let app = TestApp::new().await;
    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "bureau.officer").await;

    // This half-month, then the one before: the missing ones are counted and listed first.
    visit(c, base, "/inspections/board", Locator::Id("board-counts")).await;
    click(c, "prev-period").await;
    wait_for(c, Locator::Css("#board-schools tbody tr")).await;
    let missing = text(c, "#count-missing").await;
    let n: u32 = missing
        .split_whitespace()
        .last()
        .and_then(|x| x.parse().ok())
        .expect("a count");
    assert!(n > 0, "the demo has schools that missed it: {missing}");
    let first = c
        .find(Locator::Css("#board-schools tbody tr"))
        .await
        .expect("a row")
        .attr("class")
        .await
        .expect("class")
        .unwrap_or_default();
    assert!(first.contains("status-missing"), "missing first: {first}");
    screenshot_page(c, "board-previous-half-month-1366.png").await;

    // The overdue hazards of the district.
    visit(c, base, "/hazards?overdue=true", Locator::Id("hazard-list")).await;
    let overdue = c
        .find_all(Locator::Css("#hazard-list tr.hz-overdue"))
        .await
        .expect("rows");
    assert!(!overdue.is_empty(), "overdue hazards listed");
    screenshot(c, "hazards-overdue-1366.png").await;

    // A closed hazard: every step from discovery to its 销号 number.
    visit(
        c,
        base,
        "/hazards?status=closed",
        Locator::Id("hazard-list"),
    )
    .await;
    let link = c
        .find(Locator::Css("#hazard-list a[href^='/hazards/']"))
        .await
        .expect("a closed hazard");
    let href = link.attr("href").await.expect("href").expect("link");
    visit(c, base, &href, Locator::Id("closure-number")).await;
    assert!(text(c, "#closure-number").await.contains("XH-"));
    let steps = c
        .find_all(Locator::Css("#timeline [id^='event-']"))
        .await
        .expect("timeline");
    assert!(steps.len() >= 3, "{} steps", steps.len());
    assert!(
        c.find(Locator::Css("#timeline img")).await.is_ok(),
        "the evidence photos are in the timeline"
    );
    screenshot_page(c, "hazard-closed-history-1366.png").await;
    h.finish("the_bureau_sees_missed_self_inspections_and_overdue_hazards")
        .await;
}

/// The pages of a PDF: its page objects (`/Type /Page`, not the `/Type /Pages` tree).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let mut n = 0;
    let mut rest: &str = &text;
    while let Some(i) = rest.find("/Type") {
        rest = &rest[i + 5..];
        let t = rest.trim_start();
        if let Some(after) = t.strip_prefix("/Page")
            && !after.starts_with('s')
        {
            n += 1;
        }
    }
    n
}

/// The rectification notice prints on one A4 page: the longest notice of the demo (the most
/// text in its title, description, place, measures, funds and interim plan), printed by the
/// browser on A4 portrait with 1 cm margins and without shrinking to fit, is a one-page PDF
/// (kept in the artefacts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_longest_demo_notice_prints_on_one_a4_page() {
    use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
    use serde_json::Value;
    let mut app = TestApp::new().await;
    let t = app.login("city.officer").await;
    let mut longest: Option<(usize, i64)> = None;
    let mut notices = 0;
    let mut page = 1;
    loop {
        let v: Value = app
            .get(
                &format!("/api/v1/hazards?per_page=200&page={page}"),
                Some(&t),
            )
            .await
            .json();
        let items = v["items"].as_array().expect("items").clone();
        if items.is_empty() {
            break;
        }
        for item in items {
            let id = item["id"].as_i64().expect("id");
            let d: Value = app
                .get(&format!("/api/v1/hazards/{id}"), Some(&t))
                .await
                .json();
            let n = &d["notice"];
            if n.is_null() {
                continue;
            }
            notices += 1;
            let len: usize = [
                &d["title"],
                &d["description"],
                &d["zone_name"],
                &d["risk_point_name"],
                &d["school_name"],
                &n["measures"],
                &n["interim_plan"],
                &n["funds"]["source"],
            ]
            .iter()
            .map(|v| v.as_str().unwrap_or_default().chars().count())
            .sum();
            if longest.is_none_or(|(l, _)| len > l) {
                longest = Some((len, id));
            }
        }
        page += 1;
    }
    assert!(notices > 10, "the demo has notices: {notices}");
    let (len, id) = longest.expect("a notice");

    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "city.officer").await;
    visit(
        c,
        base,
        &format!("/hazards/{id}/notice"),
        Locator::Id("notice-doc"),
    )
    .await;
    assert!(c.find(Locator::Id("reply-slip")).await.is_ok());
    let config = PrintConfiguration::builder()
        .size(PrintSize::A4)
        .margins(PrintMargins {
            top: 1.0,
            bottom: 1.0,
            left: 1.0,
            right: 1.0,
        })
        .shrink_to_fit(false)
        .background(true)
        .build()
        .expect("print configuration");
    let pdf = c.print(config).await.expect("the notice printed to PDF");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    std::fs::write(artifact("hazard-notice-longest.pdf"), &pdf).expect("write the PDF");
    let pages = pdf_pages(&pdf);
    assert_eq!(
        pages, 1,
        "the notice of hazard {id} ({len} characters of text) prints on {pages} A4 pages"
    );
}
