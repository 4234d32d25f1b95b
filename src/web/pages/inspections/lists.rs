//! The half-month board, the lists of inspections and one inspection.

use super::{Q, grace, local, query, status_class};
use crate::domain::Code;
use crate::domain::ids::InspectionId;
use crate::error::Error;
use crate::storage::inspections::{
    Board, BoardQuery, Inspection, InspectionDetail, InspectionFilter, ItemResult, Kind, Status,
};
use crate::web::ctx::Ctx;
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
}

/// The half-month board: counts at the top, missing schools first in red.
pub async fn board(ctx: Ctx, q: Q<BoardQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let b = ctx.db().inspections().board(&q, grace(&ctx)).await?;
    let org_param = q.org_id.map(|o| format!("org_id={o}&")).unwrap_or_default();
    render(&BoardPage {
        c: Chrome::for_ctx(&ctx, "board.title", "/inspections"),
        b,
        org_param,
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
    /// Whether a further page may follow (this page is full).
    more: bool,
}

impl ListPage {
    fn page_link(&self, page: u64) -> String {
        format!("/inspections?{}page={page}", self.query)
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
    let more = rows.len() as u64 >= per_page;
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
