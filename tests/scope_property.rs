//! T-AC-5 (`scope_property`): random org trees — a city with 1–3 districts of 1–4 schools
//! each — random users of every role attached at a node of their role's level (the system
//! roles at none), and random hazards at random schools. For every user, over the API:
//! the hazard list and the school list hold exactly the objects whose school lies in the
//! subtree of the user's node, when the policy table lets the role see them, and nothing
//! when it does not; the totals agree; a hazard outside the subtree answers 404 on its
//! detail, one inside 200. Every case builds a city of its own in one database, so users of
//! one case see nothing of another's. `SAFECAMPUS_SCOPE_CASES` sets the number of cases
//! (256 by default; 10,000 for a soak run). SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::{PASSWORD, TestApp};
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestRunner};
use safecampus::config::Config;
use safecampus::domain::hazard::Source;
use safecampus::domain::ids::OrgId;
use safecampus::domain::org::{OrgLevel, SchoolKind};
use safecampus::domain::role::Role;
use safecampus::policy::{Action, allows};
use safecampus::storage::Operator;
use safecampus::storage::seed::{NodeRow, SchoolRow};
use safecampus::storage::seed_history::{PastHazard, Person};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

const ROLES: &[Role] = &[
    Role::CityOfficer,
    Role::BureauLeader,
    Role::BureauOfficer,
    Role::BureauInspector,
    Role::Principal,
    Role::SafetyDirector,
    Role::Staff,
    Role::Guard,
    Role::SysAdmin,
    Role::SecAdmin,
    Role::AuditAdmin,
];

/// One case: schools per district, users (role, which node of its level), hazards (which
/// school).
#[derive(Debug, Clone)]
struct Case {
    districts: Vec<usize>,
    users: Vec<(usize, usize)>,
    hazards: Vec<usize>,
}

fn cases() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(1usize..=4, 1..=3),
        proptest::collection::vec((0..ROLES.len(), 0usize..16), 1..=4),
        proptest::collection::vec(0usize..16, 0..=6),
    )
        .prop_map(|(districts, users, hazards)| Case {
            districts,
            users,
            hazards,
        })
}

/// The tree as built: the city, its districts, their schools (district index).
struct Tree {
    city: OrgId,
    districts: Vec<OrgId>,
    schools: Vec<(OrgId, usize)>,
}

impl Tree {
    /// The node a user of `role` is attached to (`pick` chooses among the nodes of its level).
    fn node(&self, role: Role, pick: usize) -> Option<OrgId> {
        match role.org_level()? {
            OrgLevel::City => Some(self.city),
            OrgLevel::District => Some(self.districts[pick % self.districts.len()]),
            OrgLevel::School => Some(self.schools[pick % self.schools.len()].0),
        }
    }

    /// The schools in the subtree of `node`.
    fn below(&self, node: OrgId) -> BTreeSet<OrgId> {
        self.schools
            .iter()
            .filter(|(s, d)| node == self.city || node == self.districts[*d] || node == *s)
            .map(|(s, _)| *s)
            .collect()
    }
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

fn node<'a>(level: OrgLevel, code: &'a str, name: &'a str) -> NodeRow<'a> {
    NodeRow {
        level,
        code,
        name,
        name_en: None,
        address: "",
        coords: None,
    }
}

/// Builds the case's tree, users and hazards in one transaction; answers the tree, the users
/// (username, role, node) and the hazards (id, school).
async fn build(
    app: &TestApp,
    hash: &str,
    case: &Case,
) -> (Tree, Vec<(String, Role, Option<OrgId>)>, Vec<(i64, OrgId)>) {
    let n = SEQ.fetch_add(1, Ordering::SeqCst);
    let u = app.db.unsafe_unscoped(&Operator::command_line());
    let mut tx = u.begin().await.expect("begin");
    let city = tx
        .org(
            None,
            &node(OrgLevel::City, &format!("C{n}"), &format!("市{n}")),
        )
        .await
        .expect("city");
    let mut tree = Tree {
        city,
        districts: Vec::new(),
        schools: Vec::new(),
    };
    for (d, &count) in case.districts.iter().enumerate() {
        let code = format!("C{n}D{d}");
        let district = tx
            .org(
                Some(city),
                &node(OrgLevel::District, &code, &format!("区{n}-{d}")),
            )
            .await
            .expect("district");
        tree.districts.push(district);
        for s in 0..count {
            let school = tx
                .school(
                    district,
                    &SchoolRow {
                        code: format!("C{n}D{d}S{s}"),
                        name: format!("学校{n}-{d}-{s}"),
                        name_en: None,
                        kind: SchoolKind::Primary,
                        students: 300,
                        staff: 30,
                        area_m2: 10_000,
                        address: String::new(),
                        lat: None,
                        lng: None,
                        phone: String::new(),
                        features: Default::default(),
                    },
                )
                .await
                .expect("school");
            tree.schools.push((school, d));
        }
    }
    let mut users = Vec::new();
    for (k, &(r, pick)) in case.users.iter().enumerate() {
        let role = ROLES[r];
        let at = tree.node(role, pick);
        let name = format!("p{n}u{k}");
        tx.user(&name, &name, hash, role, at).await.expect("user");
        users.push((name, role, at));
    }
    let reporter_name = format!("p{n}rep");
    let reporter = tx
        .user(
            &reporter_name,
            &reporter_name,
            hash,
            Role::Staff,
            Some(tree.schools[0].0),
        )
        .await
        .expect("reporter");
    let person = Person {
        user: reporter,
        name: reporter_name,
        role: Role::Staff,
    };
    let mut hazards = Vec::new();
    for (k, &pick) in case.hazards.iter().enumerate() {
        let school = tree.schools[pick % tree.schools.len()].0;
        let code = format!("C{n}H{k}");
        let id = tx
            .hazard(
                &PastHazard {
                    school,
                    school_code: &code,
                    title: format!("隐患{n}-{k}"),
                    description: String::new(),
                    aspect: "management".into(),
                    category: "消防安全".into(),
                    zone: None,
                    point: None,
                    source: Source::Daily,
                    inspection: None,
                    campaign: None,
                    reporter: &person,
                    reported_on: safecampus::storage::risk_points::today(),
                    photos: vec![],
                    steps: vec![],
                },
                3,
            )
            .await
            .expect("hazard");
        hazards.push((id.0, school));
    }
    tx.commit().await.expect("commit");
    (tree, users, hazards)
}

async fn token(app: &TestApp, username: &str) -> String {
    let r = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &json!({"username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{username}: {}", r.text());
    r.json()["token"].as_str().expect("token").to_string()
}

/// The ids of a list answer and its total; `None` when the list is refused.
async fn listed(app: &TestApp, path: &str, t: &str) -> Option<(BTreeSet<i64>, u64)> {
    let r = app.get(path, Some(t)).await;
    if r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND {
        return None;
    }
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    let v: Value = r.json();
    let items = v["items"].as_array().expect("items");
    let ids = items
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    Some((ids, v["total"].as_u64().expect("total")))
}

#[test]
fn every_list_is_the_subtree_of_the_callers_node_when_the_policy_allows() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let count: u32 = std::env::var("SAFECAMPUS_SCOPE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let (app, hash) = rt.block_on(async {
        let app = TestApp::empty(Config::default()).await;
        // One argon2 hash of the demo password, shared by every generated account.
        let u = app.db.unsafe_unscoped(&Operator::command_line());
        u.create_user_with(
            "hashsource",
            "hashsource",
            PASSWORD,
            Role::SysAdmin,
            None,
            &Config::default().security,
        )
        .await
        .expect("the hash's account");
        let c = app.raw().await;
        let row = c
            .query_one_raw(sea_orm::Statement::from_string(
                c.get_database_backend(),
                "SELECT password_hash FROM users WHERE username = 'hashsource'",
            ))
            .await
            .expect("hash")
            .expect("a row");
        let hash: String = row.try_get_by_index(0).expect("hash");
        c.close().await.ok();
        (app, hash)
    });
    let mut runner = TestRunner::new(PtConfig {
        cases: count,
        failure_persistence: None,
        ..PtConfig::default()
    });
    runner
        .run(&cases(), |case| {
            rt.block_on(async {
                let (tree, users, hazards) = build(&app, &hash, &case).await;
                for (name, role, at) in &users {
                    let t = token(&app, name).await;
                    let below = at.map(|n| tree.below(n)).unwrap_or_default();
                    // Hazards: the list (one page holds them all) and each detail.
                    let want: BTreeSet<i64> = hazards
                        .iter()
                        .filter(|(_, s)| below.contains(s))
                        .map(|(id, _)| *id)
                        .collect();
                    let got = listed(&app, "/api/v1/hazards?per_page=200", &t).await;
                    if allows(*role, Action::HazardView) {
                        let (ids, total) = got.expect("an allowed list answers");
                        prop_assert_eq!(&ids, &want, "{} {:?} at {:?}", name, role, at);
                        prop_assert_eq!(total, want.len() as u64);
                    } else {
                        prop_assert!(got.is_none_or(|(ids, _)| ids.is_empty()), "{:?}", role);
                    }
                    for (id, s) in &hazards {
                        let r = app.get(&format!("/api/v1/hazards/{id}"), Some(&t)).await;
                        let visible = allows(*role, Action::HazardView) && below.contains(s);
                        prop_assert_eq!(
                            r.status == StatusCode::OK,
                            visible,
                            "{} {:?} hazard {}: {}",
                            name,
                            role,
                            id,
                            r.status
                        );
                        if !visible {
                            prop_assert!(
                                r.status == StatusCode::NOT_FOUND
                                    || r.status == StatusCode::FORBIDDEN,
                                "{}",
                                r.status
                            );
                        }
                    }
                    // Schools: the list of schools in scope.
                    let want: BTreeSet<i64> = below.iter().map(|s| s.0).collect();
                    let got = listed(&app, "/api/v1/schools?per_page=200", &t).await;
                    if allows(*role, Action::SchoolView) {
                        let (ids, total) = got.expect("an allowed list answers");
                        prop_assert_eq!(&ids, &want, "{} {:?} at {:?}", name, role, at);
                        prop_assert_eq!(total, want.len() as u64);
                    } else {
                        prop_assert!(got.is_none_or(|(ids, _)| ids.is_empty()), "{:?}", role);
                    }
                }
                Ok(())
            })
        })
        .expect("no counterexample");
}
