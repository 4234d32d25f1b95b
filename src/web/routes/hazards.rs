//! Routes: Hazards and their closed loop (隐患排查治理 → 销号), notices and ledgers.

use super::Table;
use super::{Feature, audit_codes, no_pages, notice_codes};
use crate::policy::Action::*;
use crate::storage::hazards::{HazardAudit, HazardNotice};
use crate::web::api::hazards as api;
use crate::web::pages::hazards as pages;
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "hazards",
    api: register,
    pages: no_pages,
    menu: &[("/hazards", "nav.hazards", HazardView)],
    audit: audit_codes::<HazardAudit>,
    notices: notice_codes::<HazardNotice>,
    tables: &["hazards", "hazard_events", "hazard_counts"],
};

fn register(t: &mut Table) {
    t.api(HazardView, routes!(api::school_list));
    t.api(HazardReport, routes!(api::report));
    t.api(HazardView, routes!(api::list));
    t.api(HazardView, routes!(api::export));
    t.api(HazardView, routes!(api::closures_export));
    t.api(HazardView, routes!(api::get));
    t.api(HazardAct, routes!(api::act));
    t.api(HazardUrge, routes!(api::urge));

    t.add(M::GET, "/hazards", HazardView, pages::list);
    t.add(M::GET, "/hazards/ledger", HazardView, pages::ledger);
    t.add(M::GET, "/hazards/closures", HazardView, pages::closures);
    t.add(M::GET, "/hazards/{id}", HazardView, pages::detail);
    t.media(M::POST, "/hazards/{id}/actions", HazardAct, pages::act);
    t.add(M::POST, "/hazards/{id}/urge", HazardUrge, pages::urge);
    t.add(M::GET, "/hazards/{id}/notice", HazardView, pages::notice);
    t.add(
        M::GET,
        "/schools/{id}/hazards/new",
        HazardReport,
        pages::new_form,
    );
    t.media(
        M::POST,
        "/schools/{id}/hazards/new",
        HazardReport,
        pages::create,
    );
}
