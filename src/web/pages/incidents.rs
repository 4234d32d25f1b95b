//! Pages: incident reports (紧急信息报告). `/incidents` lists them with their running clocks
//! (the next report due, overdue, 迟报 counts; .xlsx); `/incidents/new` is the school's first
//! report; `/incidents/{id}` one incident — its clocks, its reports in order with their
//! deadlines and the bureaus' receipts, the forms for a follow-up or the final report and the
//! bureau's receipt; `/incidents/{id}/names` the same with the people hurt by name (audited,
//! the school's managers and the bureau); `/incidents/{id}/print` the A4 report form.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::calendar::china_instant;
use crate::domain::incident::{Casualty, HurtPerson, IncidentLevel, IncidentType};
use crate::error::{Error, FieldError};
use crate::policy::Action;
use crate::storage::incidents::{IncidentFilter, IncidentSummary, NewIncident};
use crate::web::ctx::{Ctx, FormPairs};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

mod detail;
mod print;
pub use detail::{detail, names, receipt, report};
pub use print::print;

/// The pages' stylesheet and script (content-hashed URLs).
fn css() -> String {
    crate::web::assets::url("incidents.css")
}

fn js() -> String {
    crate::web::assets::url("incidents.js")
}

fn refused(mut r: Response, status: axum::http::StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

fn choices<T: Code>(c: &Chrome) -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), c.t(&v.label_key())))
        .collect()
}

/// An instant as the pages show it: China time, to the minute.
fn at(t: &DateTime<Utc>) -> String {
    super::china_time(t)
}

/// A `datetime-local` value (China time) for a form field.
fn local_value(t: &DateTime<Utc>) -> String {
    (*t + chrono::Duration::hours(8))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A `datetime-local` value (China time) read back, or a field error.
fn parse_local(v: &str, field: &str, errs: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if v.is_empty() {
        errs.push(FieldError::new(field, "err.required"));
        return None;
    }
    let parsed = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M"));
    match parsed {
        Ok(t) => Some(china_instant(t.date(), t.time())),
        Err(_) => {
            errs.push(FieldError::new(field, "err.incident.datetime"));
            None
        }
    }
}

fn count(v: &str, field: &str, errs: &mut Vec<FieldError>) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(field, "err.incident.number"));
            None
        }
    }
}

fn fail(errs: Vec<FieldError>) -> Error {
    Error::Validation {
        message: "err.invalid_input".into(),
        fields: errs,
    }
}

/// The people-hurt rows of a form (`person_name`, `person_casualty`, `person_age`,
/// `person_note`, in parallel); rows without a name are left out. `None` when every row is
/// empty.
fn persons(p: &FormPairs, errs: &mut Vec<FieldError>) -> Option<Vec<HurtPerson>> {
    let (names, kinds, ages, notes) = (
        p.all("person_name"),
        p.all("person_casualty"),
        p.all("person_age"),
        p.all("person_note"),
    );
    let get =
        |v: &Vec<String>, i: usize| v.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut out = Vec::new();
    for i in 0..names.len() {
        let name = get(&names, i);
        if name.is_empty() {
            continue;
        }
        let field = format!("persons[{}]", out.len());
        let casualty = Casualty::parse(&get(&kinds, i)).unwrap_or(Casualty::Injured);
        let age = match get(&ages, i).as_str() {
            "" => None,
            a => match a.parse() {
                Ok(n) => Some(n),
                Err(_) => {
                    errs.push(FieldError::new(
                        format!("{field}.age"),
                        "err.incident.number",
                    ));
                    None
                }
            },
        };
        out.push(HurtPerson {
            name,
            casualty,
            age,
            note: get(&notes, i),
        });
    }
    (!out.is_empty()).then_some(out)
}

// ---------------------------------------------------------------------------------------
// The list.

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQ {
    #[serde(default)]
    status: String,
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    school_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "incidents/list.html")]
struct ListPage {
    c: Chrome,
    css: String,
    js: String,
    incidents: Vec<IncidentSummary>,
    status: String,
    export: String,
    can_report: bool,
}

impl ListPage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        at(t)
    }
    fn level_class(&self, l: &IncidentLevel) -> &'static str {
        level_class(*l)
    }
    fn next(&self, i: &IncidentSummary) -> String {
        match i.next {
            Some(n) => format!("{} · {}", self.c.t(&n.kind.label_key()), at(&n.due_at)),
            None => self.c.t("incident.closed"),
        }
    }
    fn due_attr(&self, i: &IncidentSummary) -> String {
        i.next.map(|n| n.due_at.to_rfc3339()).unwrap_or_default()
    }
}

/// The chip colour of a level.
fn level_class(l: IncidentLevel) -> &'static str {
    match l {
        IncidentLevel::General => "g-blue",
        IncidentLevel::Major => "g-yellow",
        IncidentLevel::Serious => "g-orange",
        IncidentLevel::EspeciallySerious => "g-red",
    }
}

pub async fn list(ctx: Ctx, q: Q<ListQ>) -> Result<Response, Error> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    let f = IncidentFilter {
        school_id: q.school_id,
        status: Some(q.status.clone()).filter(|s| !s.trim().is_empty()),
    };
    let incidents = ctx
        .db()
        .incidents()
        .list(&f, &ctx.config().incidents)
        .await?;
    let mut export = format!("/api/v1/incidents/export.xlsx?status={}", q.status.trim());
    if let Some(s) = q.school_id {
        export.push_str(&format!("&school_id={s}"));
    }
    let c = Chrome::for_ctx(&ctx, "incident.title", "/incidents");
    render(&ListPage {
        can_report: c.can(ctx.actor.role(), Action::IncidentReport) && ctx.actor.org_id().is_some(),
        css: css(),
        js: js(),
        incidents,
        status: q.status,
        export,
        c,
    })
}

// ---------------------------------------------------------------------------------------
// The first report.

#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    incident_type: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    known_at: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    deaths: String,
    #[serde(default)]
    injured: String,
    #[serde(default)]
    missing: String,
    #[serde(default)]
    reporter: String,
    #[serde(default)]
    phone: String,
}

impl NewForm {
    fn from_pairs(p: &FormPairs) -> NewForm {
        let one = |k: &str| p.all(k).into_iter().next().unwrap_or_default();
        NewForm {
            incident_type: one("incident_type"),
            level: one("level"),
            occurred_at: one("occurred_at"),
            known_at: one("known_at"),
            place: one("place"),
            summary: one("summary"),
            measures: one("measures"),
            deaths: one("deaths"),
            injured: one("injured"),
            missing: one("missing"),
            reporter: one("reporter"),
            phone: one("phone"),
        }
    }
}

#[derive(Template)]
#[template(path = "incidents/new.html")]
struct NewPage {
    c: Chrome,
    css: String,
    school_name: String,
    types: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    casualties: Vec<(String, String)>,
    v: NewForm,
    errors: FormErrors,
    /// Blank rows for the people hurt.
    rows: Vec<usize>,
}

impl NewPage {
    fn is(&self, v: &str, code: &str) -> bool {
        v == code
    }
}

async fn new_page(ctx: &Ctx, v: NewForm, errors: FormErrors) -> Result<Response, Error> {
    let school = ctx.actor.org_id().ok_or(Error::Forbidden)?;
    ctx.db().incidents().check_school(school).await?;
    let c = Chrome::for_ctx(ctx, "incident.new", "/incidents");
    let failed = errors.any();
    let r = render(&NewPage {
        css: css(),
        school_name: ctx.actor.org_name().to_string(),
        types: choices::<IncidentType>(&c),
        levels: choices::<IncidentLevel>(&c),
        casualties: choices::<Casualty>(&c),
        c,
        v,
        errors,
        rows: (0..3).collect(),
    })?;
    Ok(if failed {
        refused(r, axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        r
    })
}

pub async fn new(ctx: Ctx) -> Result<Response, Error> {
    let now = Utc::now();
    let v = NewForm {
        level: IncidentLevel::General.as_str().into(),
        known_at: local_value(&now),
        occurred_at: local_value(&now),
        reporter: ctx.actor.display_name().to_string(),
        ..Default::default()
    };
    new_page(&ctx, v, FormErrors::default()).await
}

/// The school's first report: the incident registered, its clocks started.
pub async fn create(ctx: Ctx, p: FormPairs) -> Result<Response, Error> {
    let school = ctx.actor.org_id().ok_or(Error::Forbidden)?;
    let v = NewForm::from_pairs(&p);
    let mut errs = Vec::new();
    let t = IncidentType::parse(v.incident_type.trim());
    if t.is_none() {
        errs.push(FieldError::new("incident_type", "err.required"));
    }
    let level = IncidentLevel::parse(v.level.trim());
    if level.is_none() {
        errs.push(FieldError::new("level", "err.required"));
    }
    let occurred_at = parse_local(&v.occurred_at, "occurred_at", &mut errs);
    let known_at = parse_local(&v.known_at, "known_at", &mut errs);
    let deaths = count(&v.deaths, "deaths", &mut errs).unwrap_or(0);
    let injured = count(&v.injured, "injured", &mut errs).unwrap_or(0);
    let missing = count(&v.missing, "missing", &mut errs).unwrap_or(0);
    let people = persons(&p, &mut errs).unwrap_or_default();
    let res = match (t, level, occurred_at, known_at) {
        (Some(t), Some(level), Some(occurred_at), Some(known_at)) if errs.is_empty() => {
            let input = NewIncident {
                school_id: school.0,
                incident_type: t,
                level,
                occurred_at,
                known_at,
                place: v.place.clone(),
                summary: v.summary.clone(),
                measures: v.measures.clone(),
                deaths,
                injured,
                missing,
                persons: people,
                reporter: v.reporter.clone(),
                phone: v.phone.clone(),
            };
            let cfg = ctx.config().incidents.clone();
            ctx.db().incidents().create(input, &cfg).await
        }
        _ => {
            // Scope and role first: a malformed form tells nobody more than a good one.
            ctx.db().incidents().check_school(school).await?;
            Err(fail(errs))
        }
    };
    match res {
        Ok(d) => Ok(see_other(&format!("/incidents/{}", d.incident.id))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => new_page(&ctx, v, fe).await,
            None => Err(e),
        },
    }
}
