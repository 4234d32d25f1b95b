//! Sign-in page, language switch, sign-out, own password.

use super::{Chrome, FormErrors, render, safe_next, see_other};
use crate::config::Config;
use crate::storage::auth::{LoginError, SessionKind};
use crate::web::AppState;
use crate::web::ctx::{Ctx, Form, ReqLang, ReqOrigin, SESSION_COOKIE, token_from};
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
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize)]
pub struct NextQ {
    next: Option<String>,
}

pub async fn login_page(
    ReqLang(lang): ReqLang,
    Query(q): Query<NextQ>,
) -> Result<Response, crate::Error> {
    let next = safe_next(q.next.as_deref());
    render(&LoginPage {
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

fn session_cookie(value: &str, cfg: &Config, max_age: Option<i64>) -> HeaderValue {
    let secure = if cfg.security.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}"
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
    if let Some(old) = token_from(&headers).filter(|t| t.from_cookie)
        && let Ok(Some(a)) = st.auth()
            .session(&old.value, &origin, &st.config().security)
            .await
    {
        st.auth().logout(&old.value, &a).await.ok();
    }
    match st.auth()
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
            let to = if actor.must_change_password() {
                "/account/password".to_string()
            } else {
                next
            };
            let mut r = see_other(&to);
            r.headers_mut()
                .append(header::SET_COOKIE, session_cookie(&token, st.config(), None));
            Ok(r)
        }
        Err(e) => {
            let key = match e {
                LoginError::Invalid => "err.login_failed",
                LoginError::Locked => "err.locked",
            };
            let status = match e {
                LoginError::Invalid => axum::http::StatusCode::UNAUTHORIZED,
                LoginError::Locked => axum::http::StatusCode::TOO_MANY_REQUESTS,
            };
            let mut r = render(&LoginPage {
                c: Chrome::public(lang, "login.title", "/login"),
                next,
                username: f.username.chars().take(64).collect(),
                error: tr(lang, key),
            })?;
            *r.status_mut() = status;
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
    r.headers_mut()
        .append(header::SET_COOKIE, session_cookie("", ctx.config(), Some(0)));
    Ok(r)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    c: Chrome,
    forced: bool,
    errors: FormErrors,
    done: bool,
}

pub async fn password_page(ctx: Ctx) -> Result<Response, crate::Error> {
    render(&PasswordPage {
        c: Chrome::for_ctx(&ctx, "password.title", "/account/password"),
        forced: ctx.actor.must_change_password(),
        errors: FormErrors::default(),
        done: false,
    })
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
            .change_password(&ctx.actor, &f.current, &f.password)
            .await
    };
    match res {
        Ok(()) => render(&PasswordPage {
            c: Chrome::for_ctx(&ctx, "password.title", "/account/password"),
            forced: false,
            errors: FormErrors::default(),
            done: true,
        }),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => {
                let mut r = render(&PasswordPage {
                    c: Chrome::for_ctx(&ctx, "password.title", "/account/password"),
                    forced: ctx.actor.must_change_password(),
                    errors,
                    done: false,
                })?;
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
