//! Sign-in page, language switch, sign-out, own password.

use super::{Chrome, FormErrors, render, see_other};
use crate::config::Config;
use crate::storage::auth::SessionKind;
use crate::web::AppState;
use crate::web::ctx::{Ctx, Form, ReqLang, ReqOrigin, session_cookie_name, token_from};
use crate::web::i18n::{Lang, tr};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    /// How sign-in pauses after wrong passwords, with the configured figures.
    intro: String,
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize)]
pub struct NextQ {
    next: Option<String>,
}

/// The login page's introduction: after how many wrong passwords sign-in pauses, and for how
/// long, as configured (`[security]`).
fn intro(lang: Lang, s: &crate::config::Security) -> String {
    tr(lang, "login.intro")
        .replace("%{failures}", &s.max_failures.to_string())
        .replace("%{minutes}", &s.lockout_minutes.to_string())
}

pub async fn login_page(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    Query(q): Query<NextQ>,
) -> Result<Response, crate::Error> {
    let next = safe_next(q.next.as_deref());
    render(&LoginPage {
        intro: intro(lang, &st.config().security),
        c: Chrome::public(
            lang,
            "login.title",
            &format!("/login?next={}", crate::web::error::urlencode(&next)),
        ),
        next,
        username: String::new(),
        error: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub(super) fn session_cookie(value: &str, cfg: &Config, max_age: Option<i64>) -> HeaderValue {
    let secure = if cfg.security.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    let name = session_cookie_name(cfg.security.secure_cookies);
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}"
    ))
    .expect("token is URL-safe")
}

pub async fn login_submit(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    ReqOrigin(origin): ReqOrigin,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, crate::Error> {
    let next = safe_next(f.next.as_deref());
    // A session that came with the request is ended: sign-in always issues a new id.
    if let Some(old) =
        token_from(&headers, st.config().security.secure_cookies).filter(|t| t.from_cookie)
        && let Ok(Some(a)) = st
            .auth()
            .session(
                &old.value,
                &origin,
                &st.config().security,
                Default::default(),
            )
            .await
    {
        st.auth().logout(&old.value, &a.actor).await.ok();
    }
    match st
        .auth()
        .login(
            &f.username,
            &f.password,
            SessionKind::Web,
            &origin,
            &st.config().security,
        )
        .await
    {
        Ok((token, actor)) => {
            // The second factor first (nothing else answers until it is given), then a
            // temporary password.
            let to = if let Some(pending) = actor.mfa_pending() {
                pending.page().to_string()
            } else if actor.must_change_password() {
                "/account/password".to_string()
            } else {
                next
            };
            let mut r = see_other(&to);
            r.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&token, st.config(), None),
            );
            Ok(r)
        }
        Err(e) => {
            let mut r = render(&LoginPage {
                intro: intro(lang, &st.config().security),
                c: Chrome::public(lang, "login.title", "/login"),
                next,
                username: f.username.chars().take(64).collect(),
                error: crate::web::api::auth::refusal_text(lang, e, &st.config().security),
            })?;
            *r.status_mut() = crate::web::api::auth::refusal_status(e);
            crate::web::api::auth::with_retry_after(&mut r, e);
            Ok(r)
        }
    }
}

pub async fn switch_lang(Path(code): Path<String>, Query(q): Query<NextQ>) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Zh);
    let mut r = see_other(&safe_next(q.next.as_deref()));
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        ))
        .expect("static"),
    );
    r
}

pub async fn logout(ctx: Ctx) -> Result<Response, crate::Error> {
    if let Some(t) = &ctx.token {
        ctx.auth().logout(&t.value, &ctx.actor).await?;
    }
    let mut r = see_other("/login");
    r.headers_mut().append(
        header::SET_COOKIE,
        session_cookie("", ctx.config(), Some(0)),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    c: Chrome,
    forced: bool,
    errors: FormErrors,
    /// Every rule the new password broke.
    password_errors: Vec<String>,
    /// The configured rules, to read before typing.
    rules: Vec<String>,
    done: bool,
}

/// The password rules as configured (`[security]`), one line each.
fn rules(lang: Lang, s: &crate::config::Security) -> Vec<String> {
    let n = |key: &str, n: String| tr(lang, key).replace("%{n}", &n);
    let mut out = vec![
        n("password.policy.length", s.password_min_length.to_string()).replace(
            "%{admin}",
            &s.password_min_length_admin
                .max(s.password_min_length)
                .to_string(),
        ),
        n(
            "password.policy.classes",
            s.password_min_classes.min(4).to_string(),
        ),
        tr(lang, "password.policy.username"),
    ];
    if s.password_reject_common {
        out.push(tr(lang, "password.policy.common"));
    }
    if s.password_history > 0 {
        out.push(n("password.policy.history", s.password_history.to_string()));
    }
    if s.password_max_age_days > 0 {
        out.push(n(
            "password.policy.max_age",
            s.password_max_age_days.to_string(),
        ));
    }
    if s.initial_password_hours > 0 {
        out.push(n(
            "password.policy.initial",
            s.initial_password_hours.to_string(),
        ));
    }
    out
}

fn password_view(ctx: &Ctx, forced: bool, errors: FormErrors, done: bool) -> PasswordPage {
    let password_errors = errors
        .fields
        .iter()
        .filter(|(f, _)| f == "password")
        .map(|(_, m)| m.clone())
        .collect();
    PasswordPage {
        c: Chrome::for_ctx(ctx, "password.title", "/account/password"),
        forced,
        errors,
        password_errors,
        rules: rules(ctx.lang, &ctx.config().security),
        done,
    }
}

pub async fn password_page(ctx: Ctx) -> Result<Response, crate::Error> {
    render(&password_view(
        &ctx,
        ctx.actor.must_change_password(),
        FormErrors::default(),
        false,
    ))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    password: String,
    confirm: String,
}

pub async fn password_submit(
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> Result<Response, crate::Error> {
    let res = if f.password != f.confirm {
        Err(crate::Error::field("confirm", "err.password_mismatch"))
    } else {
        ctx.auth()
            .change_password(
                &ctx.actor,
                &f.current,
                &f.password,
                ctx.token.as_ref().map(|t| t.value.as_str()),
                &ctx.config().security,
            )
            .await
    };
    match res {
        Ok(()) => render(&password_view(&ctx, false, FormErrors::default(), true)),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => {
                let forced = ctx.actor.must_change_password();
                let mut r = render(&password_view(&ctx, forced, errors, false))?;
                *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                Ok(r)
            }
            None => Err(e),
        },
    }
}

/// Where a user lands after sign-in.
pub fn landing(role: crate::domain::role::Role) -> &'static str {
    use crate::domain::role::Role::*;
    match role {
        SysAdmin | SecAdmin => "/admin/users",
        AuditAdmin => "/audit",
        _ => "/schools",
    }
}

/// The longest `next` target followed.
const MAX_NEXT: usize = 2048;

/// The one check of every redirect target taken from a request (`next`, `return_to`): only a
/// same-origin path is followed, anything else goes to `/`. A path starts with one `/` (not
/// `//` or `/\`, which browsers read as another host), holds no backslash, control, whitespace
/// or invisible formatting character — neither as given nor once percent-decoded (browsers drop
/// a tab or newline, so `/\t/evil` would be `//evil`) — and so carries no scheme. Non-ASCII
/// characters are percent-encoded for the `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.len() <= MAX_NEXT && local_path(n) && local_path(&percent_decode(n)) => {
            encode_non_ascii(n)
        }
        _ => "/".into(),
    }
}

fn local_path(s: &str) -> bool {
    let mut it = s.chars();
    it.next() == Some('/')
        && !matches!(it.next(), Some('/' | '\\'))
        && !s.chars().any(|c| {
            c == '\\'
                || c.is_control()
                || c.is_whitespace()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
        })
}

/// `%XX` → the byte (invalid sequences are kept); the result read as UTF-8, lossily.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode_non_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_origin_paths_are_followed() {
        for bad in [
            "//evil.cn",
            "/\\evil.cn",
            "https:evil.cn",
            "%2F%2Fevil",
            "/%2F/evil",
            "/%5Cevil",
            "javascript:alert(1)",
            "/%0d%0aLocation:%20http://evil",
            "/%09/evil.example/x",
            "/\t/evil",
            "/\n/evil",
            " //evil",
            "http://evil.cn",
            "",
            "evil",
            "/\u{202e}x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
        for good in ["/hazards?status=open", "/", "/schools/3", "/a?next=%2Fb"] {
            assert_eq!(safe_next(Some(good)), good);
        }
        assert_eq!(
            safe_next(Some("/hazards?q=消防")),
            "/hazards?q=%E6%B6%88%E9%98%B2"
        );
    }
}
