//! The access matrix's write routes of the `risk` feature (the risk catalogue, registers and assessments): the object each is
//! about, the ids its body carries, a valid example body and what success looks like.

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/risk-catalog/import") | ("POST", "/risk/catalog/import") => spec(
            None,
            carried_no_district(Catalog, Expect::NotFound),
            |c| {
                let (entries, _) = safecampus::domain::catalog::parse_csv(
                    safecampus::domain::catalog::DEFAULT_CSV,
                )
                .expect("csv");
                let headers: Vec<&str> = safecampus::domain::catalog::COLUMNS.to_vec();
                let mut b = xlsx(
                    &headers,
                    entries[0].cells().into_iter().map(Cell::Text).collect(),
                );
                b.query = format!("org_id={}", c.id(Catalog));
                b
            },
            if path.starts_with("/api/") { Api } else { Page },
        ),
        ("PUT", "/api/v1/risk-catalog/items/{id}") => spec(
            Some(CatalogItem),
            None,
            |_| {
                json(json!({
                    "aspect": "things", "category": "校舍安全", "point_type": "facility",
                    "name": "教学楼楼梯间", "hazard_factors": "扶手松动",
                    "default_l": 3, "default_e": 6, "default_c": 7,
                    "measures": {"management": "每周检查", "emergency": "疏散"},
                    "check_items": "扶手牢固", "check_frequency": "weekly",
                    "control_level": "department", "responsible_post": "safety_director"
                }))
            },
            Api,
        ),
        ("POST", "/risk/catalog/items/{id}") => spec(
            Some(CatalogItem),
            None,
            |_| {
                form(&[
                    ("aspect", "things".into()),
                    ("category", "校舍安全".into()),
                    ("point_type", "facility".into()),
                    ("name", "教学楼楼梯间".into()),
                    ("hazard_factors", "扶手松动".into()),
                    ("default_l", "3".into()),
                    ("default_e", "6".into()),
                    ("default_c", "7".into()),
                    ("m_management", "每周检查".into()),
                    ("m_emergency", "疏散".into()),
                    ("check_items", "扶手牢固".into()),
                    ("check_frequency", "weekly".into()),
                    ("control_level", "department".into()),
                    ("responsible_post", "safety_director".into()),
                ])
            },
            RedirectTo("/risk/catalog/items/"),
        ),
        ("POST", "/api/v1/risk/evaluate") => spec(
            None,
            None,
            |_| json(json!({"method": "LEC", "l": 3, "e": 6, "c": 7})),
            Api,
        ),
        ("POST", "/api/v1/schools/{id}/risk-points") => spec(
            Some(School),
            carried(Zone, Expect::Field("zone_id")),
            |c| {
                json(json!({
                    "code": format!("X{}", c.n), "name": "自有风险点", "aspect": "things",
                    "category": "校舍安全", "hazard_factors": "墙皮脱落", "zone_id": c.opt(Zone)
                }))
            },
            Api,
        ),
        ("POST", "/schools/{id}/risks/new") => spec(
            Some(School),
            None,
            |c| {
                form(&[
                    ("code", format!("Y{}", c.n)),
                    ("name", "自有风险点".into()),
                    ("aspect", "things".into()),
                    ("category", "校舍安全".into()),
                    ("point_type", "facility".into()),
                    ("hazard_factors", "墙皮脱落".into()),
                ])
            },
            Redirect,
        ),
        ("POST", "/api/v1/schools/{id}/risk-points/instantiate") => {
            spec(Some(School), None, none, Api)
        }
        ("POST", "/schools/{id}/risks/instantiate") => spec(Some(School), None, none, Redirect),
        ("PATCH", "/api/v1/risk-points/{id}") => spec(
            Some(RiskPoint),
            carried(Zone, Expect::Field("zone_id")),
            |c| json(json!({"check_frequency": "weekly", "zone_id": c.id(Zone)})),
            Api,
        ),
        ("POST", "/risk-points/{id}/edit") => spec(
            Some(RiskPoint),
            carried(Zone, Expect::Field("zone_id")),
            |c| {
                form(&[
                    ("zone_id", c.id(Zone).to_string()),
                    ("control_level", "school".into()),
                    ("control_level_reason", "校级统一管控".into()),
                ])
            },
            RedirectTo("/risk-points/"),
        ),
        ("POST", "/api/v1/risk-points/{id}/assessments") => spec(
            Some(RiskPoint),
            None,
            |_| json(json!({"method": "LEC", "l": 3, "e": 6, "c": 7})),
            Api,
        ),
        ("POST", "/risk-points/{id}/assess") => spec(
            Some(RiskPoint),
            None,
            |_| {
                form(&[
                    ("method", "LS".into()),
                    ("ls_l", "2".into()),
                    ("ls_s", "3".into()),
                ])
            },
            RedirectTo("/risk-points/"),
        ),
        _ => return None,
    };
    Some(s)
}
