//! One plan's page: its facts with the filing deadline (20 working days of the calendar in
//! force) and the evaluation due date, the lifecycle with the forms of the steps the caller
//! may take, the reviewers, the content (and its editor while it is a draft), the documents,
//! the filing receipt and the history. Prints on A4 without the forms.

use super::{Chrome, FormErrors, choices, css, render, see_other, status_class};
use crate::domain::Code;
use crate::domain::emergency_plan::{
    FilingStatus, PlanAction, PlanForm, PlanStatus, PlanType, ReviewConclusion,
};
use crate::domain::ids::{ExpertId, PersonId, PlanId, UserId};
use crate::error::{Error, FieldError};
use crate::media::Processed;
use crate::policy::Action;
use crate::storage::emergency_plans::{
    Contact, Expert, Plan, PlanContent, PlanPatch, PlanRole, PlanStep, Procedure, Resource,
    ResponseLevel,
};
use crate::storage::views::Person;
use crate::web::ctx::{Ctx, Form, FormPairs};
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

/// Blank rows offered under each list of the editor.
const BLANK_ROWS: usize = 2;

/// The fields of a step's form.
#[derive(Deserialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    expert_id: String,
    #[serde(default)]
    reviewer_id: String,
    #[serde(default)]
    conclusion: String,
    #[serde(default)]
    published_on: String,
    #[serde(default)]
    signed_by: String,
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    filing_no: String,
}

fn num(v: &str) -> Option<i64> {
    v.trim().parse().ok()
}

fn date(field: &str, v: &str, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| errs.push(FieldError::new(field, "err.plan.date")))
        .ok()
}

impl StepForm {
    fn step(&self) -> Result<PlanStep, Error> {
        let Some(action) = PlanAction::parse(self.action.trim()) else {
            return Err(Error::field("action", "err.required"));
        };
        let mut errs = Vec::new();
        let published_on = date("published_on", &self.published_on, &mut errs);
        let filed_on = date("filed_on", &self.filed_on, &mut errs);
        if !errs.is_empty() {
            return Err(Error::Validation {
                message: "err.invalid_input".into(),
                fields: errs,
            });
        }
        let opt = |v: &str| {
            let v = v.trim();
            (!v.is_empty()).then(|| v.to_string())
        };
        Ok(PlanStep {
            action,
            note: self.note.clone(),
            expert_id: num(&self.expert_id).map(ExpertId),
            reviewer_id: num(&self.reviewer_id).map(UserId),
            conclusion: ReviewConclusion::parse(self.conclusion.trim()),
            published_on,
            signed_by: opt(&self.signed_by),
            filed_on,
            filing_no: opt(&self.filing_no),
            receipt_id: None,
            version: None,
        })
    }
}

/// The editor's values (from the plan, or from a refused form).
#[derive(Clone, Default)]
pub struct Draft {
    title: String,
    plan_type: String,
    form: String,
    content: PlanContent,
}

impl Draft {
    fn of(p: &Plan) -> Draft {
        Draft {
            title: p.title.clone(),
            plan_type: p.plan_type.as_str().into(),
            form: p.form.as_str().into(),
            content: p.content.clone(),
        }
    }

    /// The editor's form: repeated fields, one value per row; a row left blank is dropped.
    fn from_pairs(f: &FormPairs) -> Draft {
        let rows = |keys: &[&str]| -> Vec<Vec<String>> {
            let cols: Vec<Vec<String>> = keys.iter().map(|k| f.all(k)).collect();
            let n = cols.iter().map(Vec::len).max().unwrap_or(0);
            (0..n)
                .map(|i| {
                    cols.iter()
                        .map(|c| c.get(i).map(|v| v.trim().to_string()).unwrap_or_default())
                        .collect::<Vec<String>>()
                })
                .filter(|r| r.iter().any(|v| !v.is_empty()))
                .collect()
        };
        let one = |k: &str| f.all(k).into_iter().next().unwrap_or_default();
        let organisation = rows(&[
            "org_role",
            "org_person",
            "org_name",
            "org_phone",
            "org_duties",
        ])
        .into_iter()
        .map(|r| PlanRole {
            role: r[0].clone(),
            person_id: r[1].parse().ok().map(PersonId),
            name: r[2].clone(),
            phone: r[3].clone(),
            duties: r[4].clone(),
            inactive: false,
        })
        .collect();
        let levels = rows(&["lvl_level", "lvl_criteria", "lvl_actions"])
            .into_iter()
            .map(|r| ResponseLevel {
                level: r[0].clone(),
                criteria: r[1].clone(),
                actions: r[2].clone(),
            })
            .collect();
        let procedures = rows(&["proc_title", "proc_steps"])
            .into_iter()
            .map(|r| Procedure {
                title: r[0].clone(),
                steps: r[1].clone(),
            })
            .collect();
        let contacts = rows(&["ct_name", "ct_unit", "ct_phone"])
            .into_iter()
            .map(|r| Contact {
                name: r[0].clone(),
                unit: r[1].clone(),
                phone: r[2].clone(),
            })
            .collect();
        let resources = rows(&["res_name", "res_quantity", "res_location", "res_keeper"])
            .into_iter()
            .map(|r| Resource {
                name: r[0].clone(),
                quantity: r[1].clone(),
                location: r[2].clone(),
                keeper: r[3].clone(),
            })
            .collect();
        Draft {
            title: one("title"),
            plan_type: one("plan_type"),
            form: one("form"),
            content: PlanContent {
                scope: one("scope"),
                organisation,
                levels,
                procedures,
                contacts,
                resources,
            },
        }
    }

    fn patch(&self) -> PlanPatch {
        PlanPatch {
            title: Some(self.title.clone()),
            plan_type: PlanType::parse(self.plan_type.trim()),
            form: PlanForm::parse(self.form.trim()),
            content: Some(self.content.clone()),
            ..Default::default()
        }
    }
}

#[derive(Template)]
#[template(path = "emergency_plans/detail.html")]
struct DetailPage {
    c: Chrome,
    p: Plan,
    css: String,
    flow: Vec<PlanStatus>,
    people: Vec<Person>,
    experts: Vec<Expert>,
    types: Vec<(String, String)>,
    forms: Vec<(String, String)>,
    conclusions: Vec<(String, String)>,
    today: NaiveDate,
    draft: Draft,
    step: StepForm,
    errors: FormErrors,
    /// Whether the caller answers for the plan's organisation or is the bureau over it
    /// (uploads of the filing receipt).
    can_receipt: bool,
    is_school: bool,
}

impl DetailPage {
    fn status_class(&self, s: &PlanStatus) -> &'static str {
        status_class(*s)
    }
    fn may(&self, a: &str) -> bool {
        self.p.my_actions.iter().any(|x| x.as_str() == a)
    }
    fn reached(&self, s: &PlanStatus) -> bool {
        let at = |x: PlanStatus| self.flow.iter().position(|f| *f == x);
        let here = if self.p.status == PlanStatus::Filed {
            PlanStatus::InForce
        } else {
            self.p.status
        };
        matches!((at(*s), at(here)), (Some(a), Some(b)) if a <= b)
    }
    fn is_here(&self, s: &PlanStatus) -> bool {
        *s == self.p.status || (self.p.status == PlanStatus::Filed && *s == PlanStatus::InForce)
    }
    fn filing_overdue(&self) -> bool {
        self.p
            .filing
            .is_some_and(|f| f.status == FilingStatus::Overdue)
    }
    fn under_review(&self) -> bool {
        self.p.status == PlanStatus::UnderReview
    }
    fn blanks(&self) -> Vec<usize> {
        (0..BLANK_ROWS).collect()
    }
    fn is(&self, v: &str, code: &str) -> bool {
        v == code
    }
    fn person_is(&self, r: &PlanRole, id: &PersonId) -> bool {
        r.person_id == Some(*id)
    }
    fn event_label(&self, action: &str) -> String {
        match PlanAction::parse(action) {
            Some(a) => self.c.t(&a.label_key()),
            None => self.c.t("plan.event.defect_flagged"),
        }
    }
    fn status_label(&self, code: &str) -> String {
        PlanStatus::parse(code)
            .map(|s| self.c.t(&s.label_key()))
            .unwrap_or_default()
    }
    /// The round's reviewers (for the bureau recording an opinion on an expert's behalf).
    fn round_reviewers(&self) -> Vec<(UserId, String)> {
        self.p
            .reviewers
            .iter()
            .filter(|r| r.round == self.p.review_round)
            .map(|r| (r.user_id, r.name.clone()))
            .collect()
    }
    fn bureau_member(&self) -> bool {
        !self.round_reviewers().is_empty() && self.may("assign_reviewer")
    }
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::web::pages::china_time(t)
    }
    fn org_link(&self) -> String {
        if self.is_school {
            format!("/schools/{}/emergency-plans", self.p.org.id)
        } else {
            format!("/emergency-plans?org_id={}", self.p.org.id)
        }
    }
}

async fn detail_page(
    ctx: &Ctx,
    id: PlanId,
    draft: Option<Draft>,
    step: StepForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let cfg = &ctx.config().plans;
    let db = ctx.db_as(Action::PlanView)?;
    let p = db.plans().get(id, cfg).await?;
    let is_school = p.org.kind == crate::domain::org::OrgLevel::School;
    let people = if is_school && p.can_edit {
        ctx.db_as(Action::PersonView)?
            .people()
            .list(p.org.id)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let experts = if p.my_actions.contains(&PlanAction::AssignReviewer) {
        db.plans().assignable(id).await?
    } else {
        Vec::new()
    };
    let role = ctx.actor.role();
    let c = Chrome::for_ctx(ctx, "plan.one", "/emergency-plans");
    let can_receipt = p.filed_on.is_some()
        && c.can(role, Action::PlanWrite)
        && ((ctx.actor.org_id() == Some(p.org.id)
            && matches!(
                role,
                crate::domain::role::Role::Principal | crate::domain::role::Role::SafetyDirector
            ))
            || matches!(
                role,
                crate::domain::role::Role::CityOfficer | crate::domain::role::Role::BureauOfficer
            ));
    let failed = errors.any();
    let draft = draft.unwrap_or_else(|| Draft::of(&p));
    // A discarded version never went further than its revision.
    let flow = if p.status == PlanStatus::Discarded {
        vec![PlanStatus::Draft, PlanStatus::Discarded]
    } else {
        vec![
            PlanStatus::Draft,
            PlanStatus::UnderReview,
            PlanStatus::Approved,
            PlanStatus::Published,
            PlanStatus::InForce,
            PlanStatus::UnderEvaluation,
            PlanStatus::Superseded,
        ]
    };
    let mut r = render(&DetailPage {
        flow,
        types: choices::<PlanType>(&c),
        forms: choices::<PlanForm>(&c),
        conclusions: choices::<ReviewConclusion>(&c),
        today: crate::storage::risk_points::today(),
        css: css(),
        can_receipt,
        is_school,
        c,
        p,
        people,
        experts,
        draft,
        step,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    detail_page(
        &ctx,
        PlanId(id),
        None,
        StepForm::default(),
        FormErrors::default(),
    )
    .await
}

/// The editor's form: back to the plan, or the editor again with its errors (422).
pub async fn edit(ctx: Ctx, Path(id): Path<i64>, f: FormPairs) -> Result<Response, Error> {
    let id = PlanId(id);
    let draft = Draft::from_pairs(&f);
    match ctx.db().plans().update(id, draft.patch()).await {
        Ok(_) => Ok(see_other(&format!("/emergency-plans/{id}#content"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => detail_page(&ctx, id, Some(draft), StepForm::default(), fe).await,
            None => Err(e),
        },
    }
}

/// A step's form: back to the plan, or the plan again with the form's errors (422).
pub async fn act(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<StepForm>,
) -> Result<Response, Error> {
    let id = PlanId(id);
    let res = match v.step() {
        Ok(s) => ctx.db().plans().act(id, s).await.map(drop),
        Err(e) => {
            ctx.db().plans().check_plan(id).await?;
            Err(e)
        }
    };
    match res {
        Ok(()) => Ok(see_other(&format!("/emergency-plans/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => detail_page(&ctx, id, None, v, fe).await,
            None => Err(e),
        },
    }
}

/// The files of a page's upload form (every file part; the CSRF token is its first field),
/// processed: scope and the route's role are checked first, before any file is read.
async fn uploaded(
    ctx: &Ctx,
    id: PlanId,
    mut mp: Multipart,
) -> Result<Vec<(String, Processed)>, Error> {
    ctx.db().plans().check_plan(id).await?;
    let raw = crate::web::upload::read_multipart(&mut mp, &ctx.config().files).await?;
    Ok(crate::web::upload::process_all(ctx, raw.files)
        .await?
        .into_iter()
        .map(|(_, name, p)| (name, p))
        .collect())
}

/// Uploads documents (PDFs, scans) to a draft: every file part of the form, stored for the
/// plan's organisation (its school, or the bureau for its own plans).
pub async fn attach(ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> Result<Response, Error> {
    let id = PlanId(id);
    let files = uploaded(&ctx, id, mp).await?;
    ctx.db().plans().add_documents(id, files).await?;
    Ok(see_other(&format!("/emergency-plans/{id}#documents")))
}

/// Uploads the scan of the filing receipt (备案回执) of a filed plan.
pub async fn receipt(ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> Result<Response, Error> {
    let id = PlanId(id);
    let Some((name, p)) = uploaded(&ctx, id, mp).await?.into_iter().next() else {
        return Err(Error::field("receipt", "err.required"));
    };
    ctx.db().plans().upload_receipt(id, &name, p).await?;
    Ok(see_other(&format!("/emergency-plans/{id}#filing")))
}
