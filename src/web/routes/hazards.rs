//! Routes: Hazards and their closed loop (隐患排查治理 → 销号), notices and ledgers.

use super::Table;
use crate::policy::Action::*;
use crate::web::api::hazards as api;
use crate::web::pages::hazards as pages;
use axum::http::Method as M;

pub(super) fn register(t: &mut Table) {
    t.add(
        M::GET,
        "/api/v1/schools/{id}/hazards",
        HazardView,
        api::school_list,
    );
    t.add(
        M::POST,
        "/api/v1/schools/{id}/hazards",
        HazardReport,
        api::report,
    );
    t.add(M::GET, "/api/v1/hazards", HazardView, api::list);
    t.add(
        M::GET,
        "/api/v1/hazards/export.xlsx",
        HazardView,
        api::export,
    );
    t.add(
        M::GET,
        "/api/v1/hazards/closures.xlsx",
        HazardView,
        api::closures_export,
    );
    t.add(M::GET, "/api/v1/hazards/{id}", HazardView, api::get);
    t.add(M::POST, "/api/v1/hazards/{id}/actions", HazardAct, api::act);

    t.add(M::GET, "/hazards", HazardView, pages::list);
    t.add(M::GET, "/hazards/ledger", HazardView, pages::ledger);
    t.add(M::GET, "/hazards/closures", HazardView, pages::closures);
    t.add(M::GET, "/hazards/{id}", HazardView, pages::detail);
    t.media(M::POST, "/hazards/{id}/actions", HazardAct, pages::act);
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
