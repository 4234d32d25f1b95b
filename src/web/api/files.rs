//! API: Photos and documents: upload, read, thumbnails.
//!
//! `POST /api/v1/files` takes a multipart form: one or more `file` parts (at most
//! `max_files`, each at most `max_bytes`) and `school_id` (a form field or query parameter;
//! a school user may leave it out for their own school). Types are identified by content;
//! images are re-encoded without metadata. Files are read back through the scope of their
//! school (out of scope → 404).

use super::ApiResult;
use crate::domain::ids::{FileId, OrgId};
use crate::error::Error;
use crate::storage::files::{FileInfo, Variant};
use crate::web::ctx::Ctx;
use crate::web::error::Envelope;
use crate::web::upload::{read_multipart, store_all};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Schemas of the upload routes that no annotation reaches by itself (the multipart form).
#[derive(OpenApi)]
#[openapi(components(schemas(Uploaded, FileInfo, UploadForm)))]
pub struct Doc;

/// Where an upload goes.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQ {
    /// The school the files belong to (also accepted as a form field).
    pub school_id: Option<i64>,
    /// The CSRF token, for browser uploads with the session cookie.
    #[serde(rename = "_csrf")]
    #[param(rename = "_csrf")]
    pub csrf: Option<String>,
}

/// The multipart body of an upload (documentation only).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// One or more files: JPEG, PNG, WebP, GIF images or PDF documents.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
    /// The school the files belong to; a school user may leave it out.
    school_id: Option<i64>,
}

/// The stored files; `id` is the first one's.
#[derive(Debug, Serialize, ToSchema)]
pub struct Uploaded {
    pub id: FileId,
    pub files: Vec<FileInfo>,
}

/// Uploads photos or documents for a school.
#[utoipa::path(post, path = "/api/v1/files", tag = "files", params(UploadQ),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = Uploaded), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 413, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn upload(
    ctx: Ctx,
    q: Result<Query<UploadQ>, axum::extract::rejection::QueryRejection>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<Uploaded> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    let mut mp = mp.map_err(|_| Error::validation("err.file.bad_form"))?;
    let limits = ctx.config().files.clone();
    let form = read_multipart(&mut mp, &limits).await?;
    let mut school = q.school_id;
    if let Some((_, v)) = form.fields.iter().find(|(k, _)| k == "school_id") {
        let v = v.trim();
        if !v.is_empty() {
            let id = v
                .parse::<i64>()
                .map_err(|_| Error::field("school_id", "err.file.school_required"))?;
            school = Some(id);
        }
    }
    let school = ctx.db().files().upload(school.map(OrgId)).await?;
    let parts: Vec<_> = form
        .files
        .into_iter()
        .filter(|f| f.field == "file")
        .collect();
    if parts.is_empty() {
        return Err(Error::field("file", "err.file.missing"));
    }
    let stored = store_all(&ctx, school, parts).await?;
    let files: Vec<FileInfo> = stored.into_iter().map(|(_, f)| f).collect();
    Ok(axum::Json(Uploaded {
        id: files[0].id,
        files,
    }))
}

/// RFC 5987 `attr-char`s pass; everything else is percent-encoded (UTF-8).
fn rfc5987(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `inline` or `attachment`, with an ASCII fallback name and the exact name (RFC 5987).
pub fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        rfc5987(name)
    )
}

fn serve(ctx: &Ctx, id: FileId, variant: Variant) -> impl Future<Output = Result<Response, Error>> {
    let db = ctx.db();
    async move {
        let f = db.files().bytes(id, variant).await?;
        let kind = if f.info.kind == "image" {
            "inline"
        } else {
            "attachment"
        };
        let name = match variant {
            Variant::Main => f.info.name.clone(),
            Variant::Thumb => {
                let stem = f
                    .info
                    .name
                    .rsplit_once('.')
                    .map_or(&*f.info.name, |(s, _)| s);
                format!("{stem}-thumb.jpg")
            }
        };
        let mut res = (StatusCode::OK, f.data).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&f.mime).map_err(Error::internal)?,
        );
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition(kind, &name)).map_err(Error::internal)?,
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // Evidence photos may show pupils: kept by no cache, the browser's own disk included
        // (T-IN-3: `no-store` on everything a signed-in user reads).
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(res)
    }
}

/// The stored file: images inline, PDFs as a download.
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files", params(("id" = i64, Path)),
    responses((status = 200, description = "The file as stored: a re-encoded photo or a PDF",
        content(("image/jpeg"), ("image/png"), ("application/pdf"))),
        (status = 403, body = Envelope), (status = 404, body = Envelope)))]
pub async fn get(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    serve(&ctx, FileId(id), Variant::Main).await
}

/// An image's thumbnail (JPEG); a document has none (404).
#[utoipa::path(get, path = "/api/v1/files/{id}/thumb", tag = "files", params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/jpeg"),
        (status = 403, body = Envelope), (status = 404, body = Envelope)))]
pub async fn thumb(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    serve(&ctx, FileId(id), Variant::Thumb).await
}
