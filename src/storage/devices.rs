//! The device registry of the early warning (F-WARN-1), through a [`Scoped`] handle: a school's
//! devices, each placed in a campus zone and optionally at a risk point, with a token of its
//! own. The token is shown once, when it is issued; only its SHA-256 is stored, so a lost
//! token is replaced (rotated), never read back. A revoked device has no token at all.
//! A device that is security equipment (a camera, a one-key alarm, an access gate) is an entry
//! of the security register (`equipment_id`, see `security::linked`).
//!
//! [`Scoped`]: super::Scoped

use super::audit::Event;
use super::auth::{random_token, token_hash};
use super::entity::{device, device_rejection, risk_point, zone};
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::device::{self as rules, DeviceKind};
use crate::domain::ids::{DeviceId, DeviceRejectionId, EquipmentId, OrgId, RiskPointId, ZoneId};
use crate::error::{Error, FieldError, Result};
use crate::storage::Devices;
use crate::storage::read::ReadAll as _;
use crate::storage::security::{self as register, Linked};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, IntoActiveModel, QueryOrder, QuerySelect};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

closed_codes! {
    AuditCode:
    /// What the device registry records.
    pub enum DeviceAudit {
        Create = "device.create",
        Update = "device.update",
        Token = "device.token",
        Revoke = "device.revoke",
    }
}

/// How many refused payloads a device page shows (the newest).
pub const REJECTIONS_SHOWN: u64 = 100;

/// A device as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Device {
    pub id: DeviceId,
    pub school_id: OrgId,
    pub code: String,
    pub kind: DeviceKind,
    pub name: String,
    pub zone_id: Option<ZoneId>,
    pub risk_point_id: Option<RiskPointId>,
    /// An event arrived within `[devices] offline_minutes`.
    pub online: bool,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// The last value of each metric (`{"smoke": 0, "temperature_c": 21.5}`).
    #[schema(value_type = Object)]
    pub last_values: serde_json::Value,
    /// A token is in force (false: revoked).
    pub has_token: bool,
    pub token_issued_at: Option<DateTime<Utc>>,
    /// The security register entry the device is (cameras, one-key alarms, access gates).
    pub equipment_id: Option<EquipmentId>,
}

/// A device just registered, with its token — shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewDeviceWithToken {
    #[serde(flatten)]
    pub device: Device,
    pub token: String,
}

/// A new token (the old one stops working) — shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeviceToken {
    pub token: String,
}

/// A payload a device sent that was refused, with the reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rejection {
    pub id: DeviceRejectionId,
    pub received_at: DateTime<Utc>,
    /// The event's own id, when it had one.
    pub event_id: String,
    /// Its position in the batch, from 0.
    pub index: i32,
    pub reason: String,
    /// The start of the refused event.
    pub excerpt: String,
}

/// A device to register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    pub code: String,
    pub kind: DeviceKind,
    pub name: String,
    #[serde(default)]
    pub zone_id: Option<ZoneId>,
    #[serde(default)]
    pub risk_point_id: Option<RiskPointId>,
    /// A camera, one-key alarm or access gate: the school's register entry it is. Left out, a
    /// new entry of its kind is registered with it.
    #[serde(default)]
    pub equipment_id: Option<EquipmentId>,
}

/// Changes to a device: a field left out stays as it is; `null` takes the device out of its
/// zone or off its risk point; `"revoked": true` withdraws its token (issue a new one with
/// `POST /api/v1/devices/{id}/token`); `equipment_id` moves a camera, alarm or access gate onto
/// another entry of the school's register of its kind (a device that is equipment always is
/// an entry, so it cannot be `null`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DevicePatch {
    pub code: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub zone_id: Option<Option<ZoneId>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub risk_point_id: Option<Option<RiskPointId>>,
    pub revoked: Option<bool>,
    pub equipment_id: Option<EquipmentId>,
}

/// A field that is present: `Some(None)` for `null`, `Some(Some(v))` for a value.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn check_text(code: &str, name: &str, errs: &mut Vec<FieldError>) {
    if !rules::valid_code(code.trim()) {
        errs.push(FieldError::new("code", "err.device.code"));
    }
    let n = name.trim().chars().count();
    if n == 0 {
        errs.push(FieldError::new("name", "err.required"));
    } else if n > rules::MAX_NAME {
        errs.push(FieldError::new("name", "err.too_long_64"));
    }
}

/// The zone and the risk point must be the school's own (a retired point is no place for a
/// new device either).
async fn check_place(
    txn: &DatabaseTransaction,
    school: OrgId,
    zone: Option<ZoneId>,
    point: Option<RiskPointId>,
    errs: &mut Vec<FieldError>,
) -> Result<()> {
    if let Some(z) = zone {
        let ok = zone::Entity::find_by_id(z)
            .one(txn)
            .await?
            .is_some_and(|z| z.school_id == school);
        if !ok {
            errs.push(FieldError::new("zone_id", "err.device.zone_not_here"));
        }
    }
    if let Some(p) = point {
        let ok = risk_point::Entity::find_by_id(p)
            .one(txn)
            .await?
            .is_some_and(|p| p.school_id == school && p.status != "retired");
        if !ok {
            errs.push(FieldError::new(
                "risk_point_id",
                "err.device.point_not_here",
            ));
        }
    }
    Ok(())
}

fn view(m: device::Model, offline_minutes: u32, now: DateTime<Utc>) -> Device {
    Device {
        id: m.id,
        school_id: m.school_id,
        kind: DeviceKind::parse(&m.kind).unwrap_or(DeviceKind::Smoke),
        online: rules::is_online(m.last_seen_at, now, offline_minutes),
        last_values: serde_json::from_str(&m.last_values).unwrap_or_else(|_| serde_json::json!({})),
        has_token: m.token_hash.is_some(),
        token_issued_at: m.token_hash.as_ref().and(m.token_issued_at),
        last_seen_at: m.last_seen_at,
        zone_id: m.zone_id,
        risk_point_id: m.risk_point_id,
        equipment_id: m.equipment_id,
        code: m.code,
        name: m.name,
    }
}

/// A unique index refused the write: the code is the school's already.
fn code_taken(e: Error) -> Error {
    match e {
        Error::Conflict(_) => invalid(vec![FieldError::new("code", "err.code_taken")]),
        e => e,
    }
}

impl Devices<'_> {
    /// The devices of a school in scope, by code.
    pub async fn list(&self, school: OrgId, offline_minutes: u32) -> Result<Vec<Device>> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        let now = Utc::now();
        Ok(device::Entity::find()
            .filter(device::Column::SchoolId.eq(school))
            .order_by_asc(device::Column::Code)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|m| view(m, offline_minutes, now))
            .collect())
    }

    pub async fn get(&self, id: DeviceId, offline_minutes: u32) -> Result<Device> {
        let (m, _) = self.owned::<device::Entity>(id, &self.read).await?;
        self.permit()?;
        Ok(view(m, offline_minutes, Utc::now()))
    }

    /// Registers a device of a school in scope and issues its first token. A device that is
    /// security equipment is made an entry of the school's register in the same transaction
    /// (the given one, else a new one, audited as `security_equipment.add`).
    pub async fn create(
        &self,
        school: OrgId,
        input: NewDevice,
        offline_minutes: u32,
    ) -> Result<NewDeviceWithToken> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(DeviceAudit::Create, "device", ""), school)
            .await?;
        let token = random_token();
        let res: Result<(device::Model, Linked)> = async {
            let mut errs = Vec::new();
            check_text(&input.code, &input.name, &mut errs);
            check_place(
                &tx.txn,
                school.org_id(),
                input.zone_id,
                input.risk_point_id,
                &mut errs,
            )
            .await?;
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let linked = register::entry_for_new_device(
                &tx.txn,
                &self.actor,
                school.org_id(),
                input.kind,
                &input.name,
                input.zone_id,
                input.equipment_id,
            )
            .await?;
            let now = Utc::now();
            let am = device::ActiveModel {
                school_id: Set(school.org_id()),
                code: Set(input.code.trim().into()),
                kind: Set(input.kind.as_str().into()),
                name: Set(input.name.trim().into()),
                zone_id: Set(input.zone_id),
                risk_point_id: Set(input.risk_point_id),
                token_hash: Set(Some(token_hash(&token))),
                token_issued_at: Set(Some(now)),
                last_seen_at: Set(None),
                last_values: Set("{}".into()),
                created_at: Set(now),
                updated_at: Set(now),
                equipment_id: Set(linked.id()),
                ..Default::default()
            };
            Ok((am.insert(&tx.txn).await?, linked))
        }
        .await;
        match res.map_err(code_taken) {
            Ok((m, linked)) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail =
                    format!("school={} code={} kind={}", school.org_id(), m.code, m.kind);
                match linked {
                    Linked::None => {}
                    Linked::Existing(e) => tx.event.detail.push_str(&format!(" equipment={e}")),
                    Linked::New(e) => tx.event.detail.push_str(&format!(" equipment={e} new")),
                }
                tx.commit().await?;
                Ok(NewDeviceWithToken {
                    device: view(m, offline_minutes, Utc::now()),
                    token,
                })
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Renames, re-codes or moves a device, or revokes its token.
    pub async fn update(
        &self,
        id: DeviceId,
        patch: DevicePatch,
        offline_minutes: u32,
    ) -> Result<Device> {
        let action = if patch.revoked == Some(true) {
            DeviceAudit::Revoke
        } else {
            DeviceAudit::Update
        };
        let mut tx = self
            .begin_owned::<device::Entity>(Event::new(action, "device", id), id)
            .await?;
        let res: Result<device::Model> = async {
            let (m, school) = self.owned::<device::Entity>(id, &tx.txn).await?;
            let code = patch.code.clone().unwrap_or_else(|| m.code.clone());
            let name = patch.name.clone().unwrap_or_else(|| m.name.clone());
            let zone = patch.zone_id.unwrap_or(m.zone_id);
            let point = patch.risk_point_id.unwrap_or(m.risk_point_id);
            let mut errs = Vec::new();
            check_text(&code, &name, &mut errs);
            if patch.revoked == Some(false) {
                errs.push(FieldError::new("revoked", "err.device.unrevoke"));
            }
            // Only a new place is checked: a device stays where it is while its point retires.
            check_place(
                &tx.txn,
                school.org_id(),
                patch.zone_id.flatten(),
                patch.risk_point_id.flatten(),
                &mut errs,
            )
            .await?;
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let entry = match patch.equipment_id {
                Some(e) => {
                    let kind = DeviceKind::parse(&m.kind).unwrap_or(DeviceKind::Smoke);
                    Some(register::existing_entry(&tx.txn, school.org_id(), kind, e).await?)
                }
                None => m.equipment_id,
            };
            let mut am = m.into_active_model();
            am.equipment_id = Set(entry);
            am.code = Set(code.trim().into());
            am.name = Set(name.trim().into());
            am.zone_id = Set(zone);
            am.risk_point_id = Set(point);
            if patch.revoked == Some(true) {
                am.token_hash = Set(None);
                am.token_issued_at = Set(None);
            }
            am.updated_at = Set(Utc::now());
            Ok(am.update(&tx.txn).await?)
        }
        .await;
        match res.map_err(code_taken) {
            Ok(m) => {
                tx.event.detail = format!(
                    "code={} zone={} point={}",
                    m.code,
                    m.zone_id.map(|z| z.to_string()).unwrap_or_default(),
                    m.risk_point_id.map(|p| p.to_string()).unwrap_or_default()
                );
                if let Some(e) = patch.equipment_id {
                    tx.event.detail.push_str(&format!(" equipment={e}"));
                }
                tx.commit().await?;
                Ok(view(m, offline_minutes, Utc::now()))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Issues a new token; the old one (or none, after a revoke) stops working at once. A
    /// device whose register entry was retired gets none (409) until it is moved onto an
    /// entry in use.
    pub async fn rotate_token(&self, id: DeviceId) -> Result<DeviceToken> {
        let tx = self
            .begin_owned::<device::Entity>(Event::new(DeviceAudit::Token, "device", id), id)
            .await?;
        let token = random_token();
        let res: Result<()> = async {
            let (m, _) = self.owned::<device::Entity>(id, &tx.txn).await?;
            register::check_in_use(&tx.txn, m.equipment_id).await?;
            let mut am = m.into_active_model();
            let now = Utc::now();
            am.token_hash = Set(Some(token_hash(&token)));
            am.token_issued_at = Set(Some(now));
            am.updated_at = Set(now);
            am.update(&tx.txn).await?;
            Ok(())
        }
        .await;
        match res {
            Ok(()) => {
                tx.commit().await?;
                Ok(DeviceToken { token })
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The newest payloads the device sent that were refused, newest first.
    pub async fn rejections(&self, id: DeviceId) -> Result<Vec<Rejection>> {
        self.owned::<device::Entity>(id, &self.read).await?;
        self.permit()?;
        Ok(device_rejection::Entity::find()
            .filter(device_rejection::Column::DeviceId.eq(id))
            .order_by_desc(device_rejection::Column::Id)
            .limit(REJECTIONS_SHOWN)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|r| Rejection {
                id: r.id,
                received_at: r.received_at,
                event_id: r.event_id,
                index: r.event_index,
                reason: r.reason,
                excerpt: r.excerpt,
            })
            .collect())
    }
}
