//! Routes with their ordered stops and path, and their riders (pupils: minors). Riders are
//! listed masked (张*明, 138****1234); the full values only under `BusRiderNames`, each such
//! read audited with its reason. An import checks every row first and writes all or none.

use super::{BusAudit, check_len, json, parse_json, required, taken};
use crate::domain::Code;
use crate::domain::bus::gps::PathPoint;
use crate::domain::bus::mask_name;
use crate::domain::catalog::RowError;
use crate::domain::consent::{ConsentPurpose, LegalBasis, may_process};
use crate::domain::ids::{BusRiderId, BusRouteId, OrgId};
use crate::domain::person::{mask_phone, valid_phone};
use crate::domain::pii_grant::PiiSubject;
use crate::error::{Error, FieldError, Result};
use crate::policy::{self, Action};
use crate::storage::Buses;
use crate::storage::audit::Event;
use crate::storage::entity::{bus_rider, bus_route};
use crate::storage::orgs::invalid;
use crate::storage::read::ReadAll as _;
use crate::storage::sealed::{self, Keyring};
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Most stops of a route, points of a path, riders of an import.
pub const MAX_STOPS: usize = 60;
pub const MAX_PATH: usize = 2000;
pub const MAX_RIDERS: usize = 2000;

/// A stop of a route.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Stop {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// The time the bus calls, `HH:MM` (China time).
    pub time: String,
}

/// A route as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Route {
    pub id: BusRouteId,
    pub school_id: OrgId,
    pub name: String,
    pub stops: Vec<Stop>,
    pub path: Vec<PathPoint>,
    pub riders: u64,
    pub version: i32,
}

/// A new route (`POST /api/v1/schools/{id}/bus-routes`); without a path the stops in order
/// are the path.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoute {
    pub name: String,
    pub stops: Vec<Stop>,
    #[serde(default)]
    pub path: Vec<PathPoint>,
}

/// A rider as a list shows them: masked unless the caller may and asked to see them whole.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rider {
    pub id: BusRiderId,
    pub name: String,
    pub class_name: String,
    pub stop: String,
    pub guardian: String,
    pub phone: String,
    pub masked: bool,
    /// Under 14: sensitive data, processed only on its basis (T-PR-5).
    pub under_14: bool,
    pub legal_basis: LegalBasis,
    /// The purposes the guardian consented to (in force).
    pub consents: Vec<ConsentPurpose>,
}

/// A route's riders.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Riders {
    pub route_id: BusRouteId,
    pub route_name: String,
    pub masked: bool,
    /// Whether the caller may see the full values (with a reason, audited): by role, or by a
    /// grant in force.
    pub may_unmask: bool,
    /// Whether the caller may ask for a time-boxed grant to see them (`/api/v1/pii-grants`).
    pub may_request: bool,
    /// The end of the caller's grant in force on this route, if that is what opens the view.
    pub grant_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Riders held but not processed: under 14 on consent, without the guardian's consent
    /// for riding (neither listed nor counted above).
    pub awaiting_consent: u64,
    /// Those riders, masked, for the roles that record consents (`BusManage`); empty for
    /// everyone else.
    pub held: Vec<HeldRider>,
    pub riders: Vec<Rider>,
}

/// A rider held for want of the guardian's consent: masked, for recording the consent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeldRider {
    pub id: BusRiderId,
    pub name: String,
    pub class_name: String,
}

/// A row of a riders' workbook, as read (the row number counts the header as row 1).
#[derive(Debug, Clone, Default)]
pub struct RiderRow {
    pub row: usize,
    pub name: String,
    pub class_name: String,
    pub stop: String,
    pub guardian: String,
    pub phone: String,
}

/// What an import did: rows added, or every refused row (nothing written). A refused row
/// names its field; the value is never echoed for names and phones.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiderImport {
    pub created: usize,
    pub errors: Vec<RowError>,
}

fn valid_time(t: &str) -> bool {
    chrono::NaiveTime::parse_from_str(t, "%H:%M").is_ok()
}

fn coords_ok(lat: f64, lon: f64) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

pub(in crate::storage) fn route_view(m: bus_route::Model, riders: u64) -> Route {
    Route {
        id: m.id,
        school_id: m.school_id,
        name: m.name,
        stops: parse_json(&m.stops),
        path: parse_json(&m.path),
        riders,
        version: m.version,
    }
}

/// A rider's row with its sealed fields opened.
fn open_rider(keys: &Keyring, m: bus_rider::Model) -> Result<bus_rider::Model> {
    Ok(bus_rider::Model {
        name: keys.open(sealed::RIDER_NAME, &m.name)?,
        class_name: keys.open(sealed::RIDER_CLASS, &m.class_name)?,
        stop: keys.open(sealed::RIDER_STOP, &m.stop)?,
        guardian: keys.open(sealed::RIDER_GUARDIAN, &m.guardian)?,
        phone: keys.open(sealed::RIDER_PHONE, &m.phone)?,
        ..m
    })
}

fn rider_view(m: bus_rider::Model, unmasked: bool, mut consents: Vec<ConsentPurpose>) -> Rider {
    consents.sort();
    consents.dedup();
    let basis = LegalBasis::parse(&m.legal_basis).unwrap_or(LegalBasis::Consent);
    // Reaching the guardian is a purpose of its own: without its basis, withheld.
    let contact = may_process(
        m.under_14,
        basis,
        ConsentPurpose::GuardianContact,
        &consents,
    );
    let phone = |p: &str| {
        if unmasked || p.is_empty() {
            p.to_string()
        } else {
            mask_phone(p)
        }
    };
    let name = |n: &str| {
        if unmasked {
            n.to_string()
        } else {
            mask_name(n)
        }
    };
    Rider {
        id: m.id,
        name: name(&m.name),
        class_name: m.class_name,
        stop: m.stop,
        guardian: if contact {
            name(&m.guardian)
        } else {
            String::new()
        },
        phone: if contact {
            phone(&m.phone)
        } else {
            String::new()
        },
        masked: !unmasked,
        under_14: m.under_14,
        legal_basis: basis,
        consents,
    }
}

impl Buses<'_> {
    /// The routes of a school in scope.
    pub async fn routes(&self, school: OrgId) -> Result<Vec<Route>> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        let rows = bus_route::Entity::find()
            .filter(bus_route::Column::SchoolId.eq(school))
            .order_by_asc(bus_route::Column::Name)
            .read_all(&self.read)
            .await?;
        let riders = bus_rider::Entity::find()
            .filter(bus_rider::Column::SchoolId.eq(school))
            .filter(super::leavers::on_route())
            .filter(super::consent::processable())
            .read_all(&self.read)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let n = riders.iter().filter(|x| x.route_id == r.id).count() as u64;
                route_view(r, n)
            })
            .collect())
    }

    pub async fn route(&self, id: BusRouteId) -> Result<Route> {
        let (m, _) = self.owned::<bus_route::Entity>(id, &self.read).await?;
        self.permit()?;
        let n = bus_rider::Entity::find()
            .filter(bus_rider::Column::RouteId.eq(id))
            .filter(super::leavers::on_route())
            .filter(super::consent::processable())
            .read_all(&self.read)
            .await?
            .len() as u64;
        Ok(route_view(m, n))
    }

    /// Adds a route to a school in scope.
    pub async fn create_route(&self, school: OrgId, input: NewRoute) -> Result<Route> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(BusAudit::RouteCreate, "bus_route", ""), school)
            .await?;
        let res: Result<bus_route::Model> = async {
            let mut errs = Vec::new();
            required("name", &input.name, &mut errs);
            if input.stops.is_empty() {
                errs.push(FieldError::new("stops", "err.required"));
            }
            if input.stops.len() > MAX_STOPS {
                errs.push(FieldError::new("stops", "err.bus.too_many"));
            }
            if input.path.len() > MAX_PATH {
                errs.push(FieldError::new("path", "err.bus.too_many"));
            }
            for (i, s) in input.stops.iter().enumerate() {
                required(&format!("stops[{i}].name"), &s.name, &mut errs);
                if !coords_ok(s.lat, s.lon) {
                    errs.push(FieldError::new(format!("stops[{i}].lat"), "err.bus.coords"));
                }
                if !valid_time(&s.time) {
                    errs.push(FieldError::new(format!("stops[{i}].time"), "err.bus.time"));
                }
                if input.stops[..i]
                    .iter()
                    .any(|o| o.name.trim() == s.name.trim())
                {
                    errs.push(FieldError::new(
                        format!("stops[{i}].name"),
                        "err.bus.stop_twice",
                    ));
                }
            }
            for (i, p) in input.path.iter().enumerate() {
                if !coords_ok(p.lat, p.lon) {
                    errs.push(FieldError::new(format!("path[{i}].lat"), "err.bus.coords"));
                }
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let stops: Vec<Stop> = input
                .stops
                .iter()
                .map(|s| Stop {
                    name: s.name.trim().into(),
                    ..s.clone()
                })
                .collect();
            let path = if input.path.is_empty() {
                stops
                    .iter()
                    .map(|s| PathPoint {
                        lat: s.lat,
                        lon: s.lon,
                        road: crate::domain::bus::RoadClass::Ordinary,
                    })
                    .collect()
            } else {
                input.path.clone()
            };
            let now = Utc::now();
            let m = bus_route::ActiveModel {
                school_id: Set(school.org_id()),
                name: Set(input.name.trim().into()),
                stops: Set(json(&stops)?),
                path: Set(json(&path)?),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(0),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await
            .map_err(taken("name", "err.bus.route_taken"))?;
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!("school={} stops={}", m.school_id, input.stops.len());
                tx.commit().await?;
                self.route(m.id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The riders of a route in scope. Masked, unless `unmasked` is asked with a reason by a
    /// role holding `BusRiderNames` or by the holder of a grant in force on the route
    /// (`pii_grants`; else 403 — "approval required" to a role that may ask for one —
    /// audited); an unmasked read appends `bus.rider_names` with the route, the count, the
    /// reason and the grant — never a name.
    pub async fn riders(&self, id: BusRouteId, unmasked: Option<&str>) -> Result<Riders> {
        let event = Event::new(BusAudit::RiderNames, "bus_route", id);
        let (route, _) = match self.owned::<bus_route::Entity>(id, &self.read).await {
            Ok(x) => x,
            Err(e) => {
                if unmasked.is_some() {
                    self.audit_refusal(&event, &e).await;
                }
                return Err(e);
            }
        };
        self.permit()?;
        let standing = policy::allows(self.actor.role, Action::BusRiderNames);
        let grant = if standing {
            None
        } else {
            crate::storage::pii_grants::in_force(
                &self.read,
                self.actor.user_id,
                PiiSubject::BusRiders,
                id.0,
            )
            .await?
        };
        let may = standing || grant.is_some();
        let may_request = !may && policy::allows(self.actor.role, Action::PiiGrantRequest);
        // The stop is sealed: ordered by stop once opened. Riders awaiting their guardian's
        // consent are held, not processed: counted apart, never opened.
        let mut rows = bus_rider::Entity::find()
            .filter(bus_rider::Column::RouteId.eq(id))
            .filter(super::leavers::on_route())
            .filter(super::consent::processable())
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|r| open_rider(&self.keys, r))
            .collect::<Result<Vec<_>>>()?;
        let held_rows = bus_rider::Entity::find()
            .filter(bus_rider::Column::RouteId.eq(id))
            .filter(super::leavers::on_route())
            .filter(super::consent::processable().not())
            .read_all(&self.read)
            .await?;
        let awaiting_consent = held_rows.len() as u64;
        let held = if policy::allows(self.actor.role, Action::BusManage) {
            held_rows
                .into_iter()
                .map(|r| {
                    let r = open_rider(&self.keys, r)?;
                    Ok(HeldRider {
                        id: r.id,
                        name: mask_name(&r.name),
                        class_name: r.class_name,
                    })
                })
                .collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let ids: Vec<BusRiderId> = rows.iter().map(|r| r.id).collect();
        let mut consents = super::consent::in_force(self, &ids).await?;
        rows.sort_by(|a, b| a.stop.cmp(&b.stop).then(a.id.cmp(&b.id)));
        let full = match unmasked {
            None => false,
            Some(reason) => {
                if !may {
                    let key = if may_request {
                        "err.pii.approval_required"
                    } else {
                        "err.bus.rider_names"
                    };
                    let e = Error::ForbiddenBecause(key.into());
                    self.audit_refusal(&event, &e).await;
                    return Err(e);
                }
                let reason = reason.trim();
                if reason.is_empty() || reason.chars().count() > 200 {
                    return Err(Error::field("reason", "err.bus.reason"));
                }
                let mut ev = event;
                ev.detail = match &grant {
                    Some(g) => format!("riders={} grant={} reason={reason}", rows.len(), g.id),
                    None => format!("riders={} reason={reason}", rows.len()),
                };
                let txn = crate::storage::begin_write(&self.conn).await?;
                crate::storage::audit::append(&txn, &self.actor, &ev, "ok").await?;
                txn.commit().await?;
                true
            }
        };
        Ok(Riders {
            route_id: route.id,
            route_name: route.name,
            masked: !full,
            may_unmask: may,
            may_request,
            grant_expires_at: grant.and_then(|g| g.expires_at),
            awaiting_consent,
            held,
            riders: rows
                .into_iter()
                .map(|r| {
                    let c = consents.remove(&r.id).unwrap_or_default();
                    rider_view(r, full, c)
                })
                .collect(),
        })
    }

    /// Scope, then role, of a riders' import, before its workbook is read (404, then 403, each
    /// refusal audited as the import's).
    pub async fn check_rider_import(&self, id: BusRouteId) -> Result<()> {
        let res = match self.owned::<bus_route::Entity>(id, &self.read).await {
            Ok(_) => self.permit(),
            Err(e) => Err(e),
        };
        if let Err(e) = &res {
            let event = Event::new(BusAudit::RiderImport, "bus_route", id);
            self.audit_refusal(&event, e).await;
        }
        res
    }

    /// Adds the riders of a workbook to a route in scope: every row checked first (name and
    /// stop required, the stop one of the route's, the phone a phone), all written or none.
    pub async fn import_riders(&self, id: BusRouteId, rows: Vec<RiderRow>) -> Result<RiderImport> {
        let mut tx = self
            .begin_owned::<bus_route::Entity>(
                Event::new(BusAudit::RiderImport, "bus_route", id),
                id,
            )
            .await?;
        let res: Result<RiderImport> = async {
            let route = bus_route::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let stops: Vec<Stop> = parse_json(&route.stops);
            let mut errors = Vec::new();
            if rows.len() > MAX_RIDERS {
                errors.push(RowError::new(1, "file", "err.bus.too_many", ""));
            }
            for r in &rows {
                let mut fe = Vec::new();
                if r.name.trim().is_empty() {
                    errors.push(RowError::new(r.row, "name", "err.required", ""));
                }
                check_len("name", &r.name, 40, &mut fe);
                check_len("class_name", &r.class_name, 40, &mut fe);
                check_len("guardian", &r.guardian, 40, &mut fe);
                for f in fe {
                    errors.push(RowError::new(r.row, &f.field, &f.message, ""));
                }
                if !stops.iter().any(|s| s.name == r.stop.trim()) {
                    errors.push(RowError::new(
                        r.row,
                        "stop",
                        "err.bus.unknown_stop",
                        &r.stop,
                    ));
                }
                if !r.phone.trim().is_empty() && !valid_phone(r.phone.trim()) {
                    errors.push(RowError::new(r.row, "phone", "err.phone", ""));
                }
            }
            if !errors.is_empty() {
                return Ok(RiderImport { created: 0, errors });
            }
            let now = Utc::now();
            for r in &rows {
                bus_rider::ActiveModel {
                    school_id: Set(route.school_id),
                    route_id: Set(route.id),
                    name: Set(self.keys.seal(sealed::RIDER_NAME, r.name.trim())?),
                    class_name: Set(self.keys.seal(sealed::RIDER_CLASS, r.class_name.trim())?),
                    stop: Set(self.keys.seal(sealed::RIDER_STOP, r.stop.trim())?),
                    guardian: Set(self.keys.seal(sealed::RIDER_GUARDIAN, r.guardian.trim())?),
                    phone: Set(self.keys.seal(sealed::RIDER_PHONE, r.phone.trim())?),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&tx.txn)
                .await?;
            }
            Ok(RiderImport {
                created: rows.len(),
                errors: Vec::new(),
            })
        }
        .await;
        match res {
            Ok(rep) if rep.errors.is_empty() => {
                tx.event.detail = format!("created={}", rep.created);
                tx.commit().await?;
                Ok(rep)
            }
            Ok(rep) => {
                drop(tx);
                Ok(rep)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
