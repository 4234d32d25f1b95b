//! Routes: incident reports (紧急信息报告) — the list and its .xlsx, the first report,
//! follow-ups and the final report, the bureaus' receipts, the audited names of the people
//! hurt, the printed form.

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::incidents::IncidentAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "incidents",
    api: register,
    pages: register_pages,
    menu: &[("/incidents", "nav.incidents", IncidentView)],
    audit: audit_codes::<IncidentAudit>,
    notices: nothing,
    tables: &["incidents", "incident_reports", "incident_receipts"],
};

fn register(t: &mut Table) {
    t.api(IncidentView, routes!(api::incidents::list));
    t.api(IncidentReport, routes!(api::incidents::create));
    t.api(IncidentView, routes!(api::incidents::export));
    t.api(IncidentView, routes!(api::incidents::get));
    t.api(IncidentReport, routes!(api::incidents::report));
    t.api(IncidentReceipt, routes!(api::incidents::receipt));
    t.api(IncidentPersons, routes!(api::incidents::persons));
}

/// The pages: the list; the school's first report; one incident with its clocks, reports
/// and forms (a refused form is shown again on it); the same with the names (audited); the
/// printed form (with the names on request, for those allowed).
fn register_pages(t: &mut Table) {
    t.add(M::GET, "/incidents", IncidentView, pages::incidents::list);
    t.add(
        M::GET,
        "/incidents/new",
        IncidentReport,
        pages::incidents::new,
    );
    t.add(
        M::POST,
        "/incidents",
        IncidentReport,
        pages::incidents::create,
    );
    t.add(
        M::GET,
        "/incidents/{id}",
        IncidentView,
        pages::incidents::detail,
    );
    t.add_as(
        M::GET,
        "/incidents/{id}/names",
        IncidentPersons,
        &[IncidentView],
        pages::incidents::names,
    );
    t.add_as(
        M::GET,
        "/incidents/{id}/print",
        IncidentView,
        &[IncidentPersons],
        pages::incidents::print,
    );
    t.add_as(
        M::POST,
        "/incidents/{id}/reports",
        IncidentReport,
        &[IncidentView],
        pages::incidents::report,
    );
    t.add_as(
        M::POST,
        "/incidents/{id}/receipts",
        IncidentReceipt,
        &[IncidentView],
        pages::incidents::receipt,
    );
}
