//! The printable compliance calendar of an org's year (`/compliance/print`): a row per
//! obligation, a column per month, each period's mark (done, late, missed, due) in the month
//! its period ends, with a legend; laid out on A4 landscape by `work_plan.css`.

use super::{CalendarQuery, Q, obligation_label, query};
use crate::domain::Code;
use crate::domain::work_plan::Status;
use crate::error::Error;
use crate::storage::compliance::Calendar;
use crate::web::ctx::Ctx;
use crate::web::pages::{Chrome, render};
use askama::Template;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};

/// One obligation's row: its label, how often and how many, and per month the marks of the
/// periods ending in it.
struct PrintRow {
    label: String,
    every: String,
    months: Vec<Vec<Mark>>,
}

/// A period's mark in a month: its status, the period and the counted/required records.
struct Mark {
    status: Status,
    period: String,
    counted: u32,
    required: u32,
}

#[derive(Template)]
#[template(path = "work_plan/print.html")]
struct PrintPage {
    c: Chrome,
    css: String,
    cal: Calendar,
    year: i32,
    org_param: String,
    months: Vec<u32>,
    rows: Vec<PrintRow>,
    /// Done, late, missed, due over the year.
    totals: (usize, usize, usize, usize),
    printed_on: NaiveDate,
}

impl PrintPage {
    fn symbol(&self, s: &Status) -> &'static str {
        symbol(*s)
    }
    fn class(&self, s: &Status) -> &'static str {
        super::class(*s)
    }
    fn status(&self, s: &Status) -> String {
        self.c.t(&s.label_key())
    }
    fn month_label(&self, m: &u32) -> String {
        self.c.t(&format!("work_plan.month.m{m}"))
    }
}

/// The mark printed for a status (the legend explains each).
fn symbol(s: Status) -> &'static str {
    match s {
        Status::Done => "✓",
        Status::Late => "◐",
        Status::Missed => "✗",
        Status::Due => "○",
    }
}

/// `/compliance/print?org_id=&year=`: the org's own calendar of the year (the current one by
/// default).
pub async fn print(ctx: Ctx, q: Q<CalendarQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let year = match q.year.as_deref().map(str::trim) {
        None | Some("") => crate::clock::today().year(),
        Some(y) => y
            .parse()
            .map_err(|_| Error::field("year", "err.governance.year"))?,
    };
    let cal_cfg = ctx.config().calendar.clone();
    let cal = ctx
        .db()
        .compliance()
        .org_year(q.org_id.map(crate::domain::ids::OrgId), year, &cal_cfg)
        .await?;
    let mut c = Chrome::for_ctx(&ctx, "work_plan.print_title", "/compliance");
    c.title = format!(
        "{} · {} · {year}",
        c.t("work_plan.print_title"),
        cal.org_name
    );
    let (first, last) = (cal.first_day, cal.last_day);
    let mut rows: Vec<PrintRow> = Vec::new();
    let mut totals = (0, 0, 0, 0);
    for o in &cal.obligations {
        let mine: Vec<_> = cal
            .items
            .iter()
            .filter(|x| x.obligation_id == o.id && x.org_id == cal.org_id)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let mut months: Vec<Vec<Mark>> = (0..12).map(|_| Vec::new()).collect();
        for x in mine {
            let at = x.last_day.clamp(first, last);
            months[at.month0() as usize].push(Mark {
                status: x.status,
                period: x.period.to_string(),
                counted: x.counted,
                required: x.required,
            });
            match x.status {
                Status::Done => totals.0 += 1,
                Status::Late => totals.1 += 1,
                Status::Missed => totals.2 += 1,
                Status::Due => totals.3 += 1,
            }
        }
        rows.push(PrintRow {
            label: obligation_label(&c, o.item_number, o.evidence, o.kind.as_deref()),
            every: format!("×{} / {}", o.count, c.t(&o.every.label_key())),
            months,
        });
    }
    let org_param = q.org_id.map(|o| format!("org_id={o}&")).unwrap_or_default();
    render(&PrintPage {
        css: crate::web::assets::url("work_plan.css"),
        cal,
        year,
        org_param,
        months: (1..=12).collect(),
        rows,
        totals,
        printed_on: crate::clock::today(),
        c,
    })
}
