//! T-AC-3: every list agrees with its details and its count, for every principal. Found from
//! the route table, so a new module's lists fall under it without code here: each `GET` API
//! route whose answer is a list (a page with `items` and `total`, or all of it) and that has a
//! detail route of the same kind (`/api/v1/x` → `/api/v1/x/{id}`; a school's
//! `/api/v1/schools/{id}/x` → `/api/v1/x/{id}`). For each demo account, every page of the list
//! is read (`per_page=200`): the items counted equal `total` (for a page), no id appears twice,
//! and every listed id opens its detail (200, the same id) for the same caller. Across
//! callers: what a school's people list is also in their district officer's list, and nothing
//! of it is in another district's officer's.

mod common;
use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const CALLERS: &[&str] = &[
    "city.officer",
    "bureau.officer",
    "nanguan.officer",
    "s001.principal",
    "s001.safety",
    "s001.staff",
    "s002.guard",
];

/// Every item of a list for one caller, page by page; `None` when the route is no page list
/// (or refuses the caller).
async fn all_items(app: &TestApp, token: &str, path: &str) -> Option<Result<Vec<Value>, String>> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let first = app
        .get(&format!("{path}{sep}per_page=200&page=1"), Some(token))
        .await;
    if first.status == StatusCode::UNPROCESSABLE_ENTITY {
        // A list without paging refuses the page's parameters: read it whole.
        let r = app.get(path, Some(token)).await;
        if r.status != StatusCode::OK || !r.header("content-type").contains("json") {
            return None;
        }
        return r.json().as_array().cloned().map(Ok);
    }
    if first.status != StatusCode::OK || !first.header("content-type").contains("json") {
        return None;
    }
    let j = first.json();
    // A paged list answered as a bare array: page on until a page is not full.
    if let Some(items) = j.as_array() {
        let mut out = items.clone();
        let mut last = items.len();
        let mut page = 1;
        while last == 200 {
            page += 1;
            if page > 200 {
                return Some(Err(format!("{path}: more than 200 pages")));
            }
            let r = app
                .get(&format!("{path}{sep}per_page=200&page={page}"), Some(token))
                .await;
            let more = r.json().as_array().cloned().unwrap_or_default();
            last = more.len();
            out.extend(more);
        }
        return Some(Ok(out));
    }
    let (Some(items), Some(total)) = (j["items"].as_array(), j["total"].as_u64()) else {
        return None;
    };
    let mut out = items.clone();
    let mut page = 1;
    while (out.len() as u64) < total {
        page += 1;
        if page > 200 {
            return Some(Err(format!("{path}: more than 200 pages")));
        }
        let r = app
            .get(&format!("{path}{sep}per_page=200&page={page}"), Some(token))
            .await;
        if r.status != StatusCode::OK {
            return Some(Err(format!("{path} page {page}: {}", r.status)));
        }
        let more = r.json()["items"].as_array().cloned().unwrap_or_default();
        if more.is_empty() {
            break;
        }
        out.extend(more);
    }
    if out.len() as u64 != total {
        return Some(Err(format!(
            "{path}: total {total}, {} items over the pages",
            out.len()
        )));
    }
    Some(Ok(out))
}

#[tokio::test]
async fn every_list_agrees_with_its_details_and_its_count_for_every_caller() {
    let mut app = TestApp::new().await;
    let gets: BTreeSet<&'static str> = app
        .routes
        .iter()
        .filter(|r| r.method == Method::GET)
        .map(|r| r.path)
        .collect();
    // (list path template, detail path template)
    let mut lists: Vec<(String, String)> = Vec::new();
    for p in &gets {
        if !p.starts_with("/api/v1/") || p.contains("stream") {
            continue;
        }
        if !p.contains('{') && gets.contains(format!("{p}/{{id}}").as_str()) {
            lists.push((p.to_string(), format!("{p}/{{id}}")));
        } else if let Some(kind) = p.strip_prefix("/api/v1/schools/{id}/")
            && !kind.contains('{')
            && gets.contains(format!("/api/v1/{kind}/{{id}}").as_str())
        {
            lists.push((p.to_string(), format!("/api/v1/{kind}/{{id}}")));
        }
    }
    assert!(lists.len() >= 10, "lists with details: {lists:?}");

    let mut problems = Vec::new();
    let mut checked_lists = BTreeSet::new();
    let mut details = 0usize;
    // (list, caller) → ids
    let mut seen: BTreeMap<(String, String), BTreeSet<i64>> = BTreeMap::new();
    for caller in CALLERS {
        let token = app.login(caller).await;
        let own = match *caller {
            "s002.guard" => app.org_id("S002").await,
            _ => app.org_id("S001").await,
        };
        for (list, detail) in &lists {
            let path = list.replace("{id}", &own.to_string());
            let items = match all_items(&app, &token, &path).await {
                None => continue,
                Some(Err(e)) => {
                    problems.push(format!("{caller}: {e}"));
                    continue;
                }
                Some(Ok(items)) => items,
            };
            checked_lists.insert(list.clone());
            let mut ids = BTreeSet::new();
            for item in &items {
                let Some(id) = item["id"].as_i64() else {
                    continue;
                };
                if !ids.insert(id) {
                    problems.push(format!("{caller}: {path} lists {id} twice"));
                }
            }
            // Every listed id opens (the first 40 of a long list: the rest are the same query).
            for id in ids.iter().take(40) {
                let d = detail.replace("{id}", &id.to_string());
                let r = app.get(&d, Some(&token)).await;
                details += 1;
                if r.status != StatusCode::OK {
                    problems.push(format!(
                        "{caller}: {path} lists {id}, {d} answers {}",
                        r.status
                    ));
                } else if r.json()["id"].as_i64().is_some_and(|got| got != *id) {
                    problems.push(format!("{caller}: {d} answers another id"));
                }
            }
            seen.insert((list.clone(), caller.to_string()), ids);
        }
    }
    // A school's people see a part of what their district's officer sees, and the other
    // district's officer sees none of it (school-level lists of S001 only).
    for ((list, caller), ids) in &seen {
        if !caller.starts_with("s001.") || list.contains("{id}") {
            continue;
        }
        if let Some(officer) = seen.get(&(list.clone(), "bureau.officer".into())) {
            let missing: Vec<_> = ids.difference(officer).collect();
            if !missing.is_empty() {
                problems.push(format!(
                    "{list}: {caller} sees {missing:?}, the district's officer does not"
                ));
            }
        }
        if let Some(other) = seen.get(&(list.clone(), "nanguan.officer".into())) {
            let shared: Vec<_> = ids.intersection(other).collect();
            if !shared.is_empty() {
                problems.push(format!(
                    "{list}: {caller}'s {shared:?} are listed to another district's officer"
                ));
            }
        }
    }
    assert!(
        checked_lists.len() >= 8,
        "page lists read: {checked_lists:?}"
    );
    assert!(details > 100, "{details} details opened");
    assert!(
        problems.is_empty(),
        "{} problems: {problems:#?}",
        problems.len()
    );
}
