//! Pages: school buses. `/buses` is the register (every bus in scope with its sign,
//! inspection and insurance dates, coloured when expiring within `[buses]
//! expiry_warning_days` or expired); `/buses/{id}` one vehicle (equipment, sign, permits);
//! `/buses/{id}/sign` the printable sign (校车标牌); `/bus-drivers` the drivers with their
//! eligibility and every failing reason; `/schools/{id}/bus-routes` a school's routes with
//! their riders masked; `/schools/{id}/bus-trips` a school's trips of a day. The permit
//! workflow's pages are in [`permits`], a trip with its track map in [`trip`], the school's
//! forms (a vehicle, a driver, an attendant, a route) in [`forms`].

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::bus::{BusType, Equipment};
use crate::domain::ids::{BusVehicleId, OrgId};
use crate::domain::person::Post;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::buses::Vehicle;
use crate::storage::buses::drivers::{Attendant, Driver};
use crate::storage::buses::permits::{Permit, PermitQuery};
use crate::storage::buses::routes::{Riders, Route};
use crate::storage::buses::trips::Trip;
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;

mod forms;
mod permits;
mod trip;
use forms::{AttendantForm, DriverForm, RouteForm, VehicleForm};
pub use forms::{create_attendant, create_driver, create_route, create_vehicle};
pub use permits::{apply, apply_form, permit, permit_list, permit_print, permit_step};
pub use trip::{trip, trip_step};

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// The pages' stylesheet (content-hashed URL).
fn css() -> String {
    crate::web::assets::url("buses.css")
}

/// How a validity date is shown: expired, expiring within the warning days, or fine.
#[derive(Clone, Copy)]
pub(crate) struct Expiry {
    today: NaiveDate,
    days: i64,
}

impl Expiry {
    fn of(ctx: &Ctx) -> Expiry {
        Expiry {
            today: crate::clock::today(),
            days: ctx.config().buses.expiry_warning_days,
        }
    }

    /// `exp-expired`, `exp-soon` or `exp-ok` with the chip's colour.
    pub(crate) fn class(&self, d: &NaiveDate) -> &'static str {
        if *d < self.today {
            "chip g-red exp-expired"
        } else if (*d - self.today).num_days() <= self.days {
            "chip g-yellow exp-soon"
        } else {
            "exp-ok"
        }
    }

    /// The days left (negative: since it lapsed).
    pub(crate) fn left(&self, d: &NaiveDate) -> i64 {
        (*d - self.today).num_days()
    }
}

#[derive(Template)]
#[template(path = "buses/register.html")]
struct RegisterPage {
    c: Chrome,
    css: String,
    exp: Expiry,
    vehicles: Vec<Vehicle>,
    /// The schools of the list (id, name), for the links to their routes and trips.
    schools: Vec<(OrgId, String)>,
    expired: usize,
    soon: usize,
    /// The school a new vehicle is registered for (the caller's own, when it may).
    form_school: Option<OrgId>,
    gps_devices: Vec<(i64, String)>,
    v: VehicleForm,
    errors: FormErrors,
}

impl RegisterPage {
    fn types(&self) -> &'static [BusType] {
        <BusType as Code>::ALL
    }
    fn equipment(&self) -> &'static [Equipment] {
        Equipment::ALL
    }
    fn cls(&self, d: &NaiveDate) -> &'static str {
        self.exp.class(d)
    }
    fn left(&self, d: &NaiveDate) -> String {
        days_text(&self.c, self.exp.left(d))
    }
}

/// `还有 12 天` / `已过期 3 天`.
fn days_text(c: &Chrome, n: i64) -> String {
    if n < 0 {
        format!(
            "{} {} {}",
            c.t("bus.page.expired_since"),
            -n,
            c.t("bus.page.days")
        )
    } else {
        format!("{} {} {}", c.t("bus.page.left"), n, c.t("bus.page.days"))
    }
}

/// The caller's own school when it is a school's manager (who registers buses and drivers).
fn managed_school(ctx: &Ctx) -> Option<OrgId> {
    let role = ctx.actor.role();
    (role.org_level() == Some(crate::domain::org::OrgLevel::School)
        && crate::policy::allows(role, Action::BusManage))
    .then(|| ctx.actor.org_id())
    .flatten()
}

/// The register of the buses in scope, with the school manager's form for a new vehicle.
pub async fn register(ctx: Ctx) -> Result<Response, Error> {
    register_page(&ctx, None, VehicleForm::default(), FormErrors::default()).await
}

pub(super) async fn register_page(
    ctx: &Ctx,
    school: Option<OrgId>,
    v: VehicleForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let exp = Expiry::of(ctx);
    let mut vehicles = ctx
        .db_as(Action::BusView)?
        .buses()
        .vehicles(None, exp.days)
        .await?;
    if let Some(own) = ctx.actor.org_id() {
        // A school's own buses first (a bureau has none of its own).
        vehicles.sort_by_key(|v| v.school_id != own);
    }
    let mut schools: Vec<(OrgId, String)> = Vec::new();
    for v in &vehicles {
        if !schools.iter().any(|(id, _)| *id == v.school_id) {
            schools.push((v.school_id, v.school_name.clone()));
        }
    }
    if let Some(own) = ctx.actor.org_id()
        && ctx.actor.role().org_level() == Some(crate::domain::org::OrgLevel::School)
        && !schools.iter().any(|(id, _)| *id == own)
    {
        schools.push((own, ctx.actor.org_name().to_string()));
    }
    let live = |v: &&Vehicle| v.status != crate::domain::bus::VehicleStatus::Retired;
    let expired = vehicles
        .iter()
        .filter(live)
        .filter(|v| v.sign_expired || v.inspection_expired || v.insurance_expired)
        .count();
    let soon = vehicles
        .iter()
        .filter(live)
        .filter(|v| v.expiring_soon)
        .count();
    let form_school = school.or_else(|| managed_school(ctx));
    let mut gps_devices = Vec::new();
    if let Some(s) = form_school
        && let Ok(db) = ctx.db_as(Action::DeviceView)
    {
        let offline = ctx.config().devices.offline_minutes;
        for d in db.devices().list(s, offline).await.unwrap_or_default() {
            if d.kind == crate::domain::device::DeviceKind::BusGps {
                gps_devices.push((d.id.0, format!("{} · {}", d.code, d.name)));
            }
        }
    }
    let c = Chrome::for_ctx(ctx, "bus.page.register", "/buses");
    render(&RegisterPage {
        c,
        css: css(),
        exp,
        vehicles,
        schools,
        expired,
        soon,
        form_school,
        gps_devices,
        v,
        errors,
    })
}

#[derive(Template)]
#[template(path = "buses/vehicle.html")]
struct VehiclePage {
    c: Chrome,
    css: String,
    exp: Expiry,
    v: Vehicle,
    permits: Vec<Permit>,
    can_apply: bool,
}

impl VehiclePage {
    fn cls(&self, d: &NaiveDate) -> &'static str {
        self.exp.class(d)
    }
    fn left(&self, d: &NaiveDate) -> String {
        days_text(&self.c, self.exp.left(d))
    }
    fn has(&self, e: &Equipment) -> bool {
        self.v.equipment.contains(e)
    }
    fn equipment(&self) -> &'static [Equipment] {
        Equipment::ALL
    }
}

/// One vehicle: its dates, equipment, sign and permit applications.
pub async fn vehicle(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let exp = Expiry::of(&ctx);
    let cfg = ctx.config().buses.clone();
    let db = ctx.db();
    let v = db.buses().vehicle(BusVehicleId(id), exp.days).await?;
    let q = PermitQuery {
        school_id: Some(v.school_id),
        status: None,
    };
    let permits = db
        .buses()
        .permits(&q, &cfg)
        .await?
        .into_iter()
        .filter(|p| p.vehicle_id == v.id)
        .collect();
    let mut c = Chrome::for_ctx(&ctx, "bus.page.vehicle", "/buses");
    c.title = format!("{} · {}", v.plate, v.school_name);
    render(&VehiclePage {
        can_apply: c.can(ctx.actor.role(), Action::BusPermitApply),
        c,
        css: css(),
        exp,
        v,
        permits,
    })
}

#[derive(Template)]
#[template(path = "buses/sign_print.html")]
struct SignPage {
    c: Chrome,
    css: String,
    v: Vehicle,
    printed_on: NaiveDate,
}

/// The printable sign of a vehicle (its valid sign; a notice when it has none).
pub async fn sign_print(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let days = ctx.config().buses.expiry_warning_days;
    let v = ctx.db().buses().vehicle(BusVehicleId(id), days).await?;
    let mut c = Chrome::for_ctx(&ctx, "bus.page.sign", "/buses");
    c.title = format!("{} · {}", c.t("bus.page.sign"), v.plate);
    render(&SignPage {
        c,
        css: css(),
        v,
        printed_on: crate::clock::today(),
    })
}

#[derive(Template)]
#[template(path = "buses/drivers.html")]
struct DriversPage {
    c: Chrome,
    css: String,
    drivers: Vec<Driver>,
    names: HashMap<OrgId, String>,
    ineligible: usize,
    form_school: Option<OrgId>,
    /// People of the school with the post `bus_driver` not yet registered as drivers.
    people: Vec<crate::storage::views::Person>,
    v: DriverForm,
    errors: FormErrors,
}

impl DriversPage {
    fn school(&self, id: &OrgId) -> String {
        self.names.get(id).cloned().unwrap_or_default()
    }
}

/// The drivers in scope, the ineligible first, each with every failing reason; the school
/// manager's form for a new driver.
pub async fn drivers(ctx: Ctx) -> Result<Response, Error> {
    drivers_page(&ctx, None, DriverForm::default(), FormErrors::default()).await
}

pub(super) async fn drivers_page(
    ctx: &Ctx,
    school: Option<OrgId>,
    v: DriverForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let db = ctx.db_as(Action::BusView)?;
    let drivers = db.buses().drivers(None, &cfg).await?;
    let names = db
        .buses()
        .school_names_in_scope(drivers.iter().map(|d| d.school_id))
        .await?;
    let ineligible = drivers.iter().filter(|d| !d.eligible).count();
    let form_school = school.or_else(|| managed_school(ctx));
    let people = match form_school {
        Some(s) => {
            let taken: Vec<_> = drivers.iter().map(|d| d.person_id).collect();
            forms::people_with_post(ctx, s, Post::BusDriver, &taken).await
        }
        None => Vec::new(),
    };
    let c = Chrome::for_ctx(ctx, "bus.page.drivers", "/bus-drivers");
    render(&DriversPage {
        c,
        css: css(),
        drivers,
        names,
        ineligible,
        form_school,
        people,
        v,
        errors,
    })
}

#[derive(Template)]
#[template(path = "buses/routes.html")]
struct RoutesPage {
    c: Chrome,
    css: String,
    school_id: OrgId,
    school_name: String,
    routes: Vec<(Route, Riders)>,
    attendants: Vec<Attendant>,
    can_manage: bool,
    /// People of the school with the post `bus_attendant` not yet registered.
    people: Vec<crate::storage::views::Person>,
    f: RouteForms,
    /// The longest grant to see riders whole one may ask for, in hours.
    grant_max_hours: u32,
}

/// The routes page's forms: a route and an attendant, each with its values and errors.
#[derive(Default)]
pub(super) struct RouteForms {
    pub route: RouteForm,
    pub route_errors: FormErrors,
    pub attendant: AttendantForm,
    pub attendant_errors: FormErrors,
}

/// A school's routes with their stops and riders (masked); the forms for a new route and a
/// new attendant for those who manage the school's buses.
pub async fn routes(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    routes_page(&ctx, OrgId(id), RouteForms::default()).await
}

pub(super) async fn routes_page(
    ctx: &Ctx,
    school: OrgId,
    f: RouteForms,
) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let db = ctx.db_as(Action::BusView)?;
    let list = db.buses().routes(school).await?;
    let mut routes = Vec::new();
    for r in list {
        let riders = db.buses().riders(r.id, None).await?;
        routes.push((r, riders));
    }
    let attendants = db.buses().attendants(school, &cfg).await?;
    let school_name = db
        .buses()
        .school_names_in_scope([school])
        .await?
        .remove(&school)
        .unwrap_or_default();
    let can_manage = crate::policy::allows(ctx.actor.role(), Action::BusManage);
    let people = if can_manage {
        let taken: Vec<_> = attendants.iter().map(|a| a.person_id).collect();
        forms::people_with_post(ctx, school, Post::BusAttendant, &taken).await
    } else {
        Vec::new()
    };
    let mut c = Chrome::for_ctx(ctx, "bus.page.routes", "/buses");
    c.title = format!("{} · {}", c.t("bus.page.routes"), school_name);
    render(&RoutesPage {
        c,
        css: css(),
        school_id: school,
        school_name,
        routes,
        attendants,
        can_manage,
        people,
        f,
        grant_max_hours: ctx.config().privacy.unmask_grant_max_hours,
    })
}

/// The trips page's day (`?day=YYYY-MM-DD`, today when absent).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TripsQuery {
    day: Option<NaiveDate>,
}

#[derive(Template)]
#[template(path = "buses/trips.html")]
struct TripsPage {
    c: Chrome,
    css: String,
    school_id: OrgId,
    school_name: String,
    day: NaiveDate,
    trips: Vec<Trip>,
    drivers: HashMap<i64, String>,
}

impl TripsPage {
    fn driver(&self, t: &Trip) -> String {
        self.drivers
            .get(&t.driver_id.0)
            .cloned()
            .unwrap_or_default()
    }
}

/// A school's trips of a day with their state, counts and why each may not start.
pub async fn trips(ctx: Ctx, Path(id): Path<i64>, q: Q<TripsQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let cfg = ctx.config().buses.clone();
    let db = ctx.db();
    let school = OrgId(id);
    let day = q.day.unwrap_or_else(crate::clock::today);
    let trips = db.buses().trips(school, day, &cfg).await?;
    let drivers = db
        .buses()
        .drivers(Some(school), &cfg)
        .await?
        .into_iter()
        .map(|d| (d.id.0, d.name))
        .collect();
    let school_name = db
        .buses()
        .school_names_in_scope([school])
        .await?
        .remove(&school)
        .unwrap_or_default();
    let mut c = Chrome::for_ctx(&ctx, "bus.page.trips", "/buses");
    c.title = format!("{} · {}", c.t("bus.page.trips"), school_name);
    render(&TripsPage {
        c,
        css: css(),
        school_id: school,
        school_name,
        day,
        trips,
        drivers,
    })
}

/// The form of a guardian's consent on the routes page.
#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    step: String,
}

/// Records a guardian's consent, or its withdrawal, from the routes page; back to the route.
pub async fn rider_consent(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ConsentForm>,
) -> Result<Response, Error> {
    use crate::domain::consent::{ConsentPurpose, ConsentStep};
    let purpose = ConsentPurpose::parse(&f.purpose)
        .ok_or_else(|| Error::field("purpose", "err.invalid_input"))?;
    let step =
        ConsentStep::parse(&f.step).ok_or_else(|| Error::field("step", "err.invalid_input"))?;
    let r = ctx
        .db()
        .buses()
        .consent(
            crate::domain::ids::BusRiderId(id),
            crate::storage::buses::consent::ConsentInput {
                purpose,
                step,
                note: String::new(),
            },
        )
        .await?;
    Ok(see_other(&format!(
        "/schools/{}/bus-routes#route-{}",
        r.school_id, r.route_id
    )))
}
