//! The access matrix's write routes of the `hazards` feature (the hazard loop): the object each is
//! about, the ids its body carries, a valid example body and what success looks like.

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/schools/{id}/hazards") => spec(
            Some(School),
            carried(Zone, Expect::Field("zone_id")),
            |c| {
                json(
                    json!({"title": format!("隐患{}", c.n), "aspect": "things", "category": "校舍",
                    "zone_id": c.opt(Zone)}),
                )
            },
            Api,
        ),
        ("POST", "/schools/{id}/hazards/new") => spec(
            Some(School),
            carried(Zone, Expect::Field("zone_id")),
            |c| {
                form(&[
                    ("title", format!("隐患{}", c.n)),
                    ("aspect", "things".into()),
                    ("category", "校舍".into()),
                    (
                        "zone_id",
                        c.opt(Zone).map(|i| i.to_string()).unwrap_or_default(),
                    ),
                ])
            },
            RedirectTo("/hazards/"),
        ),
        // Anyone in the loop may fix an assessed general hazard on the spot, once: each
        // account has its own.
        ("POST", "/api/v1/hazards/{id}/actions") => spec(
            Some(FreshHazard),
            carried(File, Expect::Field("photo_ids")),
            |c| {
                json(json!({"action": "fix_on_spot", "note": "已当场整改",
                    "photo_ids": [c.id(File)]}))
            },
            Api,
        ),
        ("POST", "/hazards/{id}/actions") => spec(
            Some(FreshHazard),
            carried(File, Expect::Field("photo_ids")),
            |c| {
                form(&[
                    ("action", "fix_on_spot".into()),
                    ("note", "已当场整改".into()),
                    ("photo_ids", c.id(File).to_string()),
                ])
            },
            RedirectTo("/hazards/"),
        ),
        // The bureau urges the school on (督办) about an open hazard; the state stays.
        ("POST", "/api/v1/hazards/{id}/urge") => spec(
            Some(Hazard),
            None,
            |c| json(json!({"message": format!("请尽快整改{}", c.n)})),
            Api,
        ),
        ("POST", "/hazards/{id}/urge") => spec(
            Some(Hazard),
            None,
            |c| form(&[("message", format!("请尽快整改{}", c.n))]),
            RedirectTo("/hazards/"),
        ),
        _ => return None,
    };
    Some(s)
}
