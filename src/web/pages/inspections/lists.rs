//! The half-month board, the lists of inspections and one inspection.

use super::{Q, grace, local, query, status_class};
use crate::domain::Code;
use crate::domain::ids::InspectionId;
use crate::error::Error;
use crate::storage::inspections::Period;
use crate::storage::inspections::{
    Board, BoardQuery, Inspection, InspectionDetail, InspectionFilter, InspectionItem, ItemResult,
    Kind, Status,
};
use crate::web::ctx::Ctx;
use crate::web::pages::home::half_month_words;
use crate::web::pages::{Chrome, render};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};

// ---------------------------------------------------------------------------------------
// The board.

#[derive(Template)]
#[template(path = "inspections/board.html")]
struct BoardPage {
    c: Chrome,
    b: Board,
    org_param: String,
    /// The half-months to pick from: (code, in words), newest first.
    periods: Vec<(String, String)>,
    /// The schools' status the list is narrowed to.
    status: Option<Status>,
    css: String,
}

impl BoardPage {
    fn status(&self, s: &Status) -> String {
        self.c.t(&format!("board.status.{}", s.as_str()))
    }
    fn class(&self, s: &Status) -> &'static str {
        status_class(*s)
    }
    fn when(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map(local).unwrap_or_else(|| "—".into())
    }
    fn words(&self, p: &str) -> String {
        half_month_words(self.c.lang, p)
    }
    /// The board of this period narrowed to `status` (none: every school).
    fn status_link(&self, status: &str) -> String {
        let mut q = format!(
            "/inspections/board?{}period={}",
            self.org_param, self.b.period
        );
        if !status.is_empty() {
            q.push_str("&status=");
            q.push_str(status);
        }
        q
    }
    fn is_status(&self, s: &str) -> bool {
        self.status.map(Status::as_str).unwrap_or_default() == s
    }
    fn shown(&self) -> Vec<&crate::storage::inspections::BoardRow> {
        self.b
            .schools
            .iter()
            .filter(|r| self.status.is_none_or(|s| r.status == s))
            .collect()
    }
}

/// The board's address: the storage query and the status the list is narrowed to.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BoardPageQ {
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    org_id: Option<i64>,
    period: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

/// How many half-months the picker offers before the current one.
const PICK_BACK: usize = 24;

/// The half-month board: counts at the top (each narrowing the list), missing schools first
/// in red.
pub async fn board(ctx: Ctx, q: Q<BoardPageQ>) -> Result<Response, Error> {
    let q = query(q)?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            [Status::Missing, Status::Late, Status::Open, Status::OnTime]
                .into_iter()
                .find(|v| v.as_str() == s)
                .ok_or_else(|| Error::field("status", "err.inspection.board_status"))?,
        ),
    };
    let bq = BoardQuery {
        org_id: q.org_id,
        period: q.period.clone(),
    };
    let b = ctx.db().inspections().board(&bq, grace(&ctx)).await?;
    let org_param = q.org_id.map(|o| format!("org_id={o}&")).unwrap_or_default();
    let current = Period::of(crate::storage::risk_points::today());
    let mut p = current.next();
    let mut periods = Vec::new();
    for _ in 0..=PICK_BACK + 1 {
        periods.push(p);
        p = p.prev();
    }
    // A period typed into the address further back is offered too.
    if let Some(shown) = Period::parse(&b.period)
        && !periods.contains(&shown)
    {
        periods.push(shown);
        periods.sort_by(|a, b| b.cmp(a));
    }
    let c = Chrome::for_ctx(&ctx, "board.title", "/inspections");
    let periods = periods
        .into_iter()
        .map(|p| (p.to_string(), half_month_words(c.lang, &p.to_string())))
        .collect();
    render(&BoardPage {
        c,
        b,
        org_param,
        periods,
        status,
        css: crate::web::assets::url("inspections.css"),
    })
}

// ---------------------------------------------------------------------------------------
// Lists and one inspection.

#[derive(Template)]
#[template(path = "inspections/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Inspection>,
    f: InspectionFilter,
    kinds: Vec<(String, String)>,
    /// The caller's own school, where a new inspection can be started.
    school: Option<i64>,
    can_submit: bool,
    export: String,
    /// The filter as a query string (for the pager's links).
    query: String,
    page: u64,
    /// Whether a further page follows.
    more: bool,
    /// Inspections over every page, and the number of pages.
    total: u64,
    pages: u64,
}

impl ListPage {
    fn page_link(&self, page: u64) -> String {
        format!("/inspections?{}page={page}", self.query)
    }
    fn last_link(&self) -> String {
        self.page_link(self.pages)
    }

    fn total_shown(&self) -> String {
        self.c
            .t("inspection.total_shown")
            .replace("%{n}", &self.total.to_string())
    }
    fn page_of(&self) -> String {
        self.c
            .t("inspection.page_of")
            .replace("%{page}", &self.page.to_string())
            .replace("%{pages}", &self.pages.to_string())
    }

    fn timeliness(&self, s: &Option<Status>) -> String {
        s.map(|s| self.c.t(&format!("board.status.{}", s.as_str())))
            .unwrap_or_default()
    }
    fn sel_kind(&self, k: &str) -> bool {
        self.f.kind.as_deref() == Some(k)
    }
    fn date_from(&self) -> String {
        self.f.from.map(|d| d.to_string()).unwrap_or_default()
    }
    fn date_to(&self) -> String {
        self.f.to.map(|d| d.to_string()).unwrap_or_default()
    }
}

pub async fn list(ctx: Ctx, q: Q<InspectionFilter>) -> Result<Response, Error> {
    let mut f = query(q)?;
    // The page always pages: the newest first, a page at a time.
    let page = f.page.unwrap_or(1).max(1);
    let per_page = f.per_page.unwrap_or(crate::storage::views::PAGE_SIZE);
    f.page = Some(page);
    f.per_page = Some(per_page);
    let rows = ctx.db().inspections().list(&f, grace(&ctx)).await?;
    let total = ctx.db().inspections().count(&f).await?;
    let pages = total.div_ceil(per_page.max(1)).max(1);
    let more = page < pages;
    let c = Chrome::for_ctx(&ctx, "inspection.title", "/inspections");
    let kinds = Kind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), c.label(k)))
        .collect();
    let school = (ctx.actor.org_level() == Some(crate::domain::org::OrgLevel::School))
        .then_some(ctx.actor.org_id())
        .flatten()
        .map(|o| o.0);
    let mut query = String::new();
    for (k, v) in [
        ("org_id", f.org_id.map(|v| v.to_string())),
        ("kind", f.kind.clone()),
        ("from", f.from.map(|d| d.to_string())),
        ("to", f.to.map(|d| d.to_string())),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            query.push_str(&format!("{k}={}&", crate::web::error::urlencode(&v)));
        }
    }
    let export = format!("/api/v1/inspections/export.xlsx?{query}");
    if per_page != crate::storage::views::PAGE_SIZE {
        query.push_str(&format!("per_page={per_page}&"));
    }
    render(&ListPage {
        can_submit: crate::policy::allows(
            ctx.actor.role(),
            crate::policy::Action::InspectionSubmit,
        ),
        c,
        rows,
        f,
        kinds,
        school,
        export,
        query,
        page,
        more,
        total,
        pages,
    })
}

#[derive(Template)]
#[template(path = "inspections/detail.html")]
struct DetailPage {
    c: Chrome,
    d: InspectionDetail,
}

impl DetailPage {
    fn when(&self, t: &DateTime<Utc>) -> String {
        local(t)
    }
    fn result_class(&self, r: &ItemResult) -> &'static str {
        match r {
            ItemResult::Pass => "g-blue",
            ItemResult::Fail => "g-red",
            ItemResult::Na => "g-none",
        }
    }
    fn timeliness(&self) -> String {
        self.d
            .inspection
            .timeliness
            .map(|s| self.c.t(&format!("board.status.{}", s.as_str())))
            .unwrap_or_default()
    }
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let d = ctx
        .db()
        .inspections()
        .get(InspectionId(id), grace(&ctx))
        .await?;
    render(&DetailPage {
        c: Chrome::for_ctx(&ctx, "inspection.detail", "/inspections"),
        d,
    })
}

// ---------------------------------------------------------------------------------------
// The short result after submitting.

#[derive(Template)]
#[template(path = "inspections/result.html")]
struct ResultPage {
    c: Chrome,
    d: InspectionDetail,
    period: Option<String>,
    css: String,
}

impl ResultPage {
    fn summary(&self) -> String {
        let i = &self.d.inspection;
        self.c
            .t("inspection.result.summary")
            .replace("%{total}", &i.total.to_string())
            .replace("%{pass}", &i.passed.to_string())
            .replace("%{fail}", &i.failed.to_string())
            .replace("%{na}", &i.not_applicable.to_string())
    }
    fn failed(&self) -> Vec<&InspectionItem> {
        self.d
            .items
            .iter()
            .filter(|i| i.result == ItemResult::Fail)
            .collect()
    }
    fn hazard_status(&self, s: &str) -> String {
        self.c.t(&format!("hazard_status.{s}"))
    }
}

/// What a submission did, on one screen: the counts and the hazards its failed items opened
/// (the whole record is one link away).
pub async fn result(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let d = ctx
        .db()
        .inspections()
        .get(InspectionId(id), grace(&ctx))
        .await?;
    let c = Chrome::for_ctx(&ctx, "inspection.result.title", "/inspections");
    let period = d
        .inspection
        .period
        .as_deref()
        .map(|p| half_month_words(c.lang, p));
    render(&ResultPage {
        c,
        d,
        period,
        css: crate::web::assets::url("checklist.css"),
    })
}
