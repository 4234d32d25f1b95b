//! Add, edit and remove a person at a school.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId};
use crate::domain::person::Post;
use crate::error::Error;
use crate::storage::people::PersonInput;
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    back: String,
    v: PersonForm,
    posts: Vec<(String, String)>,
    errors: FormErrors,
    remove_action: String,
}

async fn page(
    ctx: &Ctx,
    action: String,
    back: String,
    remove_action: String,
    v: PersonForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let c = Chrome::for_ctx(ctx, "person.title", "/schools");
    let failed = errors.any();
    let posts = Post::ALL
        .iter()
        .map(|p| (p.as_str().to_string(), c.label(p)))
        .collect();
    let mut r = render(&FormPage {
        c,
        action,
        back,
        v,
        posts,
        errors,
        remove_action,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

fn input(v: &PersonForm) -> Result<PersonInput, Error> {
    let post = Post::parse(&v.post).ok_or_else(|| Error::field("post", "err.unknown_post"))?;
    Ok(PersonInput {
        name: v.name.clone(),
        post,
        phone: v.phone.trim().into(),
        note: v.note.clone(),
    })
}

async fn refused(
    ctx: &Ctx,
    e: Error,
    action: String,
    back: String,
    remove: String,
    v: PersonForm,
) -> Result<Response, Error> {
    match FormErrors::from_error(&e, ctx.lang) {
        Some(fe) => page(ctx, action, back, remove, v, fe).await,
        None => Err(e),
    }
}

pub async fn new_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    // The school must be in scope (404) and the role allowed (403) before the form shows.
    ctx.db().people().list(OrgId(id)).await?;
    page(
        &ctx,
        format!("/schools/{id}/people/new"),
        format!("/schools/{id}"),
        String::new(),
        PersonForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<PersonForm>,
) -> Result<Response, Error> {
    let res = match input(&v) {
        Ok(i) => ctx.db().people().create(OrgId(id), i).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(_) => Ok(see_other(&format!("/schools/{id}"))),
        Err(e) => {
            refused(
                &ctx,
                e,
                format!("/schools/{id}/people/new"),
                format!("/schools/{id}"),
                String::new(),
                v,
            )
            .await
        }
    }
}

pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let p = ctx.db().people().get(PersonId(id)).await?;
    let v = PersonForm {
        name: p.name,
        post: p.post.as_str().into(),
        phone: p.phone,
        note: p.note,
    };
    page(
        &ctx,
        format!("/people/{id}/edit"),
        format!("/schools/{}", p.org_id),
        format!("/people/{id}/remove"),
        v,
        FormErrors::default(),
    )
    .await
}

pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<PersonForm>,
) -> Result<Response, Error> {
    let res = match input(&v) {
        Ok(i) => ctx.db().people().update(PersonId(id), i).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(p) => Ok(see_other(&format!("/schools/{}", p.org_id))),
        Err(e) => {
            refused(
                &ctx,
                e,
                format!("/people/{id}/edit"),
                "/schools".into(),
                format!("/people/{id}/remove"),
                v,
            )
            .await
        }
    }
}

pub async fn remove(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let db = ctx.db();
    let p = db.people().get(PersonId(id)).await?;
    db.people().remove(PersonId(id)).await?;
    Ok(see_other(&format!("/schools/{}", p.org_id)))
}
