//! The home pages' figures (`/api/v1/home`) and the pages (`/`, a school's hub): for every
//! business account of the demo, each number equals the total of the list the page links it
//! to (hazards by status, supervised, overdue; the self-inspection and drill boards; the risk
//! register or roll-up; open warnings by level); a school's hub shows the same figures for
//! the school; schools out of scope are never counted (a hazard reported at 南关区's N001
//! moves 南关区's and the city's figures and nobody else's); the system roles land on their
//! own pages. Runs on SQLite and on PostgreSQL (`SAFECAMPUS_TEST_DB=postgres`).

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{Value, json};

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("a count: {v}"))
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.get(path, Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.json()
}

/// The total of a hazard list (`/api/v1/hazards?<q>`).
async fn hazards(app: &TestApp, token: &str, q: &str) -> u64 {
    n(&get(app, token, &format!("/api/v1/hazards?per_page=1&{q}")).await["total"])
}

const BUSINESS: &[&str] = &[
    "city.officer",
    "bureau.officer",
    "bureau.leader",
    "bureau.inspector",
    "nanguan.officer",
    "s001.principal",
    "s001.safety",
    "s001.staff",
    "s001.guard",
    "n001.principal",
];

/// Every number of `h` against the list it links to, as `token` sees the lists; `org` is the
/// filter the links carry (empty for the caller's own home).
async fn check_against_lists(app: &TestApp, token: &str, h: &Value, org: &str) {
    let hz = &h["hazards"];
    let school = h["org"]["kind"] == "school";
    let hq = match (org.is_empty(), school) {
        (true, _) => String::new(),
        (false, true) => format!("&school_id={}", h["org"]["id"]),
        (false, false) => format!("&org_id={}", h["org"]["id"]),
    };
    assert_eq!(
        n(&hz["open"]),
        hazards(app, token, &format!("status=open{hq}")).await
    );
    assert_eq!(
        n(&hz["overdue"]),
        hazards(app, token, &format!("overdue=true{hq}")).await
    );
    assert_eq!(
        n(&hz["supervised"]),
        hazards(app, token, &format!("supervised=true&status=open{hq}")).await
    );
    assert_eq!(
        n(&hz["supervised_overdue"]),
        hazards(app, token, &format!("supervised=true&overdue=true{hq}")).await
    );
    let mut open = 0;
    for s in hz["by_status"].as_array().expect("by_status") {
        let code = s["status"].as_str().expect("status");
        assert_eq!(
            n(&s["count"]),
            hazards(app, token, &format!("status={code}{hq}")).await,
            "{code}"
        );
        assert_eq!(
            n(&s["supervised"]),
            hazards(app, token, &format!("supervised=true&status={code}{hq}")).await,
            "{code} supervised"
        );
        open += n(&s["count"]);
    }
    assert_eq!(open, n(&hz["open"]));
    // Due this week: each listed hazard's deadline is within the week, the clock running.
    let today = h["today"].as_str().expect("today");
    for b in h["due_soon"].as_array().expect("due_soon") {
        let d = b["deadline"].as_str().expect("deadline");
        assert!(d >= today, "{b}");
    }
    assert!(h["due_soon"].as_array().expect("due").len() as u64 <= n(&hz["due_this_week"]));

    // The boards.
    let oq = if org.is_empty() {
        String::new()
    } else {
        format!("?org_id={}", h["org"]["id"])
    };
    let board = get(app, token, &format!("/api/v1/self-inspection-board{oq}")).await;
    assert_eq!(h["inspections"]["counts"], board["counts"]);
    assert_eq!(h["inspections"]["period"], board["period"]);
    let drills = get(app, token, &format!("/api/v1/drill-board{oq}")).await;
    assert_eq!(h["drills"]["counts"], drills["counts"]);

    // Open warnings by level.
    let wq = if org.is_empty() {
        String::new()
    } else {
        format!("&org_id={}", h["org"]["id"])
    };
    for w in h["warnings"].as_array().expect("warnings") {
        let level = w["level"].as_str().expect("level");
        let list = get(
            app,
            token,
            &format!("/api/v1/warnings?open=true&level={level}&per_page=1{wq}"),
        )
        .await;
        assert_eq!(n(&w["open"]), n(&list["total"]), "{level}");
    }

    // Risk grades: the school's register, or the roll-up of the node's children.
    let risk = &h["risk"];
    if school {
        let reg = get(
            app,
            token,
            &format!("/api/v1/schools/{}/risk-points", h["org"]["id"]),
        )
        .await;
        assert_eq!(risk["counts"], reg["counts"]);
        assert_eq!(risk["review_due"], reg["review_due"]);
        assert_eq!(risk["total"], reg["total"]);
    } else {
        let rows = get(
            app,
            token,
            &format!("/api/v1/risk-summary?org_id={}", h["org"]["id"]),
        )
        .await;
        let rows = rows.as_array().expect("rows").clone();
        for g in ["major", "significant", "general", "low", "unassessed"] {
            let sum: u64 = rows.iter().map(|r| n(&r["counts"][g])).sum();
            assert_eq!(n(&risk["counts"][g]), sum, "{g}");
        }
        let due: u64 = rows.iter().map(|r| n(&r["review_due"])).sum();
        assert_eq!(n(&risk["review_due"]), due);
        // Grades by kind add up to the grades.
        let kinds = h["charts"]["grades_by_kind"].as_array().expect("kinds");
        let major: u64 = kinds.iter().map(|k| n(&k["counts"]["major"])).sum();
        assert_eq!(major, n(&risk["counts"]["major"]));
    }

    // Charts: the overdue schools add up to at most the overdue hazards, most first, and
    // each equals its school's overdue list.
    let top = h["charts"]["overdue_by_school"].as_array().expect("top");
    let mut last = u64::MAX;
    for s in top {
        let c = n(&s["count"]);
        assert!(c <= last && c > 0, "{s}");
        last = c;
        assert_eq!(
            c,
            hazards(
                app,
                token,
                &format!("overdue=true&school_id={}", s["school"]["id"])
            )
            .await
        );
    }
    assert!(top.iter().map(|s| n(&s["count"])).sum::<u64>() <= n(&hz["overdue"]));
    assert_eq!(h["charts"]["weeks"].as_array().expect("weeks").len(), 8);
    let halves = h["charts"]["half_months"].as_array().expect("halves");
    assert_eq!(halves.len(), 6);
    // The current half-month's column is the board's.
    assert_eq!(halves[5]["period"], board["period"]);
    assert_eq!(halves[5]["counts"], board["counts"]);
}

#[tokio::test]
async fn every_home_number_equals_the_list_it_links_to() {
    let mut app = TestApp::new().await;
    for who in BUSINESS {
        let t = app.login(who).await;
        let h = get(&app, &t, "/api/v1/home").await;
        check_against_lists(&app, &t, &h, "").await;
        // The page shows the same numbers.
        let page = app.get("/", Some(&t)).await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        let html = page.text();
        let school = h["org"]["kind"] == "school";
        let staff = who.ends_with(".staff") || who.ends_with(".guard");
        if !staff {
            let open = tile(&html, "home-hazards-open");
            assert_eq!(
                open,
                ("/hazards?status=open".into(), n(&h["hazards"]["open"]))
            );
            let missing = tile(&html, "home-insp-missing");
            let want = n(&h["inspections"]["counts"]["missing"]);
            assert_eq!(missing, ("/inspections/board".into(), want), "{who}");
            assert!(html.contains("id=\"home-charts\""), "{who}");
        } else {
            assert!(html.contains("id=\"home-report\""), "{who}");
            assert!(!html.contains("id=\"home-charts\""), "{who}");
        }
        // Only a school's own people get their own work.
        assert_eq!(h["mine"].is_null(), !school, "{who}");
        if school {
            let mine = &h["mine"];
            let assigned = format!(
                "id=\"home-assigned\" href=\"#home-assigned-list\">{}</a>",
                mine["assigned"]
            );
            assert!(html.contains(&assigned), "{who}: {assigned}");
        }
    }
}

#[tokio::test]
async fn the_numbers_are_counted_in_scope_only() {
    let mut app = TestApp::new().await;
    let city = app.login("city.officer").await;
    let erdao = app.login("bureau.officer").await;
    let nanguan = app.login("nanguan.officer").await;
    let n001 = app.login("n001.principal").await;
    let s001 = app.login("s001.principal").await;
    let open = |h: &Value| n(&h["hazards"]["open"]);
    let before: Vec<Value> = {
        let mut v = Vec::new();
        for t in [&city, &erdao, &nanguan, &n001, &s001] {
            v.push(get(&app, t, "/api/v1/home").await);
        }
        v
    };
    // The city's figures are its two districts'.
    assert_eq!(open(&before[0]), open(&before[1]) + open(&before[2]));
    assert_eq!(
        n(&before[0]["schools"]),
        n(&before[1]["schools"]) + n(&before[2]["schools"])
    );
    assert_eq!(n(&before[3]["schools"]), 1);

    // A hazard reported at N001 counts for N001, 南关区 and the city only.
    let n001_id = app.org_id("N001").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{n001_id}/hazards"),
            Some(&n001),
            &json!({"title": "围墙裂缝", "description": "北侧围墙出现裂缝", "aspect": "things",
                    "category": "校舍"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mut after = Vec::new();
    for t in [&city, &erdao, &nanguan, &n001, &s001] {
        after.push(get(&app, t, "/api/v1/home").await);
    }
    let moved: Vec<u64> = before
        .iter()
        .zip(&after)
        .map(|(b, a)| open(a) - open(b))
        .collect();
    assert_eq!(moved, vec![1, 0, 1, 1, 0]);
    let reported = |h: &Value| {
        h["hazards"]["by_status"]
            .as_array()
            .expect("by")
            .iter()
            .find(|s| s["status"] == "reported")
            .map(|s| n(&s["count"]))
            .expect("reported")
    };
    assert_eq!(reported(&after[3]), reported(&before[3]) + 1);
    // This week's chart has it too.
    let week = |h: &Value| n(&h["charts"]["weeks"][7]["opened"]);
    assert_eq!(week(&after[3]), week(&before[3]) + 1);
    assert_eq!(week(&after[1]), week(&before[1]));

    // Another district's or school's figures are not found; a sibling school of one's own
    // district is, for the bureau, and its numbers are its hub's lists'.
    let s002 = app.org_id("S002").await;
    for (t, id) in [(&erdao, n001_id), (&s001, s002), (&n001, s002)] {
        let r = app.get(&format!("/api/v1/home?org_id={id}"), Some(t)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    }
    let h = get(&app, &erdao, &format!("/api/v1/home?org_id={s002}")).await;
    assert_eq!(h["org"]["code"], "S002");
    assert!(h["mine"].is_null(), "a bureau user has no work at a school");
    check_against_lists(&app, &erdao, &h, "org").await;
    let district = before[1]["org"]["id"].as_i64().expect("district");
    let h = get(&app, &city, &format!("/api/v1/home?org_id={district}")).await;
    assert_eq!(open(&h), open(&after[1]));
    check_against_lists(&app, &city, &h, "org").await;

    // The school's hub page shows the school's figures with links narrowed to it.
    let page = app.get(&format!("/schools/{s002}"), Some(&erdao)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let (href, shown) = tile(&html, "home-hazards-open");
    assert_eq!(href, format!("/hazards?status=open&school_id={s002}"));
    assert_eq!(shown, h_open(&app, &erdao, s002).await);
    for id in [
        "school-zones",
        "school-people",
        "school-risks",
        "school-map",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
}

/// The link and number of the tile `id` in a page (attributes unescaped).
fn tile(html: &str, id: &str) -> (String, u64) {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let href = rest.split("href=\"").nth(1).expect("href");
    let href = href[..href.find('"').expect("end")]
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let n = rest.split("<b class=\"n\">").nth(1).expect("number");
    let n = n[..n.find('<').expect("end")]
        .trim()
        .parse()
        .expect("a number");
    (href, n)
}

async fn h_open(app: &TestApp, token: &str, school: i64) -> u64 {
    hazards(app, token, &format!("status=open&school_id={school}")).await
}

#[tokio::test]
async fn system_roles_land_on_their_pages_and_have_no_figures() {
    let mut app = TestApp::new().await;
    for (who, to) in [
        ("sysadmin", "/admin/users"),
        ("secadmin", "/admin/users"),
        ("auditadmin", "/audit"),
    ] {
        let t = app.login(who).await;
        let r = app.get("/", Some(&t)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{who}");
        assert_eq!(r.header("location"), to, "{who}");
        let r = app.get("/api/v1/home", Some(&t)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    let t = app.login("bureau.officer").await;
    let r = app.get("/api/v1/home?org_id=abc", Some(&t)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/api/v1/home?org_id=999999", Some(&t)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/api/v1/home?colour=red", Some(&t)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Today's zero reports of the duty periods in `h`, by period id.
fn zero_of(h: &Value, id: i64) -> Option<Value> {
    h["zero_reports"]
        .as_array()
        .expect("zero_reports")
        .iter()
        .find(|z| z["period_id"] == id)
        .cloned()
}

#[tokio::test]
async fn the_bureau_home_counts_todays_zero_reports_as_the_duty_board_does() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let today = safecampus::clock::today();
    let (s001, s002, s003) = (
        app.org_id("S001").await,
        app.org_id("S002").await,
        app.org_id("S003").await,
    );
    // A duty period covering today with three units, and one ahead of today.
    let mk = |name: &str, first: chrono::NaiveDate, last: chrono::NaiveDate| {
        json!({"name": name, "first": first, "last": last, "cutoff": "23:59:59",
               "school_ids": [s001, s002, s003]})
    };
    let mut ids = Vec::new();
    for body in [
        mk(
            "元旦假期值班",
            today - chrono::Duration::days(1),
            today + chrono::Duration::days(1),
        ),
        mk(
            "春节假期值班",
            today + chrono::Duration::days(5),
            today + chrono::Duration::days(9),
        ),
    ] {
        let r = app
            .json(Method::POST, "/api/v1/duty-periods", Some(&officer), &body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        ids.push(r.json()["id"].as_i64().expect("id"));
    }
    let (id, ahead) = (ids[0], ids[1]);
    let board_path = format!("/api/v1/zero-report-board?period_id={id}&date={today}");

    // Nothing sent yet: every unit is open (the cutoff is at the end of the day).
    let h = get(&app, &officer, "/api/v1/home").await;
    let z = zero_of(&h, id).expect("the period covering today is on the home");
    assert!(zero_of(&h, ahead).is_none(), "a period ahead is not");
    assert_eq!(z["date"], json!(today));
    assert_eq!(z["name"], "元旦假期值班");
    let b = get(&app, &officer, &board_path).await;
    assert_eq!(z["counts"], b["counts"]);
    assert_eq!(n(&z["submitted"]), 0);
    assert_eq!(n(&z["counts"]["open"]), 3);

    // S001's principal sends today's report: one submitted, on the board and on the home.
    let principal = app.login("s001.principal").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/duty-periods/{id}/reports"),
            Some(&principal),
            &json!({"school_id": s001, "date": today, "zero": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let h = get(&app, &officer, "/api/v1/home").await;
    let z = zero_of(&h, id).expect("zero reports");
    let b = get(&app, &officer, &board_path).await;
    assert_eq!(z["counts"], b["counts"]);
    let sent = n(&b["counts"]["on_time"]) + n(&b["counts"]["late"]);
    assert_eq!(sent, 1);
    assert_eq!(n(&z["submitted"]), sent);
    assert_eq!(n(&z["counts"]["open"]), 2);

    // The page shows the same numbers, linked to the board of today.
    let html = app.get("/", Some(&officer)).await.text();
    assert!(html.contains("id=\"home-group-zero-reports\""));
    let href = format!("/duty/{id}?date={today}");
    assert_eq!(
        tile(&html, &format!("home-zero-submitted-{id}")),
        (href.clone(), sent)
    );
    assert_eq!(
        tile(&html, &format!("home-zero-missing-{id}")),
        (href.clone(), n(&b["counts"]["missing"]))
    );
    assert_eq!(
        tile(&html, &format!("home-zero-open-{id}")),
        (href.clone(), n(&b["counts"]["open"]))
    );
    assert!(!html.contains(&format!("home-zero-submitted-{ahead}")));
    let r = app.get(&href, Some(&officer)).await;
    assert_eq!(r.status, StatusCode::OK, "the link opens the board");

    // The city sees the district's units; 南关区 does not see the period; a school's home
    // has no zero reports of its own.
    let city = app.login("city.officer").await;
    let h = get(&app, &city, "/api/v1/home").await;
    assert_eq!(zero_of(&h, id).expect("city")["counts"], b["counts"]);
    let nanguan = app.login("nanguan.officer").await;
    let h = get(&app, &nanguan, "/api/v1/home").await;
    assert!(zero_of(&h, id).is_none());
    let h = get(&app, &principal, "/api/v1/home").await;
    assert_eq!(h["zero_reports"], json!([]));
}
