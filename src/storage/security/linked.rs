//! The early warning's devices that are security equipment are entries of the register, not
//! a second list (`devices.equipment_id`, migration `m0027_device_equipment`):
//!
//! - [`DEVICE_KINDS`] is the one table of which device kinds are which register kinds; a
//!   device of any other kind (smoke, gas, water level, bus GPS …) is not equipment.
//! - Registering such a device makes it an entry in the same transaction: a new entry of its
//!   kind (its name, in its zone), or — given `equipment_id` — an existing, unretired entry of
//!   the same school and kind (another school's entry is not found: 404). Many devices may be
//!   one entry (the cameras of one surveillance system).
//! - The register shows, for each entry, its devices' codes, online or offline and last seen.
//! - Retiring an entry disables its devices in the same transaction: their tokens are revoked
//!   (the ingest refuses them, the offline sweep passes them over), each revoke audited as
//!   `device.revoke`; the devices stay linked, as the history of what the entry was, and a new
//!   token is refused (409) until the device is moved onto an entry in use.

use super::super::audit::{self, Event};
use super::super::devices::DeviceAudit;
use super::super::entity::{device, security_equipment as equipment, zone};
use super::super::orgs::invalid;
use crate::domain::Code;
use crate::domain::device::{self as device_rules, DeviceKind};
use crate::domain::ids::{DeviceId, EquipmentId, OrgId, ZoneId};
use crate::domain::security::EquipmentKind;
use crate::error::{Error, FieldError, Result};
use crate::storage::Actor;
use crate::storage::read::{ReadAll as _, Reader};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, IntoActiveModel, QueryOrder};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Which device kinds are security equipment, and which register kind each is. Perimeter
/// walls, gate barriers and guards have no device kind: they are registered by hand only.
pub const DEVICE_KINDS: &[(DeviceKind, EquipmentKind)] = &[
    (DeviceKind::Camera, EquipmentKind::Camera),
    (DeviceKind::AlarmButton, EquipmentKind::OneKeyAlarm),
    (DeviceKind::AccessGate, EquipmentKind::AccessControl),
];

/// The register kind a device of `kind` is, if it is security equipment.
pub fn register_kind(kind: DeviceKind) -> Option<EquipmentKind> {
    DEVICE_KINDS
        .iter()
        .find(|(d, _)| *d == kind)
        .map(|(_, e)| *e)
}

/// A device that is (part of) a register entry, as the register shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkedDevice {
    pub id: DeviceId,
    pub code: String,
    pub name: String,
    /// An event arrived within `[devices] offline_minutes`.
    pub online: bool,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// False once its token was revoked (the entry retired, or the device withdrawn).
    pub has_token: bool,
}

/// The devices of each entry of `entries`, by code.
pub(super) async fn devices_of(
    read: &Reader,
    entries: &[EquipmentId],
    offline_minutes: u32,
) -> Result<HashMap<EquipmentId, Vec<LinkedDevice>>> {
    let mut out: HashMap<EquipmentId, Vec<LinkedDevice>> = HashMap::new();
    if entries.is_empty() {
        return Ok(out);
    }
    let now = Utc::now();
    let rows = device::Entity::find()
        .filter(device::Column::EquipmentId.is_in(entries.iter().copied()))
        .order_by_asc(device::Column::Code)
        .read_all(read)
        .await?;
    for d in rows {
        let Some(e) = d.equipment_id else { continue };
        out.entry(e).or_default().push(LinkedDevice {
            online: device_rules::is_online(d.last_seen_at, now, offline_minutes),
            has_token: d.token_hash.is_some(),
            last_seen_at: d.last_seen_at,
            id: d.id,
            code: d.code,
            name: d.name,
        });
    }
    Ok(out)
}

/// What a device registration did to the register.
pub(crate) enum Linked {
    /// Not security equipment.
    None,
    /// Linked to an existing entry.
    Existing(EquipmentId),
    /// A new entry was made for it.
    New(EquipmentId),
}

impl Linked {
    pub(crate) fn id(&self) -> Option<EquipmentId> {
        match self {
            Linked::None => None,
            Linked::Existing(id) | Linked::New(id) => Some(*id),
        }
    }
}

/// An existing entry a device of `kind` at `school` may be: the school's own (else
/// `NotFound`, whatever school it belongs to), of the device's register kind and in use.
pub(crate) async fn existing_entry(
    txn: &DatabaseTransaction,
    school: OrgId,
    kind: DeviceKind,
    id: EquipmentId,
) -> Result<EquipmentId> {
    let Some(want) = register_kind(kind) else {
        return Err(invalid(vec![FieldError::new(
            "equipment_id",
            "err.device.not_equipment",
        )]));
    };
    let m = equipment::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|m| m.school_id == school)
        .ok_or(Error::NotFound)?;
    if m.kind != want.as_str() {
        return Err(invalid(vec![FieldError::new(
            "equipment_id",
            "err.device.equipment_kind",
        )]));
    }
    if m.retired {
        return Err(invalid(vec![FieldError::new(
            "equipment_id",
            "err.device.equipment_retired",
        )]));
    }
    Ok(m.id)
}

/// The entry a device being registered is: the given one (checked by [`existing_entry`]),
/// or a new one of its kind written in the registration's transaction and audited there as
/// `security_equipment.add`. A registration by a role that may not write the register is
/// refused (403) before anything is written.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn entry_for_new_device(
    txn: &DatabaseTransaction,
    actor: &Actor,
    school: OrgId,
    kind: DeviceKind,
    name: &str,
    zone: Option<ZoneId>,
    given: Option<EquipmentId>,
) -> Result<Linked> {
    if let Some(id) = given {
        return existing_entry(txn, school, kind, id)
            .await
            .map(Linked::Existing);
    }
    let Some(entry_kind) = register_kind(kind) else {
        return Ok(Linked::None);
    };
    if !crate::policy::allows(actor.role, crate::policy::Action::SecurityWrite) {
        return Err(Error::Forbidden);
    }
    let location = match zone {
        Some(z) => zone::Entity::find_by_id(z)
            .one(txn)
            .await?
            .filter(|z| z.school_id == school)
            .map(|z| z.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let m = equipment::ActiveModel {
        school_id: Set(school),
        kind: Set(entry_kind.as_str().into()),
        name: Set(name.trim().into()),
        location: Set(location.chars().take(100).collect()),
        quantity: Set(1),
        working: Set(true),
        // Not known to be linked to the police until someone says so on the register.
        linked_police: Set((entry_kind == EquipmentKind::OneKeyAlarm).then_some(false)),
        retention_days: Set(None),
        licence: Set(String::new()),
        birth_year: Set(None),
        full_time: Set(None),
        retired: Set(false),
        updated_by: Set(Some(actor.user_id)),
        updated_by_name: Set(actor.display_name.clone()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut event = Event::new(
        super::SecurityAudit::Add,
        "security_equipment",
        m.id.to_string(),
    );
    event.detail = format!("school={} kind={} from=device", m.school_id, m.kind);
    audit::append(txn, actor, &event, "ok").await?;
    Ok(Linked::New(m.id))
}

/// Revokes the tokens of the devices of an entry being retired, each revoke audited; the
/// devices revoked.
pub(super) async fn disable_devices(
    txn: &DatabaseTransaction,
    actor: &Actor,
    entry: EquipmentId,
) -> Result<Vec<DeviceId>> {
    let rows = device::Entity::find()
        .filter(device::Column::EquipmentId.eq(entry))
        .filter(device::Column::TokenHash.is_not_null())
        .order_by_asc(device::Column::Id)
        .all(txn)
        .await?;
    let mut out = Vec::new();
    for d in rows {
        let id = d.id;
        let mut am = d.into_active_model();
        am.token_hash = Set(None);
        am.token_issued_at = Set(None);
        am.updated_at = Set(Utc::now());
        am.update(txn).await?;
        let mut event = Event::new(DeviceAudit::Revoke, "device", id);
        event.detail = format!("equipment={entry} retired");
        audit::append(txn, actor, &event, "ok").await?;
        out.push(id);
    }
    Ok(out)
}

/// A retired entry's device gets no new token (409): it is moved onto an entry in use first.
pub(crate) async fn check_in_use(
    txn: &DatabaseTransaction,
    entry: Option<EquipmentId>,
) -> Result<()> {
    let Some(id) = entry else { return Ok(()) };
    let retired = equipment::Entity::find_by_id(id)
        .one(txn)
        .await?
        .is_some_and(|m| m.retired);
    if retired {
        return Err(Error::Conflict("err.device.equipment_retired".into()));
    }
    Ok(())
}
