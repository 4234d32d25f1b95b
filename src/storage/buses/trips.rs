//! Trips: a run of a route on a day with its bus, driver and attendants. The driver's
//! pre-trip check, the attendant's boarding and alighting counts, the start — refused, with
//! every reason named, by [`crate::domain::bus::trip::refusals`] — and the finish; each step
//! one transaction with a `bus_trip_events` row (counts only), guarded by `version`. Staff
//! record only the trips they drive or attend.

use super::{BusAudit, json, parse_json};
use crate::domain::Code;
use crate::domain::bus::eligibility;
use crate::domain::bus::gps::PathPoint;
use crate::domain::bus::trip::{
    self as rules, CheckItem, Refusal, TripAction, TripFacts, TripStatus,
};
use crate::domain::bus::{BusConfig, BusRule, VehicleStatus};
use crate::domain::ids::{BusAttendantId, BusDriverId, BusRouteId, BusTripId, BusVehicleId, OrgId};
use crate::domain::role::Role;
use crate::domain::warning::{Level, Source};
use crate::error::{Error, FieldError, Result};
use crate::storage::Buses;
use crate::storage::audit::Event;
use crate::storage::entity::{
    bus_attendant, bus_driver, bus_driver_record, bus_route, bus_trip, bus_trip_event, bus_vehicle,
    device_event, user, warning,
};
use crate::storage::orgs::invalid;
use crate::storage::read::ReadAll as _;
use crate::storage::warnings::{self, Raise};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A trip as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Trip {
    pub id: BusTripId,
    pub school_id: OrgId,
    pub route_id: BusRouteId,
    pub route_name: String,
    pub vehicle_id: BusVehicleId,
    pub plate: String,
    pub seats: i64,
    pub driver_id: BusDriverId,
    pub attendant_ids: Vec<BusAttendantId>,
    pub day: NaiveDate,
    pub run: String,
    pub adverse: bool,
    pub status: TripStatus,
    pub check: BTreeMap<String, bool>,
    pub check_passed: Option<bool>,
    pub boarded: i64,
    pub alighted: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why the trip may not start now (empty: it may).
    pub refusals: Vec<Refusal>,
    pub version: i32,
}

/// A new trip (`POST /api/v1/bus-trips`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrip {
    pub route_id: BusRouteId,
    pub vehicle_id: BusVehicleId,
    pub driver_id: BusDriverId,
    #[serde(default)]
    pub attendant_ids: Vec<BusAttendantId>,
    /// Today when absent.
    #[serde(default)]
    pub day: Option<NaiveDate>,
    /// The run's name (morning, afternoon …).
    pub run: String,
    /// A day of fog, rain, snow …: the adverse speed limit everywhere.
    #[serde(default)]
    pub adverse: bool,
}

/// A step of a trip (`POST /api/v1/bus-trips/{id}/actions`): `items` for the check (every
/// item, passed or not), `count` for boarding and alighting.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TripStep {
    pub action: TripAction,
    #[serde(default)]
    pub items: Option<BTreeMap<CheckItem, bool>>,
    #[serde(default)]
    pub count: Option<i64>,
    #[serde(default)]
    pub version: Option<i32>,
}

/// A point of a trip's track.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackPoint {
    pub at: DateTime<Utc>,
    pub lat: f64,
    pub lon: f64,
    pub speed_kmh: f64,
}

/// A warning on a trip's track.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackWarning {
    pub id: crate::domain::ids::WarningId,
    pub rule: String,
    pub level: Level,
    pub raised_at: DateTime<Utc>,
    pub value: Option<f64>,
    pub detail: String,
}

/// A trip's track with its route and warnings (`GET /api/v1/bus-trips/{id}/track`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Track {
    pub trip: Trip,
    pub path: Vec<PathPoint>,
    pub stops: Vec<super::routes::Stop>,
    pub points: Vec<TrackPoint>,
    pub warnings: Vec<TrackWarning>,
}

/// Most points of a track.
const MAX_TRACK: u64 = 5000;

impl Buses<'_> {
    /// The facts a start is checked against, read in `conn`.
    async fn facts(
        &self,
        conn: &impl ConnectionTrait,
        t: &bus_trip::Model,
        cfg: &BusConfig,
    ) -> Result<(TripFacts, bus_vehicle::Model, String)> {
        let today = crate::clock::today();
        let v = bus_vehicle::Entity::find_by_id(t.vehicle_id)
            .one(conn)
            .await?
            .ok_or(Error::NotFound)?;
        let sign = super::valid_signs(conn, vec![v.id])
            .await?
            .into_iter()
            .next();
        let d = bus_driver::Entity::find_by_id(t.driver_id)
            .one(conn)
            .await?
            .ok_or(Error::NotFound)?;
        let recs = bus_driver_record::Entity::find()
            .filter(bus_driver_record::Column::DriverId.eq(d.id))
            .all(conn)
            .await?;
        let eligible =
            eligibility::evaluate(&super::drivers::facts(&d, &recs), &cfg.driver, today).eligible;
        let ids: Vec<BusAttendantId> = parse_json(&t.attendant_ids);
        let atts = bus_attendant::Entity::find()
            .filter(bus_attendant::Column::Id.is_in(ids))
            .all(conn)
            .await?;
        let route = bus_route::Entity::find_by_id(t.route_id)
            .one(conn)
            .await?
            .map(|r| r.name)
            .unwrap_or_default();
        let facts = TripFacts {
            today: Some(today),
            vehicle_status: VehicleStatus::parse(&v.status),
            sign: sign.map(|s| (s.valid_until, parse_json(&s.driver_person_ids))),
            inspection_until: Some(v.inspection_until),
            insurance_until: Some(v.insurance_until),
            check_passed: t.check_passed,
            driver_person: d.person_id.0,
            driver_eligible: eligible,
            attendants: atts
                .iter()
                .map(|a| {
                    super::drivers::attendant_view(a.clone(), String::new(), cfg, today).eligible
                })
                .collect(),
            boarded: t.boarded,
            seats: v.seats,
        };
        Ok((facts, v, route))
    }

    async fn trip_view(
        &self,
        conn: &impl ConnectionTrait,
        t: bus_trip::Model,
        cfg: &BusConfig,
    ) -> Result<Trip> {
        let (facts, v, route_name) = self.facts(conn, &t, cfg).await?;
        let status = TripStatus::parse(&t.status).unwrap_or(TripStatus::Planned);
        let refusals = if matches!(status, TripStatus::Planned | TripStatus::Checked) {
            rules::refusals(&facts, &cfg.attendant)
        } else {
            Vec::new()
        };
        Ok(Trip {
            id: t.id,
            school_id: t.school_id,
            route_id: t.route_id,
            route_name,
            vehicle_id: t.vehicle_id,
            plate: v.plate,
            seats: v.seats,
            driver_id: t.driver_id,
            attendant_ids: parse_json(&t.attendant_ids),
            day: t.day,
            run: t.run,
            adverse: t.adverse,
            status,
            check: parse_json(&t.check_items),
            check_passed: t.check_passed,
            boarded: t.boarded,
            alighted: t.alighted,
            started_at: t.started_at,
            finished_at: t.finished_at,
            refusals,
            version: t.version,
        })
    }

    pub async fn trip(&self, id: BusTripId, cfg: &BusConfig) -> Result<Trip> {
        let (m, _) = self.owned::<bus_trip::Entity>(id, &self.read).await?;
        self.permit()?;
        self.trip_view(&self.conn, m, cfg).await
    }

    /// Whether the caller may take a trip's steps: the role's policy, and a staff member
    /// only as the trip's driver or one of its attendants (the pages show the forms to
    /// those only; [`Buses::trip_step`] enforces it).
    pub async fn may_step(&self, id: BusTripId) -> Result<bool> {
        let (m, _) = self.owned::<bus_trip::Entity>(id, &self.read).await?;
        if !crate::policy::allows(self.actor.role, crate::policy::Action::BusTripRecord) {
            return Ok(false);
        }
        if self.actor.role != Role::Staff {
            return Ok(true);
        }
        on_trip(&self.conn, self.actor.user_id, &m).await
    }

    /// The trips of a school in scope on a day.
    pub async fn trips(&self, school: OrgId, day: NaiveDate, cfg: &BusConfig) -> Result<Vec<Trip>> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        let rows = bus_trip::Entity::find()
            .filter(bus_trip::Column::SchoolId.eq(school))
            .filter(bus_trip::Column::Day.eq(day))
            .order_by_asc(bus_trip::Column::Id)
            .read_all(&self.read)
            .await?;
        let mut out = Vec::new();
        for t in rows {
            out.push(self.trip_view(&self.conn, t, cfg).await?);
        }
        Ok(out)
    }

    /// Plans a trip of a route in scope: the bus, driver and attendants must be its school's.
    pub async fn create_trip(&self, input: NewTrip, cfg: &BusConfig) -> Result<Trip> {
        let mut tx = self
            .begin_owned::<bus_route::Entity>(
                Event::new(BusAudit::TripCreate, "bus_trip", ""),
                input.route_id,
            )
            .await?;
        let res: Result<bus_trip::Model> = async {
            let route = bus_route::Entity::find_by_id(input.route_id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let school = route.school_id;
            let mut errs = Vec::new();
            if bus_vehicle::Entity::find_by_id(input.vehicle_id)
                .one(&tx.txn)
                .await?
                .is_none_or(|v| v.school_id != school)
            {
                errs.push(FieldError::new("vehicle_id", "err.bus.not_of_school"));
            }
            if bus_driver::Entity::find_by_id(input.driver_id)
                .one(&tx.txn)
                .await?
                .is_none_or(|v| v.school_id != school)
            {
                errs.push(FieldError::new("driver_id", "err.bus.not_of_school"));
            }
            let mut ids = input.attendant_ids.clone();
            ids.sort();
            ids.dedup();
            let n = bus_attendant::Entity::find()
                .filter(bus_attendant::Column::Id.is_in(ids.clone()))
                .filter(bus_attendant::Column::SchoolId.eq(school))
                .all(&tx.txn)
                .await?
                .len();
            if n != ids.len() || ids.len() > 4 {
                errs.push(FieldError::new("attendant_ids", "err.bus.not_of_school"));
            }
            super::required("run", &input.run, &mut errs);
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let now = Utc::now();
            Ok(bus_trip::ActiveModel {
                school_id: Set(school),
                route_id: Set(route.id),
                vehicle_id: Set(input.vehicle_id),
                driver_id: Set(input.driver_id),
                attendant_ids: Set(json(&ids)?),
                day: Set(input.day.unwrap_or_else(crate::clock::today)),
                run: Set(input.run.trim().into()),
                adverse: Set(input.adverse),
                status: Set(TripStatus::Planned.as_str().into()),
                check_items: Set("{}".into()),
                check_passed: Set(None),
                boarded: Set(0),
                alighted: Set(None),
                started_at: Set(None),
                finished_at: Set(None),
                off_route_since: Set(None),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(0),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "route={} vehicle={} day={}",
                    m.route_id, m.vehicle_id, m.day
                );
                tx.commit().await?;
                self.trip(m.id, cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Takes a step of a trip (see [`TripStep`]). 409 for a step the trip's state does not
    /// allow or a stale version; 422 naming every refusal of a start; staff only on their own
    /// trips (403).
    pub async fn trip_step(&self, id: BusTripId, input: TripStep, cfg: &BusConfig) -> Result<Trip> {
        let mut tx = self
            .begin_owned::<bus_trip::Entity>(Event::new(BusAudit::TripStep, "bus_trip", id), id)
            .await?;
        let res: Result<()> = async {
            let t = bus_trip::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if self.actor.role == Role::Staff && !on_trip(&tx.txn, self.actor.user_id, &t).await? {
                return Err(Error::ForbiddenBecause("err.bus.not_your_trip".into()));
            }
            if input.version.is_some_and(|v| v != t.version) {
                return Err(Error::Conflict("err.bus.changed".into()));
            }
            let status = TripStatus::parse(&t.status).unwrap_or(TripStatus::Planned);
            let next = rules::next(status, input.action)
                .ok_or_else(|| Error::Conflict("err.bus.illegal_step".into()))?;
            let mut am: bus_trip::ActiveModel = t.clone().into();
            let mut detail = serde_json::json!({});
            let now = Utc::now();
            match input.action {
                TripAction::Check => {
                    let items = input.items.clone().unwrap_or_default();
                    let missing: Vec<FieldError> = <CheckItem as Code>::ALL
                        .iter()
                        .filter(|i| !items.contains_key(i))
                        .map(|i| FieldError::new(format!("items.{}", i.as_str()), "err.required"))
                        .collect();
                    if !missing.is_empty() {
                        return Err(invalid(missing));
                    }
                    let passed = items.values().all(|ok| *ok);
                    let stored: BTreeMap<&str, bool> =
                        items.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                    am.check_items = Set(json(&stored)?);
                    am.check_passed = Set(Some(passed));
                    detail["passed"] = passed.into();
                }
                TripAction::Board | TripAction::Alight => {
                    let n = input
                        .count
                        .ok_or_else(|| Error::field("count", "err.required"))?;
                    if !(0..=200).contains(&n) {
                        return Err(Error::field("count", "err.bus.count"));
                    }
                    if input.action == TripAction::Board {
                        am.boarded = Set(n);
                    } else {
                        am.alighted = Set(Some(n));
                    }
                    detail["count"] = n.into();
                }
                TripAction::Start => {
                    let (facts, _, _) = self.facts(&tx.txn, &t, cfg).await?;
                    let refused = rules::refusals(&facts, &cfg.attendant);
                    if !refused.is_empty() {
                        return Err(Error::Validation {
                            message: "err.bus.trip_refused".into(),
                            fields: refused
                                .iter()
                                .map(|r| {
                                    FieldError::new(
                                        format!("refusals.{}", r.as_str()),
                                        r.label_key(),
                                    )
                                })
                                .collect(),
                        });
                    }
                    am.started_at = Set(Some(now));
                }
                TripAction::Finish => {
                    am.finished_at = Set(Some(now));
                    am.off_route_since = Set(None);
                }
            }
            am.status = Set(next.as_str().into());
            am.version = Set(t.version + 1);
            am.updated_at = Set(now);
            let done = bus_trip::Entity::update_many()
                .set(am)
                .filter(bus_trip::Column::Id.eq(id))
                .filter(bus_trip::Column::Version.eq(t.version))
                .exec(&tx.txn)
                .await?;
            if done.rows_affected != 1 {
                return Err(Error::Conflict("err.bus.changed".into()));
            }
            // Overload: counted aboard a running bus above its seats.
            if input.action == TripAction::Board && next == TripStatus::Running {
                overload(&tx.txn, &t, input.count.unwrap_or(0), cfg).await?;
            }
            let seq = bus_trip_event::Entity::find()
                .filter(bus_trip_event::Column::TripId.eq(id))
                .all(&tx.txn)
                .await?
                .len() as i32
                + 1;
            bus_trip_event::ActiveModel {
                trip_id: Set(id),
                seq: Set(seq),
                action: Set(input.action.as_str().into()),
                detail: Set(detail.to_string()),
                by_user: Set(Some(self.actor.user_id)),
                by_name: Set(self.actor.display_name.clone()),
                at: Set(now),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            Ok(())
        }
        .await;
        match res {
            Ok(()) => {
                tx.event.detail = format!("action={}", input.action.as_str());
                tx.commit().await?;
                self.trip(id, cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// A trip's track: the positions its bus sent between the start and the finish (or
    /// now), with the route and the trip's warnings.
    pub async fn track(&self, id: BusTripId, cfg: &BusConfig) -> Result<Track> {
        let (t, _) = self.owned::<bus_trip::Entity>(id, &self.read).await?;
        self.permit()?;
        let route = bus_route::Entity::find_by_id(t.route_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let v = bus_vehicle::Entity::find_by_id(t.vehicle_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let mut points = Vec::new();
        if let (Some(dev), Some(start)) = (v.gps_device_id, t.started_at) {
            let mut q = device_event::Entity::find()
                .filter(device_event::Column::DeviceId.eq(dev))
                .filter(device_event::Column::Metric.eq("gps"))
                .filter(device_event::Column::At.gte(start));
            if let Some(end) = t.finished_at {
                q = q.filter(device_event::Column::At.lte(end));
            }
            use sea_orm::QuerySelect as _;
            for e in q
                .order_by_asc(device_event::Column::At)
                .limit(MAX_TRACK)
                .read_all(&self.read)
                .await?
            {
                if let (Some(lat), Some(lon)) = (e.lat, e.lon) {
                    points.push(TrackPoint {
                        at: e.at,
                        lat,
                        lon,
                        speed_kmh: e.value,
                    });
                }
            }
        }
        let warnings = warning::Entity::find()
            .filter(warning::Column::Source.eq(Source::Bus.as_str()))
            .filter(warning::Column::Subject.eq(format!("bus_trip:{id}")))
            .order_by_asc(warning::Column::RaisedAt)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|w| TrackWarning {
                id: w.id,
                rule: w.rule,
                level: Level::parse(&w.level).unwrap_or(Level::Blue),
                raised_at: w.raised_at,
                value: w.value,
                detail: w.detail,
            })
            .collect();
        Ok(Track {
            path: parse_json(&route.path),
            stops: parse_json(&route.stops),
            trip: self.trip_view(&self.conn, t, cfg).await?,
            points,
            warnings,
        })
    }
}

/// Raises (or clears) the overload warning of a running trip from a count.
async fn overload(
    txn: &impl ConnectionTrait,
    t: &bus_trip::Model,
    count: i64,
    cfg: &BusConfig,
) -> Result<()> {
    let Some(v) = bus_vehicle::Entity::find_by_id(t.vehicle_id)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let subject = format!("bus_trip:{}", t.id);
    let rule = BusRule::Overload.as_str();
    if crate::domain::bus::gps::overload(count, v.seats) {
        warnings::raise(
            txn,
            Raise {
                school: t.school_id,
                source: Source::Bus,
                rule: rule.into(),
                subject,
                level: cfg.levels.overload,
                device: v.gps_device_id,
                zone: None,
                point: None,
                value: Some(count as f64),
                detail: format!("{} · {count} > {}", v.plate, v.seats),
                at: Utc::now(),
                notify: true,
            },
        )
        .await?;
    } else {
        warnings::clear(txn, Source::Bus, &subject, rule, Utc::now(), &v.plate).await?;
    }
    Ok(())
}

/// Whether the user is the trip's driver or one of its attendants (through their person).
async fn on_trip(
    conn: &impl ConnectionTrait,
    user_id: crate::domain::ids::UserId,
    t: &bus_trip::Model,
) -> Result<bool> {
    let Some(me) = user::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .and_then(|u| u.person_id)
    else {
        return Ok(false);
    };
    let driver = bus_driver::Entity::find_by_id(t.driver_id)
        .one(conn)
        .await?
        .map(|d| d.person_id);
    if driver == Some(me) {
        return Ok(true);
    }
    let atts: Vec<BusAttendantId> = parse_json(&t.attendant_ids);
    Ok(bus_attendant::Entity::find()
        .filter(bus_attendant::Column::Id.is_in(atts))
        .all(conn)
        .await?
        .iter()
        .any(|a| a.person_id == me))
}
