//! Routes: holiday duty (值班值宿) and the daily zero report (零报告).

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::duty::DutyAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "duty",
    api: register,
    pages: register_pages,
    menu: &[("/duty", "nav.duty", DutyView)],
    audit: audit_codes::<DutyAudit>,
    notices: nothing,
    tables: &[
        "duty_periods",
        "duty_units",
        "duty_rosters",
        "duty_reports",
        "duty_check_ins",
        "duty_spot_checks",
        "duty_spot_check_revisions",
    ],
};

fn register(t: &mut Table) {
    t.api(DutyView, routes!(api::duty::list));
    t.api(DutyPlan, routes!(api::duty::create));
    t.api(DutyView, routes!(api::duty::get));
    t.api(DutyView, routes!(api::duty::roster));
    t.api(DutySubmit, routes!(api::duty::put_roster));
    t.api(DutySubmit, routes!(api::duty::report));
    t.api(DutyView, routes!(api::duty::board));
    t.api(DutyView, routes!(api::duty::board_export));
    t.api(DutyView, routes!(api::emergency_lists::duty_periods));
    t.api(DutyView, routes!(api::emergency_lists::roster));
    t.api(DutyCheckIn, routes!(api::duty::check_in));
    t.api(DutyView, routes!(api::duty::check_ins));
    t.api(DutySpotCheck, routes!(api::duty::spot_check));
    t.api(DutySpotCheck, routes!(api::duty::correct_spot_check));
    t.api(DutyView, routes!(api::duty::spot_checks));
}

/// The pages: the periods (the bureau sets one up there; a school files today's zero report
/// and its duty officer checks in from there in one tap), a period's daily board (printable;
/// the bureau records its phone spot checks there), the school's page of its roster and
/// today's report, and a unit's roster for print.
fn register_pages(t: &mut Table) {
    t.add(M::GET, "/duty", DutyView, pages::duty::list);
    t.add_as(M::POST, "/duty", DutyPlan, &[DutyView], pages::duty::create);
    t.add(M::GET, "/duty/{id}", DutyView, pages::duty::board);
    t.add_as(
        M::GET,
        "/duty/{id}/report",
        DutySubmit,
        &[DutyView, IncidentView],
        pages::duty::report_page,
    );
    t.add_as(
        M::POST,
        "/duty/{id}/report",
        DutySubmit,
        &[DutyView, IncidentView],
        pages::duty::report,
    );
    t.add_as(
        M::POST,
        "/duty/{id}/roster",
        DutySubmit,
        &[DutyView, IncidentView],
        pages::duty::roster,
    );
    t.add(
        M::GET,
        "/duty/{id}/rosters/{school_id}",
        DutyView,
        pages::duty::roster_print,
    );
    t.add(
        M::POST,
        "/duty/{id}/check-in",
        DutyCheckIn,
        pages::duty::check_in,
    );
    // A refused spot check is shown again on the board.
    t.add_as(
        M::POST,
        "/duty/{id}/spot-checks",
        DutySpotCheck,
        &[DutyView],
        pages::duty::spot_check,
    );
    // A spot check corrected from its row on the board (refused: the board again).
    t.add_as(
        M::POST,
        "/duty/{id}/spot-checks/{check_id}",
        DutySpotCheck,
        &[DutyView],
        pages::duty::correct_spot_check,
    );
}
