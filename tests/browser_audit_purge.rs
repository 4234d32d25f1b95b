mod common;

// The audit admin's purge form on /audit in Chromium on a 390 px phone, in Chinese (T-LG-5 on
// the page): a date under the 184-day floor is refused on the page with the date kept; a date
// 200 days back asks for confirmation with the count of the old stretch (nothing written yet),
// the confirmation archives and removes it and the page says how many and where; the young
// stretch stays and the chain still verifies. Nothing is wider than the screen. Screenshots go
// to `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use chrono::Duration;
use common::audit::{CHANGED, OLD, YOUNG, fixture, history_left};
use fantoccini::{Client, Locator};
use harness::*;

/// A China date `days` days ago, as the date field holds it.
fn days_ago(days: i64) -> String {
    (safecampus::clock::today() - Duration::days(days)).to_string()
}

/// Puts `date` in the purge form's date field and asks for the preview.
async fn preview(c: &Client, date: &str) {
    c.execute(
        "document.getElementById('purge-before').value = arguments[0];",
        vec![serde_json::json!(date)],
    )
    .await
    .expect("set the date");
    click(c, "purge-preview").await;
}

async fn fits(c: &Client, what: &str) {
    let (doc, win) = widths(c).await;
    assert!(doc <= win + 1.0, "{what}: scrolls sideways ({doc} > {win})");
}

#[tokio::test]
async fn the_audit_admin_purges_the_old_stretch_on_a_phone() {
    require_browser();
    let f = fixture(true).await;
    let h = Harness::start(&f.app, 390, 844).await;
    let c = &h.c;
    visit(c, &h.base, "/login", Locator::Id("username")).await;
    type_in(c, "username", "auditor").await;
    type_in(c, "password", CHANGED).await;
    click(c, "login-submit").await;
    wait_for(c, Locator::Id("current-user")).await;
    visit(c, &h.base, "/audit", Locator::Id("purge-form")).await;
    fits(c, "the audit page").await;

    // Under the floor: refused on the page, the date kept, nothing removed.
    let young = days_ago(150);
    preview(c, &young).await;
    shows(c, "#purge-error", "184").await;
    let kept = c
        .find(Locator::Id("purge-before"))
        .await
        .expect("date field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some(young.as_str()));
    assert_eq!(history_left(&f).await, OLD + YOUNG);
    screenshot_page(c, "audit-purge-refused-390.png").await;

    // 200 days back: the count first, then the purge.
    let before = days_ago(200);
    preview(c, &before).await;
    let asked = shows(c, "#purge-confirm-text", &format!("{OLD} 条")).await;
    assert!(asked.contains(&before), "{asked}");
    assert_eq!(
        history_left(&f).await,
        OLD + YOUNG,
        "a preview writes nothing"
    );
    fits(c, "the confirmation").await;
    screenshot_page(c, "audit-purge-confirm-390.png").await;
    click(c, "purge-confirm").await;
    shows(c, "#purge-done", &format!("已归档并清理 {OLD} 条审计记录")).await;
    shows(c, "#chain-state", "审计日志哈希链校验通过").await;
    assert_eq!(history_left(&f).await, YOUNG);
    fits(c, "the result").await;
    screenshot_page(c, "audit-purge-done-390.png").await;
    h.finish("the_audit_admin_purges_the_old_stretch_on_a_phone")
        .await;
}
