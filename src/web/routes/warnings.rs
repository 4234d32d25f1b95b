//! Routes: the early warning — the device registry of each school so far.

use super::Table;
use super::{Feature, audit_codes, no_pages, nothing};
use crate::policy::Action::*;
use crate::storage::devices::DeviceAudit;
use crate::web::api;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "warnings",
    api: register,
    pages: no_pages,
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
