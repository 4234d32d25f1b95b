//! API: Hazards and their closed loop (隐患排查治理 → 销号), notices and ledgers.

use utoipa::OpenApi;

/// The part of the OpenAPI document for these routes.
#[derive(OpenApi)]
#[openapi()]
pub struct Doc;
