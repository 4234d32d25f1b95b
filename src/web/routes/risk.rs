//! Routes: Risk grading and control (风险分级管控): the catalogue, school registers, maps,
//! QR codes.

use super::{Feature, audit_codes, nothing};
use super::{Table, UPLOAD_LIMIT};
use crate::policy::Action::*;
use crate::storage::risk_points::RiskAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "risk",
    api: register,
    pages: register_pages,
    menu: &[("/risk", "nav.risk", RiskView)],
    audit: audit_codes::<RiskAudit>,
    notices: nothing,
    tables: &[
        "risk_catalogs",
        "risk_catalog_items",
        "risk_catalog_history",
        "risk_points",
        "risk_assessments",
        "risk_counts",
    ],
};

/// The API.
fn register(t: &mut Table) {
    t.api(RiskCatalogView, routes!(api::risk::catalog));
    t.api(RiskCatalogView, routes!(api::risk::export_catalog));
    t.api_as(
        RiskCatalogEdit,
        &[],
        Some(UPLOAD_LIMIT),
        routes!(api::risk::import_catalog),
    );
    t.api(RiskCatalogView, routes!(api::risk::catalog_item));
    t.api(RiskCatalogEdit, routes!(api::risk::update_catalog_item));
    t.api(RiskView, routes!(api::risk::evaluate_only));
    t.api(RiskView, routes!(api::risk::summary));
    t.api(RiskView, routes!(api::risk::export_summary));
    // The district map colours schools by their risk index (read as `WarningView`).
    t.api_as(
        RiskView,
        &[WarningView],
        None,
        routes!(api::risk::district_map),
    );
    t.api(RiskView, routes!(api::risk::register));
    t.api(RiskWrite, routes!(api::risk::create_point));
    t.api(RiskWrite, routes!(api::risk::instantiate));
    t.api_as(
        RiskView,
        &[SchoolView],
        None,
        routes!(api::risk::export_register),
    );
    t.api(RiskView, routes!(api::risk::risk_map));
    t.api(RiskView, routes!(api::risk::point));
    t.api(RiskWrite, routes!(api::risk::update_point));
    t.api(RiskAssess, routes!(api::risk::assess));
    t.api(RiskView, routes!(api::risk::qr));
}

/// The pages.
fn register_pages(t: &mut Table) {
    t.add_as(
        M::GET,
        "/risk",
        RiskView,
        &[WarningView],
        pages::risk::overview,
    );
    t.add_as(
        M::GET,
        "/risk/catalog",
        RiskCatalogView,
        &[SchoolView],
        pages::catalog::list,
    );
    t.add(
        M::GET,
        "/risk/catalog/import",
        RiskCatalogEdit,
        pages::catalog::import_form,
    );
    t.upload(
        M::POST,
        "/risk/catalog/import",
        RiskCatalogEdit,
        pages::catalog::import_submit,
    );
    t.add_as(
        M::GET,
        "/risk/catalog/items/{id}",
        RiskCatalogView,
        &[RiskCatalogView],
        pages::catalog::item,
    );
    t.add_as(
        M::POST,
        "/risk/catalog/items/{id}",
        RiskCatalogEdit,
        &[RiskCatalogView],
        pages::catalog::update,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/risks",
        RiskView,
        &[SchoolView, ZoneView, PersonView],
        pages::risk::register,
    );
    t.add(
        M::POST,
        "/schools/{id}/risks/instantiate",
        RiskWrite,
        pages::risk::instantiate,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/risks/new",
        RiskWrite,
        &[SchoolView],
        pages::risk::new_form,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/risks/new",
        RiskWrite,
        &[SchoolView],
        pages::risk::create,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/risk-map",
        RiskView,
        &[SchoolView],
        pages::risk::campus_map,
    );
    t.add_as(
        M::GET,
        "/risk-points/{id}",
        RiskView,
        &[ZoneView, PersonView],
        pages::risk::point,
    );
    t.add_as(
        M::POST,
        "/risk-points/{id}/assess",
        RiskAssess,
        &[RiskView, ZoneView, PersonView],
        pages::risk::assess,
    );
    t.add_as(
        M::POST,
        "/risk-points/{id}/edit",
        RiskWrite,
        &[RiskView, ZoneView, PersonView],
        pages::risk::edit,
    );
    t.add(
        M::GET,
        "/risk-points/{id}/card",
        RiskView,
        pages::risk::card,
    );
}
