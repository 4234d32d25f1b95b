//! The OpenAPI document, derived from the handlers' annotations.

use super::*;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document's frame (title, description, bearer security) before the routes add their
/// operations.
pub fn base() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(title = "SafeCampus API", description = "平安校园安全管理平台 JSON API. Sign in with POST /api/v1/auth/login and send the token as `Authorization: Bearer …`. Errors use `{\"error\": {\"code\", \"message\"}}`. Objects outside your scope answer 404. A write (POST, PUT, PATCH, DELETE) may carry `Idempotency-Key: <1–255 visible ASCII characters>`: sent again with the same key by the same user, it is not done twice — the answer is the first one (with `Idempotent-Replayed: true`), or 409 `already_applied` naming the object when that answer was not kept; the key on another request is 422. Keys are kept a day."),
        modifiers(&Bearer),
        security(("bearer" = [])),
    )]
    struct Base;
    Base::openapi()
}

/// The whole document: the frame, every API route's operation (gathered by the route table
/// from the handlers' annotations, so a route and its documentation cannot drift apart), and
/// the schemas no annotation reaches by itself.
pub fn document(mut paths_and_schemas: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    paths_and_schemas.merge(files::Doc::openapi());
    paths_and_schemas
}
