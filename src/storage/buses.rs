//! School buses (F-BUS-1 … 4) through a [`Scoped`] handle: a school's vehicles and their
//! signs (this file), drivers with their records and attendants ([`drivers`]), use-permit
//! applications and their steps ([`permits`]), routes with their riders ([`routes`]), trips
//! ([`trips`]); the live rules over a bus's positions are fed by the device ingest
//! ([`gps`]), the expiries by the sweep (`warning_sweep/buses.rs`).
//!
//! Riders are minors: every list and export masks their names and phones; the full values
//! are read only through [`Buses::riders`] with `unmasked` under `BusRiderNames`, each such
//! read audited (`bus.rider_names`, with the reason) in its own transaction. No rider's name
//! reaches an audit row, an event's detail or a log.
//!
//! [`Scoped`]: super::Scoped

use super::audit::Event;
use super::entity::{bus_sign, bus_vehicle, device, org};
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::bus::{BusType, Equipment, SignStatus, VehicleStatus};
use crate::domain::device::DeviceKind;
use crate::domain::ids::{BusSignId, BusVehicleId, DeviceId, OrgId};
use crate::error::{Error, FieldError, Result};
use crate::storage::Buses;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod consent;
pub mod drivers;
pub mod gps;
pub mod leavers;
pub mod permits;
pub mod routes;
pub mod seed;
pub mod trips;

closed_codes! {
    AuditCode:
    /// What the bus module writes.
    pub enum BusAudit {
        VehicleCreate = "bus.vehicle_create",
        VehicleUpdate = "bus.vehicle_update",
        DriverCreate = "bus.driver_create",
        DriverUpdate = "bus.driver_update",
        DriverRecord = "bus.driver_record",
        AttendantCreate = "bus.attendant_create",
        RouteCreate = "bus.route_create",
        RiderImport = "bus.rider_import",
        RiderNames = "bus.rider_names",
        PermitApply = "bus.permit_apply",
        PermitStep = "bus.permit_step",
        TripCreate = "bus.trip_create",
        TripStep = "bus.trip_step",
    }
}

/// Longest short text (plate, owner, names).
pub const MAX_SHORT: usize = 100;
/// Longest free text (safety rules, opinions, reasons).
pub const MAX_TEXT: usize = 4000;

pub(super) fn check_len(field: &str, v: &str, max: usize, errs: &mut Vec<FieldError>) {
    if v.chars().count() > max {
        errs.push(FieldError::new(field, "err.bus.too_long"));
    }
}

pub(super) fn required(field: &str, v: &str, errs: &mut Vec<FieldError>) {
    if v.trim().is_empty() {
        errs.push(FieldError::new(field, "err.required"));
    } else {
        check_len(field, v, MAX_SHORT, errs);
    }
}

pub(super) fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(Error::internal)
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}

/// A vehicle as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Vehicle {
    pub id: BusVehicleId,
    pub school_id: OrgId,
    pub school_name: String,
    pub plate: String,
    pub owner: String,
    pub seats: i64,
    pub bus_type: BusType,
    pub status: VehicleStatus,
    pub inspection_until: NaiveDate,
    pub insurance_until: NaiveDate,
    pub equipment: Vec<Equipment>,
    /// The equipment a school bus must carry that this one lacks.
    pub equipment_missing: Vec<Equipment>,
    pub equipment_checked_on: Option<NaiveDate>,
    pub gps_device_id: Option<DeviceId>,
    /// The valid sign, if any (the newest).
    pub sign: Option<Sign>,
    /// Sign, inspection or insurance: expired, or expiring within `[buses]
    /// expiry_warning_days`.
    pub sign_expired: bool,
    pub inspection_expired: bool,
    pub insurance_expired: bool,
    pub expiring_soon: bool,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// A school-bus sign (校车标牌).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sign {
    pub id: BusSignId,
    pub number: String,
    pub plate: String,
    pub owner: String,
    pub drivers: Vec<String>,
    pub route_name: String,
    pub operating_times: String,
    pub stops: Vec<String>,
    pub authority: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: SignStatus,
}

pub(super) fn sign_view(m: &bus_sign::Model) -> Sign {
    Sign {
        id: m.id,
        number: m.number.clone(),
        plate: m.plate.clone(),
        owner: m.owner.clone(),
        drivers: parse_json(&m.driver_names),
        route_name: m.route_name.clone(),
        operating_times: m.operating_times.clone(),
        stops: parse_json(&m.stops),
        authority: m.authority.clone(),
        valid_from: m.valid_from,
        valid_until: m.valid_until,
        status: SignStatus::parse(&m.status).unwrap_or(SignStatus::Recovered),
    }
}

pub(super) fn vehicle_view(
    m: bus_vehicle::Model,
    school_name: String,
    sign: Option<&bus_sign::Model>,
    today: NaiveDate,
    warn_days: i64,
) -> Vehicle {
    let equipment: Vec<Equipment> = parse_json::<Vec<String>>(&m.equipment)
        .iter()
        .filter_map(|c| Equipment::parse(c))
        .collect();
    let soon = |d: NaiveDate| (d - today).num_days() <= warn_days;
    let sign_view = sign.map(sign_view);
    let sign_until = sign_view.as_ref().map(|s| s.valid_until);
    Vehicle {
        id: m.id,
        school_id: m.school_id,
        school_name,
        plate: m.plate,
        owner: m.owner,
        seats: m.seats,
        bus_type: BusType::parse(&m.bus_type).unwrap_or(BusType::Other),
        status: VehicleStatus::parse(&m.status).unwrap_or(VehicleStatus::Suspended),
        inspection_until: m.inspection_until,
        insurance_until: m.insurance_until,
        equipment_missing: <Equipment as Code>::ALL
            .iter()
            .filter(|e| !equipment.contains(e))
            .copied()
            .collect(),
        equipment,
        equipment_checked_on: m.equipment_checked_on,
        gps_device_id: m.gps_device_id,
        sign_expired: sign_until.is_none_or(|d| d < today),
        inspection_expired: m.inspection_until < today,
        insurance_expired: m.insurance_until < today,
        expiring_soon: sign_until.is_some_and(soon)
            || soon(m.inspection_until)
            || soon(m.insurance_until),
        sign: sign_view,
        version: m.version,
        updated_at: m.updated_at,
    }
}

/// A new vehicle (`POST /api/v1/schools/{id}/buses`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVehicle {
    pub plate: String,
    /// The school, or the provider company serving it.
    pub owner: String,
    pub seats: i64,
    pub bus_type: BusType,
    pub inspection_until: NaiveDate,
    pub insurance_until: NaiveDate,
    #[serde(default)]
    pub equipment: Vec<Equipment>,
    #[serde(default)]
    pub equipment_checked_on: Option<NaiveDate>,
    /// A `bus_gps` device of the school.
    #[serde(default)]
    pub gps_device_id: Option<DeviceId>,
}

/// Changes to a vehicle (`PATCH /api/v1/buses/{id}`); `version`, when given, must be the
/// stored one (else 409). Retiring recovers the bus's valid sign.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehiclePatch {
    pub owner: Option<String>,
    pub seats: Option<i64>,
    pub bus_type: Option<BusType>,
    pub status: Option<VehicleStatus>,
    pub inspection_until: Option<NaiveDate>,
    pub insurance_until: Option<NaiveDate>,
    pub equipment: Option<Vec<Equipment>>,
    pub equipment_checked_on: Option<NaiveDate>,
    pub gps_device_id: Option<DeviceId>,
    pub version: Option<i32>,
}

/// The valid signs of vehicles, newest first per vehicle.
pub(super) async fn valid_signs(
    conn: &impl ConnectionTrait,
    vehicles: Vec<BusVehicleId>,
) -> Result<Vec<bus_sign::Model>> {
    Ok(bus_sign::Entity::find()
        .filter(bus_sign::Column::VehicleId.is_in(vehicles))
        .filter(bus_sign::Column::Status.eq(SignStatus::Valid.as_str()))
        .order_by_desc(bus_sign::Column::ValidUntil)
        .all(conn)
        .await?)
}

fn check_vehicle(seats: i64, bus_type: BusType, errs: &mut Vec<FieldError>) {
    if !(7..=80).contains(&seats) {
        errs.push(FieldError::new("seats", "err.bus.seats"));
    } else if bus_type.max_seats().is_some_and(|m| seats > m) {
        errs.push(FieldError::new("seats", "err.bus.seats_for_type"));
    }
}

async fn check_device(
    conn: &impl ConnectionTrait,
    school: OrgId,
    id: DeviceId,
    errs: &mut Vec<FieldError>,
) -> Result<()> {
    let ok = device::Entity::find_by_id(id)
        .one(conn)
        .await?
        .is_some_and(|d| d.school_id == school && d.kind == DeviceKind::BusGps.as_str());
    if !ok {
        errs.push(FieldError::new("gps_device_id", "err.bus.gps_device"));
    }
    Ok(())
}

/// A unique index refusing an insert, as a 422 on the field whose value is already taken.
fn taken(field: &'static str, key: &'static str) -> impl FnOnce(sea_orm::DbErr) -> Error {
    move |e| match Error::from(e) {
        Error::Conflict(_) => Error::field(field, key),
        e => e,
    }
}

fn codes(list: &[Equipment]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = list.iter().map(|e| e.as_str()).collect();
    v.sort();
    v.dedup();
    v
}

impl Buses<'_> {
    /// Scope, then role, for a page's form refused before it reached the write.
    pub async fn check_school(&self, school: OrgId) -> Result<()> {
        self.school_row(school, &self.read).await?;
        self.permit()
    }

    /// The vehicles of one school in scope, or of every school in scope (`None`: the bureau's
    /// list of the district's buses), retired ones last.
    pub async fn vehicles(&self, school: Option<OrgId>, warn_days: i64) -> Result<Vec<Vehicle>> {
        let mut q = bus_vehicle::Entity::find();
        match school {
            Some(s) => {
                self.school_row(s, &self.read).await?;
                q = q.filter(bus_vehicle::Column::SchoolId.eq(s));
            }
            None => {
                let ids: Vec<OrgId> = org::Entity::find()
                    .filter(self.org_scope())
                    .read_all(&self.read)
                    .await?
                    .into_iter()
                    .map(|o| o.id)
                    .collect();
                q = q.filter(bus_vehicle::Column::SchoolId.is_in(ids));
            }
        }
        self.permit()?;
        let rows = q
            .order_by_asc(bus_vehicle::Column::SchoolId)
            .order_by_asc(bus_vehicle::Column::Plate)
            .read_all(&self.read)
            .await?;
        self.vehicle_views(rows, warn_days).await
    }

    async fn vehicle_views(
        &self,
        rows: Vec<bus_vehicle::Model>,
        warn_days: i64,
    ) -> Result<Vec<Vehicle>> {
        let today = crate::clock::today();
        let signs = bus_sign::Entity::find()
            .filter(bus_sign::Column::VehicleId.is_in(rows.iter().map(|r| r.id)))
            .filter(bus_sign::Column::Status.eq(SignStatus::Valid.as_str()))
            .order_by_desc(bus_sign::Column::ValidUntil)
            .read_all(&self.read)
            .await?;
        let names = self.school_names(rows.iter().map(|r| r.school_id)).await?;
        let mut out: Vec<Vehicle> = rows
            .into_iter()
            .map(|m| {
                let sign = signs.iter().find(|s| s.vehicle_id == m.id);
                let name = names.get(&m.school_id).cloned().unwrap_or_default();
                vehicle_view(m, name, sign, today, warn_days)
            })
            .collect();
        out.sort_by_key(|v| v.status == VehicleStatus::Retired);
        Ok(out)
    }

    /// The names of the schools in scope among `ids` (a page's labels; others left out).
    pub async fn school_names_in_scope(
        &self,
        ids: impl IntoIterator<Item = OrgId>,
    ) -> Result<std::collections::HashMap<OrgId, String>> {
        self.permit()?;
        let ids: Vec<OrgId> = ids.into_iter().collect();
        Ok(org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Id.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    pub(super) async fn school_names(
        &self,
        ids: impl IntoIterator<Item = OrgId>,
    ) -> Result<std::collections::HashMap<OrgId, String>> {
        let ids: Vec<OrgId> = ids.into_iter().collect();
        Ok(org::Entity::find()
            .filter(org::Column::Id.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    pub async fn vehicle(&self, id: BusVehicleId, warn_days: i64) -> Result<Vehicle> {
        let (m, _) = self.owned::<bus_vehicle::Entity>(id, &self.read).await?;
        self.permit()?;
        Ok(self.vehicle_views(vec![m], warn_days).await?.remove(0))
    }

    /// Registers a vehicle of a school in scope.
    pub async fn create_vehicle(
        &self,
        school: OrgId,
        input: NewVehicle,
        warn_days: i64,
    ) -> Result<Vehicle> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(BusAudit::VehicleCreate, "bus", ""), school)
            .await?;
        let res: Result<bus_vehicle::Model> = async {
            let mut errs = Vec::new();
            required("plate", &input.plate, &mut errs);
            required("owner", &input.owner, &mut errs);
            check_vehicle(input.seats, input.bus_type, &mut errs);
            if let Some(d) = input.gps_device_id {
                check_device(&tx.txn, school.org_id(), d, &mut errs).await?;
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let now = Utc::now();
            let m = bus_vehicle::ActiveModel {
                school_id: Set(school.org_id()),
                plate: Set(input.plate.trim().to_uppercase()),
                owner: Set(input.owner.trim().into()),
                seats: Set(input.seats),
                bus_type: Set(input.bus_type.as_str().into()),
                status: Set(VehicleStatus::InService.as_str().into()),
                inspection_until: Set(input.inspection_until),
                insurance_until: Set(input.insurance_until),
                equipment: Set(json(&codes(&input.equipment))?),
                equipment_checked_on: Set(input.equipment_checked_on),
                gps_device_id: Set(input.gps_device_id),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(0),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await
            .map_err(taken("plate", "err.bus.plate_taken"))?;
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail =
                    format!("school={} plate={} seats={}", m.school_id, m.plate, m.seats);
                tx.commit().await?;
                self.vehicle(m.id, warn_days).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Changes a vehicle; retiring it recovers its valid sign in the same transaction.
    pub async fn update_vehicle(
        &self,
        id: BusVehicleId,
        p: VehiclePatch,
        warn_days: i64,
    ) -> Result<Vehicle> {
        let mut tx = self
            .begin_owned::<bus_vehicle::Entity>(Event::new(BusAudit::VehicleUpdate, "bus", id), id)
            .await?;
        let res: Result<Vec<&'static str>> = async {
            let m = bus_vehicle::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if p.version.is_some_and(|v| v != m.version) {
                return Err(Error::Conflict("err.bus.changed".into()));
            }
            let mut errs = Vec::new();
            let mut changed = Vec::new();
            let seats = p.seats.unwrap_or(m.seats);
            let bus_type = p
                .bus_type
                .or_else(|| BusType::parse(&m.bus_type))
                .unwrap_or(BusType::Other);
            check_vehicle(seats, bus_type, &mut errs);
            if let Some(o) = &p.owner {
                required("owner", o, &mut errs);
            }
            if let Some(d) = p.gps_device_id {
                check_device(&tx.txn, m.school_id, d, &mut errs).await?;
            }
            let old_status = VehicleStatus::parse(&m.status);
            if old_status == Some(VehicleStatus::Retired)
                && p.status.is_some_and(|s| s != VehicleStatus::Retired)
            {
                errs.push(FieldError::new("status", "err.bus.retired"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let version = m.version;
            let mut am: bus_vehicle::ActiveModel = m.into();
            if let Some(o) = p.owner {
                am.owner = Set(o.trim().into());
                changed.push("owner");
            }
            if p.seats.is_some() {
                am.seats = Set(seats);
                changed.push("seats");
            }
            if let Some(t) = p.bus_type {
                am.bus_type = Set(t.as_str().into());
                changed.push("bus_type");
            }
            if let Some(s) = p.status {
                am.status = Set(s.as_str().into());
                changed.push("status");
            }
            if let Some(d) = p.inspection_until {
                am.inspection_until = Set(d);
                changed.push("inspection_until");
            }
            if let Some(d) = p.insurance_until {
                am.insurance_until = Set(d);
                changed.push("insurance_until");
            }
            if let Some(e) = &p.equipment {
                am.equipment = Set(json(&codes(e))?);
                changed.push("equipment");
            }
            if let Some(d) = p.equipment_checked_on {
                am.equipment_checked_on = Set(Some(d));
                changed.push("equipment_checked_on");
            }
            if let Some(d) = p.gps_device_id {
                am.gps_device_id = Set(Some(d));
                changed.push("gps_device_id");
            }
            am.version = Set(version + 1);
            am.updated_at = Set(Utc::now());
            am.update(&tx.txn).await?;
            if p.status == Some(VehicleStatus::Retired)
                && old_status != Some(VehicleStatus::Retired)
            {
                for s in valid_signs(&tx.txn, vec![id]).await? {
                    let mut sm: bus_sign::ActiveModel = s.into();
                    sm.status = Set(SignStatus::Recovered.as_str().into());
                    sm.recovered_at = Set(Some(Utc::now()));
                    sm.update(&tx.txn).await?;
                }
                changed.push("sign_recovered");
            }
            Ok(changed)
        }
        .await;
        match res {
            Ok(changed) => {
                tx.event.detail = format!("changed={}", changed.join(","));
                tx.commit().await?;
                self.vehicle(id, warn_days).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// A sign in scope, for the printable page.
    pub async fn sign(&self, id: BusSignId) -> Result<(Sign, String)> {
        let (m, school) = self.owned::<bus_sign::Entity>(id, &self.read).await?;
        self.permit()?;
        let name = self.school_row(school.org_id(), &self.read).await?.name;
        Ok((sign_view(&m), name))
    }
}
