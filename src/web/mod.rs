//! The web layer: one router ([`routes`]), one gate that resolves who is asking, extractors,
//! API handlers ([`api`]), server-rendered pages ([`pages`]), static assets and operations
//! endpoints.

pub mod api;
pub mod assets;
pub mod cache;
pub mod ctx;
pub mod error;
pub mod htmx;
pub mod i18n;
pub mod idempotent;
pub mod ops;
pub mod pages;
pub mod routes;
pub mod security;
pub mod svg;
pub mod upload;

pub use ctx::AppState;

/// The whole application: routes and the middleware stack.
pub fn app(state: AppState) -> axum::Router {
    routes::build(state).0
}
