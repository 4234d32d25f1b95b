//! The OpenAPI document, derived from the handlers' annotations.

use super::*;
use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "SafeCampus API", description = "平安校园安全管理平台 JSON API. Sign in with POST /api/v1/auth/login and send the token as `Authorization: Bearer …`. Errors use `{\"error\": {\"code\", \"message\"}}`. Objects outside your scope answer 404."),
    paths(
        auth::login, auth::logout, auth::me, auth::password,
        orgs::list, orgs::get, orgs::create,
        schools::list, schools::create, schools::get, schools::update,
        people::list, people::create, people::get, people::update, people::remove,
        zones::list, zones::create, zones::get, zones::update,
        users::list, users::create, users::get, users::account, users::grant,
        audit::list,
        transfer::export_schools, transfer::import_schools, transfer::export_people, transfer::import_people, transfer::export_zones, transfer::import_zones,
        risk::catalog, risk::catalog_item, risk::update_catalog_item, risk::export_catalog, risk::import_catalog,
        risk::evaluate_only, risk::summary, risk::export_summary, risk::district_map, risk::register, risk::create_point,
        risk::instantiate, risk::export_register, risk::risk_map, risk::point, risk::update_point,
        risk::assess, risk::qr,
    ),
    modifiers(&Bearer),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

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

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.merge(files::Doc::openapi());
    doc.merge(hazards::Doc::openapi());
    doc.merge(inspections::Doc::openapi());
    doc.merge(inbox::Doc::openapi());
    Json(doc)
}
