mod common;

// No page of any role's menu is wider than a 390 px phone (issue 15): every demo role signs
// in, every link of the menu as rendered for it is opened, and a script checks that the page
// does not scroll sideways and that no element reaches past the right edge — elements inside
// a container made to scroll sideways (a wide table's or a map's `overflow-x: auto` wrapper)
// excepted, as long as the container itself fits. One Chromium, one session per role.
// A screenshot of each page goes to `target/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::Value;

/// The demo's roles: the bureau officer, the city officer, the principal, the safety
/// director, staff, a guard and the three system roles.
const ACCOUNTS: &[&str] = &[
    "bureau.officer",
    "city.officer",
    "s001.principal",
    "s001.safety",
    "s001.staff",
    "s001.guard",
    "sysadmin",
    "secadmin",
    "auditadmin",
];

/// `[scrollWidth, innerWidth, [offending elements]]`: an element offends when it is visible
/// and reaches past the viewport's right edge (or before its left), unless an ancestor scrolls
/// sideways (`overflow-x` auto or scroll) or clips it.
const CHECK: &str = r#"
const w = window.innerWidth;
const clipped = (e) => {
  for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
  }
  return false;
};
const bad = [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return false;
  if (getComputedStyle(e).visibility === 'hidden') return false;
  if (r.right <= w + 1 && r.left >= -1) return false;
  return !clipped(e);
}).map(e => {
  const r = e.getBoundingClientRect();
  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
    ' [' + Math.round(r.left) + '..' + Math.round(r.right) + ']';
}).slice(0, 8);
return [document.documentElement.scrollWidth, w, bad];
"#;

fn shot(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir.join(name)
}

/// The menu's links as rendered for the signed-in role (paths, in order, once each).
async fn menu(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            "return [...document.querySelectorAll('nav.menu a')].map(a => a.getAttribute('href'));",
            vec![],
        )
        .await
        .expect("menu");
    let mut out: Vec<String> = serde_json::from_value(v).expect("hrefs");
    out.dedup();
    out
}

/// Checks the open page; answers what is wrong with it, if anything.
async fn check(c: &Client, what: &str) -> Option<String> {
    let v: Value = c.execute(CHECK, vec![]).await.expect("check");
    let (scroll, inner) = (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0));
    let bad: Vec<String> = serde_json::from_value(v[2].clone()).unwrap_or_default();
    assert!(
        (inner - 390.0).abs() <= 20.0,
        "{what}: the viewport is {inner}px"
    );
    if scroll <= inner + 1.0 && bad.is_empty() {
        return None;
    }
    Some(format!(
        "{what}: scrollWidth {scroll} > {inner}? wider: {bad:?}"
    ))
}

#[tokio::test]
async fn no_page_of_any_menu_is_wider_than_a_phone() {
    let app = TestApp::new().await;
    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    // The check sees an element wider than the phone, and lets a sideways-scrolling wrapper
    // hold one.
    visit(c, base, "/login", Locator::Id("username")).await;
    let wide = "const d = document.createElement('div'); d.id = 'too-wide'; \
                d.style.width = '600px'; d.style.height = '10px'; document.body.append(d); \
                return true;";
    c.execute(wide, vec![]).await.expect("a wide element");
    let seen = check(c, "the probe").await.unwrap_or_default();
    assert!(
        seen.contains("div#too-wide"),
        "the check finds it: {seen:?}"
    );
    let wrap = "const w = document.createElement('div'); w.style.overflowX = 'auto'; \
                w.append(document.getElementById('too-wide')); document.body.append(w); \
                return true;";
    c.execute(wrap, vec![]).await.expect("a scrolling wrapper");
    assert_eq!(check(c, "the wrapped probe").await, None);
    let mut problems = Vec::new();
    let mut pages = 0;
    for account in ACCOUNTS {
        sign_in(c, base, account).await;
        let links = menu(c).await;
        assert!(!links.is_empty(), "{account} has a menu");
        for href in links {
            c.goto(&format!("{base}{href}")).await.expect(&href);
            wait_for(c, Locator::Css("body")).await;
            let what = format!("{account} {href}");
            if let Some(p) = check(c, &what).await {
                problems.push(p);
            }
            let slug: String = href
                .trim_matches('/')
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' })
                .collect();
            let slug = if slug.is_empty() { "home".into() } else { slug };
            let png = c.screenshot().await.expect("screenshot");
            std::fs::write(shot(&format!("overflow-{account}-{slug}.png")), png)
                .expect("write screenshot");
            pages += 1;
        }
        c.delete_all_cookies().await.expect("sign out");
    }
    println!("{pages} pages checked at 390 px");
    assert!(pages >= 40, "only {pages} pages");
    assert!(
        problems.is_empty(),
        "wider than the phone:\n{}",
        problems.join("\n")
    );
    h.finish("no_page_of_any_menu_is_wider_than_a_phone").await;
}
