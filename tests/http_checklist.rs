mod common;

// The phone checklist without scripts: the form's large answers, progress and index as
// served; "mark the rest as pass" asks first (naming how many rows it marks) and marks only
// the count confirmed; a refused submission comes back with everything entered (answers,
// notes, the photos already uploaded) and the errors on their rows; a stored one leads to a
// short result with the hazards it opened; reopening a half-month already submitted says so
// and leads to the submitted one; and the inspections page pages with its total.

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{Value, json};

/// Signs in through the login form; returns the session cookie.
async fn sign_in(app: &TestApp, user: &str) -> String {
    let form = [("username", user), ("password", common::PASSWORD)];
    let r = app.form("/login", None, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> String {
    let h = [("cookie", cookie)];
    let r = app.request(Method::GET, path, None, None, vec![], &h).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.text()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let at = html.find(marker).expect("the token") + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

async fn inspections_of(app: &mut TestApp, school: i64) -> usize {
    let t = app.login("city.officer").await;
    let r = app
        .get(
            &format!("/api/v1/schools/{school}/inspections?per_page=200"),
            Some(&t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json().as_array().expect("list").len()
}

/// The text between `id="<id>"` and the next `<`.
fn text_of(html: &str, id: &str) -> String {
    let m = format!("id=\"{id}\"");
    let at = html.find(&m).unwrap_or_else(|| panic!("#{id} in the page"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..start + rest[start..].find('<').unwrap()].to_string()
}

/// Whether the row's radio of `value` is checked in the page.
fn checked(html: &str, key: &str, value: &str) -> bool {
    html.contains(&format!("name=\"res_{key}\" value=\"{value}\" checked"))
}

#[tokio::test]
async fn the_form_shows_large_answers_progress_and_an_index() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let ids = app.half_month_points(s001).await;
    assert!(ids.len() > 20, "the demo's checklist is long");
    let cookie = sign_in(&app, "s001.safety").await;
    let html = page(
        &app,
        &format!("/schools/{s001}/inspections/new?kind=half_month"),
        &cookie,
    )
    .await;
    // Every row: three answers as radio inputs inside large labels, and a multi-line note.
    let radios = html.matches("class=\"ck-radio\"").count();
    assert_eq!(radios, ids.len() * 3);
    for id in &ids {
        assert!(html.contains(&format!("<textarea name=\"note_p{id}\"")));
        assert!(html.contains(&format!("name=\"photos_p{id}\"")));
    }
    assert!(html.contains("class=\"ck-btn ck-fail\""));
    // The progress starts at nothing answered, out of every row.
    assert_eq!(text_of(&html, "ck-done"), "0");
    assert_eq!(text_of(&html, "ck-total"), ids.len().to_string());
    // The index: one entry per section, each linking to it.
    let sections = html.matches("<section class=\"ck-group\"").count();
    assert!(sections > 1);
    assert_eq!(html.matches("class=\"ck-gcount\"").count(), sections);
    for n in 1..=sections {
        assert!(html.contains(&format!("href=\"#g-{n}\"")));
        assert!(html.contains(&format!("id=\"g-{n}\"")));
    }
    // The sticky bar, the confirmation text with its count slot, the scripts as files.
    assert!(html.contains("id=\"ck-bar\""));
    assert!(html.contains("data-confirm-rest=\"还有 %{n} 项未填写"));
    assert!(html.contains("/checklist.js\""));
    assert!(html.contains("/checklist.css\""));
    // In English too.
    let h = [("cookie", cookie.as_str()), ("accept-language", "en")];
    let r = app
        .request(
            Method::GET,
            &format!("/schools/{s001}/inspections/new?kind=half_month"),
            None,
            None,
            vec![],
            &h,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let en = r.text();
    assert!(
        en.contains("Mark these %{n} items as pass"),
        "English confirmation"
    );
    assert!(en.contains("Jump to a zone"));
    // The stylesheet and the script are served.
    for f in ["checklist.css", "checklist.js"] {
        let at = html.find(&format!("/{f}\"")).expect(f);
        let start = html[..at].rfind('"').unwrap() + 1;
        let url = &html[start..at + f.len() + 1];
        let r = app.get(url, None).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
    }
}

#[tokio::test]
async fn the_rest_as_pass_asks_first_and_marks_only_the_confirmed_count() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let ids = app.half_month_points(s001).await;
    let cookie = sign_in(&app, "s001.safety").await;
    let html = page(
        &app,
        &format!("/schools/{s001}/inspections/new?kind=half_month"),
        &cookie,
    )
    .await;
    let action = format!("/schools/{s001}/inspections/new?_csrf={}", csrf_of(&html));
    let before = inspections_of(&mut app, s001).await;
    let (k0, k1) = (format!("p{}", ids[0]), format!("p{}", ids[1]));
    let (r0, r1, n1) = (
        format!("res_{k0}"),
        format!("res_{k1}"),
        format!("note_{k1}"),
    );
    let left = ids.len() - 2;
    // Without a confirmation: nothing stored; the form asks, naming the count, and keeps
    // the answers.
    let r = app
        .post_multipart(
            &action,
            &cookie,
            &[
                ("kind", "half_month"),
                (&r0, "pass"),
                (&r1, "na"),
                (&n1, "本学期停用"),
                ("rest", "pass"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let asked = r.text();
    assert!(asked.contains("id=\"rest-confirm\""), "asks first");
    assert!(
        asked.contains(&format!("还有 {left} 项未填写")),
        "names the count {left}"
    );
    assert!(asked.contains(&format!("name=\"confirm_rest\" value=\"{left}\"")));
    assert!(checked(&asked, &k0, "pass") && checked(&asked, &k1, "na"));
    assert!(asked.contains("本学期停用"));
    assert_eq!(text_of(&asked, "ck-done"), "2");
    assert_eq!(inspections_of(&mut app, s001).await, before);
    // A confirmation of another count (the answers changed since): asked again.
    let stale = (left + 1).to_string();
    let r = app
        .post_multipart(
            &action,
            &cookie,
            &[
                ("kind", "half_month"),
                (&r0, "pass"),
                (&r1, "na"),
                ("rest", "pass"),
                ("confirm_rest", &stale),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("id=\"rest-confirm\""));
    assert_eq!(inspections_of(&mut app, s001).await, before);
    // Confirmed: stored with every row, the rest as pass, and the result page follows.
    let n = left.to_string();
    let r = app
        .post_multipart(
            &action,
            &cookie,
            &[
                ("kind", "half_month"),
                (&r0, "pass"),
                (&r1, "na"),
                (&n1, "本学期停用"),
                ("rest", "pass"),
                ("confirm_rest", &n),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.header("location");
    assert!(to.ends_with("/result"), "{to}");
    let id: i64 = to
        .trim_start_matches("/inspections/")
        .trim_end_matches("/result")
        .parse()
        .unwrap();
    let t = app.login("s001.safety").await;
    let d = app
        .get(&format!("/api/v1/inspections/{id}"), Some(&t))
        .await
        .json();
    assert_eq!(d["total"].as_u64().unwrap() as usize, ids.len());
    assert_eq!(d["not_applicable"], 1);
    assert_eq!(d["passed"].as_u64().unwrap() as usize, ids.len() - 1);
    let result = page(&app, &to, &cookie).await;
    assert!(result.contains("id=\"result-no-hazards\""));
    assert_eq!(text_of(&result, "result-failed"), "0");
}

#[tokio::test]
async fn a_refused_submission_keeps_everything_entered_and_the_result_lists_the_hazards() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let ids = app.half_month_points(s001).await;
    let cookie = sign_in(&app, "s001.safety").await;
    let html = page(
        &app,
        &format!("/schools/{s001}/inspections/new?kind=half_month"),
        &cookie,
    )
    .await;
    let action = format!("/schools/{s001}/inspections/new?_csrf={}", csrf_of(&html));
    let before = inspections_of(&mut app, s001).await;
    let keys: Vec<String> = ids.iter().map(|i| format!("p{i}")).collect();
    let res: Vec<String> = keys.iter().map(|k| format!("res_{k}")).collect();
    let notes: Vec<String> = keys.iter().map(|k| format!("note_{k}")).collect();
    let photo0 = format!("photos_{}", keys[0]);
    // Two failed rows, the first with a photo and no note, the second with a note; a third
    // passed; a general note; the date left as today.
    let r = app
        .post_multipart(
            &action,
            &cookie,
            &[
                ("kind", "half_month"),
                (&res[0], "fail"),
                (&res[1], "fail"),
                (&notes[1], "疏散指示灯不亮\n二楼东侧两处"),
                (&res[2], "pass"),
                ("note", "雨天检查"),
            ],
            &[&photo0],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let again = r.text();
    assert!(again.contains("id=\"form-error\""));
    assert!(again.contains("不合格项须填写问题说明"));
    assert_eq!(
        text_of(&again, "rows-to-fix"),
        "1 个检查项需要修改，已用红框标出。"
    );
    assert!(again.contains(&format!("id=\"row-{}\"", keys[0])));
    let row0 = &again[again.find(&format!("id=\"row-{}\"", keys[0])).unwrap()..];
    let row0 = &row0[..row0.find("</fieldset>").unwrap()];
    assert!(
        row0.contains("has-error")
            || again.contains(&format!("has-error\" id=\"row-{}\"", keys[0]))
    );
    assert!(checked(&again, &keys[0], "fail"));
    assert!(checked(&again, &keys[1], "fail"));
    assert!(checked(&again, &keys[2], "pass"));
    assert!(
        !checked(&again, &keys[3], "pass"),
        "unanswered rows stay so"
    );
    assert!(
        again.contains("疏散指示灯不亮\n二楼东侧两处"),
        "the multi-line note"
    );
    assert!(again.contains("雨天检查"));
    assert_eq!(text_of(&again, "ck-done"), "3");
    // The photo uploaded with the refused post is kept for the next one.
    let kept = format!("name=\"kept_{}\" value=\"", keys[0]);
    let at = again.find(&kept).expect("the photo is kept") + kept.len();
    let photo: i64 = again[at..at + again[at..].find('"').unwrap()]
        .parse()
        .expect("a photo id");
    assert_eq!(inspections_of(&mut app, s001).await, before);

    // Corrected and sent again with the kept photo: stored, with two hazards.
    let photo_s = photo.to_string();
    let kept0 = format!("kept_{}", keys[0]);
    let r = app
        .post_multipart(
            &action,
            &cookie,
            &[
                ("kind", "half_month"),
                (&res[0], "fail"),
                (&notes[0], "灭火器压力不足"),
                (&kept0, &photo_s),
                (&res[1], "fail"),
                (&notes[1], "疏散指示灯不亮\n二楼东侧两处"),
                (&res[2], "pass"),
                ("note", "雨天检查"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.header("location");
    let result = page(&app, &to, &cookie).await;
    let id: i64 = to
        .trim_start_matches("/inspections/")
        .trim_end_matches("/result")
        .parse()
        .unwrap();
    let t = app.login("s001.safety").await;
    let d: Value = app
        .get(&format!("/api/v1/inspections/{id}"), Some(&t))
        .await
        .json();
    assert_eq!(d["total"], 3);
    assert_eq!(d["failed"], 2);
    assert_eq!(d["items"][0]["photo_ids"], json!([photo]));
    // The result: the counts, and each opened hazard linked, not the whole checklist.
    assert_eq!(text_of(&result, "result-failed"), "2");
    assert!(result.contains("共检查 3 项：合格 1 项，不合格 2 项，不适用 0 项。"));
    for it in d["items"].as_array().unwrap() {
        if it["result"] == "fail" {
            let h = it["hazard_id"].as_i64().expect("a hazard");
            assert!(result.contains(&format!("href=\"/hazards/{h}\"")), "#{h}");
        }
    }
    assert!(!result.contains("id=\"inspection-items\""));
    assert!(
        result.contains(&format!("href=\"/inspections/{id}\"")),
        "the whole record"
    );
    // An inspection out of the caller's scope has no result page.
    let other = sign_in(&app, "s002.safety").await;
    let r = app
        .request(
            Method::GET,
            &to,
            None,
            None,
            vec![],
            &[("cookie", other.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reopening_a_submitted_half_month_says_so_and_leads_to_it() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let ids = app.half_month_points(s001).await;
    let path = format!("/schools/{s001}/inspections/new?kind=half_month");
    let cookie = sign_in(&app, "s001.safety").await;
    let t = app.login("s001.safety").await;
    let board = app
        .get(
            &format!("/api/v1/self-inspection-board?org_id={s001}"),
            Some(&t),
        )
        .await
        .json();
    let earlier = board["schools"][0]["inspection_id"].as_i64();
    let html = page(&app, &path, &cookie).await;
    assert_eq!(
        html.contains("id=\"already-submitted\""),
        earlier.is_some(),
        "the notice follows the board"
    );
    // Submitted through the API, then the form is opened again.
    let items: Vec<Value> = ids
        .iter()
        .map(|i| json!({"risk_point_id": i, "result": "pass"}))
        .collect();
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/inspections"),
            Some(&t),
            &json!({"kind": "half_month", "items": items}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let first = earlier.unwrap_or_else(|| r.json()["id"].as_i64().expect("id"));
    let html = page(&app, &path, &cookie).await;
    assert!(html.contains("id=\"already-submitted\""));
    let notice = text_of(&html, "already-submitted");
    let _ = notice;
    assert!(html.contains("的半月自查已于"), "says so");
    assert!(
        html.contains(&format!("href=\"/inspections/{first}/result\"")),
        "offers the submitted one"
    );
    // The period in words, not as a code.
    assert!(html.contains("id=\"ck-period\""));
    assert!(!text_of(&html, "ck-period").contains("-H"));
    // A daily check is not a half-month: no notice.
    let daily = page(
        &app,
        &format!("/schools/{s001}/inspections/new?kind=daily"),
        &cookie,
    )
    .await;
    assert!(!daily.contains("id=\"already-submitted\""));
}

#[tokio::test]
async fn the_inspections_page_shows_the_total_and_pages_with_the_filters_kept() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    // The API's count, page by page.
    let mut total = 0;
    let mut half = 0;
    for (q, n) in [("", &mut total), ("kind=half_month&", &mut half)] {
        for p in 1.. {
            let r = app
                .get(
                    &format!("/api/v1/inspections?{q}per_page=200&page={p}"),
                    Some(&t),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            let k = r.json().as_array().unwrap().len();
            *n += k;
            if k < 200 {
                break;
            }
        }
    }
    assert!(total > 50, "more than one page");
    let cookie = sign_in(&app, "bureau.officer").await;
    let html = page(&app, "/inspections", &cookie).await;
    assert_eq!(text_of(&html, "inspection-total"), format!("共 {total} 条"));
    let pages = total.div_ceil(50);
    assert_eq!(
        text_of(&html, "inspection-page"),
        format!("第 1 / {pages} 页")
    );
    assert!(
        html.contains(&format!("/inspections?page={pages}\"")),
        "the last page"
    );
    // Filtered: the total is the filter's, the pager keeps the filter.
    let html = page(&app, "/inspections?kind=half_month&page=2", &cookie).await;
    assert_eq!(text_of(&html, "inspection-total"), format!("共 {half} 条"));
    let pager = &html[html.find("id=\"inspection-pager\"").expect("a pager")..];
    let pager = &pager[..pager.find("</nav>").unwrap()];
    assert!(pager.contains("kind=half_month&#38;page=1"), "{pager}");
    assert!(html.contains("<option value=\"half_month\" selected>"));
    // The last page holds the remainder.
    let last = total.div_ceil(50);
    let html = page(&app, &format!("/inspections?page={last}"), &cookie).await;
    let rows = html.matches("<a href=\"/inspections/").count();
    assert_eq!(rows, total - (last - 1) * 50);
    assert!(!html.contains("rel=\"next\""));
    // In English.
    let h = [("cookie", cookie.as_str()), ("accept-language", "en")];
    let r = app
        .request(Method::GET, "/inspections", None, None, vec![], &h)
        .await;
    assert!(r.text().contains(&format!("{total} in all")));
}

/// The board's half-month is picked in words, its count chips narrow the list to their
/// status (kept in the address), and an unknown status is a clear refusal.
#[tokio::test]
async fn the_board_picks_half_months_in_words_and_its_chips_filter() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let api = app
        .get("/api/v1/self-inspection-board?period=2026-01-H1", Some(&t))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    let api = api.json();
    let cookie = sign_in(&app, "bureau.officer").await;
    let html = page(&app, "/inspections/board", &cookie).await;
    assert!(html.contains("<select name=\"period\" id=\"period-select\">"));
    assert!(!html.contains("pattern=\"[0-9]{4}"), "no typed code");
    let options = html.matches("<option value=\"20").count();
    assert!(options >= 24, "two years of half-months: {options}");
    assert!(html.contains("上半月</option>") && html.contains("下半月</option>"));
    // A period further back is offered too, selected, in words.
    let html = page(&app, "/inspections/board?period=2026-01-H1", &cookie).await;
    assert!(html.contains("<option value=\"2026-01-H1\" selected>2026年1月上半月</option>"));
    // Each chip narrows the list to its status.
    assert!(html.contains("href=\"/inspections/board?period=2026-01-H1&#38;status=missing\""));
    let missing = api["counts"]["missing"].as_u64().unwrap() as usize;
    let narrowed = page(
        &app,
        "/inspections/board?period=2026-01-H1&status=missing",
        &cookie,
    )
    .await;
    let rows = narrowed.matches("<tr class=\"status-").count();
    assert_eq!(rows, missing);
    assert_eq!(
        rows,
        narrowed.matches("<tr class=\"status-missing\"").count()
    );
    assert!(narrowed.contains("aria-current=\"true\">未提交"));
    // The status is kept by the period picker.
    assert!(narrowed.contains("<input type=\"hidden\" name=\"status\" value=\"missing\">"));
    let r = app
        .request(
            Method::GET,
            "/inspections/board?status=lost",
            None,
            None,
            vec![],
            &[("cookie", cookie.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // In English, in words too.
    let h = [("cookie", cookie.as_str()), ("accept-language", "en")];
    let r = app
        .request(
            Method::GET,
            "/inspections/board?period=2026-01-H1",
            None,
            None,
            vec![],
            &h,
        )
        .await;
    assert!(r.text().contains(">Jan 1–15, 2026</option>"));
}

/// Every page carries the site's icon (an SVG of the binary's own) and the password link
/// under the user's name instead of the menu.
#[tokio::test]
async fn the_header_has_the_icon_and_the_password_link_under_the_name() {
    let app = TestApp::new().await;
    let cookie = sign_in(&app, "s001.safety").await;
    let html = page(&app, "/inspections", &cookie).await;
    let marker = "<link rel=\"icon\" type=\"image/svg+xml\" href=\"";
    let at = html.find(marker).expect("an icon") + marker.len();
    let href = &html[at..at + html[at..].find('"').unwrap()];
    let r = app.get(href, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/svg+xml");
    assert!(r.text().starts_with("<svg"));
    let menu = &html[html.find("<nav class=\"menu\"").unwrap()..];
    let menu = &menu[..menu.find("</nav>").unwrap()];
    assert!(!menu.contains("/account/password"), "not in the menu");
    let who = &html[html.find("id=\"current-user\"").unwrap()..];
    assert!(
        who[..who.find("</div>").unwrap()]
            .contains("id=\"password-link\" class=\"password-link\" href=\"/account/password\""),
        "beside the name"
    );
    assert!(html.contains("id=\"nav-toggle\""));
}

/// The audit log names roles, reads its details as name and value, and takes a date range.
#[tokio::test]
async fn the_audit_log_names_roles_and_takes_a_date_range() {
    let mut app = TestApp::new().await;
    let _ = app.login("s001.safety").await;
    let cookie = sign_in(&app, "auditadmin").await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let html = page(&app, &format!("/audit?from={today}&to={today}"), &cookie).await;
    assert!(html.contains("id=\"audit-from\""));
    assert!(html.contains(&format!("value=\"{today}\"")));
    assert!(html.contains(">安全审计员</td>"), "the role's name");
    assert!(!html.contains(">safety_director</td>"), "no role codes");
    assert!(!html.contains(">audit_admin</td>"), "no role codes");
    // Before the log began: nothing.
    let t = app.login("auditadmin").await;
    let r = app.get("/api/v1/audit?to=2001-01-01", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["total"], 0);
    let all = app.get("/api/v1/audit", Some(&t)).await.json()["total"]
        .as_u64()
        .unwrap();
    let since = app
        .get(&format!("/api/v1/audit?from={today}"), Some(&t))
        .await
        .json()["total"]
        .as_u64()
        .unwrap();
    // The first reading above is itself in the log (`audit.read`).
    assert!(since > 0 && since <= all + 1);
    let r = app
        .request(
            Method::GET,
            "/audit?from=yesterday",
            None,
            None,
            vec![],
            &[("cookie", cookie.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A hazard's timeline counts the report too, and names the people without nested brackets.
#[tokio::test]
async fn the_hazard_timeline_counts_every_entry() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let list = app
        .get("/api/v1/hazards?status=closed&per_page=1", Some(&t))
        .await
        .json();
    let id = list["items"][0]["id"]
        .as_i64()
        .expect("a closed demo hazard");
    let cookie = sign_in(&app, "bureau.officer").await;
    let html = page(&app, &format!("/hazards/{id}"), &cookie).await;
    let tl = &html[html.find("id=\"timeline\"").unwrap()..];
    let tl = &tl[..tl.find("</ol>").unwrap()];
    let entries = tl.matches("<li").count();
    assert_eq!(text_of(&html, "history-count"), entries.to_string());
    assert!(
        !tl.contains("）（") && !tl.contains("（校长（"),
        "no nested brackets"
    );
    assert!(!tl.contains("system（"), "the system is named once");
    // The list shows a legend of its status colours.
    let list = page(&app, "/hazards", &cookie).await;
    assert!(list.contains("id=\"status-legend\""));
    assert!(list.contains("chip hz-st-closed"));
}
