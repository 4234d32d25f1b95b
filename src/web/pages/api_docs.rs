//! `/docs/api`: the JSON API's documentation for signed-in users — Swagger UI, vendored from
//! npm (`assets/vendor/swagger-ui/`, licence and checksum in `SOURCES`), over
//! `/api/v1/openapi.json`. Served by the binary; nothing comes from outside.

use super::{Chrome, render};
use crate::error::Error;
use crate::web::assets;
use crate::web::ctx::Ctx;
use askama::Template;
use axum::response::Response;

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocs {
    c: Chrome,
    css: String,
    bundle: String,
    init: String,
}

pub async fn page(ctx: Ctx) -> Result<Response, Error> {
    render(&ApiDocs {
        c: Chrome::for_ctx(&ctx, "apidocs.title", "/docs/api"),
        css: assets::url("vendor/swagger-ui/swagger-ui.css"),
        bundle: assets::url("vendor/swagger-ui/swagger-ui-bundle.js"),
        init: assets::url("api-docs.js"),
    })
}
