//! Routes: Inspections, campaigns, cross-inspections and the self-inspection board.

use super::Table;
use crate::policy::Action::*;
use crate::web::api::inspections as api;
use axum::http::Method as M;

pub(super) fn register(t: &mut Table) {
    t.add(
        M::GET,
        "/api/v1/schools/{id}/checklist",
        InspectionView,
        api::checklist,
    );
    t.add(
        M::GET,
        "/api/v1/schools/{id}/inspections",
        InspectionView,
        api::school_list,
    );
    t.add(
        M::POST,
        "/api/v1/schools/{id}/inspections",
        InspectionSubmit,
        api::submit,
    );
    t.add(M::GET, "/api/v1/inspections", InspectionView, api::list);
    t.add(
        M::GET,
        "/api/v1/inspections/export.xlsx",
        InspectionView,
        api::export,
    );
    t.add(M::GET, "/api/v1/inspections/{id}", InspectionView, api::get);
    t.add(M::GET, "/api/v1/campaigns", InspectionView, api::campaigns);
    t.add(
        M::POST,
        "/api/v1/campaigns",
        InspectionPlan,
        api::create_campaign,
    );
    t.add(
        M::GET,
        "/api/v1/campaigns/{id}",
        InspectionView,
        api::campaign,
    );
    t.add(
        M::GET,
        "/api/v1/cross-assignments",
        InspectionView,
        api::cross_list,
    );
    t.add(
        M::POST,
        "/api/v1/cross-assignments",
        InspectionPlan,
        api::cross_create,
    );
    t.add(
        M::GET,
        "/api/v1/cross-assignments/{id}",
        InspectionView,
        api::cross_get,
    );
    t.add(
        M::GET,
        "/api/v1/cross-assignments/{id}/checklist",
        InspectionView,
        api::cross_checklist,
    );
    t.add(
        M::POST,
        "/api/v1/cross-assignments/{id}/inspection",
        InspectionSubmit,
        api::cross_submit,
    );
    t.add(
        M::GET,
        "/api/v1/self-inspection-board",
        InspectionView,
        api::board,
    );
}
