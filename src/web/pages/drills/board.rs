//! The drill board: counts at the top, then every school with its requirements, missing first
//! in red, with a period picker (month, quarter, semester) and the .xlsx export.

use crate::domain::Code;
use crate::domain::drill::{ComplianceStatus, RequirementCheck};
use crate::error::Error;
use crate::storage::drills::{DrillBoard, DrillBoardQuery};
use crate::web::ctx::Ctx;
use crate::web::pages::{Chrome, render};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

#[derive(Template)]
#[template(path = "drills/board.html")]
struct BoardPage {
    c: Chrome,
    b: DrillBoard,
    org_param: String,
    /// Shortcuts of the period picker: (period, label).
    shortcuts: Vec<(String, String)>,
}

/// The chip class of a status.
fn class(s: ComplianceStatus) -> &'static str {
    match s {
        ComplianceStatus::Missing => "g-red",
        ComplianceStatus::Open => "g-none",
        ComplianceStatus::NotDue => "g-none",
        ComplianceStatus::Done => "g-blue",
    }
}

impl BoardPage {
    fn class(&self, s: &ComplianceStatus) -> &'static str {
        class(*s)
    }
    fn status(&self, s: &ComplianceStatus) -> String {
        self.c.t(&s.label_key())
    }
    /// `疏散演练 2026-11 1/1`, window by window.
    fn windows(&self, r: &RequirementCheck) -> String {
        r.windows
            .iter()
            .map(|w| format!("{} {}/{}", w.period, w.held, w.required))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

pub async fn board(ctx: Ctx, q: Q<DrillBoardQuery>) -> Result<Response, Error> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    let cfg = ctx.config();
    let b = ctx
        .db()
        .drills()
        .board(&q, &cfg.drills, &cfg.calendar, false)
        .await?;
    let org_param = q.org_id.map(|o| format!("org_id={o}&")).unwrap_or_default();
    let c = Chrome::for_ctx(&ctx, "drill.board", "/drills");
    use crate::domain::calendar::{Period, PeriodKind};
    let shortcuts = PeriodKind::ALL
        .iter()
        .map(|k| {
            let p = Period::of(*k, b.today, &cfg.calendar);
            (p.to_string(), c.t(&format!("drill.this.{}", k.as_str())))
        })
        .collect();
    render(&BoardPage {
        c,
        b,
        org_param,
        shortcuts,
    })
}
