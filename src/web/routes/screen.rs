//! Routes: the bureau's monitoring screen (数据大屏) and the counts it shows. The screen also
//! reads the risk index and the warnings (with their live stream) through their own routes.

use super::Table;
use super::{Feature, nothing};
use crate::policy::Action::ScreenView;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "screen",
    api: register,
    pages: register_pages,
    menu: &[("/screen", "nav.screen", ScreenView)],
    audit: nothing,
    notices: nothing,
    tables: &[],
};

fn register(t: &mut Table) {
    t.api(ScreenView, routes!(api::screen::data));
}

fn register_pages(t: &mut Table) {
    t.add(M::GET, "/screen", ScreenView, pages::screen::page);
}
