//! The access matrix's write routes of the `privacy` feature: a grant to see a route's riders
//! whole asked for (through the API and the routes page's form) and a pending one refused
//! (through the API and the grants page's form; the school's guard asked for each, so no
//! approver decides on their own request).

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/pii-grants") => spec(
            None,
            carried(BusRoute, Expect::NotFound),
            |c| {
                json(json!({"subject": "bus_riders", "object_id": c.id(BusRoute),
                    "reason": format!("矩阵申请{}", c.n), "hours": 2}))
            },
            Api,
        ),
        ("POST", "/bus-routes/{id}/name-grants") => spec(
            Some(BusRoute),
            None,
            |c| {
                form(&[
                    ("reason", format!("矩阵申请{}", c.n)),
                    ("hours", "2".into()),
                ])
            },
            RedirectTo("/privacy/grants"),
        ),
        ("POST", "/api/v1/pii-grants/{id}/actions") => spec(
            Some(FreshGrant),
            None,
            |_| json(json!({"action": "reject", "note": "矩阵不予批准"})),
            Api,
        ),
        ("POST", "/privacy/grants/{id}/actions") => spec(
            Some(FreshFormGrant),
            None,
            |_| form(&[("action", "reject".into()), ("note", "矩阵不予批准".into())]),
            RedirectTo("/privacy/grants"),
        ),
        _ => return None,
    };
    Some(s)
}
