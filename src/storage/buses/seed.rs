//! Writing the demo's school buses inside the demo's transaction: the people who drive and
//! attend, vehicles, drivers with their records, attendants, routes with their riders,
//! permit applications with their steps (and the sign an issued one carries), and trips.
//! Rows are written as the scoped operations would write them; nothing here is reachable
//! from a request.

use super::routes::Stop;
use super::{json, parse_json};
use crate::domain::Code;
use crate::domain::bus::gps::PathPoint;
use crate::domain::bus::permit::{PermitAction, PermitStatus};
use crate::domain::bus::trip::{CheckItem, TripStatus};
use crate::domain::bus::{BusConfig, BusType, Equipment, RoadClass, SignStatus, VehicleStatus};
use crate::domain::ids::{
    BusAttendantId, BusDriverId, BusPermitId, BusRouteId, BusTripId, BusVehicleId, DeviceId, OrgId,
    PersonId,
};
use crate::domain::person::Post;
use crate::error::{Error, Result};
use crate::storage::entity::{
    bus_attendant, bus_driver, bus_driver_record, bus_permit, bus_permit_event, bus_rider,
    bus_route, bus_sign, bus_trip, bus_vehicle, person,
};
use crate::storage::seed::SeedTx;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;

/// A demo vehicle.
pub struct SeedVehicle {
    pub school: OrgId,
    pub plate: String,
    pub owner: String,
    pub seats: i64,
    pub bus_type: BusType,
    pub inspection_until: NaiveDate,
    pub insurance_until: NaiveDate,
    pub equipment_checked_on: NaiveDate,
}

/// A demo driver and what the police's notices recorded of him (kind code, day, note).
pub struct SeedDriver {
    pub school: OrgId,
    pub name: String,
    pub phone: String,
    pub licence_class: String,
    pub licensed_since: NaiveDate,
    pub birth_date: NaiveDate,
    pub health_certificate_until: NaiveDate,
    pub annual_review_until: NaiveDate,
    pub records: Vec<(String, NaiveDate, String)>,
}

/// A demo permit application and how far it went: the day of each step taken.
pub struct SeedPermit {
    pub school: OrgId,
    pub vehicle: BusVehicleId,
    pub route: BusRouteId,
    pub drivers: Vec<BusDriverId>,
    pub operating_times: String,
    pub applied_on: NaiveDate,
    pub forwarded_on: Option<NaiveDate>,
    pub replies_on: Option<NaiveDate>,
    pub reviewed_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    /// The sign issued (number, authority, valid until) on the decision's day.
    pub sign: Option<(String, String, NaiveDate)>,
    pub by: String,
}

impl SeedTx {
    /// A person of the school's register with the given post.
    pub async fn seed_bus_person(
        &mut self,
        school: OrgId,
        name: &str,
        post: Post,
        phone: &str,
    ) -> Result<PersonId> {
        let now = Utc::now();
        let m = person::ActiveModel {
            org_id: Set(school),
            name: Set(name.into()),
            post: Set(post.as_str().into()),
            phone: Set(phone.into()),
            note: Set(String::new()),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(m.id)
    }

    pub async fn seed_bus_vehicle(&mut self, v: &SeedVehicle) -> Result<BusVehicleId> {
        let now = Utc::now();
        let equipment: Vec<&str> = Equipment::ALL.iter().map(|e| e.as_str()).collect();
        let m = bus_vehicle::ActiveModel {
            school_id: Set(v.school),
            plate: Set(v.plate.clone()),
            owner: Set(v.owner.clone()),
            seats: Set(v.seats),
            bus_type: Set(v.bus_type.as_str().into()),
            status: Set(VehicleStatus::InService.as_str().into()),
            inspection_until: Set(v.inspection_until),
            insurance_until: Set(v.insurance_until),
            equipment: Set(json(&equipment)?),
            equipment_checked_on: Set(Some(v.equipment_checked_on)),
            gps_device_id: Set(None),
            created_by: Set(None),
            created_by_name: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(0),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(m.id)
    }

    /// A driver (a new person of the register with post `bus_driver`) and his records.
    pub async fn seed_bus_driver(&mut self, d: &SeedDriver) -> Result<BusDriverId> {
        let person = self
            .seed_bus_person(d.school, &d.name, Post::BusDriver, &d.phone)
            .await?;
        let now = Utc::now();
        let m = bus_driver::ActiveModel {
            school_id: Set(d.school),
            person_id: Set(person),
            licence_class: Set(d.licence_class.clone()),
            licensed_since: Set(d.licensed_since),
            birth_date: Set(d.birth_date),
            drink_driving: Set(false),
            criminal_record: Set(false),
            health_certificate_until: Set(Some(d.health_certificate_until)),
            annual_review_until: Set(Some(d.annual_review_until)),
            review_study_hours: Set(Some(4.0)),
            created_by: Set(None),
            created_by_name: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(0),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        for (kind, on, note) in &d.records {
            bus_driver_record::ActiveModel {
                school_id: Set(d.school),
                driver_id: Set(m.id),
                kind: Set(kind.clone()),
                on_date: Set(*on),
                severity: Set(String::new()),
                responsibility: Set(String::new()),
                valid_until: Set(None),
                hours: Set(None),
                note: Set(note.clone()),
                recorded_by: Set(None),
                recorded_by_name: Set(String::new()),
                recorded_at: Set(now),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
        }
        Ok(m.id)
    }

    /// An attendant (a new person with post `bus_attendant`) trained on `trained_on`.
    pub async fn seed_bus_attendant(
        &mut self,
        school: OrgId,
        name: &str,
        birth_date: NaiveDate,
        trained_on: NaiveDate,
    ) -> Result<BusAttendantId> {
        let person = self
            .seed_bus_person(school, name, Post::BusAttendant, "")
            .await?;
        let now = Utc::now();
        let trainings = super::drivers::Training {
            on: trained_on,
            hours: 8.0,
            topic: "交通安全法规、应急处置和急救知识".into(),
        };
        let m = bus_attendant::ActiveModel {
            school_id: Set(school),
            person_id: Set(person),
            birth_date: Set(birth_date),
            trainings: Set(json(&vec![trainings])?),
            created_by: Set(None),
            created_by_name: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(0),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(m.id)
    }

    /// A route whose path is its stops in order, and its riders (name, class, stop,
    /// guardian, phone).
    pub async fn seed_bus_route(
        &mut self,
        school: OrgId,
        name: &str,
        stops: &[Stop],
        riders: &[(String, String, String, String, String)],
    ) -> Result<BusRouteId> {
        let now = Utc::now();
        let path: Vec<PathPoint> = stops
            .iter()
            .map(|s| PathPoint {
                lat: s.lat,
                lon: s.lon,
                road: RoadClass::Ordinary,
            })
            .collect();
        let m = bus_route::ActiveModel {
            school_id: Set(school),
            name: Set(name.into()),
            stops: Set(json(&stops)?),
            path: Set(json(&path)?),
            created_by: Set(None),
            created_by_name: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(0),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        for (rider, class_name, stop, guardian, phone) in riders {
            use crate::storage::sealed as f;
            bus_rider::ActiveModel {
                school_id: Set(school),
                route_id: Set(m.id),
                name: Set(self.keys.seal(f::RIDER_NAME, rider)?),
                class_name: Set(self.keys.seal(f::RIDER_CLASS, class_name)?),
                stop: Set(self.keys.seal(f::RIDER_STOP, stop)?),
                guardian: Set(self.keys.seal(f::RIDER_GUARDIAN, guardian)?),
                phone: Set(self.keys.seal(f::RIDER_PHONE, phone)?),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
        }
        Ok(m.id)
    }

    /// A permit application with its steps up to where it stands; an issued one with its
    /// sign (valid from the decision).
    pub async fn seed_bus_permit(&mut self, p: &SeedPermit) -> Result<BusPermitId> {
        let now = Utc::now();
        let status = match (
            p.sign.is_some(),
            p.decided_on,
            p.reviewed_on,
            p.replies_on,
            p.forwarded_on,
        ) {
            (true, Some(_), ..) => PermitStatus::Issued,
            (false, Some(_), ..) => PermitStatus::Approved,
            (_, None, Some(_), ..) => PermitStatus::Reviewed,
            (_, None, None, Some(_), _) => PermitStatus::Replied,
            (_, None, None, None, Some(_)) => PermitStatus::Forwarded,
            _ => PermitStatus::Applied,
        };
        let m = bus_permit::ActiveModel {
            school_id: Set(p.school),
            vehicle_id: Set(p.vehicle),
            route_id: Set(p.route),
            driver_ids: Set(json(&p.drivers)?),
            operating_times: Set(p.operating_times.clone()),
            safety_rules: Set("校车安全管理制度（驾驶人、随车照管人员岗位职责，车辆检查、维护，学生上下车清点，应急处置）".into()),
            status: Set(status.as_str().into()),
            applied_on: Set(p.applied_on),
            forwarded_on: Set(p.forwarded_on),
            police_reply_on: Set(p.replies_on),
            transport_reply_on: Set(p.replies_on),
            reviewed_on: Set(p.reviewed_on),
            favourable: Set(p.reviewed_on.map(|_| true)),
            decided_on: Set(p.decided_on),
            issued_on: Set(p.sign.as_ref().and(p.decided_on)),
            refused_on: Set(None),
            review_opinion: Set(if p.reviewed_on.is_some() {
                "经审查，符合校车使用许可条件，建议许可。".into()
            } else {
                String::new()
            }),
            refusal_reasons: Set(String::new()),
            sign_id: Set(None),
            created_by: Set(None),
            created_by_name: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(0),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        let mut events: Vec<(PermitAction, NaiveDate, serde_json::Value)> = Vec::new();
        if let Some(d) = p.forwarded_on {
            events.push((PermitAction::Forward, d, serde_json::json!({})));
        }
        if let Some(d) = p.replies_on {
            for dep in ["traffic_police", "transport"] {
                events.push((
                    PermitAction::RecordReply,
                    d,
                    serde_json::json!({"department": dep, "note": "同意"}),
                ));
            }
        }
        if let Some(d) = p.reviewed_on {
            events.push((
                PermitAction::Review,
                d,
                serde_json::json!({"favourable": true}),
            ));
        }
        if let Some(d) = p.decided_on {
            events.push((PermitAction::Decide, d, serde_json::json!({})));
        }
        if let (Some((number, authority, until)), Some(d)) = (&p.sign, p.decided_on) {
            let v = bus_vehicle::Entity::find_by_id(p.vehicle)
                .one(&self.txn)
                .await?;
            let r = bus_route::Entity::find_by_id(p.route)
                .one(&self.txn)
                .await?;
            let drivers = bus_driver::Entity::find()
                .filter(bus_driver::Column::Id.is_in(p.drivers.clone()))
                .all(&self.txn)
                .await?;
            let people = person::Entity::find()
                .filter(person::Column::Id.is_in(drivers.iter().map(|d| d.person_id)))
                .all(&self.txn)
                .await?;
            let stops: Vec<String> = r
                .as_ref()
                .map(|r| parse_json::<Vec<Stop>>(&r.stops))
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.name)
                .collect();
            let sign = bus_sign::ActiveModel {
                school_id: Set(p.school),
                vehicle_id: Set(p.vehicle),
                permit_id: Set(Some(m.id)),
                number: Set(number.clone()),
                plate: Set(v.as_ref().map(|v| v.plate.clone()).unwrap_or_default()),
                owner: Set(v.as_ref().map(|v| v.owner.clone()).unwrap_or_default()),
                driver_person_ids: Set(json(&people.iter().map(|x| x.id).collect::<Vec<_>>())?),
                driver_names: Set(json(
                    &people.iter().map(|x| x.name.clone()).collect::<Vec<_>>(),
                )?),
                route_name: Set(r.as_ref().map(|r| r.name.clone()).unwrap_or_default()),
                operating_times: Set(p.operating_times.clone()),
                stops: Set(json(&stops)?),
                authority: Set(authority.clone()),
                valid_from: Set(d),
                valid_until: Set(*until),
                status: Set(SignStatus::Valid.as_str().into()),
                issued_at: Set(now),
                recovered_at: Set(None),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
            let mut am: bus_permit::ActiveModel = m.clone().into();
            am.sign_id = Set(Some(sign.id));
            am.update(&self.txn).await?;
            events.push((
                PermitAction::IssueSign,
                d,
                serde_json::json!({"sign": number}),
            ));
        }
        for (i, (action, on, detail)) in events.into_iter().enumerate() {
            bus_permit_event::ActiveModel {
                permit_id: Set(m.id),
                seq: Set(i as i32 + 1),
                action: Set(action.as_str().into()),
                on_date: Set(on),
                detail: Set(detail.to_string()),
                by_user: Set(None),
                by_name: Set(p.by.clone()),
                at: Set(now),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
        }
        Ok(m.id)
    }

    /// A planned trip of a route on `day`.
    #[allow(clippy::too_many_arguments)]
    pub async fn seed_bus_trip(
        &mut self,
        school: OrgId,
        route: BusRouteId,
        vehicle: BusVehicleId,
        driver: BusDriverId,
        attendants: &[BusAttendantId],
        day: NaiveDate,
        run: &str,
    ) -> Result<()> {
        let now = Utc::now();
        bus_trip::ActiveModel {
            school_id: Set(school),
            route_id: Set(route),
            vehicle_id: Set(vehicle),
            driver_id: Set(driver),
            attendant_ids: Set(json(&attendants)?),
            day: Set(day),
            run: Set(run.into()),
            adverse: Set(false),
            status: Set(TripStatus::Planned.as_str().into()),
            check_items: Set("{}".into()),
            check_passed: Set(None),
            boarded: Set(0),
            alighted: Set(None),
            started_at: Set(None),
            finished_at: Set(None),
            off_route_since: Set(None),
            created_by: Set(None),
            created_by_name: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(0),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(())
    }
}

impl SeedTx {
    /// Fits a vehicle with its GPS device.
    pub async fn seed_bus_gps(&mut self, vehicle: BusVehicleId, device: DeviceId) -> Result<()> {
        bus_vehicle::Entity::update_many()
            .col_expr(bus_vehicle::Column::GpsDeviceId, Expr::value(device.0))
            .filter(bus_vehicle::Column::Id.eq(vehicle))
            .exec(&self.txn)
            .await?;
        Ok(())
    }

    /// A trip of a route on `day` that started at `started_at` and is running: checked
    /// (every item passed), `boarded` pupils aboard.
    #[allow(clippy::too_many_arguments)]
    pub async fn seed_running_bus_trip(
        &mut self,
        school: OrgId,
        route: BusRouteId,
        vehicle: BusVehicleId,
        driver: BusDriverId,
        attendants: &[BusAttendantId],
        day: NaiveDate,
        run: &str,
        boarded: i64,
        started_at: DateTime<Utc>,
    ) -> Result<BusTripId> {
        let now = Utc::now();
        let check: std::collections::BTreeMap<&str, bool> = <CheckItem as Code>::ALL
            .iter()
            .map(|i| (i.as_str(), true))
            .collect();
        let m = bus_trip::ActiveModel {
            school_id: Set(school),
            route_id: Set(route),
            vehicle_id: Set(vehicle),
            driver_id: Set(driver),
            attendant_ids: Set(json(&attendants)?),
            day: Set(day),
            run: Set(run.into()),
            adverse: Set(false),
            status: Set(TripStatus::Running.as_str().into()),
            check_items: Set(json(&check)?),
            check_passed: Set(Some(true)),
            boarded: Set(boarded),
            alighted: Set(None),
            started_at: Set(Some(started_at)),
            finished_at: Set(None),
            off_route_since: Set(None),
            created_by: Set(None),
            created_by_name: Set(String::new()),
            created_at: Set(started_at - chrono::Duration::minutes(30)),
            updated_at: Set(now),
            version: Set(3),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(m.id)
    }

    /// A bus GPS device's positions as the device sends them: each event in a batch of its
    /// own, received at the instant given with it, through the device ingest's code
    /// ([`crate::storage::ingest`]: found by its token, checked, stored, the device's last
    /// values moved, its rules and the live bus rules fed), so the trip's warnings are raised
    /// and cleared exactly as for a device reporting. Every event must be taken: a refused
    /// one is an error. Answers the events stored.
    pub async fn seed_bus_positions(
        &mut self,
        token: &str,
        events: &[(DateTime<Utc>, serde_json::Value)],
        cfg: &BusConfig,
    ) -> Result<u64> {
        let max_age = chrono::Duration::hours(i64::from(
            crate::config::DeviceRules::default().max_event_age_hours,
        ));
        let mut stored = 0;
        for (received, event) in events {
            let report = crate::storage::ingest::batch_in(
                &self.txn,
                token,
                std::slice::from_ref(event),
                max_age,
                *received,
                cfg,
            )
            .await?
            .ok_or_else(|| Error::internal(anyhow::anyhow!("no device holds the demo token")))?;
            if let Some(r) = report.rejected.first() {
                return Err(Error::internal(anyhow::anyhow!(
                    "demo position {} refused: {}",
                    r.id,
                    r.reason
                )));
            }
            stored += report.accepted;
        }
        Ok(stored)
    }

    /// The working-day calendar in force (the bureau's, or the shipped one), as the permits'
    /// deadlines are counted on it.
    pub async fn working_calendar(&self) -> Result<crate::domain::calendar::WorkingCalendar> {
        crate::storage::calendar::working_calendar(&self.txn).await
    }
}

impl crate::storage::seed::Unscoped {
    /// The path (lat, lon) of the route of the running trip of the bus fitted with GPS
    /// device `device`, if any — for the demo's simulator, which drives that bus along it.
    pub async fn running_bus_path(&self, device: DeviceId) -> Result<Option<Vec<(f64, f64)>>> {
        let Some(v) = bus_vehicle::Entity::find()
            .filter(bus_vehicle::Column::GpsDeviceId.eq(device))
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        let Some(t) = bus_trip::Entity::find()
            .filter(bus_trip::Column::VehicleId.eq(v.id))
            .filter(bus_trip::Column::Status.eq(TripStatus::Running.as_str()))
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        let Some(r) = bus_route::Entity::find_by_id(t.route_id)
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        let path: Vec<PathPoint> = parse_json(&r.path);
        Ok((path.len() >= 2).then(|| path.iter().map(|p| (p.lat, p.lon)).collect()))
    }
}
