//! Routes: the security register (guards and technical protection, item 16 of the work
//! plan) and the bureau's roll-up of shortfalls.

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::security::SecurityAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "security_equipment",
    api: register,
    pages: register_pages,
    menu: &[(
        "/security-equipment",
        "nav.security_equipment",
        SecurityView,
    )],
    audit: audit_codes::<SecurityAudit>,
    notices: nothing,
    tables: &["security_equipment"],
};

fn register(t: &mut Table) {
    use api::security as a;
    t.api(SecurityView, routes!(a::rollup));
    t.api(SecurityView, routes!(a::register));
    t.api(SecurityWrite, routes!(a::add));
    t.api(SecurityWrite, routes!(a::update));
}

fn register_pages(t: &mut Table) {
    use pages::security as p;
    t.add(M::GET, "/security-equipment", SecurityView, p::rollup);
    t.add(
        M::GET,
        "/schools/{id}/security-equipment",
        SecurityView,
        p::register,
    );
    // A refused form is shown again with the register.
    t.add_as(
        M::POST,
        "/schools/{id}/security-equipment",
        SecurityWrite,
        &[SecurityView],
        p::add,
    );
    // An entry's edit form in its row; a refused one shows the register again, an entry
    // retired meanwhile the register with a message.
    t.add_as(
        M::POST,
        "/security-equipment/{id}",
        SecurityWrite,
        &[SecurityView],
        p::update,
    );
}
