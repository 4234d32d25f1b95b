//! The JSON API under `/api/v1`, described by [`openapi`]. Handlers are thin: extract, call the
//! scoped storage handle, return the view.

pub mod audit;
pub mod auth;
pub mod buses;
pub mod channels;
pub mod devices;
pub mod drills;
pub mod duty;
pub mod emergency_lists;
pub mod emergency_plans;
pub mod files;
pub mod governance;
pub mod hazards;
pub mod home;
pub mod inbox;
pub mod incidents;
pub mod ingest;
pub mod inspections;
pub mod mfa;
pub mod openapi;
pub mod orgs;
pub mod people;
pub mod pii_grants;
pub mod responsibility;
pub mod risk;
pub mod schools;
pub mod screen;
pub mod security;
pub mod trainings;
pub mod transfer;
pub mod users;
pub mod warnings;
pub mod work_plan;
pub mod zones;

/// Result of an API handler: JSON or the error envelope.
pub type ApiResult<T> = Result<axum::Json<T>, crate::Error>;
