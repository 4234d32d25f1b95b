//! Import pages: upload an .xlsx, see the row-by-row report.

use super::{Chrome, render};
use crate::domain::ids::OrgId;
use crate::error::Error;
use crate::storage::transfer::{
    ImportReport, PEOPLE_FIELDS, PEOPLE_REQUIRED, SCHOOL_FIELDS, SCHOOL_REQUIRED,
};
use crate::storage::zone_transfer::{ZONE_FIELDS, ZONE_REQUIRED};
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

/// What is imported where.
struct Spec {
    heading: &'static str,
    action: String,
    back: String,
    fields: &'static [&'static str],
    required: &'static [&'static str],
}

impl Spec {
    fn schools() -> Spec {
        Spec {
            heading: "transfer.import_schools",
            action: "/schools/import".into(),
            back: "/schools".into(),
            fields: SCHOOL_FIELDS,
            required: SCHOOL_REQUIRED,
        }
    }

    fn zones(id: i64) -> Spec {
        Spec {
            heading: "transfer.import_zones",
            action: format!("/schools/{id}/zones/import"),
            back: format!("/schools/{id}"),
            fields: ZONE_FIELDS,
            required: ZONE_REQUIRED,
        }
    }

    fn people(id: i64) -> Spec {
        Spec {
            heading: "transfer.import_people",
            action: format!("/schools/{id}/people/import"),
            back: format!("/schools/{id}"),
            fields: PEOPLE_FIELDS,
            required: PEOPLE_REQUIRED,
        }
    }
}

/// The outcome of an upload: a report, or a message about the file itself.
type Outcome = (Option<ImportReport>, String);

async fn show(ctx: &Ctx, spec: Spec, (report, error): Outcome) -> Result<Response, Error> {
    let failed = report.as_ref().is_some_and(|r| !r.errors.is_empty()) || !error.is_empty();
    let c = Chrome::for_ctx(ctx, spec.heading, "/schools");
    let columns = spec
        .fields
        .iter()
        .map(|f| (field_label(ctx.lang, f), spec.required.contains(f)))
        .collect();
    let mut r = render(&ImportPage {
        heading: c.t(spec.heading),
        action: spec.action.to_string(),
        back: spec.back,
        columns,
        report: report.map(|r| translate(r, ctx.lang)),
        error,
        c,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// Splits a result into what the page shows; other errors propagate.
fn outcome(ctx: &Ctx, res: Result<ImportReport, Error>) -> Result<Outcome, Error> {
    match res {
        Ok(r) => Ok((Some(r), String::new())),
        Err(e @ (Error::Validation { .. } | Error::TooLarge(_))) => Ok((
            None,
            crate::web::error::envelope(&e, ctx.lang).error.message,
        )),
        Err(e) => Err(e),
    }
}

pub async fn import_form(ctx: Ctx) -> Result<Response, Error> {
    show(&ctx, Spec::schools(), (None, String::new())).await
}

pub async fn import_submit(ctx: Ctx, upload: Result<Upload, Error>) -> Result<Response, Error> {
    let res = match upload {
        Ok(Upload(bytes)) => match read_table(&bytes, SCHOOL_FIELDS, SCHOOL_REQUIRED) {
            Ok((rows, cols)) => ctx.db().schools().import(&rows, &cols).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let o = outcome(&ctx, res)?;
    show(&ctx, Spec::schools(), o).await
}

pub async fn people_import_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    ctx.db().people().list(OrgId(id)).await?;
    show(&ctx, Spec::people(id), (None, String::new())).await
}

pub async fn people_import_submit(
    ctx: Ctx,
    Path(id): Path<i64>,
    upload: Result<Upload, Error>,
) -> Result<Response, Error> {
    ctx.db().people().list(OrgId(id)).await?;
    let res = match upload {
        Ok(Upload(bytes)) => match read_table(&bytes, PEOPLE_FIELDS, PEOPLE_REQUIRED) {
            Ok((rows, cols)) => ctx.db().people().import(OrgId(id), &rows, &cols).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let o = outcome(&ctx, res)?;
    show(&ctx, Spec::people(id), o).await
}

pub async fn zones_import_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    ctx.db().zones().list(OrgId(id)).await?;
    show(&ctx, Spec::zones(id), (None, String::new())).await
}

pub async fn zones_import_submit(
    ctx: Ctx,
    Path(id): Path<i64>,
    upload: Result<Upload, Error>,
) -> Result<Response, Error> {
    ctx.db().zones().list(OrgId(id)).await?;
    let res = match upload {
        Ok(Upload(bytes)) => match read_table(&bytes, ZONE_FIELDS, ZONE_REQUIRED) {
            Ok((rows, cols)) => ctx.db().zones().import(OrgId(id), &rows, &cols).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let o = outcome(&ctx, res)?;
    show(&ctx, Spec::zones(id), o).await
}
