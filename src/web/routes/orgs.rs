//! Routes: The org tree, schools, people, zones and their .xlsx transfer.

use super::Table;
use crate::policy::Action::*;
use crate::web::{api, pages};
use axum::http::Method as M;

/// The API.
pub(super) fn register(t: &mut Table) {
    t.add(M::GET, "/api/v1/orgs", OrgView, api::orgs::list);
    t.add(M::POST, "/api/v1/orgs", OrgManage, api::orgs::create);
    t.add(M::GET, "/api/v1/orgs/{id}", OrgView, api::orgs::get);
    t.add(M::GET, "/api/v1/schools", SchoolView, api::schools::list);
    t.add(
        M::POST,
        "/api/v1/schools",
        SchoolCreate,
        api::schools::create,
    );
    t.add(
        M::GET,
        "/api/v1/schools/export.xlsx",
        SchoolExport,
        api::transfer::export_schools,
    );
    t.upload(
        M::POST,
        "/api/v1/schools/import",
        SchoolImport,
        api::transfer::import_schools,
    );
    t.add(
        M::GET,
        "/api/v1/schools/{id}",
        SchoolView,
        api::schools::get,
    );
    t.add(
        M::PATCH,
        "/api/v1/schools/{id}",
        SchoolUpdate,
        api::schools::update,
    );
    t.add(
        M::GET,
        "/api/v1/schools/{id}/people",
        PersonView,
        api::people::list,
    );
    t.add(
        M::POST,
        "/api/v1/schools/{id}/people",
        PersonWrite,
        api::people::create,
    );
    t.add(
        M::GET,
        "/api/v1/schools/{id}/people/export.xlsx",
        PersonView,
        api::transfer::export_people,
    );
    t.upload(
        M::POST,
        "/api/v1/schools/{id}/people/import",
        PersonWrite,
        api::transfer::import_people,
    );
    t.add(M::GET, "/api/v1/people/{id}", PersonView, api::people::get);
    t.add(
        M::PUT,
        "/api/v1/people/{id}",
        PersonWrite,
        api::people::update,
    );
    t.add(
        M::DELETE,
        "/api/v1/people/{id}",
        PersonWrite,
        api::people::remove,
    );
    t.add(
        M::GET,
        "/api/v1/schools/{id}/zones",
        ZoneView,
        api::zones::list,
    );
    t.add(
        M::POST,
        "/api/v1/schools/{id}/zones",
        ZoneWrite,
        api::zones::create,
    );
    t.add(
        M::GET,
        "/api/v1/schools/{id}/zones/export.xlsx",
        ZoneView,
        api::transfer::export_zones,
    );
    t.upload(
        M::POST,
        "/api/v1/schools/{id}/zones/import",
        ZoneWrite,
        api::transfer::import_zones,
    );
    t.add(M::GET, "/api/v1/zones/{id}", ZoneView, api::zones::get);
    t.add(M::PUT, "/api/v1/zones/{id}", ZoneWrite, api::zones::update);
}

/// The pages; `build` registers them after every API route.
pub(super) fn register_pages(t: &mut Table) {
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
        &[ZoneView, PersonView],
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
