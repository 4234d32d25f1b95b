//! Routes: Hazards and their closed loop (隐患排查治理 → 销号), notices and ledgers.

use super::Table;
use crate::policy::Action::*;
use crate::web::api::hazards as api;
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
}
