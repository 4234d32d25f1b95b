//! **The body table**: what each route's `{id}` is, the ids its body or query carries, a valid
//! example body, and what success looks like. A write route must have an entry in
//! [`write_spec`] (else its case fails, naming it); a read route gets one from its path
//! ([`read_spec`]) unless listed there.
//!
//! To add a module's routes: add its objects to [`Obj`] and the fixture, then one arm per
//! write route in [`write_spec`] (and a query filter in [`read_spec`] if its lists take one).

use super::fixture::{Account, Fixture, MULTIPART, multipart};
use safecampus::policy::Action;
use safecampus::web::routes::RouteInfo;
use safecampus::xlsx::{Cell, write_sheet};
use serde_json::{Value, json};

/// Where an id points.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pos {
    S001,
    S002,
    N001,
    Missing,
    /// 二道区's id (a district) where the route expects a school.
    District,
}

impl Pos {
    pub fn index(self) -> usize {
        match self {
            Pos::S001 => 0,
            Pos::S002 => 1,
            Pos::N001 => 2,
            p => panic!("{p:?} has no school"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Pos::S001 => "S001",
            Pos::S002 => "S002",
            Pos::N001 => "N001",
            Pos::Missing => "missing",
            Pos::District => "district",
        }
    }
}

/// The position of a call: of the path `{id}` and of the ids in the body or query (`None`:
/// the route has none, or they are left out).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct At {
    pub path: Option<Pos>,
    pub body: Option<Pos>,
}

impl At {
    /// `S001`, `S001+body:N001` (mixed), `body:S002` (ids only in the body), `-`.
    pub fn label(&self) -> String {
        match (self.path, self.body) {
            (Some(p), Some(b)) if p != b => format!("{}+body:{}", p.label(), b.label()),
            (Some(p), _) => p.label().to_string(),
            (None, Some(b)) => format!("body:{}", b.label()),
            (None, None) => "-".into(),
        }
    }
}

/// What an id stands for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Obj {
    School,
    /// An org node filter that takes a school or a district.
    Org,
    /// The district of the school at the position (the node itself).
    District,
    /// The catalogue of the district of the school at the position (read by its schools too).
    Catalog,
    Person,
    /// A person of the school for this account alone (routes that remove one).
    FreshPerson,
    Zone,
    User,
    /// A staff account of another school of the same district (a cross-inspector).
    Inspector,
    RiskPoint,
    CatalogItem,
    Inspection,
    Campaign,
    Cross,
    Hazard,
    /// An assessed hazard of the school for this account alone (steps happen once).
    FreshHazard,
    File,
}

/// A route's success.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Success {
    /// Any 2xx.
    Api,
    /// 200 (a page, or a form that shows its result on the page).
    Page,
    /// 303/302 to a local page other than the sign-in page.
    Redirect,
    /// 303/302 to a location starting with this.
    RedirectTo(&'static str),
}

/// An expected answer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Expect {
    Unauthorized,
    /// A page's redirect to the sign-in page.
    Login,
    Forbidden,
    NotFound,
    /// A documented 409 (e.g. a cross-inspection submitted by someone not assigned).
    Conflict,
    /// 422 naming a field starting with this (pages: the status only).
    Field(&'static str),
    Success(Success),
}

/// The ids a body or query carries, and the answer when they are foreign: out of the caller's
/// scope (routes without a path id), or of another school than the path's object (mixed
/// positions).
#[derive(Clone, Copy, Debug)]
pub struct Carried {
    /// Whose scope decides (for routes without a path id).
    pub obj: Obj,
    pub foreign: Expect,
    /// Also called without them (optional list filters).
    pub also_without: bool,
    /// Not called with 二道区's id.
    pub no_district: bool,
}

const fn carried(obj: Obj, foreign: Expect) -> Option<Carried> {
    Some(Carried {
        obj,
        foreign,
        also_without: false,
        no_district: false,
    })
}

const fn filter(obj: Obj) -> Option<Carried> {
    Some(Carried {
        obj,
        foreign: Expect::NotFound,
        also_without: true,
        no_district: false,
    })
}

const fn carried_no_district(obj: Obj, foreign: Expect) -> Option<Carried> {
    Some(Carried {
        obj,
        foreign,
        also_without: false,
        no_district: true,
    })
}

/// One call of a route.
pub struct Call<'a> {
    pub fx: &'a Fixture,
    /// The account's index (for per-account objects).
    pub k: usize,
    pub account: &'a Account,
    pub at: At,
    /// A number unique within the case (for codes and names).
    pub n: u64,
    pub action: Action,
}

impl Call<'_> {
    /// The id of a carried object at the body's position (the path's when there is none).
    pub fn id(&self, obj: Obj) -> i64 {
        let p = self.at.body.or(self.at.path).unwrap_or(Pos::S001);
        super::id_of(self.fx, obj, p, self.k)
    }

    /// Like [`Call::id`], but `None` at 二道区's position: a district has no zones, people or
    /// points, so the optional ids are left out there (what a careless client would send).
    pub fn opt(&self, obj: Obj) -> Option<i64> {
        (self.at.body.or(self.at.path) != Some(Pos::District)).then(|| self.id(obj))
    }

    /// The district code carried by an import at the body's position.
    fn district_code(&self) -> String {
        match self.at.body.unwrap_or(Pos::S001) {
            Pos::Missing => "ZZ9".into(),
            Pos::District => "ED".into(),
            p => self.fx.district_code[p.index()].clone(),
        }
    }

    fn allowed(&self) -> bool {
        self.account
            .role()
            .is_some_and(|r| safecampus::policy::allows(r, self.action))
    }
}

/// A request's body and query string.
pub struct Body {
    pub query: String,
    pub content_type: Option<&'static str>,
    pub bytes: Vec<u8>,
}

pub struct Spec {
    /// What `{id}` is; `None` when the path has none.
    pub path: Option<Obj>,
    pub carried: Option<Carried>,
    pub body: fn(&Call) -> Body,
    pub success: Success,
    /// A route's own rule, taking precedence over scope and policy (after sign-in).
    pub special: Option<fn(&Call) -> Option<Expect>>,
}

fn none(_: &Call) -> Body {
    Body {
        query: String::new(),
        content_type: None,
        bytes: Vec::new(),
    }
}

fn json(v: Value) -> Body {
    Body {
        query: String::new(),
        content_type: Some("application/json"),
        bytes: serde_json::to_vec(&v).expect("json"),
    }
}

fn form(pairs: &[(&str, String)]) -> Body {
    Body {
        query: String::new(),
        content_type: Some("application/x-www-form-urlencoded"),
        bytes: serde_urlencoded::to_string(pairs)
            .expect("form")
            .into_bytes(),
    }
}

fn query(q: String) -> Body {
    Body {
        query: q,
        content_type: None,
        bytes: Vec::new(),
    }
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn xlsx(headers: &[&str], row: Vec<Cell>) -> Body {
    let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
    Body {
        query: String::new(),
        content_type: Some(XLSX),
        bytes: write_sheet("Sheet1", &h, &[row]).expect("xlsx"),
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// A new password every account's policy accepts.
const NEW_PASSWORD: &str = "Matrix#Passw0rd-2026x";

/// What `{id}` stands for in a path.
pub fn object_of(path: &str) -> Option<Obj> {
    if !path.contains("{id}") {
        return None;
    }
    Some(if path.contains("/files/{id}") {
        Obj::File
    } else if path.contains("/risk-points/{id}") {
        Obj::RiskPoint
    } else if path.contains("/inspections/{id}") {
        Obj::Inspection
    } else if path.contains("/campaigns/{id}") {
        Obj::Campaign
    } else if path.contains("/cross-assignments/{id}") || path.contains("/cross-inspections/{id}") {
        Obj::Cross
    } else if path.contains("/hazards/{id}") {
        Obj::Hazard
    } else if path.contains("catalog/items/{id}") {
        Obj::CatalogItem
    } else if path.contains("/people/{id}") {
        Obj::Person
    } else if path.contains("/zones/{id}") {
        Obj::Zone
    } else if path.contains("/users/{id}") {
        Obj::User
    } else if path.contains("/orgs/{id}") {
        Obj::Org
    } else {
        Obj::School
    })
}

/// The cross-inspection rule: someone who sees the target school but was not assigned gets
/// 409 on submit (the assignee succeeds; everyone else: scope and policy as usual).
fn not_the_assignee(c: &Call) -> Option<Expect> {
    let i = match c.at.path? {
        p @ (Pos::S001 | Pos::S002 | Pos::N001) => p.index(),
        _ => return None,
    };
    let assignee = c.fx.cross_assignee[i].as_deref() == Some(c.account.name.as_str());
    (c.allowed() && !assignee && super::in_scope(c.fx, c.account, i)).then_some(Expect::Conflict)
}

fn spec(
    path: Option<Obj>,
    carried: Option<Carried>,
    body: fn(&Call) -> Body,
    success: Success,
) -> Spec {
    Spec {
        path,
        carried,
        body,
        success,
        special: None,
    }
}

/// The spec of a route, or why there is none.
pub fn spec_for(r: &RouteInfo) -> Result<Spec, String> {
    if r.method == axum::http::Method::GET {
        return Ok(read_spec(r.path));
    }
    write_spec(r.method.as_str(), r.path).ok_or_else(|| {
        format!(
            "the access matrix has no body for {} {}: add one in tests/access_matrix/spec.rs (write_spec)",
            r.method, r.path
        )
    })
}

/// Read routes: the path's object, and the id filter a list takes.
fn read_spec(path: &'static str) -> Spec {
    use Obj::*;
    let api_or_page = if path.starts_with("/api/") {
        Success::Api
    } else {
        Success::Page
    };
    let obj = object_of(path);
    let (carried, body): (Option<Carried>, fn(&Call) -> Body) = match path {
        "/api/v1/schools" | "/schools" => (filter(Org), |c| match c.at.body {
            Some(_) => query(format!("org_id={}", c.id(Org))),
            None => none(c),
        }),
        "/api/v1/risk-catalog" | "/api/v1/risk-catalog/export.xlsx" | "/risk/catalog" => {
            (filter(Catalog), |c| match c.at.body {
                Some(_) => query(format!("org_id={}", c.id(Catalog))),
                None => none(c),
            })
        }
        "/api/v1/risk-summary"
        | "/api/v1/risk-summary/export.xlsx"
        | "/api/v1/risk-map.svg"
        | "/risk"
        | "/api/v1/hazards/closures.xlsx"
        | "/hazards/closures"
        | "/api/v1/inspections"
        | "/api/v1/inspections/export.xlsx"
        | "/inspections"
        | "/api/v1/self-inspection-board"
        | "/inspections/board" => (filter(Org), |c| match c.at.body {
            Some(_) => query(format!("org_id={}", c.id(Org))),
            None => none(c),
        }),
        "/api/v1/hazards" | "/api/v1/hazards/export.xlsx" | "/hazards" | "/hazards/ledger" => {
            (filter(School), |c| match c.at.body {
                Some(_) => query(format!("school_id={}", c.id(School))),
                None => none(c),
            })
        }
        // A zone of another school narrows the register to nothing (a filter, not an object).
        "/api/v1/schools/{id}/risk-points" => (carried(Zone, Expect::Success(Success::Api)), |c| {
            query(format!("zone_id={}", c.id(Zone)))
        }),
        "/schools/{id}/risks" => (carried(Zone, Expect::Success(Success::Page)), |c| {
            query(format!("zone_id={}", c.id(Zone)))
        }),
        // A campaign not issued to the school is a field error.
        "/api/v1/schools/{id}/checklist" | "/schools/{id}/inspections/new" => {
            (carried(Campaign, Expect::Field("campaign_id")), |c| {
                query(format!("kind=campaign&campaign_id={}", c.id(Campaign)))
            })
        }
        _ => (None, none),
    };
    let mut s = spec(obj, carried, body, api_or_page);
    match path {
        // Home sends everyone to their landing page.
        "/" => s.success = Success::Redirect,
        // Without `org_id` a city user's catalogue page goes to the first district's; the
        // API asks which district (a city has no catalogue of its own).
        "/risk/catalog" => {
            s.special = Some(|c| {
                (c.at.body.is_none() && c.allowed() && c.account.org.as_deref() == Some("CC"))
                    .then_some(Expect::Success(Success::Redirect))
            })
        }
        "/api/v1/risk-catalog" | "/api/v1/risk-catalog/export.xlsx" => {
            s.special = Some(|c| {
                (c.at.body.is_none() && c.allowed() && c.account.org.as_deref() == Some("CC"))
                    .then_some(Expect::Field("org_id"))
            })
        }
        // Without `org_id` a school user's roll-up is the school's register.
        "/risk" => {
            s.special = Some(|c| {
                let school = c
                    .account
                    .org
                    .as_deref()
                    .is_some_and(|o| super::fixture::SCHOOLS.contains(&o));
                (c.at.body.is_none() && c.allowed() && school)
                    .then_some(Expect::Success(Success::Redirect))
            })
        }
        _ => {}
    }
    s
}

/// Write routes: one arm each.
fn write_spec(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        // ---- Sign-in and the own session.
        ("POST", "/logout") => spec(None, None, none, RedirectTo("/login")),
        ("POST", "/api/v1/auth/logout") => spec(None, None, none, Api),
        ("POST", "/account/password") => spec(
            None,
            None,
            |_| {
                form(&[
                    ("current", crate::common::PASSWORD.into()),
                    ("password", NEW_PASSWORD.into()),
                    ("confirm", NEW_PASSWORD.into()),
                ])
            },
            Page,
        ),
        ("POST", "/api/v1/auth/password") => spec(
            None,
            None,
            |_| {
                json(json!({"current_password": crate::common::PASSWORD,
                    "new_password": NEW_PASSWORD}))
            },
            Api,
        ),
        ("POST", "/api/v1/inbox/read") => spec(None, None, |_| json(json!({"all": true})), Api),
        ("POST", "/inbox/read") => spec(
            None,
            None,
            |_| form(&[("all", "1".into())]),
            RedirectTo("/inbox"),
        ),

        // ---- Org tree and schools.
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

        // ---- People.
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

        // ---- Zones.
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

        // ---- The risk catalogue.
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

        // ---- Risk registers.
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

        // ---- Files.
        ("POST", "/api/v1/files") => spec(
            None,
            carried(School, Expect::NotFound),
            |c| Body {
                query: String::new(),
                content_type: Some(MULTIPART),
                bytes: multipart(&[("school_id", c.id(School).to_string())], 1),
            },
            Api,
        ),

        // ---- Hazards.
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

        // ---- Inspections, campaigns, cross-inspections.
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
                bytes: multipart(&[("kind", "daily".into()), ("rest", "pass".into())], 0),
            },
            RedirectTo("/inspections/"),
        ),
        ("POST", "/risk-points/{id}/check") => spec(
            Some(RiskPoint),
            None,
            |_| Body {
                query: String::new(),
                content_type: Some(MULTIPART),
                bytes: multipart(&[("rest", "pass".into())], 0),
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
                |_| form(&[("rest", "pass".into())]),
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

        // ---- Administration (三员).
        ("POST", "/api/v1/users") => spec(
            None,
            None,
            |c| {
                json(
                    json!({"username": format!("tu{}", c.n), "display_name": "测试",
                    "password": "Test#Passw0rd9"}),
                )
            },
            Api,
        ),
        ("POST", "/admin/users") => spec(
            None,
            None,
            |c| {
                form(&[
                    ("username", format!("hu{}", c.n)),
                    ("display_name", "测试".into()),
                    ("password", "Test#Passw0rd9".into()),
                ])
            },
            Page,
        ),
        ("POST", "/api/v1/users/{id}/account") => {
            spec(Some(User), None, |_| json(json!({"op": "unlock"})), Api)
        }
        ("POST", "/admin/users/{id}/account") => {
            spec(Some(User), None, |_| form(&[("op", "unlock".into())]), Page)
        }
        ("PUT", "/api/v1/users/{id}/grant") => spec(
            Some(User),
            None,
            |c| json(json!({"role": "staff", "org_id": c.id(School)})),
            Api,
        ),
        ("POST", "/admin/users/{id}/grant") => spec(
            Some(User),
            None,
            |c| {
                form(&[
                    ("role", "staff".into()),
                    ("org_id", c.id(School).to_string()),
                ])
            },
            Page,
        ),
        _ => return None,
    };
    Some(s)
}
