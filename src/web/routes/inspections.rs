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
    register_pages(t);
}

/// The pages.
fn register_pages(t: &mut Table) {
    use crate::web::pages::inspections as p;
    t.add(M::GET, "/inspections", InspectionView, p::list);
    t.add(M::GET, "/inspections/board", InspectionView, p::board);
    t.add(M::GET, "/inspections/{id}", InspectionView, p::detail);
    t.add(
        M::GET,
        "/schools/{id}/inspections/new",
        InspectionSubmit,
        p::new_form,
    );
    t.media(
        M::POST,
        "/schools/{id}/inspections/new",
        InspectionSubmit,
        p::new_submit,
    );
    t.add(
        M::GET,
        "/risk-points/{id}/check",
        InspectionSubmit,
        p::point_check,
    );
    t.media(
        M::POST,
        "/risk-points/{id}/check",
        InspectionSubmit,
        p::point_check_submit,
    );
    t.add(M::GET, "/campaigns", InspectionView, p::campaigns);
    t.add(M::GET, "/campaigns/new", InspectionPlan, p::campaign_new);
    t.add(
        M::POST,
        "/campaigns/new",
        InspectionPlan,
        p::campaign_create,
    );
    t.add(M::GET, "/campaigns/{id}", InspectionView, p::campaign);
    t.add(M::GET, "/cross-inspections", InspectionView, p::cross);
    t.add(
        M::GET,
        "/cross-inspections/new",
        InspectionPlan,
        p::cross_new,
    );
    t.add(
        M::POST,
        "/cross-inspections/new",
        InspectionPlan,
        p::cross_create,
    );
    t.add(
        M::GET,
        "/cross-inspections/{id}",
        InspectionView,
        p::cross_one,
    );
    t.add(
        M::GET,
        "/cross-inspections/{id}/inspect",
        InspectionSubmit,
        p::cross_form,
    );
    t.add(
        M::POST,
        "/cross-inspections/{id}/inspect",
        InspectionSubmit,
        p::cross_submit,
    );
}
