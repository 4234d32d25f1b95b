mod common;

// The hazard page's timeline as rendered (issue 15): the count beside the heading equals the
// entries listed for every hazard; an escalation and an urge, which leave the status as it
// was, read as their own names without a status arrow; a step no person took names the
// system ("系统自动" / "System") once, without brackets; a person's role stands beside the
// name, never nested in brackets. And the hazard list answers htmx with its results only,
// the response cache keeping the two apart.

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::Value;

async fn page(app: &TestApp, path: &str, token: &str, lang: &str) -> String {
    let r = app
        .request(
            Method::GET,
            path,
            Some(token),
            None,
            vec![],
            &[("accept-language", lang)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.text()
}

/// The timeline's markup: from `id="timeline"` to its `</ol>`.
fn timeline(html: &str) -> &str {
    let tl = &html[html.find("id=\"timeline\"").expect("a timeline")..];
    &tl[..tl.find("</ol>").expect("the timeline's end")]
}

/// The text of the element `#id` (tags dropped, spaces joined).
fn text_of(html: &str, id: &str) -> String {
    let m = format!("id=\"{id}\"");
    let at = html.find(&m).unwrap_or_else(|| panic!("#{id} in the page"));
    let rest = &html[at..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    let end = if id.starts_with("event-") {
        rest.find("</li>").unwrap()
    } else {
        rest.find('<').unwrap()
    };
    strip(&rest[..end])
}

fn strip(html: &str) -> String {
    let mut out = String::new();
    let mut tag = false;
    for ch in html.chars() {
        match ch {
            '<' => tag = true,
            '>' => {
                tag = false;
                out.push(' ');
            }
            c if !tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The role tags' texts in a timeline.
fn role_tags(tl: &str) -> Vec<String> {
    tl.match_indices("class=\"tag hz-role\">")
        .map(|(i, m)| {
            let rest = &tl[i + m.len()..];
            rest[..rest.find('<').unwrap()].to_string()
        })
        .collect()
}

async fn detail(app: &TestApp, token: &str, id: i64) -> Value {
    let r = app.get(&format!("/api/v1/hazards/{id}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn ids(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let r = app
        .get(&format!("/api/v1/hazards?{query}"), Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|h| h["id"].as_i64().expect("id"))
        .collect()
}

/// Every demo hazard of a page of the list, in both languages: the count is the entries, the
/// report plus every stored event; an arrow only where the status changed; no nested
/// brackets; the system named as such.
#[tokio::test]
async fn the_count_is_the_entries_for_every_kind_of_history() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let mut all = ids(&app, &t, "per_page=40").await;
    all.extend(ids(&app, &t, "supervised=true&per_page=10").await);
    all.extend(ids(&app, &t, "status=closed&per_page=10").await);
    all.sort_unstable();
    all.dedup();
    assert!(all.len() >= 20, "{} demo hazards", all.len());
    let mut kinds = std::collections::BTreeSet::new();
    for id in all {
        let d = detail(&app, &t, id).await;
        let history = d["history"].as_array().expect("history");
        for (lang, system) in [("zh-CN", "系统自动"), ("en", "System")] {
            let html = page(&app, &format!("/hazards/{id}"), &t, lang).await;
            let tl = timeline(&html);
            let entries = tl.matches("<li").count();
            assert_eq!(
                entries,
                history.len() + 1,
                "hazard {id}: the report and each event"
            );
            assert_eq!(
                text_of(&html, "history-count"),
                entries.to_string(),
                "hazard {id} ({lang}): the count is the entries listed"
            );
            assert!(tl.contains("id=\"event-reported\""));
            for e in history {
                let seq = e["seq"].as_i64().unwrap();
                let kind = e["kind"].as_str().unwrap();
                kinds.insert(kind.to_string());
                let text = text_of(tl, &format!("event-{seq}"));
                let changed = e["from"] != e["to"];
                assert_eq!(
                    text.contains(" → "),
                    changed,
                    "hazard {id} event {seq} ({kind}, {lang}): an arrow only for a change: {text}"
                );
                if e["user_id"].is_null() {
                    assert!(text.contains(system), "{text}");
                    assert!(!text.to_lowercase().contains("system ("), "{text}");
                }
                assert!(
                    !text.contains("system（") && !text.contains("（系统）"),
                    "{text}"
                );
            }
            let plain = strip(tl);
            assert!(
                !plain.contains("（校长（") && !plain.contains("）（") && !plain.contains("))"),
                "hazard {id}: no nested brackets: {plain}"
            );
            for r in role_tags(tl) {
                assert!(r.matches(['（', '(']).count() <= 1, "a role label: {r}");
            }
        }
    }
    assert!(kinds.contains("escalated"), "the demo escalates: {kinds:?}");
    assert!(kinds.contains("close"), "{kinds:?}");
}

/// An escalation and an urge on the same hazard: each reads as what it is, without an arrow;
/// the escalation names the system, the urge the officer with the role beside the name.
#[tokio::test]
async fn escalation_and_urge_read_as_their_own_names() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let mut found = None;
    for id in ids(&app, &t, "supervised=true&status=open&per_page=50").await {
        let d = detail(&app, &t, id).await;
        if let Some(e) = d["history"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "escalated")
        {
            found = Some((id, e["seq"].as_i64().unwrap(), e["to"].clone()));
            break;
        }
    }
    let (id, seq, to) = found.expect("an open escalated demo hazard");
    let html = page(&app, &format!("/hazards/{id}"), &t, "zh-CN").await;
    let before: usize = text_of(&html, "history-count").parse().unwrap();
    let esc = text_of(timeline(&html), &format!("event-{seq}"));
    assert!(esc.contains("逾期升级为教育局挂牌督办"), "{esc}");
    assert!(esc.contains("系统自动"), "{esc}");
    assert!(!esc.contains('→'), "no status arrow: {esc}");
    let status = to.as_str().unwrap();
    assert!(
        !timeline(&html)[timeline(&html)
            .find(&format!("id=\"event-{seq}\""))
            .unwrap()..]
            .split("</li>")
            .next()
            .unwrap()
            .contains("hz-role"),
        "the system has no role tag ({status})"
    );
    let en = page(&app, &format!("/hazards/{id}"), &t, "en").await;
    let esc_en = text_of(timeline(&en), &format!("event-{seq}"));
    assert!(esc_en.contains("System"), "{esc_en}");
    assert!(!esc_en.contains('→') && !esc_en.contains('（'), "{esc_en}");

    // The officer urges the school on: one more entry, named 督办, with the officer and role.
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/hazards/{id}/urge"),
            Some(&t),
            &serde_json::json!({"message": "请三日内报告整改进度"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let html = page(&app, &format!("/hazards/{id}"), &t, "zh-CN").await;
    let tl = timeline(&html);
    assert_eq!(text_of(&html, "history-count"), (before + 1).to_string());
    assert_eq!(tl.matches("<li").count(), before + 1);
    let d = detail(&app, &t, id).await;
    let last = d["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "urge");
    let urge = text_of(tl, &format!("event-{}", last["seq"]));
    assert!(
        urge.contains("督办") && urge.contains("请三日内报告整改进度"),
        "{urge}"
    );
    assert!(!urge.contains('→'), "an urge changes no status: {urge}");
    let name = last["user_name"].as_str().unwrap();
    assert!(urge.contains(name), "{urge}");
    assert!(
        urge.contains("区教育局安全科"),
        "the role beside the name: {urge}"
    );
    assert!(!urge.contains(&format!("{name}（")), "{urge}");
}

/// A principal's step shows the name and the role label side by side: "校长（园长）" is the
/// role's own label, never wrapped in a second pair of brackets.
#[tokio::test]
async fn a_principal_is_named_without_nested_brackets() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.principal").await;
    let mut seen = false;
    for id in ids(&app, &t, "per_page=50").await {
        let d = detail(&app, &t, id).await;
        let Some(e) = d["history"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["role"] == "principal")
            .cloned()
        else {
            continue;
        };
        let html = page(&app, &format!("/hazards/{id}"), &t, "zh-CN").await;
        let tl = timeline(&html);
        let text = text_of(tl, &format!("event-{}", e["seq"]));
        let name = e["user_name"].as_str().unwrap();
        assert!(text.contains(&format!("{name} 校长（园长）")), "{text}");
        assert!(!text.contains("（校长（"), "{text}");
        seen = true;
        break;
    }
    assert!(seen, "a demo step taken by S001's principal");
}
