//! Add and edit a campus zone and its responsible person (网格化).

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId, ZoneId};
use crate::domain::org::ZoneType;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::views::{Person, Zone};
use crate::storage::zones::ZoneInput;
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ZoneForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    zone_type: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    responsible_person_id: String,
    #[serde(default)]
    x: String,
    #[serde(default)]
    y: String,
    #[serde(default)]
    w: String,
    #[serde(default)]
    h: String,
}

#[derive(Template)]
#[template(path = "zones/form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    back: String,
    v: ZoneForm,
    types: Vec<(String, String)>,
    zones: Vec<Zone>,
    people: Vec<Person>,
    errors: FormErrors,
}

async fn page(
    ctx: &Ctx,
    school: OrgId,
    action: String,
    v: ZoneForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let c = Chrome::for_ctx(ctx, "zone.title", "/schools");
    let zones = ctx.db_as(Action::ZoneView)?.zones().list(school).await?;
    let people = ctx.db_as(Action::PersonView)?.people().list(school).await?;
    let failed = errors.any();
    let types = ZoneType::ALL
        .iter()
        .map(|t| (t.as_str().to_string(), c.label(t)))
        .collect();
    let mut r = render(&FormPage {
        c,
        action,
        back: format!("/schools/{school}"),
        v,
        types,
        zones,
        people,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

fn opt_i32(s: &str) -> Result<Option<i32>, Error> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| Error::field("x", "err.not_a_number"))
}

fn input(v: &ZoneForm) -> Result<ZoneInput, Error> {
    let zone_type =
        ZoneType::parse(&v.zone_type).ok_or_else(|| Error::field("zone_type", "err.required"))?;
    let id = |s: &str| s.trim().parse::<i64>().ok();
    Ok(ZoneInput {
        code: v.code.trim().into(),
        name: v.name.clone(),
        zone_type,
        parent_id: id(&v.parent_id).map(ZoneId),
        responsible_person_id: id(&v.responsible_person_id).map(PersonId),
        x: opt_i32(&v.x)?,
        y: opt_i32(&v.y)?,
        w: opt_i32(&v.w)?,
        h: opt_i32(&v.h)?,
    })
}

pub async fn new_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    ctx.db().zones().list(OrgId(id)).await?;
    page(
        &ctx,
        OrgId(id),
        format!("/schools/{id}/zones/new"),
        ZoneForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<ZoneForm>,
) -> Result<Response, Error> {
    let res = match input(&v) {
        Ok(i) => ctx.db().zones().create(OrgId(id), i).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(_) => Ok(see_other(&format!("/schools/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => page(&ctx, OrgId(id), format!("/schools/{id}/zones/new"), v, fe).await,
            None => Err(e),
        },
    }
}

fn s<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let z = ctx.db().zones().get(ZoneId(id)).await?;
    let v = ZoneForm {
        code: z.code,
        name: z.name,
        zone_type: z.zone_type.as_str().into(),
        parent_id: s(z.parent_id),
        responsible_person_id: s(z.responsible_person_id),
        x: s(z.x),
        y: s(z.y),
        w: s(z.w),
        h: s(z.h),
    };
    page(
        &ctx,
        z.school_id,
        format!("/zones/{id}/edit"),
        v,
        FormErrors::default(),
    )
    .await
}

pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<ZoneForm>,
) -> Result<Response, Error> {
    let res = match input(&v) {
        Ok(i) => ctx.db().zones().update(ZoneId(id), i).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(z) => Ok(see_other(&format!("/schools/{}", z.school_id))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => {
                let z = ctx.db().zones().get(ZoneId(id)).await?;
                page(&ctx, z.school_id, format!("/zones/{id}/edit"), v, fe).await
            }
            None => Err(e),
        },
    }
}
