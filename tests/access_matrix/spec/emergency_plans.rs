//! The access matrix's write routes of the `emergency_plans` feature: a school's new draft
//! (API and the page's form) and the bureau's (with the district carried in the body), a
//! change to a draft (API and the editor), a step every plan actor may take again and again
//! (an evaluation's findings, API and the page's form), documents (API and page) and the
//! filing receipt (multipart), the expert pool (API and the page) and the working-day calendar (API and the
//! editor).

use super::*;

/// The shipped calendar file: saving it again is always valid.
fn calendar() -> String {
    safecampus::domain::calendar::SHIPPED_CSV.to_string()
}

fn upload(_: &Call) -> Body {
    Body {
        query: String::new(),
        content_type: Some(MULTIPART),
        bytes: multipart(&[], 1),
    }
}

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/schools/{id}/emergency-plans") => spec(
            Some(School),
            None,
            |c| {
                json(
                    json!({"title": format!("矩阵预案{}", c.n), "plan_type": "fire",
                    "form": "on_site"}),
                )
            },
            Api,
        ),
        ("POST", "/schools/{id}/emergency-plans") => spec(
            Some(School),
            None,
            |c| {
                form(&[
                    ("title", format!("矩阵预案{}", c.n)),
                    ("plan_type", "drowning".into()),
                    ("form", "topic".into()),
                ])
            },
            RedirectTo("/emergency-plans/"),
        ),
        ("POST", "/api/v1/emergency-plans") => spec(
            None,
            carried(District, Expect::NotFound),
            |c| {
                json(
                    json!({"org_id": c.id(District), "title": format!("矩阵区预案{}", c.n),
                    "plan_type": "other", "form": "comprehensive"}),
                )
            },
            Api,
        ),
        ("POST", "/emergency-plans") => spec(
            None,
            carried(District, Expect::NotFound),
            |c| {
                form(&[
                    ("org_id", c.id(District).to_string()),
                    ("title", format!("矩阵区预案{}", c.n)),
                    ("plan_type", "extreme_weather".into()),
                    ("form", "topic".into()),
                ])
            },
            RedirectTo("/emergency-plans/"),
        ),
        ("PATCH", "/api/v1/emergency-plans/{id}") => spec(
            Some(Plan),
            None,
            |c| json(json!({"title": format!("矩阵预案草稿{}", c.n)})),
            Api,
        ),
        ("POST", "/emergency-plans/{id}") => spec(
            Some(Plan),
            None,
            |c| {
                form(&[
                    ("title", format!("矩阵预案草稿{}", c.n)),
                    ("plan_type", "fire".into()),
                    ("form", "topic".into()),
                    ("ct_name", "火警".into()),
                    ("ct_phone", "119".into()),
                ])
            },
            RedirectTo("/emergency-plans/"),
        ),
        ("POST", "/api/v1/emergency-plans/{id}/actions") => spec(
            Some(PlanEvaluating),
            None,
            |_| json(json!({"action": "review", "note": "矩阵评估意见"})),
            Api,
        ),
        ("POST", "/emergency-plans/{id}/actions") => spec(
            Some(PlanEvaluating),
            None,
            |_| form(&[("action", "review".into()), ("note", "矩阵评估意见".into())]),
            RedirectTo("/emergency-plans/"),
        ),
        ("POST", "/api/v1/emergency-plans/{id}/documents") => spec(Some(Plan), None, upload, Api),
        ("POST", "/emergency-plans/{id}/documents") => {
            spec(Some(Plan), None, upload, RedirectTo("/emergency-plans/"))
        }
        ("POST", "/emergency-plans/{id}/receipt") => spec(
            Some(PlanEvaluating),
            None,
            upload,
            RedirectTo("/emergency-plans/"),
        ),
        ("POST", "/api/v1/plan-experts") => spec(
            None,
            carried(District, Expect::NotFound),
            |c| {
                json(
                    json!({"org_id": c.id(District), "user_id": c.id(ExpertUser),
                    "speciality": "消防安全"}),
                )
            },
            Api,
        ),
        ("POST", "/plan-experts") => spec(
            None,
            carried(District, Expect::NotFound),
            |c| {
                form(&[
                    ("org_id", c.id(District).to_string()),
                    ("user_id", c.id(ExpertUser).to_string()),
                    ("speciality", "应急管理".into()),
                ])
            },
            RedirectTo("/plan-experts"),
        ),
        ("PUT", "/api/v1/calendar/working-days") => {
            spec(None, None, |_| json(json!({"csv": calendar()})), Api)
        }
        ("POST", "/calendar") => spec(
            None,
            None,
            |_| form(&[("csv", calendar())]),
            RedirectTo("/calendar"),
        ),
        _ => return None,
    };
    Some(s)
}
