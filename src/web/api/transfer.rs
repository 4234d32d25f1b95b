//! .xlsx export and import of schools and people. Uploads are the raw workbook as the body
//! (`Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`) or a
//! multipart form with a `file` field.

use crate::domain::Code;
use crate::domain::ids::OrgId;
use crate::error::Error;
use crate::storage::transfer::{
    ImportReport, PEOPLE_FIELDS, PEOPLE_REQUIRED, SCHOOL_FIELDS, SCHOOL_REQUIRED, people_rows,
    school_rows,
};
use crate::storage::zone_transfer::{ZONE_FIELDS, ZONE_REQUIRED};
use crate::web::ctx::Ctx;
use crate::web::error::message;
use crate::web::i18n::{LANGS, Lang, tr};
use crate::xlsx::{self, Limits, XlsxError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A refused import (422): the row-by-row report when rows are wrong, the error envelope when
/// the upload is not a workbook of the expected columns.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // the document's shape of two answers; each is written as itself
pub enum ImportRefusal {
    Report(ImportReport),
    Error(crate::web::error::Envelope),
}

/// Sends a workbook as a download.
pub fn download(bytes: Vec<u8>, filename: &str) -> Response {
    let disp = format!(
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''{}",
        crate::web::error::urlencode(filename)
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, XLSX_MIME.to_string()),
            (header::CONTENT_DISPOSITION, disp),
        ],
        bytes,
    )
        .into_response()
}

fn headers(lang: Lang, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .map(|f| tr(lang, &format!("field.{f}")))
        .collect()
}

/// Other column names people use in their own sheets.
fn extra_aliases(field: &str) -> &'static [&'static str] {
    match field {
        "code" => &["学校代码", "单位代码", "编码"],
        "name" => &["姓名", "学校名称", "单位名称", "Full name"],
        "kind" => &["学校类型", "类别", "学段"],
        "district" => &["所属区县", "区"],
        "phone" => &["联系电话", "手机", "手机号", "Mobile"],
        "post" => &["职务", "岗位名称"],
        "note" => &["说明"],
        _ => &[],
    }
}

/// Column aliases: the field name, its label in every shipped language, and common variants.
fn aliases(fields: &[&str]) -> Vec<(String, Vec<String>)> {
    fields
        .iter()
        .map(|f| {
            let mut labels: Vec<String> = LANGS
                .iter()
                .map(|l| tr(*l, &format!("field.{f}")))
                .collect();
            labels.extend(extra_aliases(f).iter().map(|s| s.to_string()));
            (f.to_string(), labels)
        })
        .collect()
}

pub fn xlsx_error(e: XlsxError) -> Error {
    let detail = e.detail();
    let key = e.key();
    match e {
        XlsxError::Bomb(_) | XlsxError::TooLarge(_) => Error::TooLarge(key.into()),
        _ => Error::Validation {
            message: key.into(),
            fields: if detail.is_empty() {
                vec![]
            } else {
                vec![crate::error::FieldError {
                    field: "file".into(),
                    message: detail,
                }]
            },
        },
    }
}

/// Data rows and, for each expected field, its column.
pub type Table = (Vec<Vec<String>>, Vec<Option<usize>>);

/// Reads the sheet and maps its header; returns the data rows and the column of each field.
pub fn read_table(bytes: &[u8], fields: &[&str], required: &[&str]) -> Result<Table, Error> {
    let mut rows = xlsx::read_first_sheet(bytes, &Limits::default()).map_err(xlsx_error)?;
    if rows.is_empty() {
        return Err(xlsx_error(XlsxError::Empty));
    }
    let header = rows.remove(0);
    let al = aliases(fields);
    let refs: Vec<Vec<&str>> = al
        .iter()
        .map(|(_, v)| v.iter().map(String::as_str).collect())
        .collect();
    let expected: Vec<(&str, &[&str])> = al
        .iter()
        .zip(refs.iter())
        .map(|((f, _), r)| (f.as_str(), r.as_slice()))
        .collect();
    let cols = xlsx::map_headers(&header, &expected, required).map_err(xlsx_error)?;
    Ok((rows, cols))
}

/// The uploaded workbook bytes, from a raw body or a multipart `file` field.
pub struct Upload(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = Error;

    async fn from_request(req: Request, st: &S) -> Result<Self, Error> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if ct.starts_with("multipart/form-data") {
            let mut mp = Multipart::from_request(req, st)
                .await
                .map_err(|e| Error::validation(e.body_text()))?;
            while let Some(field) = mp
                .next_field()
                .await
                .map_err(|_| Error::TooLarge("err.upload_too_large".into()))?
            {
                if field.name() == Some("file") {
                    let b = field
                        .bytes()
                        .await
                        .map_err(|_| Error::TooLarge("err.upload_too_large".into()))?;
                    return Ok(Upload(b));
                }
            }
            return Err(Error::field("file", "err.file_missing"));
        }
        let b = Bytes::from_request(req, st)
            .await
            .map_err(|_| Error::TooLarge("err.upload_too_large".into()))?;
        if b.is_empty() {
            return Err(Error::field("file", "err.file_missing"));
        }
        Ok(Upload(b))
    }
}

/// A report whose messages are translated.
pub fn translate(mut r: ImportReport, lang: Lang) -> ImportReport {
    for e in &mut r.errors {
        e.message = message(lang, &e.message);
    }
    r
}

fn report_response(r: ImportReport, lang: Lang) -> Response {
    let status = if r.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, axum::Json(translate(r, lang))).into_response()
}

/// All schools in scope as .xlsx, headers in the caller's language.
#[utoipa::path(get, path = "/api/v1/schools/export.xlsx", tag = "schools",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_schools(ctx: Ctx) -> Result<Response, Error> {
    let schools = ctx.db().schools().all().await?;
    let lang = ctx.lang;
    let rows = school_rows(
        &schools,
        |k| tr(lang, &k.label_key()),
        &tr(lang, "common.yes"),
        &tr(lang, "common.no"),
    );
    let bytes = xlsx::write_sheet(
        &tr(lang, "nav.schools"),
        &headers(lang, SCHOOL_FIELDS),
        &rows,
    )
    .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(
        bytes,
        &format!("{}.xlsx", tr(lang, "nav.schools")),
    ))
}

/// Imports schools: creates new codes, updates existing ones in scope. Any row error → 422
/// with the row-by-row report and nothing changed.
#[utoipa::path(post, path = "/api/v1/schools/import", tag = "schools",
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportReport), (status = 422, body = ImportRefusal)))]
pub async fn import_schools(ctx: Ctx, Upload(bytes): Upload) -> Result<Response, Error> {
    let (rows, cols) = read_table(&bytes, SCHOOL_FIELDS, SCHOOL_REQUIRED)?;
    let r = ctx.db().schools().import(&rows, &cols).await?;
    Ok(report_response(r, ctx.lang))
}

#[utoipa::path(get, path = "/api/v1/schools/{id}/people/export.xlsx", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_people(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let db = ctx.db();
    let people = db.people().list(OrgId(id)).await?;
    let lang = ctx.lang;
    let rows = people_rows(&people, |p| tr(lang, &p.label_key()));
    let bytes = xlsx::write_sheet(
        &tr(lang, "school.people"),
        &headers(lang, PEOPLE_FIELDS),
        &rows,
    )
    .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(
        bytes,
        &format!("{}.xlsx", tr(lang, "school.people")),
    ))
}

#[utoipa::path(post, path = "/api/v1/schools/{id}/people/import", tag = "people", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportReport), (status = 422, body = ImportRefusal)))]
pub async fn import_people(
    ctx: Ctx,
    Path(id): Path<i64>,
    Upload(bytes): Upload,
) -> Result<Response, Error> {
    // Scope (404) and role (403) before the file is read.
    ctx.db().people().list(OrgId(id)).await?;
    let (rows, cols) = read_table(&bytes, PEOPLE_FIELDS, PEOPLE_REQUIRED)?;
    let r = ctx.db().people().import(OrgId(id), &rows, &cols).await?;
    Ok(report_response(r, ctx.lang))
}

/// Headers of the zone sheet: translated labels, and the plan coordinates as `x y w h`.
fn zone_headers(lang: Lang) -> Vec<String> {
    ZONE_FIELDS
        .iter()
        .map(|f| match *f {
            "x" | "y" | "w" | "h" => f.to_string(),
            f => tr(lang, &format!("field.{f}")),
        })
        .collect()
}

/// A school's zones as .xlsx (the same columns the import reads).
#[utoipa::path(get, path = "/api/v1/schools/{id}/zones/export.xlsx", tag = "zones", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_zones(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let zones = ctx.db().zones().list(OrgId(id)).await?;
    let lang = ctx.lang;
    let code_of = |z: Option<crate::domain::ids::ZoneId>| {
        z.and_then(|id| zones.iter().find(|x| x.id == id))
            .map(|x| x.code.clone())
            .unwrap_or_default()
    };
    let int = |v: Option<i32>| {
        v.map(|n| xlsx::Cell::Int(n.into()))
            .unwrap_or(xlsx::Cell::Empty)
    };
    let rows: Vec<Vec<xlsx::Cell>> = zones
        .iter()
        .map(|z| {
            vec![
                xlsx::Cell::Text(z.code.clone()),
                xlsx::Cell::Text(z.name.clone()),
                xlsx::Cell::Text(tr(lang, &z.zone_type.label_key())),
                xlsx::Cell::Text(code_of(z.parent_id)),
                xlsx::Cell::Text(z.responsible_name.clone().unwrap_or_default()),
                int(z.x),
                int(z.y),
                int(z.w),
                int(z.h),
            ]
        })
        .collect();
    let bytes = xlsx::write_sheet(&tr(lang, "school.zones"), &zone_headers(lang), &rows)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(
        bytes,
        &format!("{}.xlsx", tr(lang, "school.zones")),
    ))
}

/// Imports zones into a school: matched by code, parents by code, responsible persons by name.
/// Any row error → 422 with the row-by-row report and nothing changed.
#[utoipa::path(post, path = "/api/v1/schools/{id}/zones/import", tag = "zones", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportReport), (status = 422, body = ImportRefusal)))]
pub async fn import_zones(
    ctx: Ctx,
    Path(id): Path<i64>,
    Upload(bytes): Upload,
) -> Result<Response, Error> {
    // Scope (404) and role (403) before the file is read.
    ctx.db().zones().list(OrgId(id)).await?;
    let (rows, cols) = read_table(&bytes, ZONE_FIELDS, ZONE_REQUIRED)?;
    let r = ctx.db().zones().import(OrgId(id), &rows, &cols).await?;
    Ok(report_response(r, ctx.lang))
}
