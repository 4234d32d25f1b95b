//! The school's forms of the bus pages: a vehicle (on `/buses`), a driver (on
//! `/bus-drivers`), an attendant and a route with its stops (on a school's
//! `/schools/{id}/bus-routes`). Each posts to `/schools/{id}/…`, writes through the same
//! storage call as the API and, when refused, shows its page again with what was typed and
//! each field's error (422).

use crate::domain::Code;
use crate::domain::bus::{BusType, Equipment};
use crate::domain::ids::{DeviceId, OrgId, PersonId};
use crate::domain::person::Post;
use crate::error::{Error, FieldError};
use crate::policy::Action;
use crate::storage::buses::NewVehicle;
use crate::storage::buses::drivers::{NewAttendant, NewDriver, Training};
use crate::storage::buses::routes::{NewRoute, Stop};
use crate::storage::views::Person;
use crate::web::ctx::{Ctx, FormPairs};
use crate::web::pages::{FormErrors, see_other};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

pub(super) fn unprocessable(mut r: Response) -> Response {
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

fn fail(errs: Vec<FieldError>) -> Error {
    Error::Validation {
        message: "err.invalid_input".into(),
        fields: errs,
    }
}

/// A required date field.
fn date(v: &str, field: &str, errs: &mut Vec<FieldError>) -> NaiveDate {
    opt_date(v, field, errs).unwrap_or_else(|| {
        if v.trim().is_empty() {
            errs.push(FieldError::new(field, "err.required"));
        }
        NaiveDate::MIN
    })
}

/// An optional date field: empty is `None`, a bad one a field error.
fn opt_date(v: &str, field: &str, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(field, "err.bus.date"));
            None
        }
    }
}

fn id(v: &str, field: &str, errs: &mut Vec<FieldError>) -> i64 {
    match v.trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            errs.push(FieldError::new(field, "err.required"));
            0
        }
    }
}

fn opt_number(v: &str, field: &str, key: &str, errs: &mut Vec<FieldError>) -> Option<f64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse::<f64>() {
        Ok(n) if n.is_finite() => Some(n),
        _ => {
            errs.push(FieldError::new(field, key));
            None
        }
    }
}

/// What went wrong as the form's errors, or the error itself (scope, role, conflict …).
fn form_errors(e: Error, ctx: &Ctx) -> Result<FormErrors, Error> {
    match e {
        Error::Conflict(ref m) => Ok(FormErrors {
            general: crate::web::error::message(ctx.lang, m),
            fields: Vec::new(),
        }),
        e => FormErrors::from_error(&e, ctx.lang).ok_or(e),
    }
}

/// The vehicle form's values, kept when it is refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct VehicleForm {
    pub plate: String,
    pub owner: String,
    pub seats: String,
    pub bus_type: String,
    pub inspection_until: String,
    pub insurance_until: String,
    pub equipment_checked_on: String,
    pub gps_device_id: String,
    #[serde(skip)]
    pub equipment: Vec<String>,
}

impl VehicleForm {
    fn input(&self) -> Result<NewVehicle, Error> {
        let mut errs = Vec::new();
        let seats = match self.seats.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                errs.push(FieldError::new("seats", "err.bus.seats"));
                0
            }
        };
        let bus_type = BusType::parse(self.bus_type.trim());
        if bus_type.is_none() {
            errs.push(FieldError::new("bus_type", "err.required"));
        }
        let inspection_until = date(&self.inspection_until, "inspection_until", &mut errs);
        let insurance_until = date(&self.insurance_until, "insurance_until", &mut errs);
        let equipment_checked_on = opt_date(
            &self.equipment_checked_on,
            "equipment_checked_on",
            &mut errs,
        );
        let gps_device_id = match self.gps_device_id.trim() {
            "" => None,
            v => match v.parse::<i64>() {
                Ok(n) => Some(DeviceId(n)),
                Err(_) => {
                    errs.push(FieldError::new("gps_device_id", "err.bus.gps_device"));
                    None
                }
            },
        };
        let mut equipment = Vec::new();
        for e in &self.equipment {
            match Equipment::parse(e.trim()) {
                Some(e) => equipment.push(e),
                None => errs.push(FieldError::new("equipment", "err.invalid_input")),
            }
        }
        match (bus_type, errs.is_empty()) {
            (Some(bus_type), true) => Ok(NewVehicle {
                plate: self.plate.trim().to_string(),
                owner: self.owner.trim().to_string(),
                seats,
                bus_type,
                inspection_until,
                insurance_until,
                equipment,
                equipment_checked_on,
                gps_device_id,
            }),
            _ => Err(fail(errs)),
        }
    }

    pub fn has(&self, e: &Equipment) -> bool {
        self.equipment.iter().any(|x| x == e.as_str())
    }
}

/// Registers a vehicle of the school from the register's form.
pub async fn create_vehicle(
    ctx: Ctx,
    Path(school): Path<i64>,
    p: FormPairs,
) -> Result<Response, Error> {
    let days = ctx.config().buses.expiry_warning_days;
    let mut f: VehicleForm = p.parse(&["equipment"])?;
    f.equipment = p.all("equipment");
    let school = OrgId(school);
    let res = match f.input() {
        Ok(v) => ctx.db().buses().create_vehicle(school, v, days).await,
        Err(e) => {
            ctx.db().buses().check_school(school).await?;
            Err(e)
        }
    };
    match res {
        Ok(v) => Ok(see_other(&format!("/buses/{}", v.id.0))),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            super::register_page(&ctx, Some(school), f, errors)
                .await
                .map(unprocessable)
        }
    }
}

/// The driver form's values, kept when it is refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DriverForm {
    pub person_id: String,
    pub licence_class: String,
    pub licensed_since: String,
    pub birth_date: String,
    pub health_certificate_until: String,
    pub annual_review_until: String,
    pub review_study_hours: String,
}

impl DriverForm {
    fn input(&self) -> Result<NewDriver, Error> {
        let mut errs = Vec::new();
        let person = id(&self.person_id, "person_id", &mut errs);
        let licensed_since = date(&self.licensed_since, "licensed_since", &mut errs);
        let birth_date = date(&self.birth_date, "birth_date", &mut errs);
        let health_certificate_until = opt_date(
            &self.health_certificate_until,
            "health_certificate_until",
            &mut errs,
        );
        let annual_review_until =
            opt_date(&self.annual_review_until, "annual_review_until", &mut errs);
        let review_study_hours = opt_number(
            &self.review_study_hours,
            "review_study_hours",
            "err.bus.hours",
            &mut errs,
        );
        if !errs.is_empty() {
            return Err(fail(errs));
        }
        Ok(NewDriver {
            person_id: PersonId(person),
            licence_class: self.licence_class.trim().to_string(),
            licensed_since,
            birth_date,
            health_certificate_until,
            annual_review_until,
            review_study_hours,
            drink_driving: false,
            criminal_record: false,
        })
    }
}

/// Registers a driver of the school from the drivers' page form.
pub async fn create_driver(
    ctx: Ctx,
    Path(school): Path<i64>,
    p: FormPairs,
) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let f: DriverForm = p.parse(&[])?;
    let school = OrgId(school);
    let res = match f.input() {
        Ok(d) => ctx.db().buses().create_driver(school, d, &cfg).await,
        Err(e) => {
            ctx.db().buses().check_school(school).await?;
            Err(e)
        }
    };
    match res {
        Ok(d) => Ok(see_other(&format!("/bus-drivers#driver-{}", d.id.0))),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            super::drivers_page(&ctx, Some(school), f, errors)
                .await
                .map(unprocessable)
        }
    }
}

/// The attendant form's values (with a first training), kept when it is refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AttendantForm {
    pub person_id: String,
    pub birth_date: String,
    pub training_on: String,
    pub training_hours: String,
    pub training_topic: String,
}

impl AttendantForm {
    fn input(&self) -> Result<NewAttendant, Error> {
        let mut errs = Vec::new();
        let person = id(&self.person_id, "person_id", &mut errs);
        let birth_date = date(&self.birth_date, "birth_date", &mut errs);
        let on = opt_date(&self.training_on, "training_on", &mut errs);
        let hours = opt_number(
            &self.training_hours,
            "training_hours",
            "err.bus.hours",
            &mut errs,
        );
        if on.is_some() && hours.is_none() && errs.is_empty() {
            errs.push(FieldError::new("training_hours", "err.required"));
        }
        if !errs.is_empty() {
            return Err(fail(errs));
        }
        let trainings = match (on, hours) {
            (Some(on), Some(hours)) => vec![Training {
                on,
                hours,
                topic: self.training_topic.trim().to_string(),
            }],
            _ => Vec::new(),
        };
        Ok(NewAttendant {
            person_id: PersonId(person),
            birth_date,
            trainings,
        })
    }
}

/// Registers an attendant of the school from the routes page's form.
pub async fn create_attendant(
    ctx: Ctx,
    Path(school): Path<i64>,
    p: FormPairs,
) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let f: AttendantForm = p.parse(&[])?;
    let school = OrgId(school);
    let res = match f.input() {
        Ok(a) => ctx.db().buses().create_attendant(school, a, &cfg).await,
        Err(e) => {
            ctx.db().buses().check_school(school).await?;
            Err(e)
        }
    };
    match res {
        Ok(_) => Ok(see_other(&format!(
            "/schools/{}/bus-routes#attendants",
            school.0
        ))),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let forms = super::RouteForms {
                attendant: f,
                attendant_errors: errors,
                ..Default::default()
            };
            super::routes_page(&ctx, school, forms)
                .await
                .map(unprocessable)
        }
    }
}

/// The route form's values: a name and the stops one per line, `名称, 纬度, 经度, HH:MM`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RouteForm {
    pub name: String,
    pub stops: String,
}

impl RouteForm {
    /// The stops as typed; a line that cannot be read is an error on `stops` naming it.
    fn input(&self) -> Result<NewRoute, Error> {
        let mut stops = Vec::new();
        let mut bad = Vec::new();
        for (i, line) in self.stops.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let parts: Vec<&str> = line.split([',', '，', '\t']).map(|p| p.trim()).collect();
            let parsed = match parts.as_slice() {
                [name, lat, lon, time] => match (lat.parse::<f64>(), lon.parse::<f64>()) {
                    (Ok(lat), Ok(lon)) if lat.is_finite() && lon.is_finite() => Some(Stop {
                        name: (*name).to_string(),
                        lat,
                        lon,
                        time: (*time).to_string(),
                    }),
                    _ => None,
                },
                _ => None,
            };
            match parsed {
                Some(s) => stops.push(s),
                None => bad.push(i + 1),
            }
        }
        if let Some(line) = bad.first() {
            return Err(Error::Validation {
                message: "err.invalid_input".into(),
                fields: vec![FieldError::new(
                    "stops",
                    format!("err.bus.stop_line|{line}"),
                )],
            });
        }
        Ok(NewRoute {
            name: self.name.trim().to_string(),
            stops,
            path: Vec::new(),
        })
    }
}

/// A stop's field error (`stops[2].lat`) as the textarea's, naming the line.
fn stop_errors(mut f: FormErrors, lang: crate::i18n::Lang) -> FormErrors {
    for (field, msg) in f.fields.iter_mut() {
        if let Some(rest) = field.strip_prefix("stops[")
            && let Some((n, _)) = rest.split_once(']')
            && let Ok(n) = n.parse::<usize>()
        {
            *msg = format!(
                "{}：{}",
                crate::i18n::tr(lang, "bus.form.line").replace("%{n}", &(n + 1).to_string()),
                msg
            );
            *field = "stops".into();
        }
    }
    f
}

/// Adds a route of the school from the routes page's form.
pub async fn create_route(
    ctx: Ctx,
    Path(school): Path<i64>,
    p: FormPairs,
) -> Result<Response, Error> {
    let f: RouteForm = p.parse(&[])?;
    let school = OrgId(school);
    let res = match f.input() {
        Ok(r) => ctx.db().buses().create_route(school, r).await,
        Err(e) => {
            ctx.db().buses().check_school(school).await?;
            Err(e)
        }
    };
    match res {
        Ok(r) => Ok(see_other(&format!(
            "/schools/{}/bus-routes#route-{}",
            school.0, r.id.0
        ))),
        Err(e) => {
            let errors = stop_errors(form_errors(e, &ctx)?, ctx.lang);
            let forms = super::RouteForms {
                route: f,
                route_errors: errors,
                ..Default::default()
            };
            super::routes_page(&ctx, school, forms)
                .await
                .map(unprocessable)
        }
    }
}

/// The people of a school with `post` who are not yet registered (`taken`), for a form's
/// choice; empty for a caller who may not read the school's people.
pub(super) async fn people_with_post(
    ctx: &Ctx,
    school: OrgId,
    post: Post,
    taken: &[PersonId],
) -> Vec<Person> {
    let Ok(db) = ctx.db_as(Action::PersonView) else {
        return Vec::new();
    };
    db.people()
        .list(school)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.post == post && !taken.contains(&p.id))
        .collect()
}
