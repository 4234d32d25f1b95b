//! Routes: Operations and public files; sign-in and the user's own session.

use super::Table;
use super::{Feature, audit_codes, no_pages, nothing};
use crate::policy::Action::*;
use crate::storage::audit::PlatformAudit;
use crate::storage::auth::mfa::MfaAudit;
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
    audit: platform_audit,
    notices: nothing,
    tables: &[
        "sessions",
        "login_throttles",
        "jobs",
        "counters",
        "password_history",
        "data_version",
        "user_mfa",
        "mfa_recovery_codes",
        "field_key_check",
        "idempotency_keys",
    ],
};

/// Sign-in's audit codes and the second factor's.
fn platform_audit() -> Vec<&'static str> {
    let mut codes = audit_codes::<PlatformAudit>();
    codes.extend(audit_codes::<MfaAudit>());
    codes
}

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
    // The second factor: the sign-in's step (the only routes a pending session reaches,
    // besides sign-out) and one's own.
    t.add(M::GET, "/login/mfa", MfaSignIn, pages::mfa::verify_page);
    t.add(M::POST, "/login/mfa", MfaSignIn, pages::mfa::verify_submit);
    t.add(
        M::GET,
        "/login/mfa/enrol",
        MfaSignIn,
        pages::mfa::enrol_page,
    );
    t.add(
        M::POST,
        "/login/mfa/enrol",
        MfaSignIn,
        pages::mfa::enrol_submit,
    );
    t.add(M::GET, "/account/mfa", OwnSession, pages::mfa::account_page);
    t.add(
        M::POST,
        "/account/mfa/enrol",
        OwnSession,
        pages::mfa::account_enrol,
    );
    t.add(
        M::POST,
        "/account/mfa/confirm",
        OwnSession,
        pages::mfa::account_confirm,
    );
    t.add(
        M::POST,
        "/account/mfa/recovery",
        OwnSession,
        pages::mfa::account_recovery,
    );
    t.add(
        M::POST,
        "/account/mfa/disable",
        OwnSession,
        pages::mfa::account_disable,
    );
    t.api(MfaSignIn, routes!(api::mfa::state));
    t.api(MfaSignIn, routes!(api::mfa::complete));
    t.api(Public, routes!(api::auth::login));
    t.api(OwnSession, routes!(api::auth::logout));
    t.api(OwnSession, routes!(api::auth::me));
    t.api(OwnSession, routes!(api::auth::password));
    t.add(M::GET, "/docs/api", OwnSession, pages::api_docs::page);
}
