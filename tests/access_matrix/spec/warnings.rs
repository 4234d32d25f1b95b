//! The access matrix's write routes of the `warnings` feature (the early warning's device
//! registry): the object each is about, the ids its body carries, a valid example body and
//! what success looks like.

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        // A zone or risk point of another school is a field error.
        ("POST", "/api/v1/schools/{id}/devices") => spec(
            Some(School),
            carried(Zone, Expect::Field("zone_id")),
            |c| {
                json(json!({
                    "code": format!("MX-{}", c.n), "kind": "gas", "name": "矩阵燃气探测器",
                    "zone_id": c.opt(Zone), "risk_point_id": c.opt(RiskPoint)
                }))
            },
            Api,
        ),
        ("PATCH", "/api/v1/devices/{id}") => spec(
            Some(Device),
            carried(Zone, Expect::Field("zone_id")),
            |c| json(json!({"name": format!("矩阵烟感{}", c.n), "zone_id": c.opt(Zone)})),
            Api,
        ),
        ("POST", "/api/v1/devices/{id}/token") => spec(Some(Device), None, none, Api),
        ("POST", "/schools/{id}/devices/new") => spec(
            Some(School),
            carried(Zone, Expect::Field("zone_id")),
            |c| {
                form(&[
                    ("code", format!("MP-{}", c.n)),
                    ("name", "矩阵水位计".into()),
                    ("kind", "water_level".into()),
                    (
                        "zone_id",
                        c.opt(Zone).map(|z| z.to_string()).unwrap_or_default(),
                    ),
                ])
            },
            Page,
        ),
        ("POST", "/devices/{id}/token") => spec(Some(Device), None, |_| form(&[]), Page),
        ("POST", "/devices/{id}/revoke") => spec(Some(Device), None, |_| form(&[]), Redirect),
        // A device's token only: every user, signed in or not, is unauthorised.
        ("POST", "/api/v1/ingest") => Spec {
            special: Some(|_| Some(Expect::Unauthorized)),
            ..spec(
                None,
                None,
                |c| {
                    json(json!({"events": [{"id": format!("u{}", c.n),
                        "at": chrono::Utc::now().to_rfc3339(), "metric": "smoke", "value": 1}]}))
                },
                Api,
            )
        },
        // The person must be an account of the warning's school (dispatching again is allowed,
        // so every account that may act succeeds on the same warning).
        ("POST", "/api/v1/warnings/{id}/actions") => spec(
            Some(Warning),
            carried(User, Expect::Field("user_id")),
            |c| json(json!({"action": "dispatch", "user_id": c.id(User)})),
            Api,
        ),
        // The page's step form: the same rule, answered by a redirect to the warning's page
        // (a field error is the page again with 422).
        ("POST", "/warnings/{id}/act") => spec(
            Some(Warning),
            carried(User, Expect::Field("user_id")),
            |c| {
                form(&[
                    ("action", "dispatch".into()),
                    ("user_id", c.id(User).to_string()),
                ])
            },
            Redirect,
        ),
        ("PATCH", "/api/v1/warning-rules/{id}") => spec(
            Some(Rule),
            None,
            |c| json(json!({"value": 20 + (c.n % 20), "enabled": true})),
            Api,
        ),
        // A school's id is a field error (a channel belongs to a district or city); the
        // district of each position is the body's org.
        ("POST", "/api/v1/notification-channels") => spec(
            None,
            carried(District, Expect::NotFound),
            |c| {
                json(json!({
                    "org_id": c.id(District), "kind": "webhook", "name": format!("矩阵通道{}", c.n),
                    "target": "http://127.0.0.1:9/matrix", "min_level": "orange"
                }))
            },
            Api,
        ),
        ("PATCH", "/api/v1/notification-channels/{id}") => spec(
            Some(Channel),
            None,
            |c| json(json!({"name": format!("矩阵通道{}", c.n), "enabled": true})),
            Api,
        ),
        // The channels page's forms: the same rules as the API, answered by a redirect to the
        // page (a field error is the page again with 422).
        ("POST", "/channels/new") => spec(
            None,
            carried(District, Expect::NotFound),
            |c| {
                form(&[
                    ("org_id", c.id(District).to_string()),
                    ("kind", "webhook".into()),
                    ("name", format!("矩阵页面通道{}", c.n)),
                    ("target", "http://127.0.0.1:9/matrix-page".into()),
                    ("min_level", "yellow".into()),
                    ("enabled", "on".into()),
                ])
            },
            Redirect,
        ),
        ("POST", "/channels/{id}") => spec(
            Some(Channel),
            None,
            |c| {
                form(&[
                    ("kind", "webhook".into()),
                    ("name", format!("矩阵通道{}", c.n)),
                    ("target", String::new()),
                    ("min_level", "orange".into()),
                    ("enabled", "on".into()),
                ])
            },
            Redirect,
        ),
        _ => return None,
    };
    Some(s)
}
