//! Pages: a school's drills with the "plan a drill" and "record a drill" forms (one column on
//! a phone), one drill with the forms its status allows (record it, move it, cancel it,
//! evaluate it and open a hazard from a problem found), and the bureau's compliance board
//! ([`board`]).

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::drill::{DrillKind, DrillNotice, DrillRating, DrillStatus};
use crate::domain::ids::{DrillId, OrgId};
use crate::domain::risk::Aspect;
use crate::error::{Error, FieldError};
use crate::policy::Action;
use crate::storage::drills::{Drill, DrillHazard, DrillPatch, HeldInput, NewDrill};
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::response::Response;
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

mod board;
pub use board::board;

/// The fields of every drill form (`action`: plan, record, replan, cancel, evaluate).
#[derive(Deserialize, Default, Clone)]
pub struct DrillForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    notice: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    buildings: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    classes: String,
    #[serde(default)]
    expected: String,
    #[serde(default)]
    assembled: String,
    #[serde(default)]
    missing: String,
    #[serde(default)]
    signal_at: String,
    #[serde(default)]
    completed_at: String,
    #[serde(default)]
    floors: String,
    #[serde(default)]
    injuries: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    evaluation: String,
    #[serde(default)]
    plan_needs_revision: String,
    #[serde(default)]
    hazard_title: String,
    #[serde(default)]
    hazard_category: String,
    #[serde(default)]
    hazard_aspect: String,
}

/// Reads the form's text into typed values, collecting the fields that do not parse.
struct Parse(Vec<FieldError>);

impl Parse {
    fn num(&mut self, field: &str, v: &str) -> Option<i64> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        v.parse()
            .map_err(|_| self.bad(field, "err.drill.number"))
            .ok()
    }

    fn date(&mut self, field: &str, v: &str) -> Option<NaiveDate> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| self.bad(field, "err.drill.date"))
            .ok()
    }

    fn time(&mut self, field: &str, v: &str) -> Option<NaiveTime> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        NaiveTime::parse_from_str(v, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(v, "%H:%M"))
            .map_err(|_| self.bad(field, "err.drill.time"))
            .ok()
    }

    fn bad(&mut self, field: &str, key: &str) {
        self.0.push(FieldError::new(field, key));
    }

    fn done(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation {
                message: "err.invalid_input".into(),
                fields: self.0,
            })
        }
    }
}

impl DrillForm {
    fn kind(&self) -> Option<DrillKind> {
        DrillKind::parse(self.kind.trim())
    }

    fn notice(&self) -> Option<DrillNotice> {
        DrillNotice::parse(self.notice.trim())
    }

    fn opt_text(v: &str) -> Option<String> {
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    fn held(&self, p: &mut Parse) -> Option<HeldInput> {
        let held_on = p.date("held.held_on", &self.held_on);
        let classes = p.num("held.classes", &self.classes);
        let expected = p.num("held.expected", &self.expected);
        let h = HeldInput {
            held_on: held_on.unwrap_or_else(crate::storage::risk_points::today),
            classes: classes.unwrap_or(0),
            expected: expected.unwrap_or(0),
            assembled: p.num("held.assembled", &self.assembled),
            missing: p.num("held.missing", &self.missing),
            signal_at: p.time("held.signal_at", &self.signal_at),
            completed_at: p.time("held.completed_at", &self.completed_at),
            floors: p.num("held.floors", &self.floors),
            own_target_seconds: None,
            injuries: p.num("held.injuries", &self.injuries).unwrap_or(0),
        };
        if held_on.is_none() && p.0.iter().all(|e| e.field != "held.held_on") {
            p.bad("held.held_on", "err.required");
        }
        Some(h)
    }

    fn hazards(&self) -> Vec<DrillHazard> {
        let title = self.hazard_title.trim();
        if title.is_empty() {
            return Vec::new();
        }
        let category = match self.hazard_category.trim() {
            "" => "应急演练".to_string(),
            c => c.to_string(),
        };
        vec![DrillHazard {
            title: title.into(),
            description: self.problems.trim().into(),
            aspect: Aspect::parse(self.hazard_aspect.trim()).unwrap_or(Aspect::Management),
            category,
            zone_id: None,
        }]
    }

    fn evaluation(&self, p: &mut DrillPatch) {
        p.problems = Some(self.problems.clone());
        p.evaluation = Some(self.evaluation.clone());
        p.rating = DrillRating::parse(self.rating.trim());
        p.plan_needs_revision = Some(!self.plan_needs_revision.trim().is_empty());
        p.hazards = self.hazards();
    }

    /// A new drill: a plan, or one recorded as held.
    fn new_drill(&self) -> Result<NewDrill, Error> {
        let mut p = Parse(Vec::new());
        let Some(kind) = self.kind() else {
            return Err(Error::field("kind", "err.required"));
        };
        let record = self.action == "record";
        let planned_on = if record {
            None
        } else {
            p.date("planned_on", &self.planned_on)
        };
        let held = if record { self.held(&mut p) } else { None };
        p.done()?;
        let (hazards, problems, rating) = if record {
            (
                self.hazards(),
                Self::opt_text(&self.problems),
                DrillRating::parse(self.rating.trim()),
            )
        } else {
            (Vec::new(), None, None)
        };
        Ok(NewDrill {
            kind,
            notice: self.notice(),
            planned_on,
            buildings: self.buildings.clone(),
            held,
            problems,
            rating,
            evaluation: None,
            plan_needs_revision: (record && !self.plan_needs_revision.trim().is_empty())
                .then_some(true),
            hazards,
            photo_ids: Vec::new(),
        })
    }

    /// A change to a drill from its page.
    fn patch(&self) -> Result<DrillPatch, Error> {
        let mut p = Parse(Vec::new());
        let mut out = DrillPatch::default();
        match self.action.as_str() {
            "record" => {
                out.kind = self.kind();
                out.notice = self.notice();
                out.held = self.held(&mut p);
                if !self.problems.trim().is_empty() || !self.hazard_title.trim().is_empty() {
                    self.evaluation(&mut out);
                }
            }
            "replan" => {
                out.planned_on = p.date("planned_on", &self.planned_on);
                out.buildings = Some(self.buildings.clone());
                if out.planned_on.is_none() && p.0.is_empty() {
                    p.bad("planned_on", "err.required");
                }
            }
            "cancel" => out.status = Some(DrillStatus::Cancelled),
            "evaluate" => self.evaluation(&mut out),
            _ => p.bad("action", "err.required"),
        }
        p.done()?;
        Ok(out)
    }
}

fn choices<T: Code>(c: &Chrome) -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), c.t(&v.label_key())))
        .collect()
}

#[derive(Template)]
#[template(path = "drills/list.html")]
struct ListPage {
    c: Chrome,
    school: OrgId,
    school_name: String,
    drills: Vec<Drill>,
    can_record: bool,
    kinds: Vec<(String, String)>,
    notices: Vec<(String, String)>,
    ratings: Vec<(String, String)>,
    aspects: Vec<(String, String)>,
    today: NaiveDate,
    v: DrillForm,
    errors: FormErrors,
}

impl ListPage {
    fn when(&self, d: &Drill) -> String {
        d.held_on
            .or(d.planned_on)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }
    fn timing(&self, d: &Drill) -> String {
        timing(&self.c, d)
    }
    fn is(&self, v: &str, code: &str) -> bool {
        v == code
    }
}

/// `1 分 45 秒 / 目标 120 秒 ✓`
fn timing(c: &Chrome, d: &Drill) -> String {
    let Some(s) = d.duration_seconds else {
        return "—".into();
    };
    let mut out = format!("{s} {}", c.t("drill.seconds"));
    if let Some(t) = d.target_seconds {
        let mark = if d.target_met == Some(true) {
            "✓"
        } else {
            "✗"
        };
        out.push_str(&format!(" / {} {t} {mark}", c.t("drill.target")));
    }
    out
}

async fn list_page(
    ctx: &Ctx,
    school: OrgId,
    v: DrillForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let db = ctx.db_as(Action::DrillView)?;
    let school_name = db.drills().school(school).await?.name;
    let drills = db.drills().list(school).await?;
    let c = Chrome::for_ctx(ctx, "drill.title", "/drills");
    let failed = errors.any();
    let mut r = render(&ListPage {
        can_record: c.can(ctx.actor.role(), Action::DrillRecord),
        kinds: choices::<DrillKind>(&c),
        notices: choices::<DrillNotice>(&c),
        ratings: choices::<DrillRating>(&c),
        aspects: choices::<Aspect>(&c),
        today: crate::storage::risk_points::today(),
        c,
        school,
        school_name,
        drills,
        v,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn list(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    list_page(&ctx, OrgId(id), DrillForm::default(), FormErrors::default()).await
}

/// The "plan a drill" and "record a drill" forms: the new drill's page, or the form again
/// with its errors (422).
pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<DrillForm>,
) -> Result<Response, Error> {
    let school = OrgId(id);
    let cfg = ctx.config().drills.clone();
    let res = match v.new_drill() {
        Ok(input) => ctx.db().drills().create(school, input, &cfg).await,
        Err(e) => {
            // A malformed form is refused like a refused write: scope and role first.
            ctx.db().drills().check_school(school).await?;
            Err(e)
        }
    };
    match res {
        Ok(d) => Ok(see_other(&format!("/drills/{}", d.id))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => list_page(&ctx, school, v, fe).await,
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "drills/detail.html")]
struct DetailPage {
    c: Chrome,
    d: Drill,
    /// The stylesheet with the photos and the A4 print rules.
    css: String,
    can_record: bool,
    ratings: Vec<(String, String)>,
    aspects: Vec<(String, String)>,
    today: NaiveDate,
    v: DrillForm,
    errors: FormErrors,
}

impl DetailPage {
    fn timing(&self) -> String {
        timing(&self.c, &self.d)
    }
    fn num(&self, v: &Option<i64>) -> String {
        v.map(|n| n.to_string()).unwrap_or_else(|| "—".into())
    }
    fn text(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_else(|| "—".into())
    }
    fn planned(&self) -> bool {
        self.d.status == DrillStatus::Planned
    }
    fn held(&self) -> bool {
        self.d.status == DrillStatus::Held
    }
    fn cancelled(&self) -> bool {
        self.d.status == DrillStatus::Cancelled
    }
    fn rating_is(&self, code: &str) -> bool {
        self.d.rating.is_some_and(|r| r.as_str() == code)
    }
    fn is(&self, v: &str, code: &str) -> bool {
        v == code
    }
}

async fn detail_page(
    ctx: &Ctx,
    id: DrillId,
    v: Option<DrillForm>,
    errors: FormErrors,
) -> Result<Response, Error> {
    let d = ctx.db_as(Action::DrillView)?.drills().get(id).await?;
    let c = Chrome::for_ctx(ctx, "drill.one", "/drills");
    let failed = errors.any();
    let v = v.unwrap_or_else(|| DrillForm {
        kind: d.kind.as_str().into(),
        notice: d.notice.as_str().into(),
        planned_on: d.planned_on.map(|x| x.to_string()).unwrap_or_default(),
        buildings: d.buildings.clone(),
        problems: d.problems.clone(),
        evaluation: d.evaluation.clone(),
        ..Default::default()
    });
    let mut r = render(&DetailPage {
        css: super::emergency_plans::css(),
        can_record: c.can(ctx.actor.role(), Action::DrillRecord),
        ratings: choices::<DrillRating>(&c),
        aspects: choices::<Aspect>(&c),
        today: crate::storage::risk_points::today(),
        c,
        d,
        v,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    detail_page(&ctx, DrillId(id), None, FormErrors::default()).await
}

/// The drill page's photo form: every image of the form added to the drill's photos (a plan
/// or a held drill; a cancelled plan is 409).
pub async fn photos(ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> Result<Response, Error> {
    let id = DrillId(id);
    // Scope (404), then the route's role (403), before anything is stored.
    let d = ctx.db().drills().get(id).await?;
    let form = crate::web::upload::read_form(&ctx, d.school_id, mp).await?;
    let mut all = d.photo_ids.clone();
    let mut added = 0;
    for f in form.photos.values().flatten() {
        let f = crate::domain::ids::FileId(*f);
        if !all.contains(&f) {
            all.push(f);
            added += 1;
        }
    }
    if added == 0 {
        return Err(Error::field("photos", "err.required"));
    }
    let cfg = ctx.config().drills.clone();
    let patch = DrillPatch {
        photo_ids: Some(all),
        ..Default::default()
    };
    ctx.db().drills().update(id, patch, &cfg).await?;
    Ok(see_other(&format!("/drills/{id}#photos")))
}

/// The drill page's forms: back to the drill's page, or the form again with its errors.
pub async fn act(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<DrillForm>,
) -> Result<Response, Error> {
    let id = DrillId(id);
    let cfg = ctx.config().drills.clone();
    let res = match v.patch() {
        Ok(p) => ctx.db().drills().update(id, p, &cfg).await.map(drop),
        Err(e) => {
            ctx.db().drills().check_drill(id).await?;
            Err(e)
        }
    };
    match res {
        Ok(()) => Ok(see_other(&format!("/drills/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => detail_page(&ctx, id, Some(v), fe).await,
            None => Err(e),
        },
    }
}
