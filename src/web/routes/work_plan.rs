//! Routes: the work plan — plans with their items and obligations, the compliance calendar,
//! meetings, trainings and education activities.

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::work_plans::WorkPlanAudit;
use crate::storage::work_records::WorkRecordAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "work_plan",
    api: register,
    pages: register_pages,
    menu: &[("/compliance", "nav.compliance", WorkPlanView)],
    audit: audits,
    notices: nothing,
    tables: &[
        "work_plans",
        "work_plan_items",
        "work_plan_obligations",
        "work_plan_versions",
        "meetings",
        "trainings",
        "education_activities",
        "compliance_evidence",
    ],
};

fn audits() -> Vec<&'static str> {
    let mut v = audit_codes::<WorkPlanAudit>();
    v.extend(audit_codes::<WorkRecordAudit>());
    v
}

fn register(t: &mut Table) {
    use api::work_plan as a;
    t.api(WorkPlanView, routes!(a::list));
    t.api(WorkPlanEdit, routes!(a::create));
    t.api(WorkPlanView, routes!(a::get));
    t.api(WorkPlanEdit, routes!(a::update));
    t.api(WorkPlanEdit, routes!(a::copy));
    t.api(WorkPlanView, routes!(a::compliance));
    t.api(WorkPlanView, routes!(a::export));
    t.api(WorkPlanView, routes!(a::meetings));
    t.api(WorkRecord, routes!(a::create_meeting));
    t.api(WorkPlanView, routes!(a::trainings));
    t.api(WorkRecord, routes!(a::create_training));
    t.api_as(
        WorkRecord,
        &[],
        Some(super::UPLOAD_LIMIT),
        routes!(api::trainings::attendance),
    );
    t.api(WorkPlanView, routes!(api::trainings::compliance));
    t.api(WorkPlanView, routes!(a::activities));
    t.api(WorkRecord, routes!(a::create_activity));
}

/// The pages: the calendar (a school's year, a district's grid, a city's districts) with
/// the drill-down to a cell's evidence; the plans; the records with their forms.
fn register_pages(t: &mut Table) {
    use pages::work_plan as p;
    t.add(M::GET, "/compliance", WorkPlanView, p::calendar);
    t.add(M::GET, "/compliance/cell", WorkPlanView, p::cell);
    t.add(M::GET, "/compliance/print", WorkPlanView, p::print);
    t.add(M::GET, "/work-plans", WorkPlanView, p::plans);
    t.add(M::GET, "/work-plans/{id}", WorkPlanView, p::plan);
    t.add_as(
        M::POST,
        "/work-plans/{id}",
        WorkPlanEdit,
        &[WorkPlanView],
        p::edit,
    );
    t.add(M::GET, "/work-records", WorkPlanView, p::records);
    t.add(
        M::GET,
        "/trainings/compliance",
        WorkPlanView,
        pages::trainings::compliance,
    );
    t.add(
        M::GET,
        "/trainings/{id}/attendance",
        WorkRecord,
        pages::trainings::attendance,
    );
    t.upload(
        M::POST,
        "/trainings/{id}/attendance",
        WorkRecord,
        pages::trainings::attendance_upload,
    );
    t.add_as(
        M::POST,
        "/work-records",
        WorkRecord,
        &[WorkPlanView],
        p::record,
    );
}
