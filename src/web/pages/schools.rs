//! School list, detail (zones, people, grid responsibility) and forms.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::OrgId;
use crate::domain::org::SchoolKind;
use crate::domain::person::mask_phone;
use crate::domain::warning::Level;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::home::{HomeQuery, HomeRules};
use crate::storage::orgs::{NewSchool, SchoolFilter, SchoolPatch};
use crate::storage::views::{Features, OrgRef, Person, School, Zone};
use crate::storage::warnings::{Warning, WarningFilter, WarningList};
use crate::web::ctx::{Ctx, FormPairs};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "schools/list.html")]
struct ListPage {
    c: Chrome,
    f: SchoolFilter,
    kinds: Vec<(String, String)>,
    districts: Vec<OrgRef>,
    items: Vec<School>,
    total: u64,
    page: u64,
    pages: u64,
    can_create: bool,
    can_import: bool,
    can_export: bool,
    query_base: String,
}

impl ListPage {
    fn selected_org(&self, d: &OrgRef) -> bool {
        self.f.org_id == Some(d.id.0)
    }
}

fn kinds(c: &Chrome) -> Vec<(String, String)> {
    SchoolKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), c.label(k)))
        .collect()
}

pub async fn list(
    ctx: Ctx,
    q: Result<Query<SchoolFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Error> {
    let Query(f) = q.map_err(|e| Error::validation(e.body_text()))?;
    let db = ctx.db();
    let page = db.schools().list(&f).await?;
    let districts = db.orgs().districts().await?;
    let c = Chrome::for_ctx(&ctx, "nav.schools", "/schools");
    let role = ctx.actor.role();
    let query_base = serde_urlencoded::to_string([
        ("kind", f.kind.clone().unwrap_or_default()),
        ("q", f.q.clone().unwrap_or_default()),
        (
            "org_id",
            f.org_id.map(|v| v.to_string()).unwrap_or_default(),
        ),
    ])
    .unwrap_or_default();
    render(&ListPage {
        kinds: kinds(&c),
        districts: if districts.len() > 1 {
            districts
        } else {
            vec![]
        },
        pages: page.total.div_ceil(crate::storage::views::PAGE_SIZE).max(1),
        total: page.total,
        page: page.page,
        items: page.items,
        can_create: c.can(role, Action::SchoolCreate),
        can_import: c.can(role, Action::SchoolImport),
        can_export: c.can(role, Action::SchoolExport),
        c,
        f,
        query_base,
    })
}

#[derive(Template)]
#[template(path = "schools/detail.html")]
struct DetailPage {
    c: Chrome,
    s: School,
    zones: Vec<Zone>,
    people: Vec<Person>,
    can_edit: bool,
    can_people: bool,
    can_zones: bool,
    /// The school's open warnings (the newest few) and their counts by level, kept live on
    /// the page by the warnings' stream; none for a role that does not read warnings.
    warnings: Option<(WarningList, Vec<(Level, u64)>)>,
    /// The school's key figures (the hub: each a link to its list) and its last drills.
    groups: Vec<super::home::Group>,
    last_drills: Vec<crate::storage::home::HeldDrill>,
    home_css: String,
}

impl DetailPage {
    fn warnings_css(&self) -> String {
        super::warnings::css()
    }
    fn warnings_js(&self) -> String {
        super::warnings::js()
    }
    fn what(&self, w: &Warning) -> String {
        super::warnings::what(self.c.lang, w)
    }
    fn colour(&self, l: &Level) -> String {
        super::warnings::colour(self.c.lang, *l)
    }
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::china_time(t)
    }
    fn phone(&self, p: &Person) -> String {
        if self.can_people {
            p.phone.clone()
        } else {
            mask_phone(&p.phone)
        }
    }

    fn drill_kind(&self, k: &crate::domain::drill::DrillKind) -> String {
        self.c.label(k)
    }

    fn zone_name(&self, id: &Option<crate::domain::ids::ZoneId>) -> String {
        id.and_then(|id| self.zones.iter().find(|z| z.id == id))
            .map(|z| z.name.clone())
            .unwrap_or_default()
    }
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let db = ctx.db();
    let s = db.schools().get(OrgId(id)).await?;
    let role = ctx.actor.role();
    let zones = ctx
        .db_as(Action::ZoneView)?
        .zones()
        .list(s.id)
        .await
        .unwrap_or_default();
    let people = ctx
        .db_as(Action::PersonView)?
        .people()
        .list(s.id)
        .await
        .unwrap_or_default();
    let c = Chrome::for_ctx(&ctx, "school.title", "/schools");
    let warnings = if c.can(role, Action::WarningView) {
        let f = WarningFilter {
            org_id: Some(id),
            open: Some(true),
            per_page: Some(5),
            ..Default::default()
        };
        let list = ctx.db_as(Action::WarningView)?.warnings().list(&f).await?;
        let counts = Level::ALL
            .iter()
            .map(|l| (*l, list.open_by_level.get(l.as_str()).copied().unwrap_or(0)))
            .collect();
        Some((list, counts))
    } else {
        None
    };
    // The hub's key figures: the same figures as a home page, for this school.
    let (groups, last_drills) = if c.can(role, Action::HomeView) {
        let cfg = ctx.config();
        let rules = HomeRules {
            grace: cfg.inspection.grace_days,
            drills: &cfg.drills,
            calendar: &cfg.calendar,
        };
        let q = HomeQuery { org_id: Some(id) };
        let h = ctx.db_as(Action::HomeView)?.home().data(&q, &rules).await?;
        let groups = super::home::groups(c.lang, &h, super::home::Target::School(id));
        (groups, h.drills.last_held)
    } else {
        (Vec::new(), Vec::new())
    };
    render(&DetailPage {
        warnings,
        groups,
        last_drills,
        home_css: crate::web::assets::url("home.css"),
        can_edit: c.can(role, Action::SchoolUpdate),
        can_people: c.can(role, Action::PersonWrite),
        can_zones: c.can(role, Action::ZoneWrite),
        c,
        s,
        zones,
        people,
    })
}

/// The school form's values, kept as text so a refused submit shows what was typed.
#[derive(Deserialize, Default, Clone)]
pub struct SchoolForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub district_id: String,
    #[serde(default)]
    pub students: String,
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    pub area_m2: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub lat: String,
    #[serde(default)]
    pub lng: String,
    #[serde(default)]
    pub phone: String,
    #[serde(skip)]
    pub features: Vec<String>,
}

impl SchoolForm {
    fn from_school(s: &School) -> Self {
        SchoolForm {
            code: s.code.clone(),
            name: s.name.clone(),
            name_en: s.name_en.clone().unwrap_or_default(),
            kind: s.kind.as_str().into(),
            district_id: s.district.id.to_string(),
            students: s.students.to_string(),
            staff: s.staff.to_string(),
            area_m2: s.area_m2.to_string(),
            address: s.address.clone(),
            lat: s.lat.map(|v| v.to_string()).unwrap_or_default(),
            lng: s.lng.map(|v| v.to_string()).unwrap_or_default(),
            phone: s.phone.clone(),
            features: s
                .features
                .list()
                .iter()
                .filter(|(_, v)| *v)
                .map(|(k, _)| k.to_string())
                .collect(),
        }
    }

    fn has(&self, f: &&str) -> bool {
        self.features.iter().any(|x| x == f)
    }

    fn parse_features(&self) -> Features {
        let mut out = Features::default();
        for f in &self.features {
            out.set(f, true);
        }
        out
    }
}

fn num<T: std::str::FromStr>(
    field: &str,
    s: &str,
    errs: &mut Vec<crate::error::FieldError>,
) -> Option<T> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errs.push(crate::error::FieldError {
                field: field.into(),
                message: "err.not_a_number".into(),
            });
            None
        }
    }
}

#[derive(Template)]
#[template(path = "schools/form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    is_new: bool,
    v: SchoolForm,
    kinds: Vec<(String, String)>,
    districts: Vec<OrgRef>,
    features: Vec<(&'static str, String)>,
    errors: FormErrors,
    cancel: String,
}

fn feature_labels(c: &Chrome) -> Vec<(&'static str, String)> {
    Features::default()
        .list()
        .iter()
        .map(|(k, _)| (*k, c.t(&format!("field.{k}"))))
        .collect()
}

async fn form_page(
    ctx: &Ctx,
    is_new: bool,
    id: Option<i64>,
    v: SchoolForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let c = Chrome::for_ctx(
        ctx,
        if is_new { "school.new" } else { "school.edit" },
        "/schools",
    );
    let districts = if is_new {
        ctx.db_as(Action::SchoolView)?
            .orgs()
            .districts()
            .await
            .unwrap_or_default()
    } else {
        vec![]
    };
    let failed = errors.any();
    let mut r = render(&FormPage {
        action: match id {
            Some(id) => format!("/schools/{id}/edit"),
            None => "/schools/new".into(),
        },
        cancel: match id {
            Some(id) => format!("/schools/{id}"),
            None => "/schools".into(),
        },
        is_new,
        v,
        kinds: kinds(&c),
        features: feature_labels(&c),
        districts,
        errors,
        c,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn new_form(ctx: Ctx) -> Result<Response, Error> {
    ctx.db().orgs().districts().await?;
    form_page(
        &ctx,
        true,
        None,
        SchoolForm::default(),
        FormErrors::default(),
    )
    .await
}

fn school_form(p: &FormPairs) -> Result<SchoolForm, Error> {
    let mut v: SchoolForm = p.parse(&["features"])?;
    v.features = p.all("features");
    Ok(v)
}

pub async fn create(ctx: Ctx, p: FormPairs) -> Result<Response, Error> {
    let v = school_form(&p)?;
    let mut errs = Vec::new();
    let kind = SchoolKind::parse(&v.kind);
    if kind.is_none() {
        errs.push(crate::error::FieldError {
            field: "kind".into(),
            message: "err.unknown_kind".into(),
        });
    }
    let input = NewSchool {
        code: v.code.trim().into(),
        name: v.name.clone(),
        name_en: Some(v.name_en.clone()),
        kind: kind.unwrap_or(SchoolKind::Primary),
        district_id: num::<i64>("district_id", &v.district_id, &mut errs).map(OrgId),
        students: num("students", &v.students, &mut errs).unwrap_or(0),
        staff: num("staff", &v.staff, &mut errs).unwrap_or(0),
        area_m2: num("area_m2", &v.area_m2, &mut errs).unwrap_or(0),
        address: v.address.clone(),
        lat: num("lat", &v.lat, &mut errs),
        lng: num("lng", &v.lng, &mut errs),
        phone: v.phone.trim().into(),
        features: v.parse_features(),
    };
    let res = if errs.is_empty() {
        ctx.db().schools().create(input).await
    } else {
        Err(crate::storage::orgs::invalid(errs))
    };
    match res {
        Ok(s) => Ok(see_other(&format!("/schools/{}", s.id))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => form_page(&ctx, true, None, v, fe).await,
            None => Err(e),
        },
    }
}

pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let s = ctx.db().schools().get(OrgId(id)).await?;
    form_page(
        &ctx,
        false,
        Some(id),
        SchoolForm::from_school(&s),
        FormErrors::default(),
    )
    .await
}

pub async fn update(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let v = school_form(&p)?;
    let mut errs = Vec::new();
    let patch = SchoolPatch {
        name: Some(v.name.clone()),
        name_en: Some(v.name_en.clone()),
        kind: SchoolKind::parse(&v.kind),
        students: num("students", &v.students, &mut errs),
        staff: num("staff", &v.staff, &mut errs),
        area_m2: num("area_m2", &v.area_m2, &mut errs),
        address: Some(v.address.clone()),
        lat: num("lat", &v.lat, &mut errs),
        lng: num("lng", &v.lng, &mut errs),
        phone: Some(v.phone.trim().into()),
        features: Some(v.parse_features()),
    };
    let res = if errs.is_empty() {
        ctx.db().schools().update(OrgId(id), patch).await
    } else {
        Err(crate::storage::orgs::invalid(errs))
    };
    match res {
        Ok(s) => Ok(see_other(&format!("/schools/{}", s.id))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => form_page(&ctx, false, Some(id), v, fe).await,
            None => Err(e),
        },
    }
}
