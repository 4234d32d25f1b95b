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
    ClosureRow, HazardDetail, HazardFilter, HazardList, HazardSummary, HistoryItem, NewHazard,
    SchoolUser,
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
use axum::http::header;
use axum::response::Response;
use serde_json::{Map, Value};

mod print;
mod steps;
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
#[template(path = "hazards/list.html")]
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
}

impl ListPage {
    fn css(&self) -> String {
        css()
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

pub async fn list(ctx: Ctx, q: Q<HazardFilter>) -> Result<Response, Error> {
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
    let orgs = if ctx.actor.org_level() == Some(crate::domain::org::OrgLevel::School) {
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
    render(&ListPage {
        report_href,
        orgs,
        statuses: code_labels::<Status>(&c),
        levels: code_labels::<Level>(&c),
        query: filter_query(&f),
        c,
        list,
        f,
        pages,
    })
}

// ---------------------------------------------------------------------------------------------
// One hazard
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "hazards/detail.html")]
struct DetailPage {
    c: Chrome,
    d: HazardDetail,
    users: Vec<SchoolUser>,
    errors: FormErrors,
    /// The form that failed, to open it again.
    failed: String,
    today: String,
}

impl DetailPage {
    fn css(&self) -> String {
        css()
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

    fn step_label(&self, e: &HistoryItem) -> String {
        match ActionKind::parse(&e.kind) {
            Some(k) => tr(self.c.lang, &k.label_key()),
            None if e.kind == "urge" => tr(self.c.lang, crate::domain::hazard::URGED_KEY),
            None => tr(self.c.lang, crate::domain::hazard::ESCALATED_KEY),
        }
    }

    fn role_label(&self, e: &HistoryItem) -> String {
        match crate::domain::role::Role::parse(&e.role) {
            Some(r) => tr(self.c.lang, &r.label_key()),
            None => tr(self.c.lang, "hazard.system"),
        }
    }

    fn user_name(&self, id: impl std::borrow::Borrow<i64>) -> String {
        let id = *id.borrow();
        self.users
            .iter()
            .find(|u| u.id.0 == id)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    }

    /// The facts of one step's data, as (label, value) lines.
    fn step_facts(&self, e: &HistoryItem) -> Vec<(String, String)> {
        let t = |k: &str| tr(self.c.lang, k);
        let mut out = Vec::new();
        let Some(a) = &e.action else {
            if let Some(m) = &e.message {
                out.push((t("hazard.urge.message"), m.clone()));
            }
            if let Some(d) = e.days_overdue {
                out.push((t("hazard.col.overdue_days"), d.to_string()));
            }
            return out;
        };
        match a {
            Action::Assess { level, treatment } => {
                out.push((t("hazard.col.level"), tr(self.c.lang, &level.label_key())));
                out.push((
                    t("hazard.col.treatment"),
                    tr(self.c.lang, &treatment.label_key()),
                ));
            }
            Action::FixOnSpot { note, .. } | Action::Submit { note, .. } => {
                out.push((t("hazard.f.note"), note.clone()));
            }
            Action::IssueNotice {
                responsible_user_id,
                measures,
                funds,
                deadline,
                interim_plan,
            } => {
                out.push((
                    t("hazard.col.responsible"),
                    self.user_name(*responsible_user_id),
                ));
                out.push((t("hazard.f.measures"), measures.clone()));
                out.push((
                    t("hazard.f.funds"),
                    format!("{} {} · {}", funds.amount, t("hazard.yuan"), funds.source),
                ));
                out.push((t("hazard.col.deadline"), deadline.to_string()));
                out.push((t("hazard.f.interim_plan"), interim_plan.clone()));
            }
            Action::Accept { note } => {
                if let Some(n) = note.as_ref().filter(|n| !n.is_empty()) {
                    out.push((t("hazard.f.note"), n.clone()));
                }
            }
            Action::Reject { reason }
            | Action::Cancel { reason }
            | Action::RefuseExtension { reason } => {
                out.push((t("hazard.f.reason"), reason.clone()));
            }
            Action::RequestExtension {
                new_deadline,
                reason,
                interim_plan,
            } => {
                out.push((t("hazard.f.new_deadline"), new_deadline.to_string()));
                out.push((t("hazard.f.reason"), reason.clone()));
                out.push((t("hazard.f.interim_plan"), interim_plan.clone()));
            }
            Action::Reopen {
                reason,
                new_deadline,
            } => {
                out.push((t("hazard.f.reason"), reason.clone()));
                if let Some(d) = new_deadline {
                    out.push((t("hazard.f.new_deadline"), d.to_string()));
                }
            }
            Action::Start {} | Action::Close {} | Action::ApproveExtension {} => {}
        }
        out
    }

    fn step_photos(&self, e: &HistoryItem) -> Vec<i64> {
        e.action
            .as_ref()
            .map(|a| a.photo_ids().to_vec())
            .unwrap_or_default()
    }

    fn levels(&self) -> Vec<(String, String)> {
        code_labels::<Level>(&self.c)
    }

    fn treatments(&self) -> Vec<(String, String)> {
        code_labels::<Treatment>(&self.c)
    }
}

async fn detail_page(
    ctx: &Ctx,
    id: HazardId,
    errors: FormErrors,
    failed: &str,
) -> Result<Response, Error> {
    let db = ctx.db();
    let d = db.hazards().get(id).await?;
    let users = db.hazards().school_users(d.summary.school_id).await?;
    let mut c = Chrome::for_ctx(ctx, "hazard.title", "/hazards");
    c.title = d.summary.title.clone();
    render(&DetailPage {
        c,
        d,
        users,
        errors,
        failed: failed.to_string(),
        today: today().to_string(),
    })
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    detail_page(&ctx, HazardId(id), FormErrors::default(), "").await
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
