//! T-PR-4: a role without the standing right sees riders (minors) whole only through a grant
//! the principal or the bureau approved, for a limited time, for that route and that person
//! alone; every view through it writes one audit row naming the grant; the grant expires and
//! can be revoked; nobody decides on their own request; the grants' pages and forms.

mod common;
use axum::http::{Method, StatusCode};
use common::{TestApp, expect, fields};
use serde_json::{Value, json};

const PUPIL: &str = "孙小明";
const GUARDIAN_PHONE: &str = "13912345678";

/// A route of S001 with two riders; answers the route's id.
async fn route(app: &mut TestApp, name: &str) -> i64 {
    common::riders::route_with_riders(
        app,
        name,
        &[
            [PUPIL, "三年二班", "东站", "孙大明", GUARDIAN_PHONE],
            ["欧阳小红", "三年一班", "学校", "", ""],
        ],
    )
    .await
}

fn unmasked(route: i64) -> String {
    format!("/api/v1/bus-routes/{route}/riders?unmasked=1&reason=核对接送名单")
}

async fn ask(app: &TestApp, t: &str, route: i64, hours: i64) -> common::Resp {
    app.json(
        Method::POST,
        "/api/v1/pii-grants",
        Some(t),
        &json!({"subject": "bus_riders", "object_id": route, "reason": "放学点名核对", "hours": hours}),
    )
    .await
}

async fn decide(app: &TestApp, t: &str, id: i64, action: &str, note: &str) -> common::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/pii-grants/{id}/actions"),
        Some(t),
        &json!({"action": action, "note": note}),
    )
    .await
}

/// The unmasked views of the riders audited as ok, for a user.
async fn views(app: &mut TestApp, user: &str) -> Vec<Value> {
    app.audit("action=bus.rider_names&result=ok&per_page=200")
        .await
        .into_iter()
        .filter(|r| r["username"] == user)
        .collect()
}

#[tokio::test]
async fn a_view_of_minors_data_needs_an_approved_grant_that_expires() {
    let mut app = TestApp::new().await;
    let r1 = route(&mut app, "一号线").await;
    let r2 = route(&mut app, "二号线").await;
    let staff = app.login("s001.staff").await;
    let guard = app.login("s001.guard").await;
    let principal = app.login("s001.principal").await;

    // Without a grant: masked; asking for the whole list is refused as "approval required".
    let r = app
        .get(&format!("/api/v1/bus-routes/{r1}/riders"), Some(&staff))
        .await;
    let j = r.json();
    assert_eq!(j["masked"], true);
    assert_eq!(j["may_unmask"], false);
    assert_eq!(j["may_request"], true);
    assert!(!r.text().contains(PUPIL));
    let r = app.get(&unmasked(r1), Some(&staff)).await;
    let j = expect(&r, 403, "forbidden");
    assert!(!r.text().contains(PUPIL));
    assert!(common::msg(&j).contains("批准"), "{j}");

    // Bad requests: hours out of range, no reason, an unknown subject, another district's
    // route (404), a route that does not exist (404).
    for hours in [0, 25, -1] {
        let r = ask(&app, &staff, r1, hours).await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(fields(&j), ["hours"]);
    }
    let r = app
        .json(
            Method::POST,
            "/api/v1/pii-grants",
            Some(&staff),
            &json!({"subject": "bus_riders", "object_id": r1, "reason": "  ", "hours": 2}),
        )
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["reason"]);
    let r = app
        .json(
            Method::POST,
            "/api/v1/pii-grants",
            Some(&staff),
            &json!({"subject": "pupils", "object_id": r1, "reason": "x", "hours": 2}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let n001 = app.org_id("N001").await;
    let n = app.login("n001.principal").await;
    let other = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{n001}/bus-routes"),
            Some(&n),
            &json!({"name": "南关线", "stops": [
                {"name": "西站", "lat": 43.870, "lon": 125.300, "time": "07:00"},
                {"name": "学校", "lat": 43.870, "lon": 125.320, "time": "07:20"}]}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    expect(&ask(&app, &staff, other, 2).await, 404, "not_found");
    expect(&ask(&app, &staff, i64::MAX, 2).await, 404, "not_found");
    // The standing roles do not ask: they have the right (with a reason, audited).
    expect(&ask(&app, &principal, r1, 2).await, 403, "forbidden");

    // A request: pending, the principal notified, nothing opened yet.
    let r = ask(&app, &staff, r1, 24).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let g = r.json();
    let id = g["id"].as_i64().unwrap();
    assert_eq!(g["state"], "pending");
    assert!(g["expires_at"].is_null());
    assert_eq!(g["may_decide"], false);
    let inbox = app.get("/api/v1/inbox", Some(&principal)).await.json();
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "pii_grant_asked" && n["subject"] == "一号线"),
        "{inbox}"
    );
    expect(
        &app.get(&unmasked(r1), Some(&staff)).await,
        403,
        "forbidden",
    );

    // Nobody decides on their own request; the requester's role decides nothing; another
    // school's principal does not see it; a refusal or revocation needs its note.
    let officer = app.login("bureau.officer").await;
    let own = ask(&app, &officer, r1, 2).await.json()["id"]
        .as_i64()
        .unwrap();
    let j = expect(
        &decide(&app, &officer, own, "approve", "").await,
        403,
        "forbidden",
    );
    assert!(common::msg(&j).contains("自己"), "{j}");
    expect(
        &decide(&app, &staff, id, "approve", "").await,
        403,
        "forbidden",
    );
    let s002 = app.login("s002.principal").await;
    expect(
        &decide(&app, &s002, id, "approve", "").await,
        404,
        "not_found",
    );
    expect(
        &app.get(&format!("/api/v1/pii-grants/{id}"), Some(&s002))
            .await,
        404,
        "not_found",
    );
    let j = expect(
        &decide(&app, &principal, id, "reject", " ").await,
        422,
        "invalid",
    );
    assert_eq!(fields(&j), ["note"]);
    expect(
        &decide(&app, &principal, id, "revoke", "x").await,
        409,
        "conflict",
    );

    // Approved: in force for 24 hours, for this route and this person alone.
    let r = decide(&app, &principal, id, "approve", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let g = r.json();
    assert_eq!(g["state"], "active");
    let ends = chrono::DateTime::parse_from_rfc3339(g["expires_at"].as_str().unwrap()).unwrap();
    let left = ends.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        left > chrono::Duration::hours(23) && left <= chrono::Duration::hours(24),
        "{left}"
    );
    expect(
        &decide(&app, &principal, id, "approve", "").await,
        409,
        "conflict",
    );
    let inbox = app.get("/api/v1/inbox", Some(&staff)).await.json();
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "pii_grant_approved"),
        "{inbox}"
    );
    let masked = app
        .get(&format!("/api/v1/bus-routes/{r1}/riders"), Some(&staff))
        .await
        .json();
    assert_eq!(masked["masked"], true, "a grant opens nothing unasked");
    assert_eq!(masked["may_unmask"], true);
    assert!(masked["grant_expires_at"].is_string());
    let before = views(&mut app, "s001.staff").await.len();
    for _ in 0..3 {
        let r = app.get(&unmasked(r1), Some(&staff)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains(PUPIL) && r.text().contains(GUARDIAN_PHONE));
    }
    let rows = views(&mut app, "s001.staff").await;
    assert_eq!(rows.len() - before, 3, "one audit row per view");
    for row in &rows {
        let detail = row["detail"].as_str().unwrap_or("");
        assert!(detail.contains(&format!("grant={id}")), "{row}");
        assert!(!row.to_string().contains(PUPIL) && !row.to_string().contains(GUARDIAN_PHONE));
    }
    // The export too, whole only with the reason.
    let r = app
        .get(
            &format!("/api/v1/bus-routes/{r1}/riders/export.xlsx?unmasked=1&reason=导出核对"),
            Some(&staff),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    expect(
        &app.get(&unmasked(r2), Some(&staff)).await,
        403,
        "forbidden",
    );
    expect(
        &app.get(&unmasked(r1), Some(&guard)).await,
        403,
        "forbidden",
    );

    // Past its end it opens nothing, reads as expired, and cannot be revoked.
    app.sql(&format!(
        "UPDATE pii_grants SET expires_at = '2026-01-01 00:00:00+00:00' WHERE id = {id}"
    ))
    .await;
    let r = app.get(&unmasked(r1), Some(&staff)).await;
    expect(&r, 403, "forbidden");
    assert!(!r.text().contains(PUPIL));
    let g = app
        .get(&format!("/api/v1/pii-grants/{id}"), Some(&staff))
        .await
        .json();
    assert_eq!(g["state"], "expired");
    expect(
        &decide(&app, &principal, id, "revoke", "到期").await,
        409,
        "conflict",
    );
    let expired = app
        .get("/api/v1/pii-grants?state=expired", Some(&principal))
        .await
        .json();
    assert!(
        expired["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == id),
        "{expired}"
    );

    // Revoked by the bureau: closed at once.
    let again = ask(&app, &staff, r1, 1).await.json()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        decide(&app, &officer, again, "approve", "").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&unmasked(r1), Some(&staff)).await.status,
        StatusCode::OK
    );
    let r = decide(&app, &officer, again, "revoke", "已核对完毕").await;
    assert_eq!(r.json()["state"], "revoked", "{}", r.text());
    expect(
        &app.get(&unmasked(r1), Some(&staff)).await,
        403,
        "forbidden",
    );

    // Every request and decision audited.
    for action in [
        "pii.grant_request",
        "pii.grant_approve",
        "pii.grant_reject",
        "pii.grant_revoke",
    ] {
        let rows = app.audit(&format!("action={action}&per_page=200")).await;
        if action != "pii.grant_reject" {
            assert!(!rows.is_empty(), "{action}");
        }
    }
    let refused = app
        .audit("action=bus.rider_names&result=denied&per_page=200")
        .await;
    assert!(refused.iter().any(|r| r["username"] == "s001.staff"));
}

#[tokio::test]
async fn the_grants_pages_ask_decide_and_show_the_state() {
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    let r1 = route(&mut app, "三号线").await;
    let staff = app.login("s001.staff").await;
    let principal = app.login("s001.principal").await;

    // The routes page offers a request to staff, and a reasoned export to the principal.
    let page = app
        .get(&format!("/schools/{school}/bus-routes"), Some(&staff))
        .await
        .text();
    assert!(
        page.contains(&format!("/bus-routes/{r1}/name-grants")),
        "no request form"
    );
    assert!(!page.contains(PUPIL));
    let page = app
        .get(&format!("/schools/{school}/bus-routes"), Some(&principal))
        .await
        .text();
    assert!(page.contains("rider-unmask") && !page.contains("name-grants"));

    // A bad request shows its error on the grants page; a good one goes there.
    let r = app
        .form(
            &format!("/bus-routes/{r1}/name-grants"),
            Some(&staff),
            &[("reason", "核对"), ("hours", "abc")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("pii-error"));
    let r = app
        .form(
            &format!("/bus-routes/{r1}/name-grants"),
            Some(&staff),
            &[("reason", "<b>春游</b>点名"), ("hours", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.header("location").starts_with("/privacy/grants"));
    let mine = app
        .get("/api/v1/pii-grants?mine=true", Some(&staff))
        .await
        .json();
    assert_eq!(mine["total"], 1, "{mine}");
    let id = mine["items"][0]["id"].as_i64().unwrap();
    assert_eq!(mine["items"][0]["hours"], 3);

    // The principal's queue: the request, escaped, with its decision form.
    let page = app
        .get("/privacy/grants?state=pending", Some(&principal))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!("id=\"grant-{id}\"")));
    assert!(
        html.contains("春游") && !html.contains("<b>春游"),
        "escaped"
    );
    assert!(html.contains(&format!("/privacy/grants/{id}/actions")));
    // Staff see their request, without a decision form.
    let html = app
        .get("/privacy/grants?mine=true", Some(&staff))
        .await
        .text();
    assert!(html.contains(&format!("id=\"grant-{id}\"")));
    assert!(!html.contains(&format!("/privacy/grants/{id}/actions")));

    let r = app
        .form(
            &format!("/privacy/grants/{id}/actions"),
            Some(&principal),
            &[("action", "approve"), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = app
        .get("/privacy/grants?state=active", Some(&staff))
        .await
        .text();
    assert!(html.contains(&format!("id=\"grant-{id}\" data-state=\"active\"")));
    let page = app
        .get(&format!("/schools/{school}/bus-routes"), Some(&staff))
        .await
        .text();
    assert!(page.contains("rider-unmask") && page.contains("grant-until"));

    // A step the state does not allow is the error page, not a silent success.
    let r = app
        .form(
            &format!("/privacy/grants/{id}/actions"),
            Some(&principal),
            &[("action", "approve")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // English is complete on the page.
    let en = app
        .request(
            Method::GET,
            "/privacy/grants",
            Some(&principal),
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await
        .text();
    assert!(
        en.contains("Grants to see minors") && en.contains("In force"),
        "{en}"
    );
}
