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
        info(title = "SafeCampus API", description = "平安校园安全管理平台 JSON API. Sign in with POST /api/v1/auth/login and send the token as `Authorization: Bearer …`. Errors use `{\"error\": {\"code\", \"message\"}}`. Objects outside your scope answer 404."),
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
