//! Routes: Administration (三员): users and the audit log.

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::users::UserAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "admin",
    api: register,
    pages: register_pages,
    menu: &[
        ("/admin/users", "nav.users", UserView),
        ("/audit", "nav.audit", AuditView),
    ],
    audit: audit_codes::<UserAudit>,
    notices: nothing,
    tables: &[
        "users",
        "audit_log",
        "audit_head",
        "audit_checkpoint",
        "audit_base",
        "audit_purge_gate",
    ],
};

/// The API.
fn register(t: &mut Table) {
    t.api(UserView, routes!(api::users::list));
    t.api(UserManage, routes!(api::users::create));
    t.api(UserView, routes!(api::users::get));
    t.api(UserManage, routes!(api::users::account));
    t.api(UserGrant, routes!(api::users::grant));
    t.api(UserUnlock, routes!(api::users::unlock));
    t.api(UserMfaReset, routes!(api::mfa::reset));
    t.api(AuditView, routes!(api::audit::list));
    t.api(AuditPurge, routes!(api::audit::purge));
}

/// The pages.
fn register_pages(t: &mut Table) {
    t.add_as(
        M::GET,
        "/admin/users",
        UserView,
        &[UserGrant],
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
        "/admin/users/{id}/unlock",
        UserUnlock,
        &[UserView, UserGrant],
        pages::admin::unlock,
    );
    t.add_as(
        M::POST,
        "/admin/users/{id}/mfa/reset",
        UserMfaReset,
        &[UserView, UserGrant],
        pages::admin::mfa_reset,
    );
    t.add_as(
        M::POST,
        "/admin/users/{id}/grant",
        UserGrant,
        &[UserView, UserGrant],
        pages::admin::grant,
    );
    t.add(M::GET, "/audit", AuditView, pages::admin::audit);
    t.add_as(
        M::POST,
        "/audit/purge",
        AuditPurge,
        &[AuditView],
        pages::admin::audit_purge,
    );
}
