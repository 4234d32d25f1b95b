//! The access matrix's write routes of the `buses` feature: a bus, a driver (and a record of
//! his), an attendant and a route of a school registered, a bus and a driver changed, riders
//! imported and one marked as left, a use permit applied for and forwarded (through the API
//! and the pages' forms), a trip planned and its boarding count recorded, and the stateless
//! eligibility check; the pages' forms for a bus, a driver, an attendant, a route and a trip's
//! step.

use super::*;

fn in_days(n: i64) -> String {
    (safecampus::storage::risk_points::today() + chrono::Duration::days(n)).to_string()
}

/// Staff may record a trip they drive or attend alone: the matrix's trips are driven and
/// attended by people no demo account is, so staff who see the trip are refused.
fn not_on_the_trip(c: &Call) -> Option<Expect> {
    let i = match c.at.path? {
        p @ (Pos::S001 | Pos::S002 | Pos::N001) => p.index(),
        _ => return None,
    };
    let staff = c.account.role() == Some(safecampus::domain::role::Role::Staff);
    (staff && super::super::in_scope(c.fx, c.account, i)).then_some(Expect::Forbidden)
}

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/schools/{id}/buses") => spec(
            Some(School),
            None,
            |c| {
                json(
                    json!({"plate": format!("吉Z·{}{:04}", c.k, c.n), "owner": "矩阵校车公司",
                    "seats": 19, "bus_type": "primary", "inspection_until": in_days(150),
                    "insurance_until": in_days(200)}),
                )
            },
            Api,
        ),
        ("PATCH", "/api/v1/buses/{id}") => spec(
            Some(Bus),
            None,
            |_| json(json!({"owner": "矩阵校车公司（改）"})),
            Api,
        ),
        ("POST", "/api/v1/bus-permits") => spec(
            None,
            carried_no_district(School, Expect::NotFound),
            |c| {
                json(json!({"school_id": c.id(School), "vehicle_id": c.id(Bus),
                    "route_id": c.id(BusRoute), "driver_ids": [c.id(BusDriver)],
                    "operating_times": "07:00–07:20", "safety_rules": "矩阵校车安全制度"}))
            },
            Api,
        ),
        ("POST", "/bus-permits") => spec(
            None,
            carried_no_district(School, Expect::NotFound),
            |c| {
                form(&[
                    ("school_id", c.id(School).to_string()),
                    ("vehicle_id", c.id(Bus).to_string()),
                    ("route_id", c.id(BusRoute).to_string()),
                    ("driver_ids", c.id(BusDriver).to_string()),
                    ("operating_times", "07:00–07:20".into()),
                    ("safety_rules", "矩阵校车安全制度".into()),
                ])
            },
            RedirectTo("/bus-permits/"),
        ),
        ("POST", "/bus-permits/{id}") => spec(
            Some(FreshBusPermit),
            None,
            |_| form(&[("action", "forward".into())]),
            RedirectTo("/bus-permits/"),
        ),
        ("POST", "/api/v1/bus-permits/{id}/actions") => spec(
            Some(FreshBusPermit),
            None,
            |_| json(json!({"action": "forward"})),
            Api,
        ),
        ("POST", "/api/v1/bus-drivers/eligibility") => spec(
            None,
            None,
            |_| json(json!({"birth_date": "1980-03-15", "licensed_since": "2005-07-01"})),
            Api,
        ),
        ("POST", "/api/v1/schools/{id}/bus-drivers") => spec(
            Some(School),
            None,
            |c| {
                json(
                    json!({"person_id": c.id(FreshDriverPerson), "licence_class": "a1",
                    "licensed_since": "2005-07-01", "birth_date": "1980-03-15",
                    "health_certificate_until": in_days(300),
                    "annual_review_until": in_days(300), "review_study_hours": 3.5}),
                )
            },
            Api,
        ),
        ("PATCH", "/api/v1/bus-drivers/{id}") => spec(
            Some(BusDriver),
            None,
            |_| json(json!({"review_study_hours": 4.0})),
            Api,
        ),
        ("POST", "/api/v1/bus-drivers/{id}/records") => spec(
            Some(BusDriver),
            None,
            |_| json(json!({"kind": "training", "on": in_days(-1), "hours": 2.0})),
            Api,
        ),
        ("POST", "/api/v1/schools/{id}/bus-attendants") => spec(
            Some(School),
            None,
            |c| {
                json(
                    json!({"person_id": c.id(FreshAttendantPerson), "birth_date": "1985-01-01",
                    "trainings": [{"on": in_days(-30), "hours": 4.0, "topic": "应急处置"}]}),
                )
            },
            Api,
        ),
        ("POST", "/api/v1/schools/{id}/bus-routes") => spec(
            Some(School),
            None,
            |c| {
                json(
                    json!({"name": format!("矩阵线路{}-{}", c.k, c.n), "stops": [
                    {"name": "东站", "lat": 43.880, "lon": 125.300, "time": "07:00"},
                    {"name": "学校", "lat": 43.880, "lon": 125.320, "time": "07:20"}]}),
                )
            },
            Api,
        ),
        ("POST", "/api/v1/bus-riders/{id}/leave") => {
            spec(Some(BusRider), None, |_| json(json!({})), Api)
        }
        ("PATCH", "/api/v1/bus-riders/{id}/basis") => spec(
            Some(BusRider),
            None,
            |_| json(json!({"under_14": true, "legal_basis": "statutory_duty"})),
            Api,
        ),
        ("POST", "/bus-riders/{id}/consents") => spec(
            Some(BusRider),
            None,
            |_| {
                form(&[
                    ("purpose", "guardian_contact".into()),
                    ("step", "give".into()),
                ])
            },
            RedirectTo("/schools/"),
        ),
        ("POST", "/api/v1/bus-riders/{id}/consents") => spec(
            Some(BusRider),
            None,
            |c| {
                let step = if c.n % 2 == 0 { "give" } else { "withdraw" };
                json(json!({"purpose": "guardian_contact", "step": step}))
            },
            Api,
        ),
        ("POST", "/api/v1/bus-routes/{id}/riders/import") => spec(
            Some(BusRoute),
            None,
            |_| {
                xlsx(
                    &["rider_name", "class_name", "stop", "guardian", "phone"],
                    vec![
                        text("矩阵学生"),
                        text("一年级一班"),
                        text("东站"),
                        text("矩阵家长"),
                        text("13800002222"),
                    ],
                )
            },
            Api,
        ),
        ("POST", "/api/v1/bus-trips") => spec(
            None,
            carried(BusRoute, Expect::NotFound),
            |c| {
                json(json!({"route_id": c.id(BusRoute), "vehicle_id": c.id(Bus),
                    "driver_id": c.id(BusDriver), "attendant_ids": [c.id(BusAttendant)],
                    "run": "矩阵早班"}))
            },
            Api,
        ),
        ("POST", "/api/v1/bus-trips/{id}/actions") => Spec {
            special: Some(not_on_the_trip),
            ..spec(
                Some(BusTrip),
                None,
                |_| json(json!({"action": "board", "count": 5})),
                Api,
            )
        },
        ("POST", "/schools/{id}/buses") => spec(
            Some(School),
            None,
            |c| {
                form(&[
                    ("plate", format!("吉Y·{}{:04}", c.k, c.n)),
                    ("owner", "矩阵校车公司".into()),
                    ("seats", "19".into()),
                    ("bus_type", "primary".into()),
                    ("inspection_until", in_days(150)),
                    ("insurance_until", in_days(200)),
                    ("equipment", "escape_hammer".into()),
                ])
            },
            RedirectTo("/buses/"),
        ),
        ("POST", "/schools/{id}/bus-drivers") => spec(
            Some(School),
            None,
            |c| {
                form(&[
                    ("person_id", c.id(FreshDriverPerson).to_string()),
                    ("licence_class", "A1".into()),
                    ("licensed_since", "2005-07-01".into()),
                    ("birth_date", "1980-03-15".into()),
                    ("health_certificate_until", in_days(300)),
                    ("annual_review_until", in_days(300)),
                    ("review_study_hours", "3.5".into()),
                ])
            },
            RedirectTo("/bus-drivers"),
        ),
        ("POST", "/schools/{id}/bus-attendants") => spec(
            Some(School),
            None,
            |c| {
                form(&[
                    ("person_id", c.id(FreshAttendantPerson).to_string()),
                    ("birth_date", "1985-01-01".into()),
                    ("training_on", in_days(-30)),
                    ("training_hours", "4".into()),
                    ("training_topic", "应急处置".into()),
                ])
            },
            RedirectTo("/schools/"),
        ),
        ("POST", "/schools/{id}/bus-routes") => spec(
            Some(School),
            None,
            |c| {
                form(&[
                    ("name", format!("矩阵表单线路{}-{}", c.k, c.n)),
                    (
                        "stops",
                        "东站, 43.880, 125.300, 07:00\n学校, 43.880, 125.320, 07:20".into(),
                    ),
                ])
            },
            RedirectTo("/schools/"),
        ),
        ("POST", "/bus-trips/{id}") => Spec {
            special: Some(not_on_the_trip),
            ..spec(
                Some(BusTrip),
                None,
                |_| form(&[("action", "board".into()), ("count", "5".into())]),
                RedirectTo("/bus-trips/"),
            )
        },
        _ => return None,
    };
    Some(s)
}
