//! The second factor for API clients: after `POST /api/v1/auth/login` answered
//! `mfa_required` (or `mfa_enrolment_required`), `POST /api/v1/auth/mfa` with a code completes
//! the sign-in; and the security admin's reset of a user's second factor.

use super::ApiResult;
use super::auth::{Me, me_of};
use crate::domain::ids::UserId;
use crate::storage::auth::mfa;
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaCode {
    /// A 6-digit code of the authenticator app, or one of the recovery codes (not while
    /// setting up).
    pub code: String,
}

/// The second factor of the signed-in user.
#[derive(Serialize, ToSchema)]
pub struct MfaState {
    /// What the session still owes: `verify` (a code), `enrol` (set one up), or `null`.
    pub pending: Option<String>,
    /// A second factor is set up.
    pub enrolled: bool,
    /// The role requires one.
    pub required: bool,
    /// While a set-up waits for its first code: the secret (base32) and the `otpauth://` URI
    /// to put into an authenticator app.
    pub secret: Option<String>,
    pub otpauth_uri: Option<String>,
    /// Unused recovery codes.
    pub recovery_codes_left: u64,
}

/// A completed sign-in.
#[derive(Serialize, ToSchema)]
pub struct MfaDone {
    /// The session's new bearer token: the one used until now ends with the second factor.
    pub token: String,
    pub user: Me,
    /// When this completed a set-up: the ten recovery codes, shown this once (each works once
    /// when the app is not at hand).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_codes: Option<Vec<String>>,
}

/// The state of the caller's second factor; during a required set-up, the secret to enter.
#[utoipa::path(get, path = "/api/v1/auth/mfa", tag = "auth",
    responses((status = 200, body = MfaState), (status = 401, body = Envelope)))]
pub async fn state(ctx: Ctx) -> ApiResult<MfaState> {
    let s = ctx
        .auth()
        .mfa_status(&ctx.actor, &ctx.config().security)
        .await?;
    Ok(axum::Json(MfaState {
        pending: ctx.actor.mfa_pending().map(|p| p.as_str().to_string()),
        enrolled: s.enrolled_at.is_some(),
        required: s.required,
        otpauth_uri: s
            .pending_secret
            .as_deref()
            .map(|sec| mfa::otpauth_uri(sec, ctx.actor.username())),
        secret: s.pending_secret,
        recovery_codes_left: s.recovery_left,
    }))
}

/// Completes a sign-in with the second factor: a code (or a recovery code) when the login
/// answered `mfa_required`, the first code of the new secret when it answered
/// `mfa_enrolment_required` (the answer then carries the recovery codes, once). Wrong codes
/// count like wrong passwords (429 once sign-in is paused). 409 when nothing is due.
#[utoipa::path(post, path = "/api/v1/auth/mfa", tag = "auth", request_body = MfaCode,
    responses((status = 200, body = MfaDone), (status = 401, body = Envelope),
        (status = 409, body = Envelope), (status = 422, body = Envelope),
        (status = 429, body = Envelope)))]
pub async fn complete(ctx: Ctx, ApiJson(body): ApiJson<MfaCode>) -> ApiResult<MfaDone> {
    let token = ctx.token.as_ref().ok_or(crate::Error::Unauthorized)?;
    let (token, recovery_codes) = ctx
        .auth()
        .mfa_complete(&ctx.actor, &token.value, &body.code, &ctx.config().security)
        .await?;
    Ok(axum::Json(MfaDone {
        token,
        user: me_of(&ctx.actor),
        recovery_codes,
    }))
}

/// Removes a user's second factor (a lost phone): the user's sessions end and a role that
/// requires one sets up a new one at the next sign-in (security admin).
#[utoipa::path(post, path = "/api/v1/users/{id}/mfa/reset", tag = "admin", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Envelope), (status = 404, body = Envelope)))]
pub async fn reset(ctx: Ctx, Path(id): Path<i64>) -> Result<StatusCode, crate::Error> {
    ctx.db().users().reset_mfa(UserId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
