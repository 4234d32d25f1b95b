//! Pages: Hazards and their closed loop (隐患排查治理 → 销号), notices and ledgers.
//!
//! The list with its filters and counts, one hazard with its evidence timeline and the forms of
//! the steps the reader may take, the report form, and three printable documents: the
//! rectification notice with its reply slip (整改通知书/回执), the hazard ledger (隐患台账) and
//! the yearly 销号 ledger.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::hazard::{Action, ActionKind, Level, Source, Status, Treatment};
use crate::domain::ids::{HazardId, OrgId};
use crate::domain::risk::Aspect;
use crate::error::Error;
use crate::storage::hazards::{
    ClosureRow, HazardDetail, HazardFilter, HazardList, HazardSummary, NewHazard, SchoolUser,
};
use crate::storage::risk_points::{RiskFilter, RiskPoint, today};
use crate::storage::views::Zone;
use crate::web::api::hazards::{
    CLOSURE_COLUMNS, ClosuresQ, LEDGER_COLUMNS, closure_row, ledger_row, query,
};
use crate::web::ctx::{Ctx, FormPairs};
use crate::web::i18n::tr;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

mod print;
mod steps;
mod timeline;
pub use print::{closures, ledger, notice};
use steps::read_page_form;
pub use steps::{act, action_from_form, urge};

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// The stylesheet of the hazard pages (timeline, photos, printed documents).
fn css() -> String {
    crate::web::assets::url("hazards.css")
}

/// The CSS class of a hazard status chip.
fn status_class(s: Status) -> &'static str {
    match s {
        Status::Closed => "g-blue",
        Status::Cancelled => "g-none",
        Status::PendingAcceptance | Status::Accepted | Status::FixedOnSpot => "g-yellow",
        _ => "g-orange",
    }
}

use super::china_time as local;

/// The query string of a filter, without its page (for links that keep the filter).
fn filter_query(f: &HazardFilter) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(v) = f.org_id {
        pairs.push(("org_id", v.to_string()));
    }
    if let Some(v) = f.school_id {
        pairs.push(("school_id", v.to_string()));
    }
    for (k, v) in [
        ("status", &f.status),
        ("level", &f.level),
        ("overdue", &f.overdue),
        ("supervised", &f.supervised),
        ("q", &f.q),
    ] {
        if let Some(v) = v.as_deref().filter(|s| !s.is_empty()) {
            pairs.push((k, v.to_string()));
        }
    }
    if let Some(d) = f.from {
        pairs.push(("from", d.to_string()));
    }
    if let Some(d) = f.to {
        pairs.push(("to", d.to_string()));
    }
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "hazards/list.html", blocks = ["results", "links"])]
struct ListPage {
    c: Chrome,
    list: HazardList,
    f: HazardFilter,
    statuses: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    query: String,
    pages: u64,
    /// The report form of the reader's own school (school accounts that may report).
    report_href: Option<String>,
    /// Districts and schools to filter by (bureau readers): (id, label).
    orgs: Vec<(i64, String)>,
    /// Only the results are answered (htmx swapping them after a filter changed).
    fragment: bool,
}

impl ListPage {
    fn css(&self) -> String {
        css()
    }

    fn htmx(&self) -> String {
        crate::web::htmx::script()
    }

    fn sel_org(&self, id: &i64) -> bool {
        self.f.org_id == Some(*id)
    }

    fn sel(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }

    fn on(&self, v: &Option<String>) -> bool {
        matches!(v.as_deref(), Some("true" | "1" | "on"))
    }

    fn page_link(&self, page: u64) -> String {
        if self.query.is_empty() {
            format!("/hazards?page={page}")
        } else {
            format!("/hazards?{}&page={page}", self.query)
        }
    }

    fn with_status(&self, status: &str) -> String {
        let mut f = self.f.clone();
        f.status = Some(status.to_string());
        format!("/hazards?{}", filter_query(&f))
    }

    fn date(&self, h: &HazardSummary) -> String {
        local(&h.reported_at)[..10].to_string()
    }
}

fn code_labels<T: Code + Copy>(c: &Chrome) -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), tr(c.lang, &v.label_key())))
        .collect()
}

/// The list; with `HX-Request` only its results (counts, table, pager) and the links that
/// carry the filter, which htmx swaps in place when a filter changes.
pub async fn list(ctx: Ctx, headers: HeaderMap, q: Q<HazardFilter>) -> Result<Response, Error> {
    let fragment = crate::web::htmx::wants_fragment(&headers);
    let f = query(q)?;
    let list = ctx.db().hazards().list(&f).await?;
    let c = Chrome::for_ctx(&ctx, "hazard.title", "/hazards");
    let pages = list.total.div_ceil(list.per_page.max(1)).max(1);
    let report_href = match (ctx.actor.org_level(), ctx.actor.org_id()) {
        (Some(crate::domain::org::OrgLevel::School), Some(school))
            if crate::policy::allows(ctx.actor.role(), crate::policy::Action::HazardReport) =>
        {
            Some(format!("/schools/{school}/hazards/new"))
        }
        _ => None,
    };
    let orgs = if fragment || ctx.actor.org_level() == Some(crate::domain::org::OrgLevel::School) {
        Vec::new()
    } else {
        let db = ctx.db();
        let mut v: Vec<(i64, String)> = db
            .orgs()
            .districts()
            .await?
            .into_iter()
            .map(|d| (d.id.0, d.name))
            .collect();
        v.extend(
            db.schools()
                .all()
                .await?
                .into_iter()
                .map(|s| (s.id.0, format!("· {} {}", s.code, s.name))),
        );
        v
    };
    let page = ListPage {
        report_href,
        orgs,
        statuses: code_labels::<Status>(&c),
        levels: code_labels::<Level>(&c),
        query: filter_query(&f),
        c,
        list,
        f,
        pages,
        fragment,
    };
    if !fragment {
        return render(&page);
    }
    let html = format!(
        "{}{}",
        page.as_results().render().map_err(Error::internal)?,
        page.as_links().render().map_err(Error::internal)?
    );
    Ok(([(header::VARY, "HX-Request")], axum::response::Html(html)).into_response())
}

// ---------------------------------------------------------------------------------------------
// One hazard
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "hazards/detail.html", blocks = ["main"])]
struct DetailPage {
    c: Chrome,
    d: HazardDetail,
    users: Vec<SchoolUser>,
    errors: FormErrors,
    /// The form that failed, to open it again.
    failed: String,
    /// What the failed form sent, shown in it again.
    posted: Vec<(String, String)>,
    today: String,
}

impl DetailPage {
    fn css(&self) -> String {
        css()
    }

    fn htmx(&self) -> String {
        crate::web::htmx::script()
    }

    /// The value the failed form `form` sent for `k` (empty for every other form).
    fn val(&self, form: &str, k: &str) -> String {
        if self.failed != form {
            return String::new();
        }
        self.posted
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Whether `v` is the value the failed form `form` sent for `k`.
    fn sent(&self, form: &str, k: &str, v: impl std::fmt::Display) -> bool {
        self.failed == form && self.val(form, k) == v.to_string()
    }

    fn status_class(&self) -> &'static str {
        status_class(self.d.summary.status)
    }

    fn can(&self, kind: &str) -> bool {
        self.d.available_actions.iter().any(|a| a.as_str() == kind)
    }

    fn local(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        local(t)
    }

    fn user_name(&self, id: impl std::borrow::Borrow<i64>) -> String {
        timeline::user_name(&self.users, *id.borrow())
    }

    /// The timeline's entries (the report, then every stored event).
    fn timeline(&self) -> Vec<timeline::Entry> {
        timeline::entries(self.c.lang, &self.d, &self.users)
    }

    fn levels(&self) -> Vec<(String, String)> {
        code_labels::<Level>(&self.c)
    }

    fn treatments(&self) -> Vec<(String, String)> {
        code_labels::<Treatment>(&self.c)
    }
}

/// The detail page; `fragment`: only its swapped region (`#hazard-main`: status, facts, the
/// step forms, the timeline), for htmx after a step form was sent.
async fn detail_page(
    ctx: &Ctx,
    id: HazardId,
    errors: FormErrors,
    failed: &str,
    posted: Vec<(String, String)>,
    fragment: bool,
) -> Result<Response, Error> {
    let db = ctx.db();
    let d = db.hazards().get(id).await?;
    let users = db.hazards().school_users(d.summary.school_id).await?;
    let mut c = Chrome::for_ctx(ctx, "hazard.title", "/hazards");
    c.title = d.summary.title.clone();
    let page = DetailPage {
        c,
        d,
        users,
        errors,
        failed: failed.to_string(),
        posted,
        today: today().to_string(),
    };
    if !fragment {
        return render(&page);
    }
    let html = page.as_main().render().map_err(Error::internal)?;
    let html = html.trim().to_string();
    Ok(([(header::VARY, "HX-Request")], axum::response::Html(html)).into_response())
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    detail_page(
        &ctx,
        HazardId(id),
        FormErrors::default(),
        "",
        Vec::new(),
        false,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// The report form
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "hazards/new.html")]
struct NewPage {
    c: Chrome,
    school_id: i64,
    school_name: String,
    zones: Vec<Zone>,
    points: Vec<RiskPoint>,
    aspects: Vec<(String, String)>,
    sources: Vec<(String, String)>,
    errors: FormErrors,
    v: Vec<(String, String)>,
}

impl NewPage {
    fn css(&self) -> String {
        css()
    }

    fn val(&self, k: &str) -> String {
        self.v
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

async fn new_page(
    ctx: &Ctx,
    school: OrgId,
    errors: FormErrors,
    v: Vec<(String, String)>,
) -> Result<Response, Error> {
    let db = ctx.db();
    let s = db.orgs().get_for_view(school).await?;
    let zones = db.zones().list(school).await?;
    let points = db
        .risk()
        .points(school, &RiskFilter::default())
        .await?
        .items;
    let c = Chrome::for_ctx(ctx, "hazard.report", "/hazards");
    render(&NewPage {
        aspects: code_labels::<Aspect>(&c),
        sources: code_labels::<Source>(&c)
            .into_iter()
            .filter(|(k, _)| {
                crate::storage::hazards::report_sources(ctx.actor.role())
                    .iter()
                    .any(|s| s.as_str() == k.as_str())
            })
            .collect(),
        c,
        school_id: school.0,
        school_name: s.name,
        zones,
        points,
        errors,
        v,
    })
}

pub async fn new_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    new_page(&ctx, OrgId(id), FormErrors::default(), Vec::new()).await
}

fn new_hazard_from_form(p: &[(String, String)], photo_ids: Vec<i64>) -> Result<NewHazard, Error> {
    let get = |k: &str| {
        p.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let id = |k: &str| get(k).parse::<i64>().ok();
    let aspect = Aspect::parse(&get("aspect"))
        .ok_or_else(|| Error::field("aspect", "err.catalog.aspect"))?;
    Ok(NewHazard {
        title: get("title"),
        description: get("description"),
        aspect,
        category: get("category"),
        zone_id: id("zone_id").map(crate::domain::ids::ZoneId),
        risk_point_id: id("risk_point_id").map(crate::domain::ids::RiskPointId),
        source: Source::parse(&get("source")),
        photo_ids,
    })
}

pub async fn create(ctx: Ctx, Path(id): Path<i64>, req: Request) -> Result<Response, Error> {
    let school = OrgId(id);
    let (p, photos) = read_page_form(&ctx, school, req).await?;
    let res = match new_hazard_from_form(&p, photos) {
        Ok(h) => ctx.db().hazards().report(school, &h).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(h) => Ok(see_other(&format!("/hazards/{}", h.summary.id))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => {
                let mut r = new_page(&ctx, school, fe, p).await?;
                *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                Ok(r)
            }
            None => Err(e),
        },
    }
}
