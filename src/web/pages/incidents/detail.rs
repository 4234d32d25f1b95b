//! One incident's page: its clocks, reports and receipts; the names of the people hurt on
//! the audited page; the follow-up, final-report and receipt forms.

use super::super::{Chrome, FormErrors, render, see_other};
use super::{
    at, choices, count, css, fail, js, level_class, local_value, parse_local, persons, refused,
};
use crate::domain::Code;
use crate::domain::ids::IncidentId;
use crate::domain::incident::{Casualty, HurtPerson, IncidentLevel, ReportKind};
use crate::error::{Error, FieldError};
use crate::policy::Action;
use crate::storage::incidents::{IncidentDetail, NewReceipt, NewReport, ReportPersons, ReportView};
use crate::web::ctx::{Ctx, FormPairs};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct ReportForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    deaths: String,
    #[serde(default)]
    injured: String,
    #[serde(default)]
    missing: String,
}

#[derive(Template)]
#[template(path = "incidents/detail.html")]
struct DetailPage {
    c: Chrome,
    css: String,
    js: String,
    d: IncidentDetail,
    /// The names, on the audited page only.
    persons: Option<Vec<ReportPersons>>,
    can_report: bool,
    can_receipt: bool,
    can_names: bool,
    levels: Vec<(String, String)>,
    casualties: Vec<(String, String)>,
    v: ReportForm,
    errors: FormErrors,
    rows: Vec<usize>,
    now_local: String,
}

impl DetailPage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        at(t)
    }
    fn opt_at(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map(at).unwrap_or_else(|| "—".into())
    }
    fn level_class(&self, l: &IncidentLevel) -> &'static str {
        level_class(*l)
    }
    fn is(&self, v: &str, code: &str) -> bool {
        v == code
    }
    fn due_attr(&self) -> String {
        self.d
            .clocks
            .next
            .map(|n| n.due_at.to_rfc3339())
            .unwrap_or_default()
    }
    fn named(&self, r: &ReportView) -> Vec<HurtPerson> {
        self.persons
            .as_ref()
            .and_then(|p| p.iter().find(|x| x.seq == r.seq))
            .map(|x| x.persons.clone())
            .unwrap_or_default()
    }
    fn can_final(&self) -> bool {
        !self.d.incident.closed
    }
    fn next_is_final(&self) -> bool {
        self.d
            .clocks
            .next
            .is_some_and(|n| n.kind == ReportKind::Final)
    }
}

async fn detail_page(
    ctx: &Ctx,
    id: IncidentId,
    names: bool,
    v: Option<ReportForm>,
    errors: FormErrors,
) -> Result<Response, Error> {
    let cfg = ctx.config().incidents.clone();
    let view = ctx.db_as(Action::IncidentView)?;
    let d = view.incidents().get(id, &cfg).await?;
    let persons = if names {
        Some(
            ctx.db_as(Action::IncidentPersons)?
                .incidents()
                .persons(id)
                .await?,
        )
    } else {
        None
    };
    let c = Chrome::for_ctx(ctx, "incident.detail", "/incidents");
    let role = ctx.actor.role();
    let last = d.reports.last();
    let v = v.unwrap_or_else(|| ReportForm {
        kind: ReportKind::FollowUp.as_str().into(),
        level: d.incident.level.as_str().into(),
        deaths: d.incident.deaths.to_string(),
        injured: d.incident.injured.to_string(),
        missing: d.incident.missing.to_string(),
        measures: last.map(|r| r.measures.clone()).unwrap_or_default(),
        ..Default::default()
    });
    let failed = errors.any();
    let r = render(&DetailPage {
        css: css(),
        js: js(),
        can_report: c.can(role, Action::IncidentReport) && !d.incident.closed,
        can_receipt: c.can(role, Action::IncidentReceipt),
        can_names: c.can(role, Action::IncidentPersons),
        levels: choices::<IncidentLevel>(&c),
        casualties: choices::<Casualty>(&c),
        now_local: local_value(&Utc::now()),
        c,
        d,
        persons,
        v,
        errors,
        rows: (0..2).collect(),
    })?;
    Ok(if failed {
        refused(r, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        r
    })
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    detail_page(&ctx, IncidentId(id), false, None, FormErrors::default()).await
}

/// The detail with the people hurt by name (the school's managers and the bureau; each view
/// is audited).
pub async fn names(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    detail_page(&ctx, IncidentId(id), true, None, FormErrors::default()).await
}

/// A follow-up or the final report from the incident's page.
pub async fn report(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let id = IncidentId(id);
    let one = |k: &str| p.all(k).into_iter().next().unwrap_or_default();
    let v = ReportForm {
        kind: one("kind"),
        summary: one("summary"),
        measures: one("measures"),
        level: one("level"),
        deaths: one("deaths"),
        injured: one("injured"),
        missing: one("missing"),
    };
    let mut errs = Vec::new();
    let kind = ReportKind::parse(v.kind.trim()).unwrap_or(ReportKind::FollowUp);
    let level = IncidentLevel::parse(v.level.trim());
    let deaths = count(&v.deaths, "deaths", &mut errs);
    let injured = count(&v.injured, "injured", &mut errs);
    let missing = count(&v.missing, "missing", &mut errs);
    let people = persons(&p, &mut errs);
    let res = if errs.is_empty() {
        let input = NewReport {
            kind,
            summary: v.summary.clone(),
            measures: v.measures.clone(),
            level,
            deaths,
            injured,
            missing,
            persons: people,
            reporter: Some(one("reporter")).filter(|s| !s.trim().is_empty()),
            phone: Some(one("phone")).filter(|s| !s.trim().is_empty()),
            plan_defect: one("plan_defect") == "1",
        };
        let cfg = ctx.config().incidents.clone();
        let plans = ctx.config().plans.coverage.clone();
        ctx.db()
            .incidents()
            .report(id, input, &cfg, &plans)
            .await
            .map(drop)
    } else {
        ctx.db().incidents().check(id).await?;
        Err(fail(errs))
    };
    match res {
        Ok(()) => Ok(see_other(&format!("/incidents/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => detail_page(&ctx, id, false, Some(v), fe).await,
            None => Err(e),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct ReceiptForm {
    #[serde(default)]
    seq: String,
    #[serde(default)]
    forwarded_to: String,
    #[serde(default)]
    forwarded_at: String,
}

/// The bureau acknowledges a report, and records its report upward.
pub async fn receipt(
    ctx: Ctx,
    Path(id): Path<i64>,
    crate::web::ctx::Form(f): crate::web::ctx::Form<ReceiptForm>,
) -> Result<Response, Error> {
    let id = IncidentId(id);
    let mut errs = Vec::new();
    let seq: Option<i32> = f.seq.trim().parse().ok();
    if seq.is_none() {
        errs.push(FieldError::new("seq", "err.required"));
    }
    // The form fills in the time of the report upward with now: without a recipient it is
    // a plain acknowledgement, and the prefilled time is not a report upward.
    let forwarded_at = match f.forwarded_at.trim() {
        _ if f.forwarded_to.trim().is_empty() => None,
        "" => None,
        v => parse_local(v, "forwarded_at", &mut errs),
    };
    let res = match seq {
        Some(seq) if errs.is_empty() => ctx
            .db()
            .incidents()
            .receipt(
                id,
                NewReceipt {
                    seq,
                    forwarded_to: Some(f.forwarded_to.clone()).filter(|s| !s.trim().is_empty()),
                    forwarded_at,
                },
            )
            .await
            .map(drop),
        _ => {
            ctx.db().incidents().check(id).await?;
            Err(fail(errs))
        }
    };
    match res {
        Ok(()) => Ok(see_other(&format!("/incidents/{id}#reports"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => detail_page(&ctx, id, false, None, fe).await,
            None => Err(e),
        },
    }
}
