//! Routes: the early warning — the device registry, the ingest, warnings and their rules.

use super::Table;
use super::{Feature, audit_codes, notice_codes};
use crate::policy::Action::*;
use crate::storage::devices::DeviceAudit;
use crate::storage::outbox::ChannelAudit;
use crate::storage::warnings::{WarningAudit, WarningNotice};
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "warnings",
    api: register,
    pages: register_pages,
    menu: &[
        ("/warnings", "nav.warnings", WarningView),
        ("/channels", "nav.channels", ChannelView),
    ],
    audit: || {
        let mut v = audit_codes::<DeviceAudit>();
        v.extend(audit_codes::<WarningAudit>());
        v.extend(audit_codes::<ChannelAudit>());
        v
    },
    notices: notice_codes::<WarningNotice>,
    tables: &[
        "devices",
        "device_rejections",
        "device_events",
        "device_rule_states",
        "warning_rules",
        "warnings",
        "warning_events",
        "notification_channels",
        "notification_deliveries",
    ],
};

fn register(t: &mut Table) {
    t.api(DeviceView, routes!(api::devices::list));
    t.api(DeviceManage, routes!(api::devices::create));
    t.api(DeviceView, routes!(api::devices::get));
    t.api(DeviceManage, routes!(api::devices::update));
    t.api(DeviceManage, routes!(api::devices::token));
    t.api(DeviceView, routes!(api::devices::rejections));
    t.api_as(
        DeviceIngest,
        &[],
        Some(api::ingest::INGEST_LIMIT),
        routes!(api::ingest::ingest),
    );
    t.api(WarningView, routes!(api::warnings::list));
    t.api(WarningView, routes!(api::warnings::stream));
    t.api(WarningView, routes!(api::warnings::get));
    t.api(WarningAct, routes!(api::warnings::act));
    t.api(WarningView, routes!(api::warnings::rules));
    t.api(WarningRuleManage, routes!(api::warnings::update_rule));
    t.api(WarningView, routes!(api::warnings::risk_index));
    t.api(ChannelView, routes!(api::channels::list));
    t.api(ChannelManage, routes!(api::channels::create));
    t.api(ChannelManage, routes!(api::channels::update));
    t.api(ChannelView, routes!(api::channels::deliveries));
}

/// The pages: the warnings in scope and one warning with its steps; the risk index drilled
/// down; a school's devices, registering one, one device, replacing and revoking a token; the
/// bureau's notification channels and their delivery log.
fn register_pages(t: &mut Table) {
    t.add(M::GET, "/warnings", WarningView, pages::warnings::list);
    // The detail names the device and zone, and offers the school's people for dispatch.
    t.add_as(
        M::GET,
        "/warnings/{id}",
        WarningView,
        &[HazardView, DeviceView, ZoneView],
        pages::warnings::detail,
    );
    t.add_as(
        M::POST,
        "/warnings/{id}/act",
        WarningAct,
        &[WarningView, HazardView, DeviceView, ZoneView],
        pages::warnings::act,
    );
    t.add(
        M::GET,
        "/risk-index",
        WarningView,
        pages::warnings::risk_index,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/devices",
        DeviceView,
        &[ZoneView, SecurityView],
        pages::devices::list,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/devices/new",
        DeviceManage,
        &[DeviceView, ZoneView, SecurityView],
        pages::devices::create,
    );
    // The device's page names its school, zone and risk point and lists its open warnings;
    // a token replaced from there is answered by that page.
    t.add_as(
        M::GET,
        "/devices/{id}",
        DeviceView,
        &[SchoolView, ZoneView, RiskView, WarningView, SecurityView],
        pages::devices::detail,
    );
    t.add_as(
        M::POST,
        "/devices/{id}/token",
        DeviceManage,
        &[
            DeviceView,
            ZoneView,
            SchoolView,
            RiskView,
            WarningView,
            SecurityView,
        ],
        pages::devices::token,
    );
    t.add(
        M::POST,
        "/devices/{id}/revoke",
        DeviceManage,
        pages::devices::revoke,
    );
    t.add(M::GET, "/channels", ChannelView, pages::warnings::channels);
    // A refused form is answered by the channels page again (read as ChannelView).
    t.add_as(
        M::POST,
        "/channels/new",
        ChannelManage,
        &[ChannelView],
        pages::warnings::create_channel,
    );
    t.add(
        M::GET,
        "/channels/deliveries",
        ChannelView,
        pages::warnings::deliveries,
    );
    t.add_as(
        M::POST,
        "/channels/{id}",
        ChannelManage,
        &[ChannelView],
        pages::warnings::update_channel,
    );
}
