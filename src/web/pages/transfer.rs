//! Import pages: upload an .xlsx, see the row-by-row report.

use super::{Chrome, render};
use crate::domain::ids::OrgId;
use crate::error::Error;
use crate::storage::transfer::{
    ImportReport, PEOPLE_FIELDS, PEOPLE_REQUIRED, SCHOOL_FIELDS, SCHOOL_REQUIRED,
};
use crate::web::api::transfer::{Upload, read_table, translate};
use crate::web::ctx::Ctx;
use crate::web::error::field_label;
use askama::Template;
use axum::extract::Path;
use axum::response::Response;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    heading: String,
    action: String,
    back: String,
    columns: Vec<(String, bool)>,
    report: Option<ImportReport>,
    error: String,
}

impl ImportPage {
    fn field(&self, f: &str) -> String {
        field_label(self.c.lang, f)
    }
}

fn columns(ctx: &Ctx, fields: &[&str], required: &[&str]) -> Vec<(String, bool)> {
    fields
        .iter()
        .map(|f| (field_label(ctx.lang, f), required.contains(f)))
        .collect()
}

async fn show(
    ctx: &Ctx,
    heading: &str,
    action: String,
    back: String,
    fields: &[&str],
    required: &[&str],
    report: Option<ImportReport>,
    error: String,
) -> Result<Response, Error> {
    let failed = report.as_ref().is_some_and(|r| !r.errors.is_empty()) || !error.is_empty();
    let c = Chrome::for_ctx(ctx, heading, "/schools");
    let mut r = render(&ImportPage {
        heading: c.t(heading),
        action: format!("{action}?_csrf={}", crate::web::error::urlencode(&c.csrf)),
        back,
        columns: columns(ctx, fields, required),
        report: report.map(|r| translate(r, ctx.lang)),
        error,
        c,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn import_form(ctx: Ctx) -> Result<Response, Error> {
    show(
        &ctx,
        "transfer.import_schools",
        "/schools/import".into(),
        "/schools".into(),
        SCHOOL_FIELDS,
        SCHOOL_REQUIRED,
        None,
        String::new(),
    )
    .await
}

fn error_text(ctx: &Ctx, e: &Error) -> Option<String> {
    match e {
        Error::Validation { .. } | Error::TooLarge(_) => {
            Some(crate::web::error::envelope(e, ctx.lang).error.message)
        }
        _ => None,
    }
}

pub async fn import_submit(ctx: Ctx, upload: Result<Upload, Error>) -> Result<Response, Error> {
    let res = match upload {
        Ok(Upload(bytes)) => match read_table(&bytes, SCHOOL_FIELDS, SCHOOL_REQUIRED) {
            Ok((rows, cols)) => ctx.db().import_schools(&rows, &cols).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let (report, error) = match res {
        Ok(r) => (Some(r), String::new()),
        Err(e) => match error_text(&ctx, &e) {
            Some(t) => (None, t),
            None => return Err(e),
        },
    };
    show(
        &ctx,
        "transfer.import_schools",
        "/schools/import".into(),
        "/schools".into(),
        SCHOOL_FIELDS,
        SCHOOL_REQUIRED,
        report,
        error,
    )
    .await
}

pub async fn people_import_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    ctx.db().list_people(OrgId(id)).await?;
    show(
        &ctx,
        "transfer.import_people",
        format!("/schools/{id}/people/import"),
        format!("/schools/{id}"),
        PEOPLE_FIELDS,
        PEOPLE_REQUIRED,
        None,
        String::new(),
    )
    .await
}

pub async fn people_import_submit(
    ctx: Ctx,
    Path(id): Path<i64>,
    upload: Result<Upload, Error>,
) -> Result<Response, Error> {
    ctx.db().list_people(OrgId(id)).await?;
    let res = match upload {
        Ok(Upload(bytes)) => match read_table(&bytes, PEOPLE_FIELDS, PEOPLE_REQUIRED) {
            Ok((rows, cols)) => ctx.db().import_people(OrgId(id), &rows, &cols).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let (report, error) = match res {
        Ok(r) => (Some(r), String::new()),
        Err(e) => match error_text(&ctx, &e) {
            Some(t) => (None, t),
            None => return Err(e),
        },
    };
    show(
        &ctx,
        "transfer.import_people",
        format!("/schools/{id}/people/import"),
        format!("/schools/{id}"),
        PEOPLE_FIELDS,
        PEOPLE_REQUIRED,
        report,
        error,
    )
    .await
}
