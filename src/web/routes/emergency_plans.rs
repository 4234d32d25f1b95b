//! Routes: emergency plans — a school's plans and coverage, the bureau's roll-up (and its
//! .xlsx) and own plans, one plan, its lifecycle and documents, the expert pools, the
//! working-day calendar.

use super::Table;
use super::{Feature, audit_codes, notice_codes};
use crate::policy::Action::*;
use crate::storage::emergency_plans::{PlanAudit, PlanNotice};
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "emergency_plans",
    api: register,
    pages: register_pages,
    menu: &[
        ("/emergency-plans", "nav.emergency_plans", PlanView),
        ("/calendar", "nav.calendar", CalendarView),
    ],
    audit: audit_codes::<PlanAudit>,
    notices: notice_codes::<PlanNotice>,
    tables: &[
        "emergency_plans",
        "emergency_plan_events",
        "emergency_plan_reviewers",
        "plan_experts",
        "working_calendar",
    ],
};

fn register(t: &mut Table) {
    use api::emergency_plans as a;
    t.api(PlanView, routes!(a::list));
    t.api(PlanWrite, routes!(a::create));
    t.api(PlanView, routes!(a::rollup));
    t.api(PlanView, routes!(a::extra::export));
    t.api(PlanView, routes!(api::emergency_lists::plans));
    t.api(PlanWrite, routes!(a::create_bureau));
    t.api(PlanView, routes!(a::get));
    t.api(PlanWrite, routes!(a::update));
    t.api(PlanAct, routes!(a::act));
    t.api_as(
        PlanWrite,
        &[FileUpload],
        Some(super::MEDIA_LIMIT),
        routes!(a::extra::documents),
    );
    t.api(PlanExpertView, routes!(a::experts));
    t.api(PlanExpertManage, routes!(a::save_expert));
    t.api(CalendarView, routes!(a::calendar));
    t.api(CalendarEdit, routes!(a::replace_calendar));
}

/// The pages: the roll-up with the bureau's "new plan" form; a school's plans with coverage
/// and the "new plan" form; one plan with its steps, editor, documents and receipt; the
/// expert pool; the calendar with its editor.
fn register_pages(t: &mut Table) {
    use pages::emergency_plans as p;
    t.add(M::GET, "/emergency-plans", PlanView, p::rollup);
    // A refused form is shown again on the roll-up.
    t.add_as(
        M::POST,
        "/emergency-plans",
        PlanWrite,
        &[PlanView],
        p::create_bureau,
    );
    t.add(M::GET, "/schools/{id}/emergency-plans", PlanView, p::school);
    t.add_as(
        M::POST,
        "/schools/{id}/emergency-plans",
        PlanWrite,
        &[PlanView],
        p::create,
    );
    t.add_as(
        M::GET,
        "/emergency-plans/{id}",
        PlanView,
        &[PersonView],
        p::detail,
    );
    t.add_as(
        M::POST,
        "/emergency-plans/{id}",
        PlanWrite,
        &[PlanView, PersonView],
        p::edit,
    );
    t.add_as(
        M::POST,
        "/emergency-plans/{id}/actions",
        PlanAct,
        &[PlanView, PersonView],
        p::act,
    );
    t.media(
        M::POST,
        "/emergency-plans/{id}/documents",
        PlanWrite,
        p::attach,
    );
    t.media(
        M::POST,
        "/emergency-plans/{id}/receipt",
        PlanWrite,
        p::receipt,
    );
    t.add(M::GET, "/plan-experts", PlanExpertView, p::experts);
    t.add_as(
        M::POST,
        "/plan-experts",
        PlanExpertManage,
        &[PlanExpertView],
        p::save_expert,
    );
    t.add(M::GET, "/calendar", CalendarView, p::calendar);
    t.add_as(
        M::POST,
        "/calendar",
        CalendarEdit,
        &[CalendarView],
        p::save_calendar,
    );
}
