//! Routes: The org tree, schools, people, zones and their .xlsx transfer.

use super::{Feature, audit_codes, nothing};
use super::{Table, UPLOAD_LIMIT};
use crate::policy::Action::*;
use crate::storage::orgs::OrgAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "orgs",
    api: register,
    pages: register_pages,
    menu: &[("/schools", "nav.schools", SchoolView)],
    audit: audit_codes::<OrgAudit>,
    notices: nothing,
    tables: &["orgs", "people", "zones"],
};

/// The API.
fn register(t: &mut Table) {
    t.api(OrgView, routes!(api::orgs::list));
    t.api(OrgManage, routes!(api::orgs::create));
    t.api(OrgView, routes!(api::orgs::get));
    t.api(SchoolView, routes!(api::schools::list));
    t.api(SchoolCreate, routes!(api::schools::create));
    t.api(SchoolExport, routes!(api::transfer::export_schools));
    t.api_as(
        SchoolImport,
        &[],
        Some(UPLOAD_LIMIT),
        routes!(api::transfer::import_schools),
    );
    t.api(SchoolView, routes!(api::schools::get));
    t.api(SchoolUpdate, routes!(api::schools::update));
    t.api(PersonView, routes!(api::people::list));
    t.api(PersonWrite, routes!(api::people::create));
    t.api(PersonView, routes!(api::transfer::export_people));
    t.api_as(
        PersonWrite,
        &[],
        Some(UPLOAD_LIMIT),
        routes!(api::transfer::import_people),
    );
    t.api(PersonView, routes!(api::people::get));
    t.api(PersonWrite, routes!(api::people::update));
    t.api(PersonWrite, routes!(api::people::remove));
    t.api(ZoneView, routes!(api::zones::list));
    t.api(ZoneWrite, routes!(api::zones::create));
    t.api(ZoneView, routes!(api::transfer::export_zones));
    t.api_as(
        ZoneWrite,
        &[],
        Some(UPLOAD_LIMIT),
        routes!(api::transfer::import_zones),
    );
    t.api(ZoneView, routes!(api::zones::get));
    t.api(ZoneWrite, routes!(api::zones::update));
}

/// The pages; `build` registers them after every API route.
fn register_pages(t: &mut Table) {
    t.add(M::GET, "/schools", SchoolView, pages::schools::list);
    t.add_as(
        M::GET,
        "/schools/new",
        SchoolCreate,
        &[SchoolView],
        pages::schools::new_form,
    );
    t.add_as(
        M::POST,
        "/schools/new",
        SchoolCreate,
        &[SchoolView],
        pages::schools::create,
    );
    t.add(
        M::GET,
        "/schools/import",
        SchoolImport,
        pages::transfer::import_form,
    );
    t.upload(
        M::POST,
        "/schools/import",
        SchoolImport,
        pages::transfer::import_submit,
    );
    t.add_as(
        M::GET,
        "/schools/{id}",
        SchoolView,
        &[ZoneView, PersonView, WarningView, HomeView],
        pages::schools::detail,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/edit",
        SchoolUpdate,
        &[SchoolView],
        pages::schools::edit_form,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/edit",
        SchoolUpdate,
        &[SchoolView],
        pages::schools::update,
    );
    t.add(
        M::GET,
        "/schools/{id}/people/new",
        PersonWrite,
        pages::people::new_form,
    );
    t.add(
        M::POST,
        "/schools/{id}/people/new",
        PersonWrite,
        pages::people::create,
    );
    t.add(
        M::GET,
        "/schools/{id}/people/import",
        PersonWrite,
        pages::transfer::people_import_form,
    );
    t.upload(
        M::POST,
        "/schools/{id}/people/import",
        PersonWrite,
        pages::transfer::people_import_submit,
    );
    t.add(
        M::GET,
        "/people/{id}/edit",
        PersonWrite,
        pages::people::edit_form,
    );
    t.add(
        M::POST,
        "/people/{id}/edit",
        PersonWrite,
        pages::people::update,
    );
    t.add(
        M::POST,
        "/people/{id}/remove",
        PersonWrite,
        pages::people::remove,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/zones/new",
        ZoneWrite,
        &[ZoneView, PersonView],
        pages::zones::new_form,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/zones/new",
        ZoneWrite,
        &[ZoneView, PersonView],
        pages::zones::create,
    );
    t.add_as(
        M::GET,
        "/zones/{id}/edit",
        ZoneWrite,
        &[ZoneView, PersonView],
        pages::zones::edit_form,
    );
    t.add_as(
        M::POST,
        "/zones/{id}/edit",
        ZoneWrite,
        &[ZoneView, PersonView],
        pages::zones::update,
    );
    t.add(
        M::GET,
        "/schools/{id}/zones/import",
        ZoneWrite,
        pages::transfer::zones_import_form,
    );
    t.upload(
        M::POST,
        "/schools/{id}/zones/import",
        ZoneWrite,
        pages::transfer::zones_import_submit,
    );
}
