//! API: Inspections, campaigns, cross-inspections and the self-inspection board.

use utoipa::OpenApi;

/// The part of the OpenAPI document for these routes.
#[derive(OpenApi)]
#[openapi()]
pub struct Doc;
