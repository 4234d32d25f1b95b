//! Routes: time-boxed grants to see minors' data whole (T-PR-4) — asked for from a route's
//! riders, decided on `/privacy/grants`.

use super::Table;
use super::{Feature, audit_codes, notice_codes};
use crate::policy::Action::*;
use crate::storage::pii_grants::{PiiAudit, PiiNotice};
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "privacy",
    api: register,
    pages: register_pages,
    menu: &[("/privacy/grants", "nav.pii_grants", PiiGrantView)],
    audit: audit_codes::<PiiAudit>,
    notices: notice_codes::<PiiNotice>,
    tables: &["pii_grants"],
};

fn register(t: &mut Table) {
    use api::pii_grants as a;
    t.api(PiiGrantView, routes!(a::list));
    t.api(PiiGrantRequest, routes!(a::request));
    t.api(PiiGrantView, routes!(a::get));
    t.api(PiiGrantDecide, routes!(a::decide));
}

fn register_pages(t: &mut Table) {
    use pages::pii_grants as p;
    t.add(M::GET, "/privacy/grants", PiiGrantView, p::list);
    t.add_as(
        M::POST,
        "/privacy/grants/{id}/actions",
        PiiGrantDecide,
        &[PiiGrantView],
        p::decide,
    );
    t.add_as(
        M::POST,
        "/bus-routes/{id}/name-grants",
        PiiGrantRequest,
        &[PiiGrantView],
        p::request,
    );
}
