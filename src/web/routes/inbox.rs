//! Routes: the in-app inbox (each user's own notifications).

use super::Table;
use super::{Feature, no_pages, nothing};
use crate::policy::Action::OwnSession;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "inbox",
    api: register,
    pages: no_pages,
    menu: &[],
    audit: nothing,
    notices: nothing,
    tables: &["notifications"],
};

fn register(t: &mut Table) {
    t.api(OwnSession, routes!(api::inbox::list));
    t.api(OwnSession, routes!(api::inbox::mark_read));
    t.add(M::GET, "/inbox", OwnSession, pages::inbox::list);
    t.add(M::POST, "/inbox/read", OwnSession, pages::inbox::read);
}
