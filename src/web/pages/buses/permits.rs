//! Pages of the use-permit workflow (校车使用许可): `/bus-permits` the applications in
//! scope, the late first; `/bus-permits/new` the school's application; `/bus-permits/{id}`
//! one application with each step, its deadline in working days and the late flag, and the
//! bureau's forms for the steps that follow; `/bus-permits/{id}/print` the printable permit.

use super::{Q, css, query};
use crate::domain::Code;
use crate::domain::bus::permit::{Department, PermitAction, PermitStatus};
use crate::domain::ids::{BusDriverId, BusPermitId, BusRouteId, BusVehicleId, OrgId};
use crate::error::{Error, FieldError};
use crate::policy::Action;
use crate::storage::buses::Vehicle;
use crate::storage::buses::drivers::Driver;
use crate::storage::buses::permits::{NewPermit, Permit, PermitQuery, PermitStep, SignInput};
use crate::storage::buses::routes::Route;
use crate::web::ctx::{Ctx, FormPairs};
use crate::web::pages::{Chrome, FormErrors, render, see_other};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

fn unprocessable(mut r: Response) -> Response {
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

fn fail(errs: Vec<FieldError>) -> Error {
    Error::Validation {
        message: "err.invalid_input".into(),
        fields: errs,
    }
}

/// A date field: empty is `None`, a bad one a field error.
fn date(v: &str, field: &str, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(field, "err.bus.date"));
            None
        }
    }
}

fn opt_text(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

#[derive(Template)]
#[template(path = "buses/permits.html")]
struct ListPage {
    c: Chrome,
    css: String,
    permits: Vec<Permit>,
    can_apply: bool,
}

/// The applications in scope, late ones first.
pub async fn permit_list(ctx: Ctx) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let permits = ctx
        .db()
        .buses()
        .permits(&PermitQuery::default(), &cfg)
        .await?;
    let c = Chrome::for_ctx(&ctx, "bus.page.permits", "/bus-permits");
    render(&ListPage {
        can_apply: c.can(ctx.actor.role(), Action::BusPermitApply),
        c,
        css: css(),
        permits,
    })
}

/// The application form's values, kept when it is refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    school_id: String,
    vehicle_id: String,
    route_id: String,
    operating_times: String,
    safety_rules: String,
    #[serde(skip)]
    driver_ids: Vec<String>,
}

impl ApplyForm {
    fn id(v: &str, field: &str, errs: &mut Vec<FieldError>) -> i64 {
        match v.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                errs.push(FieldError::new(field, "err.required"));
                0
            }
        }
    }

    fn input(&self) -> Result<NewPermit, Error> {
        let mut errs = Vec::new();
        let vehicle = Self::id(&self.vehicle_id, "vehicle_id", &mut errs);
        let route = Self::id(&self.route_id, "route_id", &mut errs);
        let mut drivers = Vec::new();
        for d in &self.driver_ids {
            match d.trim().parse::<i64>() {
                Ok(n) => drivers.push(BusDriverId(n)),
                Err(_) => errs.push(FieldError::new("driver_ids", "err.bus.not_of_school")),
            }
        }
        if !errs.is_empty() {
            return Err(fail(errs));
        }
        Ok(NewPermit {
            school_id: None,
            vehicle_id: BusVehicleId(vehicle),
            route_id: BusRouteId(route),
            driver_ids: drivers,
            operating_times: self.operating_times.clone(),
            safety_rules: self.safety_rules.clone(),
        })
    }

    fn has_driver(&self, id: &BusDriverId) -> bool {
        self.driver_ids.iter().any(|d| d.trim() == id.0.to_string())
    }
}

#[derive(Template)]
#[template(path = "buses/permit_new.html")]
struct NewPage {
    c: Chrome,
    css: String,
    school_id: OrgId,
    school_name: String,
    vehicles: Vec<Vehicle>,
    routes: Vec<Route>,
    drivers: Vec<Driver>,
    v: ApplyForm,
    errors: FormErrors,
}

/// The school of an application: the form's, else the caller's own.
fn school_of(ctx: &Ctx, v: &str) -> Result<OrgId, Error> {
    match v.trim() {
        "" => ctx.actor.org_id().ok_or(Error::NotFound),
        s => s
            .parse::<i64>()
            .map(OrgId)
            .map_err(|_| Error::field("school_id", "err.required")),
    }
}

async fn new_page(
    ctx: &Ctx,
    school: OrgId,
    v: ApplyForm,
    mut errors: FormErrors,
) -> Result<Response, Error> {
    // A missing condition is named by its label's key.
    for (_, m) in errors.fields.iter_mut() {
        if m.starts_with("bus_permit_condition.") {
            *m = crate::web::i18n::tr(ctx.lang, m);
        }
    }
    let cfg = ctx.config().buses.clone();
    let db = ctx.db_as(Action::BusView)?;
    let vehicles = db
        .buses()
        .vehicles(Some(school), cfg.expiry_warning_days)
        .await?
        .into_iter()
        .filter(|v| v.status != crate::domain::bus::VehicleStatus::Retired)
        .collect();
    let routes = db.buses().routes(school).await?;
    let drivers = db.buses().drivers(Some(school), &cfg).await?;
    let school_name = db
        .buses()
        .school_names_in_scope([school])
        .await?
        .remove(&school)
        .unwrap_or_default();
    let mut c = Chrome::for_ctx(ctx, "bus.page.apply", "/bus-permits");
    c.title = format!("{} · {}", c.t("bus.page.apply"), school_name);
    let failed = errors.any();
    let r = render(&NewPage {
        c,
        css: css(),
        school_id: school,
        school_name,
        vehicles,
        routes,
        drivers,
        v,
        errors,
    })?;
    Ok(if failed { unprocessable(r) } else { r })
}

/// `?school_id=` (the caller's own school when absent).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewQuery {
    school_id: Option<i64>,
    vehicle_id: Option<i64>,
}

/// The school's application form.
pub async fn apply_form(ctx: Ctx, q: Q<NewQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let school = match q.school_id {
        Some(id) => OrgId(id),
        None => ctx.actor.org_id().ok_or(Error::NotFound)?,
    };
    ctx.db().buses().check_school(school).await?;
    let v = ApplyForm {
        school_id: school.0.to_string(),
        vehicle_id: q.vehicle_id.map(|v| v.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    new_page(&ctx, school, v, FormErrors::default()).await
}

/// Applies; a refused application is shown again with its values and each missing
/// condition named (422).
pub async fn apply(ctx: Ctx, p: FormPairs) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let mut f: ApplyForm = p.parse(&["driver_ids"])?;
    f.driver_ids = p.all("driver_ids");
    let school = school_of(&ctx, &f.school_id)?;
    let res = match f.input() {
        Ok(input) => ctx.db().buses().apply(school, input, &cfg).await,
        Err(e) => {
            // Scope and role first, as for a well-formed form.
            ctx.db().buses().check_school(school).await?;
            Err(e)
        }
    };
    match res {
        Ok(p) => Ok(see_other(&format!("/bus-permits/{}", p.id.0))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => new_page(&ctx, school, f, errors).await,
            None => Err(e),
        },
    }
}

/// A step form's values (one form per step that may follow), kept when it is refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct StepForm {
    action: String,
    on: String,
    department: String,
    favourable: String,
    opinion: String,
    reasons: String,
    note: String,
    number: String,
    authority: String,
    valid_from: String,
    valid_until: String,
    version: String,
}

impl StepForm {
    fn input(&self) -> Result<PermitStep, Error> {
        let mut errs = Vec::new();
        let action = PermitAction::parse(self.action.trim());
        if action.is_none() {
            errs.push(FieldError::new("action", "err.bus.illegal_step"));
        }
        let on = date(&self.on, "on", &mut errs);
        let department = match self.department.trim() {
            "" => None,
            d => match Department::parse(d) {
                Some(d) => Some(d),
                None => {
                    errs.push(FieldError::new("department", "err.required"));
                    None
                }
            },
        };
        let favourable = match self.favourable.trim() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        };
        let sign = if action == Some(PermitAction::IssueSign) {
            let valid_from = date(&self.valid_from, "sign.valid_from", &mut errs);
            let valid_until = date(&self.valid_until, "sign.valid_until", &mut errs);
            Some(SignInput {
                number: self.number.clone(),
                authority: self.authority.clone(),
                valid_from,
                valid_until,
            })
        } else {
            None
        };
        let version = self.version.trim().parse().ok();
        match (action, errs.is_empty()) {
            (Some(action), true) => Ok(PermitStep {
                action,
                on,
                department,
                favourable,
                opinion: opt_text(&self.opinion),
                reasons: opt_text(&self.reasons),
                document_ids: Vec::new(),
                note: opt_text(&self.note),
                sign,
                version,
            }),
            _ => Err(fail(errs)),
        }
    }
}

#[derive(Template)]
#[template(path = "buses/permit.html")]
struct DetailPage {
    c: Chrome,
    css: String,
    p: Permit,
    can_decide: bool,
    today: NaiveDate,
    v: StepForm,
    errors: FormErrors,
}

impl DetailPage {
    /// The value of a field of the form of `action` (the refused one keeps its values).
    fn val(&self, action: &PermitAction, field: &str) -> String {
        if self.v.action != action.as_str() {
            return match field {
                "on" => self.today.to_string(),
                _ => String::new(),
            };
        }
        let v = &self.v;
        match field {
            "on" => v.on.clone(),
            "department" => v.department.clone(),
            "favourable" => v.favourable.clone(),
            "opinion" => v.opinion.clone(),
            "reasons" => v.reasons.clone(),
            "note" => v.note.clone(),
            "number" => v.number.clone(),
            "authority" => v.authority.clone(),
            "valid_from" => v.valid_from.clone(),
            "valid_until" => v.valid_until.clone(),
            _ => String::new(),
        }
    }

    /// The field error of the form of `action`.
    fn err(&self, action: &PermitAction, field: &str) -> String {
        if self.v.action == action.as_str() {
            self.errors.get(field)
        } else {
            String::new()
        }
    }

    /// The departments whose reply is still to be recorded.
    fn departments(&self) -> Vec<Department> {
        let mut out = Vec::new();
        if self.p.police_reply_on.is_none() {
            out.push(Department::TrafficPolice);
        }
        if self.p.transport_reply_on.is_none() {
            out.push(Department::Transport);
        }
        out
    }

    fn step_label(&self, a: &PermitAction, d: &Option<Department>) -> String {
        match d {
            Some(d) => format!("{} · {}", self.c.label(a), self.c.label(d)),
            None => self.c.label(a),
        }
    }

    fn event_text(&self, d: &serde_json::Value) -> String {
        let mut parts = Vec::new();
        if let Some(o) = d.as_object() {
            for (k, v) in o {
                let v = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => continue,
                    other => other.to_string(),
                };
                if !v.is_empty() {
                    parts.push(format!("{k}: {v}"));
                }
            }
        }
        parts.join(" · ")
    }

    fn done(&self, s: &PermitStatus) -> bool {
        use PermitStatus as S;
        let order = [
            S::Applied,
            S::Forwarded,
            S::Replied,
            S::Reviewed,
            S::Approved,
            S::Issued,
        ];
        let at = order.iter().position(|x| x == &self.p.status);
        let me = order.iter().position(|x| x == s);
        matches!((at, me), (Some(a), Some(m)) if m <= a)
    }

    fn statuses(&self) -> &'static [PermitStatus] {
        &[
            PermitStatus::Applied,
            PermitStatus::Forwarded,
            PermitStatus::Replied,
            PermitStatus::Reviewed,
            PermitStatus::Approved,
            PermitStatus::Issued,
        ]
    }
}

async fn detail_page(
    ctx: &Ctx,
    id: i64,
    v: StepForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let p = ctx
        .db_as(Action::BusView)?
        .buses()
        .permit_of(BusPermitId(id), &cfg)
        .await?;
    let mut c = Chrome::for_ctx(ctx, "bus.page.permit", "/bus-permits");
    c.title = format!(
        "{} · {} · {}",
        c.t("bus.page.permit"),
        p.plate,
        p.school_name
    );
    let failed = errors.any();
    let r = render(&DetailPage {
        can_decide: c.can(ctx.actor.role(), Action::BusPermitDecide),
        c,
        css: css(),
        p,
        today: crate::clock::today(),
        v,
        errors,
    })?;
    Ok(if failed { unprocessable(r) } else { r })
}

/// One application with its steps, deadlines and the bureau's forms.
pub async fn permit(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    detail_page(&ctx, id, StepForm::default(), FormErrors::default()).await
}

/// A step of the bureau from its form; a refused step is shown again with its values (422).
pub async fn permit_step(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let f: StepForm = p.parse(&[])?;
    let res = match f.input() {
        Ok(input) => ctx
            .db()
            .buses()
            .permit_step(BusPermitId(id), input, &cfg)
            .await
            .map(|_| ()),
        Err(e) => {
            ctx.db().buses().check_permit(BusPermitId(id)).await?;
            Err(e)
        }
    };
    match res {
        Ok(()) => Ok(see_other(&format!("/bus-permits/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => detail_page(&ctx, id, f, errors).await,
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "buses/permit_print.html")]
struct PrintPage {
    c: Chrome,
    css: String,
    p: Permit,
    printed_on: NaiveDate,
}

/// The printable permit (许可决定书) of an application; before the decision, the application
/// with its steps.
pub async fn permit_print(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let p = ctx.db().buses().permit_of(BusPermitId(id), &cfg).await?;
    let mut c = Chrome::for_ctx(&ctx, "bus.page.permit_doc", "/bus-permits");
    c.title = format!("{} · {}", c.t("bus.page.permit_doc"), p.plate);
    render(&PrintPage {
        c,
        css: css(),
        p,
        printed_on: crate::clock::today(),
    })
}
