//! API: The in-app inbox.

use utoipa::OpenApi;

/// The part of the OpenAPI document for these routes.
#[derive(OpenApi)]
#[openapi()]
pub struct Doc;
