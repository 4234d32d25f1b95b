//! Routes: school buses — vehicles and signs, use permits, drivers and attendants, routes and
//! riders, trips and their tracks.

use super::Table;
use super::{Feature, audit_codes, nothing};
use crate::policy::Action::*;
use crate::storage::buses::BusAudit;
use crate::storage::buses::consent::ConsentAudit;
use crate::storage::buses::leavers::LeaverAudit;
use crate::web::{api, pages};
use axum::http::Method as M;
use utoipa_axum::routes;

/// The feature's registry entry.
pub(super) const FEATURE: Feature = Feature {
    code: "buses",
    api: register,
    pages: register_pages,
    menu: &[
        ("/buses", "nav.buses", BusView),
        ("/bus-permits", "nav.bus_permits", BusView),
        ("/bus-drivers", "nav.bus_drivers", BusView),
    ],
    audit: audits,
    notices: nothing,
    tables: &[
        "bus_vehicles",
        "bus_drivers",
        "bus_driver_records",
        "bus_attendants",
        "bus_routes",
        "bus_riders",
        "rider_consents",
        "bus_signs",
        "bus_permits",
        "bus_permit_events",
        "bus_trips",
        "bus_trip_events",
    ],
};

fn audits() -> Vec<&'static str> {
    let mut v = audit_codes::<BusAudit>();
    v.extend(audit_codes::<LeaverAudit>());
    v.extend(audit_codes::<ConsentAudit>());
    v
}

fn register(t: &mut Table) {
    use api::buses as a;
    t.api(BusView, routes!(a::buses));
    t.api(BusManage, routes!(a::create_bus));
    t.api(BusView, routes!(a::bus));
    t.api(BusManage, routes!(a::update_bus));
    t.api(BusView, routes!(a::permits));
    t.api(BusPermitApply, routes!(a::apply));
    t.api(BusView, routes!(a::permit));
    t.api(BusPermitDecide, routes!(a::permit_action));
    t.api(BusView, routes!(a::eligibility));
    t.api(BusView, routes!(a::drivers));
    t.api(BusManage, routes!(a::create_driver));
    t.api(BusView, routes!(a::driver));
    t.api(BusManage, routes!(a::update_driver));
    t.api(BusManage, routes!(a::add_record));
    t.api(BusView, routes!(a::attendants));
    t.api(BusManage, routes!(a::create_attendant));
    t.api(BusView, routes!(a::routes));
    t.api(BusManage, routes!(a::create_route));
    t.api(BusView, routes!(a::riders));
    t.api(BusView, routes!(a::export_riders));
    t.api(BusRiderNames, routes!(a::import_riders));
    t.api(BusManage, routes!(a::rider_leave));
    t.api(BusManage, routes!(a::rider_basis));
    t.api(BusManage, routes!(a::rider_consent));
    t.api(BusManage, routes!(a::create_trip));
    t.api(BusTripRecord, routes!(a::trip_action));
    t.api(BusView, routes!(a::track));
}

/// The pages: the register, a vehicle and its printable sign, the permit workflow (a
/// refused form is shown again with the page, hence `BusView` beside the write's action),
/// drivers, a school's routes and trips, a trip with its track map and steps; the school's
/// forms for a vehicle (with its GPS device), a driver, an attendant (from the school's
/// people) and a route.
fn register_pages(t: &mut Table) {
    use pages::buses as p;
    t.add_as(M::GET, "/buses", BusView, &[DeviceView], p::register);
    t.add_as(
        M::POST,
        "/schools/{id}/buses",
        BusManage,
        &[BusView, DeviceView],
        p::create_vehicle,
    );
    t.add(M::GET, "/buses/{id}", BusView, p::vehicle);
    t.add(M::GET, "/buses/{id}/sign", BusView, p::sign_print);
    t.add(M::GET, "/bus-permits", BusView, p::permit_list);
    t.add_as(
        M::GET,
        "/bus-permits/new",
        BusPermitApply,
        &[BusView],
        p::apply_form,
    );
    t.add_as(
        M::POST,
        "/bus-permits",
        BusPermitApply,
        &[BusView],
        p::apply,
    );
    t.add(M::GET, "/bus-permits/{id}", BusView, p::permit);
    t.add_as(
        M::POST,
        "/bus-permits/{id}",
        BusPermitDecide,
        &[BusView],
        p::permit_step,
    );
    t.add(M::GET, "/bus-permits/{id}/print", BusView, p::permit_print);
    t.add_as(M::GET, "/bus-drivers", BusView, &[PersonView], p::drivers);
    t.add_as(
        M::POST,
        "/schools/{id}/bus-drivers",
        BusManage,
        &[BusView, PersonView],
        p::create_driver,
    );
    t.add_as(
        M::GET,
        "/schools/{id}/bus-routes",
        BusView,
        &[PersonView],
        p::routes,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/bus-routes",
        BusManage,
        &[BusView, PersonView],
        p::create_route,
    );
    t.add_as(
        M::POST,
        "/schools/{id}/bus-attendants",
        BusManage,
        &[BusView, PersonView],
        p::create_attendant,
    );
    t.add(
        M::POST,
        "/bus-riders/{id}/consents",
        BusManage,
        p::rider_consent,
    );
    t.add(M::GET, "/schools/{id}/bus-trips", BusView, p::trips);
    t.add(M::GET, "/bus-trips/{id}", BusView, p::trip);
    t.add_as(
        M::POST,
        "/bus-trips/{id}",
        BusTripRecord,
        &[BusView],
        p::trip_step,
    );
}
