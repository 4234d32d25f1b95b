//! Sign-in for API clients (bearer tokens) and `GET /api/v1/me`.

use super::ApiResult;
use crate::domain::ids::UserId;
use crate::domain::role::Role;
use crate::storage::auth::mfa::MfaPending;
use crate::storage::auth::{LoginError, SessionKind};
use crate::storage::views::OrgRef;
use crate::web::AppState;
use crate::web::ctx::{ApiJson, Ctx, ReqLang, ReqOrigin};
use crate::web::error::{Envelope, ErrorBody};
use crate::web::i18n::tr;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The org node that bounds the user's scope (`null` for the system roles).
    pub org: Option<OrgRef>,
    /// On a temporary password (new account, reset): until it is changed with
    /// `POST /api/v1/auth/password`, every other route answers 403.
    pub must_change_password: bool,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub user: Me,
    /// The second factor is due: until `POST /api/v1/auth/mfa` with a code, every other route
    /// answers 401 `mfa_required`.
    pub mfa_required: bool,
    /// The role requires a second factor the user has not set up: `GET /api/v1/auth/mfa`
    /// gives the secret, `POST /api/v1/auth/mfa` with its first code completes the sign-in;
    /// until then every other route answers 401 `mfa_enrolment_required`.
    pub mfa_enrolment_required: bool,
}

pub(crate) fn me_of(a: &crate::storage::Actor) -> Me {
    Me {
        id: a.user_id(),
        username: a.username().to_string(),
        display_name: a.display_name().to_string(),
        role: a.role(),
        org: a.org_id().map(|id| OrgRef {
            id,
            code: a.org_code().to_string(),
            name: a.org_name().to_string(),
            kind: a
                .org_level()
                .unwrap_or(crate::domain::org::OrgLevel::School),
        }),
        must_change_password: a.must_change_password(),
    }
}

/// Signs in and returns a bearer token. Every refusal (unknown user, wrong password, locked or
/// disabled account) is the same 401; while sign-in from this address is paused after too many
/// failures (for any account, or for this username), 429 `throttled` with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Envelope),
        (status = 429, body = Envelope, headers(("Retry-After" = u64,
            description = "Seconds until sign-in from this address resumes")))))]
pub async fn login(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    ReqOrigin(origin): ReqOrigin,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Response {
    match st
        .auth()
        .login(
            &body.username,
            &body.password,
            SessionKind::Api,
            &origin,
            &st.config().security,
        )
        .await
    {
        Ok((token, actor)) => axum::Json(LoginResponse {
            token,
            user: me_of(&actor),
            mfa_required: actor.mfa_pending() == Some(MfaPending::Verify),
            mfa_enrolment_required: actor.mfa_pending() == Some(MfaPending::Enrol),
        })
        .into_response(),
        Err(e) => {
            let mut r = (
                refusal_status(e),
                axum::Json(Envelope {
                    error: ErrorBody {
                        code: match e {
                            LoginError::Refused => "invalid_credentials",
                            LoginError::InitialPasswordExpired => "initial_password_expired",
                            LoginError::Disabled => "account_disabled",
                            LoginError::Throttled { .. } => "throttled",
                        }
                        .into(),
                        message: refusal_text(lang, e, &st.config().security),
                        fields: vec![],
                    },
                }),
            )
                .into_response();
            with_retry_after(&mut r, e);
            r
        }
    }
}

/// The status of a refused sign-in (pages and API): 429 while paused, else 401.
pub(crate) fn refusal_status(e: LoginError) -> StatusCode {
    match e {
        LoginError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::UNAUTHORIZED,
    }
}

/// Adds `Retry-After` to the answer of a paused sign-in (pages and API).
pub(crate) fn with_retry_after(r: &mut Response, e: LoginError) {
    if let LoginError::Throttled { retry_after_secs } = e {
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(std::cmp::max(retry_after_secs, 1)),
        );
    }
}

/// What a refused sign-in tells (pages and API).
pub(crate) fn refusal_text(
    lang: crate::web::i18n::Lang,
    e: LoginError,
    sec: &crate::config::Security,
) -> String {
    match e {
        LoginError::Refused => tr(lang, SIGN_IN_REFUSED),
        LoginError::InitialPasswordExpired => tr(lang, "err.security.initial_password_expired")
            .replace("%{hours}", &sec.initial_password_hours.to_string()),
        LoginError::Disabled => tr(lang, "err.security.account_disabled"),
        LoginError::Throttled { retry_after_secs } => {
            let minutes = (std::cmp::max(retry_after_secs, 1) + 59) / 60;
            tr(lang, "err.security.sign_in_throttled").replace("%{minutes}", &minutes.to_string())
        }
    }
}

/// The one message of every refused sign-in (pages and API).
pub(crate) const SIGN_IN_REFUSED: &str = "err.security.sign_in_refused";

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the signed-in user's password (also on a temporary password); every other session
/// of the user ends, this token stays valid.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Envelope), (status = 422, body = Envelope)))]
pub async fn password(
    ctx: Ctx,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, crate::Error> {
    let keep = ctx.token.as_ref().map(|t| t.value.as_str());
    ctx.auth()
        .change_password(
            &ctx.actor,
            &body.current_password,
            &body.new_password,
            keep,
            &ctx.config().security,
        )
        .await
        .map_err(|e| {
            rename_fields(
                e,
                &[
                    ("current", "current_password"),
                    ("password", "new_password"),
                ],
            )
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Names validation fields as the API body does.
fn rename_fields(e: crate::Error, names: &[(&str, &str)]) -> crate::Error {
    match e {
        crate::Error::Validation {
            message,
            mut fields,
        } => {
            for f in &mut fields {
                if let Some((_, to)) = names.iter().find(|(from, _)| *from == f.field) {
                    f.field = (*to).to_string();
                }
            }
            crate::Error::Validation { message, fields }
        }
        e => e,
    }
}

/// Ends the session of the token used.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(ctx: Ctx) -> Result<StatusCode, crate::Error> {
    if let Some(t) = &ctx.token {
        ctx.auth().logout(&t.value, &ctx.actor).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = Envelope)))]
pub async fn me(ctx: Ctx) -> ApiResult<Me> {
    Ok(axum::Json(me_of(&ctx.actor)))
}
