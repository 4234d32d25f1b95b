//! Sign-in for API clients (bearer tokens) and `GET /api/v1/me`.

use super::ApiResult;
use crate::domain::ids::UserId;
use crate::domain::role::Role;
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
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub user: Me,
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
            kind: a.org_level().unwrap_or(crate::domain::org::OrgLevel::School),
        }),
    }
}

/// Signs in and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Envelope), (status = 429, body = Envelope)))]
pub async fn login(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    ReqOrigin(origin): ReqOrigin,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Response {
    match st.auth()
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
        })
        .into_response(),
        Err(e) => {
            let (status, code, key) = match e {
                LoginError::Invalid => (
                    StatusCode::UNAUTHORIZED,
                    "invalid_credentials",
                    "err.login_failed",
                ),
                LoginError::Locked => (StatusCode::TOO_MANY_REQUESTS, "locked", "err.locked"),
            };
            (
                status,
                axum::Json(Envelope {
                    error: ErrorBody {
                        code: code.into(),
                        message: tr(lang, key),
                        fields: vec![],
                    },
                }),
            )
                .into_response()
        }
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
