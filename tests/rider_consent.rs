//! T-PR-5: a pupil under 14 whose basis is the guardian's consent is held but not processed
//! for riding (not listed, counted or exported, not even whole to the principal) until the
//! guardian consents to `bus_transport`; consent is per purpose (riding does not open the
//! guardian's phone); a withdrawal excludes the pupil on the very next request; a statutory
//! duty, or a pupil of 14 or older, needs no consent; every record is audited without a name;
//! another school's rider is 404, a role that does not manage buses 403.

mod common;
use axum::http::{Method, StatusCode};
use common::{TestApp, expect};
use serde_json::{Value, json};

const NAMES: [&str; 3] = ["同意生甲", "法定生乙", "大龄生丙"];

async fn setup(app: &mut TestApp) -> (i64, Vec<i64>) {
    let rows: Vec<[&str; 5]> = NAMES
        .iter()
        .zip(["13912345601", "13912345602", "13912345603"])
        .map(|(n, p)| [*n, "四年二班", "东站", "家长", p])
        .collect();
    let route = common::riders::route_with_riders(app, "同意测试线", &rows).await;
    let p = app.login("s001.principal").await;
    let all = view(app, &p, route).await;
    let ids = NAMES
        .iter()
        .map(|n| {
            all["riders"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == *n)
                .and_then(|r| r["id"].as_i64())
                .expect("a rider")
        })
        .collect();
    (route, ids)
}

/// The route's riders, whole, as the principal sees them.
async fn view(app: &TestApp, t: &str, route: i64) -> Value {
    let r = app
        .get(
            &format!("/api/v1/bus-routes/{route}/riders?unmasked=1&reason=%E6%A0%B8%E5%AF%B9"),
            Some(t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn names(v: &Value) -> Vec<String> {
    v["riders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

async fn basis(app: &TestApp, t: &str, rider: i64, under_14: bool, b: &str) -> common::Resp {
    app.json(
        Method::PATCH,
        &format!("/api/v1/bus-riders/{rider}/basis"),
        Some(t),
        &json!({"under_14": under_14, "legal_basis": b}),
    )
    .await
}

async fn consent(app: &TestApp, t: &str, rider: i64, purpose: &str, step: &str) -> Value {
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/bus-riders/{rider}/consents"),
            Some(t),
            &json!({"purpose": purpose, "step": step, "note": "家长签字回执存档"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn a_child_under_14_on_consent_is_processed_only_for_what_the_guardian_consented_to() {
    let mut app = TestApp::new().await;
    let (route, ids) = setup(&mut app).await;
    let p = app.login("s001.principal").await;
    let school = app.org_id("S001").await;
    // By default a rider counts as under 14, on the school's statutory duty: processed.
    let v = view(&app, &p, route).await;
    assert_eq!(v["awaiting_consent"], 0);
    assert_eq!(names(&v).len(), 3);
    assert_eq!(v["riders"][0]["under_14"], true);
    assert_eq!(v["riders"][0]["legal_basis"], "statutory_duty");

    // On consent, without one: held, not listed, counted apart, not exported, not counted.
    let r = basis(&app, &p, ids[0], true, "consent").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["processable"], false);
    let v = view(&app, &p, route).await;
    assert!(!names(&v).contains(&NAMES[0].to_string()), "{v}");
    assert_eq!(v["awaiting_consent"], 1);
    let r = app
        .get(&format!("/api/v1/bus-routes/{route}"), Some(&p))
        .await;
    if r.status == StatusCode::OK {
        assert_eq!(r.json()["riders"], 2, "{}", r.text());
    }
    let routes = app
        .get(&format!("/api/v1/schools/{school}/bus-routes"), Some(&p))
        .await
        .json();
    let mine = routes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == route)
        .expect("the route");
    assert_eq!(mine["riders"], 2);
    let x = app
        .get(
            &format!("/api/v1/bus-routes/{route}/riders/export.xlsx?unmasked=1&reason=x"),
            Some(&p),
        )
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert_eq!(
        safecampus::xlsx::read_first_sheet(&x.body, &Default::default())
            .map(|rows| rows.len())
            .unwrap_or(0),
        3,
        "the header and two riders"
    );

    // Consent is per purpose: reaching the guardian opens nothing for riding.
    let c = consent(&app, &p, ids[0], "guardian_contact", "give").await;
    assert_eq!(c["processable"], false);
    assert!(!names(&view(&app, &p, route).await).contains(&NAMES[0].to_string()));
    // Riding consented: listed; the guardian's phone only because that was consented too.
    let c = consent(&app, &p, ids[0], "bus_transport", "give").await;
    assert_eq!(c["processable"], true);
    assert_eq!(c["consents"], json!(["bus_transport", "guardian_contact"]));
    let v = view(&app, &p, route).await;
    let a = v["riders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == NAMES[0])
        .expect("listed once consented")
        .clone();
    assert_eq!(a["phone"], "13912345601");
    assert_eq!(v["awaiting_consent"], 0);
    // Without the contact consent the guardian and phone are withheld, even whole.
    consent(&app, &p, ids[0], "guardian_contact", "withdraw").await;
    let v = view(&app, &p, route).await;
    let a = v["riders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == NAMES[0])
        .unwrap()
        .clone();
    assert_eq!(
        (a["guardian"].as_str(), a["phone"].as_str()),
        (Some(""), Some(""))
    );
    assert!(!v.to_string().contains("13912345601"));

    // The routes page lists the held rider, masked, with the form that records the consent.
    let school_id = app.org_id("S001").await;
    let html = app
        .get(&format!("/schools/{school_id}/bus-routes"), Some(&p))
        .await
        .text();
    assert!(!html.contains(&format!("held-{}", ids[0])), "not held now");

    // Withdrawn: out on the very next request. Giving twice records one consent.
    consent(&app, &p, ids[0], "bus_transport", "give").await;
    consent(&app, &p, ids[0], "bus_transport", "withdraw").await;
    let v = view(&app, &p, route).await;
    assert!(!names(&v).contains(&NAMES[0].to_string()));
    assert_eq!(v["awaiting_consent"], 1);
    assert_eq!(v["held"][0]["id"], ids[0]);
    assert_eq!(v["held"][0]["name"], "同**甲", "masked");
    let staff = app.login("s001.staff").await;
    let masked = app
        .get(&format!("/api/v1/bus-routes/{route}/riders"), Some(&staff))
        .await
        .json();
    assert_eq!(masked["awaiting_consent"], 1);
    assert_eq!(
        masked["held"],
        json!([]),
        "only those who record consents see them"
    );
    let html = app
        .get(&format!("/schools/{school_id}/bus-routes"), Some(&p))
        .await
        .text();
    assert!(html.contains(&format!("held-{}", ids[0])) && !html.contains(NAMES[0]));
    let r = app
        .form(
            &format!("/bus-riders/{}/consents", ids[0]),
            Some(&p),
            &[("purpose", "bus_transport"), ("step", "give")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        r.header("location")
            .starts_with(&format!("/schools/{school_id}/bus-routes"))
    );
    assert!(names(&view(&app, &p, route).await).contains(&NAMES[0].to_string()));
    consent(&app, &p, ids[0], "bus_transport", "withdraw").await;

    // A statutory duty, or 14 and older, needs no consent.
    basis(&app, &p, ids[1], true, "statutory_duty").await;
    basis(&app, &p, ids[2], false, "consent").await;
    let v = view(&app, &p, route).await;
    assert!(names(&v).contains(&NAMES[1].to_string()) && names(&v).contains(&NAMES[2].to_string()));

    // Audited with the purpose and step, never a name or phone.
    let rows = app.audit("action=bus.rider_consent&per_page=200").await;
    assert!(rows.len() >= 5, "{rows:?}");
    assert!(rows.iter().any(|r| {
        r["detail"]
            .as_str()
            .is_some_and(|d| d.contains("purpose=bus_transport") && d.contains("step=withdraw"))
    }));
    let basis_rows = app.audit("action=bus.rider_basis&per_page=200").await;
    assert_eq!(basis_rows.len(), 3);
    for r in rows.iter().chain(&basis_rows) {
        let s = r.to_string();
        assert!(
            NAMES.iter().all(|n| !s.contains(n)) && !s.contains("1391234560"),
            "{s}"
        );
    }
}

#[tokio::test]
async fn the_basis_and_consents_are_recorded_in_scope_by_the_schools_managers() {
    let mut app = TestApp::new().await;
    let (_, ids) = setup(&mut app).await;
    let s002 = app.login("s002.principal").await;
    expect(
        &basis(&app, &s002, ids[0], true, "consent").await,
        404,
        "not_found",
    );
    let staff = app.login("s001.staff").await;
    expect(
        &basis(&app, &staff, ids[0], true, "consent").await,
        403,
        "forbidden",
    );
    let p = app.login("s001.safety").await;
    let r = basis(&app, &p, ids[0], true, "opinion").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/bus-riders/{}/consents", ids[0]),
            Some(&p),
            &json!({"purpose": "marketing", "step": "give"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/bus-riders/{}/consents", ids[0]),
            Some(&p),
            &json!({"purpose": "bus_transport", "step": "give", "note": "长".repeat(201)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    expect(
        &app.json(
            Method::POST,
            "/api/v1/bus-riders/999999999/consents",
            Some(&p),
            &json!({"purpose": "bus_transport", "step": "give"}),
        )
        .await,
        404,
        "not_found",
    );
    // A consent goes with its rider when the rider's data is deleted.
    consent(&app, &p, ids[0], "bus_transport", "give").await;
    app.sql(&format!("DELETE FROM bus_riders WHERE id = {}", ids[0]))
        .await;
    let raw = app.raw().await;
    use sea_orm::ConnectionTrait;
    let left = raw
        .query_one_raw(sea_orm::Statement::from_string(
            raw.get_database_backend(),
            format!(
                "SELECT COUNT(*) FROM rider_consents WHERE rider_id = {}",
                ids[0]
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(left, 0);
}
