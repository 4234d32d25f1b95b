//! Routes: Inspections, campaigns, cross-inspections and the self-inspection board.

use super::Table;
use super::{Feature, audit_codes, no_pages, notice_codes};
use crate::policy::Action::*;
use crate::storage::inspections::{InspectionAudit, InspectionNotice};
use crate::web::api::inspections as api;
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "inspections",
    api: register,
    pages: no_pages,
    menu: &[("/inspections", "nav.inspections", InspectionView)],
    audit: audit_codes::<InspectionAudit>,
    notices: notice_codes::<InspectionNotice>,
    tables: &[
        "inspections",
        "inspection_items",
        "inspection_drafts",
        "campaigns",
        "campaign_schools",
        "cross_assignments",
    ],
};

fn register(t: &mut Table) {
    t.api(InspectionView, routes!(api::checklist));
    t.api(InspectionView, routes!(api::school_list));
    t.api(InspectionSubmit, routes!(api::submit));
    t.api(InspectionView, routes!(api::list));
    t.api(InspectionView, routes!(api::export));
    t.api(InspectionView, routes!(api::get));
    t.api(InspectionView, routes!(api::campaigns));
    t.api(InspectionPlan, routes!(api::create_campaign));
    t.api(InspectionView, routes!(api::campaign));
    t.api(InspectionView, routes!(api::cross_list));
    t.api(InspectionPlan, routes!(api::cross_create));
    t.api(InspectionView, routes!(api::cross_get));
    t.api(InspectionView, routes!(api::cross_checklist));
    t.api(InspectionSubmit, routes!(api::cross_submit));
    t.api(InspectionView, routes!(api::board));
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
        "/inspections/{id}/result",
        InspectionView,
        p::result,
    );
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
        M::POST,
        "/schools/{id}/inspections/new/items/{key}",
        InspectionSubmit,
        p::save_item,
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
