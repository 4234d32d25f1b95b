//! The access matrix's write routes of the `drills` feature: plan a drill (API and the page's
//! form), move a planned drill's day (API and the drill page's form) and add a photo to it
//! (multipart), which every allowed account may do again and again.

use super::*;

fn in_days(n: i64) -> String {
    (safecampus::storage::risk_points::today() + chrono::Duration::days(n)).to_string()
}

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/schools/{id}/drills") => spec(
            Some(School),
            None,
            |_| json(json!({"kind": "fire", "notice": "announced", "planned_on": in_days(7)})),
            Api,
        ),
        ("POST", "/schools/{id}/drills") => spec(
            Some(School),
            None,
            |_| {
                form(&[
                    ("action", "plan".into()),
                    ("kind", "earthquake".into()),
                    ("notice", "unannounced".into()),
                    ("planned_on", in_days(7)),
                ])
            },
            RedirectTo("/drills/"),
        ),
        ("PATCH", "/api/v1/drills/{id}") => spec(
            Some(Drill),
            None,
            |_| json(json!({"planned_on": in_days(10), "buildings": "教学楼 1-4 层"})),
            Api,
        ),
        ("POST", "/drills/{id}") => spec(
            Some(Drill),
            None,
            |_| {
                form(&[
                    ("action", "replan".into()),
                    ("planned_on", in_days(9)),
                    ("buildings", "教学楼 1-3 层".into()),
                ])
            },
            RedirectTo("/drills/"),
        ),
        // Photos of a planned drill (every recorder adds one).
        ("POST", "/drills/{id}/photos") => spec(
            Some(Drill),
            None,
            |_| Body {
                query: String::new(),
                content_type: Some(MULTIPART),
                bytes: multipart(&[], 1),
            },
            RedirectTo("/drills/"),
        ),
        _ => return None,
    };
    Some(s)
}
