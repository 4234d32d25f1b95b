//! The access matrix's write routes of the `inspections` feature (inspections, campaigns and cross-inspections): the object each is
//! about, the ids its body carries, a valid example body and what success looks like.

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/schools/{id}/inspections") => spec(
            Some(School),
            carried(RiskPoint, Expect::Field("items[0]")),
            |c| {
                let item = match c.opt(RiskPoint) {
                    Some(p) => json!({"risk_point_id": p, "result": "pass"}),
                    None => json!({"label": "门卫值守", "result": "pass"}),
                };
                json(json!({"kind": "daily", "items": [item]}))
            },
            Api,
        ),
        ("POST", "/schools/{id}/inspections/new") => spec(
            Some(School),
            None,
            |_| Body {
                query: String::new(),
                content_type: Some(MULTIPART),
                bytes: multipart(
                    &[
                        ("kind", "daily".into()),
                        ("rest", "pass".into()),
                        ("confirm_rest", "all".into()),
                    ],
                    0,
                ),
            },
            RedirectTo("/inspections/"),
        ),
        // One row of the half-month self-inspection saved as it is answered (the row's key
        // moves with the body's position); a school whose half-month is submitted: 409.
        ("POST", "/schools/{id}/inspections/new/items/{key}") => Spec {
            path: Some(School),
            carried: carried_no_district(HalfMonthPoint, Expect::Field("item")),
            body: |c| {
                form(&[
                    (&format!("res_p{}", c.id(HalfMonthPoint)), "fail".into()),
                    (
                        &format!("note_p{}", c.id(HalfMonthPoint)),
                        "灭火器压力不足".into(),
                    ),
                ])
            },
            success: RedirectTo("/schools/"),
            special: Some(half_month_submitted),
        },
        ("POST", "/risk-points/{id}/check") => spec(
            Some(RiskPoint),
            None,
            |_| Body {
                query: String::new(),
                content_type: Some(MULTIPART),
                bytes: multipart(
                    &[("rest", "pass".into()), ("confirm_rest", "all".into())],
                    0,
                ),
            },
            RedirectTo("/inspections/"),
        ),
        ("POST", "/api/v1/cross-assignments/{id}/inspection") => Spec {
            special: Some(not_the_assignee),
            ..spec(
                Some(Cross),
                None,
                |_| json(json!({"kind": "cross", "items": [{"label": "互查", "result": "pass"}]})),
                Api,
            )
        },
        ("POST", "/cross-inspections/{id}/inspect") => Spec {
            special: Some(not_the_assignee),
            ..spec(
                Some(Cross),
                None,
                |_| form(&[("rest", "pass".into()), ("confirm_rest", "all".into())]),
                RedirectTo("/inspections/"),
            )
        },
        ("POST", "/api/v1/campaigns") => spec(
            None,
            carried_no_district(District, Expect::NotFound),
            |c| {
                json(json!({
                    "name": format!("专项检查{}", c.n), "kind": "special",
                    "starts_on": "2026-01-01", "ends_on": "2030-12-31",
                    "org_id": c.id(District), "school_ids": [c.id(School)]
                }))
            },
            Api,
        ),
        ("POST", "/campaigns/new") => spec(
            None,
            carried(School, Expect::Field("school_ids")),
            |c| {
                form(&[
                    ("name", format!("专项{}", c.n)),
                    ("kind", "special".into()),
                    ("starts_on", "2026-01-01".into()),
                    ("ends_on", "2030-12-31".into()),
                    ("school_ids", c.id(School).to_string()),
                ])
            },
            RedirectTo("/campaigns/"),
        ),
        ("POST", "/api/v1/cross-assignments") => spec(
            None,
            carried(School, Expect::Field("pairs[0]")),
            |c| {
                json(json!({
                    "round_name": format!("互查{}", c.n), "starts_on": "2026-01-01",
                    "ends_on": "2030-12-31",
                    "pairs": [{"inspector_user_id": c.id(Inspector), "target_school_id": c.id(School)}]
                }))
            },
            Api,
        ),
        ("POST", "/cross-inspections/new") => spec(
            None,
            carried(School, Expect::Field("pairs[0]")),
            |c| {
                form(&[
                    ("round_name", format!("互查{}", c.n)),
                    ("starts_on", "2026-01-01".into()),
                    ("ends_on", "2030-12-31".into()),
                    ("inspector_0", c.id(Inspector).to_string()),
                    ("target_0", c.id(School).to_string()),
                ])
            },
            RedirectTo("/cross-inspections"),
        ),
        _ => return None,
    };
    Some(s)
}

/// A school whose current half-month is submitted answers 409 to whoever may save its rows.
fn half_month_submitted(c: &Call) -> Option<Expect> {
    let i = match c.at.path? {
        p @ (Pos::S001 | Pos::S002 | Pos::N001) => p.index(),
        _ => return None,
    };
    (c.allowed() && c.fx.half_month_submitted[i] && super::super::in_scope(c.fx, c.account, i))
        .then_some(Expect::Conflict)
}
