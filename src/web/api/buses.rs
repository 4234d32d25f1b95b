//! API: school buses — vehicles (`/api/v1/schools/{id}/buses`, `/api/v1/buses/{id}`), use
//! permits and their steps (`/api/v1/bus-permits`), drivers with their eligibility and
//! records (`/api/v1/schools/{id}/bus-drivers`, `/api/v1/bus-drivers/{id}`), the stateless
//! eligibility check, attendants, routes and their riders (masked), trips and their tracks.

use super::ApiResult;
use super::transfer::read_table;
use crate::domain::bus::eligibility::Eligibility;
use crate::domain::ids::{BusDriverId, BusPermitId, BusRouteId, BusTripId, BusVehicleId, OrgId};
use crate::error::Error;
use crate::storage::buses::consent::{ConsentInput, RiderBasis, RiderConsents};
use crate::storage::buses::drivers::{
    Attendant, Driver, DriverPatch, EligibilityInput, NewAttendant, NewDriver, NewRecord,
    evaluate_input,
};
use crate::storage::buses::permits::{NewPermit, Permit, PermitQuery, PermitStep};
use crate::storage::buses::routes::{NewRoute, RiderImport, RiderRow, Riders, Route};
use crate::storage::buses::trips::{NewTrip, Track, Trip, TripStep};
use crate::storage::buses::{NewVehicle, Vehicle, VehiclePatch};
use crate::web::api::transfer::Upload;
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::Deserialize;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;
type Created<T> = Result<(StatusCode, axum::Json<T>), Error>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

fn created<T>(v: T) -> Created<T> {
    Ok((StatusCode::CREATED, axum::Json(v)))
}

/// A school's buses with their sign, inspection and insurance dates; `expiring_soon` within
/// `[buses] expiry_warning_days`.
#[utoipa::path(get, path = "/api/v1/schools/{id}/buses", tag = "buses",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Vehicle>), (status = 404, body = Envelope)))]
pub async fn buses(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<Vehicle>> {
    let days = ctx.config().buses.expiry_warning_days;
    Ok(axum::Json(
        ctx.db().buses().vehicles(Some(OrgId(id)), days).await?,
    ))
}

/// Registers a bus of the school (seats 7–80, no more than its type allows; the GPS device a
/// `bus_gps` device of the school).
#[utoipa::path(post, path = "/api/v1/schools/{id}/buses", tag = "buses",
    params(("id" = i64, Path)), request_body = NewVehicle,
    responses((status = 201, body = Vehicle), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn create_bus(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewVehicle>,
) -> Created<Vehicle> {
    let days = ctx.config().buses.expiry_warning_days;
    created(
        ctx.db()
            .buses()
            .create_vehicle(OrgId(id), body, days)
            .await?,
    )
}

#[utoipa::path(get, path = "/api/v1/buses/{id}", tag = "buses",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vehicle), (status = 404, body = Envelope)))]
pub async fn bus(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vehicle> {
    let days = ctx.config().buses.expiry_warning_days;
    Ok(axum::Json(
        ctx.db().buses().vehicle(BusVehicleId(id), days).await?,
    ))
}

/// Changes a bus; `"status": "retired"` recovers its sign. A stale `version` is 409.
#[utoipa::path(patch, path = "/api/v1/buses/{id}", tag = "buses",
    params(("id" = i64, Path)), request_body = VehiclePatch,
    responses((status = 200, body = Vehicle), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn update_bus(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VehiclePatch>,
) -> ApiResult<Vehicle> {
    let days = ctx.config().buses.expiry_warning_days;
    Ok(axum::Json(
        ctx.db()
            .buses()
            .update_vehicle(BusVehicleId(id), body, days)
            .await?,
    ))
}

/// The permit applications in scope, late ones first; each with its steps' deadlines in
/// working days.
#[utoipa::path(get, path = "/api/v1/bus-permits", tag = "buses", params(PermitQuery),
    responses((status = 200, body = Vec<Permit>), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn permits(ctx: Ctx, q: Q<PermitQuery>) -> ApiResult<Vec<Permit>> {
    let cfg = ctx.config().buses.clone();
    Ok(axum::Json(
        ctx.db().buses().permits(&query(q)?, &cfg).await?,
    ))
}

/// Applies for a bus's use permit (the school): the vehicle, route and drivers of the school;
/// each of the five conditions not met is named (`conditions.<code>`, 422).
#[utoipa::path(post, path = "/api/v1/bus-permits", tag = "buses", request_body = NewPermit,
    responses((status = 201, body = Permit), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn apply(ctx: Ctx, ApiJson(body): ApiJson<NewPermit>) -> Created<Permit> {
    let cfg = ctx.config().buses.clone();
    let school = body
        .school_id
        .or(ctx.actor.org_id())
        .ok_or(Error::NotFound)?;
    created(ctx.db().buses().apply(school, body, &cfg).await?)
}

#[utoipa::path(get, path = "/api/v1/bus-permits/{id}", tag = "buses",
    params(("id" = i64, Path)),
    responses((status = 200, body = Permit), (status = 404, body = Envelope)))]
pub async fn permit(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Permit> {
    let cfg = ctx.config().buses.clone();
    Ok(axum::Json(
        ctx.db().buses().permit_of(BusPermitId(id), &cfg).await?,
    ))
}

/// A step of the bureau: `forward`, `record_reply` (`department`), `review` (`favourable`,
/// `opinion`), `decide`, `issue_sign` (`sign`: number, authority, dates — valid no later than
/// the vehicle's inspection), `refuse` (`reasons`). A step the workflow lacks is 409; a date
/// in the future or before the last step 422 on `on`.
#[utoipa::path(post, path = "/api/v1/bus-permits/{id}/actions", tag = "buses",
    params(("id" = i64, Path)), request_body = PermitStep,
    responses((status = 200, body = Permit), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn permit_action(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PermitStep>,
) -> ApiResult<Permit> {
    let cfg = ctx.config().buses.clone();
    Ok(axum::Json(
        ctx.db()
            .buses()
            .permit_step(BusPermitId(id), body, &cfg)
            .await?,
    ))
}

/// A school's drivers with `eligible` and `reasons`, the ineligible first.
#[utoipa::path(get, path = "/api/v1/schools/{id}/bus-drivers", tag = "buses",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Driver>), (status = 404, body = Envelope)))]
pub async fn drivers(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<Driver>> {
    let cfg = ctx.config().buses.clone();
    Ok(axum::Json(
        ctx.db().buses().drivers(Some(OrgId(id)), &cfg).await?,
    ))
}

/// Registers a driver: a person of the school with post `bus_driver`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/bus-drivers", tag = "buses",
    params(("id" = i64, Path)), request_body = NewDriver,
    responses((status = 201, body = Driver), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn create_driver(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewDriver>,
) -> Created<Driver> {
    let cfg = ctx.config().buses.clone();
    created(
        ctx.db()
            .buses()
            .create_driver(OrgId(id), body, &cfg)
            .await?,
    )
}

#[utoipa::path(get, path = "/api/v1/bus-drivers/{id}", tag = "buses",
    params(("id" = i64, Path)),
    responses((status = 200, body = Driver), (status = 404, body = Envelope)))]
pub async fn driver(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Driver> {
    let cfg = ctx.config().buses.clone();
    Ok(axum::Json(
        ctx.db().buses().driver(BusDriverId(id), &cfg).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/bus-drivers/{id}", tag = "buses",
    params(("id" = i64, Path)), request_body = DriverPatch,
    responses((status = 200, body = Driver), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn update_driver(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DriverPatch>,
) -> ApiResult<Driver> {
    let cfg = ctx.config().buses.clone();
    Ok(axum::Json(
        ctx.db()
            .buses()
            .update_driver(BusDriverId(id), body, &cfg)
            .await?,
    ))
}

/// Adds to a driver's record (the police's monthly notices: full points, accidents, serious
/// violations, drink-driving, criminal records; certificates, reviews, trainings); the
/// eligibility is recomputed and a driver who stops being eligible raises a warning.
#[utoipa::path(post, path = "/api/v1/bus-drivers/{id}/records", tag = "buses",
    params(("id" = i64, Path)), request_body = NewRecord,
    responses((status = 201, body = Driver), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn add_record(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewRecord>,
) -> Created<Driver> {
    let cfg = ctx.config().buses.clone();
    created(
        ctx.db()
            .buses()
            .add_record(BusDriverId(id), body, &cfg)
            .await?,
    )
}

/// Evaluates a driver record given in the body against the qualification rules in force;
/// stores nothing.
#[utoipa::path(post, path = "/api/v1/bus-drivers/eligibility", tag = "buses",
    request_body = EligibilityInput,
    responses((status = 200, body = Eligibility), (status = 422, body = Envelope)))]
pub async fn eligibility(
    ctx: Ctx,
    ApiJson(body): ApiJson<EligibilityInput>,
) -> ApiResult<Eligibility> {
    Ok(axum::Json(evaluate_input(body, &ctx.config().buses)))
}

/// A school's attendants, with the age rule and their trainings.
#[utoipa::path(get, path = "/api/v1/schools/{id}/bus-attendants", tag = "buses",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attendant>), (status = 404, body = Envelope)))]
pub async fn attendants(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<Attendant>> {
    let cfg = ctx.config().buses.clone();
    Ok(axum::Json(
        ctx.db().buses().attendants(OrgId(id), &cfg).await?,
    ))
}

/// Registers an attendant: a person of the school with post `bus_attendant`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/bus-attendants", tag = "buses",
    params(("id" = i64, Path)), request_body = NewAttendant,
    responses((status = 201, body = Attendant), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn create_attendant(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewAttendant>,
) -> Created<Attendant> {
    let cfg = ctx.config().buses.clone();
    created(
        ctx.db()
            .buses()
            .create_attendant(OrgId(id), body, &cfg)
            .await?,
    )
}

/// A school's routes with their stops and paths.
#[utoipa::path(get, path = "/api/v1/schools/{id}/bus-routes", tag = "buses",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Route>), (status = 404, body = Envelope)))]
pub async fn routes(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Vec<Route>> {
    Ok(axum::Json(ctx.db().buses().routes(OrgId(id)).await?))
}

/// Adds a route: ordered stops (name, coordinates, `HH:MM`) and a path whose points carry
/// the road class of the segment they start (`ordinary`, `expressway`, `adverse`).
#[utoipa::path(post, path = "/api/v1/schools/{id}/bus-routes", tag = "buses",
    params(("id" = i64, Path)), request_body = NewRoute,
    responses((status = 201, body = Route), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn create_route(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewRoute>,
) -> Created<Route> {
    created(ctx.db().buses().create_route(OrgId(id), body).await?)
}

/// How a riders' list is asked for: masked by default; `unmasked=1` with a `reason` by a
/// role allowed to see the full values (each such view audited).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RidersQuery {
    pub unmasked: Option<u8>,
    pub reason: Option<String>,
}

/// A route's riders, names and phones masked (张*明, 138****1234); `unmasked=1&reason=…`
/// shows them whole to a role granted the view (403 otherwise), audited with the reason.
#[utoipa::path(get, path = "/api/v1/bus-routes/{id}/riders", tag = "buses",
    params(("id" = i64, Path), RidersQuery),
    responses((status = 200, body = Riders), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn riders(ctx: Ctx, Path(id): Path<i64>, q: Q<RidersQuery>) -> ApiResult<Riders> {
    let q = query(q)?;
    let reason = (q.unmasked == Some(1)).then(|| q.reason.clone().unwrap_or_default());
    Ok(axum::Json(
        ctx.db()
            .buses()
            .riders(BusRouteId(id), reason.as_deref())
            .await?,
    ))
}

/// The riders' columns of an import workbook.
pub const RIDER_FIELDS: &[&str] = &["rider_name", "class_name", "stop", "guardian", "phone"];

/// Adds the riders of an .xlsx (columns 姓名/name, 班级/class, 站点/stop, 监护人/guardian,
/// 电话/phone; a raw body or a multipart `file`): every row checked first, all added or none,
/// with the row-by-row report (names and phones never echoed).
#[utoipa::path(post, path = "/api/v1/bus-routes/{id}/riders/import", tag = "buses",
    params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = RiderImport), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 413, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn import_riders(
    ctx: Ctx,
    Path(id): Path<i64>,
    upload: Result<Upload, Error>,
) -> ApiResult<RiderImport> {
    // Scope and role before the file (even a missing one): 404 and 403 come first.
    ctx.db().buses().check_rider_import(BusRouteId(id)).await?;
    let Upload(bytes) = upload?;
    let (rows, cols) = read_table(&bytes, RIDER_FIELDS, &["rider_name", "stop"])?;
    let cell = |row: &[String], i: usize| {
        cols[i]
            .and_then(|c| row.get(c))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let rows = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| RiderRow {
            row: i + 2,
            name: cell(r, 0),
            class_name: cell(r, 1),
            stop: cell(r, 2),
            guardian: cell(r, 3),
            phone: cell(r, 4),
        })
        .collect();
    Ok(axum::Json(
        ctx.db().buses().import_riders(BusRouteId(id), rows).await?,
    ))
}

/// Plans a trip of a route: its bus, driver and attendants (of the route's school).
#[utoipa::path(post, path = "/api/v1/bus-trips", tag = "buses", request_body = NewTrip,
    responses((status = 201, body = Trip), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn create_trip(ctx: Ctx, ApiJson(body): ApiJson<NewTrip>) -> Created<Trip> {
    let cfg = ctx.config().buses.clone();
    created(ctx.db().buses().create_trip(body, &cfg).await?)
}

/// A step of a trip: `check` (`items`: every check item, passed or not), `board` and `alight`
/// (`count`), `start` — refused with every reason named (`refusals.<code>`, 422) when the
/// sign, inspection or insurance has lapsed, the driver is not eligible or not on the sign,
/// attendants are too few, or more pupils are counted than seats — and `finish`.
#[utoipa::path(post, path = "/api/v1/bus-trips/{id}/actions", tag = "buses",
    params(("id" = i64, Path)), request_body = TripStep,
    responses((status = 200, body = Trip), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn trip_action(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TripStep>,
) -> ApiResult<Trip> {
    let cfg = ctx.config().buses.clone();
    Ok(axum::Json(
        ctx.db()
            .buses()
            .trip_step(BusTripId(id), body, &cfg)
            .await?,
    ))
}

/// A trip's track: its bus's positions from the start to the finish, the route's path and
/// stops, and the trip's warnings.
#[utoipa::path(get, path = "/api/v1/bus-trips/{id}/track", tag = "buses",
    params(("id" = i64, Path)),
    responses((status = 200, body = Track), (status = 404, body = Envelope)))]
pub async fn track(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Track> {
    let cfg = ctx.config().buses.clone();
    Ok(axum::Json(
        ctx.db().buses().track(BusTripId(id), &cfg).await?,
    ))
}

/// A route's riders as .xlsx (name, class, stop, guardian, phone): masked as in the list;
/// whole only for a role granted the view that asks with `unmasked=1&reason=…` (audited).
/// Every value is written as text, never as a formula.
#[utoipa::path(get, path = "/api/v1/bus-routes/{id}/riders/export.xlsx", tag = "buses",
    params(("id" = i64, Path), RidersQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = Envelope), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn export_riders(
    ctx: Ctx,
    Path(id): Path<i64>,
    q: Q<RidersQuery>,
) -> Result<axum::response::Response, Error> {
    use crate::web::i18n::tr;
    use crate::xlsx::Cell;
    let q = query(q)?;
    let reason = (q.unmasked == Some(1)).then(|| q.reason.clone().unwrap_or_default());
    let r = ctx
        .db()
        .buses()
        .riders(BusRouteId(id), reason.as_deref())
        .await?;
    let l = ctx.lang;
    let headers: Vec<String> = [
        "field.rider_name",
        "field.class_name",
        "field.stop",
        "field.guardian",
        "bus.col.phone",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let rows: Vec<Vec<Cell>> = r
        .riders
        .iter()
        .map(|x| {
            [&x.name, &x.class_name, &x.stop, &x.guardian, &x.phone]
                .into_iter()
                .map(|v| Cell::Text(v.clone()))
                .collect()
        })
        .collect();
    let bytes = crate::xlsx::write_sheet(&tr(l, "bus.page.riders_sheet"), &headers, &rows)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(super::transfer::download(
        bytes,
        &format!("{}.xlsx", r.route_name),
    ))
}

/// Marks a rider as left the route (graduated, moved, changed route) on `left_on` (today when
/// left out, never later): no longer listed nor counted on the route, and deleted by the
/// daily job `[privacy] leaver_retention_days` after that day (`purge_on`). Marking again
/// moves the day.
#[utoipa::path(post, path = "/api/v1/bus-riders/{id}/leave", tag = "buses",
    params(("id" = i64, Path)), request_body = crate::storage::buses::leavers::Leaving,
    responses((status = 200, body = crate::storage::buses::leavers::RiderLeft),
        (status = 403, body = Envelope), (status = 404, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn rider_leave(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<crate::storage::buses::leavers::Leaving>,
) -> ApiResult<crate::storage::buses::leavers::RiderLeft> {
    let days = ctx.config().privacy.leaver_retention_days;
    Ok(axum::Json(
        ctx.db()
            .buses()
            .mark_left(crate::domain::ids::BusRiderId(id), body, days)
            .await?,
    ))
}

/// Records whether a rider is under 14 and the basis of processing their data (the school's
/// statutory duty, or the guardian's consent). Under 14 on consent, a rider is held but not
/// listed, counted or exported until the guardian consents to `bus_transport` (T-PR-5).
#[utoipa::path(patch, path = "/api/v1/bus-riders/{id}/basis", tag = "buses",
    params(("id" = i64, Path)), request_body = RiderBasis,
    responses((status = 200, body = RiderConsents), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn rider_basis(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RiderBasis>,
) -> ApiResult<RiderConsents> {
    Ok(axum::Json(
        ctx.db()
            .buses()
            .set_basis(crate::domain::ids::BusRiderId(id), body)
            .await?,
    ))
}

/// Records the guardian's consent for one purpose (`bus_transport`, `guardian_contact`), or
/// its withdrawal, which takes effect on the next request. Giving a consent in force, or
/// withdrawing one that is not, changes nothing.
#[utoipa::path(post, path = "/api/v1/bus-riders/{id}/consents", tag = "buses",
    params(("id" = i64, Path)), request_body = ConsentInput,
    responses((status = 200, body = RiderConsents), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn rider_consent(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ConsentInput>,
) -> ApiResult<RiderConsents> {
    Ok(axum::Json(
        ctx.db()
            .buses()
            .consent(crate::domain::ids::BusRiderId(id), body)
            .await?,
    ))
}
