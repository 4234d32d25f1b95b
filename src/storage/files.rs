//! Uploaded photos and documents. Every file belongs to a school and is read through the same
//! scope rules as the school (out of scope → 404), with two exceptions: the documents of a
//! bureau's own emergency plans belong to the bureau (a district or the city) and are read
//! through its scope; and an expert assigned to review a plan of another school reads that
//! plan's documents (nothing else of the school), each read audited (`file.review_read`).
//! The bytes live in `file_blobs` (variants `main` and `thumb`), so a backup of the database is
//! a backup of the evidence, and no file is ever served from a path on disk. What is stored has
//! been through [`crate::media::process`]: images are re-encoded without metadata; the
//! original upload is not kept.

use super::audit::{self, Event};
use super::entity::{file, file_blob};
use super::read::Fetch as _;
use crate::domain::Code;
use crate::domain::ids::{FileId, OrgId};
use crate::domain::org::OrgLevel;
use crate::error::{Error, FieldError, Result};
use crate::media::Processed;
use crate::storage::Files;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::DatabaseTransaction;
use sea_orm::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

closed_codes! {
    AuditCode:
    /// What file storage records.
    pub enum FileAudit {
        Upload = "file.upload",
        ReviewRead = "file.review_read",
        /// A refused read of a file or its thumbnail (out of scope or not allowed); reads
        /// that succeed are not audited.
        Read = "file.read",
    }
}

/// Most photos one step or item may carry.
pub const MAX_PHOTOS: usize = 20;

/// The stored variants of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The file itself (a re-encoded image, or the PDF as uploaded).
    Main,
    /// A small JPEG (images only).
    Thumb,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Main => "main",
            Variant::Thumb => "thumb",
        }
    }
}

/// A stored file, as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileInfo {
    pub id: FileId,
    pub school_id: OrgId,
    /// The display name (sanitised; never a path).
    pub name: String,
    /// `image` or `document`.
    pub kind: String,
    pub mime: String,
    /// Bytes of the stored file.
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Hex SHA-256 of the stored bytes.
    pub sha256: String,
    pub url: String,
    /// The thumbnail (images only).
    pub thumb_url: Option<String>,
    pub uploaded_by_name: String,
    pub created_at: DateTime<Utc>,
}

impl From<file::Model> for FileInfo {
    fn from(m: file::Model) -> Self {
        FileInfo {
            url: format!("/api/v1/files/{}", m.id),
            thumb_url: m.has_thumb.then(|| format!("/api/v1/files/{}/thumb", m.id)),
            id: m.id,
            school_id: m.school_id,
            name: m.name,
            kind: m.kind,
            mime: m.mime,
            size: m.size,
            width: m.width,
            height: m.height,
            sha256: m.sha256,
            uploaded_by_name: m.uploaded_by_name,
            created_at: m.created_at,
        }
    }
}

/// A stored variant's bytes with the file's facts.
#[derive(Debug, Clone)]
pub struct FileBytes {
    pub info: FileInfo,
    /// The content type of these bytes (the thumbnail is always JPEG).
    pub mime: String,
    pub data: Vec<u8>,
}

impl Files<'_> {
    /// The school an upload belongs to: `requested` (a school in scope, else `NotFound`), or
    /// for a school user without one, their own school. A bureau or city user must name one
    /// (422). Then the role check (403). Refusals are audited. Cheap: call it before the work
    /// of processing images.
    pub async fn upload(&self, requested: Option<OrgId>) -> Result<OrgId> {
        let school = match requested {
            Some(s) => s,
            None if self.actor.org_level == Some(OrgLevel::School) => {
                self.actor.org_id.ok_or(Error::NotFound)?
            }
            None => return Err(Error::field("school_id", "err.file.school_required")),
        };
        let event = Event::new(FileAudit::Upload, "file", "");
        if let Err(e) = self.school_row(school, &self.read).await {
            self.audit_refusal(&event, &e).await;
            return Err(e);
        }
        if let Err(e) = self.permit() {
            self.audit_refusal(&event, &e).await;
            return Err(e);
        }
        Ok(school)
    }

    /// Stores one processed file for `school` (in scope, else 404; role allowed, else 403): the
    /// `files` row and its `file_blobs` (`main`, and `thumb` for images) in one transaction
    /// with the audit event `file.upload`. `name` is the display name (already sanitised by
    /// [`crate::media::display_name`]).
    pub async fn store(&self, school: OrgId, name: &str, p: Processed) -> Result<FileInfo> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(FileAudit::Upload, "file", ""), school)
            .await?;
        let res: Result<file::Model> = async {
            self.school_row(school.org_id(), &tx.txn).await?;
            insert(&tx.txn, &self.actor, school.org_id(), name, p).await
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "school={school} kind={} mime={} size={}",
                    m.kind, m.mime, m.size
                );
                tx.commit().await?;
                Ok(m.into())
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// A file in scope (404 otherwise, also for a nonexistent id), then the role check (403).
    /// Out of a school's scope, a bureau's own document in its scope, or a document of a plan
    /// the caller was assigned to review (that read is audited before the file is given).
    async fn file_row(&self, id: FileId) -> Result<file::Model> {
        match self.owned::<file::Entity>(id, &self.read).await {
            Ok((m, _)) => {
                self.permit()?;
                Ok(m)
            }
            Err(Error::NotFound) => {
                let m = self
                    .read
                    .first(file::Entity::find_by_id(id))
                    .await?
                    .ok_or(Error::NotFound)?;
                if let Ok(o) = self.org_row(m.school_id, &self.read).await
                    && o.level != OrgLevel::School.as_str()
                {
                    self.permit()?;
                    return Ok(m);
                }
                let plan =
                    super::emergency_plans::reviewed_plan_of(&self.read, self.actor.user_id, &m)
                        .await?
                        .ok_or(Error::NotFound)?;
                self.permit()?;
                let txn = super::begin_write(&self.conn).await?;
                let event = Event::new(FileAudit::ReviewRead, "file", id)
                    .detail(format!("plan={plan} school={}", m.school_id));
                audit::append(&txn, &self.actor, &event, "ok").await?;
                txn.commit().await?;
                Ok(m)
            }
            Err(e) => Err(e),
        }
    }

    /// A file's facts, through the scope of its school.
    pub async fn info(&self, id: FileId) -> Result<FileInfo> {
        Ok(self.file_row(id).await?.into())
    }

    /// A file's stored bytes (the file itself or its thumbnail), through the scope of its
    /// school. A document has no thumbnail (404). A refused read (another school's photo,
    /// a role without the action) is audited `file.read` like other refusals.
    pub async fn bytes(&self, id: FileId, variant: Variant) -> Result<FileBytes> {
        let m = match self.file_row(id).await {
            Ok(m) => m,
            Err(e @ (Error::NotFound | Error::Forbidden | Error::ForbiddenBecause(_))) => {
                let event = Event::new(FileAudit::Read, "file", id)
                    .detail(format!("variant={}", variant.as_str()));
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let blob = file_blob::Entity::find_by_id((id, variant.as_str().to_string()))
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let mime = match variant {
            Variant::Main => m.mime.clone(),
            Variant::Thumb => "image/jpeg".into(),
        };
        Ok(FileBytes {
            info: m.into(),
            mime,
            data: blob.data,
        })
    }
}

/// Stores one processed file of `org` (a school, or a bureau for its own plans' documents):
/// the `files` row and its `file_blobs` (`main`, and `thumb` for images), in the caller's
/// transaction (which audits it).
pub(super) async fn insert(
    txn: &DatabaseTransaction,
    actor: &super::Actor,
    org: OrgId,
    name: &str,
    p: Processed,
) -> Result<file::Model> {
    let m = file::ActiveModel {
        school_id: Set(org),
        kind: Set(p.kind.as_str().into()),
        mime: Set(p.mime.into()),
        name: Set(name.into()),
        size: Set(p.main.len() as i64),
        width: Set(p.width.map(|v| v as i32)),
        height: Set(p.height.map(|v| v as i32)),
        sha256: Set(p.sha256.clone()),
        has_thumb: Set(p.thumb.is_some()),
        uploaded_by: Set(Some(actor.user_id)),
        uploaded_by_name: Set(actor.display_name.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut blobs = vec![(Variant::Main, p.main)];
    if let Some(t) = p.thumb {
        blobs.push((Variant::Thumb, t));
    }
    for (v, data) in blobs {
        file_blob::ActiveModel {
            file_id: Set(m.id),
            variant: Set(v.as_str().into()),
            data: Set(data),
        }
        .insert(txn)
        .await?;
    }
    Ok(m)
}

/// Checks that every id names an image of `school` (evidence must come from the same school).
/// Returns one field error under `field` when any does not; an empty list when all do.
pub(super) async fn check_photos(
    conn: &impl ConnectionTrait,
    school: OrgId,
    ids: &[i64],
    field: &str,
) -> Result<Vec<FieldError>> {
    let mut errs = Vec::new();
    if ids.len() > MAX_PHOTOS {
        errs.push(FieldError {
            field: field.into(),
            message: "err.file.too_many_photos".into(),
        });
        return Ok(errs);
    }
    if ids.is_empty() {
        return Ok(errs);
    }
    let found = file::Entity::find()
        .filter(file::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    let ok = ids.iter().all(|id| {
        found
            .iter()
            .any(|f| f.id.0 == *id && f.school_id == school && f.kind == "image")
    });
    if !ok {
        errs.push(FieldError {
            field: field.into(),
            message: "err.file.not_a_photo_here".into(),
        });
    }
    Ok(errs)
}
