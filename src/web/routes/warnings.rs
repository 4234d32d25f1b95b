//! Routes: the early warning — the device registry of each school so far.

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::devices::DeviceAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "warnings",
    api: register,
    pages: register_pages,
    menu: &[],
    audit: audit_codes::<DeviceAudit>,
    notices: nothing,
    tables: &["devices", "device_rejections"],
};

fn register(t: &mut Table) {
    t.api(DeviceView, routes!(api::devices::list));
    t.api(DeviceManage, routes!(api::devices::create));
    t.api(DeviceView, routes!(api::devices::get));
    t.api(DeviceManage, routes!(api::devices::update));
    t.api(DeviceManage, routes!(api::devices::token));
    t.api(DeviceView, routes!(api::devices::rejections));
}

/// The pages: a school's devices, registering one, replacing and revoking a token.
fn register_pages(t: &mut Table) {
    t.add_as(
        M::GET,
        "/schools/{id}/devices",
        DeviceView,
        &[ZoneView],
        pages::devices::list,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/devices/new",
        DeviceManage,
        &[DeviceView, ZoneView],
        pages::devices::create,
    );
    t.add_as(
        M::POST,
        "/devices/{id}/token",
        DeviceManage,
        &[DeviceView, ZoneView],
        pages::devices::token,
    );
    t.add(
        M::POST,
        "/devices/{id}/revoke",
        DeviceManage,
        pages::devices::revoke,
    );
}
