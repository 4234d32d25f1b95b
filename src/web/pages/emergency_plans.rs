//! Pages: emergency plans — the bureau's roll-up (`/emergency-plans`: counts, schools with
//! uncovered red and orange points first, the bureau's own plans with a "new plan" form, the
//! plans the caller reviews), a school's plans with their coverage and a "new plan" form
//! (`/schools/{id}/emergency-plans`), one plan with its lifecycle ([`detail`]), the expert
//! pool and the working-day calendar editor ([`admin`]). One column on a phone.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::emergency_plan::{FilingStatus, PlanForm, PlanStatus, PlanType};
use crate::domain::ids::OrgId;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::emergency_plans::{NewPlan, PlanRollup, PlanSummary, RollupQuery, SchoolPlans};
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

mod admin;
mod detail;

pub use admin::{calendar, experts, save_calendar, save_expert};
pub use detail::{act, attach, detail, edit, receipt};

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// The emergency pages' stylesheet (lists, the lifecycle, print on A4).
pub fn css() -> String {
    crate::web::assets::url("emergency.css")
}

/// (code, label) of every value of a closed set.
fn choices<T: Code>(c: &Chrome) -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), c.t(&v.label_key())))
        .collect()
}

/// The chip class of a plan's status.
pub(super) fn status_class(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::InForce | PlanStatus::Filed => "g-blue",
        PlanStatus::UnderEvaluation | PlanStatus::Revising => "g-yellow",
        PlanStatus::Published => "g-orange",
        _ => "g-none",
    }
}

/// `2026-05-29 · 逾期未备案`, for a plan published and not superseded unfiled.
pub(super) fn filing_text(c: &Chrome, p: &PlanSummary) -> String {
    match p.filing {
        Some(f) => format!("{} · {}", f.due_on, c.t(&f.status.label_key())),
        None => "—".into(),
    }
}

/// The fields of the "new plan" forms.
#[derive(Deserialize, Default, Clone)]
pub struct NewPlanForm {
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    plan_type: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    revises: String,
}

impl NewPlanForm {
    fn input(&self, bureau: bool) -> Result<NewPlan, Error> {
        let mut errs = Vec::new();
        let plan_type = PlanType::parse(self.plan_type.trim());
        if plan_type.is_none() {
            errs.push(crate::error::FieldError::new("plan_type", "err.required"));
        }
        let form = PlanForm::parse(self.form.trim());
        if form.is_none() {
            errs.push(crate::error::FieldError::new("form", "err.required"));
        }
        let org_id = match (bureau, self.org_id.trim().parse::<i64>()) {
            (true, Ok(o)) => Some(o),
            (true, Err(_)) => {
                errs.push(crate::error::FieldError::new("org_id", "err.required"));
                None
            }
            (false, _) => None,
        };
        let revises = self
            .revises
            .trim()
            .parse::<i64>()
            .ok()
            .map(crate::domain::ids::PlanId);
        match (plan_type, form) {
            (Some(plan_type), Some(form)) if errs.is_empty() => Ok(NewPlan {
                org_id,
                title: self.title.clone(),
                plan_type,
                form,
                content: None,
                document_ids: Vec::new(),
                revises,
            }),
            _ => Err(Error::Validation {
                message: "err.invalid_input".into(),
                fields: errs,
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "emergency_plans/rollup.html")]
struct RollupPage {
    c: Chrome,
    r: PlanRollup,
    css: String,
    can_write: bool,
    can_edit_calendar: bool,
    can_see_experts: bool,
    types: Vec<(String, String)>,
    forms: Vec<(String, String)>,
    v: NewPlanForm,
    errors: FormErrors,
}

impl RollupPage {
    fn status_class(&self, s: &PlanStatus) -> &'static str {
        status_class(*s)
    }
    fn filing(&self, p: &PlanSummary) -> String {
        filing_text(&self.c, p)
    }
    fn overdue(&self, p: &PlanSummary) -> bool {
        p.filing.is_some_and(|f| f.status == FilingStatus::Overdue)
    }
    fn is(&self, v: &str, code: &str) -> bool {
        v == code
    }
    fn bureau(&self) -> bool {
        self.r.org.kind != crate::domain::org::OrgLevel::School
    }
}

async fn rollup_page(
    ctx: &Ctx,
    q: RollupQuery,
    v: NewPlanForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let db = ctx.db_as(Action::PlanView)?;
    let r = db.plans().rollup(&q, &ctx.config().plans).await?;
    let c = Chrome::for_ctx(ctx, "plan.title", "/emergency-plans");
    let role = ctx.actor.role();
    let failed = errors.any();
    let mut resp = render(&RollupPage {
        can_write: c.can(role, Action::PlanWrite),
        can_edit_calendar: c.can(role, Action::CalendarEdit),
        can_see_experts: c.can(role, Action::PlanExpertView),
        types: choices::<PlanType>(&c),
        forms: choices::<PlanForm>(&c),
        css: css(),
        c,
        r,
        v,
        errors,
    })?;
    if failed {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// The bureau's roll-up (`?org_id=` a node below).
pub async fn rollup(ctx: Ctx, q: Q<RollupQuery>) -> Result<Response, Error> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    rollup_page(&ctx, q, NewPlanForm::default(), FormErrors::default()).await
}

/// The roll-up's "new plan of the bureau" form.
pub async fn create_bureau(ctx: Ctx, Form(v): Form<NewPlanForm>) -> Result<Response, Error> {
    let res = match v.input(true) {
        Ok(input) => ctx.db().plans().create(None, input).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(id) => Ok(see_other(&format!("/emergency-plans/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => {
                let q = RollupQuery {
                    org_id: v.org_id.trim().parse().ok(),
                };
                rollup_page(&ctx, q, v, fe).await
            }
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "emergency_plans/school.html")]
struct SchoolPage {
    c: Chrome,
    s: SchoolPlans,
    css: String,
    can_write: bool,
    types: Vec<(String, String)>,
    forms: Vec<(String, String)>,
    v: NewPlanForm,
    errors: FormErrors,
}

impl SchoolPage {
    fn status_class(&self, s: &PlanStatus) -> &'static str {
        status_class(*s)
    }
    fn filing(&self, p: &PlanSummary) -> String {
        filing_text(&self.c, p)
    }
    fn overdue(&self, p: &PlanSummary) -> bool {
        p.filing.is_some_and(|f| f.status == FilingStatus::Overdue)
    }
    fn needs(&self, list: &[PlanType]) -> String {
        list.iter()
            .map(|t| self.c.t(&t.label_key()))
            .collect::<Vec<_>>()
            .join("、")
    }
    fn is(&self, v: &str, code: &str) -> bool {
        v == code
    }
    fn revises_is(&self, id: &crate::domain::ids::PlanId) -> bool {
        self.v.revises.trim() == id.to_string()
    }
    /// Plans that may be revised into a new version (in force, not superseded).
    fn revisable(&self) -> Vec<&PlanSummary> {
        self.s
            .plans
            .iter()
            .filter(|p| p.status.is_in_force() || p.status == PlanStatus::Published)
            .collect()
    }
}

async fn school_page(
    ctx: &Ctx,
    school: OrgId,
    v: NewPlanForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let s = ctx
        .db_as(Action::PlanView)?
        .plans()
        .school_plans(school, &ctx.config().plans)
        .await?;
    let c = Chrome::for_ctx(ctx, "plan.title", "/emergency-plans");
    let failed = errors.any();
    let mut resp = render(&SchoolPage {
        can_write: c.can(ctx.actor.role(), Action::PlanWrite),
        types: choices::<PlanType>(&c),
        forms: choices::<PlanForm>(&c),
        css: css(),
        c,
        s,
        v,
        errors,
    })?;
    if failed {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// A school's plans and their coverage.
pub async fn school(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    school_page(
        &ctx,
        OrgId(id),
        NewPlanForm::default(),
        FormErrors::default(),
    )
    .await
}

/// The school page's "new plan" form: the new draft's page, or the form again (422).
pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<NewPlanForm>,
) -> Result<Response, Error> {
    let school = OrgId(id);
    let res = match v.input(false) {
        Ok(input) => ctx.db().plans().create(Some(school), input).await,
        Err(e) => {
            // Scope and role first, like a refused write.
            ctx.db().plans().school(school).await?;
            Err(e)
        }
    };
    match res {
        Ok(id) => Ok(see_other(&format!("/emergency-plans/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => school_page(&ctx, school, v, fe).await,
            None => Err(e),
        },
    }
}
