//! The bureau's expert pool (`/plan-experts`: the experts, add or retire one) and the
//! working-day calendar (`/calendar`: the public holidays and make-up working days by year,
//! and for the bureau the editor of the calendar file, every bad line named).

use super::{Chrome, FormErrors, css, render, see_other};
use crate::domain::calendar::{DayKind, Exception};
use crate::domain::ids::UserId;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::calendar::{CalendarInput, WorkingDays};
use crate::storage::emergency_plans::{Candidate, ExpertInput, ExpertPool, ExpertQuery};
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// The fields of the "add an expert" form.
#[derive(Deserialize, Default, Clone)]
pub struct ExpertForm {
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    speciality: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    note: String,
    /// `0` retires the expert.
    #[serde(default)]
    active: String,
}

#[derive(Template)]
#[template(path = "emergency_plans/experts.html")]
struct ExpertsPage {
    c: Chrome,
    pool: ExpertPool,
    css: String,
    can_manage: bool,
    candidates: Vec<Candidate>,
    v: ExpertForm,
    errors: FormErrors,
}

impl ExpertsPage {
    fn is(&self, v: &str, id: &UserId) -> bool {
        v == id.to_string()
    }
}

async fn experts_page(
    ctx: &Ctx,
    org_id: Option<i64>,
    v: ExpertForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let db = ctx.db_as(Action::PlanExpertView)?;
    let q = ExpertQuery { org_id };
    let pool = db.plans().experts(&q).await?;
    let c = Chrome::for_ctx(ctx, "plan.experts", "/emergency-plans");
    let can_manage = c.can(ctx.actor.role(), Action::PlanExpertManage);
    let candidates = if can_manage {
        db.plans().expert_candidates(Some(pool.pool.id.0)).await?
    } else {
        Vec::new()
    };
    let failed = errors.any();
    let mut r = render(&ExpertsPage {
        css: css(),
        c,
        pool,
        can_manage,
        candidates,
        v,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The pool of the caller's bureau (`?org_id=` another in scope).
pub async fn experts(ctx: Ctx, q: Q<ExpertQuery>) -> Result<Response, Error> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    experts_page(&ctx, q.org_id, ExpertForm::default(), FormErrors::default()).await
}

/// Adds an expert to the pool, or changes (retires) one.
pub async fn save_expert(ctx: Ctx, Form(v): Form<ExpertForm>) -> Result<Response, Error> {
    let org_id = v.org_id.trim().parse::<i64>().ok();
    let res = match v.user_id.trim().parse::<i64>() {
        Ok(u) => {
            let input = ExpertInput {
                org_id,
                user_id: UserId(u),
                speciality: v.speciality.clone(),
                title: v.title.clone(),
                note: v.note.clone(),
                active: Some(v.active.trim() != "0"),
            };
            ctx.db().plans().save_expert(input).await.map(drop)
        }
        Err(_) => Err(Error::field("user_id", "err.required")),
    };
    match res {
        Ok(()) => Ok(see_other(&match org_id {
            Some(o) => format!("/plan-experts?org_id={o}"),
            None => "/plan-experts".into(),
        })),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => experts_page(&ctx, org_id, v, fe).await,
            None => Err(e),
        },
    }
}

/// The fields of the calendar editor.
#[derive(Deserialize, Default, Clone)]
pub struct CalendarForm {
    #[serde(default)]
    csv: String,
    #[serde(default)]
    version: String,
}

/// One year of the calendar: its holidays and make-up working days.
struct Year {
    year: i32,
    days: Vec<Exception>,
    holidays: usize,
    workdays: usize,
}

#[derive(Template)]
#[template(path = "emergency_plans/calendar.html")]
struct CalendarPage {
    c: Chrome,
    w: WorkingDays,
    css: String,
    years: Vec<Year>,
    can_edit: bool,
    csv: String,
    version: String,
    errors: FormErrors,
}

impl CalendarPage {
    fn weekday(&self, d: &chrono::NaiveDate) -> String {
        self.c.t(&format!(
            "plan.weekday.{}",
            d.weekday().num_days_from_monday()
        ))
    }
    fn is_workday(&self, k: &DayKind) -> bool {
        *k == DayKind::Workday
    }
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::web::pages::china_time(t)
    }
    /// `csv[12]` → `12`.
    fn line(&self, field: &str) -> String {
        field
            .strip_prefix("csv[")
            .and_then(|f| f.strip_suffix(']'))
            .unwrap_or(field)
            .to_string()
    }
}

async fn calendar_page(
    ctx: &Ctx,
    form: Option<CalendarForm>,
    errors: FormErrors,
) -> Result<Response, Error> {
    let w = ctx.db_as(Action::CalendarView)?.calendar().get().await?;
    let c = Chrome::for_ctx(ctx, "plan.calendar", "/calendar");
    let mut years: Vec<Year> = Vec::new();
    for d in &w.days {
        let y = d.date.year();
        if years.last().is_none_or(|l| l.year != y) {
            years.push(Year {
                year: y,
                days: Vec::new(),
                holidays: 0,
                workdays: 0,
            });
        }
        if let Some(l) = years.last_mut() {
            match d.kind {
                DayKind::Holiday => l.holidays += 1,
                DayKind::Workday => l.workdays += 1,
            }
            l.days.push(d.clone());
        }
    }
    years.reverse();
    let failed = errors.any();
    let (csv, version) = match form {
        Some(f) => (f.csv, f.version),
        None => (w.csv.clone(), w.version.to_string()),
    };
    let mut r = render(&CalendarPage {
        can_edit: c.can(ctx.actor.role(), Action::CalendarEdit),
        css: css(),
        c,
        w,
        years,
        csv,
        version,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn calendar(ctx: Ctx) -> Result<Response, Error> {
    calendar_page(&ctx, None, FormErrors::default()).await
}

/// The calendar editor: saved, or shown again with every bad line (422).
pub async fn save_calendar(ctx: Ctx, Form(v): Form<CalendarForm>) -> Result<Response, Error> {
    let input = CalendarInput {
        csv: v.csv.clone(),
        version: v.version.trim().parse().ok(),
    };
    match ctx.db().calendar().replace(input).await {
        Ok(_) => Ok(see_other("/calendar")),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => calendar_page(&ctx, Some(v), fe).await,
            None => Err(e),
        },
    }
}
