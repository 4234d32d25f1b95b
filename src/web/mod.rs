//! The web layer: one router ([`routes`]), one gate that resolves who is asking, extractors,
//! API handlers ([`api`]), server-rendered pages ([`pages`]), static assets and operations
//! endpoints.

pub mod api;
pub mod assets;
pub mod ctx;
pub mod error;
pub mod i18n;
pub mod ops;
pub mod pages;
pub mod routes;
pub mod security;
pub mod svg;
pub mod upload;

use crate::config::Config;
use crate::storage::Db;
use std::sync::Arc;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        AppState {
            db,
            config: Arc::new(config),
        }
    }
}

/// The whole application: routes and the middleware stack.
pub fn app(state: AppState) -> axum::Router {
    routes::build(state).0
}
