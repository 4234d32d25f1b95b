//! The access matrix's write routes of the `governance` feature: a governance action launched
//! by a bureau (API and the actions page's form), a school's result (again and again: a
//! second report replaces the first), and the bureau's award of a school's star rating (API
//! and the rating page's form; every award is kept).

use super::*;

fn today() -> String {
    safecampus::storage::risk_points::today().to_string()
}

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/governance-actions") => spec(
            None,
            carried(District, Expect::NotFound),
            |c| {
                json(
                    json!({"org_id": c.id(District), "kind": "special", "title": "矩阵专项",
                    "starts_on": today(), "ends_on": today(), "checklist": ["矩阵检查"]}),
                )
            },
            Api,
        ),
        ("POST", "/governance-actions") => spec(
            None,
            None,
            |_| {
                form(&[
                    ("kind", "special".into()),
                    ("title", "矩阵专项".into()),
                    ("starts_on", today()),
                    ("ends_on", today()),
                    ("checklist", "矩阵检查".into()),
                ])
            },
            RedirectTo("/governance-actions/"),
        ),
        ("POST", "/api/v1/governance-actions/{id}/results") => spec(
            Some(GovernanceAction),
            None,
            |_| json(json!({"checks": [true], "found": 1, "fixed": 1})),
            Api,
        ),
        ("POST", "/governance-actions/{id}/results") => spec(
            Some(GovernanceAction),
            None,
            |_| form(&[("check", "0".into()), ("found", "1".into())]),
            RedirectTo("/governance-actions/"),
        ),
        ("PUT", "/api/v1/schools/{id}/star-rating") => spec(
            Some(School),
            None,
            |_| json(json!({"year": 2025, "note": "矩阵评定"})),
            Api,
        ),
        ("POST", "/schools/{id}/star-rating") => spec(
            Some(School),
            None,
            |_| form(&[("year", "2025".into()), ("note", "矩阵评定".into())]),
            RedirectTo("/schools/"),
        ),
        _ => return None,
    };
    Some(s)
}
