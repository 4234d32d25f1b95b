//! Routes: the in-app inbox (each user's own notifications).

use super::Table;
use crate::policy::Action::OwnSession;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

pub(super) fn register(t: &mut Table) {
    t.api(OwnSession, routes!(api::inbox::list));
    t.api(OwnSession, routes!(api::inbox::mark_read));
    t.add(M::GET, "/inbox", OwnSession, pages::inbox::list);
    t.add(M::POST, "/inbox/read", OwnSession, pages::inbox::read);
}
