//! Routes: Operations and public files; sign-in and the user's own session.

use super::Table;
use super::{Feature, audit_codes, no_pages, nothing};
use crate::policy::Action::*;
use crate::storage::audit::PlatformAudit;
use crate::web::{api, assets, ops, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "platform",
    api: register,
    pages: no_pages,
    // Changing one's password is under the user's name in the header, not in the menu.
    menu: &[],
    audit: audit_codes::<PlatformAudit>,
    notices: nothing,
    tables: &[
        "sessions",
        "login_throttles",
        "jobs",
        "counters",
        "password_history",
        "data_version",
    ],
};

fn register(t: &mut Table) {
    // Operations and public files.
    t.add(M::GET, "/healthz", Public, ops::healthz);
    t.add(M::GET, "/readyz", Public, ops::readyz);
    t.add(M::GET, "/metrics", Public, ops::metrics);
    t.add(M::GET, "/static/{hash}/{*file}", Public, assets::serve);

    // Sign-in and the user's own session.
    t.add(M::GET, "/login", Public, pages::auth::login_page);
    t.add(M::POST, "/login", Public, pages::auth::login_submit);
    t.add(M::GET, "/lang/{code}", Public, pages::auth::switch_lang);
    t.add(M::POST, "/logout", OwnSession, pages::auth::logout);
    t.add(
        M::GET,
        "/account/password",
        OwnSession,
        pages::auth::password_page,
    );
    t.add(
        M::POST,
        "/account/password",
        OwnSession,
        pages::auth::password_submit,
    );
    t.api(Public, routes!(api::auth::login));
    t.api(OwnSession, routes!(api::auth::logout));
    t.api(OwnSession, routes!(api::auth::me));
    t.api(OwnSession, routes!(api::auth::password));
    t.add(M::GET, "/docs/api", OwnSession, pages::api_docs::page);
}
