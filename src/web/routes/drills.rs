//! Routes: emergency drills — a school's drills, one drill, the compliance board.

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::drills::DrillAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "drills",
    api: register,
    pages: register_pages,
    menu: &[("/drills/board", "nav.drills", DrillView)],
    audit: audit_codes::<DrillAudit>,
    notices: nothing,
    tables: &["drills"],
};

fn register(t: &mut Table) {
    t.api(DrillView, routes!(api::drills::list));
    t.api(DrillRecord, routes!(api::drills::create));
    t.api(DrillView, routes!(api::drills::get));
    t.api(DrillRecord, routes!(api::drills::update));
    t.api(DrillView, routes!(api::drills::board));
    t.api(DrillView, routes!(api::drills::export));
    t.api(DrillView, routes!(api::emergency_lists::drills));
}

/// The pages: the board with its period picker; a school's drills with the "plan a drill"
/// and "record a drill" forms; one drill with its record, evaluation, cancel and photo forms
/// (printable on A4).
fn register_pages(t: &mut Table) {
    t.add(M::GET, "/drills/board", DrillView, pages::drills::board);
    t.add(
        M::GET,
        "/schools/{id}/drills",
        DrillView,
        pages::drills::list,
    );
    // A refused form is shown again with the school's drills.
    t.add_as(
        M::POST,
        "/schools/{id}/drills",
        DrillRecord,
        &[DrillView],
        pages::drills::create,
    );
    t.add(M::GET, "/drills/{id}", DrillView, pages::drills::detail);
    t.add_as(
        M::POST,
        "/drills/{id}",
        DrillRecord,
        &[DrillView],
        pages::drills::act,
    );
    // Photos of a drill, through the upload pipeline.
    t.media(
        M::POST,
        "/drills/{id}/photos",
        DrillRecord,
        pages::drills::photos,
    );
}
