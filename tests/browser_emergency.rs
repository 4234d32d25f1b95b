mod common;

// The emergency module in Chromium, as issue 11 asks:
// - S001's safety director, on a phone (390 px, Chinese), files today's zero report with the
//   one button the duty list offers and sees it recorded on time; then plans a fire drill for
//   today on the school's drills page, records it as held (head-count, signal and completion
//   times, a problem found that becomes a hazard), evaluates it, and reads the evacuation time
//   against the target on the drill's page.
// - The district officer at a desk (1366 px): the zero-report board of a period — today first,
//   the school that reported on time, the others not yet in and missing yesterday — also in
//   English; the drill board, missing schools first.
// - Incident reports: S001's principal sends a first report on a phone and sees the running
//   clock; the officer finds it in the list at a desk, without the hurt pupil's name, and
//   acknowledges it; the principal sends a follow-up and the final report.
// No page scrolls sideways; the buttons a thumb taps are big enough. Screenshots go to
// `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate};
use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::json;

/// The hurt pupil of the incident: the name never appears outside the audited names page.
const PUPIL: &str = "甄小明";

fn today() -> NaiveDate {
    safecampus::storage::risk_points::today()
}

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

/// A button a thumb can hit, inside the viewport: the one-tap actions at least [`THUMB`] px
/// tall, every other button [`BUTTON`] px (both above WCAG 2.2's 24 px minimum).
async fn tap_target(c: &Client, css: &str, min: f64) {
    let v = c
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
             return [r.width, r.height, r.left, r.right, window.innerWidth];",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    let px = |i: usize| v[i].as_f64().expect("px");
    let (w, h, left, right, inner) = (px(0), px(1), px(2), px(3), px(4));
    assert!(
        h >= min && w >= min,
        "{css} is {w:.0}×{h:.0} px: too small to tap (at least {min} px)"
    );
    assert!(
        left >= 0.0 && right <= inner + 1.0,
        "{css} sticks out of the screen ({left:.0}–{right:.0} of {inner:.0} px)"
    );
}

/// The one-tap actions: the zero report, sending a first report.
const THUMB: f64 = 44.0;
/// Any other button.
const BUTTON: f64 = 32.0;

/// No sideways scroll, and every form control labelled.
async fn page_ok(c: &Client, what: &str, width: f64) {
    no_sideways_scroll(c, what, width).await;
    labelled(c, what).await;
}

/// Every form control a person fills in has a name a screen reader reads: a `<label>` around
/// it or pointing at it, or an `aria-label`.
async fn labelled(c: &Client, what: &str) {
    let bare = c
        .execute(
            "return [...document.querySelectorAll('main input, main select, main textarea')]\
             .filter(e => e.type !== 'hidden' && e.type !== 'submit')\
             .filter(e => !e.closest('label') && !e.getAttribute('aria-label')\
               && !(e.id && document.querySelector(`label[for='${e.id}']`)))\
             .map(e => e.outerHTML.slice(0, 120));",
            vec![],
        )
        .await
        .expect("controls");
    assert_eq!(bare, json!([]), "{what}: form controls without a label");
}

async fn sign_out(c: &Client) {
    click(c, "logout").await;
    wait_for(c, Locator::Id("username")).await;
}

/// A duty period of 二道区 from yesterday to the day after tomorrow, set up by the district
/// officer, with the cutoff at 23:59 so that a report sent during the test is on time.
async fn duty_period(app: &mut TestApp) -> i64 {
    let officer = app.login("bureau.officer").await;
    let body = json!({"name": "元旦假期值班", "first": today() - Duration::days(1),
        "last": today() + Duration::days(2), "cutoff": "23:59:00"});
    let r = app
        .json(Method::POST, "/api/v1/duty-periods", Some(&officer), &body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().expect("period id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_safety_director_files_the_zero_report_and_records_a_drill_on_a_phone() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let period = duty_period(&mut app).await;

    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.safety").await;

    // The duty periods, from the menu: the running period offers today's zero report.
    tap(c, "nav.menu a[href='/duty']").await;
    wait_for(c, Locator::Id("duty-periods")).await;
    let row = format!("#duty-periods tr.running:has(a[href='/duty/{period}'])");
    let zero = format!("{row} form.zero-form button[type=submit]");
    shows(c, &row, "元旦假期值班").await;
    shows(c, &zero, "今日平安").await;
    screenshot_page(c, "duty-1-periods-390.png").await;
    tap_target(c, &zero, THUMB).await;
    page_ok(c, "the duty periods", 390.0).await;

    // One tap: today's zero report is in, on time.
    tap(c, &zero).await;
    let status = shows(c, "#today-status", "按时报送").await;
    assert_eq!(path(c).await, format!("/duty/{period}/report"));
    assert!(
        text(c, "#today-card h2")
            .await
            .contains(&today().to_string())
    );
    assert!(!status.contains("— "), "the time it was sent: {status}");
    screenshot_page(c, "duty-2-zero-report-filed-390.png").await;
    tap_target(c, "#zero-form button", THUMB).await;
    page_ok(c, "the school's report page", 390.0).await;
    // The bureau's board has it.
    let officer = app.login("bureau.officer").await;
    let b = app
        .get(
            &format!("/api/v1/zero-report-board?period_id={period}"),
            Some(&officer),
        )
        .await
        .json();
    let mine = b["schools"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["school"]["id"] == s001)
        .expect("S001 on the board");
    assert_eq!(mine["status"], "on_time", "{mine}");
    assert_eq!(mine["zero"], true);

    // The school's drills: plan a fire drill for today.
    visit(
        c,
        base,
        &format!("/schools/{s001}/drills"),
        Locator::Id("plan-form"),
    )
    .await;
    page_ok(c, "the school's drills", 390.0).await;
    screenshot(c, "drill-1-list-390.png").await;
    set(c, "#plan-form select[name=kind]", "fire").await;
    set(c, "#plan-form input[name=planned_on]", &today().to_string()).await;
    fill(c, "#plan-form input[name=buildings]", "教学楼A 1-4层").await;
    tap_target(c, "#plan-form button[type=submit]", BUTTON).await;
    tap(c, "#plan-form button[type=submit]").await;
    shows(c, "#drill-status", "已计划").await;
    let drill = path(c).await;
    assert!(
        drill.starts_with("/drills/"),
        "the new drill's page: {drill}"
    );

    // Held: the head-count, the signal and everyone assembled 95 s later, a problem found
    // (also opened as a hazard).
    wait_for(c, Locator::Id("record-form")).await;
    let f = "#record-form";
    fill(c, &format!("{f} input[name=floors]"), "4").await;
    fill(c, &format!("{f} input[name=classes]"), "12").await;
    fill(c, &format!("{f} input[name=expected]"), "480").await;
    fill(c, &format!("{f} input[name=assembled]"), "478").await;
    fill(c, &format!("{f} input[name=missing]"), "2").await;
    set(c, &format!("{f} input[name=signal_at]"), "10:00:00").await;
    set(c, &format!("{f} input[name=completed_at]"), "10:01:35").await;
    fill(c, &format!("{f} input[name=injuries]"), "0").await;
    fill(
        c,
        &format!("{f} textarea[name=problems]"),
        "三楼东侧楼梯口疏导员到位稍晚，个别班级下楼拥挤",
    )
    .await;
    fill(
        c,
        &format!("{f} input[name=hazard_title]"),
        "三楼东侧楼梯口疏导员到位不及时",
    )
    .await;
    let fits = c
        .execute(
            "const e = document.querySelector(arguments[0]); return e.scrollWidth <= e.clientWidth;",
            vec![json!(format!("{f} input[name=hazard_title]"))],
        )
        .await
        .expect("hazard title");
    assert_eq!(fits, json!(true), "the hazard's title shows whole");
    page_ok(c, "the record form, filled", 390.0).await;
    screenshot_page(c, "drill-2-record-form-390.png").await;
    tap_target(c, &format!("{f} button[type=submit]"), BUTTON).await;
    tap(c, &format!("{f} button[type=submit]")).await;
    shows(c, "#drill-status", "已开展").await;
    let timing = text(c, "#drill-timing").await;
    assert_eq!(
        timing, "95 秒 / 目标 120 ✓",
        "the duration against the target"
    );
    shows(c, "#drill-hazards", "#").await;
    let facts = text(c, "#drill-facts").await;
    for want in ["478", "10:00:00", "10:01:35", "疏导员到位稍晚"] {
        assert!(facts.contains(want), "{want} missing: {facts}");
    }

    // The evaluation.
    wait_for(c, Locator::Id("evaluate-form")).await;
    set(c, "#evaluate-form select[name=rating]", "good").await;
    fill(
        c,
        "#evaluate-form textarea[name=evaluation]",
        "疏散路线清晰，各班按时到达集合点；三楼疏导员需提前到位。",
    )
    .await;
    tap_target(c, "#evaluate-form button[type=submit]", BUTTON).await;
    tap(c, "#evaluate-form button[type=submit]").await;
    let facts = shows(c, "#drill-facts", "疏散路线清晰").await;
    assert!(facts.contains("良好"), "the rating: {facts}");
    assert_eq!(text(c, "#drill-timing").await, "95 秒 / 目标 120 ✓");
    page_ok(c, "the held drill", 390.0).await;
    screenshot_page(c, "drill-3-held-390.png").await;

    // The school's list shows it held, with its time.
    tap(c, &format!(".page-head a[href='/schools/{s001}/drills']")).await;
    let listed = shows(
        c,
        &format!("#drill-list tr:has(a[href='{drill}'])"),
        "已开展",
    )
    .await;
    assert!(listed.contains("95 秒"), "{listed}");
    assert!(listed.contains("478/480"), "{listed}");
    page_ok(c, "the school's drills, one held", 390.0).await;

    h.finish("a_safety_director_files_the_zero_report_and_records_a_drill_on_a_phone")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_sees_the_boards_at_a_desk() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let period = duty_period(&mut app).await;
    // S001 reports today; nobody reported yesterday.
    let safety = app.login("s001.safety").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/duty-periods/{period}/reports"),
            Some(&safety),
            &json!({"school_id": s001, "date": today(), "zero": true}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());

    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "bureau.officer").await;

    // The periods, then the period's board: today by default.
    tap(c, "nav.menu a[href='/duty']").await;
    wait_for(c, Locator::Id("duty-periods")).await;
    tap(c, &format!("#duty-periods a[href='/duty/{period}']")).await;
    wait_for(c, Locator::Id("board-schools")).await;
    let today = today();
    let yesterday = today - Duration::days(1);
    assert!(text(c, "h1").await.contains(&today.to_string()), "today");
    let total = rows(c, "board-schools").await;
    assert!(total > 10, "every school of 二道区: {total}");
    assert_eq!(text(c, "#board-counts .label").await, "当日报送");
    shows(c, "#count-on-time", "按时报送 1").await;
    shows(c, "#count-open", &format!("待报送 {}", total - 1)).await;
    // The others first (not yet in), the school on time last; each other school missed
    // yesterday's report.
    let s001_row = "#board-schools tbody tr:last-child";
    let last = text(c, s001_row).await;
    assert!(
        last.contains("春华小学") && last.contains("按时报送"),
        "{last}"
    );
    let first = text(c, "#board-schools tbody tr:first-child").await;
    assert!(first.contains("待报送"), "{first}");
    let others = c
        .find_all(Locator::Css("#board-schools tbody tr.status-open"))
        .await
        .expect("rows");
    assert_eq!(others.len(), total - 1);
    let missed = c
        .execute(
            "return [...document.querySelectorAll('#board-schools tbody tr.status-open')]\
             .every(tr => tr.lastElementChild.textContent.trim() === '1');",
            vec![],
        )
        .await
        .expect("so far");
    assert_eq!(missed, json!(true), "each missed yesterday (漏报 1)");
    // Day by day: today first, then yesterday, when every school missed.
    let day1 = text(c, "#board-days tbody tr:first-child").await;
    let day2 = text(c, "#board-days tbody tr:nth-child(2)").await;
    assert!(day1.starts_with(&today.to_string()), "{day1}");
    assert!(day2.starts_with(&yesterday.to_string()), "{day2}");
    assert!(day2.contains(&total.to_string()), "all missing: {day2}");
    page_ok(c, "the zero-report board", 1366.0).await;
    screenshot_page(c, "duty-board-1366.png").await;

    // Yesterday's board: every school missing.
    tap(
        c,
        &format!("#board-days a[href='/duty/{period}?date={yesterday}']"),
    )
    .await;
    shows(c, "h1", &yesterday.to_string()).await;
    shows(c, "#count-missing", &format!("漏报 {total}")).await;
    assert_eq!(
        c.find_all(Locator::Css("#board-schools tbody tr.status-missing"))
            .await
            .expect("rows")
            .len(),
        total
    );
    screenshot(c, "duty-board-yesterday-1366.png").await;

    // Today's board in English.
    visit(
        c,
        base,
        &format!("/duty/{period}"),
        Locator::Id("board-schools"),
    )
    .await;
    click(c, "lang-switch").await;
    wait_for(c, Locator::Css("html[lang='en']")).await;
    wait_for(c, Locator::Id("board-schools")).await;
    assert_eq!(text(c, "#board-counts .label").await, "Reports of the day");
    shows(c, "#count-on-time", "On time 1").await;
    shows(c, "#count-open", "Not yet sent").await;
    let last = text(c, s001_row).await;
    assert!(last.contains("On time"), "{last}");
    page_ok(c, "the zero-report board (en)", 1366.0).await;
    screenshot_page(c, "duty-board-en-1366.png").await;
    click(c, "lang-switch").await;
    wait_for(c, Locator::Css("html[lang='zh-CN']")).await;

    // The drill board, from the menu: this month, then last month, missing schools first.
    tap(c, "nav.menu a[href='/drills/board']").await;
    wait_for(c, Locator::Id("board-counts")).await;
    assert_eq!(text(c, "#board-counts .label").await, "本期");
    page_ok(c, "the drill board", 1366.0).await;
    screenshot(c, "drill-board-1366.png").await;
    click(c, "prev-period").await;
    wait_for(c, Locator::Css("#board-schools tbody tr.status-missing")).await;
    let statuses = c
        .execute(
            "return [...document.querySelectorAll('#board-schools tbody tr')]\
             .map(tr => tr.className);",
            vec![],
        )
        .await
        .expect("statuses");
    let statuses: Vec<String> = statuses
        .as_array()
        .expect("rows")
        .iter()
        .map(|s| s.as_str().unwrap_or_default().to_string())
        .collect();
    let missing = statuses.iter().filter(|s| *s == "status-missing").count();
    assert!(missing > 0, "a school skipped last month's drill");
    assert!(
        statuses[..missing].iter().all(|s| s == "status-missing"),
        "missing first: {statuses:?}"
    );
    shows(c, "#count-missing", &format!("未完成 {missing}")).await;
    let first = text(c, "#board-schools tbody tr:first-child").await;
    assert!(first.contains("未完成"), "{first}");
    page_ok(c, "last month's drill board", 1366.0).await;
    screenshot_page(c, "drill-board-last-month-1366.png").await;

    h.finish("the_bureau_sees_the_boards_at_a_desk").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_is_reported_followed_up_and_closed() {
    let app = TestApp::new().await;
    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());

    // The principal, on a phone: the first report.
    sign_in(c, base, "s001.principal").await;
    tap(c, "nav.menu a[href='/incidents']").await;
    wait_for(c, Locator::Id("incident-list")).await;
    click(c, "incident-new").await;
    wait_for(c, Locator::Id("incident-form")).await;
    let f = "#incident-form";
    set(c, &format!("{f} select[name=incident_type]"), "fall").await;
    fill(c, &format!("{f} input[name=place]"), "教学楼三楼楼梯间").await;
    fill(
        c,
        &format!("{f} textarea[name=summary]"),
        "课间一名学生在楼梯间摔倒，头部擦伤。",
    )
    .await;
    fill(
        c,
        &format!("{f} textarea[name=measures]"),
        "校医处置，通知家长，送医检查。",
    )
    .await;
    fill(c, &format!("{f} input[name=injured]"), "1").await;
    fill(c, &format!("{f} input[name=person_name]"), PUPIL).await;
    fill(c, &format!("{f} input[name=person_age]"), "10").await;
    fill(
        c,
        &format!("{f} input[name=person_note]"),
        "四年级二班，头部擦伤",
    )
    .await;
    fill(c, &format!("{f} input[name=phone]"), "0431-88886666").await;
    screenshot_page(c, "incident-1-first-report-form-390.png").await;
    page_ok(c, "the first report form", 390.0).await;
    let send = format!("{f} button[type=submit]");
    tap_target(c, &send, THUMB).await;
    tap(c, &send).await;

    // The incident's page: the report on time, the clock to the next report running.
    let clock = shows(c, "#next-clock", "剩余").await;
    assert!(
        clock.contains(" 小时 ") && clock.ends_with(" 分钟"),
        "in the page's language: {clock}"
    );
    let incident = path(c).await;
    assert!(incident.starts_with("/incidents/"), "{incident}");
    shows(c, "#report-1", "按时").await;
    assert!(text(c, "#incident-clocks").await.contains("续报"));
    let masked = text(c, "#report-1 .persons-masked").await;
    assert!(
        masked.contains("1") && masked.contains("姓名已隐藏"),
        "{masked}"
    );
    assert!(!c.source().await.expect("source").contains(PUPIL));
    page_ok(c, "the incident", 390.0).await;
    screenshot_page(c, "incident-2-clock-running-390.png").await;
    sign_out(c).await;

    // The district officer at a desk: the list shows the counts, never the name.
    c.set_window_size(1366, 900).await.expect("window size");
    sign_in(c, base, "bureau.officer").await;
    tap(c, "nav.menu a[href='/incidents']").await;
    wait_for(c, Locator::Id("incident-list")).await;
    let row = format!("#incident-list tr:has(a[href='{incident}'])");
    let listed = shows(c, &row, "春华小学").await;
    for want in ["高处坠落", "受伤 1", "一般", "续报"] {
        assert!(listed.contains(want), "{want} missing: {listed}");
    }
    shows(c, &format!("{row} .clock"), "剩余").await;
    assert!(!c.source().await.expect("source").contains(PUPIL));
    page_ok(c, "the incident list", 1366.0).await;
    screenshot(c, "incident-3-list-1366.png").await;

    // The incident's page, still without the name; the officer acknowledges the first report.
    tap(c, &format!("{row} td:first-child a")).await;
    wait_for(c, Locator::Id("incident-clocks")).await;
    assert!(!c.source().await.expect("source").contains(PUPIL));
    assert!(c.find(Locator::Id("report-form")).await.is_err());
    tap(c, "#report-1 .receipt-form button[type=submit]").await;
    shows(c, "#report-1 .receipts", "已接报").await;
    page_ok(c, "the incident (bureau)", 1366.0).await;
    screenshot_page(c, "incident-4-acknowledged-1366.png").await;
    sign_out(c).await;

    // The principal, on the phone again: a follow-up, then the final report.
    c.set_window_size(390, 844).await.expect("window size");
    sign_in(c, base, "s001.principal").await;
    visit(c, base, &incident, Locator::Id("report-form")).await;
    assert!(
        c.find(Locator::Css(
            "#report-form input[name=kind][value=follow_up]:checked"
        ))
        .await
        .is_ok(),
        "a follow-up by default"
    );
    fill(
        c,
        "#report-form textarea[name=summary]",
        "医院检查无骨折，学生已由家长接回休息。",
    )
    .await;
    tap_target(c, "#report-form button[type=submit]", BUTTON).await;
    tap(c, "#report-form button[type=submit]").await;
    shows(c, "#report-2", "续报").await;
    shows(c, "#next-clock", "剩余").await;
    tap(c, "#report-form input[name=kind][value=final]").await;
    fill(
        c,
        "#report-form textarea[name=summary]",
        "学生次日返校，处置结束。已对楼梯间防滑条进行检查。",
    )
    .await;
    tap(c, "#report-form button[type=submit]").await;
    shows(c, "#report-3", "终报").await;
    shows(c, "#incident-closed", "已终报").await;
    assert!(c.find(Locator::Id("report-form")).await.is_err(), "closed");
    assert!(c.find(Locator::Id("next-clock")).await.is_err());
    assert!(!c.source().await.expect("source").contains(PUPIL));
    page_ok(c, "the closed incident", 390.0).await;
    screenshot_page(c, "incident-5-closed-390.png").await;

    // The list marks it closed.
    visit(c, base, "/incidents", Locator::Id("incident-list")).await;
    shows(
        c,
        &format!("#incident-list tr.incident-closed:has(a[href='{incident}'])"),
        "已终报",
    )
    .await;
    page_ok(c, "the incident list (phone)", 390.0).await;

    h.finish("an_incident_is_reported_followed_up_and_closed")
        .await;
}
