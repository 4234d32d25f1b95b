//! API: Photos and documents: upload, read, thumbnails.

use utoipa::OpenApi;

/// The part of the OpenAPI document for these routes.
#[derive(OpenApi)]
#[openapi()]
pub struct Doc;
