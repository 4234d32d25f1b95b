//! The access matrix: every registered route × every demo account (and anonymous) × object
//! positions, compared with the policy table and each account's scope.
//!
//! - **One test case per route** (`matrix::POST_/api/v1/hazards/{id}/actions`), with its own
//!   harness (`libtest-mimic`), so nextest runs the routes in parallel and plain
//!   `cargo test --test access_matrix` works too. Each case runs on its own copy of the matrix
//!   template ([`fixture`]): the demo, the matrix's objects and a session per account, built
//!   once and cached on disk.
//! - **Positions**: the path `{id}` and the ids the body or query carries move together through
//!   S001, S002 (same district as S001), N001 (the other district) and a nonexistent id; a
//!   route about a school is also called with 二道区's id (a district is not a school: 404 for
//!   everyone); a route whose body carries ids is also called with S001's object in the path
//!   and the ids of another position in the body ([`spec::Carried`] says what that answers).
//!   Where no id names an object anyone reaches (the nonexistent id, a district where a
//!   school's object is expected), one account of each role is called: its org cannot matter
//!   there, and the first account of a role is the one whose scope holds the district.
//! - **Strict**: "allowed" means the route's success (2xx, or the page form's redirect), never a
//!   422 or 409; a route that cannot succeed twice gives each account its own object. Refusals
//!   are exact (401 / sign-in redirect, 403, 404, or the documented field error), and a refused
//!   request must leave the database unchanged ([`changes`]: triggers on every table), and an
//!   allowed write that changed a table must have written an `ok` audit row (T-LG-2; the
//!   exceptions, with their reasons, in `NOT_AUDITED`).
//! - A route without a policy row or without a [`spec`] entry fails with its name. Known
//!   product bugs the matrix finds are listed in [`known_bugs::KNOWN_BUGS`].

#[path = "../common/mod.rs"]
mod common;

mod changes;
mod fixture;
mod known_bugs;
mod shared;
mod spec;
mod work;

use axum::http::{Method, StatusCode};
use common::Template;
use fixture::{Account, Fixture, Matrix, NONEXISTENT};
use libtest_mimic::{Arguments, Failed, Trial};
use safecampus::policy::{self, Action};
use safecampus::web::routes::RouteInfo;
use spec::{At, Body, Call, Expect, Obj, Pos, Spec, Success};

fn main() {
    let args = Arguments::from_args();
    let routes = routes();
    let mut trials = vec![Trial::test(
        "matrix::change_log_sees_every_table_and_change",
        || block_on(self_test()),
    )];
    if common::backend() == "postgres" {
        trials.push(Trial::test("matrix::work_database_is_put_back", || {
            block_on(undo_test())
        }));
    }
    // For measuring how the suite scales: every route's case n times (`#2`, `#3`, … beside
    // the first), as if there were n times the routes.
    let repeat = std::env::var("SAFECAMPUS_MATRIX_REPEAT")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    for r in routes.into_iter().filter(|r| r.action != Action::Public) {
        let name = format!("matrix::{}_{}", r.method, r.path);
        for n in 1..=repeat {
            let name = if n == 1 {
                name.clone()
            } else {
                format!("{name}#{n}")
            };
            let r = r.clone();
            trials.push(Trial::test(name, move || block_on(run_route(r))));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn block_on<F: std::future::Future<Output = Result<(), String>>>(f: F) -> Result<(), Failed> {
    // The template is built (or loaded) outside the case's runtime.
    fixture::matrix();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
        .map_err(Failed::from)
}

/// The registered routes (the router is built on an empty in-memory database).
fn routes() -> Vec<RouteInfo> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            let db = safecampus::storage::Db::connect("sqlite::memory:")
                .await
                .expect("in-memory database");
            let state = safecampus::web::AppState::new(db, fixture::config());
            safecampus::web::routes::build(state).1
        })
}

/// One case's database, the app on it, a connection of its own for the change log, and
/// whose changes the log shows.
struct Case {
    app: common::TestApp,
    raw: sea_orm::DatabaseConnection,
    log: changes::Log,
    /// The work database this case holds (PostgreSQL's write routes).
    _work: Option<work::Work>,
    /// The log read directly (SQLite).
    direct: Option<changes::Direct>,
}

impl Case {
    async fn mark(&self) -> i64 {
        match &self.direct {
            Some(d) => d.mark(),
            None => changes::mark(&self.raw, &self.log).await,
        }
    }

    async fn since(&self, mark: i64) -> Vec<String> {
        match &self.direct {
            Some(d) => d.since(mark),
            None => changes::since(&self.raw, &self.log, mark).await,
        }
    }
}

/// A case's database. On SQLite a copy of the matrix template. On PostgreSQL, where a copy
/// costs a checkpoint, a read route shares one copy per test run with the other read routes
/// (a read that is refused must change nothing anyway; its app's connections are named, and
/// the case reads only their changes), and a write route takes a work database put back as
/// the template was ([`work`]).
async fn case(m: &Matrix, read: bool) -> Case {
    if let (false, Template::Postgres(template)) = (read, &m.template) {
        let w = work::take(template).await;
        let admin = common::pg_admin();
        let app =
            common::TestApp::on_database(&common::pg_app_url(&admin, &w.name), fixture::config())
                .await;
        let raw = sea_orm::Database::connect(common::pg_url(&admin, &w.name))
            .await
            .expect("connect");
        return Case {
            app,
            raw,
            log: changes::Log { who: None },
            _work: Some(w),
            direct: None,
        };
    }
    if let (true, Template::Postgres(template)) = (read, &m.template) {
        let name = shared::database(template).await;
        let who = format!("mx{}", std::process::id());
        let url = format!(
            "{}?application_name={who}",
            common::pg_app_url(&common::pg_admin(), &name)
        );
        let app = common::TestApp::on_database(&url, fixture::config()).await;
        let raw = sea_orm::Database::connect(common::pg_url(&common::pg_admin(), &name))
            .await
            .expect("connect");
        return Case {
            app,
            raw,
            log: changes::Log { who: Some(who) },
            _work: None,
            direct: None,
        };
    }
    let app = common::TestApp::from_template(&m.template, fixture::config()).await;
    let raw = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    shared::refresh_sessions(&raw).await;
    let direct = changes::Direct::open(&app.owner_url());
    Case {
        app,
        raw,
        log: changes::Log { who: None },
        _work: None,
        direct,
    }
}

/// The checks of the checker: every table has its triggers, an allowed write is seen, a
/// refused one is not.
async fn self_test() -> Result<(), String> {
    let m = fixture::matrix();
    let c = case(m, false).await;
    let missing = changes::untracked(&c.raw).await;
    if !missing.is_empty() {
        return Err(format!("tables without change triggers: {missing:?}"));
    }
    let city = token_of(&m.fx, "city.officer");
    let path = format!("/api/v1/schools/{}", m.fx.schools[0]);
    let patch = |phone: &str| serde_json::json!({"phone": phone});
    let mark = c.mark().await;
    let r = c
        .app
        .json(Method::PATCH, &path, Some(&city), &patch("0431-12345678"))
        .await;
    if r.status != StatusCode::OK {
        return Err(format!("PATCH {path}: {} {}", r.status, r.text()));
    }
    let seen = c.since(mark).await;
    if !seen.iter().any(|s| s.starts_with("orgs update")) {
        return Err(format!("an in-place update was not seen: {seen:?}"));
    }
    let mark = c.mark().await;
    let guard = token_of(&m.fx, "s001.guard");
    let r = c
        .app
        .json(Method::PATCH, &path, Some(&guard), &patch("0431-87654321"))
        .await;
    if r.status != StatusCode::FORBIDDEN {
        return Err(format!("the guard's PATCH: {}", r.status));
    }
    let seen = c.since(mark).await;
    if !seen.is_empty() {
        return Err(format!("a refusal changed: {seen:?}"));
    }
    Ok(())
}

/// A work database (PostgreSQL) is given back as the template was after writes of every
/// kind: an update, inserts across tables (a hazard, its event, roll-ups), a delete.
async fn undo_test() -> Result<(), String> {
    let m = fixture::matrix();
    let c = case(m, false).await;
    let before = changes::fingerprint(&c.raw).await;
    let fx = &m.fx;
    let k = fx
        .accounts
        .iter()
        .position(|a| a.name == "s001.principal")
        .expect("s001.principal");
    let principal = token_of(fx, "s001.principal");
    let steps = [
        (
            Method::PATCH,
            format!("/api/v1/schools/{}", fx.schools[0]),
            serde_json::json!({"phone": "0431-12345678"}),
        ),
        (
            Method::POST,
            format!("/api/v1/schools/{}/hazards", fx.schools[0]),
            serde_json::json!({"title": "矩阵撤销", "aspect": "things", "category": "校舍"}),
        ),
    ];
    for (method, path, body) in steps {
        let r = c
            .app
            .json(method.clone(), &path, Some(&principal), &body)
            .await;
        if !r.status.is_success() {
            return Err(format!("{method} {path}: {} {}", r.status, r.text()));
        }
    }
    let path = format!("/api/v1/people/{}", fx.fresh_people[0][k]);
    let r = c
        .app
        .request(Method::DELETE, &path, Some(&principal), None, vec![], &[])
        .await;
    if !r.status.is_success() {
        return Err(format!("DELETE {path}: {} {}", r.status, r.text()));
    }
    let undone = changes::undo(&c.raw).await;
    if undone < 3 {
        return Err(format!("only {undone} changes were logged and undone"));
    }
    let after = changes::fingerprint(&c.raw).await;
    let differ: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| b.0.as_str())
        .collect();
    if !differ.is_empty() || before.len() != after.len() {
        return Err(format!("not put back: {differ:?}"));
    }
    Ok(())
}

fn token_of(fx: &Fixture, name: &str) -> String {
    fx.accounts
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.token.clone())
        .unwrap_or_else(|| panic!("no account {name}"))
}

/// Whether the account sees the school at position `i` (its subtree holds it).
pub fn in_scope(fx: &Fixture, a: &Account, i: usize) -> bool {
    let Some(role) = a.role() else { return false };
    if role.is_system() {
        return true;
    }
    match a.org.as_deref() {
        Some("CC") => true,
        Some(d @ ("ED" | "NG")) => fx.district_code[i] == d,
        Some(code) => code == fixture::SCHOOLS[i],
        None => false,
    }
}

/// Whether the account sees the district of the school at `i` (the node itself).
fn sees_district(fx: &Fixture, a: &Account, i: usize) -> bool {
    let Some(role) = a.role() else { return false };
    role.is_system()
        || a.org.as_deref() == Some("CC")
        || a.org.as_deref() == Some(fx.district_code[i].as_str())
}

/// Whether the account reads the catalogue of the district of position `i` (its own
/// district's, or an ancestor's).
fn sees_catalog(fx: &Fixture, a: &Account, i: usize) -> bool {
    let Some(role) = a.role() else { return false };
    if role.is_system() {
        return true;
    }
    match a.org.as_deref() {
        Some("CC") => true,
        Some(d @ ("ED" | "NG")) => fx.district_code[i] == d,
        Some(code) => fixture::SCHOOLS
            .iter()
            .position(|c| *c == code)
            .is_some_and(|own| fx.district_code[own] == fx.district_code[i]),
        None => false,
    }
}

/// Whether the account sees the object of kind `obj` at `pos`.
pub fn sees(fx: &Fixture, a: &Account, obj: Obj, pos: Pos) -> bool {
    match pos {
        Pos::Missing => false,
        // 二道区 where a school is expected is not found by anyone.
        Pos::District => match obj {
            Obj::Org | Obj::District => sees_district(fx, a, 0),
            Obj::Catalog => sees_catalog(fx, a, 0),
            _ => false,
        },
        Pos::S001 | Pos::S002 | Pos::N001 => {
            let i = pos.index();
            match obj {
                Obj::District | Obj::Channel => sees_district(fx, a, i),
                Obj::Catalog | Obj::CatalogItem | Obj::Rule | Obj::WorkPlan | Obj::Letter => {
                    sees_catalog(fx, a, i)
                }
                Obj::Cross => {
                    in_scope(fx, a, i) || fx.cross_assignee[i].as_deref() == Some(a.name.as_str())
                }
                // Accounts are not scoped by org (the user-administration roles see all).
                Obj::User => true,
                _ => in_scope(fx, a, i),
            }
        }
    }
}

/// The id of the object of kind `obj` at `pos` for account number `k`.
pub fn id_of(fx: &Fixture, obj: Obj, pos: Pos, k: usize) -> i64 {
    let i = match pos {
        Pos::Missing => return NONEXISTENT,
        Pos::District => match obj {
            Obj::School | Obj::Org | Obj::District | Obj::Catalog => return fx.ed,
            // The ids of S001's objects ride along with the district in the path.
            _ => 0,
        },
        p => p.index(),
    };
    match obj {
        Obj::School | Obj::Org => fx.schools[i],
        Obj::District | Obj::Catalog => {
            if fx.district_code[i] == "ED" {
                fx.ed
            } else {
                fx.ng
            }
        }
        Obj::Person => fx.people[i],
        Obj::FreshPerson => fx.fresh_people[i][k],
        Obj::Zone => fx.zones[i],
        Obj::User => fx.users[i],
        Obj::Inspector => fx.inspectors[i],
        Obj::RiskPoint => fx.points[i],
        Obj::HalfMonthPoint => fx.half_month_points[i],
        Obj::CatalogItem => fx.items[i],
        Obj::Inspection => fx.inspections[i],
        Obj::Campaign => fx.campaigns[i],
        Obj::Cross => fx.crosses[i],
        Obj::Hazard => fx.hazards[i],
        Obj::FreshHazard => fx.fresh_hazards[i][k],
        Obj::FreshGrant => fx.fresh_grants[i][k],
        Obj::FreshFormGrant => fx.fresh_form_grants[i][k],
        Obj::File => fx.files[i],
        Obj::Device => fx.devices[i],
        Obj::Warning => fx.warnings[i],
        Obj::Rule => fx.rules[i],
        Obj::Channel => fx.channels[i],
        Obj::Drill => fx.drills[i],
        Obj::Plan => fx.plans[i],
        Obj::PlanEvaluating => fx.plans_evaluating[i],
        Obj::ExpertUser => fx.expert_users[i],
        Obj::DutyPeriod => fx.duty_periods[i],
        Obj::SpotCheck => fx.spot_checks[i],
        Obj::Incident => fx.incidents[i],
        Obj::WorkPlan => fx.work_plans[i],
        Obj::Letter => fx.letters[i],
        Obj::GovernanceAction => fx.governance_actions[i],
        Obj::Equipment => fx.equipment[i],
        Obj::Training => fx.trainings[i],
        Obj::Bus => fx.buses[i],
        Obj::BusDriver => fx.bus_drivers[i],
        Obj::BusAttendant => fx.bus_attendants[i],
        Obj::BusRoute => fx.bus_routes[i],
        Obj::BusTrip => fx.bus_trips[i],
        Obj::BusRider => fx.bus_riders[i],
        Obj::FreshBusPermit => fx.fresh_bus_permits[i][k],
        Obj::FreshDriverPerson => fx.fresh_driver_people[i][k],
        Obj::FreshAttendantPerson => fx.fresh_attendant_people[i][k],
    }
}

/// The positions a route is called at.
fn positions(s: &Spec) -> Vec<At> {
    let mut out = Vec::new();
    let schoolish = |o: Obj| matches!(o, Obj::School | Obj::Org);
    match (s.path, &s.carried) {
        (Some(obj), carried) => {
            let mut ps = vec![Pos::S001, Pos::S002, Pos::N001, Pos::Missing];
            if schoolish(obj) {
                ps.push(Pos::District);
            }
            // Mixed positions first: they are refused, so an object that allows one step
            // (an account's own hazard) is still there for the standard position.
            if carried.is_some() {
                for b in [Pos::S002, Pos::N001, Pos::Missing] {
                    out.push(At {
                        path: Some(Pos::S001),
                        body: Some(b),
                    });
                }
            }
            for p in ps {
                out.push(At {
                    path: Some(p),
                    body: carried.as_ref().map(|_| p),
                });
            }
        }
        (None, Some(c)) => {
            if c.also_without {
                out.push(At {
                    path: None,
                    body: None,
                });
            }
            let mut ps = vec![Pos::S001, Pos::S002, Pos::N001, Pos::Missing];
            if matches!(c.obj, Obj::School | Obj::Org | Obj::District | Obj::Catalog)
                && !c.no_district
            {
                ps.push(Pos::District);
            }
            for p in ps {
                out.push(At {
                    path: None,
                    body: Some(p),
                });
            }
        }
        (None, None) => out.push(At {
            path: None,
            body: None,
        }),
    }
    out
}

/// Whether no id of the call names an object that any account reaches: a nonexistent id,
/// or 二道区's id where a school's object is expected.
fn scope_free(s: &Spec, at: At) -> bool {
    let unreachable = |obj: Obj, pos: Option<Pos>| match pos {
        Some(Pos::Missing) => true,
        Some(Pos::District) => !matches!(obj, Obj::Org | Obj::District | Obj::Catalog),
        _ => false,
    };
    match (s.path, &s.carried) {
        (Some(obj), _) => unreachable(obj, at.path) && at.body.is_none_or(|b| Some(b) == at.path),
        (None, Some(c)) => unreachable(c.obj, at.body),
        (None, None) => false,
    }
}

/// The expected answer, from the policy table and the account's scope.
fn expect(r: &RouteInfo, s: &Spec, call: &Call) -> Expect {
    let Some(role) = call.account.role() else {
        return if r.path.starts_with("/api/") {
            Expect::Unauthorized
        } else {
            Expect::Login
        };
    };
    if let Some(special) = s.special
        && let Some(e) = special(call)
    {
        return e;
    }
    let allowed = policy::allows(role, r.action);
    let fx = call.fx;
    let a = call.account;
    match s.path {
        Some(obj) => {
            let p = call.at.path.expect("a path position");
            // Accounts are no org's objects: the role decides before the id.
            if obj == Obj::User && !allowed {
                return Expect::Forbidden;
            }
            if !sees(fx, a, obj, p) {
                return Expect::NotFound;
            }
            if !allowed {
                return Expect::Forbidden;
            }
            if let (Some(c), Some(b)) = (&s.carried, call.at.body)
                && b != p
            {
                return c.foreign;
            }
        }
        None => {
            if !allowed {
                return Expect::Forbidden;
            }
            if let (Some(c), Some(b)) = (&s.carried, call.at.body)
                && !sees(fx, a, c.obj, b)
            {
                return c.foreign;
            }
        }
    }
    Expect::Success(s.success)
}

/// Whether the response is the expected one.
fn check(e: Expect, res: &common::Resp) -> bool {
    let st = res.status;
    let location = res.header("location");
    match e {
        Expect::Unauthorized => st == StatusCode::UNAUTHORIZED,
        Expect::Login => st == StatusCode::SEE_OTHER && location.starts_with("/login"),
        Expect::Forbidden => st == StatusCode::FORBIDDEN,
        Expect::NotFound => st == StatusCode::NOT_FOUND,
        Expect::Conflict => st == StatusCode::CONFLICT,
        Expect::Field(f) => {
            if st != StatusCode::UNPROCESSABLE_ENTITY {
                return false;
            }
            let Ok(j) = serde_json::from_slice::<serde_json::Value>(&res.body) else {
                // A page: the status is all there is to check.
                return true;
            };
            let named = |list: &serde_json::Value| {
                list.as_array().is_some_and(|l| {
                    l.iter()
                        .any(|x| x["field"].as_str().is_some_and(|n| n.starts_with(f)))
                })
            };
            named(&j["error"]["fields"]) || named(&j["errors"])
        }
        Expect::Success(Success::Api) => st.is_success(),
        Expect::Success(Success::Page) => st == StatusCode::OK,
        Expect::Success(Success::Redirect) => {
            (st == StatusCode::SEE_OTHER || st == StatusCode::FOUND)
                && location.starts_with('/')
                && !location.starts_with("/login")
        }
        Expect::Success(Success::RedirectTo(to)) => {
            (st == StatusCode::SEE_OTHER || st == StatusCode::FOUND) && location.starts_with(to)
        }
    }
}

/// Write routes whose changes are not audited, each with its reason (T-LG-2: every other
/// allowed write that changes a table writes an `ok` audit row in the same transaction).
const NOT_AUDITED: &[(&str, &str)] = &[
    (
        "POST /api/v1/inbox/read",
        "a user's own read marks on their own notifications: no business data, nobody else's",
    ),
    (
        "POST /inbox/read",
        "a user's own read marks on their own notifications: no business data, nobody else's",
    ),
];

async fn run_route(r: RouteInfo) -> Result<(), String> {
    let route = format!("{} {}", r.method, r.path);
    if !policy::has_row(r.action) {
        return Err(format!("{route} has no row in the policy table"));
    }
    let s = spec::spec_for(&r)?;
    let m = fixture::matrix();
    let started = std::time::Instant::now();
    let c = case(m, r.method == Method::GET).await;
    let setup = started.elapsed();
    let mut in_log = std::time::Duration::ZERO;
    let fx = &m.fx;
    let mut problems = Vec::new();
    let mut known = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    let mut n = 0u64;
    let mut known_mark: Option<i64> = None;
    let mut checked = 0;
    for at in positions(&s) {
        // Where no call names an object anyone could reach, an account's org cannot matter:
        // one account of each role (the first listed) is called.
        let free = scope_free(&s, at);
        let mut roles_called = Vec::new();
        for (k, account) in fx.accounts.iter().enumerate() {
            if free {
                if roles_called.contains(&account.role()) {
                    continue;
                }
                roles_called.push(account.role());
            }
            n += 1;
            let call = Call {
                fx,
                k,
                account,
                at,
                n,
                action: r.action,
            };
            let e = expect(&r, &s, &call);
            let Body {
                query,
                content_type,
                bytes,
            } = (s.body)(&call);
            let mut path = match (s.path, at.path) {
                (Some(obj), Some(p)) => r.path.replace("{id}", &id_of(fx, obj, p, k).to_string()),
                _ => r.path.to_string(),
            };
            // A second path id (a school) moves with the carried ids.
            if path.contains("{school_id}") {
                path = path.replace("{school_id}", &call.id(Obj::School).to_string());
            }
            // So does a spot check's id (corrections).
            if path.contains("{check_id}") {
                path = path.replace("{check_id}", &call.id(Obj::SpotCheck).to_string());
            }
            // And a checklist row's key (a half-month point of the body's position).
            if path.contains("{key}") {
                path = path.replace("{key}", &format!("p{}", call.id(Obj::HalfMonthPoint)));
            }
            if !query.is_empty() {
                path = format!("{path}?{query}");
            }
            let refusal = !matches!(e, Expect::Success(_));
            // An allowed write is watched too: what it changed must be audited (T-LG-2).
            let write = r.method != Method::GET;
            // The log's position is known after a refusal that changed nothing.
            let mark = match (refusal || write, known_mark) {
                (false, _) => None,
                (true, Some(m)) => Some(m),
                (true, None) => {
                    let t = std::time::Instant::now();
                    let m = c.mark().await;
                    in_log += t.elapsed();
                    Some(m)
                }
            };
            let audit_mark = match (refusal, write) {
                (false, true) => Some(changes::audit_mark(&c.raw).await),
                _ => None,
            };
            known_mark = None;
            let res = c
                .app
                .request(
                    r.method.clone(),
                    &path,
                    account.token.as_deref(),
                    content_type,
                    bytes,
                    &[],
                )
                .await;
            checked += 1;
            let mut wrong = Vec::new();
            if !check(e, &res) {
                let loc = res.header("location");
                wrong.push(format!(
                    "expected {e:?}, got {}{}{}",
                    res.status.as_u16(),
                    if loc.is_empty() {
                        String::new()
                    } else {
                        format!(" → {loc}")
                    },
                    if res.header("content-type").starts_with("application/json") {
                        format!(" {}", res.text().chars().take(200).collect::<String>())
                    } else {
                        String::new()
                    }
                ));
            }
            if let Some(mark) = mark {
                let t = std::time::Instant::now();
                let changed = c.since(mark).await;
                in_log += t.elapsed();
                if changed.is_empty() {
                    known_mark = Some(mark);
                } else if refusal {
                    wrong.push(format!("refused, but changed {}", changed.join(", ")));
                } else if let Some(am) = audit_mark
                    && !NOT_AUDITED.iter().any(|(p, _)| *p == route)
                    && changes::audited_since(&c.raw, am).await.is_empty()
                {
                    wrong.push(format!(
                        "changed {} without an audit row",
                        changed.join(", ")
                    ));
                }
            }
            for w in wrong {
                let line = format!("{route} as {} at {}: {w}", account.name, at.label());
                match known_bugs::matches(&route, &account.name, &at.label(), res.status.as_u16()) {
                    Some(i) => {
                        used.insert(i);
                        known.push(format!(
                            "{line} [known: {}]",
                            known_bugs::KNOWN_BUGS[i].reason
                        ));
                    }
                    None => problems.push(format!("{} {path} — {line}", r.method)),
                }
            }
        }
    }
    for (i, b) in known_bugs::KNOWN_BUGS.iter().enumerate() {
        if b.route == route && !used.contains(&i) {
            eprintln!(
                "{route}: the known bug \"{}\" did not happen: remove it from KNOWN_BUGS",
                b.reason
            );
        }
    }
    if !known.is_empty() {
        eprintln!(
            "{route}: {} known bug case(s):\n  {}",
            known.len(),
            known.join("\n  ")
        );
    }
    if problems.is_empty() {
        eprintln!(
            "{route}: {checked} requests as expected (setup {:.2} s, change log {:.2} s, all {:.2} s)",
            setup.as_secs_f64(),
            in_log.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    } else {
        Err(format!(
            "{} of {checked} requests were not as expected:\n{}",
            problems.len(),
            problems.join("\n")
        ))
    }
}
