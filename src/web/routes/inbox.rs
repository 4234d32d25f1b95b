//! Routes: the in-app inbox (each user's own notifications).

use super::Table;
use crate::policy::Action::OwnSession;
use crate::web::{api, pages};
use axum::http::Method as M;

pub(super) fn register(t: &mut Table) {
    t.add(M::GET, "/api/v1/inbox", OwnSession, api::inbox::list);
    t.add(
        M::POST,
        "/api/v1/inbox/read",
        OwnSession,
        api::inbox::mark_read,
    );
    t.add(M::GET, "/inbox", OwnSession, pages::inbox::list);
    t.add(M::POST, "/inbox/read", OwnSession, pages::inbox::read);
}
