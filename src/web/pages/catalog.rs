//! The risk catalogue pages: list with filters, an entry with its history (and the edit form
//! for the bureau), and the .xlsx import.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::CatalogItemId;
use crate::domain::org::SchoolKind;
use crate::domain::person::Post;
use crate::domain::risk::{Aspect, CheckFrequency, ControlLevel, PointType};
use crate::error::Error;
use crate::policy::Action;
use crate::storage::risk_catalog::{
    CatalogChange, CatalogFilter, CatalogItem, CatalogItemInput, CatalogPage, Measures,
};
use crate::storage::transfer::ImportReport;
use crate::web::api::risk::parse_catalog_upload;
use crate::web::api::transfer::{Upload, translate};
use crate::web::ctx::{Ctx, FormPairs};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

#[derive(Template)]
#[template(path = "risk/catalog.html")]
struct ListPage {
    c: Chrome,
    p: CatalogPage,
    f: CatalogFilter,
    aspects: Vec<(String, String)>,
    categories: Vec<String>,
    pages: u64,
    query_base: String,
    can_edit: bool,
}

pub async fn list(ctx: Ctx, q: Q<CatalogFilter>) -> Result<Response, Error> {
    let f = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    let db = ctx.db();
    // A city has no catalogue of its own: its users start at their first district's.
    if f.org_id.is_none() && ctx.actor.org_level() == Some(crate::domain::org::OrgLevel::City) {
        let first = ctx
            .db_as(Action::SchoolView)?
            .orgs()
            .districts()
            .await?
            .into_iter()
            .next()
            .ok_or(Error::NotFound)?;
        return Ok(see_other(&format!("/risk/catalog?org_id={}", first.id)));
    }
    let p = db.catalog().list(&f).await?;
    let categories = db.catalog().categories(f.org_id).await?;
    let c = Chrome::for_ctx(&ctx, "nav.catalog", "/risk");
    let per = f
        .per_page
        .unwrap_or(crate::storage::views::PAGE_SIZE)
        .clamp(1, 500);
    let query_base = serde_urlencoded::to_string([
        (
            "org_id",
            f.org_id.map(|v| v.to_string()).unwrap_or_default(),
        ),
        ("aspect", f.aspect.clone().unwrap_or_default()),
        ("category", f.category.clone().unwrap_or_default()),
        ("q", f.q.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    render(&ListPage {
        aspects: Aspect::ALL
            .iter()
            .map(|a| (a.as_str().to_string(), c.label(a)))
            .collect(),
        can_edit: c.can(ctx.actor.role(), Action::RiskCatalogEdit),
        pages: p.total.div_ceil(per).max(1),
        c,
        p,
        f,
        categories,
        query_base,
    })
}

#[derive(Template)]
#[template(path = "risk/catalog_item.html")]
struct ItemPage {
    c: Chrome,
    i: CatalogItem,
    history: Vec<CatalogChange>,
    can_edit: bool,
    errors: FormErrors,
    aspects: Vec<(String, String)>,
    types: Vec<(String, String)>,
    frequencies: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    posts: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    features: Vec<&'static str>,
}

impl ItemPage {
    fn applies(&self, k: &str) -> bool {
        self.i.applies_to.iter().any(|x| x.as_str() == k)
    }

    fn requires(&self, f: &str) -> bool {
        self.i.requires.iter().any(|x| x == f)
    }

    fn local(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::china_time(t)
    }

    fn num(&self, v: &Option<f64>) -> String {
        v.map(|x| {
            if x.fract() == 0.0 {
                format!("{x:.0}")
            } else {
                x.to_string()
            }
        })
        .unwrap_or_default()
    }
}

fn opts<T: Code>(c: &Chrome) -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), c.t(&v.label_key())))
        .collect()
}

async fn item_page(ctx: &Ctx, id: CatalogItemId, errors: FormErrors) -> Result<Response, Error> {
    let (i, history) = ctx
        .db_as(Action::RiskCatalogView)?
        .catalog()
        .item(id)
        .await?;
    let c = Chrome::for_ctx(ctx, "catalog.item", "/risk");
    let failed = errors.any();
    let mut r = render(&ItemPage {
        can_edit: c.can(ctx.actor.role(), Action::RiskCatalogEdit),
        aspects: opts::<Aspect>(&c),
        types: opts::<PointType>(&c),
        frequencies: opts::<CheckFrequency>(&c),
        levels: opts::<ControlLevel>(&c),
        posts: opts::<Post>(&c),
        kinds: opts::<SchoolKind>(&c),
        features: crate::domain::catalog::FEATURES.to_vec(),
        c,
        i,
        history,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn item(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    item_page(&ctx, CatalogItemId(id), FormErrors::default()).await
}

#[derive(Deserialize)]
struct ItemForm {
    aspect: String,
    category: String,
    #[serde(default)]
    category_en: String,
    point_type: String,
    name: String,
    #[serde(default)]
    name_en: String,
    hazard_factors: String,
    #[serde(default)]
    accident_types: String,
    default_l: String,
    default_e: String,
    default_c: String,
    #[serde(default)]
    m_management: String,
    #[serde(default)]
    m_emergency: String,
    #[serde(default)]
    m_engineering: String,
    #[serde(default)]
    m_training: String,
    #[serde(default)]
    m_ppe: String,
    check_items: String,
    check_frequency: String,
    control_level: String,
    responsible_post: String,
    #[serde(default)]
    retired: String,
}

fn input(p: &FormPairs) -> Result<CatalogItemInput, Error> {
    let f: ItemForm = p.parse(&["applies_to", "requires"])?;
    let bad = |field: &str| Error::field(field, "err.invalid_input");
    let num = |s: &str, field: &str| {
        s.trim()
            .parse::<f64>()
            .map_err(|_| Error::field(field, "err.not_a_number"))
    };
    Ok(CatalogItemInput {
        aspect: Aspect::parse(&f.aspect).ok_or_else(|| bad("aspect"))?,
        category: f.category,
        category_en: f.category_en,
        point_type: PointType::parse(&f.point_type).ok_or_else(|| bad("point_type"))?,
        name: f.name,
        name_en: f.name_en,
        hazard_factors: f.hazard_factors,
        accident_types: f.accident_types,
        default_l: num(&f.default_l, "default_l")?,
        default_e: num(&f.default_e, "default_e")?,
        default_c: num(&f.default_c, "default_c")?,
        measures: Measures {
            management: f.m_management,
            emergency: f.m_emergency,
            engineering: f.m_engineering,
            training: f.m_training,
            ppe: f.m_ppe,
        },
        check_items: f.check_items,
        check_frequency: CheckFrequency::parse(&f.check_frequency)
            .ok_or_else(|| bad("check_frequency"))?,
        control_level: ControlLevel::parse(&f.control_level).ok_or_else(|| bad("control_level"))?,
        responsible_post: Post::parse(&f.responsible_post)
            .ok_or_else(|| bad("responsible_post"))?,
        applies_to: p
            .all("applies_to")
            .iter()
            .filter_map(|k| SchoolKind::parse(k))
            .collect(),
        requires: p.all("requires"),
        retired: f.retired == "1",
    })
}

pub async fn update(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let res = match input(&p) {
        Ok(i) => ctx
            .db()
            .catalog()
            .update_item(CatalogItemId(id), i)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match res {
        Ok(()) => Ok(see_other(&format!("/risk/catalog/items/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => item_page(&ctx, CatalogItemId(id), fe).await,
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "risk/catalog_import.html")]
struct ImportPage {
    c: Chrome,
    action: String,
    report: Option<ImportReport>,
    error: String,
}

impl ImportPage {
    fn field(&self, f: &str) -> String {
        let key = format!("catalog_field.{f}");
        if crate::web::i18n::has(self.c.lang, &key) {
            self.c.t(&key)
        } else {
            f.to_string()
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ImportQ {
    org_id: Option<i64>,
    #[serde(default, rename = "_csrf")]
    _csrf: Option<String>,
}

async fn import_page(
    ctx: &Ctx,
    org_id: Option<i64>,
    report: Option<ImportReport>,
    error: String,
) -> Result<Response, Error> {
    let c = Chrome::for_ctx(ctx, "catalog.import", "/risk");
    let failed = !error.is_empty() || report.as_ref().is_some_and(|r| !r.errors.is_empty());
    let org = org_id.map(|o| format!("?org_id={o}")).unwrap_or_default();
    let mut r = render(&ImportPage {
        action: format!("/risk/catalog/import{org}"),
        report: report.map(|r| translate(r, ctx.lang)),
        error,
        c,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn import_form(ctx: Ctx, q: Q<ImportQ>) -> Result<Response, Error> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    import_page(&ctx, q.org_id, None, String::new()).await
}

pub async fn import_submit(
    ctx: Ctx,
    q: Q<ImportQ>,
    upload: Result<Upload, Error>,
) -> Result<Response, Error> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    let res = match upload.and_then(|Upload(b)| parse_catalog_upload(&b)) {
        Ok((entries, errors)) => ctx.db().catalog().import(q.org_id, &entries, errors).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(r) => import_page(&ctx, q.org_id, Some(r), String::new()).await,
        Err(e @ (Error::Validation { .. } | Error::TooLarge(_))) => {
            let msg = crate::web::error::envelope(&e, ctx.lang).error.message;
            import_page(&ctx, q.org_id, None, msg).await
        }
        Err(e) => Err(e),
    }
}
