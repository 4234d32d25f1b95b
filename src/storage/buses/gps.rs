//! The live bus rules, fed by the device ingest in the transaction that stores a `bus_gps`
//! device's positions: during a running trip of its bus, speeding against the limit of the
//! nearest segment's road class (or the adverse limit on an adverse day) and deviation from
//! the route's path for the minimum time (the state kept on the trip); a bus moving with no
//! running trip. Warnings have source `bus`; a trip's subject is `bus_trip:<id>`, a bus's
//! `bus:<id>`.

use crate::domain::Code;
use crate::domain::bus::gps::{self, Deviation, PathPoint};
use crate::domain::bus::trip::TripStatus;
use crate::domain::bus::{BusConfig, BusRule};
use crate::domain::ids::{DeviceId, OrgId, WarningId};
use crate::domain::reading::Reading;
use crate::domain::warning::{Metric, Source};
use crate::error::Result;
use crate::storage::entity::{bus_route, bus_trip, bus_vehicle};
use crate::storage::warnings::{self, Raise};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

/// Feeds a device's fresh readings (oldest first) to the bus rules; answers the warnings
/// raised or cleared.
pub(in crate::storage) async fn positions(
    txn: &impl ConnectionTrait,
    device: DeviceId,
    school: OrgId,
    fresh: &[&Reading],
    cfg: &BusConfig,
) -> Result<Vec<WarningId>> {
    let Some(v) = bus_vehicle::Entity::find()
        .filter(bus_vehicle::Column::GpsDeviceId.eq(device))
        .filter(bus_vehicle::Column::SchoolId.eq(school))
        .one(txn)
        .await?
    else {
        return Ok(Vec::new());
    };
    let trip = bus_trip::Entity::find()
        .filter(bus_trip::Column::VehicleId.eq(v.id))
        .filter(bus_trip::Column::Status.eq(TripStatus::Running.as_str()))
        .one(txn)
        .await?;
    let gps_points: Vec<&&Reading> = fresh
        .iter()
        .filter(|r| r.metric == Metric::Gps && r.lat.is_some() && r.lon.is_some())
        .collect();
    let mut touched = Vec::new();
    let raise = |rule: BusRule, subject: String, level, value, detail, at| Raise {
        school: v.school_id,
        source: Source::Bus,
        rule: rule.as_str().into(),
        subject,
        level,
        device: Some(device),
        zone: None,
        point: None,
        value: Some(value),
        detail,
        at,
        notify: true,
    };
    let Some(trip) = trip else {
        for r in gps_points {
            if r.value >= cfg.moving_kmh {
                let (w, _) = warnings::raise(
                    txn,
                    raise(
                        BusRule::NoTrip,
                        format!("bus:{}", v.id),
                        cfg.levels.no_trip,
                        r.value,
                        format!("{} · {:.0} km/h", v.plate, r.value),
                        r.at,
                    ),
                )
                .await?;
                touched.push(w);
            }
        }
        return Ok(touched);
    };
    let path: Vec<PathPoint> = bus_route::Entity::find_by_id(trip.route_id)
        .one(txn)
        .await?
        .map(|r| serde_json::from_str(&r.path).unwrap_or_default())
        .unwrap_or_default();
    let subject = format!("bus_trip:{}", trip.id);
    let mut off_since = trip.off_route_since;
    for r in gps_points {
        let p = (r.lat.unwrap_or(0.0), r.lon.unwrap_or(0.0));
        let limit = gps::limit_at(&path, p, &cfg.speed, trip.adverse);
        if gps::speeding(r.value, limit) {
            let (w, _) = warnings::raise(
                txn,
                raise(
                    BusRule::Speeding,
                    subject.clone(),
                    cfg.levels.speeding,
                    r.value,
                    format!("{} · {:.1} km/h > {limit:.0} km/h", v.plate, r.value),
                    r.at,
                ),
            )
            .await?;
            touched.push(w);
        } else if let Some(w) = warnings::clear(
            txn,
            Source::Bus,
            &subject,
            BusRule::Speeding.as_str(),
            r.at,
            &v.plate,
        )
        .await?
        {
            touched.push(w);
        }
        if path.is_empty() {
            continue;
        }
        let (metres, _) = gps::off_path(&path, p);
        let (next, outcome) = gps::deviation(
            off_since,
            r.at,
            metres,
            cfg.deviation_metres,
            cfg.deviation_seconds,
        );
        off_since = next;
        match outcome {
            Deviation::Raise => {
                let (w, _) = warnings::raise(
                    txn,
                    raise(
                        BusRule::Deviation,
                        subject.clone(),
                        cfg.levels.deviation,
                        metres,
                        format!("{} · {metres:.0} m", v.plate),
                        r.at,
                    ),
                )
                .await?;
                touched.push(w);
            }
            Deviation::OnPath => {
                if let Some(w) = warnings::clear(
                    txn,
                    Source::Bus,
                    &subject,
                    BusRule::Deviation.as_str(),
                    r.at,
                    &v.plate,
                )
                .await?
                {
                    touched.push(w);
                }
            }
            Deviation::Off => {}
        }
    }
    if off_since != trip.off_route_since {
        let mut am: bus_trip::ActiveModel = trip.into();
        am.off_route_since = Set(off_since);
        am.update(txn).await?;
    }
    Ok(touched)
}
