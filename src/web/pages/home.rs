//! `/`: sends each role to its own start page (a principal to their school).

use super::see_other;
use crate::domain::org::OrgLevel;
use crate::web::ctx::Ctx;
use axum::response::Response;

pub async fn home(ctx: Ctx) -> Response {
    if ctx.actor.org_level() == Some(OrgLevel::School)
        && let Some(id) = ctx.actor.org_id()
    {
        return see_other(&format!("/schools/{id}"));
    }
    see_other(super::auth::landing(ctx.actor.role()))
}
