//! The access matrix's write routes of the `orgs` feature (the org tree, schools, people and zones): the object each is
//! about, the ids its body carries, a valid example body and what success looks like.

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/orgs") => spec(
            None,
            None,
            |c| {
                json(
                    json!({"code": format!("X{}", c.n), "name": "测试区", "kind": "district",
                    "parent_id": c.fx.city}),
                )
            },
            Api,
        ),
        ("POST", "/api/v1/schools") => spec(
            None,
            carried_no_district(District, Expect::NotFound),
            |c| {
                json(
                    json!({"code": format!("T{}", c.n), "name": "测试学校", "kind": "primary",
                    "district_id": c.id(District)}),
                )
            },
            Api,
        ),
        ("POST", "/schools/new") => spec(
            None,
            carried_no_district(District, Expect::NotFound),
            |c| {
                form(&[
                    ("code", format!("H{}", c.n)),
                    ("name", "测试学校".into()),
                    ("kind", "primary".into()),
                    ("district_id", c.id(District).to_string()),
                ])
            },
            Redirect,
        ),
        ("PATCH", "/api/v1/schools/{id}") => spec(
            Some(School),
            None,
            |c| json(json!({"phone": format!("0431-8888{:04}", c.n % 10_000)})),
            Api,
        ),
        ("POST", "/schools/{id}/edit") => spec(
            Some(School),
            None,
            |_| form(&[("name", "测试学校名称".into()), ("kind", "primary".into())]),
            Redirect,
        ),
        ("POST", "/api/v1/schools/import") | ("POST", "/schools/import") => spec(
            None,
            carried_no_district(District, Expect::Field("district")),
            |c| {
                xlsx(
                    &["代码", "名称", "类型", "所属区县"],
                    vec![
                        text(format!("I{}", c.n)),
                        text("导入测试学校"),
                        text("小学"),
                        text(c.district_code()),
                    ],
                )
            },
            if path.starts_with("/api/") { Api } else { Page },
        ),
        ("POST", "/api/v1/schools/{id}/people") => spec(
            Some(School),
            None,
            |_| json(json!({"name": "测试人员", "post": "teacher"})),
            Api,
        ),
        ("POST", "/schools/{id}/people/new") => spec(
            Some(School),
            None,
            |_| form(&[("name", "测试人员".into()), ("post", "teacher".into())]),
            Redirect,
        ),
        ("PUT", "/api/v1/people/{id}") => spec(
            Some(Person),
            None,
            |_| json(json!({"name": "测试人员", "post": "teacher", "phone": "13800000000"})),
            Api,
        ),
        ("POST", "/people/{id}/edit") => spec(
            Some(Person),
            None,
            |_| form(&[("name", "测试人员".into()), ("post", "teacher".into())]),
            Redirect,
        ),
        ("DELETE", "/api/v1/people/{id}") => spec(Some(FreshPerson), None, none, Api),
        ("POST", "/people/{id}/remove") => spec(Some(FreshPerson), None, none, Redirect),
        ("POST", "/api/v1/schools/{id}/people/import")
        | ("POST", "/schools/{id}/people/import") => spec(
            Some(School),
            None,
            |c| {
                xlsx(
                    &["姓名", "岗位"],
                    vec![text(format!("导入{}", c.n)), text("教师")],
                )
            },
            if path.starts_with("/api/") { Api } else { Page },
        ),
        ("POST", "/api/v1/schools/{id}/zones") => spec(
            Some(School),
            carried(Person, Expect::Field("responsible_person_id")),
            |c| {
                json(
                    json!({"code": format!("TZ{}", c.n), "name": "测试区域", "zone_type": "area",
                    "responsible_person_id": c.opt(Person)}),
                )
            },
            Api,
        ),
        ("PUT", "/api/v1/zones/{id}") => spec(
            Some(Zone),
            carried(Person, Expect::Field("responsible_person_id")),
            |c| {
                json(
                    json!({"code": format!("TU{}", c.n), "name": "测试区域", "zone_type": "area",
                    "responsible_person_id": c.id(Person)}),
                )
            },
            Api,
        ),
        ("POST", "/schools/{id}/zones/new") | ("POST", "/zones/{id}/edit") => spec(
            if path.starts_with("/zones") {
                Some(Zone)
            } else {
                Some(School)
            },
            carried(Person, Expect::Field("responsible_person_id")),
            |c| {
                form(&[
                    ("code", format!("HZ{}", c.n)),
                    ("name", "测试区域".into()),
                    ("zone_type", "area".into()),
                    (
                        "responsible_person_id",
                        c.opt(Person).map(|i| i.to_string()).unwrap_or_default(),
                    ),
                ])
            },
            Redirect,
        ),
        ("POST", "/api/v1/schools/{id}/zones/import") | ("POST", "/schools/{id}/zones/import") => {
            spec(
                Some(School),
                None,
                |c| {
                    xlsx(
                        &["代码", "名称", "区域类型"],
                        vec![text(format!("Q{}", c.n)), text("测试区域"), text("区域")],
                    )
                },
                if path.starts_with("/api/") { Api } else { Page },
            )
        }
        _ => return None,
    };
    Some(s)
}
