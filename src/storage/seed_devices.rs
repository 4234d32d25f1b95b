//! Writing the demo's devices, their past readings and past warnings (the early warning's
//! month before the demo starts). Readings go straight into the event table (older than the
//! ingest accepts); past warnings carry their whole history. Open warnings are raised through
//! the same [`warnings::raise`] as live ones, so they are told to the people they reach.

use super::auth::token_hash;
use super::entity::{device, org, security_equipment, warning, warning_event, zone};
use super::seed::SeedTx;
use super::seed_history::Person;
use super::warnings::{self, Raise};
use crate::domain::Code;
use crate::domain::device::DeviceKind;
use crate::domain::ids::{DeviceId, OrgId, RiskPointId, UserId, WarningId, ZoneId};
use crate::domain::reading::Reading;
use crate::domain::warning::{Level, Source, Status};
use crate::error::Result;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel, QueryOrder};

/// A demo device to register.
pub struct PastDevice<'a> {
    pub school: OrgId,
    pub code: &'a str,
    pub kind: DeviceKind,
    pub name: &'a str,
    pub zone: Option<ZoneId>,
    pub point: Option<RiskPointId>,
    /// The demo's token (documented with the demo accounts; only its hash is stored).
    pub token: &'a str,
}

/// A step a person took on a past warning.
pub struct PastStep {
    /// `acknowledge`, `dispatch`, `resolve`, `false_alarm` (or `clear`, by the device).
    pub step: &'static str,
    pub at: DateTime<Utc>,
    pub user: Option<UserId>,
    pub note: String,
}

/// A past warning of a device and how it went.
pub struct PastWarning {
    pub school: OrgId,
    pub device: DeviceId,
    pub zone: Option<ZoneId>,
    pub point: Option<RiskPointId>,
    pub rule: String,
    pub level: Level,
    pub value: f64,
    pub detail: String,
    pub raised_at: DateTime<Utc>,
    pub steps: Vec<PastStep>,
}

impl SeedTx {
    /// A school's zones (id, type), and whether it runs school buses, and where it is.
    pub async fn device_places(
        &mut self,
        school: OrgId,
    ) -> Result<(Vec<(ZoneId, String)>, bool, Option<(f64, f64)>)> {
        let zones = zone::Entity::find()
            .filter(zone::Column::SchoolId.eq(school))
            .order_by_asc(zone::Column::Id)
            .all(&self.txn)
            .await?
            .into_iter()
            .map(|z| (z.id, z.zone_type))
            .collect();
        let s = org::Entity::find_by_id(school).one(&self.txn).await?;
        let bus = s.as_ref().is_some_and(|s| s.has_bus);
        let at = s.and_then(|s| Some((s.lat?, s.lng?)));
        Ok((zones, bus, at))
    }

    pub async fn device(&mut self, d: &PastDevice<'_>, at: DateTime<Utc>) -> Result<DeviceId> {
        let m = device::ActiveModel {
            school_id: Set(d.school),
            code: Set(d.code.into()),
            kind: Set(d.kind.as_str().into()),
            name: Set(d.name.into()),
            zone_id: Set(d.zone),
            risk_point_id: Set(d.point),
            token_hash: Set(Some(token_hash(d.token))),
            token_issued_at: Set(Some(at)),
            last_seen_at: Set(None),
            last_values: Set("{}".into()),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(m.id)
    }

    /// A device's past readings (in order); its last values and last seen time follow the
    /// newest.
    pub async fn readings(&mut self, id: DeviceId, school: OrgId, rows: &[Reading]) -> Result<()> {
        super::ingest::insert_events(&self.txn, id, school, rows, None).await?;
        let mut values = serde_json::Map::new();
        for r in rows {
            let v = match (r.lat, r.lon) {
                (Some(lat), Some(lon)) => {
                    serde_json::json!({"lat": lat, "lon": lon, "speed_kmh": r.value})
                }
                _ => serde_json::json!(r.value),
            };
            values.insert(r.metric.as_str().into(), v);
        }
        if let (Some(last), Some(m)) = (
            rows.iter().map(|r| r.at).max(),
            device::Entity::find_by_id(id).one(&self.txn).await?,
        ) {
            let mut am = m.into_active_model();
            am.last_seen_at = Set(Some(last));
            am.last_values = Set(serde_json::Value::Object(values).to_string());
            am.update(&self.txn).await?;
        }
        Ok(())
    }

    /// A past warning: raised (and told to the people it reaches), then each step; a warning
    /// resolved or closed as a false alarm is closed.
    pub async fn past_warning(&mut self, w: PastWarning) -> Result<WarningId> {
        let (id, _) = warnings::raise(
            &self.txn,
            Raise {
                school: w.school,
                source: Source::Device,
                rule: w.rule,
                subject: format!("device:{}", w.device),
                level: w.level,
                device: Some(w.device),
                zone: w.zone,
                point: w.point,
                value: Some(w.value),
                detail: w.detail,
                at: w.raised_at,
                notify: !w
                    .steps
                    .iter()
                    .any(|s| matches!(s.step, "resolve" | "false_alarm")),
            },
        )
        .await?;
        let Some(m) = warning::Entity::find_by_id(id).one(&self.txn).await? else {
            return Ok(id);
        };
        let mut am = m.into_active_model();
        let mut version = 0;
        for s in &w.steps {
            version += 1;
            match s.step {
                "clear" => am.cleared_at = Set(Some(s.at)),
                "acknowledge" => {
                    am.status = Set(Status::Acknowledged.as_str().into());
                    am.acknowledged_at = Set(Some(s.at));
                }
                "dispatch" => {
                    am.status = Set(Status::Dispatched.as_str().into());
                    am.assignee_id = Set(s.user);
                }
                closing @ ("resolve" | "false_alarm") => {
                    am.status = Set(if closing == "resolve" {
                        Status::Resolved
                    } else {
                        Status::FalseAlarm
                    }
                    .as_str()
                    .into());
                    am.closed_at = Set(Some(s.at));
                    am.open_key = Set(None);
                }
                _ => continue,
            }
            warning_event::ActiveModel {
                warning_id: Set(id),
                at: Set(s.at),
                step: Set(s.step.into()),
                user_id: Set(s.user),
                note: Set(s.note.clone()),
                detail: Set(match (s.step, s.user) {
                    ("dispatch", Some(u)) => format!("user={u}"),
                    _ => String::new(),
                }),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
        }
        am.version = Set(version);
        am.update(&self.txn).await?;
        Ok(id)
    }
}

impl SeedTx {
    /// Makes a school's devices that are security equipment (`security::DEVICE_KINDS`)
    /// entries of its register, so the demo lists each piece of equipment once: a device takes
    /// the school's entry in use of its kind and with its name, else a new entry of its kind
    /// (its name, its zone's name, working) registered by `by`.
    pub async fn link_devices_to_register(&mut self, school: OrgId, by: &Person) -> Result<()> {
        let devices = device::Entity::find()
            .filter(device::Column::SchoolId.eq(school))
            .filter(device::Column::EquipmentId.is_null())
            .order_by_asc(device::Column::Id)
            .all(&self.txn)
            .await?;
        for d in devices {
            let Some(kind) = DeviceKind::parse(&d.kind).and_then(super::security::register_kind)
            else {
                continue;
            };
            let found = security_equipment::Entity::find()
                .filter(security_equipment::Column::SchoolId.eq(school))
                .filter(security_equipment::Column::Kind.eq(kind.as_str()))
                .filter(security_equipment::Column::Name.eq(d.name.as_str()))
                .filter(security_equipment::Column::Retired.eq(false))
                .order_by_asc(security_equipment::Column::Id)
                .one(&self.txn)
                .await?;
            let entry = match found {
                Some(e) => e.id,
                None => {
                    let location = match d.zone_id {
                        Some(z) => zone::Entity::find_by_id(z)
                            .one(&self.txn)
                            .await?
                            .map(|z| z.name)
                            .unwrap_or_default(),
                        None => String::new(),
                    };
                    security_equipment::ActiveModel {
                        school_id: Set(school),
                        kind: Set(kind.as_str().into()),
                        name: Set(d.name.clone()),
                        location: Set(location.chars().take(100).collect()),
                        quantity: Set(1),
                        working: Set(true),
                        linked_police: Set(None),
                        retention_days: Set(None),
                        licence: Set(String::new()),
                        birth_year: Set(None),
                        full_time: Set(None),
                        retired: Set(false),
                        updated_by: Set(Some(by.user)),
                        updated_by_name: Set(by.name.clone()),
                        updated_at: Set(d.created_at),
                        ..Default::default()
                    }
                    .insert(&self.txn)
                    .await?
                    .id
                }
            };
            let mut am = d.into_active_model();
            am.equipment_id = Set(Some(entry));
            am.update(&self.txn).await?;
        }
        Ok(())
    }
}

impl super::seed::Unscoped {
    /// Every device with a token: (device, school, school code, device code, kind) — for the
    /// demo's simulator, which knows the demo devices' tokens from their codes.
    pub async fn devices_with_codes(
        &self,
    ) -> Result<Vec<(DeviceId, OrgId, String, String, DeviceKind)>> {
        let schools: std::collections::HashMap<OrgId, String> = org::Entity::find()
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|o| (o.id, o.code))
            .collect();
        Ok(device::Entity::find()
            .filter(device::Column::TokenHash.is_not_null())
            .order_by_asc(device::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .filter_map(|d| {
                Some((
                    d.id,
                    d.school_id,
                    schools.get(&d.school_id)?.clone(),
                    d.code,
                    DeviceKind::parse(&d.kind)?,
                ))
            })
            .collect())
    }
}
