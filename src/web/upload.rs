//! Reading multipart forms that carry photos and documents, for the upload API and for page
//! forms (a hazard report, a hazard step, an inspection's items).
//!
//! Every file part goes through [`crate::media::process`] (type by content, pixel limits,
//! re-encoding without metadata, thumbnail) on a blocking thread, at most a few at a time, and
//! is stored for one school through the scoped storage handle ([`crate::storage::Scoped::store_file`],
//! audited as `file.upload`). Limits come from `[files]` in the configuration: at most
//! `max_files` files a request, each at most `max_bytes` (413); the route's body limit
//! (`Table::media`, 64 MB) bounds the whole request.
//!
//! # Page forms with photos
//!
//! Register the POST route with `t.media(...)` and read the body with [`read_form`]. **The
//! CSRF token is the form's first field**: the gate reads only a multipart body's first part,
//! so the token must come before any file (and never in the action URL, which browsers keep
//! in their history and proxies in their logs):
//!
//! ```html
//! <form method="post" enctype="multipart/form-data" action="/hazards/{{ id }}/steps">
//!   <input type="hidden" name="_csrf" value="{{ c.csrf }}">
//!   <textarea name="note"></textarea>
//!   <input type="file" name="photos" accept="image/*" capture="environment" multiple>
//!   <button>{{ c.t("common.save") }}</button>
//! </form>
//! ```
//!
//! ```ignore
//! pub async fn step(ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> Result<Response, Error> {
//!     // Find the object first (scope → 404, role → 403) to learn its school.
//!     let school = ctx.db().hazard(HazardId(id)).await?.school_id;
//!     let form = crate::web::upload::read_form(&ctx, school, mp).await?;
//!     let note = form.get("note").unwrap_or_default();
//!     let photo_ids = form.photos("photos");
//!     // … then the step itself, with `photo_ids` as evidence.
//! }
//! ```
//!
//! [`read_form`] checks the school (in the actor's scope, else 404) and the role (the route's
//! action and uploading, else 403) before it stores anything. A hostile or oversized file fails
//! the whole form (422 / 413) and nothing is stored. Files stored for a form whose own checks
//! then fail stay unreferenced; they are harmless (visible only within the school's scope).

use super::ctx::Ctx;
use crate::config::FileLimits;
use crate::domain::ids::OrgId;
use crate::error::Error;
use crate::media::{self, MediaError, Processed};
use crate::policy::{self, Action};
use crate::storage::files::FileInfo;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use std::collections::BTreeMap;
use tokio::sync::Semaphore;

/// Images decoded at the same time (each may take up to `max_pixels` × 4 bytes of memory).
static PROCESSING: Semaphore = Semaphore::const_new(2);

/// Longest text part accepted in a multipart form.
pub const MAX_TEXT_PART: usize = 64 * 1024;

/// A page form read from a multipart body: the text parts, and the ids of the files stored
/// from its file parts, under each part's name.
#[derive(Debug, Default, Clone)]
pub struct UploadForm {
    /// Text parts in order (`_csrf` left out).
    pub fields: Vec<(String, String)>,
    /// Stored file ids by part name, in order.
    pub photos: BTreeMap<String, Vec<i64>>,
}

impl UploadForm {
    /// The first value of a text field.
    pub fn get(&self, key: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// All values of a repeated text field.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The ids of the files stored from the part `key` (empty when none).
    pub fn photos(&self, key: &str) -> Vec<i64> {
        self.photos.get(key).cloned().unwrap_or_default()
    }

    /// The text fields deserialized into `T` (repeated fields listed in `repeated` left out).
    pub fn parse<T: serde::de::DeserializeOwned>(&self, repeated: &[&str]) -> Result<T, Error> {
        let rest: Vec<&(String, String)> = self
            .fields
            .iter()
            .filter(|(k, _)| !repeated.contains(&k.as_str()))
            .collect();
        let enc = serde_urlencoded::to_string(&rest).map_err(Error::internal)?;
        serde_urlencoded::from_str(&enc).map_err(|e| Error::validation(e.to_string()))
    }
}

/// One file part, read whole (at most `max_bytes`).
#[derive(Debug, Clone)]
pub struct FilePart {
    /// The form field's name.
    pub field: String,
    /// The name the client gave (untrusted; see [`media::display_name`]).
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A multipart body read whole: text parts and file parts, limits checked.
#[derive(Debug, Default, Clone)]
pub struct RawForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<FilePart>,
}

fn multipart_error(e: MultipartError) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge("err.file.request_too_large".into())
    } else {
        Error::validation("err.file.bad_form")
    }
}

/// Reads every part. A file part with an empty name and no bytes (a file input left empty)
/// is skipped; more than `max_files` files is 422; a file over `max_bytes` is 413, found while
/// reading (the rest is not buffered).
pub async fn read_multipart(mp: &mut Multipart, limits: &FileLimits) -> Result<RawForm, Error> {
    let mut form = RawForm::default();
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    if bytes.len() + chunk.len() > limits.max_bytes {
                        return Err(Error::TooLarge(MediaError::TooLarge.key().into()));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if bytes.is_empty() && file_name.is_empty() {
                    continue;
                }
                if form.files.len() >= limits.max_files {
                    return Err(Error::validation("err.file.too_many"));
                }
                form.files.push(FilePart {
                    field: name,
                    file_name,
                    bytes,
                });
            }
            None => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    if bytes.len() + chunk.len() > MAX_TEXT_PART {
                        return Err(Error::TooLarge("err.file.request_too_large".into()));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                let text =
                    String::from_utf8(bytes).map_err(|_| Error::validation("err.file.bad_form"))?;
                if name != "_csrf" {
                    form.fields.push((name, text));
                }
            }
        }
    }
    Ok(form)
}

/// The error of a refused file.
pub fn media_error(e: MediaError) -> Error {
    match e {
        MediaError::TooLarge => Error::TooLarge(e.key().into()),
        _ => Error::validation(e.key()),
    }
}

/// Processes one file on a blocking thread (at most two at a time). A decoder panic counts as
/// an unreadable file (422), not a server error.
pub async fn process(bytes: Vec<u8>, limits: &FileLimits) -> Result<Processed, Error> {
    let _permit = PROCESSING.acquire().await.map_err(Error::internal)?;
    let limits = limits.clone();
    match tokio::task::spawn_blocking(move || media::process(&bytes, &limits)).await {
        Ok(r) => r.map_err(media_error),
        // A decoder that gives up by panicking on hostile input: the file is unreadable.
        Err(e) if e.is_panic() => {
            tracing::warn!("an image decoder panicked on an upload");
            Err(media_error(MediaError::Corrupt))
        }
        Err(e) => Err(Error::internal(e)),
    }
}

/// Processes every file part (any refusal fails them all): each part's field name, display
/// name and processed file, in order. Nothing is stored.
pub async fn process_all(
    ctx: &Ctx,
    files: Vec<FilePart>,
) -> Result<Vec<(String, String, Processed)>, Error> {
    let limits = &ctx.config().files;
    let mut ready = Vec::with_capacity(files.len());
    for f in files {
        let p = process(f.bytes, limits).await?;
        let name = media::display_name(&f.file_name, p.ext);
        ready.push((f.field, name, p));
    }
    Ok(ready)
}

/// Processes every file part first (any refusal fails them all, nothing stored), then stores
/// each for `school` through a handle acting as [`Action::FileUpload`].
pub async fn store_all(
    ctx: &Ctx,
    school: OrgId,
    files: Vec<FilePart>,
) -> Result<Vec<(String, FileInfo)>, Error> {
    let ready = process_all(ctx, files).await?;
    let db = ctx.db_as(Action::FileUpload)?;
    let mut out = Vec::with_capacity(ready.len());
    for (field, name, p) in ready {
        out.push((field, db.files().store(school, &name, p).await?));
    }
    Ok(out)
}

/// Reads a page form with photos for `school`: text parts collected, every non-empty file part
/// stored for that school and its id listed under the part's name. The school must be in the
/// actor's scope (404) and the actor allowed both the route's action and uploading (403),
/// checked before anything is stored. See the module documentation for an example.
pub async fn read_form(ctx: &Ctx, school: OrgId, mut mp: Multipart) -> Result<UploadForm, Error> {
    let uploads = ctx.db_as(Action::FileUpload)?;
    uploads.files().upload(Some(school)).await?;
    if !policy::allows(ctx.actor.role(), ctx.action()) {
        return Err(Error::Forbidden);
    }
    let raw = read_multipart(&mut mp, &ctx.config().files).await?;
    let mut form = UploadForm {
        fields: raw.fields,
        photos: BTreeMap::new(),
    };
    for (field, info) in store_all(ctx, school, raw.files).await? {
        form.photos.entry(field).or_default().push(info.id.0);
    }
    Ok(form)
}
