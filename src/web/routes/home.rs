//! Routes: the home page (`/`, the first page after signing in: the role's day at a glance)
//! and the figures it shows (`/api/v1/home`), which a school's hub page shows too.

use super::Table;
use super::{Feature, nothing};
use crate::policy::Action::{HomeView, OwnSession};
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "home",
    api: register,
    pages: register_pages,
    menu: &[],
    audit: nothing,
    notices: nothing,
    tables: &[],
};

fn register(t: &mut Table) {
    t.api(HomeView, routes!(api::home::data));
}

fn register_pages(t: &mut Table) {
    // Everyone signed in may open `/`: the business roles get their home, the system roles
    // their landing page.
    t.add_as(M::GET, "/", OwnSession, &[HomeView], pages::home::home);
}
