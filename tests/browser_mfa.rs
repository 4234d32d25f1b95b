mod common;

// The second factor in Chromium (T-AU-5), as a person meets it. A role that requires it
// (the district officer, `bureau_officer`): the password leads to /login/mfa/enrol, the secret
// is read off the page and the code computed here (SHA-1, 6 digits, 30 s: the server's
// parameters), the recovery codes are shown once; signed out and in again the password leads
// to /login/mfa, a wrong code is refused in Chinese, the right one lands on the home page, a
// recovery code works once and not twice. The verify step also runs on a 390 px phone. A role
// that does not require it (S001's principal) sets it up from /account/mfa on a 390 px phone
// with nothing wider than the screen. Screenshots go to `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use safecampus::config::Config;
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use totp_rs::{Algorithm, Secret, TOTP};

/// The authenticator app: the code of the next step not yet used (a code works once, and
/// the server accepts one step either side of now), waiting for the clock when needed.
struct Authenticator {
    secret: String,
    last_step: Option<u64>,
}

impl Authenticator {
    async fn code(&mut self) -> String {
        loop {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("clock")
                .as_secs();
            let step = now / 30;
            let want = match self.last_step {
                Some(l) if l >= step => l + 1,
                _ => step,
            };
            if want <= step + 1 {
                self.last_step = Some(want);
                let bytes = Secret::Encoded(self.secret.clone())
                    .to_bytes()
                    .expect("base32 secret");
                let t = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).expect("totp");
                return t.generate(want * 30);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Elements wider than the viewport (tag, id and class), none expected.
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

async fn fits(c: &Client, what: &str) {
    let wide = too_wide(c).await;
    assert!(wide.is_empty(), "{what}: wider than the screen: {wide:?}");
    let (doc, win) = widths(c).await;
    assert!(doc <= win + 1.0, "{what}: scrolls sideways ({doc} > {win})");
}

/// The password step only: the form is sent, whatever page follows.
async fn password_step(c: &Client, base: &str, username: &str) {
    visit(c, base, "/login", Locator::Id("username")).await;
    type_in(c, "username", username).await;
    type_in(c, "password", common::PASSWORD).await;
    click(c, "login-submit").await;
}

/// Waits until the browser is at `want`.
async fn lands_on(c: &Client, want: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    while path(c).await != want {
        assert!(
            std::time::Instant::now() < deadline,
            "expected {want}, at {}",
            path(c).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs out with the header's button (opening the phone's menu first when it is folded).
async fn sign_out(c: &Client) {
    let b = wait_for(c, Locator::Id("logout")).await;
    if !b.is_displayed().await.expect("displayed") {
        let toggle = c
            .find(Locator::Css(".nav-toggle-label"))
            .await
            .expect("the phone's menu button");
        toggle.click().await.expect("open the menu");
    }
    click(c, "logout").await;
    lands_on(c, "/login").await;
}

/// Types a code into the second-factor form and sends it.
async fn give_code(c: &Client, code: &str, button: &str) {
    let field = wait_for(c, Locator::Id("mfa-code")).await;
    field.clear().await.expect("clear");
    field.send_keys(code).await.expect("typing");
    click(c, button).await;
}

#[tokio::test]
async fn a_required_second_factor_is_set_up_then_asked_at_every_sign_in() {
    let app = TestApp::with_mfa(Config::default()).await;
    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());

    // The password leads to the set-up, and nothing else answers meanwhile.
    password_step(c, base, "bureau.officer").await;
    let secret = wait_for(c, Locator::Id("mfa-secret")).await;
    assert_eq!(path(c).await, "/login/mfa/enrol");
    let secret = secret.text().await.expect("secret").replace(' ', "");
    assert_eq!(secret.len(), 32, "a 160-bit base32 secret: {secret}");
    assert!(
        c.find(Locator::Css("#mfa-qr svg")).await.is_ok(),
        "the QR code"
    );
    screenshot_page(c, "mfa-enrol-1366.png").await;
    c.goto(&format!("{base}/")).await.expect("home");
    lands_on(c, "/login/mfa/enrol").await;

    // A wrong code is refused in Chinese, the right one shows the ten recovery codes.
    let mut app_codes = Authenticator {
        secret,
        last_step: None,
    };
    give_code(c, "123456", "mfa-confirm").await;
    shows(c, ".field-error", "验证码不正确").await;
    assert_eq!(path(c).await, "/login/mfa/enrol");
    let code = app_codes.code().await;
    give_code(c, &code, "mfa-confirm").await;
    wait_for(c, Locator::Id("mfa-recovery-codes")).await;
    let items = c
        .find_all(Locator::Css("#mfa-recovery-codes li"))
        .await
        .expect("codes");
    let mut recovery = Vec::new();
    for li in items {
        recovery.push(li.text().await.expect("code"));
    }
    assert_eq!(recovery.len(), 10, "{recovery:?}");
    assert!(recovery.iter().all(|r| r.len() == 19), "{recovery:?}");
    screenshot_page(c, "mfa-recovery-codes-1366.png").await;
    click(c, "mfa-continue").await;
    wait_for(c, Locator::Id("home-title")).await;
    assert_eq!(path(c).await, "/");

    // Shown once: neither the set-up page nor the account page shows them again.
    for p in ["/login/mfa/enrol", "/account/mfa"] {
        c.goto(&format!("{base}{p}")).await.expect(p);
        wait_for(c, Locator::Id("current-user")).await;
        let src = c.source().await.expect("source");
        assert!(
            recovery.iter().all(|r| !src.contains(r.as_str())),
            "{p} shows a recovery code again"
        );
    }
    shows(c, "#mfa-on", "已开启").await;
    sign_out(c).await;

    // On a phone: the password leads to the code; a wrong one is refused in Chinese.
    c.set_window_size(390, 844).await.expect("window size");
    password_step(c, base, "bureau.officer").await;
    wait_for(c, Locator::Id("mfa-submit")).await;
    assert_eq!(path(c).await, "/login/mfa");
    fits(c, "/login/mfa at 390 px").await;
    give_code(c, "000000", "mfa-submit").await;
    let error = shows(c, "#mfa-error", "验证码不正确").await;
    assert!(error.contains("请输入应用中当前显示的验证码"), "{error}");
    assert_eq!(path(c).await, "/login/mfa");
    fits(c, "/login/mfa with its error at 390 px").await;
    screenshot_page(c, "mfa-verify-error-390.png").await;
    // The right code lands on the officer's home page.
    let code = app_codes.code().await;
    give_code(c, &code, "mfa-submit").await;
    wait_for(c, Locator::Id("home-title")).await;
    assert_eq!(path(c).await, "/");
    // The same code a second time (in another sign-in) is refused: it works once.
    sign_out(c).await;
    password_step(c, base, "bureau.officer").await;
    wait_for(c, Locator::Id("mfa-submit")).await;
    give_code(c, &code, "mfa-submit").await;
    shows(c, "#mfa-error", "已使用过").await;
    assert_eq!(path(c).await, "/login/mfa");
    c.set_window_size(1366, 900).await.expect("window size");

    // A recovery code works once, typed as people type it (lower case, spaces) …
    let typed = recovery[3].to_lowercase().replace('-', " ");
    give_code(c, &typed, "mfa-submit").await;
    wait_for(c, Locator::Id("home-title")).await;
    assert_eq!(path(c).await, "/");
    c.goto(&format!("{base}/account/mfa"))
        .await
        .expect("account");
    shows(c, "#mfa-recovery-left", "9").await;
    sign_out(c).await;
    // … and not twice.
    password_step(c, base, "bureau.officer").await;
    wait_for(c, Locator::Id("mfa-submit")).await;
    give_code(c, &recovery[3], "mfa-submit").await;
    shows(c, "#mfa-error", "验证码不正确").await;
    assert_eq!(path(c).await, "/login/mfa");
    screenshot_page(c, "mfa-verify-used-recovery-1366.png").await;
    // Another of them still does.
    give_code(c, &recovery[7], "mfa-submit").await;
    wait_for(c, Locator::Id("home-title")).await;
    assert_eq!(path(c).await, "/");

    h.finish("a_required_second_factor_is_set_up_then_asked_at_every_sign_in")
        .await;
}

#[tokio::test]
async fn an_optional_second_factor_is_set_up_on_the_account_page_on_a_phone() {
    let app = TestApp::with_mfa(Config::default()).await;
    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());

    // The principal's role does not require it: the password alone signs in.
    sign_in(c, base, "s001.principal").await;
    assert_eq!(path(c).await, "/");
    visit(c, base, "/account/mfa", Locator::Id("mfa-off")).await;
    fits(c, "/account/mfa (off) at 390 px").await;
    screenshot_page(c, "mfa-account-off-390.png").await;
    click(c, "mfa-start").await;
    let secret = wait_for(c, Locator::Id("mfa-secret")).await;
    let secret = secret.text().await.expect("secret").replace(' ', "");
    fits(c, "/account/mfa (set-up) at 390 px").await;
    screenshot_page(c, "mfa-account-enrol-390.png").await;
    let mut app_codes = Authenticator {
        secret,
        last_step: None,
    };
    give_code(c, "999999", "mfa-confirm").await;
    shows(c, ".field-error", "验证码不正确").await;
    fits(c, "/account/mfa (wrong code) at 390 px").await;
    let code = app_codes.code().await;
    give_code(c, &code, "mfa-confirm").await;
    wait_for(c, Locator::Id("mfa-recovery-codes")).await;
    let n = c
        .find_all(Locator::Css("#mfa-recovery-codes li"))
        .await
        .expect("codes")
        .len();
    assert_eq!(n, 10);
    fits(c, "the recovery codes at 390 px").await;
    screenshot_page(c, "mfa-account-codes-390.png").await;
    click(c, "mfa-continue").await;
    shows(c, "#mfa-on", "已开启").await;
    fits(c, "/account/mfa (on) at 390 px").await;
    screenshot_page(c, "mfa-account-on-390.png").await;

    // From now on the principal's sign-in asks for the code too.
    sign_out(c).await;
    password_step(c, base, "s001.principal").await;
    wait_for(c, Locator::Id("mfa-submit")).await;
    assert_eq!(path(c).await, "/login/mfa");
    let code = app_codes.code().await;
    give_code(c, &code, "mfa-submit").await;
    wait_for(c, Locator::Id("current-user")).await;
    assert_eq!(path(c).await, "/");

    h.finish("an_optional_second_factor_is_set_up_on_the_account_page_on_a_phone")
        .await;
}
