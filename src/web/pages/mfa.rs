//! The second factor's pages: the code at sign-in (`/login/mfa`), the set-up a role requires
//! (`/login/mfa/enrol`), and one's own second factor (`/account/mfa`: set up, new recovery
//! codes, turn off).

use super::{Chrome, FormErrors, render, see_other};
use crate::error::Error;
use crate::storage::auth::mfa::{self, MfaPending, MfaStatus};
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "mfa/verify.html")]
struct VerifyPage {
    c: Chrome,
    errors: FormErrors,
}

/// The set-up: the QR code of the `otpauth://` URI and the secret in groups of four.
#[derive(Template)]
#[template(path = "mfa/enrol.html")]
struct EnrolPage {
    c: Chrome,
    qr: String,
    secret: String,
    /// Where the first code goes.
    action: &'static str,
    /// Part of a sign-in (no menu; sign-out offered).
    sign_in: bool,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "mfa/codes.html")]
struct CodesPage {
    c: Chrome,
    codes: Vec<String>,
    next: String,
}

#[derive(Template)]
#[template(path = "mfa/account.html")]
struct AccountPage {
    c: Chrome,
    enrolled_at: String,
    required: bool,
    recovery_left: u64,
    /// A set-up waiting for its first code.
    enrol: Option<EnrolPage>,
    errors: FormErrors,
}

/// The frame of a sign-in step: the user is not signed in yet, so no menu or header links.
fn sign_in_chrome(ctx: &Ctx, title: &str, here: &str) -> Chrome {
    let mut c = Chrome::for_ctx(ctx, title, here);
    c.menu.clear();
    c.signed_in = false;
    c.unread = 0;
    c
}

/// Where a session goes when the step asked for is not the one due.
fn elsewhere(ctx: &Ctx) -> Response {
    see_other(ctx.actor.mfa_pending().map_or("/", MfaPending::page))
}

/// Where a completed sign-in goes.
fn after_sign_in(ctx: &Ctx) -> String {
    if ctx.actor.must_change_password() {
        "/account/password".into()
    } else {
        "/".into()
    }
}

fn with_status(r: Result<Response, Error>, s: StatusCode) -> Result<Response, Error> {
    let mut r = r?;
    *r.status_mut() = s;
    Ok(r)
}

fn enrol_view(
    ctx: &Ctx,
    secret: &str,
    action: &'static str,
    sign_in: bool,
    errors: FormErrors,
) -> Result<EnrolPage, Error> {
    let uri = mfa::otpauth_uri(secret, ctx.actor.username());
    let qr = crate::web::svg::qr_svg(&uri, 200).map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
    let c = if sign_in {
        sign_in_chrome(ctx, "mfa.enrol_title", action)
    } else {
        Chrome::for_ctx(ctx, "mfa.title", "/account/mfa")
    };
    Ok(EnrolPage {
        c,
        qr,
        secret: mfa::grouped(secret),
        action,
        sign_in,
        errors,
    })
}

pub async fn verify_page(ctx: Ctx) -> Result<Response, Error> {
    if ctx.actor.mfa_pending() != Some(MfaPending::Verify) {
        return Ok(elsewhere(&ctx));
    }
    render(&VerifyPage {
        c: sign_in_chrome(&ctx, "mfa.verify_title", "/login/mfa"),
        errors: FormErrors::default(),
    })
}

/// The answer with the session's new id in the cookie (when the session came in a cookie: a
/// bearer client reads its new token from `POST /api/v1/auth/mfa`).
fn with_session(mut r: Response, ctx: &Ctx, from_cookie: bool, token: &str) -> Response {
    if from_cookie {
        r.headers_mut().append(
            axum::http::header::SET_COOKIE,
            super::auth::session_cookie(token, ctx.config(), None),
        );
    }
    r
}

pub async fn verify_submit(ctx: Ctx, Form(f): Form<CodeForm>) -> Result<Response, Error> {
    if ctx.actor.mfa_pending() != Some(MfaPending::Verify) {
        return Ok(elsewhere(&ctx));
    }
    let token = ctx.token.clone().ok_or(Error::Unauthorized)?;
    match ctx
        .auth()
        .mfa_complete(&ctx.actor, &token.value, &f.code, &ctx.config().security)
        .await
    {
        Ok((renewed, _)) => Ok(with_session(
            see_other(&after_sign_in(&ctx)),
            &ctx,
            token.from_cookie,
            &renewed,
        )),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => with_status(
                render(&VerifyPage {
                    c: sign_in_chrome(&ctx, "mfa.verify_title", "/login/mfa"),
                    errors,
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            None => Err(e),
        },
    }
}

async fn status(ctx: &Ctx) -> Result<MfaStatus, Error> {
    ctx.auth()
        .mfa_status(&ctx.actor, &ctx.config().security)
        .await
}

pub async fn enrol_page(ctx: Ctx) -> Result<Response, Error> {
    if ctx.actor.mfa_pending() != Some(MfaPending::Enrol) {
        return Ok(elsewhere(&ctx));
    }
    let s = status(&ctx).await?;
    let secret = s
        .pending_secret
        .ok_or_else(|| Error::Conflict("err.mfa.no_enrolment".into()))?;
    render(&enrol_view(
        &ctx,
        &secret,
        "/login/mfa/enrol",
        true,
        FormErrors::default(),
    )?)
}

pub async fn enrol_submit(ctx: Ctx, Form(f): Form<CodeForm>) -> Result<Response, Error> {
    if ctx.actor.mfa_pending() != Some(MfaPending::Enrol) {
        return Ok(elsewhere(&ctx));
    }
    let token = ctx.token.clone().ok_or(Error::Unauthorized)?;
    match ctx
        .auth()
        .mfa_complete(&ctx.actor, &token.value, &f.code, &ctx.config().security)
        .await
    {
        Ok((renewed, codes)) => render(&CodesPage {
            c: sign_in_chrome(&ctx, "mfa.codes_title", "/login/mfa/enrol"),
            codes: codes.unwrap_or_default(),
            next: after_sign_in(&ctx),
        })
        .map(|r| with_session(r, &ctx, token.from_cookie, &renewed)),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => {
                let s = status(&ctx).await?;
                let secret = s.pending_secret.unwrap_or_default();
                with_status(
                    render(&enrol_view(
                        &ctx,
                        &secret,
                        "/login/mfa/enrol",
                        true,
                        errors,
                    )?),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
            None => Err(e),
        },
    }
}

async fn account_view(ctx: &Ctx, errors: FormErrors) -> Result<AccountPage, Error> {
    let s = status(ctx).await?;
    let enrol = match &s.pending_secret {
        Some(secret) => Some(enrol_view(
            ctx,
            secret,
            "/account/mfa/confirm",
            false,
            FormErrors::default(),
        )?),
        None => None,
    };
    Ok(AccountPage {
        c: Chrome::for_ctx(ctx, "mfa.title", "/account/mfa"),
        enrolled_at: s
            .enrolled_at
            .as_ref()
            .map(super::china_time)
            .unwrap_or_default(),
        required: s.required,
        recovery_left: s.recovery_left,
        enrol,
        errors,
    })
}

pub async fn account_page(ctx: Ctx) -> Result<Response, Error> {
    render(&account_view(&ctx, FormErrors::default()).await?)
}

/// A refused form of the account page: shown again with the reason.
async fn account_refused(ctx: &Ctx, e: Error) -> Result<Response, Error> {
    match FormErrors::from_error(&e, ctx.lang) {
        Some(errors) => with_status(
            render(&account_view(ctx, errors).await?),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => Err(e),
    }
}

pub async fn account_enrol(ctx: Ctx) -> Result<Response, Error> {
    ctx.auth().mfa_start(&ctx.actor).await?;
    Ok(see_other("/account/mfa"))
}

pub async fn account_confirm(ctx: Ctx, Form(f): Form<CodeForm>) -> Result<Response, Error> {
    match ctx.auth().mfa_confirm(&ctx.actor, &f.code).await {
        Ok(codes) => render(&CodesPage {
            c: Chrome::for_ctx(&ctx, "mfa.codes_title", "/account/mfa"),
            codes,
            next: "/account/mfa".into(),
        }),
        Err(e) => account_refused(&ctx, e).await,
    }
}

pub async fn account_recovery(ctx: Ctx, Form(f): Form<CodeForm>) -> Result<Response, Error> {
    match ctx
        .auth()
        .mfa_new_recovery_codes(&ctx.actor, &f.code, &ctx.config().security)
        .await
    {
        Ok(codes) => render(&CodesPage {
            c: Chrome::for_ctx(&ctx, "mfa.codes_title", "/account/mfa"),
            codes,
            next: "/account/mfa".into(),
        }),
        Err(e) => account_refused(&ctx, e).await,
    }
}

pub async fn account_disable(ctx: Ctx, Form(f): Form<CodeForm>) -> Result<Response, Error> {
    match ctx
        .auth()
        .mfa_disable(&ctx.actor, &f.code, &ctx.config().security)
        .await
    {
        Ok(()) => Ok(see_other("/account/mfa")),
        Err(e) => account_refused(&ctx, e).await,
    }
}
