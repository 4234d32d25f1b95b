//! Routes: Administration (三员): users and the audit log.

use super::Table;
use crate::policy::Action::*;
use crate::web::{api, pages};
use axum::http::Method as M;

/// The API.
pub(super) fn register(t: &mut Table) {
    t.add(M::GET, "/api/v1/users", UserView, api::users::list);
    t.add(M::POST, "/api/v1/users", UserManage, api::users::create);
    t.add(M::GET, "/api/v1/users/{id}", UserView, api::users::get);
    t.add(
        M::POST,
        "/api/v1/users/{id}/account",
        UserManage,
        api::users::account,
    );
    t.add(
        M::PUT,
        "/api/v1/users/{id}/grant",
        UserGrant,
        api::users::grant,
    );
    t.add(M::GET, "/api/v1/audit", AuditView, api::audit::list);
}

/// The pages.
pub(super) fn register_pages(t: &mut Table) {
    t.add_as(
        M::GET,
        "/admin/users",
        UserView,
        &[UserView, UserGrant],
        pages::admin::users,
    );
    t.add_as(
        M::POST,
        "/admin/users",
        UserManage,
        &[UserView, UserGrant],
        pages::admin::create_user,
    );
    t.add_as(
        M::POST,
        "/admin/users/{id}/account",
        UserManage,
        &[UserView, UserGrant],
        pages::admin::account,
    );
    t.add_as(
        M::POST,
        "/admin/users/{id}/grant",
        UserGrant,
        &[UserView, UserGrant],
        pages::admin::grant,
    );
    t.add(M::GET, "/audit", AuditView, pages::admin::audit);
}
