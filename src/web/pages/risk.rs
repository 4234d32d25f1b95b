//! Risk register pages: the bureau roll-up with the district map, a school's register and
//! four-colour map (those two in `risk/maps.rs`), a risk point with its assessments, and the
//! printable risk card.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::{OrgId, RiskPointId};
use crate::domain::risk::{
    AssessmentInput, BandSet, C_VALUES, ControlLevel, E_VALUES, Grade, L_VALUES, Method,
};
use crate::error::Error;
use crate::policy::Action;
use crate::storage::risk_catalog::Measures;
use crate::storage::risk_points::{Register, RiskFilter, RiskPointDetail, RiskPointPatch};
use crate::storage::views::{Person, School, Zone};
use crate::web::api::risk::point_url;
use crate::web::ctx::{Ctx, Form};
use crate::web::i18n::tr;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

mod maps;

pub use maps::{campus_map, overview};

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// Grade columns, highest first, with their CSS class.
fn grade_cols(c: &Chrome) -> Vec<(String, String)> {
    Grade::DESCENDING
        .iter()
        .map(|g| (g.as_str().to_string(), c.label(g)))
        .collect()
}

pub fn grade_class(g: Option<Grade>) -> &'static str {
    match g {
        Some(Grade::Major) => "g-red",
        Some(Grade::Significant) => "g-orange",
        Some(Grade::General) => "g-yellow",
        Some(Grade::Low) => "g-blue",
        None => "g-none",
    }
}

#[derive(Template)]
#[template(path = "risk/register.html")]
struct RegisterPage {
    c: Chrome,
    s: School,
    reg: Register,
    f: RiskFilter,
    zones: Vec<Zone>,
    people: Vec<Person>,
    categories: Vec<String>,
    aspects: Vec<(String, String)>,
    grades: Vec<(String, String)>,
    can_write: bool,
    notice: String,
}

impl RegisterPage {
    fn class(&self, g: &Option<Grade>) -> &'static str {
        grade_class(*g)
    }

    fn sel_zone(&self, z: &Zone) -> bool {
        self.f.zone_id == Some(z.id.0)
    }

    fn sel_person(&self, p: &Person) -> bool {
        self.f.responsible_person_id == Some(p.id.0)
    }
}

pub async fn register(
    ctx: Ctx,
    Path(id): Path<i64>,
    uri: axum::http::Uri,
) -> Result<Response, Error> {
    // The page's own `notice` (the outcome of the last action) is not a filter.
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let notice_text = pairs
        .iter()
        .find(|(k, _)| k == "notice")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    pairs.retain(|(k, _)| k != "notice");
    let f: RiskFilter =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(&pairs).map_err(Error::internal)?)
            .map_err(|e| Error::validation(e.to_string()))?;
    let db = ctx.db();
    let reg = db.risk().points(OrgId(id), &f).await?;
    let s = ctx
        .db_as(Action::SchoolView)?
        .schools()
        .get(OrgId(id))
        .await?;
    let zones = ctx
        .db_as(Action::ZoneView)?
        .zones()
        .list(OrgId(id))
        .await
        .unwrap_or_default();
    let people = ctx
        .db_as(Action::PersonView)?
        .people()
        .list(OrgId(id))
        .await
        .unwrap_or_default();
    let mut categories: Vec<String> = reg.items.iter().map(|p| p.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let c = Chrome::for_ctx(&ctx, "risk.register", "/risk");
    let notice = notice_text;
    render(&RegisterPage {
        can_write: c.can(ctx.actor.role(), Action::RiskWrite),
        aspects: crate::domain::risk::Aspect::ALL
            .iter()
            .map(|a| (a.as_str().to_string(), c.label(a)))
            .collect(),
        grades: grade_cols(&c),
        c,
        s,
        reg,
        f,
        zones,
        people,
        categories,
        notice,
    })
}

pub async fn instantiate(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let r = ctx
        .db()
        .risk()
        .instantiate(OrgId(id), &ctx.config().risk)
        .await?;
    let msg = format!(
        "{} {}, {} {}",
        tr(ctx.lang, "risk.added"),
        r.added,
        tr(ctx.lang, "risk.existing"),
        r.existing
    );
    Ok(see_other(&format!(
        "/schools/{id}/risks?notice={}",
        crate::web::error::urlencode(&msg)
    )))
}

#[derive(Template)]
#[template(path = "risk/point.html")]
struct PointPage {
    c: Chrome,
    d: RiskPointDetail,
    measures: Vec<(String, Vec<String>)>,
    checks: Vec<String>,
    zones: Vec<Zone>,
    people: Vec<Person>,
    levels: Vec<(String, String)>,
    l_values: Vec<(String, String)>,
    e_values: Vec<(String, String)>,
    c_values: Vec<(String, String)>,
    band_sets: Vec<(String, String)>,
    grades: Vec<(String, String)>,
    can_write: bool,
    can_assess: bool,
    errors: FormErrors,
}

impl PointPage {
    fn class(&self, g: &Option<Grade>) -> &'static str {
        grade_class(*g)
    }

    fn aclass(&self, g: &Grade) -> &'static str {
        grade_class(Some(*g))
    }

    fn method_label(&self, m: &str) -> String {
        Method::parse(m)
            .map(|m| self.c.label(&m))
            .unwrap_or_else(|| m.to_string())
    }

    fn inputs(&self, a: &crate::storage::risk_points::Assessment) -> String {
        match a.method.as_str() {
            "LEC" => format!("L={} E={} C={}", num(a.l), num(a.e), num(a.c)),
            "LS" => format!(
                "L={} S={} ({})",
                num(a.l),
                num(a.s),
                a.band_set.clone().unwrap_or_default()
            ),
            _ => a.reason.clone(),
        }
    }

    fn local(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::china_time(t)
    }

    fn sel_zone(&self, z: &Zone) -> bool {
        self.d.point.zone_id == Some(z.id)
    }

    /// The value the assessment form starts from: the latest LEC inputs (or middle values),
    /// and the current grade — never the most severe values by accident.
    fn current(&self, field: &str) -> String {
        let lec = self.d.assessments.iter().find(|a| a.method == "LEC");
        match field {
            "l" => lec
                .and_then(|a| a.l)
                .map(|v| num(Some(v)))
                .unwrap_or_else(|| "3".into()),
            "e" => lec
                .and_then(|a| a.e)
                .map(|v| num(Some(v)))
                .unwrap_or_else(|| "6".into()),
            "c" => lec
                .and_then(|a| a.c)
                .map(|v| num(Some(v)))
                .unwrap_or_else(|| "7".into()),
            _ => self
                .d
                .point
                .grade
                .map(|g| g.as_str().to_string())
                .unwrap_or_else(|| "general".into()),
        }
    }

    fn sel_person(&self, p: &Person) -> bool {
        self.d.point.responsible_person_id == Some(p.id)
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|x| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x}")
        }
    })
    .unwrap_or_default()
}

fn table(c: &Chrome, t: &[(u32, &str)]) -> Vec<(String, String)> {
    t.iter()
        .map(|(tenths, key)| {
            let v = if tenths % 10 == 0 {
                (tenths / 10).to_string()
            } else {
                format!("{}.{}", tenths / 10, tenths % 10)
            };
            let label = format!("{v} · {}", c.t(key));
            (v, label)
        })
        .collect()
}

fn measure_list(c: &Chrome, m: &Measures) -> Vec<(String, Vec<String>)> {
    m.by_type()
        .into_iter()
        .map(|(t, v)| (c.label(&t), v))
        .collect()
}

async fn point_page(ctx: &Ctx, id: RiskPointId, errors: FormErrors) -> Result<Response, Error> {
    let d = ctx.db_as(Action::RiskView)?.risk().point(id).await?;
    let school = d.point.school_id;
    let zones = ctx
        .db_as(Action::ZoneView)?
        .zones()
        .list(school)
        .await
        .unwrap_or_default();
    let people = ctx
        .db_as(Action::PersonView)?
        .people()
        .list(school)
        .await
        .unwrap_or_default();
    let c = Chrome::for_ctx(ctx, "risk.point", "/risk");
    let failed = errors.any();
    let mut r = render(&PointPage {
        measures: measure_list(&c, &d.point.measures),
        checks: crate::domain::catalog::split_items(&d.point.check_items)
            .into_iter()
            .map(str::to_string)
            .collect(),
        levels: ControlLevel::DESCENDING
            .iter()
            .map(|l| (l.as_str().to_string(), c.label(l)))
            .collect(),
        l_values: table(&c, L_VALUES),
        e_values: table(&c, E_VALUES),
        c_values: table(&c, C_VALUES),
        band_sets: BandSet::ALL
            .iter()
            .map(|b| (b.as_str().to_string(), c.label(b)))
            .collect(),
        grades: grade_cols(&c),
        can_write: c.can(ctx.actor.role(), Action::RiskWrite),
        can_assess: c.can(ctx.actor.role(), Action::RiskAssess),
        c,
        d,
        zones,
        people,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn point(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    point_page(&ctx, RiskPointId(id), FormErrors::default()).await
}

#[derive(Deserialize)]
pub struct AssessForm {
    method: String,
    #[serde(default)]
    l: String,
    #[serde(default)]
    e: String,
    #[serde(default)]
    c: String,
    #[serde(default)]
    ls_l: String,
    #[serde(default)]
    ls_s: String,
    #[serde(default)]
    band_set: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    reason: String,
}

fn parse_assess(f: &AssessForm) -> Result<AssessmentInput, Error> {
    let n = |s: &str, field: &str| -> Result<f64, Error> {
        s.trim()
            .parse::<f64>()
            .map_err(|_| Error::field(field, "err.not_a_number"))
    };
    let u = |s: &str, field: &str| -> Result<u8, Error> {
        s.trim()
            .parse::<u8>()
            .map_err(|_| Error::field(field, "err.risk.ls_range"))
    };
    Ok(match f.method.as_str() {
        "LEC" => AssessmentInput::Lec {
            l: n(&f.l, "l")?,
            e: n(&f.e, "e")?,
            c: n(&f.c, "c")?,
        },
        "LS" => AssessmentInput::Ls {
            l: u(&f.ls_l, "l")?,
            s: u(&f.ls_s, "s")?,
            band_set: BandSet::parse(&f.band_set).unwrap_or_default(),
        },
        "DIRECT" => AssessmentInput::Direct {
            grade: Grade::parse(&f.grade).ok_or_else(|| Error::field("grade", "err.risk.grade"))?,
            reason: f.reason.clone(),
        },
        _ => return Err(Error::field("method", "err.invalid_input")),
    })
}

pub async fn assess(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AssessForm>,
) -> Result<Response, Error> {
    let res = match parse_assess(&f) {
        Ok(input) => ctx
            .db()
            .risk()
            .assess(RiskPointId(id), input, &ctx.config().risk)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&ctx, id, res).await
}

async fn after(ctx: &Ctx, id: i64, res: Result<(), Error>) -> Result<Response, Error> {
    match res {
        Ok(()) => Ok(see_other(&format!("/risk-points/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => point_page(ctx, RiskPointId(id), fe).await,
            None => Err(e),
        },
    }
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    zone_id: String,
    #[serde(default)]
    responsible_person_id: String,
    #[serde(default)]
    control_level: String,
    #[serde(default)]
    control_level_reason: String,
    #[serde(default)]
    retire: String,
    #[serde(default)]
    retired_reason: String,
}

pub async fn edit(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Result<Response, Error> {
    let idn = |s: &str| s.trim().parse::<i64>().ok();
    let patch = if f.retire == "1" {
        RiskPointPatch {
            retired: Some(true),
            retired_reason: Some(f.retired_reason.clone()),
            ..Default::default()
        }
    } else if f.retire == "0" {
        RiskPointPatch {
            retired: Some(false),
            ..Default::default()
        }
    } else {
        RiskPointPatch {
            zone_id: Some(idn(&f.zone_id).map(crate::domain::ids::ZoneId)),
            responsible_person_id: Some(
                idn(&f.responsible_person_id).map(crate::domain::ids::PersonId),
            ),
            control_level: ControlLevel::parse(&f.control_level),
            control_level_reason: Some(f.control_level_reason.clone()),
            ..Default::default()
        }
    };
    let res = ctx
        .db()
        .risk()
        .update_point(RiskPointId(id), patch, &ctx.config().risk)
        .await
        .map(|_| ());
    after(&ctx, id, res).await
}

#[derive(Template)]
#[template(path = "risk/card.html")]
struct CardPage {
    c: Chrome,
    d: RiskPointDetail,
    measures: Vec<(String, Vec<String>)>,
    emergency: Vec<String>,
    hazards: Vec<String>,
    accidents: String,
    qr: String,
    url: String,
    url_note: bool,
    date: String,
    size: String,
}

impl CardPage {
    fn color_label(&self) -> String {
        self.d
            .point
            .grade
            .map(|g| self.c.label(&g.color()))
            .unwrap_or_default()
    }

    fn class(&self) -> &'static str {
        grade_class(self.d.point.grade)
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CardQ {
    /// `a4` (default) or `a5`.
    size: Option<String>,
}

/// A readable list of accident types: GB 6441 classes and school incident types.
fn accident_names(c: &Chrome, codes: &str) -> String {
    crate::domain::catalog::split_items(codes)
        .into_iter()
        .map(|code| {
            let key = format!("accident.{code}");
            if crate::web::i18n::has(c.lang, &key) {
                c.t(&key)
            } else {
                code.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The printable risk notification card (风险告知卡) with its QR code.
pub async fn card(ctx: Ctx, Path(id): Path<i64>, q: Q<CardQ>) -> Result<Response, Error> {
    let q = query(q)?;
    let d = ctx.db().risk().point(RiskPointId(id)).await?;
    let url = point_url(&ctx, d.point.id);
    // Without a configured public address the code holds only the path: say so on the card.
    let url_note = !url.starts_with("http");
    let qr = crate::web::svg::qr_svg(&url, 160).map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
    let c = Chrome::for_ctx(&ctx, "risk.card", "/risk");
    render(&CardPage {
        // Emergency measures have their own row on the card.
        measures: measure_list(
            &c,
            &Measures {
                emergency: String::new(),
                ..d.point.measures.clone()
            },
        ),
        emergency: crate::domain::catalog::split_items(&d.point.measures.emergency)
            .into_iter()
            .map(str::to_string)
            .collect(),
        hazards: crate::domain::catalog::split_items(&d.point.hazard_factors)
            .into_iter()
            .map(str::to_string)
            .collect(),
        accidents: accident_names(&c, &d.point.accident_types),
        date: crate::storage::risk_points::today().to_string(),
        size: if q.size.as_deref() == Some("a5") {
            "a5".into()
        } else {
            "a4".into()
        },
        c,
        d,
        qr,
        url,
        url_note,
    })
}

#[derive(Template)]
#[template(path = "risk/new.html")]
struct NewPage {
    c: Chrome,
    s: School,
    aspects: Vec<(String, String)>,
    types: Vec<(String, String)>,
    errors: FormErrors,
}

async fn new_page(ctx: &Ctx, id: i64, errors: FormErrors) -> Result<Response, Error> {
    let s = ctx
        .db_as(Action::SchoolView)?
        .schools()
        .get(OrgId(id))
        .await?;
    let c = Chrome::for_ctx(ctx, "risk.add", "/risk");
    let failed = errors.any();
    let mut r = render(&NewPage {
        aspects: crate::domain::risk::Aspect::ALL
            .iter()
            .map(|a| (a.as_str().to_string(), c.label(a)))
            .collect(),
        types: crate::domain::risk::PointType::ALL
            .iter()
            .map(|a| (a.as_str().to_string(), c.label(a)))
            .collect(),
        c,
        s,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn new_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    // Scope (404) and role (403) before the form.
    ctx.db()
        .risk()
        .points(OrgId(id), &RiskFilter::default())
        .await?;
    new_page(&ctx, id, FormErrors::default()).await
}

#[derive(Deserialize)]
pub struct NewForm {
    #[serde(default)]
    catalog_code: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    aspect: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    point_type: String,
    #[serde(default)]
    hazard_factors: String,
    #[serde(default)]
    check_items: String,
    #[serde(default)]
    m_management: String,
    #[serde(default)]
    m_emergency: String,
}

pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<NewForm>,
) -> Result<Response, Error> {
    let some = |s: &str| Some(s.trim().to_string()).filter(|x| !x.is_empty());
    let input = crate::storage::risk_points::NewRiskPoint {
        catalog_code: some(&f.catalog_code),
        code: some(&f.code),
        name: some(&f.name),
        aspect: crate::domain::risk::Aspect::parse(&f.aspect),
        category: some(&f.category),
        point_type: crate::domain::risk::PointType::parse(&f.point_type),
        hazard_factors: some(&f.hazard_factors),
        accident_types: None,
        measures: Some(Measures {
            management: f.m_management.clone(),
            emergency: f.m_emergency.clone(),
            ..Default::default()
        }),
        check_items: some(&f.check_items),
        check_frequency: None,
        responsible_post: None,
        zone_id: None,
        responsible_person_id: None,
    };
    match ctx
        .db()
        .risk()
        .create_point(OrgId(id), input, &ctx.config().risk)
        .await
    {
        Ok(d) => Ok(see_other(&format!("/risk-points/{}", d.point.id))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => new_page(&ctx, id, fe).await,
            None => Err(e),
        },
    }
}
