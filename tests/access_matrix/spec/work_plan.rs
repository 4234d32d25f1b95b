//! The access matrix's write routes of the `work_plan` feature: a plan for a new year (API),
//! an edit (API, and the plan page's form) and a copy of a district's plan, and meetings,
//! trainings and education activities (API and the records page's form), which every allowed
//! account may record again and again.

use super::*;

fn today() -> String {
    safecampus::storage::risk_points::today().to_string()
}

/// A year no other call of the case has taken.
fn year(c: &Call) -> i64 {
    2100 + (c.n % 800) as i64
}

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/work-plans") => spec(
            None,
            carried(District, Expect::NotFound),
            |c| {
                json(
                    json!({"district_id": c.id(District), "year": year(c), "title": "矩阵要点",
                    "items": [{"number": 1, "title": "矩阵条目"}]}),
                )
            },
            Api,
        ),
        ("PATCH", "/api/v1/work-plans/{id}") => spec(
            Some(WorkPlan),
            None,
            |_| json(json!({"title": "矩阵工作要点（修订）", "note": "矩阵"})),
            Api,
        ),
        ("POST", "/api/v1/work-plans/{id}/copy") => spec(
            Some(WorkPlan),
            None,
            |c| json(json!({"year": year(c)})),
            Api,
        ),
        ("POST", "/api/v1/meetings") => spec(
            None,
            carried(Org, Expect::NotFound),
            |c| {
                let kind = if c.at.body == Some(Pos::District) {
                    "district_safety"
                } else {
                    "school_analysis"
                };
                json(
                    json!({"org_id": c.id(Org), "kind": kind, "held_on": today(),
                    "title": "矩阵会议"}),
                )
            },
            Api,
        ),
        ("POST", "/api/v1/trainings") => spec(
            None,
            carried(Org, Expect::NotFound),
            |c| {
                json(
                    json!({"org_id": c.id(Org), "group": "teachers", "held_on": today(),
                    "topic": "矩阵培训", "hours": 1.5, "attendee_count": 30}),
                )
            },
            Api,
        ),
        // The guards' training of the school: a fresh person of every school has this name.
        ("POST", "/api/v1/trainings/{id}/attendance") | ("POST", "/trainings/{id}/attendance") => {
            spec(
                Some(Training),
                None,
                |_| xlsx(&["姓名"], vec![text("矩阵人员0")]),
                if path.starts_with("/api/") { Api } else { Page },
            )
        }
        ("POST", "/api/v1/education-activities") => spec(
            None,
            carried(School, Expect::NotFound),
            |c| {
                json(
                    json!({"school_id": c.id(School), "kind": "fire_day", "held_on": today(),
                    "title": "矩阵活动", "classes": 3, "pupils": 120}),
                )
            },
            Api,
        ),
        ("POST", "/work-plans/{id}") => spec(
            Some(WorkPlan),
            None,
            |_| {
                form(&[
                    ("op", "item".into()),
                    ("number", "1".into()),
                    ("text", "矩阵条目内容".into()),
                    ("lead", "安全科".into()),
                    ("cooperating", "办公室、财务科".into()),
                ])
            },
            RedirectTo("/work-plans/"),
        ),
        ("POST", "/work-records") => spec(
            None,
            carried(Org, Expect::NotFound),
            |c| {
                form(&[
                    ("form", "training".into()),
                    ("org_id", c.id(Org).to_string()),
                    ("kind", "guards".into()),
                    ("held_on", today()),
                    ("title", "矩阵培训".into()),
                    ("hours", "2".into()),
                    ("attendee_count", "5".into()),
                ])
            },
            RedirectTo("/work-records"),
        ),
        _ => return None,
    };
    Some(s)
}
