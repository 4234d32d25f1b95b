//! **The body table**: what each route's `{id}` is, the ids its body or query carries, a valid
//! example body, and what success looks like. A write route must have an entry in its
//! feature's file under `spec/` (the route's `RouteInfo::feature`; else its case fails,
//! naming the file); a read route gets one from its path ([`read_spec`]) unless listed there.
//!
//! To add a module's routes: add its objects to [`Obj`] and the fixture, its file
//! `spec/<feature>.rs` with one arm per write route and its line in [`WRITES`] (and a query
//! filter in [`read_spec`] if its lists take one).

use super::fixture::{Account, Fixture, MULTIPART, multipart};
use safecampus::policy::Action;
use safecampus::web::routes::RouteInfo;
use safecampus::xlsx::{Cell, write_sheet};
use serde_json::{Value, json};

mod admin;
mod buses;
mod drills;
mod duty;
mod emergency_plans;
mod files;
mod governance;
mod hazards;
mod inbox;
mod incidents;
mod inspections;
mod orgs;
mod platform;
mod privacy;
mod responsibility;
mod risk;
mod security_equipment;
mod warnings;
mod work_plan;

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
    /// A risk point of the school's half-month self-inspection (a row of its checklist).
    HalfMonthPoint,
    CatalogItem,
    Inspection,
    Campaign,
    Cross,
    Hazard,
    /// An assessed hazard of the school for this account alone (steps happen once).
    FreshHazard,
    File,
    Device,
    Warning,
    /// A device threshold rule's value of the district of the school at the position (read by
    /// its schools too, like the catalogue).
    Rule,
    /// An outbound notification channel of the district of the school at the position.
    Channel,
    /// A planned drill of the school.
    Drill,
    /// A draft emergency plan of the school (its safety director's).
    Plan,
    /// An emergency plan of the school under evaluation (reviewed, published, filed).
    PlanEvaluating,
    /// An account that may join the expert pool of the school's district (a bureau inspector
    /// of 二道区, 南关区's officer).
    ExpertUser,
    /// A duty period of the school's district in which the school alone reports.
    DutyPeriod,
    /// A phone spot check of the school in that period, recorded by its district's officer
    /// (the path's `{check_id}`).
    SpotCheck,
    /// An open incident of the school (its first report sent by its principal).
    Incident,
    /// The work plan of the school's district (read by its schools too, like the catalogue).
    WorkPlan,
    /// A responsibility letter of the school's district to its schools (read by them).
    Letter,
    /// A governance action of the school's district covering that school alone.
    GovernanceAction,
    /// A camera of the school's security register.
    Equipment,
    /// A training of the school's guards (its attendance can be imported again and again).
    Training,
    /// A bus of the school (registered by its principal).
    Bus,
    /// An eligible bus driver of the school.
    BusDriver,
    /// A bus attendant of the school.
    BusAttendant,
    /// A bus route of the school (two stops).
    BusRoute,
    /// A planned trip of the school's route, bus, driver and attendant.
    BusTrip,
    /// A rider of the school's bus route.
    BusRider,
    /// A bus use permit applied for by the school for this account alone (steps happen once).
    FreshBusPermit,
    /// A person of the school with the post `bus_driver` for this account alone (a person is
    /// registered as a driver once).
    FreshDriverPerson,
    /// A person of the school with the post `bus_attendant` for this account alone.
    FreshAttendantPerson,
    /// A pending grant to see the riders of the school's route whole, asked for by its guard,
    /// for this account alone (a decision is taken once).
    FreshGrant,
    /// The same, for the page's decision form.
    FreshFormGrant,
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
    Some(if path.contains("/buses/{id}") {
        Obj::Bus
    } else if path.contains("/bus-permits/{id}") {
        Obj::FreshBusPermit
    } else if path.contains("/bus-drivers/{id}") {
        Obj::BusDriver
    } else if path.contains("/bus-routes/{id}") {
        Obj::BusRoute
    } else if path.contains("/bus-trips/{id}") {
        Obj::BusTrip
    } else if path.contains("/bus-riders/{id}") {
        Obj::BusRider
    } else if path.contains("/pii-grants/{id}") {
        Obj::FreshGrant
    } else if path.starts_with("/privacy/grants/{id}") {
        Obj::FreshFormGrant
    } else if path.contains("/files/{id}") {
        Obj::File
    } else if path.contains("/devices/{id}") {
        Obj::Device
    } else if path.contains("/warnings/{id}") {
        Obj::Warning
    } else if path.contains("/warning-rules/{id}") {
        Obj::Rule
    } else if path.contains("/notification-channels/{id}") || path.starts_with("/channels/{id}") {
        Obj::Channel
    } else if path.contains("/drills/{id}") {
        Obj::Drill
    } else if path.contains("/emergency-plans/{id}") {
        Obj::Plan
    } else if path.contains("/responsibility-letters/{id}") {
        Obj::Letter
    } else if path.contains("/work-plans/{id}") {
        Obj::WorkPlan
    } else if path.contains("/governance-actions/{id}") {
        Obj::GovernanceAction
    } else if path.contains("/security-equipment/{id}") {
        Obj::Equipment
    } else if path.contains("/trainings/{id}") {
        Obj::Training
    } else if path.contains("/incidents/{id}") {
        Obj::Incident
    } else if path.contains("/duty-periods/{id}") || path.starts_with("/duty/{id}") {
        Obj::DutyPeriod
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
    let Some((_, write)) = WRITES.iter().find(|(code, _)| *code == r.feature) else {
        return Err(format!(
            "the access matrix has no fixtures for the feature `{}` of {} {}: add \
             tests/access_matrix/spec/{}.rs and its line in WRITES",
            r.feature, r.method, r.path, r.feature
        ));
    };
    write(r.method.as_str(), r.path).ok_or_else(|| {
        format!(
            "the access matrix has no body for {} {}: add one in tests/access_matrix/spec/{}.rs",
            r.method, r.path, r.feature
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
        | "/api/v1/home"
        | "/inspections/board"
        | "/api/v1/warnings"
        | "/api/v1/risk-index"
        | "/risk-index"
        | "/api/v1/drill-board"
        | "/api/v1/drill-board/export.xlsx"
        | "/drills/board"
        | "/api/v1/compliance"
        | "/api/v1/compliance/export.xlsx"
        | "/compliance"
        | "/compliance/print"
        | "/api/v1/meetings"
        | "/api/v1/trainings"
        | "/api/v1/education-activities"
        | "/api/v1/security-equipment"
        | "/security-equipment"
        | "/work-records"
        | "/api/v1/pii-grants" => (filter(Org), |c| match c.at.body {
            Some(_) => query(format!("org_id={}", c.id(Org))),
            None => none(c),
        }),
        "/api/v1/training-compliance" | "/trainings/compliance" => {
            (filter(Org), |c| match c.at.body {
                Some(_) => query(format!("org_id={}&group=guards", c.id(Org))),
                None => query("group=guards".into()),
            })
        }
        "/api/v1/notification-deliveries" | "/channels/deliveries" => {
            (filter(Channel), |c| match c.at.body {
                Some(_) => query(format!("channel_id={}", c.id(Channel))),
                None => none(c),
            })
        }
        "/api/v1/hazards" | "/api/v1/hazards/export.xlsx" | "/hazards" | "/hazards/ledger" => {
            (filter(School), |c| match c.at.body {
                Some(_) => query(format!("school_id={}", c.id(School))),
                None => none(c),
            })
        }
        "/api/v1/zero-report-board" | "/api/v1/zero-report-board/export.xlsx" => {
            (carried(DutyPeriod, Expect::NotFound), |c| {
                query(format!("period_id={}", c.id(DutyPeriod)))
            })
        }
        // The unit's id is the path's `{school_id}`: not one of the period's units → 404.
        "/api/v1/duty-periods/{id}/rosters/{school_id}"
        | "/api/v1/duty-periods/{id}/rosters/{school_id}/export.xlsx"
        | "/duty/{id}/rosters/{school_id}" => (carried(School, Expect::NotFound), none),
        "/api/v1/incidents" | "/api/v1/incidents/export.xlsx" | "/incidents" => {
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
        // Home: the business roles' home page; the system roles go to their landing page.
        "/" => {
            s.special = Some(|c| {
                c.account
                    .role()
                    .is_some_and(|r| r.is_system())
                    .then_some(Expect::Success(Success::Redirect))
            })
        }
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
        // The sign-in's second-factor step: nothing is due in the matrix, so it goes home.
        "/login/mfa" | "/login/mfa/enrol" => {
            s.special = Some(|c| c.account.role().map(|_| Expect::Success(Success::Redirect)))
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

/// The write routes of each feature, one file per feature under `spec/` (the feature code of
/// [`RouteInfo::feature`]). **Adding a module: its file there and one line here.**
/// A feature's write table: the spec of a (method, path), if the feature has the route.
type Writes = fn(&str, &str) -> Option<Spec>;

const WRITES: &[(&str, Writes)] = &[
    ("platform", platform::write),
    ("privacy", privacy::write),
    ("orgs", orgs::write),
    ("risk", risk::write),
    ("inspections", inspections::write),
    ("hazards", hazards::write),
    ("warnings", warnings::write),
    ("drills", drills::write),
    ("emergency_plans", emergency_plans::write),
    ("duty", duty::write),
    ("incidents", incidents::write),
    ("work_plan", work_plan::write),
    ("responsibility", responsibility::write),
    ("governance", governance::write),
    ("security_equipment", security_equipment::write),
    ("buses", buses::write),
    ("files", files::write),
    ("inbox", inbox::write),
    ("admin", admin::write),
];
